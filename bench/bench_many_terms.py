"""Many terms: scoring a case of 2,000 distinct real HPO terms on the curated pack.

Run: ``python bench/bench_many_terms.py [--terms 2000] [--samples 3]``. Target: under 2 s per case of 2,000
terms (the cap of distinct terms per case, :data:`engine.hpo.ids.MAX_TERMS`), with the pack loaded and the
information content computed (both once per process, printed apart). Each sample is a fresh random draw of
current terms below Phenotypic abnormality, scored with :func:`engine.match_findings` after the per-term
mapping cache is cleared, so every term is mapped from scratch. The target is judged on this process's CPU
time (other jobs on a shared machine do not count); the wall time is printed beside it. Also times the
whole CLI call (``python -m engine score --present ...``), start-up included. A benchmark, never a test.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from pathlib import Path

from engine import load_pack, match_findings
from engine.hpo.ids import MAX_TERMS
from engine.hpo.ontology import PHENOTYPIC_ABNORMALITY
from engine.hpo.similarity import information_content
from engine.match.mapping import _map_one, findings_above

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terms", type=int, default=MAX_TERMS, help=f"distinct terms per case (default {MAX_TERMS})")
    parser.add_argument("--samples", type=int, default=3, help="random cases to score (default 3)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    pack = load_pack()
    load_s = time.perf_counter() - t0
    onto = pack.ontology
    t0 = time.perf_counter()
    information_content(onto)
    ic_s = time.perf_counter() - t0
    terms = sorted(t for t, term in onto.terms.items() if not term.obsolete and t != PHENOTYPIC_ABNORMALITY
                   and PHENOTYPIC_ABNORMALITY in onto.ancestors(t))
    print(f"pack load {load_s:.2f} s, information content {ic_s:.2f} s (each once per process); "
          f"{len(terms):,} current terms below Phenotypic abnormality to draw from")
    times = []
    for seed in range(args.samples):
        sample = random.Random(seed).sample(terms, args.terms)
        _map_one.cache_clear()
        findings_above.cache_clear()
        t0, c0 = time.perf_counter(), time.process_time()
        result = match_findings(pack, sample)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        times.append(cpu)
        mapped = sum(1 for m in result.ranking.mappings if m.finding_id is not None)
        print(f"sample {seed}: {args.terms:,} terms scored in {cpu:.2f} s of CPU ({wall:.2f} s wall; "
              f"{mapped:,} mappings onto the pack)")
    worst = max(times)
    print(f"worst {worst:.2f} s of CPU for {args.terms:,} terms (target < {TARGET_S:.0f} s: "
          f"{'ok' if worst < TARGET_S else 'OVER TARGET'})")
    sample = random.Random(0).sample(terms, args.terms)
    t0 = time.perf_counter()
    cli = subprocess.run([sys.executable, "-m", "engine", "score", "--present", ",".join(sample), "--format", "json"],
                         cwd=ROOT, capture_output=True, check=False)
    print(f"CLI, start-up included: {time.perf_counter() - t0:.2f} s (exit {cli.returncode})")
    return 0 if worst < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
