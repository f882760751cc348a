"""Engine benchmark: single-case latency and batch throughput for each method.

Run from anywhere::

    python bench/bench_engine.py            # curated pack, 100,000-case batches
    python bench/bench_engine.py --json out.json

Targets: < 1 ms per case, >= 100,000 cases/s in batch. Numbers are
medians over repeated runs on this machine; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from engine import default_weights, encode_case, load_pack, prepare, run_case
from engine.match.methods import METHODS


def median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def random_cases(n: int, n_findings: int, rng: np.random.Generator, k_present: int = 5, k_absent: int = 2):
    """``n`` random cases as credit matrices: ``k_present`` findings present, ``k_absent`` absent."""
    order = np.argsort(rng.random((n, n_findings)), axis=1)
    present = np.zeros((n, n_findings))
    absent = np.zeros((n, n_findings))
    rows = np.arange(n)[:, None]
    present[rows, order[:, :k_present]] = 1.0
    absent[rows, order[:, k_present:k_present + k_absent]] = 1.0
    return present, absent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=100_000, help="cases per batch")
    parser.add_argument("--repeat", type=int, default=200, help="repeats for single-case timings")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    t0 = time.perf_counter()
    pack = load_pack()
    load_s = time.perf_counter() - t0
    weights = default_weights(pack)
    rng = np.random.default_rng(args.seed)
    ids = list(pack.finding_ids)
    sample = [list(rng.choice(ids, size=5, replace=False)) for _ in range(50)]
    present, absent = random_cases(args.batch, len(ids), rng)

    rows = []
    for method in METHODS:
        scorer = prepare(pack, weights, method)
        encoded = [encode_case(pack, s[:4], s[4:]) for s in sample]
        score_only = median_seconds(lambda e=encoded[0], s=scorer: s.score(e.present, e.absent), args.repeat)
        full = statistics.median(
            median_seconds(lambda s=s, sc=scorer: run_case(sc, encode_case(pack, s[:4], s[4:])), 5)
            for s in sample
        )
        scorer.score_batch(present[:1000], absent[:1000])  # warm
        batch_s = median_seconds(lambda sc=scorer: sc.score_batch(present, absent), 5)
        rows.append({"method": method, "score_ms": score_only * 1e3, "full_result_ms": full * 1e3,
                     "batch_cases_per_s": args.batch / batch_s})

    print(f"pack: {len(pack.conditions)} conditions x {len(pack.findings)} findings; load {load_s:.2f} s "
          f"(includes parsing HPO {pack.hpo_version})")
    print(f"batch: {args.batch:,} random cases (5 present, 2 absent); single-case: median of {args.repeat}\n")
    print("| method | score one case (ms) | full result: map + rank + explain + triage + next question (ms) "
          "| batch (cases/s) |")
    print("|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['method']} | {r['score_ms']:.3f} | {r['full_result_ms']:.3f} | {r['batch_cases_per_s']:,.0f} |")
    if args.json:
        args.json.write_text(json.dumps({"load_s": load_s, "batch": args.batch, "methods": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
