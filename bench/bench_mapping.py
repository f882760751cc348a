"""Mapping benchmark: what reporting HPO terms outside the pack's vocabulary costs.

Run from anywhere::

    python bench/bench_mapping.py

Prints the pack load time, the one-off cost of the information content (computed on the first term
that needs it, once per process), and the median time to encode a case and to build the full curated
result (likelihood) with pack IDs only and with two of five findings given as other HPO terms.
Target: full curated result < 1 ms median. Nothing here is a test.

Imports the installed project (``pip install -r requirements-dev.txt`` installs it editable); no sys.path edits.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from bench_engine import median_seconds  # the script's own folder is on the path when it runs

from engine import default_weights, encode_case, load_pack, prepare, run_case

#: Terms outside the pack that reach it by similarity (or are refused or unrelated), see docs/mapping.md.
OFF_VOCABULARY = ("HP:0007618", "HP:0001919", "HP:0200036", "HP:0003565", "HP:0002789", "HP:0025477",
                  "HP:0000951", "HP:0001250")


def main() -> int:
    t0 = time.perf_counter()
    pack = load_pack()
    load_s = time.perf_counter() - t0
    rng = np.random.default_rng(7)
    ids = [f for f in pack.finding_ids if f.startswith("CT:")]  # CT: IDs never collide with the HPO terms
    exact = [list(rng.choice(ids, size=5, replace=False)) for _ in range(50)]
    mixed = [[*s[:3], OFF_VOCABULARY[i % 8], OFF_VOCABULARY[(i + 3) % 8]] for i, s in enumerate(exact)]
    t0 = time.perf_counter()
    encode_case(pack, mixed[0])
    first_s = time.perf_counter() - t0
    scorer = prepare(pack, default_weights(pack), "likelihood")
    print(f"pack load {load_s:.2f} s; first term outside the pack (computes the IC once) {first_s:.2f} s\n")
    print("| case | encode (ms) | full result, likelihood (ms) |")
    print("|---|---:|---:|")
    for name, sample in (("5 pack IDs", exact), ("3 pack IDs + 2 other HPO terms", mixed)):
        enc = statistics.median(median_seconds(lambda s=s: encode_case(pack, s), 20) for s in sample)
        full = statistics.median(median_seconds(lambda s=s: run_case(scorer, encode_case(pack, s)), 5)
                                 for s in sample)
        print(f"| {name} | {enc * 1e3:.3f} | {full * 1e3:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
