"""Rankings with their explanations: per finding, what it added or took away, and why."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

from engine.knowledge.pack import KnowledgePack
from engine.match import ties
from engine.match.fit import USUAL_FREQUENCY, AbsoluteFit, absolute_fits, share_scale
from engine.match.mapping import EncodedCase, TermMapping
from engine.match.scoring import Scorer, rank_order

#: A profile finding at least this frequent (or a hallmark) is "expected" when not reported
#: (the same threshold as the usual features of the absolute fit).
EXPECTED_FREQUENCY = USUAL_FREQUENCY


Status = Literal["matched", "unexplained", "ruled_out", "absent", "not_reported"]


# Not frozen: a result builds one per condition and involved finding (~370 for the curated pack), and a
# frozen dataclass's __init__ (object.__setattr__ per field, ~1 us) made that a quarter of a result's time.
# Treat it as read-only all the same; slots keep it small and quick to build.
@dataclass(slots=True)
class FindingContribution:
    """One finding's part in one condition's score.

    ``status`` is one of ``matched`` (reported present, in the profile), ``unexplained``
    (reported present, not in the profile), ``ruled_out`` (reported absent, in the
    profile), ``absent`` (reported absent, not in the profile), ``not_reported``
    (an expected finding nobody mentioned).
    """

    finding_id: str
    label: str
    status: Status
    contribution: float
    frequency: float
    hallmark: bool
    credit: float


@dataclass(frozen=True)
class ConditionMatch:
    """One condition's place in a ranking and why it is there.

    ``share`` is the condition's share of the match among the pack's conditions (sums to 1);
    ``shown_share`` is what people are shown: the share scaled down when the evidence is thin or the
    findings few (:mod:`engine.match.fit`); ``fit`` is the absolute fit and evidence level.
    """

    condition_id: str
    name: str
    rank: int
    score: float
    share: float
    base: float
    must_not_miss: bool
    matched: tuple[str, ...]
    expected_not_reported: tuple[str, ...]
    unexplained: tuple[str, ...]
    ruled_out: tuple[str, ...]
    contributions: tuple[FindingContribution, ...]
    fit: AbsoluteFit
    shown_share: float

    def why(self) -> str:
        """A one-paragraph plain-language reason for this rank."""
        parts = []
        if self.matched:
            parts.append(f"matches {len(self.matched)} of your findings")
        else:
            parts.append("matches none of your findings")
        if self.ruled_out:
            n = len(self.ruled_out)
            parts.append(f"{n} finding{'' if n == 1 else 's'} you ruled out usually "
                         f"occur{'s' if n == 1 else ''} with it")
        if self.unexplained:
            n = len(self.unexplained)
            parts.append(f"{n} of your findings {'is' if n == 1 else 'are'} not typical of it")
        if self.expected_not_reported:
            n = len(self.expected_not_reported)
            parts.append(f"{n} of its usual features {'was' if n == 1 else 'were'} not reported")
        return "; ".join(parts).capitalize() + "."


@dataclass(frozen=True)
class Ranking:
    """All conditions, best match first, with the method and how the input was read."""

    method: str
    matches: tuple[ConditionMatch, ...]
    mappings: tuple[TermMapping, ...]

    @property
    def top(self) -> ConditionMatch:
        return self.matches[0]

    def match(self, condition_id: str) -> ConditionMatch:
        return next(m for m in self.matches if m.condition_id == condition_id)

    @property
    def nothing_matched(self) -> bool:
        return all(not m.matched for m in self.matches)

    @property
    def evidence_level(self) -> str:
        """The top match's evidence level (``thin`` / ``moderate`` / ``strong``); ``thin`` if nothing matched."""
        return "thin" if self.nothing_matched else self.top.fit.level

    @property
    def thin(self) -> bool:
        """Too little specific evidence to headline a percentage (say so first)."""
        return self.evidence_level == "thin"

    @property
    def inferred(self) -> dict[str, str]:
        """Findings counted as present only because another reported finding implies them.

        Finding ID -> the reported finding ID it was inferred from (e.g. chronic kidney disease from
        dialysis). A finding that was also reported directly is not listed.
        """
        direct = {m.finding_id for m in self.mappings if m.present and m.relation != "implied"}
        out: dict[str, str] = {}
        for m in self.mappings:
            if m.present and m.relation == "implied" and m.finding_id and m.finding_id not in direct:
                out.setdefault(m.finding_id, m.reported_id)
        return out


