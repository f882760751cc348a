"""What does each red-flag rule do on the development sets against the panel? For every rule (or the ones
named), the cases it moves from under the panel's range into it, and from within it to over it, when it is
taken out: a rule that only over-triages is a candidate to drop, one that only lifts under-triaged cases earns
its place. Development sets only.

Usage::

    python studies/triage/ablation.py [--rules ID,ID] FILE...
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from engine import load_cases, load_pack, match_findings
from engine.knowledge.pack import KnowledgePack


def _gaps(pack: KnowledgePack, cases: list) -> list[int]:
    out = []
    for case in cases:
        result = match_findings(pack, case.present, case.absent, presentation=case.presentation)
        out.append(case.triage_reference.compare(result.triage.level))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--rules", default="", help="comma-separated rule ids (default: every rule)")
    args = parser.parse_args()
    if any("blind" in str(f) for f in args.files):
        raise SystemExit("refusing a blind set: it is measured, never studied")
    pack = load_pack()
    cases = [c for c in load_cases(pack, args.files) if c.triage_reference is not None]
    base = _gaps(pack, cases)
    print(f"baseline: under {sum(g < 0 for g in base)}, over {sum(g > 0 for g in base)} of {len(cases)}")
    wanted = [r for r in args.rules.split(",") if r] or [r.rule_id for r in pack.red_flags]
    for rule_id in wanted:
        without = replace(pack, red_flags=tuple(r for r in pack.red_flags if r.rule_id != rule_id))
        gaps = _gaps(without, cases)
        more_under = sum(g < 0 <= b for g, b in zip(gaps, base, strict=True))
        less_over = sum(b > 0 >= g for g, b in zip(gaps, base, strict=True))
        if more_under or less_over:
            print(f"{rule_id:45s} without it: {more_under:3d} more under, {less_over:3d} fewer over")


if __name__ == "__main__":
    main()
