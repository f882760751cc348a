"""Simulated-patient benchmark of the corpus mode against pyhpo (Köhler et al. 2009 protocol).

For each Orphanet disease (or a fixed-seed sample) one patient is simulated from
the disease's own HPO annotations: up to 6 non-negated phenotypic-abnormality
terms, drawn without replacement with probability proportional to their
frequency. ``--imprecision`` replaces each term by a random proper ancestor
(never HP:0000001 or HP:0000118); ``--noise`` adds ceil(n/2) random phenotypic
terms. Every engine ranks all diseases of the pack; the metric is the rank of
the disease the patient was drawn from.

The peer, pyhpo 4.0.0, is slow (seconds per patient), so it runs on a
fixed-seed subset (``--pyhpo-patients``, default 60) in ``--workers`` processes;
this engine is reported on that same subset and on the full set.

Run from the repository root::

    python studies/hpo_simulation.py                       # clean patients, ~6 min
    python studies/hpo_simulation.py --imprecision --noise --json artifacts/bench.json
    python studies/hpo_simulation.py --pyhpo-patients 0    # this engine only, ~1 min
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from engine.corpus.pack import METHODS, CorpusPack, load_corpus, rank_of, score_corpus
from engine.hpo.annotations import load_annotations
from engine.hpo.ontology import PHENOTYPIC_ABNORMALITY, ROOT, hpo_data_dir, load_ontology

MAX_TERMS = 6
#: Default peer methods; ``graphic:funSimAvg`` (pyhpo's default method) takes ~4x longer, add it on request.
PYHPO_METHODS = ("resnik:funSimAvg", "resnik:BMA")


@dataclass(frozen=True)
class Patient:
    """One simulated patient: the row of the disease it was drawn from and its HPO terms."""

    row: int
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Metrics:
    """Accuracy and speed of one engine/method on one set of patients."""

    engine: str
    method: str
    patients: int
    top1: float
    top3: float
    top10: float
    mrr: float
    median_rank: float
    ms_per_patient: float

    def row(self) -> str:
        """One markdown table row."""
        return (
            f"| {self.engine} | {self.method} | {self.patients} | {self.top1:.3f} | {self.top3:.3f} | "
            f"{self.top10:.3f} | {self.mrr:.3f} | {self.median_rank:g} | {self.ms_per_patient:.3f} |"
        )


HEADER = (
    "| engine | method | patients | top-1 | top-3 | top-10 | MRR | median rank | ms/patient (median) |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|"
)


def metrics(engine: str, method: str, ranks: list[int], times: list[float]) -> Metrics:
    """Summarise ranks (1-based) and per-patient seconds."""
    r = np.asarray(ranks, dtype=float)
    return Metrics(
        engine=engine,
        method=method,
        patients=len(ranks),
        top1=float(np.mean(r <= 1)),
        top3=float(np.mean(r <= 3)),
        top10=float(np.mean(r <= 10)),
        mrr=float(np.mean(1.0 / r)),
        median_rank=float(np.median(r)),
        ms_per_patient=1000 * statistics.median(times),
    )


def simulate(pack: CorpusPack, n_diseases: int | None, seed: int, imprecision: bool, noise: bool) -> list[Patient]:
    """Draw one patient per (sampled) disease; deterministic for a given seed."""
    ontology = pack.ontology
    rng = np.random.default_rng(seed)
    phenotypic = ontology.descendants(PHENOTYPIC_ABNORMALITY) - {PHENOTYPIC_ABNORMALITY}
    pool = np.array(sorted(t for t in phenotypic if t in pack.term_index and not ontology.terms[t].obsolete))
    eligible = []
    for row in range(pack.n_diseases):
        start, end = pack.direct.indptr[row], pack.direct.indptr[row + 1]
        terms = [pack.terms[c] for c in pack.direct.indices[start:end]]
        if any(t in phenotypic for t in terms):
            eligible.append(row)
    rows = list(eligible)
    if n_diseases is not None and n_diseases < len(rows):
        rows = sorted(rng.choice(rows, size=n_diseases, replace=False).tolist())
    patients = []
    for row in rows:
        start, end = pack.direct.indptr[row], pack.direct.indptr[row + 1]
        cols = pack.direct.indices[start:end]
        freqs = pack.direct.data[start:end].astype(float)
        keep = np.array([pack.terms[c] in phenotypic for c in cols])
        cols, freqs = cols[keep], freqs[keep]
        k = min(MAX_TERMS, len(cols))
        chosen = rng.choice(len(cols), size=k, replace=False, p=freqs / freqs.sum())
        terms = [pack.terms[cols[i]] for i in sorted(chosen)]
        if imprecision:
            fuzzy = []
            for t in terms:
                up = sorted(ontology.ancestors(t) - {t, ROOT, PHENOTYPIC_ABNORMALITY})
                fuzzy.append(up[rng.integers(len(up))] if up else t)
            terms = fuzzy
        if noise:
            n_noise = math.ceil(len(terms) / 2)
            extra = [t for t in rng.choice(pool, size=n_noise + len(terms), replace=False) if t not in terms]
            terms = terms + extra[:n_noise]
        patients.append(Patient(row=row, terms=tuple(dict.fromkeys(terms))))
    return patients


def run_ours(pack: CorpusPack, patients: list[Patient], method: str) -> tuple[list[int], list[float]]:
    """Rank of the true disease and seconds per patient, for one of this engine's methods."""
    ranks, times = [], []
    for p in patients:
        start = time.perf_counter()
        scores = score_corpus(pack, p.terms, method=method)  # type: ignore[arg-type]
        rank = rank_of(scores, p.row)
        times.append(time.perf_counter() - start)
        ranks.append(rank)
    return ranks, times


