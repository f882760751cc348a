"""The reference standard for urgency: a panel of independent raters who saw what the tool sees.

A case's panel holds at least two ratings (an urgent-care clinician, a dermatology or rheumatology clinician), and
a third, blind, rating when those two are two or more levels apart (docs/triage-panel.md):

- the **range** is from the lower to the higher of the two ratings; when a third rating resolved a gap of two or
  more levels, it is from that rating to the first rating nearest to it (the higher on a tie);
- the **consensus** is the level both give; else the third rating; else the higher of the two (safety first);
- a tool's level is **under** (below the range), **within** or **over** (above it).

>>> p = Panel((Rating("a", "urgent_care", "urgent"), Rating("b", "dermatology", "soon")))
>>> p.low, p.high, p.consensus
('soon', 'urgent', 'urgent')
>>> p.compare("routine"), p.compare("soon"), p.compare("emergency")
(-1, 0, 1)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import InputError, shown
from engine.triage.levels import TRIAGE_LEVELS, TriageLevel, severity, triage_level

ROLES = ("urgent_care", "dermatology", "rheumatology", "adjudicator", "author")
CONFIDENCE = ("high", "medium", "low")


@dataclass(frozen=True)
class Rating:
    rater: str
    role: str
    level: TriageLevel
    confidence: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Panel:
    """Independent ratings of one case and the reference they make."""

    ratings: tuple[Rating, ...]
    adjudication: Rating | None = None

    @property
    def _levels(self) -> list[int]:
        return [severity(r.level) for r in self.ratings]

    @property
    def wide(self) -> bool:
        """The ratings are two or more levels apart."""
        return max(self._levels) - min(self._levels) >= 2

    @property
    def bounds(self) -> tuple[int, int]:
        levels = self._levels
        if self.wide and self.adjudication is not None:
            third = severity(self.adjudication.level)
            nearest = min(levels, key=lambda x: (abs(x - third), -x))
            return min(third, nearest), max(third, nearest)
        return min(levels), max(levels)

    @property
    def low(self) -> TriageLevel:
        return TRIAGE_LEVELS[self.bounds[0]]

    @property
    def high(self) -> TriageLevel:
        return TRIAGE_LEVELS[self.bounds[1]]

    @property
    def consensus(self) -> TriageLevel:
        levels = self._levels
        if len(set(levels)) == 1:
            return self.ratings[0].level
        if self.wide and self.adjudication is not None:
            return self.adjudication.level
        return TRIAGE_LEVELS[max(levels)]

    def compare(self, level: str) -> int:
        """Levels below the range (negative), 0 within it, levels above it (positive)."""
        low, high = self.bounds
        k = severity(level)
        return k - low if k < low else (k - high if k > high else 0)


def single(level: TriageLevel, rater: str = "case author") -> Panel:
    """A one-rating reference (a case file's ``expected_triage`` when it has no panel)."""
    return Panel((Rating(rater, "author", level),))


def _rating(raw: Any, where: str) -> Rating:
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: a rating must be an object, got {shown(raw)}")
    level = triage_level(raw.get("level"))
    if level is None:
        raise InputError(f"{where}: rating level must be one of {', '.join(TRIAGE_LEVELS)}, "
                         f"got {shown(raw.get('level'))}")
    role = raw.get("role", "")
    if role not in ROLES:
        raise InputError(f"{where}: rating role must be one of {', '.join(ROLES)}, got {shown(role)}")
    confidence = raw.get("confidence", "")
    if confidence and confidence not in CONFIDENCE:
        raise InputError(f"{where}: rating confidence must be one of {', '.join(CONFIDENCE)}, got {shown(confidence)}")
    return Rating(str(raw.get("rater", "")), role, level, confidence, str(raw.get("reason", "")))


def parse_panel(raw: Any, where: str) -> Panel | None:
    """A case file's ``triage_panel`` (None when absent or without ratings).

    Raises
    ------
    InputError
        For a panel that is not an object, or a rating with an unknown level, role or confidence.
    """
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("ratings", []), list):
        raise InputError(f"{where}: 'triage_panel' must be an object with a list of 'ratings'")
    ratings = tuple(_rating(r, where) for r in raw.get("ratings", []))
    if not ratings:
        return None
    adjudication = raw.get("adjudication")
    return Panel(ratings, None if adjudication is None else _rating(adjudication, where))
