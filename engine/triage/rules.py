"""Red-flag rules (kept in ``data/red_flags.csv``) turn reported findings into an urgency level."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from engine.explain import Ranking
from engine.fit import AbsoluteFit
from engine.mapping import EncodedCase, Relation, encode_case, findings_above
from engine.pack import TRIAGE_LEVELS, KnowledgePack, RedFlagRule, TriageLevel

CLINICIAN_PROMPT = (
    "This is an educational match, not a diagnosis. Only a clinician who examines you can tell what is "
    "going on: please see a doctor or nurse about these findings, and bring this summary with you."
)
LEVEL_ADVICE: dict[str, str] = {
    "emergency": "Get emergency care now: call your local emergency number or go to an emergency department.",
    "urgent": "See a doctor today (same day, or within 24 hours). If you cannot, go to urgent care.",
    "soon": "Book an appointment with a doctor within the next few days.",
    "routine": "Make a routine appointment with your doctor to have these findings checked.",
}
#: Must-not-miss conditions (``conditions.csv``) escalate on their absolute fit, never on their share
#: of the match: the share can fall when an unrelated finding is added, and triage must not. A
#: must-not-miss condition with at least one of its hallmarks matched and more than thin evidence
#: (``engine.fit.THIN_EVIDENCE``) lifts the level to "soon"; with a strong absolute fit
#: (``AbsoluteFit.strong``: strong evidence including at least two of its hallmarks) to "urgent".
MUST_NOT_MISS_SOON: TriageLevel = "soon"
MUST_NOT_MISS_STRONG: TriageLevel = "urgent"
#: A rule's finding counts as present when the case gives it, or a pack finding below it in HPO, at
#: least this credit. 0.5 is the credit a more general reported term gets (``ancestor_credit``) and the
#: floor of a "close" match: safety first, so a close or more general report of a danger sign fires
#: the rule rather than being ignored; a more specific one (a descendant) always counts fully.
RULE_MIN_CREDIT = 0.5


@dataclass(frozen=True)
class TriageReason:
    rule_id: str
    level: TriageLevel
    message: str
    findings: tuple[str, ...]


@dataclass(frozen=True)
class Triage:
    """The urgency level with every reason for it; ``clinician_prompt`` is always there."""

    level: TriageLevel
    reasons: tuple[TriageReason, ...]
    advice: str
    clinician_prompt: str = CLINICIAN_PROMPT

    @property
    def is_red_flag(self) -> bool:
        return self.level in ("emergency", "urgent")


def _severity(level: str) -> int:
    return TRIAGE_LEVELS.index(level)


#: Danger findings that name an acute event or a degree. A more general or merely similar report does not say
#: the event happened (*Abnormality of the pancreas* is not acute pancreatitis, *Abnormal vascular physiology*
#: not a pulmonary embolism, a congenitally absent pericardium not an effusion, any proteinuria not nephrotic-range
#: proteinuria), so for rules these count only when reported themselves, through a term below them, or through a
#: curated implication; scoring is unchanged. (Rules on the other findings fire for close reports too.)
NAMED_ONLY = frozenset({
    "HP:0031368",  # Intestinal perforation
    "HP:0002586",  # Peritonitis
    "HP:0002204",  # Pulmonary embolism
    "HP:0006554",  # Acute hepatic failure
    "HP:0012418",  # Hypoxemia
    "HP:0001735",  # Acute pancreatitis
    "HP:0033415",  # Cardiac tamponade
    "HP:0004756",  # Ventricular tachycardia
    "HP:0004887",  # Respiratory failure requiring assisted ventilation
    "HP:0001698",  # Pericardial effusion
    "HP:0002153",  # Hyperkalemia
    "HP:0012593",  # Nephrotic range proteinuria
    "HP:0100598",  # Pulmonary edema
    "HP:0003128",  # Lactic acidosis
    "HP:0100735",  # Hypertensive crisis
    "HP:0002326",  # Transient ischemic attack (Abnormal vascular physiology reached it)
    "HP:0002105",  # Hemoptysis (sputum findings reached it)
    "HP:0011450",  # Unusual CNS infection (any unusual infection by site reached it)
    "HP:0001289",  # Confusion (dementia, memory impairment and attention deficit reached it)
    "HP:0002756",  # Pathologic fracture (recurrent fractures and fracture susceptibility reached it)
    "HP:0033033",  # Anti-MDA5 antibody positivity (any autoantibody positivity reached it)
    "HP:0001055",  # Erysipelas, which implies Cellulitis (recurrent skin infections reached it at 0.51)
})
#: Findings a merely similar report (neither above nor below) never stands for in a rule: eczema, acne and
#: candidiasis reach *Cutaneous abscess* at 0.5-0.6 through *Inflammatory abnormality of the skin*; a more
#: general report (*Abscess* for *Cutaneous abscess*, *Abnormal immune system morphology* for *Abscess*) still
#: counts.
NOT_BY_SIMILARITY = frozenset({"HP:0031292", "HP:0025615"})  # Cutaneous abscess, Abscess
_NAMED: frozenset[Relation] = frozenset({"exact", "more_specific", "implied"})
#: The mapping relations through which each strict finding may count for a rule.
_RULE_RELATIONS: dict[str, frozenset[Relation]] = {
    **{f: _NAMED for f in NAMED_ONLY}, **{f: _NAMED | {"more_general"} for f in NOT_BY_SIMILARITY}}


def _rule_credits(pack: KnowledgePack, case: EncodedCase) -> np.ndarray:
    """The case's present credits, without a :data:`NAMED_ONLY` finding reached only by a vaguer or similar
    report, or a :data:`NOT_BY_SIMILARITY` finding reached only by a similar one; what such a finding
    implies (``implies``) keeps only the credit it has from elsewhere."""
    strict = [(i, allowed) for f, allowed in _RULE_RELATIONS.items()
              if (i := pack.finding_index.get(f)) is not None and case.present[i] > 0]
    if not strict:
        return case.present
    reached = {(m.finding_id, m.relation) for m in case.mappings if m.present}
    credits = case.present.copy()
    dropped = set()
    for i, allowed in strict:
        if not any((pack.findings[i].id, relation) in reached for relation in allowed):
            credits[i] = 0.0
            dropped.add(pack.findings[i].id)
    for m in case.mappings:
        if m.present and m.relation == "implied" and m.reported_id in dropped and m.finding_id is not None:
            own = [o.credit for o in case.mappings if o.present and o.finding_id == m.finding_id
                   and not (o.relation == "implied" and o.reported_id in dropped)]
            credits[pack.finding_index[m.finding_id]] = max(own, default=0.0)
    return credits


def rule_findings(pack: KnowledgePack, case: EncodedCase) -> set[str]:
    """The findings a rule may count as present: those that are, or have a pack finding below them in HPO
    that is, present with credit of at least :data:`RULE_MIN_CREDIT`, and every pack finding above a
    reported present term. Scoring credits a term only to its nearest pack ancestors; a rule must fire
    for every one: *Hypocalcemic seizures* is below both *Hypocalcemia* (nearest) and *Seizure*. A
    :data:`NAMED_ONLY` finding counts only when named or below a reported term, a :data:`NOT_BY_SIMILARITY`
    one also when above it."""
    hit = pack.below[:, np.flatnonzero(_rule_credits(pack, case) >= RULE_MIN_CREDIT)].any(axis=1)
    found = {pack.findings[i].id for i in np.flatnonzero(hit).tolist()}
    for m in case.mappings:
        if m.present and m.relation == "more_specific":  # only HPO terms are more specific than a finding
            found |= findings_above(pack, pack.ontology.resolve(m.reported_id))
    return found


def _fires(rule: RedFlagRule, present: set[str]) -> tuple[str, ...] | None:
    """The findings that make ``rule`` fire (all-of, then the first present alternative per group), or None."""
    if not set(rule.findings) <= present:
        return None
    used = list(rule.findings)
    for group in rule.any_of:
        alt = next((a for a in group if set(a) <= present), None)
        if alt is None:
            return None
        used += [f for f in alt if f not in used]
    return tuple(used)


def _typical(fit: AbsoluteFit) -> bool:
    """At least one hallmark matched and more than thin evidence: both only grow as findings are added."""
    return fit.hallmarks_matched > 0 and fit.level != "thin"


def _condition_floors(pack: KnowledgePack, ranking: Ranking) -> list[TriageReason]:
    """The ``triage_floor`` of each condition (conditions.csv) whose typical features are reported.

    A suspected systemic disease (systemic sclerosis, lupus, dermatomyositis, sarcoidosis) needs
    specialist assessment within days even when no single finding is a red flag; the floor says so.
    Decided on the absolute fit, never on the share or the rank, so it cannot fall when a finding is added.
    """
    reasons = []
    for m in ranking.matches:
        floor = pack.condition(m.condition_id).triage_floor
        if floor and _typical(m.fit):
            name = pack.condition(m.condition_id).display_name
            reasons.append(TriageReason(
                f"condition_floor:{m.condition_id}", floor,
                f"Your findings include typical features of {name} ({m.fit.describe()}). If it has not been "
                "diagnosed and treated yet, it needs a specialist's assessment: a doctor should see you within "
                "a few days.", m.matched))
    return reasons


def _must_not_miss(pack: KnowledgePack, ranking: Ranking) -> list[TriageReason]:
    reasons = []
    for m in ranking.matches:
        fit = m.fit
        if not m.must_not_miss or not _typical(fit):
            continue
        name = pack.condition(m.condition_id).display_name
        if fit.strong:
            reasons.append(TriageReason(
                f"must_not_miss:{m.condition_id}", MUST_NOT_MISS_STRONG,
                f"Your findings fit {name} well ({fit.describe()}). It can get dangerous quickly if it is the "
                "cause, so a clinician should see you today.", m.matched))
        else:
            reasons.append(TriageReason(
                f"must_not_miss:{m.condition_id}", MUST_NOT_MISS_SOON,
                f"Your findings include typical features of {name}. It needs prompt medical attention if it is "
                "the cause, so a clinician should check soon.", m.matched))
    return reasons


def assess(pack: KnowledgePack, case: EncodedCase, ranking: Ranking | None = None) -> Triage:
    """Fire every red-flag rule the case satisfies and take the worst level.

    A rule's finding is present when it or a pack finding below it in HPO has credit of at least
    :data:`RULE_MIN_CREDIT`, or when a reported present term lies below it, so a rule fires for
    descendants (through every parent) and for close matches. With a ranking,
    a must-not-miss condition with typical features adds "soon", or "urgent" with a strong absolute
    fit, and a condition with a ``triage_floor`` and typical features adds its floor. Adding a present
    finding never lowers the level (credits, fits and rules only grow).
    """
    present = rule_findings(pack, case)
    reasons = [TriageReason(r.rule_id, r.level, r.message, used)
               for r in pack.red_flags if (used := _fires(r, present)) is not None]
    if ranking is not None:
        reasons += _must_not_miss(pack, ranking) + _condition_floors(pack, ranking)
    reasons.sort(key=lambda r: (-_severity(r.level), r.rule_id))
    level = reasons[0].level if reasons else "routine"
    return Triage(level=level, reasons=tuple(reasons), advice=LEVEL_ADVICE[level])


def triage_terms(pack: KnowledgePack, present: Iterable[str] | str, absent: Iterable[str] | str | None = None,
                 ancestor_credit: float = 0.5) -> Triage:
    """The red-flag triage of reported IDs alone (no ranking): corpus mode uses the curated pack's
    mapping and rules through this, so the same danger signs escalate whatever is ranked.

    Raises
    ------
    InputError
        As :func:`engine.mapping.encode_case` (malformed or unknown IDs, contradictions).
    """
    return assess(pack, encode_case(pack, present, absent, ancestor_credit))
