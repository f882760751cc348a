"""How far can triage from the coded findings go? Agreement of three raters with the cases' expected triage.

The development cases' ``expected_triage`` comes from each paper's clinical course. Independent raters labelled
outside-style cases without seeing those labels (``datasets/agreement/README.md``):

* a second coder, from the vignette (title, summary, findings) and the paper where needed (191 cases:
  ``published_hpo.json``, ``outside/outside2_*``, ``outside3_*``);
* a triage clinician, from the coded findings alone (what the engine sees), in shuffled order (the same 191,
  and, in four more sessions, the 166 of ``outside4_*`` to ``outside6_*`` and the 55 of each of ``outside7_*``,
  ``outside8_*`` and ``outside9_*``).

This script compares each, and the engine's default method on the same cases, with the expected triage::

    python studies/triage_agreement.py

It measures label agreement, not speed; it lives beside the benchmarks because it is a one-off study, not a test.
"""

from __future__ import annotations

import json
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from engine import match_findings
from engine.evaluation.cases import load_cases
from engine.evaluation.metrics import triage_shares
from engine.knowledge.pack import load_pack
from engine.triage.levels import TRIAGE_LEVELS

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
DATASETS = ROOT / "datasets"
AGREEMENT = DATASETS / "agreement"


def _outside(numbers: str) -> list[Path]:
    """The outside-set files whose set number is one of ``numbers`` (e.g. "456")."""
    return sorted((DATASETS / "outside").glob(f"outside[{numbers}]_*.json"))


SETS_1 = [CASES / "published_hpo.json", *_outside("23")]
#: (who, what they saw, their labels, the cases they labelled)
RATERS = [
    ("second coder", "vignette and paper", AGREEMENT / "second_coder_from_vignette.json", SETS_1),
    ("clinician", "coded findings only", AGREEMENT / "clinician_from_findings_only.json", SETS_1),
    ("clinician", "coded findings only", AGREEMENT / "clinician_from_findings_only_sets_4_6.json", _outside("456")),
    *(("clinician", "coded findings only", AGREEMENT / f"clinician_from_findings_only_set_{n}.json", _outside(n))
      for n in "789"),
]


def _line(name: str, expected: list[str], got: list[str]) -> str:
    gaps = [TRIAGE_LEVELS.index(g) - TRIAGE_LEVELS.index(e) for e, g in zip(expected, got, strict=True)]
    return f"{name:42s} n={len(gaps)} {triage_shares(gaps)}  kappa {cohen_kappa_score(expected, got):.2f}"


def main() -> None:
    pack = load_pack()
    for who, saw, path, files in RATERS:
        cases = load_cases(pack, files)
        expected = [c.expected_triage for c in cases]
        labels = {row["id"]: row["triage"] for row in json.loads(path.read_text(encoding="utf-8"))}
        engine = [match_findings(pack, list(c.present), list(c.absent)).triage.level for c in cases]
        print(f"{path.name} ({len(cases)} cases)")
        print(_line(f"  {who} ({saw})", expected, [labels[c.id] for c in cases]))
        print(_line("  engine, default method", expected, engine))


if __name__ == "__main__":
    main()
