"""Which weights move the rankings most: scale each finding weight and each prior and re-rank the cases.

All cases are encoded once and scored together with :meth:`Scorer.score_batch`; each perturbation
re-prepares the method (a few small matrix operations), so the whole sweep over a pack of ~100
findings and ~20 conditions takes a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from engine.io.cases import Case
from engine.knowledge.pack import KnowledgePack
from engine.knowledge.weights import Weights
from engine.match.mapping import encode_case
from engine.match.scoring import prepare, rank_matrix

DEFAULT_FACTOR = 0.2


@dataclass(frozen=True)
class EncodedCases:
    """Cases as credit matrices (n, F) plus, per case, a mask (n, C) of its accepted conditions."""

    present: np.ndarray
    absent: np.ndarray
    accepted: np.ndarray


@dataclass(frozen=True)
class Sensitivity:
    """How much scaling one weight by ``1 ± factor`` changes the rankings of the cases.

    ``mean_abs_rank_change`` is the mean over cases (and over the two directions) of the absolute
    change in the rank of the expected condition; ``mean_abs_share_change`` the same for the
    expected condition's share of the match (finer: it moves before a rank flips);
    ``mrr_up``/``mrr_down`` the change in MRR.
    """

    kind: Kind
    key: str
    label: str
    mean_abs_rank_change: float
    mean_abs_share_change: float
    cases_moved: int
    mrr_up: float
    mrr_down: float

    @property
    def max_abs_mrr_change(self) -> float:
        return max(abs(self.mrr_up), abs(self.mrr_down))


def encode_cases(pack: KnowledgePack, cases: Sequence[Case], similarity_floor: float) -> EncodedCases:
    """Encode every case once (raises :class:`engine.errors.InputError` on a bad finding ID)."""
    n, f, c = len(cases), len(pack.findings), len(pack.conditions)
    present, absent, accepted = np.zeros((n, f)), np.zeros((n, f)), np.zeros((n, c), dtype=bool)
    for i, case in enumerate(cases):
        enc = encode_case(pack, case.present, case.absent, similarity_floor)
        present[i], absent[i] = enc.present, enc.absent
        accepted[i, [pack.condition_index[x] for x in case.accepted]] = True
    return EncodedCases(present, absent, accepted)


def expected_outcome(pack: KnowledgePack, weights: Weights, method: str,
                     encoded: EncodedCases) -> tuple[np.ndarray, np.ndarray]:
    """Per case, the best rank among its accepted conditions (as in :func:`engine.evaluation.curated`) and
    their summed share of the match."""
    scorer = prepare(pack, weights, method)
    scores = scorer.score_batch(encoded.present, encoded.absent)
    ranks = rank_matrix(scores, pack.condition_ids)
    shares = np.apply_along_axis(scorer.shares, 1, scores)
    best = np.where(encoded.accepted, ranks, ranks.shape[1] + 1).min(axis=1)
    return best, (shares * encoded.accepted).sum(axis=1)


def expected_ranks(pack: KnowledgePack, weights: Weights, method: str, encoded: EncodedCases) -> np.ndarray:
    """Per case, the best rank among its accepted conditions (as in :func:`engine.evaluation.curated`)."""
    return expected_outcome(pack, weights, method, encoded)[0]


Kind = Literal["finding", "prior"]


def _perturbations(pack: KnowledgePack, weights: Weights, factor: float) -> list[tuple[Kind, str, str, Weights,
                                                                                         Weights]]:
    out: list[tuple[Kind, str, str, Weights, Weights]] = []
    for f in pack.findings:
        w = weights.finding_weights[f.id]
        out.append(("finding", f.id, f.label, weights.replace(finding_weights={f.id: w * (1 + factor)}),
                    weights.replace(finding_weights={f.id: w * (1 - factor)})))
    for c in pack.conditions:
        p = weights.priors[c.id]
        out.append(("prior", c.id, c.name, weights.replace(priors={c.id: p * (1 + factor)}),
                    weights.replace(priors={c.id: p * (1 - factor)})))
    return out


def sensitivity(pack: KnowledgePack, cases: Sequence[Case], method: str, weights: Weights,
                factor: float = DEFAULT_FACTOR) -> list[Sensitivity]:
    """Scale every finding weight and every prior by ``1 ± factor``; most influential first.

    Weights a method ignores (all of them for ``overlap``, priors for ``weighted`` and ``tfidf``) come out as 0.
    """
    if not cases:
        return []
    encoded = encode_cases(pack, cases, weights.params.similarity_floor)
    base, base_s = expected_outcome(pack, weights, method, encoded)
    base_mrr = float(np.mean(1.0 / base))
    rows = []
    for kind, key, label, up, down in _perturbations(pack, weights, factor):
        r_up, s_up = expected_outcome(pack, up, method, encoded)
        r_down, s_down = expected_outcome(pack, down, method, encoded)
        moved = (r_up != base) | (r_down != base)
        change = (np.abs(r_up - base) + np.abs(r_down - base)) / 2.0
        s_change = (np.abs(s_up - base_s) + np.abs(s_down - base_s)) / 2.0
        rows.append(Sensitivity(kind, key, label, float(change.mean()), float(s_change.mean()), int(moved.sum()),
                                float(np.mean(1.0 / r_up)) - base_mrr, float(np.mean(1.0 / r_down)) - base_mrr))
    rows.sort(key=lambda s: (-s.mean_abs_rank_change, -s.mean_abs_share_change, s.kind, s.key))
    return rows
