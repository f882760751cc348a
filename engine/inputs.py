"""The one edge where outside files and bytes come in: bounded reading and guarded JSON / TOML parsing.

Every file the engine reads on a caller's behalf (case files, weights files, pack files) goes
through :func:`read_bounded`: the size is checked with ``stat`` before reading, anything that
is not a regular file (a directory, ``/dev/zero``, a FIFO) is refused, and at most
``limit + 1`` bytes are read. The parsers turn every failure of the standard library
(including ``RecursionError`` on deep nesting and ``ValueError`` on integers of thousands
of digits) into one ``TriageError`` line that names the file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from engine.errors import InputError, TriageError

MAX_SHOWN_CHARS = 60


def shown(value: Any, limit: int = MAX_SHOWN_CHARS) -> str:
    """``repr(value)`` cut to ``limit`` characters: error messages stay one short line whatever the input."""
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # a deeply nested list, a huge int
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str) -> str:
    """Collapse line breaks and runs of blanks, so a message is always a single line."""
    return " ".join(str(text).split())


def check_size(size: int, limit: int, origin: str, error: type[TriageError] = InputError) -> None:
    """Refuse ``size`` bytes above ``limit`` with the file named."""
    if size > limit:
        raise error(f"{origin}: file is {size:,} bytes; the limit is {limit:,} bytes")


def read_bounded(path: Path | str, limit: int, what: str, error: type[TriageError] = InputError) -> bytes:
    """The bytes of the regular file ``path``, refusing it before reading when it is over ``limit`` bytes.

    Raises
    ------
    TriageError
        (``error``) when the file is missing, unreadable, not a regular file, or too big.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise error(f"cannot read {what} {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise error(f"cannot read {what} {path}: not a regular file")
    check_size(info.st_size, limit, path.name, error)
    try:
        with open(path, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since the stat
                raise error(f"cannot read {what} {path}: not a regular file")
            content = handle.read(limit + 1)
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    check_size(len(content), limit, path.name, error)  # it grew after the stat
    return content


def decode_text(content: bytes, origin: str, error: type[TriageError] = InputError) -> str:
    """UTF-8 text (a byte-order mark is dropped)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(f"{origin}: not UTF-8 text") from None


def read_csv_rows(path: Path, limit: int, error: type[TriageError] = InputError) -> list[dict[str, str]]:
    """The rows of a small CSV file as dicts (through :func:`read_bounded`: regular file, size checked first)."""
    text = decode_text(read_bounded(path, limit, "file", error), path.name, error)
    try:
        return list(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise error(f"{path.name}: not a readable CSV file: {exc}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(content: bytes, origin: str, error: type[TriageError] = InputError) -> Any:
    """Decoded JSON; NaN / Infinity literals, nesting too deep and numbers too long are errors."""
    text = decode_text(content, origin, error)
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise error(f"{origin}: not valid JSON: {exc}") from None
    except RecursionError:
        raise error(f"{origin}: not valid JSON: nested too deeply") from None
    except ValueError as exc:  # an integer of thousands of digits, or NaN / Infinity
        raise error(f"{origin}: not valid JSON: {one_line(str(exc)).split(';')[0]}") from None


def parse_toml(text: str, origin: str, error: type[TriageError] = InputError) -> dict[str, Any]:
    """Decoded TOML; nesting too deep and integers too long are errors."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{origin}: not valid TOML: {exc}") from None
    except RecursionError:
        raise error(f"{origin}: not valid TOML: nested too deeply") from None
    except ValueError as exc:  # an integer of thousands of digits
        raise error(f"{origin}: not valid TOML: {one_line(str(exc)).split(';')[0]}") from None
