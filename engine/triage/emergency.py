"""The emergency step asked before the checklist: a few plain questions, in the NHS "when to call 999" wording,
about the signs that mean "get help now".

Each question stands for findings of the pack (and, for a baby, an age band) in ``data/emergency_questions.csv``.
Its level is never its own: the answers go through the same red-flag rules as the checklist
(:func:`engine.triage.assess.triage_terms`), so the step and the rules always agree, and the answers join the
checklist's findings in the full result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engine.errors import PackError
from engine.io.presentation import ContextCondition, Presentation, parse_context_conditions, with_answers
from engine.io.readers import read_csv_rows
from engine.knowledge.pack import MAX_PACK_FILE_BYTES, KnowledgePack
from engine.triage.assess import Triage, triage_terms

QUESTIONS_FILE = "emergency_questions.csv"


@dataclass(frozen=True)
class EmergencyQuestion:
    """One question and what a "yes" to it reports: pack findings and, where it names one, the age band."""

    question_id: str
    question: str
    findings: tuple[str, ...]
    context: tuple[ContextCondition, ...]
    source: str


def load_emergency_questions(pack: KnowledgePack) -> tuple[EmergencyQuestion, ...]:
    """The questions beside ``pack`` (its ``data_dir``), checked against its findings and sources.

    Raises
    ------
    PackError
        Naming the file, row and what is wrong.
    """
    rows = read_csv_rows(pack.data_dir / QUESTIONS_FILE, MAX_PACK_FILE_BYTES, PackError)
    out = []
    for line, row in enumerate(rows, start=2):
        where = f"{QUESTIONS_FILE}, row {line}"
        qid, question, source = ((row.get(k) or "").strip() for k in ("question_id", "question", "source"))
        findings = tuple(f.strip() for f in (row.get("findings") or "").split(";") if f.strip())
        if not (qid and question and source and findings):
            raise PackError(f"{where}: question_id, question, findings and source are required")
        unknown = [f for f in findings if f not in pack.finding_index]
        if unknown:
            raise PackError(f"{where}, column 'findings': unknown finding ID {unknown[0]!r}")
        if source not in pack.sources:
            raise PackError(f"{where}, column 'source': unknown source_id {source!r}")
        try:
            context = parse_context_conditions(row.get("context") or "")
        except ValueError as exc:
            raise PackError(f"{where}, column 'context': {exc}") from None
        if any(c.negate or len(c.values) != 1 for c in context):
            raise PackError(f"{where}, column 'context': a question can only state answers (key=value)")
        out.append(EmergencyQuestion(qid, question, findings, context, source))
    return tuple(out)


def answered(questions: Sequence[EmergencyQuestion], answered_yes: Iterable[str]) -> tuple[EmergencyQuestion, ...]:
    """The questions answered yes, in file order."""
    yes = set(answered_yes)
    return tuple(q for q in questions if q.question_id in yes)


def step_findings(questions: Sequence[EmergencyQuestion], answered_yes: Iterable[str]) -> tuple[str, ...]:
    """The pack findings the "yes" answers report, without repeats."""
    return tuple(dict.fromkeys(f for q in answered(questions, answered_yes) for f in q.findings))


def with_step_answers(presentation: Presentation, questions: Sequence[EmergencyQuestion],
                      answered_yes: Iterable[str]) -> Presentation:
    """``presentation`` with the answers the "yes" questions state (a baby under 3 months)."""
    stated = {c.key: c.values[0] for q in answered(questions, answered_yes) for c in q.context}
    return with_answers(presentation, stated) if stated else presentation


def step_triage(pack: KnowledgePack, questions: Sequence[EmergencyQuestion], answered_yes: Iterable[str],
                presentation: Presentation | None = None) -> Triage | None:
    """The triage of the "yes" answers alone, through the same rules as the checklist; None when none is yes."""
    yes = list(answered_yes)
    findings = step_findings(questions, yes)
    if not findings:
        return None
    return triage_terms(pack, findings, presentation=with_step_answers(presentation or Presentation(), questions,
                                                                       yes))
