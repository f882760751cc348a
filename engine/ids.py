"""The one parser of finding-ID lists given as a list or a comma-separated string (CLI, API, links, files)."""

from __future__ import annotations

from collections.abc import Iterable

from engine.errors import InputError
from engine.inputs import shown

MAX_ID_CHARS = 64  # HP:nnnnnnn is 10; local CT: names are short. Longer text is not an ID.


def parse_id_list(ids: Iterable[str] | str | None) -> list[str]:
    """IDs from a list or a comma-separated string: stripped, blanks and repeats dropped, order kept."""
    if ids is None:
        return []
    if isinstance(ids, str):
        ids = ids.split(",")
    out: dict[str, None] = {}  # a dict keeps the order and finds repeats in O(1): a long list stays linear
    for raw in ids:
        if not isinstance(raw, str):
            raise InputError(f"finding IDs must be text, got {shown(raw)}")
        item = raw.strip()
        if len(item) > MAX_ID_CHARS:
            raise InputError(f"malformed finding ID {shown(item)}: {len(item):,} characters, expected at most "
                             f"{MAX_ID_CHARS}")
        if item:
            out.setdefault(item, None)
    return list(out)
