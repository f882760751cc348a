"""Red-flag rules (``data/red_flags.csv``), must-not-miss conditions and condition floors: the reasons a report
warrants a level, each with the certainty it rests on.

A rule fires when all its findings are present (or, in HPO, a finding below them), one alternative of each
``any_of`` group is, and its conditions on the course and context hold (``context``: an age band, an onset, an
answer about how unwell the person is). A rule on the presentation alone has no findings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.io.presentation import Presentation
from engine.knowledge.pack import KnowledgePack, RedFlagRule
from engine.match.explain import Ranking
from engine.match.fit import AbsoluteFit
from engine.match.mapping import EncodedCase, Relation, findings_above
from engine.triage.levels import TriageLevel

#: Must-not-miss conditions (``conditions.csv``) escalate on their absolute fit, never on their share
#: of the match: the share can fall when an unrelated finding is added, and triage must not. A
#: must-not-miss condition with at least one of its hallmarks matched and more than thin evidence
#: (``engine.match.fit.THIN_EVIDENCE``) lifts the level to "soon"; with a strong absolute fit
#: (``AbsoluteFit.strong``: strong evidence including at least two of its hallmarks) to "urgent".
MUST_NOT_MISS_SOON: TriageLevel = "soon"
MUST_NOT_MISS_STRONG: TriageLevel = "urgent"
#: A rule's finding counts as present when the case gives it, or a pack finding below it in HPO, at
#: least this credit: safety first, so a close or more general report of a danger sign (credited by its
#: similarity, :mod:`engine.match.mapping`) fires the rule from half a finding on rather than being
#: ignored; a more specific one (a descendant) always counts fully.
RULE_MIN_CREDIT = 0.5


@dataclass(frozen=True)
class TriageReason:
    """Why a level is warranted: the rule (or measurement, answer, condition) and the findings behind it.

    ``message`` says why, never what to do (the action is the final level's, :data:`LEVEL_ADVICE`);
    ``watch_for`` is the rule's conditional safety-net line; ``certainty`` is 1 for named findings, measured
    values and answers, else the weakest mapping credit among the findings it rests on
    (:mod:`engine.triage.decision`).
    """

    rule_id: str
    level: TriageLevel
    message: str
    findings: tuple[str, ...]
    certainty: float = 1.0
    source: str = ""
    watch_for: str = ""


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
    # An abscess is named: eczema, acne and candidiasis reach Cutaneous abscess by similarity, and vague terms
    # (Inflammatory abnormality of the skin, Abnormal immune system morphology) as more general reports
    "HP:0031292",  # Cutaneous abscess
    "HP:0025615",  # Abscess
    # Organ failure fires on named terms or measured values, never by similarity (polyuria reached acute kidney
    # injury, and a chronic breathing problem respiratory failure):
    "HP:0001919",  # Acute kidney injury
    "HP:0002878",  # Respiratory failure
    "HP:0031273",  # Shock
    "HP:0100806",  # Sepsis
    "HP:0002615",  # Hypotension
    "HP:0100519",  # Anuria
    "HP:0100520",  # Oliguria (polyuria shares "Abnormal urine output" with it)
    "HP:0004372",  # Reduced consciousness
    "HP:0100845",  # Anaphylactic shock
    "HP:0030907",  # Thunderclap headache (any headache reached it)
    "HP:0034032",  # Central cyanosis (acrocyanosis of cold fingers reached it)
    "HP:0010307",  # Stridor (crackles and other breath sounds reached it)
    "HP:0100665",  # Angioedema (any edema reached it)
    "HP:0031179",  # Nuchal rigidity (limited or short neck reached it)
    "HP:0001709",  # Third degree atrioventricular block
    "HP:6000288",  # Deep neck abscess
    "HP:0031864",  # Bacteremia (viraemia and blood parasites reached it)
    "HP:0000961",  # Cyanosis (jaundice, plethora and vague skin terms reached it)
    "HP:0000100",  # Nephrotic syndrome (a lower filtration rate reached it, and it implies nephrotic proteinuria)
    "HP:0032408",  # Breast mass (any breast change reached it)
    "HP:6000174",  # Lateral neck mass
    "HP:0002789",  # Tachypnea (hyperventilation and other breathing patterns reached it)
})
_NAMED: frozenset[Relation] = frozenset({"exact", "more_specific", "implied", "measured"})
#: The mapping relations through which each strict finding may count for a rule.
_RULE_RELATIONS: dict[str, frozenset[Relation]] = {f: _NAMED for f in NAMED_ONLY}


def _rule_credits(pack: KnowledgePack, case: EncodedCase) -> np.ndarray:
    """The case's present credits, without a :data:`NAMED_ONLY` finding reached only by a vaguer or similar
    report; what such a finding implies (``implies``) keeps only the credit it has from elsewhere."""
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


def rule_certainties(pack: KnowledgePack, case: EncodedCase) -> dict[str, float]:
    """Each pack finding a rule may count as present, with the certainty it does: the largest credit of the
    finding itself or of a pack finding below it in HPO (at least :data:`RULE_MIN_CREDIT`), and 1 for every pack
    finding above a reported, more specific term. Scoring credits a term only to its nearest pack ancestors; a
    rule must fire for every one: *Hypocalcemic seizures* is below both *Hypocalcemia* (nearest) and *Seizure*.
    A :data:`NAMED_ONLY` finding counts only when named or below a reported term."""
    credits = _rule_credits(pack, case)
    cols = np.flatnonzero(credits >= RULE_MIN_CREDIT)  # a few reported findings: only their columns matter
    best = (pack.below[:, cols] * credits[cols]).max(axis=1) if cols.size else np.zeros(len(pack.findings))
    found = {pack.findings[i].id: float(best[i]) for i in np.flatnonzero(best).tolist()}
    for m in case.mappings:
        if m.present and m.relation == "more_specific":  # only HPO terms are more specific than a finding
            for f in findings_above(pack, pack.ontology.resolve(m.reported_id)):
                found[f] = 1.0
    return found


def rule_reporters(pack: KnowledgePack, case: EncodedCase) -> dict[str, frozenset[str]]:
    """For each pack finding a rule may count as present, the reported IDs behind it (through a pack finding below
    it, or as a more specific term): what a rule's ``except`` list is checked against."""
    credits = _rule_credits(pack, case)
    by_finding: dict[int, set[str]] = {}
    implied = []
    for m in case.mappings:
        if m.present and m.finding_id is not None and credits[pack.finding_index[m.finding_id]] >= RULE_MIN_CREDIT:
            if m.relation == "implied":  # reached through the implying finding: its own reporters stand behind it
                implied.append(m)
            else:
                by_finding.setdefault(pack.finding_index[m.finding_id], set()).add(m.reported_id)
    for m in implied:
        assert m.finding_id is not None
        source = by_finding.get(pack.finding_index.get(m.reported_id, -1), {m.reported_id})
        by_finding.setdefault(pack.finding_index[m.finding_id], set()).update(source)
    out: dict[str, set[str]] = {}
    for j, reporters in by_finding.items():
        for i in np.flatnonzero(pack.below[:, j]).tolist():
            out.setdefault(pack.findings[i].id, set()).update(reporters)
    for m in case.mappings:
        if m.present and m.relation == "more_specific":
            for f in findings_above(pack, pack.ontology.resolve(m.reported_id)):
                out.setdefault(f, set()).add(m.reported_id)
    return {f: frozenset(r) for f, r in out.items()}


def rule_findings(pack: KnowledgePack, case: EncodedCase) -> set[str]:
    """The findings a rule may count as present (:func:`rule_certainties`, whatever the certainty)."""
    return set(rule_certainties(pack, case))


def _without_excepted(pack: KnowledgePack, rule: RedFlagRule, present: dict[str, float],
                      reporters: dict[str, frozenset[str]]) -> dict[str, float]:
    """``present`` without the findings that only terms below the rule's ``except`` list reached (a congenital
    stridor is not an airway emergency, osteoarthritis not an inflammatory arthritis)."""
    if not rule.except_:
        return present
    onto = pack.ontology

    def excepted(reported: str) -> bool:
        return reported in onto and not onto.ancestors(onto.resolve(reported)).isdisjoint(rule.except_)

    return {f: c for f, c in present.items() if not reporters.get(f) or not all(map(excepted, reporters[f]))}


def fires(rule: RedFlagRule, present: dict[str, float],
          presentation: Presentation) -> tuple[tuple[str, ...], float] | None:
    """The findings that make ``rule`` fire (all-of, then the most certain present alternative per group) and the
    certainty it fires with (the least certain of them; 1 for a rule on the presentation alone), or None."""
    if not all(c.holds(presentation) for c in rule.context) or not all(f in present for f in rule.findings):
        return None
    used = list(rule.findings)
    for group in rule.any_of:
        alternatives = [a for a in group if all(f in present for f in a)]
        if not alternatives:
            return None
        alt = max(alternatives, key=lambda a: min(present[f] for f in a))
        used += [f for f in alt if f not in used]
    return tuple(used), min((present[f] for f in used), default=1.0)


def rule_reasons(pack: KnowledgePack, present: dict[str, float], presentation: Presentation,
                 reporters: dict[str, frozenset[str]] | None = None) -> list[TriageReason]:
    """A reason for every red-flag rule of the pack that fires."""
    out = []
    for rule in pack.red_flags:
        fired = fires(rule, _without_excepted(pack, rule, present, reporters or {}), presentation)
        if fired is not None:
            out.append(TriageReason(rule.rule_id, rule.level, rule.message, fired[0], fired[1], rule.source,
                                    rule.watch_for))
    return out


def _typical(fit: AbsoluteFit) -> bool:
    """At least one hallmark matched and more than thin evidence: both only grow as findings are added."""
    return fit.hallmarks_matched > 0 and fit.level != "thin"


#: Answers that say the condition behind the findings is already known to a clinician: a condition floor ("needs
#: a specialist's assessment if not diagnosed yet") does not apply then, unless it is getting worse fast.
KNOWN = ("known_untreated", "known_treated")
#: Nor does it for a problem there for months or more that is known to change slowly or not at all: that is a
#: routine referral.
SLOW = ("worsening_slowly", "stable", "improving")


def condition_floor_reasons(pack: KnowledgePack, ranking: Ranking, presentation: Presentation) -> list[TriageReason]:
    """The ``triage_floor`` of each condition (conditions.csv) whose typical features are reported.

    A suspected systemic disease (systemic sclerosis, lupus, dermatomyositis, sarcoidosis) needs specialist
    assessment within days even when no single finding is a red flag; the floor says so. Decided on the absolute
    fit, never on the share or the rank, so it cannot fall when a finding is added. It does not apply when the
    person says the condition is already diagnosed (unless it is getting worse fast), or that it has been there for
    months and changes slowly or not at all.
    """
    if presentation.known_condition in KNOWN and presentation.trajectory != "worsening_fast":
        return []
    if presentation.onset == "months_or_more" and presentation.trajectory in SLOW:
        return []
    reasons = []
    for m in ranking.matches:
        condition = pack.condition(m.condition_id)
        if condition.triage_floor and _typical(m.fit):
            reasons.append(TriageReason(
                f"condition_floor:{m.condition_id}", condition.triage_floor,
                f"Your findings include typical features of {condition.display_name} ({m.fit.describe()}): if it "
                "has not been diagnosed and treated yet, it needs a specialist's assessment.", m.matched,
                source=condition.triage_floor_source))
    return reasons


def must_not_miss_reasons(pack: KnowledgePack, ranking: Ranking) -> list[TriageReason]:
    """Must-not-miss conditions with typical features: "soon", or "urgent" with a strong absolute fit."""
    reasons = []
    for m in ranking.matches:
        fit = m.fit
        if not m.must_not_miss or not _typical(fit):
            continue
        name = pack.condition(m.condition_id).display_name
        if fit.strong:
            reasons.append(TriageReason(
                f"must_not_miss:{m.condition_id}", MUST_NOT_MISS_STRONG,
                f"Your findings fit {name} well ({fit.describe()}), which can get dangerous quickly if it is the "
                "cause.", m.matched))
        else:
            reasons.append(TriageReason(
                f"must_not_miss:{m.condition_id}", MUST_NOT_MISS_SOON,
                f"Your findings include typical features of {name}, which needs prompt treatment if it is the "
                "cause.", m.matched))
    return reasons


def danger_reasons(pack: KnowledgePack, case: EncodedCase, presentation: Presentation) -> list[TriageReason]:
    """A reason for each general danger category (``danger_categories.csv``) that a reported present HPO term
    outside the pack's findings names, itself or as a more specific term: a stroke, a fracture, an airway threat
    are dangers in anyone, even where the pack has no finding for them."""
    if not pack.danger_categories:
        return []
    onto = pack.ontology
    # the pack's own findings (and terms below them) are read by the pack's rules, whose levels are cited for this
    # differential (a stroke or a heart attack is often a past event there); the general signs cover what the pack
    # does not name, and every term when the person says it started within hours or days
    recent = presentation.onset in ("hours", "days")
    owned = set() if recent else {m.reported_id for m in case.mappings
                                  if m.relation in ("exact", "more_specific", "implied", "measured")}
    reported = {onto.resolve(m.reported_id) for m in case.mappings
                if m.present and m.relation != "modifier" and m.reported_id in onto and m.reported_id not in owned}
    out = []
    for category in pack.danger_categories:
        named = tuple(sorted(t for t in reported if not onto.ancestors(t).isdisjoint(category.terms)))
        if named and all(c.holds(presentation) for c in category.context):
            out.append(TriageReason(f"danger:{category.category}", category.level, category.message, named, 1.0,
                                    category.source, category.watch_for))
    return out
