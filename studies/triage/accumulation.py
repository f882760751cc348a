"""How much more likely is the next urgency level when several independent reasons point to one level? The
calibration behind ``data/triage_accumulation.csv``.

For every development case whose strongest reasons (the accumulation itself switched off) sit at ``soon`` or
``urgent``, counts how many of them are independent (no report in common, reasons beyond the skin:
:func:`engine.triage.assess.independent`) and the share the panel placed one level higher. Development sets only.

Usage::

    python studies/triage/accumulation.py data/cases/*.json datasets/outside/*.json
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path
from unittest import mock

import engine.triage.assess as assess_module
from engine import load_cases, load_pack, match_findings
from engine.match.mapping import encode_case
from engine.triage.levels import TRIAGE_LEVELS, severity
from engine.triage.rules import rule_reporters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    if any("blind" in str(f) for f in args.files):
        raise SystemExit("refusing a blind set: it is measured, never studied")
    pack = load_pack()
    groups = {f.id: f.group for f in pack.findings}
    table: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    with mock.patch.object(assess_module, "_accumulated", lambda *a: []):
        for case in load_cases(pack, args.files):
            if case.triage_reference is None:
                continue
            result = match_findings(pack, case.present, case.absent, presentation=case.presentation)
            level = result.triage.level
            if level not in ("soon", "urgent"):
                continue
            reporters = rule_reporters(pack, encode_case(pack, case.present, case.absent))
            at_level = [r for r in result.triage.reasons if r.level == level
                        and (not r.findings or any(groups.get(f) != "skin" for f in r.findings))]
            k = min(assess_module.independent(at_level, reporters), 3)
            higher = severity(case.triage_reference.consensus) > severity(level)
            table[(level, k)][0] += int(higher)
            table[(level, k)][1] += 1
    print("level   independent  cases  share the panel placed one level higher")
    for (level, k), (up, n) in sorted(table.items(), key=lambda kv: (TRIAGE_LEVELS.index(kv[0][0]), kv[0][1])):
        print(f"{level:<8}{k if k < 3 else '3+':>11}  {n:>5}  {up / n:.2f}")


if __name__ == "__main__":
    main()
