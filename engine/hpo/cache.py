"""The user's on-disk cache folder, and safe reading and writing of one JSON cache file.

Used by the parsed-ontology cache (:mod:`engine.hpo.ontology`) and, one layer up, by the corpus array cache
(:mod:`engine.corpus.cache`). A cache is an optimisation, never a requirement: any problem while reading is a
miss (the caller rebuilds), any problem while writing is ignored, and files are written atomically (a
temporary file in the same folder, then ``os.replace``), so a reader never sees half a file.

JSON, never pickle: reading a crafted file can at worst give a wrong-shaped value, which the caller checks.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

#: A cache file larger than this is not read (the parsed HPO release is about 5 MB).
MAX_JSON_CACHE_BYTES = 64 * 1024 * 1024


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/calcinosis-triage``, else ``~/.cache/calcinosis-triage`` (the user's cache, never
    inside the installed package). A relative ``XDG_CACHE_HOME`` is ignored, as the XDG Base Directory
    specification says, so the cache never lands in whatever folder the command runs from."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache") / "calcinosis-triage"


def keyed_path(cache_dir: Path, prefix: str, key: str, suffix: str) -> Path:
    """Where the entry identified by ``key`` lives: a short hash of the key in the file name."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_dir / f"{prefix}-{digest}{suffix}"


def write_json_atomic(path: Path, key: str, payload: Any) -> bool:
    """Write ``{"key": key, "payload": payload}`` atomically to ``path``; False (nothing written) on an OS error."""
    text = json.dumps({"key": key, "payload": payload}, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)
    return write_atomically(path, lambda handle: handle.write(text.encode("utf-8")))


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> bool:
    """Let ``write`` fill a temporary file beside ``path``, then put it in place with ``os.replace``, so a reader
    never sees half a file; False (and nothing left behind) on an OS error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        return False
    return True


def read_json_cache(path: Path, key: str) -> Any | None:
    """The payload stored at ``path`` under exactly ``key``; None when missing, too large, unreadable, not
    JSON of the expected outer shape, or written for another key. The payload's own shape is the caller's
    to check."""
    try:
        # non-blocking open, then a regular-file check: a FIFO or device planted at the path never blocks or streams
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_JSON_CACHE_BYTES:
                return None
            data = json.loads(handle.read(MAX_JSON_CACHE_BYTES + 1).decode("utf-8"))
    except (OSError, ValueError, RecursionError, MemoryError):  # UnicodeDecodeError and JSONDecodeError too
        return None
    if not isinstance(data, dict) or set(data) != {"key", "payload"} or data["key"] != key:
        return None
    return data["payload"]
