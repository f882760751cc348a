"""How far can triage from the coded findings go? Agreement of three raters with the cases' expected triage.

The development cases' ``expected_triage`` comes from each paper's clinical course. Two independent raters
labelled the same 191 outside-style cases (``published_hpo.json`` and ``outside/outside2_*``, ``outside3_*``)
without seeing those labels (``data/cases/agreement/README.md``):

* a second coder, from the vignette (title, summary, findings) and the paper where needed;
* a triage clinician, from the coded findings alone (what the engine sees), presented in shuffled order.

This script compares both, and the engine's default method, with the expected triage::

    python bench/triage_agreement.py

It measures label agreement, not speed; it lives beside the benchmarks because it is a one-off study, not a test.
"""

from __future__ import annotations

import json
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from engine import match_findings
from engine.cases import load_cases
from engine.pack import TRIAGE_LEVELS, load_pack

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
FILES = [CASES / "published_hpo.json", *sorted((CASES / "outside").glob("outside[23]_*.json"))]
RATERS = {
    "second coder (vignette and paper)": CASES / "agreement" / "second_coder_from_vignette.json",
    "clinician (coded findings only)": CASES / "agreement" / "clinician_from_findings_only.json",
}


def _line(name: str, expected: list[str], got: list[str]) -> str:
    steps = [TRIAGE_LEVELS.index(g) - TRIAGE_LEVELS.index(e) for e, g in zip(expected, got, strict=True)]
    n = len(steps)
    exact = sum(s == 0 for s in steps) / n
    under_one = sum(s == -1 for s in steps) / n
    under_two = sum(s <= -2 for s in steps) / n
    over = sum(s > 0 for s in steps) / n
    kappa = cohen_kappa_score(expected, got)
    return (f"{name:38s} n={n} exact {exact:6.1%}  under by 1 {under_one:6.1%}  under by >=2 {under_two:5.1%}  "
            f"over {over:6.1%}  kappa {kappa:.2f}")


def main() -> None:
    pack = load_pack()
    cases = load_cases(pack, FILES)
    expected = {c.id: c.expected_triage for c in cases}
    ids = sorted(expected)
    for name, path in RATERS.items():
        labels = {row["id"]: row["triage"] for row in json.loads(path.read_text(encoding="utf-8"))}
        print(_line(name, [expected[i] for i in ids], [labels[i] for i in ids]))
    engine = {c.id: match_findings(pack, list(c.present), list(c.absent)).triage.level for c in cases}
    print(_line("engine (default method; tuned on these)", [expected[i] for i in ids], [engine[i] for i in ids]))


if __name__ == "__main__":
    main()
