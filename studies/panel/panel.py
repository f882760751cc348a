"""The triage panel's paperwork: what question it answers is "what level would independent clinicians give,
seeing exactly what the tool sees?" (docs/triage-panel.md).

Subcommands (every path explicit; nothing here scores a case):

``merge-course CODED_DIR CASE_FILE...``
    Write the course and context a coder produced (``CODED_DIR/<case file name>``: ``{case id: blocks}``) into the
    case files, after ``findings``; every block is validated (:func:`engine.io.presentation.parse_presentation`).
``sheets --out SHEET --key KEY [--findings-only] [--seed N] CASE_FILE...``
    A rater sheet: every case under an anonymous id, in shuffled order, showing only what the tool receives
    (finding names present and absent, course, how unwell, context, vital signs); no title, vignette, id,
    condition or level. ``KEY`` maps the anonymous ids back and is never shown to a rater.
``merge-ratings --key KEY --rater NAME --role ROLE [--field triage_panel] RATINGS CASE_FILE...``
    Write one rater's ratings (``[{"id", "level", "confidence", "reason"}]``) into the cases' panel.
``gaps --key KEY --out SHEET --adjudication-key KEY2 CASE_FILE...``
    A sheet of the cases whose two ratings are two or more levels apart, for a third, blind rating.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

from engine.hpo.ontology import load_ontology
from engine.io.presentation import PRESENTATION_KEYS, parse_presentation
from engine.triage.levels import TRIAGE_LEVELS

ROLES = ("urgent_care", "dermatology", "rheumatology", "adjudicator")
CONFIDENCE = ("high", "medium", "low")


def _read(path: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _write(path: Path, cases: list[dict[str, Any]]) -> None:
    path.write_text(json.dumps(cases, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _with_blocks(case: dict[str, Any], blocks: dict[str, Any]) -> dict[str, Any]:
    """The case with its course/context blocks replaced by ``blocks``, placed right after ``findings``."""
    out: dict[str, Any] = {}
    for key, value in case.items():
        if key in PRESENTATION_KEYS:
            continue
        out[key] = value
        if key == "findings":
            out.update({k: blocks[k] for k in PRESENTATION_KEYS if blocks.get(k)})
    return out


def merge_course(coded_dir: Path, files: list[Path]) -> None:
    for path in files:
        coded = json.loads((coded_dir / path.name).read_text(encoding="utf-8"))
        cases = _read(path)
        missing = [c["id"] for c in cases if c["id"] not in coded]
        if missing:
            sys.exit(f"{path.name}: no coding for {len(missing)} case(s), e.g. {missing[0]}")
        for c in cases:
            parse_presentation(coded[c["id"]], f"{path.name}, case {c['id']}")
        _write(path, [_with_blocks(c, coded[c["id"]]) for c in cases])
        print(f"{path.name}: course and context merged into {len(cases)} cases")


def _finding_name(finding: dict[str, Any], names: dict[str, str]) -> str:
    return names.get(finding["hpo_id"]) or str(finding.get("label") or finding["hpo_id"])


def _describe(case: dict[str, Any], names: dict[str, str], findings_only: bool) -> str:
    present = [_finding_name(f, names) for f in case["findings"] if f.get("present", True)]
    absent = [_finding_name(f, names) for f in case["findings"] if not f.get("present", True)]
    lines = [f"- Findings present: {'; '.join(present) or 'none'}"]
    if absent:
        lines.append(f"- Stated absent: {'; '.join(absent)}")
    if not findings_only:
        described = parse_presentation(case, str(case.get("id"))).describe()
        lines.append(f"- Course, context and measurements: {'; '.join(described) if described else 'not given'}")
    return "\n".join(lines)


def _write_sheet(cases: list[tuple[str, dict[str, Any]]], prefix: str, out: Path, key_path: Path,
                 findings_only: bool, seed: int) -> None:
    """Shuffle ``cases`` (file name, case), write them under anonymous ids to ``out`` and the ids to ``key_path``."""
    onto = load_ontology()
    names = {t.id: t.name for t in onto.terms.values()}
    cases = list(cases)
    random.Random(seed).shuffle(cases)
    key, blocks = {}, []
    for n, (file_name, case) in enumerate(cases, start=1):
        anon = f"{prefix}{seed % 1000:03d}-{n:03d}"
        key[anon] = {"file": file_name, "id": case["id"]}
        blocks.append(f"### {anon}\n{_describe(case, names, findings_only)}\n")
    out.write_text("\n".join(blocks), encoding="utf-8")
    key_path.write_text(json.dumps(key, indent=1) + "\n", encoding="utf-8")


def sheets(files: list[Path], out: Path, key_path: Path, findings_only: bool, seed: int) -> None:
    cases = [(path.name, c) for path in files for c in _read(path)]
    _write_sheet(cases, "R", out, key_path, findings_only, seed)
    print(f"{out}: {len(cases)} cases ({'findings only' if findings_only else 'findings, course and context'})")


def _rating(raw: dict[str, Any], where: str, rater: str, role: str) -> dict[str, str]:
    if raw.get("level") not in TRIAGE_LEVELS or raw.get("confidence") not in CONFIDENCE or not raw.get("reason"):
        sys.exit(f"{where}: each rating needs level ({', '.join(TRIAGE_LEVELS)}), confidence "
                 f"({', '.join(CONFIDENCE)}) and a reason; got {raw}")
    return {"rater": rater, "role": role, "level": raw["level"], "confidence": raw["confidence"],
            "reason": " ".join(str(raw["reason"]).split())}


def merge_ratings(ratings_path: Path, key_path: Path, rater: str, role: str, field: str, files: list[Path]) -> None:
    if role not in ROLES:
        sys.exit(f"unknown role {role!r}; expected {', '.join(ROLES)}")
    key = json.loads(key_path.read_text(encoding="utf-8"))
    ratings = {r["id"]: r for r in json.loads(ratings_path.read_text(encoding="utf-8"))}
    missing = sorted(set(key) - set(ratings))
    if missing:
        sys.exit(f"{ratings_path.name}: {len(missing)} case(s) of the sheet not rated, e.g. {missing[0]}")
    by_case = {(v["file"], v["id"]): _rating(ratings[anon], f"{ratings_path.name} {anon}", rater, role)
               for anon, v in key.items()}
    for path in files:
        cases = _read(path)
        touched = 0
        for c in cases:
            rating = by_case.get((path.name, c["id"]))
            if rating is None:
                continue
            panel = c.setdefault(field, {"ratings": [], "adjudication": None})
            if role == "adjudicator":
                panel["adjudication"] = rating
            else:
                panel["ratings"] = [r for r in panel["ratings"] if r["rater"] != rater] + [rating]
            touched += 1
        _write(path, cases)
        print(f"{path.name}: {touched} rating(s) by {rater} ({role}) written to {field!r}")


def gaps(files: list[Path], out: Path, key_path: Path, field: str, seed: int) -> None:
    wide = []
    for path in files:
        for c in _read(path):
            levels = [TRIAGE_LEVELS.index(r["level"]) for r in c.get(field, {}).get("ratings", [])]
            if len(levels) >= 2 and max(levels) - min(levels) >= 2:
                wide.append((path.name, c))
    _write_sheet(wide, "A", out, key_path, field.endswith("findings_only"), seed)
    print(f"{out}: {len(wide)} case(s) two or more levels apart")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("merge-course")
    p.add_argument("coded_dir", type=Path)
    p.add_argument("files", nargs="+", type=Path)
    p = sub.add_parser("sheets")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--key", type=Path, required=True)
    p.add_argument("--findings-only", action="store_true")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("files", nargs="+", type=Path)
    p = sub.add_parser("merge-ratings")
    p.add_argument("ratings", type=Path)
    p.add_argument("--key", type=Path, required=True)
    p.add_argument("--rater", required=True)
    p.add_argument("--role", required=True)
    p.add_argument("--field", default="triage_panel")
    p.add_argument("files", nargs="+", type=Path)
    p = sub.add_parser("gaps")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--key", type=Path, required=True)
    p.add_argument("--field", default="triage_panel")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.command == "merge-course":
        merge_course(args.coded_dir, args.files)
    elif args.command == "sheets":
        sheets(args.files, args.out, args.key, args.findings_only, args.seed)
    elif args.command == "merge-ratings":
        merge_ratings(args.ratings, args.key, args.rater, args.role, args.field, args.files)
    else:
        gaps(args.files, args.out, args.key, args.field, args.seed)


if __name__ == "__main__":
    main()