# --- pyhpo peer (globals so that forked workers share the loaded ontology) ---------------------
_PEER: dict[str, object] = {}


def _peer_load(disease_ids: tuple[str, ...]) -> float:
    """Load pyhpo's ontology and the HPOSet of every Orphanet disease, in our row order."""
    start = time.perf_counter()
    from pyhpo import HPOSet, Ontology

    Ontology()
    by_id = {f"ORPHA:{d.id}": d for d in Ontology.orpha_diseases}
    missing = [d for d in disease_ids if d not in by_id]
    if missing:
        raise SystemExit(f"pyhpo lacks {len(missing)} of our diseases, e.g. {missing[:3]}")
    _PEER["HPOSet"] = HPOSet
    _PEER["sets"] = [by_id[d].hpo_set() for d in disease_ids]
    return time.perf_counter() - start


def _peer_rank(job: tuple[Patient, str]) -> tuple[int, float]:
    """pyhpo's similarity of one patient to every disease; (rank of the true disease, seconds)."""
    patient, spec = job
    method, combine = spec.split(":")
    hposet = _PEER["HPOSet"]
    sets = _PEER["sets"]
    start = time.perf_counter()
    query = hposet.from_queries(patient.terms)  # type: ignore[attr-defined]
    scores = np.array([query.similarity(s, kind="orpha", method=method, combine=combine) for s in sets])  # type: ignore[attr-defined]
    rank = rank_of(scores, patient.row)
    return rank, time.perf_counter() - start


def run_peer(patients: list[Patient], specs: list[str], workers: int) -> dict[str, tuple[list[int], list[float]]]:
    """Run every pyhpo method on every patient, ``workers`` processes in parallel."""
    jobs = [(p, s) for s in specs for p in patients]
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_peer_rank, jobs, chunksize=1)
    else:
        results = [_peer_rank(j) for j in jobs]
    out: dict[str, tuple[list[int], list[float]]] = {}
    for (_, spec), (rank, secs) in zip(jobs, results, strict=True):
        ranks, times = out.setdefault(spec, ([], []))
        ranks.append(rank)
        times.append(secs)
    return out


_RSS_PROBE = """
def hwm():
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) / 1e3 for line in handle if line.startswith("VmHWM:"))
import numpy, scipy.sparse
before = hwm()
from engine.corpus.pack import load_corpus
pack = load_corpus({pack!r})
print(before, hwm(), pack.origin)
"""


def rss_mb(pack: str) -> tuple[float, float, str]:
    """Peak RSS (MB) of a fresh process before and after ``load_corpus(pack)``, and the pack's origin."""
    code = _RSS_PROBE.format(pack=pack)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1]), out[2]


