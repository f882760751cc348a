"""Case files read against the knowledge pack: the inputs of an evaluation and the Teach page's cases.

The format is :mod:`engine.io.cases`; here a case's conditions must be conditions of the pack (by ID or
name) and its findings must encode (known IDs, none both present and absent).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from engine.errors import InputError, shown
from engine.io.cases import Case, decode_cases, read_case_files, read_cases
from engine.knowledge.pack import KnowledgePack
from engine.match.mapping import encode_case

__all__ = ["TEACHING_CASE_FILES", "PackChecks", "load_cases", "parse_cases", "read_case_bytes", "teaching_cases"]


class PackChecks:
    """:class:`engine.io.cases.CaseChecks` against one pack."""

    def __init__(self, pack: KnowledgePack) -> None:
        self.pack = pack

    def condition_id(self, raw: Any, where: str) -> str:
        pack = self.pack
        if isinstance(raw, str):
            if raw in pack.condition_index:
                return raw
            for c in pack.conditions:
                if raw.strip().lower() in (c.name.lower(), c.lay_name.lower()):
                    return c.id
        raise InputError(f"{where}: unknown condition {shown(raw)} (expected a condition_id or a condition's name)")

    def check_findings(self, present: list[str], absent: list[str]) -> None:
        encode_case(self.pack, present, absent)


def parse_cases(pack: KnowledgePack, data: Any, origin: str) -> list[Case]:
    """Validate decoded JSON (a non-empty list of case objects) against ``pack``; see
    :func:`engine.io.cases.decode_cases`."""
    return decode_cases(data, origin, PackChecks(pack))


def read_case_bytes(pack: KnowledgePack, content: bytes, origin: str) -> list[Case]:
    """Parse case-file bytes (from disk or an upload) against ``pack``, refusing files over 1 MB."""
    return read_cases(content, origin, PackChecks(pack))


def load_cases(pack: KnowledgePack, paths: Iterable[Path | str]) -> list[Case]:
    """Read case files from disk against ``pack``; IDs must be unique across files."""
    return read_case_files(paths, PackChecks(pack))


#: The teaching case files, by name, in the pack's ``cases/`` folder. An explicit list, so that a file dropped
#: beside them (a research set, a stray upload) never changes what the Teach page offers.
TEACHING_CASE_FILES = ("calcinosis_cutis.json", "mimics.json", "underlying_diseases.json", "published_hpo.json")


def teaching_cases(pack: KnowledgePack) -> list[Case]:
    """The teaching cases of the pack's folder (:data:`TEACHING_CASE_FILES` under ``cases/``, those present)."""
    folder = pack.data_dir / "cases"
    return load_cases(pack, [folder / name for name in TEACHING_CASE_FILES if (folder / name).is_file()])
