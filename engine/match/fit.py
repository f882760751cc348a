"""Absolute fit and evidence level of a match, and the share of the match people are shown.

The share of the match (``ConditionMatch.share``) is relative: it sums to 100 % over the
pack's conditions whatever was ticked, so one itchy patch can give one condition two thirds of it.
This module adds what the share hides:

* the absolute fit: how many of the condition's usual features were reported, and how many of
  the person's findings the condition explains;
* the evidence: the summed specificity of the matched findings, each weighted by its credit
  (specificity = the smoothed IDF of the finding across the pack's profiles, scaled to 0..1:
  0 for a finding in every profile, 1 for a finding in one profile only), read as
  thin / moderate / strong;
* the shown share: the share scaled down when the evidence is thin or the findings are few, so
  a single finding can never headline half of the match.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engine.knowledge.pack import KnowledgePack
from engine.match.methods import specificity

#: A profile finding this frequent (or a hallmark) is one of the condition's usual features.
USUAL_FREQUENCY = 0.5
#: Evidence below this is "thin": less than one and a half findings unique to one condition,
#: e.g. one or two findings that several of the conditions share (itching, redness, pain). A single
#: reported finding is always thin: the pack cannot know how common it is outside its conditions.
THIN_EVIDENCE = 1.5
#: Evidence at or above this is "strong": the weight of three findings each unique to one condition.
STRONG_EVIDENCE = 3.0
#: With fewer reported findings than this, the shown share is scaled by n / FULL_SHARE_FINDINGS: one
#: finding shows at most a third of the match, so never half of it whatever the finding is.
FULL_SHARE_FINDINGS = 3
#: A strong absolute fit also matches at least this many of the condition's hallmarks (all of them
#: when it has fewer): strong evidence made only of features it shares with a neighbour (e.g. dialysis,
#: high phosphate and calcification, shared by calciphylaxis and metastatic calcinosis) is not enough.
STRONG_FIT_HALLMARKS = 2
EVIDENCE_LEVELS = ("thin", "moderate", "strong")


@lru_cache(maxsize=8)
def evidence_weights(pack: KnowledgePack) -> np.ndarray:
    """Per finding, its specificity across the pack's profiles scaled to 0..1 (cached per pack).

    The smoothed IDF ``ln((1 + n) / (1 + df)) + 1`` of a finding in ``df`` of ``n`` profiles, minus its
    floor 1 and divided by its value at ``df = 1``: 0 in every profile, 1 in one profile only.
    """
    n = len(pack.conditions)
    weights = np.clip((specificity(pack) - 1.0) / np.log((1 + n) / 2), 0.0, 1.0) if n > 1 else np.ones(
        len(pack.findings))
    weights.setflags(write=False)
    return weights


def evidence_level(evidence: float, n_reported: int = FULL_SHARE_FINDINGS) -> str:
    """``thin`` / ``moderate`` / ``strong`` for summed specificity ``evidence`` from ``n_reported`` findings."""
    if evidence < THIN_EVIDENCE or n_reported < 2:
        return "thin"
    return "strong" if evidence >= STRONG_EVIDENCE else "moderate"


@dataclass(frozen=True)
class AbsoluteFit:
    """How well a condition fits in absolute terms (not relative to the other conditions).

    ``usual_matched`` of the condition's ``usual_total`` usual features (hallmarks, or seen in at
    least half of cases) and ``hallmarks_matched`` of its ``hallmarks_total`` hallmarks were reported;
    it explains ``explained`` of the person's ``yours`` present findings; ``evidence`` is the summed
    specificity × credit of its matched findings. Everything but ``yours`` only grows when a present
    finding is added, so decisions taken on ``level``, ``hallmarks_matched`` and ``strong`` never
    weaken with more findings (triage relies on that).
    """

    usual_matched: int
    usual_total: int
    explained: int
    yours: int
    evidence: float
    level: str
    hallmarks_matched: int = 0
    hallmarks_total: int = 0

    @property
    def strong(self) -> bool:
        """Strong evidence that includes the condition's own hallmarks (at least STRONG_FIT_HALLMARKS)."""
        return self.level == "strong" and self.hallmarks_matched >= min(STRONG_FIT_HALLMARKS, self.hallmarks_total)

    def describe(self) -> str:
        """E.g. "fits 1 of 16 usual features; explains 1 of your 1 findings; evidence thin"."""
        return (f"fits {self.usual_matched} of {self.usual_total} usual features; explains {self.explained} of "
                f"your {self.yours} finding{'s' if self.yours != 1 else ''}; evidence {self.level}")


@lru_cache(maxsize=8)
def _fit_matrices(pack: KnowledgePack) -> tuple[np.ndarray, np.ndarray, list[int], list[int]]:
    """Per pack: (usual features, hallmarks, profile) as 0/1 rows (3, C, F), and the usual / hallmark totals."""
    in_profile = pack.frequency > 0
    usual = in_profile & (pack.hallmark | (pack.frequency >= USUAL_FREQUENCY))
    hallmark = in_profile & pack.hallmark
    rows = np.stack([usual, hallmark, in_profile]).astype(float)
    rows.setflags(write=False)
    return rows, in_profile.astype(float), usual.sum(axis=1).tolist(), hallmark.sum(axis=1).tolist()


def absolute_fits(pack: KnowledgePack, present: np.ndarray, n_reported: int) -> list[AbsoluteFit]:
    """One :class:`AbsoluteFit` per condition (pack order) for a case's present credit (F,).

    A finding is matched by a condition when its credit is positive and it is in the profile;
    ``n_reported`` is the number of distinct present IDs the person reported (implied ones not counted).
    """
    rows, in_profile, usual_total, hallmarks_total = _fit_matrices(pack)
    reported = (present > 0).astype(float)
    usual_matched, hallmarks_matched, explained = (rows @ reported).round().astype(int).tolist()
    evidence = (in_profile @ (present * evidence_weights(pack))).tolist()
    yours = int(reported.sum())
    return [AbsoluteFit(usual_matched[i], usual_total[i], explained[i], yours, round(evidence[i], 6),
                        evidence_level(evidence[i], n_reported), hallmarks_matched[i], hallmarks_total[i])
            for i in range(len(usual_total))]


def share_scale(top_evidence: float, n_reported: int) -> float:
    """The factor (0..1) applied to every share of the match before people see it."""
    return min(1.0, top_evidence / STRONG_EVIDENCE, n_reported / FULL_SHARE_FINDINGS)
