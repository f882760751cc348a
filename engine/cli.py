"""Command line: ``python -m engine score|evaluate|validate|findings``.

Exit codes: 0 ok, 2 bad input (one line on stderr), 1 unexpected failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from engine.cases import load_cases
from engine.corpus.pack import CORPUS_PACKS, load_corpus, rank_corpus
from engine.corpus.pack import METHODS as CORPUS_METHODS
from engine.errors import InputError, TriageError
from engine.evaluate import Evaluation, evaluate
from engine.ids import parse_id_list
from engine.inputs import one_line
from engine.pack import GROUPS, KnowledgePack, check_pack, load_pack
from engine.result import EDUCATIONAL_NOTE, Result, match_findings
from engine.scoring import METHODS
from engine.triage import CLINICIAN_PROMPT
from engine.weights import Weights, default_weights, load_weights


def _pack(args: argparse.Namespace) -> KnowledgePack:
    return load_pack(Path(args.data) if args.data else None)


def _weights(pack: KnowledgePack, args: argparse.Namespace) -> Weights:
    return load_weights(pack, args.weights) if args.weights else default_weights(pack)


def _json(data: Any) -> str:
    """JSON text that never holds NaN or Infinity (which strict JSON readers refuse)."""
    try:
        return json.dumps(data, indent=2, allow_nan=False)
    except ValueError:
        raise TriageError("the result holds a number that is not finite (NaN or infinity); nothing was printed. "
                          "Check the pack and weights with `python -m engine validate`") from None


def _require_present(args: argparse.Namespace) -> None:
    if not parse_id_list(args.present):
        raise InputError("--present: give at least one finding ID (comma-separated); got none")


def _fmt(value: float) -> str:
    return f"{value:8.3f}"


def _score_table(result: Result, top: int) -> str:
    r = result.ranking
    lines = [f"{result.educational_note}", f"method: {r.method}   HPO {result.hpo_version}", "",
             f"{'rank':>4}  {'score':>8}  {'share':>6}  condition  (matched / expected-not-reported / unexplained)"]
    for m in r.matches[:top]:
        lines.append(f"{m.rank:>4}  {_fmt(m.score)}  {m.strength:6.1%}  {m.name}  "
                     f"({len(m.matched)} / {len(m.expected_not_reported)} / {len(m.unexplained)})")
    for mp in r.mappings:
        if mp.note:
            lines.append(f"note: {mp.note}")
    t = result.triage
    lines += ["", f"triage: {t.level.upper()} - {t.advice}"]
    lines += [f"  - [{x.level}] {x.message}" for x in t.reasons]
    if result.next_questions:
        lines += ["", "next best questions:"]
        lines += [f"  - {q.label} ({q.information_gain:.2f} bits): {q.reason}" for q in result.next_questions]
    lines += ["", result.clinician_prompt, "", f"Disclaimer: {result.disclaimer}"]
    return "\n".join(lines)


def cmd_score_corpus(args: argparse.Namespace) -> int:
    """``score --pack hpo-orpha|hpo-omim|hpo-all``: rank every HPO-annotated rare disease (docs/corpus.md)."""
    if args.weights:
        raise InputError("--weights applies to the curated pack only; corpus packs have no analyst weights")
    _require_present(args)
    pack = load_corpus(args.pack)
    hits = rank_corpus(pack, args.present, args.absent, method=args.method, top=args.top)
    if args.format == "json":
        print(_json({"educational_note": EDUCATIONAL_NOTE, "clinician_prompt": CLINICIAN_PROMPT,
                     "pack": pack.name, "hpo_version": pack.version, "method": args.method,
                     "results": [{"rank": h.rank, "disease_id": h.disease_id, "name": h.name,
                                  "score": h.score, "matched": list(h.matched),
                                  "partial": [list(p) for p in h.partial]} for h in hits]}))
        return 0
    print(f"Educational ranking of {pack.n_diseases} HPO-annotated rare diseases ({pack.name}), never a diagnosis.")
    print(f"method: {args.method}   HPO {pack.version}\n")
    print(f"{'rank':>4}  {'score':>8}  disease  (present terms matched / partly matched)")
    for h in hits:
        print(f"{h.rank:>4}  {_fmt(h.score)}  {h.disease_id} {h.name}  ({len(h.matched)} / {len(h.partial)})")
    print(f"\n{CLINICIAN_PROMPT}")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    if args.pack != "curated":
        return cmd_score_corpus(args)
    _require_present(args)
    pack = _pack(args)
    result = match_findings(pack, args.present, args.absent, args.method, _weights(pack, args), n_questions=3)
    if args.format == "json":
        print(_json(result.to_dict(args.top)))
    else:
        print(_score_table(result, args.top))
    return 0


def _evaluation_dict(ev: Evaluation) -> dict[str, Any]:
    return {
        "summary": ev.summary(),
        "cases": [{"id": c.case_id, "expected": c.expected, "rank": c.rank, "predicted": c.predicted,
                   "top3": list(c.top3), "expected_triage": c.expected_triage, "triage": c.triage}
                  for c in ev.cases],
        "confusion": {"labels": list(ev.labels), "matrix": ev.confusion.tolist()},
    }


def cmd_evaluate(args: argparse.Namespace) -> int:
    pack = _pack(args)
    cases = load_cases(pack, args.cases)
    ev = evaluate(pack, cases, args.method, _weights(pack, args))
    if args.format == "json":
        print(_json(_evaluation_dict(ev)))
        return 0
    s = ev.summary()
    agreement = "n/a" if s["triage_agreement"] is None else f"{s['triage_agreement']:.1%}"
    print(f"method {ev.method}: n={ev.n}  top-1 {ev.top1:.1%}  top-3 {ev.top3:.1%}  MRR {ev.mrr:.3f}  "
          f"triage agreement {agreement}")
    print(f"\n{'case':<40} {'rank':>4}  {'expected':<32} {'top-1':<32} triage (expected)")
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


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (no usage block), exit code 2 as before."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {one_line(message)} (see `{self.prog} --help`)\n")


def _positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {raw!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    score.add_argument("--top", type=_positive_int, default=10, help="how many matches to list (at least 1)")
    score.add_argument("--pack", choices=("curated", *CORPUS_PACKS), default="curated",
                       help="curated calcinosis pack, or all HPO-annotated rare diseases (docs/corpus.md)")
    score.set_defaults(func=cmd_score)

    ev = sub.add_parser("evaluate", help="top-1, top-3, MRR and triage agreement on case files")
    ev.add_argument("cases", nargs="+", help="case files (JSON lists)")
    ev.add_argument("--method", choices=METHODS, default="likelihood")
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
        print(f"error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stderr.close()
        return 0
