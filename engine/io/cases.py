"""Case files: a JSON list of cases, each with findings present/absent and the expected condition.

This module knows the format, not the knowledge pack: what a case's findings and conditions are checked
against comes in as :class:`CaseChecks` (:mod:`engine.evaluation.cases` checks them against a pack), so
a file is still read and checked in one pass, case by case, and its first problem is the one reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from engine.errors import InputError, shown
from engine.io.panel import Panel, parse_panel, single
from engine.io.presentation import Presentation, parse_presentation
from engine.io.readers import check_size, parse_json, read_bounded
from engine.triage.levels import TRIAGE_LEVELS, triage_level

MAX_CASE_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Case:
    """One case; ``expected`` and ``alternatives`` are condition_ids of the pack."""

    id: str
    present: tuple[str, ...]
    absent: tuple[str, ...]
    expected: str
    alternatives: tuple[str, ...] = ()
    expected_triage: str | None = None
    title: str = ""
    summary: str = ""
    teaching_point: str = ""
    source: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    #: Course and context (docs/case-format.md); empty when the file gives none.
    presentation: Presentation = field(default_factory=Presentation)
    #: The panel of independent raters (the reference for evaluation), or None.
    panel: Panel | None = None
    #: A findings-only panel (raters who saw the findings without course or context), or None.
    panel_findings_only: Panel | None = None

    @property
    def accepted(self) -> tuple[str, ...]:
        return (self.expected, *self.alternatives)

    @property
    def triage_reference(self) -> Panel | None:
        """The panel, else the case author's ``expected_triage`` as a one-rating reference, else None."""
        if self.panel is not None:
            return self.panel
        level = triage_level(self.expected_triage)
        return None if level is None else single(level)


class CaseChecks(Protocol):
    """What a case's conditions and findings are checked against while a case file is read."""

    def condition_id(self, raw: Any, where: str) -> str:
        """The condition ID that ``raw`` (an ID or a name) names; an InputError naming ``where`` otherwise."""
        ...

    def check_findings(self, present: list[str], absent: list[str]) -> None:
        """Raise an InputError (without ``where``: the caller adds it) for findings that cannot be scored."""
        ...


def _case_id(item: dict[str, Any], n: int, where: str) -> str:
    raw = item.get("id")
    if raw is None or raw == "":
        return f"case-{n}"
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise InputError(f"{where}: 'id' must be text, got {shown(raw)}")
    return str(raw).strip() or f"case-{n}"


def decode_cases(data: Any, origin: str, checks: CaseChecks) -> list[Case]:
    """Validate decoded JSON (a non-empty list of case objects); unknown extra fields are ignored.

    Every case's finding IDs and conditions go through ``checks`` here (for a pack: malformed, unknown,
    present and absent at once), so a file that loads is one that evaluates. Messages name ``origin`` and
    the case.
    """
    if not isinstance(data, list):
        raise InputError(f"{origin}: expected a JSON list of cases, got {type(data).__name__}")
    if not data:
        raise InputError(f"{origin}: the list of cases is empty")
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for n, item in enumerate(data, start=1):
        where = f"{origin}, case {n}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: expected an object, got {type(item).__name__}")
        case_id = _case_id(item, n, where)
        where = f"{origin}, case {shown(case_id)}"
        if case_id in seen:
            raise InputError(f"{where}: duplicate case id (first used by case {seen[case_id]})")
        seen[case_id] = n
        findings = item.get("findings")
        if not isinstance(findings, list) or not findings:
            raise InputError(f"{where}: 'findings' must be a non-empty list")
        present: list[str] = []
        absent: list[str] = []
        labels: list[tuple[str, str]] = []
        for f in findings:
            if not isinstance(f, dict) or not isinstance(f.get("hpo_id"), str):
                raise InputError(f"{where}: each finding needs an 'hpo_id' string, got {shown(f)}")
            is_present = f.get("present", True)
            if not isinstance(is_present, bool):
                raise InputError(f"{where}: 'present' must be true or false, got {shown(is_present)}")
            (present if is_present else absent).append(f["hpo_id"].strip())
            if f.get("label"):
                labels.append((f["hpo_id"].strip(), str(f["label"])))
        if "expected_condition" not in item:
            raise InputError(f"{where}: 'expected_condition' is missing")
        alternatives = item.get("acceptable_alternatives") or []
        if not isinstance(alternatives, list):
            raise InputError(f"{where}: 'acceptable_alternatives' must be a list")
        triage = item.get("expected_triage")
        if triage is not None and triage not in TRIAGE_LEVELS:
            raise InputError(f"{where}: 'expected_triage' must be one of {', '.join(TRIAGE_LEVELS)}, "
                             f"got {shown(triage)}")
        presentation = parse_presentation(item, where)
        try:
            checks.check_findings(present, absent)
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
        cases.append(Case(
            id=case_id, present=tuple(present), absent=tuple(absent),
            expected=checks.condition_id(item["expected_condition"], where),
            alternatives=tuple(checks.condition_id(a, where) for a in alternatives),
            expected_triage=triage, title=str(item.get("title", "")), summary=str(item.get("summary", "")),
            teaching_point=str(item.get("teaching_point", "")), source=str(item.get("source", "")),
            labels=tuple(labels), presentation=presentation,
            panel=parse_panel(item.get("triage_panel"), where),
            panel_findings_only=parse_panel(item.get("triage_panel_findings_only"), where),
        ))
    return cases


def read_cases(content: bytes, origin: str, checks: CaseChecks) -> list[Case]:
    """Parse case-file bytes (from disk or an upload), refusing files over 1 MB."""
    check_size(len(content), MAX_CASE_FILE_BYTES, origin)
    return decode_cases(parse_json(content, origin), origin, checks)


def read_case_files(paths: Iterable[Path | str], checks: CaseChecks) -> list[Case]:
    """Read case files from disk; IDs must be unique across files."""
    cases: list[Case] = []
    origins: dict[str, str] = {}
    for path in map(Path, paths):
        content = read_bounded(path, MAX_CASE_FILE_BYTES, "case file")
        for case in read_cases(content, path.name, checks):
            if case.id in origins:
                raise InputError(f"{path.name}, case {shown(case.id)}: duplicate case id (also in {origins[case.id]})")
            origins[case.id] = path.name
            cases.append(case)
    if not cases:
        raise InputError("no case files given")
    return cases
