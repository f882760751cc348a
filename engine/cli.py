"""Command line: ``python -m engine score|evaluate|validate|findings``.

Exit codes: 0 ok, 2 bad input (one line on stderr), 1 unexpected failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from engine.cases import load_cases
from engine.corpus.pack import CORPUS_PACKS, load_corpus, rank_corpus
from engine.corpus.pack import METHODS as CORPUS_METHODS
from engine.errors import InputError, TriageError
from engine.evaluate import Evaluation, evaluate
from engine.pack import GROUPS, KnowledgePack, check_pack, load_pack
from engine.result import EDUCATIONAL_NOTE, Result, match_findings
from engine.scoring import METHODS
from engine.triage import CLINICIAN_PROMPT, Triage, triage_terms
from engine.weights import Weights, default_weights, load_weights


def _pack(args: argparse.Namespace) -> KnowledgePack:
    return load_pack(Path(args.data) if args.data else None)


def _weights(pack: KnowledgePack, args: argparse.Namespace) -> Weights:
    return load_weights(pack, args.weights) if args.weights else default_weights(pack)


def _fmt(value: float) -> str:
    return f"{value:8.3f}"


def _score_table(result: Result, top: int) -> str:
    r = result.ranking
    lines = [f"{result.educational_note}", f"method: {r.method}   HPO {result.hpo_version}", ""]
    if result.evidence_note:  # thin evidence: say so first and headline no percentage
        lines += [f"EVIDENCE THIN: {result.evidence_note}", ""]
    else:
        lines += [f"evidence: {result.evidence_level} (shown share = share of the match among the "
                  f"{len(r.matches)} conditions, scaled down when the evidence is thin or the findings few)", ""]
    lines.append(f"{'rank':>4}  {'score':>8}  {'shown':>6}  condition  [absolute fit]")
    for m in r.matches[:top]:
        shown = "     -" if result.evidence_note else f"{m.shown_share:6.1%}"
        lines.append(f"{m.rank:>4}  {_fmt(m.score)}  {shown}  {m.name}  [{m.fit.describe()}]")
    for mp in r.mappings:
        if mp.note:
            lines.append(f"note: {mp.note}")
    lines += ["", *_triage_lines(result.triage)]
    if result.next_questions:
        lines += ["", "next best questions:"]
        lines += [f"  - {q.label} ({q.information_gain:.2f} bits): {q.reason}" for q in result.next_questions]
    lines += ["", result.clinician_prompt, "", _disclaimer(result.disclaimer)]
    return "\n".join(lines)


def _disclaimer(text: str) -> str:
    """The pack's disclaimer, labelled once (the seed's own text already starts with "Disclaimer:")."""
    return text if text.lower().startswith("disclaimer") else f"Disclaimer: {text}"


def _triage_lines(t: Triage) -> list[str]:
    return [f"triage: {t.level.upper()} - {t.advice}", *(f"  - [{x.level}] {x.message}" for x in t.reasons)]


def cmd_score_corpus(args: argparse.Namespace) -> int:
    """``score --pack hpo-orpha|hpo-omim|hpo-all``: rank every HPO-annotated rare disease (docs/corpus.md)."""
    if args.weights:
        raise InputError("--weights applies to the curated pack only; corpus packs have no analyst weights")
    pack = load_corpus(args.pack)
    hits = rank_corpus(pack, args.present, args.absent, method=args.method, top=args.top)
    curated = _pack(args)  # the same red-flag rules as the curated pack, through its mapping
    triage = triage_terms(curated, args.present, args.absent)
    if args.format == "json":
        print(json.dumps({"educational_note": EDUCATIONAL_NOTE, "clinician_prompt": CLINICIAN_PROMPT,
                          "disclaimer": curated.disclaimer, "triage": asdict(triage),
                          "pack": pack.name, "hpo_version": pack.version, "method": args.method,
                          "results": [{"rank": h.rank, "disease_id": h.disease_id, "name": h.name,
                                       "score": h.score, "matched": list(h.matched),
                                       "partial": [list(p) for p in h.partial]} for h in hits]}, indent=2))
        return 0
    print(f"Educational ranking of {pack.n_diseases} HPO-annotated rare diseases ({pack.name}), never a diagnosis.")
    print(f"method: {args.method}   HPO {pack.version}\n")
    print(f"{'rank':>4}  {'score':>8}  disease  (present terms matched / partly matched)")
    for h in hits:
        print(f"{h.rank:>4}  {_fmt(h.score)}  {h.disease_id} {h.name}  ({len(h.matched)} / {len(h.partial)})")
    print("\n" + "\n".join(_triage_lines(triage)))
    print(f"\n{CLINICIAN_PROMPT}\n\n{_disclaimer(curated.disclaimer)}")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    if args.pack != "curated":
        return cmd_score_corpus(args)
    pack = _pack(args)
    result = match_findings(pack, args.present, args.absent, args.method, _weights(pack, args), n_questions=3)
    if args.format == "json":
        print(json.dumps(result.to_dict(args.top), indent=2))
    else:
        print(_score_table(result, args.top))
    return 0


def _evaluation_dict(ev: Evaluation) -> dict[str, Any]:
    return {
        "summary": ev.summary(),
        "report": ev.report(),
        "cases": [{"id": c.case_id, "expected": c.expected, "rank": c.rank, "predicted": c.predicted,
                   "top3": list(c.top3), "expected_triage": c.expected_triage, "triage": c.triage,
                   "dropped": [d.finding_id for d in c.dropped]}
                  for c in ev.cases],
        "confusion": {"labels": list(ev.labels), "matrix": ev.confusion.tolist()},
    }


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _evaluation_lines(ev: Evaluation) -> list[str]:
    rep = ev.report()
    ci1, ci3 = rep["top1_ci95"] or (0.0, 0.0), rep["top3_ci95"] or (0.0, 0.0)
    lines = [
        f"method {ev.method}: n={ev.n}  top-1 {ev.top1:.1%} (95% CI {ci1[0]:.1%}-{ci1[1]:.1%})  "
        f"top-3 {ev.top3:.1%} (95% CI {ci3[0]:.1%}-{ci3[1]:.1%})  MRR {ev.mrr:.3f}",
        f"  triage ({rep['triage_rated']} rated): exact {_pct(ev.triage_agreement)}  "
        f"under by one level {_pct(ev.under_triage_one)}  under by two or more {_pct(ev.under_triage_two_plus)}  "
        f"over {_pct(ev.over_triage)}",
        f"  findings dropped: {len(ev.dropped)} of {ev.present_findings} present ({ev.dropped_share:.1%})",
        *(f"    - {d.case_id}: {d.finding_id}: {d.reason}" for d in ev.dropped),
        "  recall by condition:",
        *(f"    {cid:<32} top-1 {v['top1']:>5.0%}  top-3 {v['top3']:>5.0%}  (n={v['n']})"
          for cid, v in ev.recall_by_condition().items()),
    ]
    return lines


def cmd_evaluate(args: argparse.Namespace) -> int:
    pack = _pack(args)
    cases = load_cases(pack, args.cases)
    methods = METHODS if args.method == "all" else (args.method,)
    evs = [evaluate(pack, cases, m, _weights(pack, args)) for m in methods]
    if args.format == "json":
        data = _evaluation_dict(evs[0]) if len(evs) == 1 else {"methods": {e.method: _evaluation_dict(e)
                                                                             for e in evs}}
        print(json.dumps(data, indent=2))
        return 0
    for ev in evs:
        print("\n".join(_evaluation_lines(ev)) + "\n")
    if len(evs) == 1:
        ev = evs[0]
        print(f"{'case':<40} {'rank':>4}  {'expected':<32} {'top-1':<32} triage (expected)")
        for c in ev.cases:
            print(f"{c.case_id:<40} {c.rank:>4}  {c.expected:<32} {c.predicted:<32} {c.triage} ({c.expected_triage})")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    pack, issues = check_pack(Path(args.data) if args.data else None)
    for issue in issues:
        print(issue)
    errors = sum(i.level == "error" for i in issues)
    if pack is None:
        print(f"pack is invalid: {errors} error(s), {len(issues) - errors} warning(s)", file=sys.stderr)
        return 2
    print(f"pack ok: {len(pack.conditions)} conditions, {len(pack.findings)} findings "
          f"({sum(f.is_hpo for f in pack.findings)} HPO), {int((pack.frequency > 0).sum())} profile rows, "
          f"{len(pack.red_flags)} red-flag rules, HPO {pack.hpo_version}; {len(issues)} warning(s)")
    return 0


def cmd_findings(args: argparse.Namespace) -> int:
    pack = _pack(args)
    for f in pack.findings:
        if args.group in (None, f.group):
            print(f"{f.id}\t{f.group}\t{f.label}\t{f.lay_label}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m engine",
        description="Educational symptom matching for calcinosis cutis and its differential (never a diagnosis).",
    )
    parser.add_argument("--data", help="knowledge-pack folder (default: the project's data/)")
    sub = parser.add_subparsers(dest="command", required=True)

    score = sub.add_parser("score", help="rank conditions for reported findings")
    score.add_argument("--present", required=True, help="comma-separated HPO (or pack CT:) IDs")
    score.add_argument("--absent", default="", help="comma-separated IDs reported absent")
    score.add_argument("--method", choices=tuple(dict.fromkeys(METHODS + CORPUS_METHODS)), default="likelihood",
                       help=f"curated pack: {', '.join(METHODS)}; corpus packs: {', '.join(CORPUS_METHODS)}")
    score.add_argument("--weights", help="weights file (.toml or .csv)")
    score.add_argument("--format", choices=("table", "json"), default="table")
    score.add_argument("--top", type=int, default=10, help="how many matches to list")
    score.add_argument("--pack", choices=("curated", *CORPUS_PACKS), default="curated",
                       help="curated calcinosis pack, or all HPO-annotated rare diseases (docs/corpus.md)")
    score.set_defaults(func=cmd_score)

    ev = sub.add_parser("evaluate", help="top-1/top-3 (bootstrap 95%% CI), MRR, triage, dropped findings, "
                                          "recall per condition, on case files")
    ev.add_argument("cases", nargs="+", help="case files (JSON lists)")
    ev.add_argument("--method", choices=(*METHODS, "all"), default="all",
                    help="one method, or all of them (default; the case table is listed for one method only)")
    ev.add_argument("--weights", help="weights file (.toml or .csv)")
    ev.add_argument("--format", choices=("table", "json"), default="table")
    ev.set_defaults(func=cmd_evaluate)

    val = sub.add_parser("validate", help="check the knowledge pack and print what is wrong")
    val.set_defaults(func=cmd_validate)

    fin = sub.add_parser("findings", help="list the pack's findings (the checkbox vocabulary)")
    fin.add_argument("--group", choices=GROUPS)
    fin.set_defaults(func=cmd_findings)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except TriageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stderr.close()
        return 0
