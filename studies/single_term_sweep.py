"""Triage of every HPO phenotype term reported alone: what each red-flag rule reaches through the ontology.

Writes ``{term: level}`` for all non-obsolete terms below *Phenotypic abnormality* (about 18,000; two minutes),
and, given a previous run, prints every term whose level changed and the rule now deciding it::

    python studies/single_term_sweep.py now.json                  # one run
    python studies/single_term_sweep.py now.json --before old.json  # what a change did

Run it before and after a change to the rules, findings or mapping (``docs/triage-rules.md``, *Single-term sweep*).
It is a study, not a test: reading the changed terms is the point.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from engine.errors import InputError
from engine.knowledge.pack import KnowledgePack, load_pack
from engine.triage.assess import triage_terms
from engine.triage.levels import TRIAGE_LEVELS

PHENOTYPIC_ABNORMALITY = "HP:0000118"


def sweep(pack: KnowledgePack) -> dict[str, str]:
    onto = pack.ontology
    levels = {}
    for term_id, term in onto.terms.items():
        if term.obsolete or PHENOTYPIC_ABNORMALITY not in onto.ancestors(term_id):
            continue
        try:
            levels[term_id] = triage_terms(pack, [term_id]).level
        except InputError:  # refused as too vague or contradictory: no level
            continue
    return levels


def report(pack: KnowledgePack, before: dict[str, str], after: dict[str, str]) -> None:
    changed = [(t, before[t], after[t]) for t in sorted(after) if t in before and before[t] != after[t]]
    print(f"{len(changed)} of {len(after)} terms change level:",
          dict(Counter(f"{a} -> {b}" for _, a, b in changed)))
    for term_id, old, new in changed:
        triage = triage_terms(pack, [term_id])
        rule = next((r.rule_id for r in triage.reasons if r.level == triage.level), "-")
        down = TRIAGE_LEVELS.index(new) < TRIAGE_LEVELS.index(old)
        print(f"{'DOWN ' if down else ''}{term_id} {pack.ontology.terms[term_id].name}: {old} -> {new} ({rule})")


def routine_list(pack: KnowledgePack, levels: dict[str, str]) -> str:
    """Every term that lands on routine, by organ system, each with how the rules read it: the list to review."""
    onto = pack.ontology
    systems = {c: onto.terms[c].name for c in onto.children.get(PHENOTYPIC_ABNORMALITY, ())}
    by_system: dict[str, list[str]] = {}
    for term_id, lv in sorted(levels.items()):
        if lv != "routine":
            continue
        triage = triage_terms(pack, [term_id])
        how = "cannot be assessed" if triage.unassessable else "assessed, no rule fires"
        for system in sorted(s for s in systems if s in onto.ancestors(term_id)) or ["other"]:
            by_system.setdefault(systems.get(system, "other"), []).append(
                f"{term_id}\t{onto.terms[term_id].name}\t{how}")
    lines = []
    for system in sorted(by_system):
        lines += [f"## {system} ({len(by_system[system])})", *by_system[system], ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="where to write {term: level} as JSON")
    parser.add_argument("--before", type=Path, help="a previous run to compare with")
    parser.add_argument("--routine-list", type=Path, help="also write every term landing on routine, by organ system")
    args = parser.parse_args()
    pack = load_pack()
    levels = sweep(pack)
    if args.routine_list:
        args.routine_list.write_text(routine_list(pack, levels), encoding="utf-8")
    args.out.write_text(json.dumps(levels), encoding="utf-8")
    print(f"{len(levels)} terms swept -> {args.out}")
    if args.before:
        report(pack, json.loads(args.before.read_text(encoding="utf-8")), levels)


if __name__ == "__main__":
    main()
