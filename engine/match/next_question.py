"""Which unasked finding would best separate the current top candidates (expected information gain)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.knowledge.pack import KnowledgePack
from engine.knowledge.weights import Weights
from engine.match.explain import Ranking
from engine.match.mapping import EncodedCase
from engine.match.ties import TIE_DECIMALS, tie_key


@dataclass(frozen=True)
class NextQuestion:
    """An unasked finding and how much asking about it is expected to narrow the candidates."""

    finding_id: str
    label: str
    lay_label: str
    information_gain: float  # bits
    favours: str  # condition_id most likely to have it among the candidates
    against: str  # condition_id least likely to have it
    reason: str


def _entropy(p: np.ndarray, axis: int = -1) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log2(p), 0.0)
    entropy: np.ndarray = terms.sum(axis=axis)
    return entropy


def _best_first(gain: np.ndarray, id_order: np.ndarray, n: int) -> list[int]:
    """The first ``n`` indices by gain descending, gains equal to TIE_DECIMALS decimals by ``id_order`` (ID order).

    Python's ``round`` (exact decimal rounding, unlike ``np.round``) is slow per value, so only the leaders
    are rounded: the gains are sorted raw first, and since rounding never reverses two values (it only merges
    neighbours into ties), the first ``n`` under the rule are among the raw leaders up to the end of the
    ``n``-th one's tie.
    """
    if n <= 0:
        return []
    values = gain.tolist()
    leaders: list[tuple[float, int]] = []
    for j in np.lexsort((id_order, -gain)).tolist():
        rounded = round(values[j], TIE_DECIMALS)
        if len(leaders) >= n and rounded != leaders[-1][0]:
            break
        leaders.append((rounded, j))
    leaders.sort(key=lambda x: (-x[0], id_order[x[1]]))
    return [j for _, j in leaders[:n]]


def suggest_next(pack: KnowledgePack, weights: Weights, case: EncodedCase, ranking: Ranking,
                 n: int = 3) -> tuple[NextQuestion, ...]:
    """The ``n`` unasked findings with the highest expected information gain over the top candidates.

    The candidates are the ranking's top ``next_question_candidates`` conditions, weighted by
    their share of the match (uniform if nothing matched yet); a finding's chance under each candidate is its
    profile frequency (``leak`` outside the profile, capped at ``max_frequency``).
    """
    k = weights.params.next_question_candidates
    top = ranking.matches[:k]
    idx = np.array([pack.condition_index[m.condition_id] for m in top])
    prior = np.array([max(m.share, 1e-9) for m in top])
    prior = prior / prior.sum() if prior.sum() > 0 else np.full(len(top), 1 / len(top))
    leak, cap = weights.params.leak, weights.params.max_frequency
    freq = pack.frequency[idx]
    q = np.clip(np.where(freq > 0, freq, leak), leak, cap)  # (k, F)
    p_yes = prior @ q  # (F,)
    post_yes = (prior[:, None] * q) / p_yes
    post_no = (prior[:, None] * (1 - q)) / (1 - p_yes)
    gain = _entropy(prior) - (p_yes * _entropy(post_yes.T) + (1 - p_yes) * _entropy(post_no.T))
    asked = (case.present > 0) | (case.absent > 0)
    gain = np.where(asked | ~(freq > 0).any(axis=0), -np.inf, gain)
    out = []
    for j in _best_first(gain, tie_key(pack.finding_ids), n):
        if not np.isfinite(gain[j]) or gain[j] <= 1e-9:
            break
        hi, lo = int(np.argmax(q[:, j])), int(np.argmin(q[:, j]))
        f = pack.findings[j]
        name_hi, name_lo = (pack.condition(top[k].condition_id).display_name for k in (hi, lo))
        reason = (f"Seen in about {freq[hi, j]:.0%} of {name_hi} but "
                  f"{'rarely or never' if freq[lo, j] == 0 else f'about {freq[lo, j]:.0%}'} in {name_lo}: "
                  "the answer, yes or no, moves these candidates apart.")
        out.append(NextQuestion(f.id, f.label, f.lay_label, float(gain[j]), top[hi].condition_id,
                                top[lo].condition_id, reason))
    return tuple(out)
