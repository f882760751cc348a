"""Check a case file written for a panel-rated set, without the knowledge pack: what question it answers is
"is this file well formed?", never "how does the engine score it?".

Checks the JSON shape, that every finding is a current, non-obsolete HPO term of the pinned release whose
``label`` is the term's name, the course and context blocks (``engine.io.presentation``, docs/case-format.md),
the expected condition (one of the 17 condition ids), the writer's triage level and its rationale, and the
source. ``--fill-labels`` rewrites every label from hp.obo. Nothing is scored.

Usage::

    python studies/panel/check_cases.py FILE [FILE ...] [--fill-labels]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from engine.errors import InputError
from engine.hpo.ontology import load_ontology
from engine.io.presentation import PRESENTATION_KEYS, parse_presentation

CONDITIONS = (
    "dystrophic_calcinosis_cutis", "metastatic_calcinosis_cutis", "calciphylaxis", "iatrogenic_calcinosis_cutis",
    "idiopathic_calcinosis_cutis", "tumoral_calcinosis", "tophaceous_gout", "pilomatricoma", "osteoma_cutis",
    "pseudoxanthoma_elasticum", "cutaneous_sarcoidosis", "rheumatoid_nodules", "epidermoid_cyst", "skin_infection",
    "systemic_sclerosis", "dermatomyositis", "systemic_lupus_erythematosus",
)
LEVELS = ("routine", "soon", "urgent", "emergency")
REQUIRED = ("id", "title", "summary", "findings", "expected_condition", "expected_triage", "triage_rationale",
            "source", "source_kind")


def check_file(path: Path, fill_labels: bool) -> list[str]:
    """Every problem of one file, one line each (empty when the file is well formed)."""
    onto = load_ontology()
    problems: list[str] = []
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list) or not data:
        return [f"{path.name}: expected a non-empty JSON list of cases"]
    ids: Counter[str] = Counter()
    for n, case in enumerate(data, start=1):
        where = f"{path.name}, case {case.get('id', n) if isinstance(case, dict) else n}"
        if not isinstance(case, dict):
            problems.append(f"{where}: not an object")
            continue
        ids[str(case.get("id"))] += 1
        problems += [f"{where}: '{key}' is missing or empty" for key in REQUIRED if not case.get(key)]
        if case.get("expected_condition") not in CONDITIONS:
            problems.append(f"{where}: expected_condition {case.get('expected_condition')!r} is not a condition id")
        for alt in case.get("acceptable_alternatives") or []:
            if alt not in CONDITIONS:
                problems.append(f"{where}: acceptable alternative {alt!r} is not a condition id")
        if case.get("expected_triage") not in LEVELS:
            problems.append(f"{where}: expected_triage must be one of {', '.join(LEVELS)}")
        seen: set[str] = set()
        for f in case.get("findings") or []:
            hpo_id = f.get("hpo_id") if isinstance(f, dict) else None
            try:
                term = onto.terms[onto.resolve(str(hpo_id))]
            except InputError as exc:
                problems.append(f"{where}: {exc}")
                continue
            if term.id != hpo_id:
                problems.append(f"{where}: {hpo_id} is an old ID; use {term.id}")
            if hpo_id in seen:
                problems.append(f"{where}: {hpo_id} is listed twice")
            seen.add(str(hpo_id))
            if not isinstance(f.get("present"), bool):
                problems.append(f"{where}: {hpo_id}: 'present' must be true or false")
            if fill_labels:
                f["label"] = term.name
            elif f.get("label") != term.name:
                problems.append(f"{where}: {hpo_id} label {f.get('label')!r} is not the term name {term.name!r}")
        if not any(isinstance(f, dict) and f.get("present") for f in case.get("findings") or []):
            problems.append(f"{where}: no present finding")
        try:
            parse_presentation(case, where)
        except InputError as exc:
            problems.append(str(exc))
        if not any(key in case for key in PRESENTATION_KEYS):
            problems.append(f"{where}: no course, unwell, context or vitals block")
    problems += [f"{path.name}: case id {i!r} is used {k} times" for i, k in ids.items() if k > 1]
    if fill_labels:
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--fill-labels", action="store_true", help="rewrite every label from hp.obo")
    args = parser.parse_args(argv)
    problems = [p for path in args.files for p in check_file(path, args.fill_labels)]
    for p in problems:
        print(p)
    levels = Counter(c.get("expected_triage") for path in args.files
                     for c in json.loads(path.read_text(encoding="utf-8")) if isinstance(c, dict))
    print(f"{'FAILED' if problems else 'ok'}: {sum(levels.values())} cases; writer's levels "
          + ", ".join(f"{lv} {levels.get(lv, 0)}" for lv in LEVELS))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
