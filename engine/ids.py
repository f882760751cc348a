"""The one parser of finding-ID lists given as a list or a comma-separated string (CLI, API, links, files)."""

from __future__ import annotations

from collections.abc import Iterable

from engine.errors import InputError


def parse_id_list(ids: Iterable[str] | str | None) -> list[str]:
    """IDs from a list or a comma-separated string: stripped, blanks and repeats dropped, order kept."""
    if ids is None:
        return []
    if isinstance(ids, str):
        ids = ids.split(",")
    out: list[str] = []
    for raw in ids:
        if not isinstance(raw, str):
            raise InputError(f"finding IDs must be text, got {raw!r}")
        item = raw.strip()
        if item and item not in out:
            out.append(item)
    return out
