"""Red-flag rules (kept in ``data/red_flags.csv``) turn reported findings into an urgency level."""

from __future__ import annotations

from dataclasses import dataclass

from engine.explain import Ranking
from engine.mapping import EncodedCase
from engine.pack import TRIAGE_LEVELS, KnowledgePack

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
#: A must-not-miss condition ranked this high, with at least this share of the match,
#: lifts the level to at least "soon".
MUST_NOT_MISS_TOP = 3
MUST_NOT_MISS_MIN_STRENGTH = 0.1


@dataclass(frozen=True)
class TriageReason:
    rule_id: str
    level: str
    message: str
    findings: tuple[str, ...]


@dataclass(frozen=True)
class Triage:
    """The urgency level with every reason for it; ``clinician_prompt`` is always there."""

    level: str
    reasons: tuple[TriageReason, ...]
    advice: str
    clinician_prompt: str = CLINICIAN_PROMPT

    @property
    def is_red_flag(self) -> bool:
        return self.level in ("emergency", "urgent")


def _severity(level: str) -> int:
    return TRIAGE_LEVELS.index(level)


def assess(pack: KnowledgePack, case: EncodedCase, ranking: Ranking | None = None) -> Triage:
    """Fire every red-flag rule whose findings are all present (credit ≥ 0.5) and take the worst level."""
    present = {pack.findings[j].id for j in range(len(pack.findings)) if case.present[j] >= 0.5}
    reasons = [TriageReason(r.rule_id, r.level, r.message, r.findings)
               for r in pack.red_flags if set(r.findings) <= present]
    if ranking is not None and not ranking.nothing_matched:
        for m in ranking.matches[:MUST_NOT_MISS_TOP]:
            if m.must_not_miss and m.matched and m.strength >= MUST_NOT_MISS_MIN_STRENGTH:
                reasons.append(TriageReason(
                    f"must_not_miss:{m.condition_id}", "soon",
                    f"{pack.condition(m.condition_id).display_name} is among your closest matches. It needs prompt "
                    "medical attention if it is the cause, so a clinician should check soon.", m.matched))
    reasons.sort(key=lambda r: (-_severity(r.level), r.rule_id))
    level = reasons[0].level if reasons else "routine"
    return Triage(level=level, reasons=tuple(reasons), advice=LEVEL_ADVICE[level])
