"""The "about you" answers (age band, sex) in a ranking: which method uses them, how, and a plain statement of it.

The cited rules are those of :mod:`engine.knowledge.priors` (``data/context_priors.csv``), for every method:

- a method with priors (``likelihood``) multiplies the conditions' priors by the rules' multipliers;
- ``tfidf``, the default, has no prior: its cosine is multiplied by a bounded prior factor,
  ``clip(m ** PRIOR_EXPONENT, 1 / PRIOR_BOUND, PRIOR_BOUND)``, ``m`` the product of the condition's applicable
  multipliers. A multiplier of 2 becomes x1.11 and two rules (x4) x1.23, so the answers can reorder
  conditions whose finding patterns fit about equally well (within 25%) but never overturn a clearly better fit.
  Why bounded: the cosine is not a probability, and the multipliers are coarse modelling choices that give the
  sources' direction, not their size (docs/frequencies.md, *About you*); a factor of 2 on a cosine would let age
  or sex outrank the findings. The bound and exponent were fixed before measuring (docs/evaluation.md gives the
  measurement);
- the other methods compare the pattern of findings only, and say so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.knowledge.priors import ContextRule, adjust_weights, applicable
from engine.match.methods import Scorer

#: Exponent that turns a rule's multiplier into a factor on the tfidf cosine (2 -> 2 ** 0.15 = 1.11).
PRIOR_EXPONENT = 0.15
#: The factor on the tfidf cosine stays within [1 / PRIOR_BOUND, PRIOR_BOUND].
PRIOR_BOUND = 1.25
#: The methods whose score takes the bounded prior factor.
FACTOR_METHODS = frozenset({"tfidf"})


@dataclass(frozen=True)
class ContextUse:
    """Whether the age band and sex were given and used for a ranking, the rules used, and a sentence for people."""

    given: bool
    used: bool
    rules: tuple[ContextRule, ...]
    note: str

    def to_dict(self) -> dict[str, object]:
        return {"age_sex_given": self.given, "age_sex_used": self.used, "note": self.note,
                "rules": [dataclasses.asdict(r) for r in self.rules]}


def prior_factor(multipliers: np.ndarray) -> np.ndarray:
    """The bounded factor on a tfidf cosine for each condition's product of rule multipliers."""
    factor: np.ndarray = np.clip(np.power(multipliers, PRIOR_EXPONENT), 1.0 / PRIOR_BOUND, PRIOR_BOUND)
    return factor


def with_context(scorer: Scorer, rules: Sequence[ContextRule], age_band: str | None = None,
                 sex: str | None = None) -> tuple[Scorer, ContextUse]:
    """``scorer`` adjusted for the person's age band and sex (unchanged when neither is given, no rule applies
    or the method compares findings only), and a statement of what was done."""
    given = age_band is not None or sex is not None
    method = scorer.method
    if not given:
        return scorer, ContextUse(False, False, (), "No age or sex was given.")
    if not (method.info.uses_priors or method.name in FACTOR_METHODS):
        return scorer, ContextUse(True, False, (), f"Your age and sex were not used: the {method.info.title} "
                                  "method compares the pattern of your findings only.")
    used = applicable(rules, age_band, sex)
    if not used:
        return scorer, ContextUse(True, True, (), "Your age and sex were taken into account; no condition in "
                                  "this tool is known to be more common for them.")
    if method.info.uses_priors:
        weights, _ = adjust_weights(scorer.weights, rules, age_band, sex)
        adjusted = method.prepare(scorer.pack, weights)
    else:
        multipliers = np.ones(len(scorer.pack.conditions))
        for r in used:
            multipliers[scorer.pack.condition_index[r.condition_id]] *= r.multiplier
        # scaling a condition's row scales its score and each per-finding part alike, so explanations stay exact
        adjusted = dataclasses.replace(scorer, present_terms=scorer.present_terms * prior_factor(multipliers)[:, None])
    return adjusted, ContextUse(True, True, used, "Your age and sex were taken into account: conditions more "
                                "common for them (by the cited sources) start a little higher.")
