"""Case files: a JSON list of cases, each with findings present/absent and the expected condition."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.io.panel import Panel, parse_panel, single
from engine.io.presentation import Presentation, parse_presentation
from engine.io.readers import check_size, parse_json, read_bounded, shown
from engine.knowledge.pack import KnowledgePack
from engine.match.mapping import encode_case
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


def _condition_id(pack: KnowledgePack, raw: Any, where: str) -> str:
    if isinstance(raw, str):
        if raw in pack.condition_index:
            return raw
        for c in pack.conditions:
            if raw.strip().lower() in (c.name.lower(), c.lay_name.lower()):
                return c.id
    raise InputError(f"{where}: unknown condition {shown(raw)} (expected a condition_id or a condition's name)")


def _case_id(item: dict[str, Any], n: int, where: str) -> str:
    raw = item.get("id")
    if raw is None or raw == "":
        return f"case-{n}"
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise InputError(f"{where}: 'id' must be text, got {shown(raw)}")
    return str(raw).strip() or f"case-{n}"


def parse_cases(pack: KnowledgePack, data: Any, origin: str) -> list[Case]:
    """Validate decoded JSON (a non-empty list of case objects); unknown extra fields are ignored.

    Every case's finding IDs are checked against the pack here (malformed, unknown, present and
    absent at once), so a file that loads is one that evaluates. Messages name ``origin`` and the case.
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
            encode_case(pack, present, absent)
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
        cases.append(Case(
            id=case_id, present=tuple(present), absent=tuple(absent),
            expected=_condition_id(pack, item["expected_condition"], where),
            alternatives=tuple(_condition_id(pack, a, where) for a in alternatives),
            expected_triage=triage, title=str(item.get("title", "")), summary=str(item.get("summary", "")),
            teaching_point=str(item.get("teaching_point", "")), source=str(item.get("source", "")),
            labels=tuple(labels), presentation=presentation,
            panel=parse_panel(item.get("triage_panel"), where),
            panel_findings_only=parse_panel(item.get("triage_panel_findings_only"), where),
        ))
    return cases


def read_case_bytes(pack: KnowledgePack, content: bytes, origin: str) -> list[Case]:
    """Parse case-file bytes (from disk or an upload), refusing files over 1 MB."""
    check_size(len(content), MAX_CASE_FILE_BYTES, origin)
    return parse_cases(pack, parse_json(content, origin), origin)


def load_cases(pack: KnowledgePack, paths: Iterable[Path | str]) -> list[Case]:
    """Read case files from disk; IDs must be unique across files."""
    cases: list[Case] = []
    origins: dict[str, str] = {}
    for path in map(Path, paths):
        content = read_bounded(path, MAX_CASE_FILE_BYTES, "case file")
        for case in read_case_bytes(pack, content, path.name):
            if case.id in origins:
                raise InputError(f"{path.name}, case {shown(case.id)}: duplicate case id (also in {origins[case.id]})")
            origins[case.id] = path.name
            cases.append(case)
    if not cases:
        raise InputError("no case files given")
    return cases


#: The teaching case files, by name, in the pack's ``cases/`` folder. An explicit list, so that a file dropped
#: beside them (a research set, a stray upload) never changes what the Teach page offers.
TEACHING_CASE_FILES = ("calcinosis_cutis.json", "mimics.json", "underlying_diseases.json", "published_hpo.json")


def teaching_cases(pack: KnowledgePack) -> list[Case]:
    """The teaching cases of the pack's folder (:data:`TEACHING_CASE_FILES` under ``cases/``, those present)."""
    folder = pack.data_dir / "cases"
    return load_cases(pack, [folder / name for name in TEACHING_CASE_FILES if (folder / name).is_file()])
