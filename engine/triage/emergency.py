"""The emergency step asked before the checklist: a few plain questions that mean "get care now".

Read from ``data/emergency_questions.csv`` (each question cites a source of ``sources.csv``); answering
yes to any of them gives the emergency advice of :data:`engine.triage.LEVEL_ADVICE` at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.errors import PackError
from engine.inputs import read_csv_rows
from engine.pack import DATA_DIR, MAX_PACK_FILE_BYTES
from engine.triage import LEVEL_ADVICE

QUESTIONS_FILE = "emergency_questions.csv"


@dataclass(frozen=True)
class EmergencyQuestion:
    question_id: str
    question: str
    message: str
    source: str


def load_emergency_questions(data_dir: Path | None = None) -> tuple[EmergencyQuestion, ...]:
    """The emergency questions, in file order (raises ``PackError`` naming a bad row)."""
    path = (data_dir or DATA_DIR) / QUESTIONS_FILE
    rows = read_csv_rows(path, MAX_PACK_FILE_BYTES, PackError)
    out = []
    for line, row in enumerate(rows, start=2):
        values = [(row.get(k) or "").strip() for k in ("question_id", "question", "message", "source")]
        if not all(values):
            raise PackError(f"{QUESTIONS_FILE}, row {line}: question_id, question, message and source are required")
        out.append(EmergencyQuestion(*values))
    return tuple(out)


def emergency_advice(questions: Sequence[EmergencyQuestion], answered_yes: Iterable[str]) -> list[str]:
    """What to do now, then why, for the questions answered yes (empty when none is)."""
    yes = set(answered_yes)
    reasons = [q.message for q in questions if q.question_id in yes]
    return [LEVEL_ADVICE["emergency"], *reasons] if reasons else []
