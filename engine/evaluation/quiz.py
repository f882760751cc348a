"""Scoring a student's committed top 3 against a teaching case's expected condition (Teach quiz mode)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

QUIZ_SIZE = 3
#: Points for the expected condition at position 1, 2 or 3 of the student's list (0 when absent).
POINTS = (3, 2, 1)


@dataclass(frozen=True)
class QuizScore:
    points: int
    out_of: int
    position: int | None  # 1-based position of the expected condition (or an accepted alternative)
    feedback: str


def score_top3(picks: Sequence[str], accepted: Sequence[str]) -> QuizScore:
    """Score ``picks`` (the student's top 3, best first) against ``accepted`` (expected condition first).

    Raises ``ValueError`` unless exactly three distinct conditions are picked.
    """
    if len(picks) != QUIZ_SIZE or len(set(picks)) != QUIZ_SIZE:
        raise ValueError(f"pick exactly {QUIZ_SIZE} different conditions, best first")
    position = next((n for n, c in enumerate(picks, start=1) if c in accepted), None)
    points = POINTS[position - 1] if position else 0
    feedback = ("Not in your top 3." if position is None else
                "First place: full marks." if position == 1 else f"In your top 3, at place {position}.")
    return QuizScore(points, POINTS[0], position, feedback)