_STATUS: tuple[Status, ...] = ("matched", "unexplained", "ruled_out", "absent", "not_reported")


def _status_codes(present: np.ndarray, absent: np.ndarray, freq: np.ndarray, hallmark: np.ndarray) -> np.ndarray:
    """Index into ``_STATUS`` per condition and finding, -1 where the finding plays no part (C, F)."""
    in_profile = freq > 0
    codes = np.full(freq.shape, -1)
    codes[(hallmark | (freq >= EXPECTED_FREQUENCY))] = 4
    codes[:, absent > 0] = np.where(in_profile[:, absent > 0], 2, 3)
    codes[:, present > 0] = np.where(in_profile[:, present > 0], 0, 1)
    return codes


@lru_cache(maxsize=8)
def _id_and_label_arrays(pack: KnowledgePack) -> tuple[np.ndarray, np.ndarray]:
    """The findings' IDs and labels as read-only object arrays, to gather those of many cells at once."""
    ids = np.array([f.id for f in pack.findings], dtype=object)
    labels = np.array([f.label for f in pack.findings], dtype=object)
    ids.setflags(write=False)
    labels.setflags(write=False)
    return ids, labels


def explain(scorer: Scorer, case: EncodedCase) -> Ranking:
    """Score ``case`` and explain every condition's score."""
    pack = scorer.pack
    scores = scorer.score(case.present, case.absent)
    contrib = scorer.contributions(case.present, case.absent)
    share = scorer.shares(scores)
    order = rank_order(scores, pack.condition_ids)
    codes = _status_codes(case.present, case.absent, pack.frequency, pack.hallmark)
    credit = np.maximum(case.present, case.absent)
    reported = {m.reported_id for m in case.mappings if m.present and m.finding_id and m.relation != "implied"}
    fits = absolute_fits(pack, case.present, len(reported))
    scale = share_scale(fits[int(order[0])].evidence, len(reported)) if len(order) else 0.0
    # Per condition, the findings that play a part, biggest effect first; among equals (e.g. not reported
    # under likelihood) hallmarks and the most frequent first, then by finding ID. One sort of the involved
    # cells of all conditions at once, condition first, so that each condition's rows are one slice and
    # every row's values are gathered with one NumPy call per column (not looked up finding by finding).
    cond_of, col = np.nonzero(codes >= 0)
    tie = ties.tie_key(pack.finding_ids)
    cell = np.lexsort((tie[col], -pack.frequency[cond_of, col], ~pack.hallmark[cond_of, col],
                       -np.abs(contrib[cond_of, col]), cond_of))
    cond_of, col = cond_of[cell], col[cell]
    ids, labels = _id_and_label_arrays(pack)
    status, finding_ids = codes[cond_of, col].tolist(), ids[col].tolist()
    rows = list(map(FindingContribution, finding_ids, labels[col].tolist(), [_STATUS[s] for s in status],
                    contrib[cond_of, col].tolist(), pack.frequency[cond_of, col].tolist(),
                    pack.hallmark[cond_of, col].tolist(), credit[col].tolist()))
    bounds = np.searchsorted(cond_of, np.arange(len(pack.conditions) + 1)).tolist()  # condition i: its slice
    score_of, share_of, base_of = scores.tolist(), share.tolist(), scorer.base.tolist()
    matches = []
    for rank, i in enumerate(order.tolist(), start=1):
        cond, start, end = pack.conditions[i], bounds[i], bounds[i + 1]
        by_status: tuple[list[str], ...] = tuple([] for _ in _STATUS)  # indexed like _STATUS
        for code, finding_id in zip(status[start:end], finding_ids[start:end], strict=True):
            by_status[code].append(finding_id)
        matched, unexplained, ruled_out, _, not_reported = by_status
        matches.append(ConditionMatch(
            condition_id=cond.id, name=cond.name, rank=rank, score=score_of[i],
            share=share_of[i], base=base_of[i], must_not_miss=cond.must_not_miss,
            matched=tuple(matched), expected_not_reported=tuple(not_reported),
            unexplained=tuple(unexplained), ruled_out=tuple(ruled_out),
            contributions=tuple(rows[start:end]), fit=fits[i], shown_share=share_of[i] * scale,
        ))
    return Ranking(method=scorer.method.name, matches=tuple(matches), mappings=case.mappings)

