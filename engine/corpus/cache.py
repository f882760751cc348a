"""On-disk cache of built corpus arrays (one uncompressed ``.npz`` per pack and source files).

The file name carries a hash of the cache key: pack name, :data:`FORMAT_VERSION`,
and size + mtime of the ``hp.obo`` and ``phenotype.hpoa`` it was built from, plus
the HPO release. The key is stored in the file too and checked on reading, so a
stale or foreign file is never used. Any problem while reading returns ``None``
(the caller rebuilds); any problem while writing is ignored (the cache is an
optimisation, never a requirement).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from engine.corpus.build import CorpusArrays
from engine.hpo.cache import default_cache_dir, keyed_path, write_atomically

__all__ = ["cache_key", "cache_path", "default_cache_dir", "load_arrays", "save_arrays"]

#: Bump when the arrays or their meaning change; old cache files are then ignored.
FORMAT_VERSION = 2  # 2: pooled, prior-shrunk n/m frequencies

_MATRICES = ("direct", "propagated", "excluded", "ancestors")


def cache_key(pack: str, obo_path: Path, hpoa_path: Path, version: str) -> str:
    """The string that identifies one build: pack, format, release, size and mtime of both sources."""
    parts = [pack, f"format={FORMAT_VERSION}", f"release={version}"]
    for path in (obo_path, hpoa_path):
        stat = path.stat()
        parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def cache_path(cache_dir: Path, pack: str, key: str) -> Path:
    """Where the build identified by ``key`` lives in ``cache_dir``."""
    return keyed_path(cache_dir, pack, key, ".npz")


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
    return write_atomically(path, lambda handle: np.savez(handle, allow_pickle=False, **payload))


def _csr(npz: np.lib.npyio.NpzFile, name: str, shape: tuple[int, int]) -> sp.csr_matrix | None:
    """One CSR matrix from its stored parts, or None unless every part is consistent with ``shape``.

    scipy trusts ``indices`` and ``indptr``: an index out of range reads or writes outside the
    arrays and can kill the process, so a crafted or damaged file is checked in full here.
    """
    data, indices, indptr = npz[f"{name}_data"], npz[f"{name}_indices"], npz[f"{name}_indptr"]
    stored_shape = tuple(int(x) for x in npz[f"{name}_shape"])
    n_rows, n_cols = shape
    if stored_shape != shape:
        return None
    if any(a.ndim != 1 for a in (data, indices, indptr)):
        return None
    if indices.dtype.kind not in "iu" or indptr.dtype.kind not in "iu" or data.dtype.kind not in "fiub":
        return None
    nnz = len(data)
    if len(indices) != nnz or len(indptr) != n_rows + 1 or indptr[0] != 0 or indptr[-1] != nnz:
        return None
    if n_rows and np.any(np.diff(indptr) < 0):
        return None
    if nnz and (int(indices.min()) < 0 or int(indices.max()) >= n_cols):
        return None
    if data.dtype.kind == "f" and not np.isfinite(data).all():
        return None
    return sp.csr_matrix((data, indices.astype(np.int32), indptr.astype(np.int64)), shape=shape)


def _only_stored_members(path: Path) -> bool:
    """True when every member of the zip is stored uncompressed, as :func:`save_arrays` writes them.

    A deflated member could expand to any size on reading (a zip bomb); ours never are.
    """
    with zipfile.ZipFile(path) as archive:
        return all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())


def load_arrays(path: Path, key: str) -> CorpusArrays | None:
    """Read the arrays at ``path``; None if missing, unreadable, corrupt, inconsistent or built from other sources.

    Every sparse matrix is checked (shape, index ranges, ``indptr`` monotone and ending at the
    number of stored values) before scipy sees it, so a damaged or crafted file is a cache miss,
    never a crash.
    """
    try:
        if not path.is_file() or not _only_stored_members(path):
            return None
        with np.load(path, allow_pickle=False) as npz:
            if str(npz["key"]) != key:
                return None
            labels = {name: tuple(str(x) for x in npz[name].tolist()) for name in ("disease_ids", "disease_names",
                                                                                   "terms")}
            n_d, n_t = len(labels["disease_ids"]), len(labels["terms"])
            if len(labels["disease_names"]) != n_d or any(len(set(labels[k])) != len(labels[k])
                                                            for k in ("disease_ids", "terms")):
                return None
            matrices: dict[str, sp.csr_matrix] = {}
            for name in _MATRICES:
                matrix = _csr(npz, name, (n_t, n_t) if name == "ancestors" else (n_d, n_t))
                if matrix is None:
                    return None
                matrices[name] = matrix
            return CorpusArrays(disease_ids=labels["disease_ids"], disease_names=labels["disease_names"],
                                terms=labels["terms"], **matrices)
    except (OSError, ValueError, KeyError, EOFError, TypeError, IndexError, MemoryError, zipfile.BadZipFile):
        return None
