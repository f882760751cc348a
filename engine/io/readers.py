"""The one edge where outside files and bytes come in: bounded reading and guarded JSON / TOML parsing.

Every file the engine reads on a caller's behalf (case files, weights files, pack files) goes
through :func:`read_bounded`: the size is checked with ``stat`` before reading, anything that
is not a regular file (a directory, ``/dev/zero``, a FIFO) is refused, and at most
``limit + 1`` bytes are read. The parsers turn every failure of the standard library
(including ``RecursionError`` on deep nesting and ``ValueError`` on integers of thousands
of digits) into one ``TriageError`` line that names the file.

:func:`parse_json` is the one JSON decoder for everything a caller hands in (case files,
phenopackets, uploads): nesting deeper than :data:`MAX_JSON_DEPTH`, a number longer than
:data:`MAX_NUMBER_CHARS` characters or not finite (``NaN``, ``Infinity``, ``1e999``) and a key
given twice in one object are refused, so nothing downstream meets them.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from engine.errors import InputError, TriageError, one_line, shown

#: Deepest nesting of arrays and objects accepted in JSON (a phenopacket nests about 8 levels, a case file 4).
MAX_JSON_DEPTH = 64
#: Longest JSON number accepted, in characters (a double needs at most 24: sign, 17 digits, exponent).
MAX_NUMBER_CHARS = 100


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


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"a number of {len(text):,} digits (at most {MAX_NUMBER_CHARS} accepted)")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"a number of {len(text):,} characters (at most {MAX_NUMBER_CHARS} accepted)")
    value = float(text)
    if not math.isfinite(value):  # 1e999 overflows to infinity without passing through parse_constant
        raise ValueError(f"{shown(text, 20)} is too large for a number")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"the key {shown(key)} is given twice in one object")
        obj[key] = value
    return obj


def json_depth_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when arrays and objects in ``value`` nest deeper than ``limit`` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def parse_json(content: bytes | str, origin: str, error: type[TriageError] = InputError) -> Any:
    """Decoded JSON, guarded: the one decoder for everything a caller hands in.

    Refused, as one line naming ``origin``: text that is not UTF-8 or not JSON, NaN / Infinity
    literals and numbers that overflow, numbers longer than :data:`MAX_NUMBER_CHARS`, nesting deeper
    than :data:`MAX_JSON_DEPTH`, and a key repeated within one object (which of the two was meant?).
    """
    text = decode_text(content, origin, error) if isinstance(content, bytes) else content.removeprefix("\ufeff")
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_int=_int, parse_float=_float,
                          object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise error(f"{origin}: not valid JSON: {exc}") from None
    except RecursionError:
        raise error(f"{origin}: not valid JSON: nested too deeply") from None
    except ValueError as exc:  # a number too long or not finite, NaN / Infinity, a repeated key
        raise error(f"{origin}: not valid JSON: {one_line(str(exc)).split(';')[0]}") from None
    if json_depth_exceeds(data):
        raise error(f"{origin}: not valid JSON: nested too deeply (more than {MAX_JSON_DEPTH} levels)")
    return data


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
