"""The one urgency scale, stated once and used everywhere (data, CLI, app, case files, evaluation).

>>> TRIAGE_LEVELS
('routine', 'soon', 'urgent', 'emergency')
>>> severity("urgent") - severity("soon")
1
>>> SCALE["urgent"]
'same day, within 24 hours'
"""

from __future__ import annotations

from typing import Literal

TriageLevel = Literal["routine", "soon", "urgent", "emergency"]
TRIAGE_LEVELS: tuple[TriageLevel, ...] = ("routine", "soon", "urgent", "emergency")  # mildest first

#: What each level means in time.
SCALE: dict[TriageLevel, str] = {
    "emergency": "now, by ambulance or at an emergency department",
    "urgent": "same day, within 24 hours",
    "soon": "within days, up to 2 weeks",
    "routine": "weeks",
}
#: The one action a result of each level asks for (a result shows only the action of its final level).
LEVEL_ADVICE: dict[TriageLevel, str] = {
    "emergency": "Get emergency care now: call your local emergency number or go to an emergency department.",
    "urgent": "See a doctor today (same day, within 24 hours). If you cannot, go to urgent care.",
    "soon": "Book an appointment with a doctor within the next few days (up to 2 weeks).",
    "routine": "Make a routine appointment with your doctor (within the next weeks) to have these findings checked.",
}
#: Short headings for banners and summaries.
LEVEL_HEADING: dict[TriageLevel, str] = {
    "emergency": "EMERGENCY: get help now", "urgent": "URGENT: see a doctor today",
    "soon": "SOON: see a doctor within days", "routine": "ROUTINE: see a doctor in the coming weeks",
}


def severity(level: str) -> int:
    """The level's place on the scale, 0 (routine) to 3 (emergency); raises ``ValueError`` for a non-level."""
    return TRIAGE_LEVELS.index(level)  # type: ignore[arg-type,unused-ignore]


def triage_level(text: object) -> TriageLevel | None:
    """``text`` as a :data:`TriageLevel`, or None when it is not one."""
    for level in TRIAGE_LEVELS:
        if text == level:
            return level
    return None


def raise_level(level: TriageLevel, steps: int = 1) -> TriageLevel:
    """``level`` raised by ``steps`` (never above emergency)."""
    return TRIAGE_LEVELS[min(severity(level) + steps, len(TRIAGE_LEVELS) - 1)]
