"""Which development cases does the urgency advice get wrong against the panel, and why? Lists each case under
(or over) the panel's range with its findings, course and context, the engine's reasons and the raters' reasons.

Development sets only: never run it on a blind set.

Usage::

    python studies/triage/misses.py [--over] FILE...
"""

from __future__ import annotations

import argparse
from pathlib import Path

from engine import load_cases, load_pack, match_findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--over", action="store_true", help="list cases over the range instead of under it")
    args = parser.parse_args()
    if any("blind" in str(f) for f in args.files):
        raise SystemExit("refusing a blind set: it is measured, never studied")
    pack = load_pack()
    for case in load_cases(pack, args.files):
        ref = case.triage_reference
        if ref is None:
            continue
        result = match_findings(pack, case.present, case.absent, presentation=case.presentation)
        gap = ref.compare(result.triage.level)
        if (gap > 0) if args.over else (gap < 0):
            labels = dict(case.labels)
            print(f"## {case.id}: engine {result.triage.level}, panel {ref.low}-{ref.high} "
                  f"(source {case.expected_triage}); top {result.ranking.top.condition_id}")
            print("   present:", "; ".join(labels.get(f, f) for f in case.present))
            if case.absent:
                print("   absent:", "; ".join(labels.get(f, f) for f in case.absent))
            print("   presentation:", "; ".join(case.presentation.describe()) or "-")
            for r in result.triage.reasons[:4]:
                print(f"   engine: {r.level} {r.rule_id} ({r.certainty:.2f})")
            for rating in ref.ratings:
                print(f"   {rating.role}: {rating.level}: {rating.reason}")


if __name__ == "__main__":
    main()