def pack_table(names: list[str]) -> tuple[str, list[dict[str, object]]]:
    """Build (no cache) and then cache-load every pack; a markdown table and its rows."""
    rows = []
    for name in names:
        built = load_corpus(name, use_cache=False)
        load_corpus(name)  # makes sure the cache file exists (built, or read if already there)
        load_corpus.cache_clear()
        cached = load_corpus(name)
        rows.append(
            {
                "pack": name,
                "diseases": cached.n_diseases,
                "terms": len(cached.terms),
                "direct_nnz": int(cached.direct.nnz),
                "propagated_nnz": int(cached.propagated.nnz),
                "build_s": round(built.seconds, 3),
                "cache_load_s": round(cached.seconds, 4),
                "cache_origin": cached.origin,
                "matrices_mb": round(cached.nbytes() / 1e6, 1),
            }
        )
    lines = [
        "| pack | diseases | terms | direct nnz | propagated nnz | build s | cache load s | matrices MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['pack']} | {r['diseases']} | {r['terms']} | {r['direct_nnz']} | {r['propagated_nnz']} | "
        f"{r['build_s']} | {r['cache_load_s']} | {r['matrices_mb']} |"
        for r in rows
    ]
    return "\n".join(lines), rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-diseases", type=int, default=None, help="sample this many diseases (default: all)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--imprecision", action="store_true", help="replace each term by a random ancestor")
    parser.add_argument("--noise", action="store_true", help="add ceil(n/2) random phenotypic terms")
    parser.add_argument("--pyhpo-patients", type=int, default=60, help="subset size for pyhpo (0: skip pyhpo)")
    parser.add_argument("--pyhpo-methods", default=",".join(PYHPO_METHODS), help="method:combine,...")
    parser.add_argument("--workers", type=int, default=2, help="processes for pyhpo")
    parser.add_argument("--packs", default="hpo-orpha,hpo-omim,hpo-all", help="packs whose build/load to report")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    load_ontology((hpo_data_dir() / "hp.obo").resolve())
    ontology_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    load_annotations((hpo_data_dir() / "phenotype.hpoa").resolve())
    hpoa_s = time.perf_counter() - t1
    table, pack_rows = pack_table([p for p in args.packs.split(",") if p])
    pack = load_corpus("hpo-orpha")
    rss_before, rss_after, rss_origin = rss_mb("hpo-all")

    patients = simulate(pack, args.n_diseases, args.seed, args.imprecision, args.noise)
    rng = np.random.default_rng(args.seed + 1)
    n_sub = min(args.pyhpo_patients, len(patients))
    subset = [patients[i] for i in sorted(rng.choice(len(patients), size=n_sub, replace=False))] if n_sub else []

    results: list[Metrics] = []
    for method in METHODS:
        score_corpus(pack, patients[0].terms, method=method)  # warm-up
        results.append(metrics("ours", method, *run_ours(pack, patients, method)))
    subset_results: list[Metrics] = []
    peer_load_s = None
    if subset:
        for method in METHODS:
            subset_results.append(metrics("ours", method, *run_ours(pack, subset, method)))
        peer_load_s = _peer_load(pack.disease_ids)
        specs = [s for s in args.pyhpo_methods.split(",") if s]
        for spec, (ranks, times) in run_peer(subset, specs, args.workers).items():
            subset_results.append(metrics("pyhpo", spec, ranks, times))

    scenario = (
        "clean"
        if not (args.imprecision or args.noise)
        else "+".join(s for s, on in (("imprecision", args.imprecision), ("noise", args.noise)) if on)
    )
    print(f"# HPO simulated patients — Orphanet ({pack.n_diseases} diseases, HPO {pack.version})\n")
    print(f"scenario: {scenario}; seed {args.seed}; ≤{MAX_TERMS} terms per patient\n")
    print(
        f"parse: hp.obo {ontology_s:.2f} s, phenotype.hpoa {hpoa_s:.2f} s (both once per process, "
        "not in the build column)\n"
    )
    print(
        f"memory: a fresh process loading hpo-all ({rss_origin}) peaks at {rss_after:.0f} MB RSS "
        f"({rss_before:.0f} MB before the call: interpreter + numpy/scipy; the rest is hp.obo + matrices)\n"
    )
    print(table + "\n")
    print(f"## This engine, all {len(patients)} patients\n")
    print(HEADER)
    for m in results:
        print(m.row())
    if subset_results:
        print(f"\n## Same {n_sub} patients, this engine vs pyhpo 4.0.0 (pyhpo load {peer_load_s:.1f} s)\n")
        print(HEADER)
        for m in subset_results:
            print(m.row())
        ours = {m.method: m for m in subset_results if m.engine == "ours"}
        print()
        for m in subset_results:
            if m.engine == "pyhpo":
                best = min(ours.values(), key=lambda o: o.ms_per_patient)
                print(
                    f"- speed: pyhpo {m.method} {m.ms_per_patient:.0f} ms vs ours {best.method} "
                    f"{best.ms_per_patient:.3f} ms → {m.ms_per_patient / best.ms_per_patient:.0f}x; "
                    f"vs ours resnik-bma {m.ms_per_patient / ours['resnik-bma'].ms_per_patient:.0f}x"
                )
    print(f"\ntotal wall time {time.perf_counter() - t0:.0f} s")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "scenario": scenario,
                    "seed": args.seed,
                    "hpo_version": pack.version,
                    "obo_parse_s": ontology_s,
                    "hpoa_parse_s": hpoa_s,
                    "rss_mb_before_load": rss_before,
                    "rss_mb_after_load_hpo_all": rss_after,
                    "packs": pack_rows,
                    "full": [asdict(m) for m in results],
                    "subset": [asdict(m) for m in subset_results],
                    "pyhpo_load_s": peer_load_s,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
