"""Search benchmark: index build and query latency of engine.match.search on the curated pack.

Run from anywhere::

    python bench/bench_search.py

Numbers are medians over repeated runs on this machine; nothing here is a test.

Imports the installed project (``pip install -r requirements-dev.txt`` installs it editable); no sys.path edits.
"""

from __future__ import annotations

import statistics
import time

from engine import load_pack
from engine.match.search import build_index

QUERIES = ("ear", "xray", "knot", "kidny", "lump", "dialysis", "scleroderma", "hard lumps on the fingers")


def _median_ms(fn, repeat: int = 50) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> int:
    start = time.perf_counter()
    pack = load_pack()
    print(f"pack load (hp.obo parse included): {time.perf_counter() - start:.2f} s, {len(pack.findings)} findings")
    print(f"index build: {_median_ms(lambda: build_index(pack), 10):.2f} ms")
    index = build_index(pack)
    for query in QUERIES:
        hits = len(index.search(query))
        print(f"query {query!r:36} {_median_ms(lambda q=query: index.search(q)):7.2f} ms  {hits} hit(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
