"""Case files: a JSON list of cases, each with findings present/absent and the expected condition."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.pack import TRIAGE_LEVELS, KnowledgePack

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

    @property
    def accepted(self) -> tuple[str, ...]:
        return (self.expected, *self.alternatives)


def _condition_id(pack: KnowledgePack, raw: Any, where: str) -> str:
    if isinstance(raw, str):
        if raw in pack.condition_index:
            return raw
        for c in pack.conditions:
            if raw.strip().lower() in (c.name.lower(), c.lay_name.lower()):
                return c.id
    raise InputError(f"{where}: unknown condition {raw!r} (expected a condition_id or a condition's name)")


def parse_cases(pack: KnowledgePack, data: Any, origin: str) -> list[Case]:
    """Validate decoded JSON (a list of case objects); unknown extra fields are ignored."""
    if not isinstance(data, list):
        raise InputError(f"{origin}: expected a JSON list of cases, got {type(data).__name__}")
    cases = []
    for n, item in enumerate(data, start=1):
        where = f"{origin}, case {n}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: expected an object, got {type(item).__name__}")
        case_id = str(item.get("id") or f"case-{n}")
        where = f"{origin}, case {case_id!r}"
        findings = item.get("findings")
        if not isinstance(findings, list) or not findings:
            raise InputError(f"{where}: 'findings' must be a non-empty list")
        present, absent, labels = [], [], []
        for f in findings:
            if not isinstance(f, dict) or not isinstance(f.get("hpo_id"), str):
                raise InputError(f"{where}: each finding needs an 'hpo_id' string, got {f!r}")
            is_present = f.get("present", True)
            if not isinstance(is_present, bool):
                raise InputError(f"{where}: 'present' must be true or false, got {is_present!r}")
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
            raise InputError(f"{where}: 'expected_triage' must be one of {', '.join(TRIAGE_LEVELS)}, got {triage!r}")
        cases.append(Case(
            id=case_id, present=tuple(present), absent=tuple(absent),
            expected=_condition_id(pack, item["expected_condition"], where),
            alternatives=tuple(_condition_id(pack, a, where) for a in alternatives),
            expected_triage=triage, title=str(item.get("title", "")), summary=str(item.get("summary", "")),
            teaching_point=str(item.get("teaching_point", "")), source=str(item.get("source", "")),
            labels=tuple(labels),
        ))
    return cases


def read_case_bytes(pack: KnowledgePack, content: bytes, origin: str) -> list[Case]:
    """Parse case-file bytes (from disk or an upload), refusing files over 1 MB."""
    if len(content) > MAX_CASE_FILE_BYTES:
        raise InputError(f"{origin}: file is {len(content):,} bytes; the limit is {MAX_CASE_FILE_BYTES:,} bytes")
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{origin}: not valid JSON: {exc}") from None
    return parse_cases(pack, data, origin)


def load_cases(pack: KnowledgePack, paths: Iterable[Path | str]) -> list[Case]:
    """Read case files from disk; IDs must be unique across files."""
    cases: list[Case] = []
    for path in map(Path, paths):
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read case file {path}: {exc.strerror}") from None
        cases.extend(read_case_bytes(pack, content, path.name))
    seen: set[str] = set()
    for c in cases:
        if c.id in seen:
            raise InputError(f"duplicate case id {c.id!r}")
        seen.add(c.id)
    return cases


def teaching_cases(pack: KnowledgePack) -> list[Case]:
    """Every teaching case of the pack's folder (``cases/*.json`` beside ``findings.csv``; none if absent)."""
    return load_cases(pack, sorted((pack.data_dir / "cases").glob("*.json")))
