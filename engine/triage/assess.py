"""The urgency of one report: every reason for a level, then the least harmful level given their certainty.

The reasons come from the red-flag rules (findings, course and context), measured vital signs, must-not-miss
conditions and condition floors (:mod:`engine.triage.rules`, :mod:`engine.triage.vitals`); a course that is
getting worse fast raises them; the decision weighs them with the pack's cost matrix
(:mod:`engine.triage.decision`). Adding a present finding never lowers the level: credits, fits and rules only
grow. A present finding the rules cannot assess is named, never silently routine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from engine.hpo.ids import parse_id_list
from engine.hpo.similarity import DEFAULT_SIMILARITY_FLOOR
from engine.io.presentation import Presentation, with_course_terms
from engine.knowledge.pack import KnowledgePack
from engine.match.explain import Ranking
from engine.match.mapping import EncodedCase, encode_case
from engine.triage.copy import EMERGENCY_FIRST, SAFETY_NET, SCOPE, UNASSESSABLE_NOTE, clinician_prompt, safety_net
from engine.triage.decision import decide, expected_costs
from engine.triage.levels import LEVEL_ADVICE, TriageLevel, raise_level, severity
from engine.triage.rules import (
    TriageReason,
    condition_floor_reasons,
    danger_reasons,
    must_not_miss_reasons,
    rule_certainties,
    rule_reasons,
    rule_reporters,
)
from engine.triage.vitals import vital_findings, vital_reasons

#: A course getting worse fast raises a "soon" reason resting on a sign of skin infection or inflammation to
#: "urgent" (NICE NG141 sends rapidly deteriorating cellulitis to hospital; the panel read a fast-worsening
#: abscess the same way, but not as an emergency without signs of sepsis), and makes any report at least "soon".
RAISED_WHEN_WORSENING_FAST: tuple[TriageLevel, ...] = ("soon",)
INFLAMMATION_SIGNS = frozenset({
    "HP:0100658", "HP:0001055", "HP:0031292", "HP:0025615", "HP:6001119",  # cellulitis, erysipelas, abscesses, pus
    "HP:0010783", "HP:0000969", "HP:0001945", "HP:6000095",  # redness, swelling, fever, a draining sinus
})
WORSENING_FAST_FLOOR: TriageLevel = "soon"
WORSENING_FAST_SOURCE = "nice_ng141"


@dataclass(frozen=True)
class Triage:
    """The urgency level with every reason for it and everything a result says around it.

    ``advice`` is the one action of the final level; ``reasons`` say why (most urgent first); ``watch_for`` is
    the safety net (the reasons' own lines, then the general ones); ``unassessable`` names reported findings the
    rules cannot assess.
    """

    level: TriageLevel
    reasons: tuple[TriageReason, ...]
    advice: str
    clinician_prompt: str
    watch_for: tuple[str, ...] = SAFETY_NET
    unassessable: tuple[str, ...] = ()
    presentation: Presentation = field(default_factory=Presentation)
    #: Expected harm of advising each level (mildest first), from the pack's cost matrix.
    expected_harm: tuple[float, ...] = ()
    emergency_first: str = EMERGENCY_FIRST
    scope: str = SCOPE

    @property
    def is_red_flag(self) -> bool:
        return self.level in ("emergency", "urgent")


def _raised(reasons: list[TriageReason], presentation: Presentation, any_finding: bool) -> list[TriageReason]:
    if presentation.trajectory != "worsening_fast":
        return reasons
    out = [replace(r, level=raise_level(r.level), rule_id=f"{r.rule_id}+worsening_fast",
                   message=f"{r.message} It is getting worse fast.")
           if r.level in RAISED_WHEN_WORSENING_FAST and INFLAMMATION_SIGNS.intersection(r.findings) else r
           for r in reasons]
    if any_finding:
        out.append(TriageReason(
            "worsening_fast", WORSENING_FAST_FLOOR,
            "A problem that is getting worse hour by hour or day by day needs a clinician to look at it.", (),
            source=WORSENING_FAST_SOURCE))
    return out


def independent(reasons: list[TriageReason], reporters: dict[str, frozenset[str]] | None = None) -> int:
    """The largest number of ``reasons`` that rest on no report in common (two rules reached by one reported term
    are one report; a reason on the presentation or a measurement alone counts on its own). It only grows as
    reasons are added, so the accumulation below never lowers a level when a finding is added."""
    reporters = reporters or {}

    def basis(r: TriageReason) -> frozenset[str]:
        if not r.findings:
            return frozenset({f"#{r.rule_id}"})
        return frozenset(x for f in r.findings for x in reporters.get(f, frozenset({f})))

    sets = [basis(r) for r in reasons]
    sets.sort(key=len)
    best = 0

    def search(i: int, used: frozenset[str], n: int) -> None:
        nonlocal best
        if n + len(sets) - i <= best:
            return
        if i == len(sets):
            best = n
            return
        if not sets[i] & used:
            search(i + 1, used | sets[i], n + 1)
        search(i + 1, used, n)

    search(0, frozenset(), 0)
    return best


def _accumulated(pack: KnowledgePack, reasons: list[TriageReason],
                 reporters: dict[str, frozenset[str]]) -> list[TriageReason]:
    """Several independent reasons at one level make the next level more likely (as several abnormal vital signs
    add up to a higher early-warning score): one evidence item per level, with the chance the pack's
    ``triage_accumulation.csv`` gives for that many independent reasons; the decision weighs it like any other."""
    out = []
    groups = {f.id: f.group for f in pack.findings}
    for level in ("soon", "urgent"):
        # a lesion described by several skin findings is one problem, not several: only reasons resting on a
        # finding beyond the skin (an organ, the whole body, a test), an answer or a measurement count
        at_level = [r for r in reasons if r.level == level
                    and (not r.findings or any(groups.get(f) != "skin" for f in r.findings))]
        if len(at_level) < 2:
            continue
        k = independent(at_level, reporters)
        if k < 2:
            continue
        counts = sorted(c for lv, c in pack.triage_accumulation if lv == level)
        known = [c for c in counts if c <= k]
        if not known:
            continue
        p = pack.triage_accumulation[(level, known[-1])]
        out.append(TriageReason(
            f"accumulated:{level}", raise_level(level),
            f"{k} separate findings each call for care {('within days' if level == 'soon' else 'today')}; "
            "together they make a more serious illness more likely.", (), p, "panel_dev_2026"))
    return out


def _unassessable(pack: KnowledgePack, case: EncodedCase) -> tuple[str, ...]:
    """A note for each present reported term that reached no finding of the pack (unknown to the rules)."""
    reached = {m.reported_id for m in case.mappings if m.present and (m.finding_id or m.relation == "modifier")}
    notes: dict[str, str] = {}
    for m in case.mappings:
        if m.present and m.reported_id not in reached and m.reported_id not in notes:
            name = pack.ontology.terms[pack.ontology.resolve(m.reported_id)].name if m.reported_id.startswith(
                "HP:") else m.reported_id
            notes[m.reported_id] = UNASSESSABLE_NOTE.format(name=name)
    return tuple(notes.values())


def course_of(case: EncodedCase, presentation: Presentation) -> Presentation:
    """``presentation`` completed with the course named by clinical-modifier terms of the report."""
    terms = [m.reported_id for m in case.mappings if m.present and m.relation == "modifier"]
    return with_course_terms(presentation, terms) if terms else presentation


def assess(pack: KnowledgePack, case: EncodedCase, ranking: Ranking | None = None,
           presentation: Presentation | None = None) -> Triage:
    """Every reason the report warrants a level, and the level with the least expected harm.

    Parameters
    ----------
    case
        The encoded report (measured vital signs already counted as findings: :func:`encode_with_presentation`).
    ranking
        With a ranking, must-not-miss conditions and condition floors add their reasons.
    presentation
        Course and context; course terms among the reported IDs complete it.
    """
    presentation = course_of(case, presentation or Presentation())
    reporters = rule_reporters(pack, case)
    reasons = rule_reasons(pack, rule_certainties(pack, case), presentation, reporters)
    reasons += danger_reasons(pack, case, presentation)
    reasons += [TriageReason(v.rule_id, v.level, v.message, v.findings, 1.0, v.source)
                for v in vital_reasons(pack, presentation)]
    if ranking is not None:
        reasons += must_not_miss_reasons(pack, ranking) + condition_floor_reasons(pack, ranking, presentation)
    reasons = _raised(reasons, presentation, bool(case.present.any()))
    reasons += _accumulated(pack, reasons, reporters)
    evidence = [(r.level, r.certainty) for r in reasons]
    level = decide(evidence, pack.triage_costs)
    # the reasons for the final level first; uncertain evidence of a higher level that did not decide it last
    reasons.sort(key=lambda r: (severity(r.level) > severity(level), -severity(r.level), -r.certainty, r.rule_id))
    own = [r.watch_for for r in reasons if r.watch_for and severity(r.level) >= severity(level)]
    watch = tuple(dict.fromkeys([*own, *safety_net(level)]))
    harm = expected_costs(evidence, pack.triage_costs)
    return Triage(level=level, reasons=tuple(reasons), advice=LEVEL_ADVICE[level],
                  clinician_prompt=clinician_prompt(level), watch_for=watch, unassessable=_unassessable(pack, case),
                  presentation=presentation, expected_harm=tuple(round(float(x), 6) for x in harm))


def encode_with_presentation(pack: KnowledgePack, present: Iterable[str] | str | None,
                             absent: Iterable[str] | str | None, similarity_floor: float,
                             presentation: Presentation | None) -> EncodedCase:
    """Encode a report with its measured vital signs counted as the findings they amount to."""
    measured = [(f"measured:{v.finding_id}", v.finding_id, v.note)
                for v in (vital_findings(pack, presentation) if presentation else [])]
    return encode_case(pack, present, absent, similarity_floor, measured)


def triage_terms(pack: KnowledgePack, present: Iterable[str] | str, absent: Iterable[str] | str | None = None,
                 similarity_floor: float = DEFAULT_SIMILARITY_FLOOR,
                 presentation: Presentation | None = None) -> Triage:
    """The red-flag triage of reported IDs alone (no ranking): corpus mode uses the curated pack's mapping and
    rules through this, so the same danger signs escalate whatever is ranked.

    Raises
    ------
    InputError
        As :func:`engine.match.mapping.encode_case` (malformed or unknown IDs, contradictions).
    """
    case = encode_with_presentation(pack, present, absent, similarity_floor, presentation)
    return assess(pack, case, presentation=presentation)


def triage_known_terms(pack: KnowledgePack, present: Iterable[str] | str, absent: Iterable[str] | str | None = None,
                       presentation: Presentation | None = None) -> Triage:
    """:func:`triage_terms` of the reported IDs that ``pack``'s HPO release knows (and its ``CT:`` IDs).

    Corpus mode may run on a newer HPO release than the curated pack's: the curated red-flag rules still run,
    on the terms they can read, never skipped (a missed red flag is worse than a note).
    """
    def known(ids: Iterable[str] | str | None) -> list[str]:
        return [i for i in parse_id_list(ids) if i.startswith("CT:") or i in pack.ontology]

    return triage_terms(pack, known(present), known(absent), presentation=presentation)
