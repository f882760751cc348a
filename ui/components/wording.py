"""Plain-language sentences the Check page and its summaries share (pure functions: no streamlit), so the page,
the PDF and the text summary say the same thing in the same words.

A result leads with what it means ("of the 17 conditions in this tool, your findings are closest to ...") and
how much evidence is behind it, in words. No percentage is headlined: the share of the match is relative to
the tool's own conditions, and a frightened reader takes "13 %" for a 13 % chance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engine import KnowledgePack, Result
from engine.match.explain import ConditionMatch
from engine.match.fit import USUAL_FREQUENCY
from engine.match.overlaps import Cover, covered, narrower
from engine.triage.copy import SAFETY_NET

#: The evidence levels of :mod:`engine.match.fit` in words (evidence = the summed specificity of the findings that
#: match the closest condition; "specific" = found in few of the tool's conditions).
EVIDENCE_WORDS = {
    "strong": "several of your findings are specific to it (they are rare in the other conditions here)",
    "moderate": "some of your findings are specific to it, but not many",
    "thin": "your findings are few, or shared by many of the conditions here",
}
#: What a thin result is usually about instead (engine.fit's note, in brief).
COMMON_CAUSES = ("Common causes of such symptoms, such as eczema, dry skin, insect bites, allergies or a minor "
                 "injury or infection, are outside this tool.")
TEST_GROUP = "tests"  # findings only a test shows (blood tests, scans, biopsies)


def closest_sentence(pack: KnowledgePack, result: Result) -> str:
    """The headline: where the findings sit among the tool's conditions, without a percentage."""
    n = len(pack.conditions)
    if result.ranking.nothing_matched:
        return f"None of the {n} conditions in this tool matches the findings you reported."
    top = pack.condition(result.ranking.top.condition_id).display_name
    if result.ranking.thin:
        return (f"None of the {n} conditions in this tool stands out. Your findings are closest to {top}, but that "
                "says little.")
    if result.combined is not None:  # a lesion and the disease it arises in both fit: named together
        return f"Of the {n} conditions in this tool, your findings fit two together: {result.combined.line}."
    return f"Of the {n} conditions in this tool, your findings are closest to {top}."


def evidence_sentence(result: Result) -> str:
    """The evidence level of the closest match, in words."""
    level = result.ranking.evidence_level
    return f"Evidence: {level} ({EVIDENCE_WORDS[level]})."


def explains_text(match: ConditionMatch) -> str:
    """"explains 3 of your 5 findings" (or "all 5", "your 1 finding"): how many of the person's findings the
    condition accounts for, the same findings its card lists as fitting it and as not explained."""
    n, yours = len(match.matched), len(match.matched) + len(match.unexplained)
    if n == yours:
        return {1: "explains your 1 finding", 2: "explains both of your findings"}.get(
            n, f"explains all {n} of your findings")
    return f"explains {n} of your {yours} finding{'' if yours == 1 else 's'}"


@dataclass(frozen=True)
class CardLists:
    """What a match card lists, each finding with the not-reported usual features it covers: the person's
    findings that fit the condition, theirs it does not explain, and its usual features not reported, split into
    those a person can notice or know and those only a test shows (each with the reported finding it is more
    specific than, if any)."""

    fitting: tuple[tuple[str, tuple[Cover, ...]], ...]
    not_explained: tuple[tuple[str, tuple[Cover, ...]], ...]
    can_report: tuple[tuple[str, str | None], ...]
    tests_only: tuple[tuple[str, str | None], ...]
    covered_usual: int


def card_lists(pack: KnowledgePack, match: ConditionMatch, reported: Sequence[str],
               covers: dict[str, Cover] | None = None) -> CardLists:
    """The lists of one match card. A usual feature that a reported finding implies, or that is the same as one
    (:mod:`engine.match.overlaps`), is never listed as not reported: it is shown beside the finding that covers it."""
    covers = covered(pack, reported) if covers is None else covers
    merged: dict[str, list[Cover]] = {}
    open_: list[str] = []
    for fid in match.expected_not_reported:
        cover = covers.get(fid)
        if cover is not None:
            merged.setdefault(cover.reported_id, []).append(cover)
        else:
            open_.append(fid)
    covered_usual = sum(len(ids) for ids in merged.values())
    not_explained = tuple((fid, tuple(merged.pop(fid, ()))) for fid in match.unexplained)
    fitting = [(fid, tuple(merged.pop(fid, ()))) for fid in match.matched]
    fitting += [(rid, tuple(ids)) for rid, ids in merged.items()]  # a reported finding listed in neither
    split: dict[bool, list[tuple[str, str | None]]] = {True: [], False: []}
    for fid in open_:
        split[pack.finding(fid).group == TEST_GROUP].append((fid, narrower(pack, fid, reported)))
    return CardLists(tuple(fitting), not_explained, tuple(split[False]), tuple(split[True]), covered_usual)


def fit_sentence(match: ConditionMatch, covered_usual: int = 0) -> str:
    """One sentence that never contradicts the lists: how many of the person's findings it explains, and how
    many of its usual features are among them (the absolute fit of :mod:`engine.match.fit`)."""
    fit = match.fit
    text = (f"{explains_text(match).capitalize()}; {fit.usual_matched} of its {fit.usual_total} usual features are "
            "among them")
    if covered_usual:
        text += f", and {covered_usual} more {'is' if covered_usual == 1 else 'are'} close to what you reported"
    return text + "."


def usual_features(pack: KnowledgePack, condition_id: str) -> frozenset[str]:
    """A condition's usual features: hallmarks, or seen in at least half of cases (as :mod:`engine.match.fit`)."""
    i = pack.condition_index[condition_id]
    return frozenset(f.id for j, f in enumerate(pack.findings)
                     if pack.frequency[i, j] > 0 and (pack.hallmark[i, j] or pack.frequency[i, j] >= USUAL_FREQUENCY))


_SPREAD, _FEVER, _PAIN = (re.compile(p, re.IGNORECASE) for p in (r"\bspread", r"\bfever", r"\b(hurts?|pain)"))


def distinct_watch_for(lines: Iterable[str]) -> tuple[str, ...]:
    """The safety-net lines without the general line about spreading redness, fever and pain when a rule's own
    line already names all three (it does so with its own, sooner time frame: "the same day if it spreads, hurts
    more, or a fever starts"); the two read as one line said twice. Anything else is kept."""
    lines = tuple(dict.fromkeys(lines))
    general = SAFETY_NET[0]
    own = [line for line in lines if line not in SAFETY_NET]
    if general in lines and any(all(p.search(line) for p in (_SPREAD, _FEVER, _PAIN)) for line in own):
        return tuple(line for line in lines if line != general)
    return lines
