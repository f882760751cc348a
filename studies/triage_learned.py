"""Can a model learned from the development cases triage better than the rules? A leave-one-set-out study.

``studies/triage_agreement.py`` showed that a clinician triaging from the coded findings alone agrees with the
papers' courses on 68-71 % of cases. This study asks the same question of a classifier: it learns the expected
triage from what the engine computes for each case (the rules' level, how many rules fire at each level, the
top match, its share, strength and evidence, and which pack findings the reported terms credit), and is scored
on a case set it never saw. Each development set is held out in turn (teaching, published, outside 2, 3, ...),
so every figure is out of sample for the model.

The rules' own figures are printed beside it, but they are *in sample*: the rules were written while reading
these sets. The model's figures are the fairer estimate of what findings-only triage reaches on new cases.

Three decision modes are compared:

* ``most likely``: the level the model finds most probable;
* ``safety cost``: the level with the least expected cost when under-triage costs twice over-triage;
* ``never below rules``: either of the above, raised to the rules' level where the rules say more.

Run::

    python studies/triage_learned.py

It measures label agreement, not speed; it lives beside the benchmarks because it is a one-off study, not a test.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from engine import encode_case, match_findings
from engine.evaluation.cases import load_cases
from engine.evaluation.metrics import triage_shares
from engine.io.cases import Case
from engine.knowledge.pack import KnowledgePack, load_pack
from engine.match.fit import EVIDENCE_LEVELS
from engine.triage.levels import TRIAGE_LEVELS

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
OUTSIDE = ROOT / "datasets" / "outside"

#: cost[true, predicted]: under-triage costs twice the same step of over-triage.
SAFETY_COST = np.array([[0, 1, 2, 3], [2, 0, 1, 2], [4, 2, 0, 1], [6, 4, 2, 0]], dtype=float)

MODELS: dict[str, Callable[[], ClassifierMixin]] = {
    "logistic regression": lambda: LogisticRegression(C=0.3, max_iter=5000),
    "random forest": lambda: RandomForestClassifier(n_estimators=300, min_samples_leaf=3, random_state=0),
}


def development_sets() -> dict[str, list[Path]]:
    """The development case sets by name, each a list of files (the blind set is never read)."""
    sets = {
        "teaching": [CASES / "calcinosis_cutis.json", CASES / "mimics.json", CASES / "underlying_diseases.json"],
        "published": [CASES / "published_hpo.json"],
    }
    for number in range(2, 100):
        files = sorted(OUTSIDE.glob(f"outside{number}_*.json"))
        if files:
            sets[f"outside {number}"] = files
    return sets


@dataclass(frozen=True)
class CaseFeatures:
    """What the engine computes for one case, as numbers, with the case's set and expected level."""

    set_name: str
    expected: int
    rules: int
    vector: np.ndarray


def features(pack: KnowledgePack, case: Case, set_name: str) -> CaseFeatures:
    """The engine's view of ``case`` as a feature vector (default method)."""
    result = match_findings(pack, list(case.present), list(case.absent))
    top = result.ranking.matches[0]
    rules_level = TRIAGE_LEVELS.index(result.triage.level)
    per_level = [sum(1 for r in result.triage.reasons if r.level == level) for level in TRIAGE_LEVELS]
    credit = encode_case(pack, list(case.present), list(case.absent)).present > 0
    vector = np.concatenate([
        np.eye(len(TRIAGE_LEVELS))[rules_level],
        per_level,
        [c.id == top.condition_id for c in pack.conditions],
        [top.shown_share, top.share, EVIDENCE_LEVELS.index(top.fit.level), len(case.present), len(case.absent)],
        credit,
    ]).astype(float)
    return CaseFeatures(set_name, TRIAGE_LEVELS.index(case.expected_triage), rules_level, vector)


def summary(predicted: np.ndarray, expected: np.ndarray) -> str:
    """Exact, under by one, under by two or more, and over, as percentages of the cases."""
    return str(triage_shares((predicted - expected).tolist()))


def leave_one_set_out(rows: list[CaseFeatures], make: Callable[[], ClassifierMixin]) -> np.ndarray:
    """Class probabilities for every case from a model trained on all the other sets."""
    X = np.array([r.vector for r in rows])
    y = np.array([r.expected for r in rows])
    names = np.array([r.set_name for r in rows])
    probabilities = np.zeros((len(rows), len(TRIAGE_LEVELS)))
    for held_out in dict.fromkeys(names):
        train, test = names != held_out, names == held_out
        model = make().fit(X[train], y[train])
        probabilities[np.ix_(test, model.classes_)] = model.predict_proba(X[test])
    return probabilities


def main(argv: Sequence[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    pack = load_pack()
    rows = [features(pack, case, name)
            for name, files in development_sets().items()
            for case in load_cases(pack, files) if case.expected_triage]
    expected = np.array([r.expected for r in rows])
    rules = np.array([r.rules for r in rows])
    outside = np.array([r.set_name.startswith("outside") for r in rows])
    print(f"{len(rows)} development cases in {len(development_sets())} sets; scores on the outside sets "
          f"({outside.sum()} cases), each predicted by a model that never saw its set\n")
    print(f"{'rules (in sample: written while reading these sets)':58s} {summary(rules[outside], expected[outside])}")
    for name, make in MODELS.items():
        probabilities = leave_one_set_out(rows, make)
        modes = {"most likely": probabilities.argmax(1), "safety cost": (probabilities @ SAFETY_COST).argmin(1)}
        for mode, predicted in modes.items():
            print(f"{name + ', ' + mode:58s} {summary(predicted[outside], expected[outside])}")
            raised = np.maximum(predicted, rules)
            print(f"{name + ', ' + mode + ', never below rules':58s} {summary(raised[outside], expected[outside])}")


if __name__ == "__main__":
    main()
