"""A lesion and its underlying disease named together when a ranking puts both near the top.

The pack's ``condition_relations.csv`` says which conditions are a lesion and the disease it arises in (dystrophic
calcinosis cutis in systemic sclerosis, dermatomyositis or lupus). Both can be true of one person, so a ranking that
puts the disease first and the calcinosis second is not a miss of the calcinosis: the result says so in one line.

The rule, in full (:func:`combined_match`):

1. the evidence of the best match is not thin (with thin evidence nothing is headlined, pairs included);
2. a condition ranked second or third (:data:`PAIR_WITHIN`) is related to the best match in the pack, either way
   round (the best match may be the lesion or the disease);
3. the disease fits on its own: its evidence level is at least ``moderate`` (a disease carried by its prior, or by
   a stray finding, is not named);
4. the lesion's own defining features were reported: it matched at least one of its hallmarks (for dystrophic
   calcinosis cutis, lumps under the skin, calcium deposits shown by a test, or normal blood calcium and
   phosphate), so that a disease is never paired with lumps nobody mentioned only because the lesion's profile
   shares the disease's features.

The lesion's evidence level is not asked for: its defining findings (calcium in the skin) are shared by every kind
of calcinosis, so their specificity, and with it the lesion's evidence level, stays low even when the lumps are
the reason the person came; its hallmarks say better whether the lesion itself was reported.

The first partner in rank order that passes is named; at most one pair is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.knowledge.pack import Condition, KnowledgePack
from engine.match.explain import Ranking

#: The partner must rank within the top this many (the best match itself being rank 1).
PAIR_WITHIN = 3
#: Evidence levels at which the underlying disease fits on its own (engine.match.fit).
_FITS = ("moderate", "strong")
_TRAILING_BRACKET = re.compile(r"\s*\([^()]*\)\s*$")


@dataclass(frozen=True)
class CombinedMatch:
    """The best match and its related partner, named together in ``line``."""

    lesion_id: str
    underlying_id: str
    relation: str
    sources: tuple[str, ...]
    line: str

    @property
    def pair(self) -> frozenset[str]:
        return frozenset((self.lesion_id, self.underlying_id))

    def to_dict(self) -> dict[str, object]:
        return {"lesion": self.lesion_id, "underlying": self.underlying_id, "relation": self.relation,
                "sources": list(self.sources), "line": self.line}


def _lower_first(text: str) -> str:
    """"Scleroderma" -> "scleroderma" inside a sentence; an acronym ("SAPHO") keeps its capitals."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _plain_name(condition: Condition) -> str:
    """The lay name with the medical name beside it, lower-case, as it reads inside a sentence.

    >>> from engine.knowledge.pack import Condition
    >>> ssc = Condition("ssc", "Systemic sclerosis (scleroderma)", "Scleroderma", (), (), (), 1.0, False, "", ())
    >>> _plain_name(ssc)
    'scleroderma (systemic sclerosis)'
    """
    lay = _lower_first(condition.lay_name)
    medical = _lower_first(_TRAILING_BRACKET.sub("", condition.name))
    return lay if lay.lower() == medical.lower() else f"{lay} ({medical})"


def combined_line(lesion: Condition, underlying: Condition) -> str:
    """E.g. "Calcium lumps in damaged or inflamed skin (dystrophic calcinosis cutis), here most likely with
    scleroderma (systemic sclerosis)"."""
    named = _plain_name(lesion)
    return f"{named[:1].upper()}{named[1:]}, here most likely with {_plain_name(underlying)}"


def combined_match(pack: KnowledgePack, ranking: Ranking) -> CombinedMatch | None:
    """The best match and a related condition near it, named together; None when the rule (module doc) does not
    hold."""
    if not pack.relations or not ranking.matches or ranking.thin:
        return None
    top = ranking.top
    for partner in ranking.matches[1:PAIR_WITHIN]:
        relation = pack.related(top.condition_id, partner.condition_id)
        if relation is None:
            continue
        lesion, disease = (top, partner) if top.condition_id == relation.lesion_id else (partner, top)
        if disease.fit.level not in _FITS or not lesion.fit.hallmarks_matched:
            continue
        line = combined_line(pack.condition(relation.lesion_id), pack.condition(relation.underlying_id))
        return CombinedMatch(relation.lesion_id, relation.underlying_id, relation.relation, relation.sources, line)
    return None
