"""Finding IDs: what an HPO and a pack-local ID look like, and the one parser of ID lists given as a list or a
comma-separated string (CLI, API, links, files)."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable

from engine.errors import InputError, shown

#: An HPO term ID: ``HP:`` and seven digits.
HPO_ID_PATTERN = re.compile(r"^HP:\d{7}$")
#: A project-local finding ID of the pack (``CT:``), for findings HPO has no term for.
LOCAL_ID_PATTERN = re.compile(r"^CT:[a-z0-9_]+$")

MAX_ID_CHARS = 64  # HP:nnnnnnn is 10; local CT: names are short. Longer text is not an ID.


DISPLAY_ID_CHARS = 40  # an unknown ID is echoed back at most this long

#: Most distinct terms (present and absent together) one case may report: a CLI call, a phenopacket, a case of a
#: case file, an upload. Published case reports list tens; phenopacket-store's largest about 100. The mapping
#: stays well under 2 s at this size (bench/bench_many_terms.py), so no input can stall a server for long.
MAX_TERMS = 2_000


def check_term_count(n: int, origin: str = "") -> None:
    """Refuse more than :data:`MAX_TERMS` distinct terms in one case, with one line naming ``origin``."""
    if n > MAX_TERMS:
        where = f"{origin}: " if origin else ""
        raise InputError(f"{where}{n:,} distinct terms in one case; the limit is {MAX_TERMS:,} "
                         "(give the findings that matter most)")


def split_ids(values: Iterable[str] | str | None) -> list[str]:
    """Tokens of one or more comma-separated strings: stripped, blanks dropped, order and repeats kept."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [t.strip() for v in values for t in str(v).split(",") if t.strip()]


def display_id(raw: str) -> str:
    """``raw`` safe to echo back in Markdown: only ID characters, at most :data:`DISPLAY_ID_CHARS` of them."""
    return re.sub(r"[^A-Za-z0-9:_.-]", "?", raw)[:DISPLAY_ID_CHARS]


def partition_ids(values: Iterable[str] | str | None, known: Container[str],
                  limit: int) -> tuple[list[str], list[str], int]:
    """The lenient parse, for input that must never raise (a shared link): known and unknown IDs.

    Returns the known IDs (order kept, no repeats), the unknown ones made display-safe (no repeats),
    and how many tokens were past ``limit`` and so not read at all.
    """
    tokens = split_ids(values)
    good: dict[str, None] = {}
    bad: dict[str, None] = {}
    for token in tokens[:limit]:
        if token in known:
            good.setdefault(token, None)
        else:
            bad.setdefault(display_id(token), None)
    return list(good), list(bad), max(0, len(tokens) - limit)


def parse_id_list(ids: Iterable[str] | str | None) -> list[str]:
    """IDs from a list or a comma-separated string: stripped, blanks and repeats dropped, order kept.

    Raises
    ------
    InputError
        For an ID that is not text or is too long to be one, or more than :data:`MAX_TERMS` distinct IDs
        (pass present and absent together to cap a whole case).
    """
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
    check_term_count(len(out))
    return list(out)
