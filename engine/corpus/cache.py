"""On-disk cache of built corpus arrays (one uncompressed ``.npz`` per pack and source files).

The file name carries a hash of the cache key: pack name, :data:`FORMAT_VERSION`,
and size + mtime of the ``hp.obo`` and ``phenotype.hpoa`` it was built from, plus
the HPO release. The key is stored in the file too and checked on reading, so a
stale or foreign file is never used. Any problem while reading returns ``None``
(the caller rebuilds); any problem while writing is ignored (the cache is an
optimisation, never a requirement).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from engine.corpus.build import CorpusArrays

#: Bump when the arrays or their meaning change; old cache files are then ignored.
FORMAT_VERSION = 2  # 2: pooled, prior-shrunk n/m frequencies

_MATRICES = ("direct", "propagated", "excluded", "ancestors")


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/calcinosis-triage`` if that variable is set, else ``<repo>/.cache/corpus``."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "calcinosis-triage"
    return Path(__file__).resolve().parents[2] / ".cache" / "corpus"


def cache_key(pack: str, obo_path: Path, hpoa_path: Path, version: str) -> str:
    """The string that identifies one build: pack, format, release, size and mtime of both sources."""
    parts = [pack, f"format={FORMAT_VERSION}", f"release={version}"]
    for path in (obo_path, hpoa_path):
        stat = path.stat()
        parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def cache_path(cache_dir: Path, pack: str, key: str) -> Path:
    """Where the build identified by ``key`` lives in ``cache_dir``."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_dir / f"{pack}-{digest}.npz"


def save_arrays(path: Path, arrays: CorpusArrays, key: str) -> bool:
    """Write ``arrays`` atomically to ``path``; return False (and write nothing) on any OS error."""
    payload: dict[str, np.ndarray] = {
        "key": np.array(key),
        "disease_ids": np.array(arrays.disease_ids, dtype=str),
        "disease_names": np.array(arrays.disease_names, dtype=str),
        "terms": np.array(arrays.terms, dtype=str),
    }
    for name in _MATRICES:
        m: sp.csr_matrix = getattr(arrays, name)
        payload[f"{name}_data"] = m.data
        payload[f"{name}_indices"] = m.indices.astype(np.int32)
        payload[f"{name}_indptr"] = m.indptr.astype(np.int64)
        payload[f"{name}_shape"] = np.array(m.shape, dtype=np.int64)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **payload)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        return False
    return True


def load_arrays(path: Path, key: str) -> CorpusArrays | None:
    """Read the arrays at ``path``; None if missing, unreadable, corrupt or built from other sources."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            if str(npz["key"]) != key:
                return None
            matrices = {}
            for name in _MATRICES:
                shape = tuple(int(x) for x in npz[f"{name}_shape"])
                matrices[name] = sp.csr_matrix(
                    (npz[f"{name}_data"], npz[f"{name}_indices"], npz[f"{name}_indptr"]), shape=shape
                )
            arrays = CorpusArrays(
                disease_ids=tuple(npz["disease_ids"].tolist()),
                disease_names=tuple(npz["disease_names"].tolist()),
                terms=tuple(npz["terms"].tolist()),
                **matrices,
            )
    except (OSError, ValueError, KeyError, EOFError, TypeError, zipfile.BadZipFile):
        return None
    n_d, n_t = len(arrays.disease_ids), len(arrays.terms)
    if any(getattr(arrays, m).shape != (n_d, n_t) for m in _MATRICES[:3]) or arrays.ancestors.shape != (n_t, n_t):
        return None
    return arrays
