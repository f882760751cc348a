"""The curated knowledge pack: reads ``data/``, validates it and builds the matrices.

Every check names file, row and column. :func:`check_pack` returns all problems
as :class:`~engine.knowledge.validation.Issue` data; :func:`load_pack` raises one
:class:`~engine.errors.PackError` when there is any error.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, cast

import numpy as np

from engine.errors import PackError, TriageError, shown
from engine.hpo.ids import HPO_ID_PATTERN, LOCAL_ID_PATTERN
from engine.hpo.ontology import Ontology, load_ontology
from engine.io.presentation import VITAL_BY_KEY, ContextCondition, parse_context_conditions
from engine.io.readers import decode_text, parse_toml, read_bounded
from engine.knowledge.resources import shipped_data_dir
from engine.knowledge.validation import Issue
from engine.triage.levels import TRIAGE_LEVELS, TriageLevel, triage_level

DATA_DIR = shipped_data_dir()
GROUPS = ("skin", "joints_muscles", "whole_body", "organs", "history", "tests")
#: How a profile frequency was obtained (``evidence`` column of profiles.csv; docs/frequencies.md).
EVIDENCE = ("study", "seed", "class_estimate", "expert")
MAX_PACK_FILE_BYTES = 20_000_000  # per CSV or TOML file of a pack: refused before reading when bigger
MAX_PRIOR = 1e6  # as for analyst priors (engine.knowledge.weights): a sum of priors can never overflow
DCC = "dystrophic_calcinosis_cutis"

_COLUMNS: dict[str, tuple[str, ...]] = {
    "findings.csv": ("finding_id", "label", "lay_label", "group", "description"),
    "conditions.csv": (
        "condition_id", "name", "lay_name", "orpha", "omim", "icd10",
        "prior", "must_not_miss", "summary", "source",
    ),
    "profiles.csv": ("condition_id", "finding_id", "frequency", "hallmark", "source"),
    "red_flags.csv": ("rule_id", "findings", "level", "message", "source"),
    "vital_sign_bands.csv": ("vital", "age_group", "low", "high", "kind", "value", "source"),
    "triage_costs.csv": ("reference", "routine", "soon", "urgent", "emergency", "source"),
    "triage_accumulation.csv": ("level", "independent_reasons", "p_next_level", "source"),
    "danger_categories.csv": ("category", "level", "context", "message", "watch_for", "source"),
    "danger_terms.csv": ("hpo_id", "label", "category"),
    "sources.csv": ("source_id", "kind", "citation", "identifier"),
    "condition_relations.csv": ("lesion_id", "underlying_id", "relation", "source", "note"),
}
_CODE_PATTERNS = {
    "orpha": re.compile(r"^ORPHA:\d+$"),
    "omim": re.compile(r"^OMIM:\d{6}$"),
    "icd10": re.compile(r"^[A-Z]\d{2}(\.\d{1,2})?$"),
}


@dataclass(frozen=True)
class Finding:
    """A tickable finding: an HPO term, or a project-local ``CT:`` ID where HPO has none."""

    id: str
    label: str
    lay_label: str
    group: str
    description: str
    implies: tuple[str, ...] = ()
    #: source_id (sources.csv) the finding was taken from; empty when the pack does not say.
    source: str = ""
    #: Shown up front on the Check page; the others are reached through search.
    core: bool = True

    @cached_property  # read for every finding each time a term is mapped: an attribute after the first read
    def is_hpo(self) -> bool:
        return self.id.startswith("HP:")


def reachable(direct: Mapping[int, Iterable[int]] | Sequence[Iterable[int]], start: int) -> set[int]:
    """Every node reached from ``start`` by following ``direct`` edges one or more times (``start`` itself left
    out, cycles followed once): the closure of a finding's implications."""
    seen: set[int] = set()
    stack = list(direct[start])
    while stack:
        k = stack.pop()
        if k != start and k not in seen:
            seen.add(k)
            stack.extend(direct[k])
    return seen


@dataclass(frozen=True)
class Condition:
    """A condition of the differential with its codes, prior and plain summary."""

    id: str
    name: str
    lay_name: str
    orpha: tuple[str, ...]
    omim: tuple[str, ...]
    icd10: tuple[str, ...]
    prior: float
    must_not_miss: bool
    summary: str
    sources: tuple[str, ...]
    #: Least triage level when the condition has typical features (a hallmark and more than thin
    #: evidence; ``engine.triage``), e.g. "soon" for a suspected systemic disease; "" for none.
    triage_floor: TriageLevel | None = None
    #: source_id that justifies ``triage_floor``.
    triage_floor_source: str = ""

    @property
    def display_name(self) -> str:
        """The one name people see everywhere: the lay name with the medical name beside it."""
        if self.lay_name == self.name:
            return self.name
        return f"{self.lay_name} ({self.name.replace(' (', ', ').replace(')', '')})"  # no nested brackets


#: One alternative of an ``any_of`` group: findings that must all be present (usually just one).
Alternative = tuple[str, ...]


@dataclass(frozen=True)
class RedFlagRule:
    """Fires when all of ``findings`` are present and every ``any_of`` group has a present alternative.

    ``any_of`` is a conjunction of groups; a group is satisfied by any one of its alternatives, and
    an alternative by all of its findings (e.g. "painful ulcer" = ulcer + pain). Written in
    ``red_flags.csv`` as ``;`` between groups, ``|`` between alternatives and ``+`` inside one.
    """

    rule_id: str
    findings: tuple[str, ...]
    level: TriageLevel
    message: str
    source: str
    any_of: tuple[tuple[Alternative, ...], ...] = ()
    #: Conditions on the course and context (age band, onset, how unwell...), all of which must hold;
    #: a rule with no findings fires on them alone.
    context: tuple[ContextCondition, ...] = ()
    #: What to watch for and do if things change (conditional safety-netting; the rule's own action is its level).
    watch_for: str = ""
    #: HPO terms whose subtrees never satisfy the rule: a finding reached only through them does not count.
    except_: frozenset[str] = frozenset()

    @property
    def finding_ids(self) -> tuple[str, ...]:
        """Every finding the rule mentions (all-of first, then the alternatives), without repeats."""
        ids = [*self.findings, *(f for group in self.any_of for alt in group for f in alt)]
        return tuple(dict.fromkeys(ids))


#: Age groups of ``vital_sign_bands.csv``: the children's bands of :mod:`engine.io.presentation`, and "adult" for 16 and
#: over or an unknown age.
VITAL_AGE_GROUPS = ("adult", "under_3_months", "3_months_to_4_years", "5_to_15_years")
VITAL_KINDS = ("news2", "level", "finding")


@dataclass(frozen=True)
class VitalBand:
    """A range of one measured vital sign, ``low <= value < high``, for one age group, and what it means:
    NEWS2 points (``news2``, adults), the triage level it gives alone (``level``, children), or the HPO finding
    the value counts as (``finding``: 38.6 °C is Fever)."""

    vital: str
    age_group: str
    low: float
    high: float
    kind: str
    value: str
    source: str

    def contains(self, measured: float) -> bool:
        return self.low <= measured < self.high


#: Used when a pack has no ``triage_costs.csv``: the shipped matrix (docs/pack-format.md, *triage_costs.csv*).
DEFAULT_TRIAGE_COSTS = np.array([[0, 1, 2, 3], [5, 0, 1, 2], [10, 5, 0, 1], [20, 10, 5, 0]], dtype=float)
DEFAULT_TRIAGE_COSTS.setflags(write=False)


@dataclass(frozen=True)
class DangerCategory:
    """A class of danger signs any HPO term below ``terms`` names (a stroke, a fracture, an airway threat),
    whatever the differential: what the single-term sweep's review found the pack's rules left at routine."""

    category: str
    level: TriageLevel
    context: tuple[ContextCondition, ...]
    message: str
    watch_for: str
    source: str
    terms: frozenset[str] = frozenset()


#: How a lesion condition stands to its underlying disease (``condition_relations.csv``): ``occurs_in`` (the lesion
#: arises in the disease's damaged or inflamed tissue) or ``caused_by`` (the disease directly produces it).
RELATIONS = ("occurs_in", "caused_by")
RELATIONS_FILE = "condition_relations.csv"


@dataclass(frozen=True)
class ConditionRelation:
    """A lesion condition and the disease it arises in, both conditions of the pack, with the sources that say so.

    Both can be true of one person at once (calcinosis in the skin of someone with systemic sclerosis), so a
    result that ranks the two together names them together instead of making them rivals.
    """

    lesion_id: str
    underlying_id: str
    relation: str
    sources: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Source:
    source_id: str
    kind: str
    citation: str
    identifier: str


@dataclass(frozen=True, eq=False)
class KnowledgePack:
    """The validated pack. ``frequency`` and ``hallmark`` are conditions × findings."""

    findings: tuple[Finding, ...]
    conditions: tuple[Condition, ...]
    frequency: np.ndarray
    hallmark: np.ndarray
    profile_sources: dict[tuple[str, str], str]
    red_flags: tuple[RedFlagRule, ...]
    sources: dict[str, Source]
    education: dict[str, dict[str, Any]]
    ontology: Ontology = field(repr=False)
    name: str = "curated"
    #: The folder the pack was read from: its weights.toml and cases/ go with it.
    data_dir: Path = field(default_factory=shipped_data_dir)
    #: (condition_id, finding_id) -> evidence kind (one of EVIDENCE); empty when profiles.csv has no such column.
    profile_evidence: dict[tuple[str, str], str] = field(default_factory=dict)
    #: Measured vital signs: NEWS2 points, children's levels, the findings values count as.
    vital_bands: tuple[VitalBand, ...] = ()
    #: ``triage_costs[reference, assigned]`` (levels mildest first): the harm of advising ``assigned`` when
    #: ``reference`` was right; the decision rule and the evaluation use it.
    triage_costs: np.ndarray = field(default_factory=lambda: DEFAULT_TRIAGE_COSTS)
    #: (level, number of independent reasons at that level) -> chance the right level is one higher; the last
    #: count given for a level stands for every larger count.
    triage_accumulation: dict[tuple[str, int], float] = field(default_factory=dict)
    #: General danger signs named by any HPO term (or a term below it), beyond the pack's findings.
    danger_categories: tuple[DangerCategory, ...] = ()
    #: Lesion conditions and the diseases they arise in (``condition_relations.csv``; none when the file is absent).
    relations: tuple[ConditionRelation, ...] = ()

    @cached_property
    def finding_index(self) -> dict[str, int]:
        return {f.id: i for i, f in enumerate(self.findings)}

    @cached_property
    def condition_index(self) -> dict[str, int]:
        return {c.id: i for i, c in enumerate(self.conditions)}

    @property
    def finding_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.findings)

    @property
    def condition_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.conditions)

    @cached_property
    def implied(self) -> dict[int, tuple[int, ...]]:
        """Finding index -> indices of every finding it implies, directly or through others."""
        direct = {self.finding_index[f.id]: [self.finding_index[i] for i in f.implies] for f in self.findings}
        closure: dict[int, tuple[int, ...]] = {}
        for start in direct:
            if seen := reachable(direct, start):
                closure[start] = tuple(sorted(seen))
        return closure

    @cached_property
    def below(self) -> np.ndarray:
        """``below[i, j]``: finding ``j`` is finding ``i`` or, in HPO, a descendant of it (F, F booleans)."""
        out = np.eye(len(self.findings), dtype=bool)
        hpo_index = {g.id: i for i, g in enumerate(self.findings) if g.is_hpo}
        for j, f in enumerate(self.findings):
            if f.is_hpo:
                rows = [hpo_index[a] for a in self.ontology.ancestors(f.id) if a in hpo_index]
                out[rows, j] = True
        out.setflags(write=False)
        return out

    @cached_property
    def fingerprint(self) -> str:
        """A sha256 (hex) of what the pack holds, computed once: equal content, equal fingerprint.

        Caches keyed by it (the app's search index, context rules, emergency questions, teaching cases) stay right
        for a pack built in memory or changed with :func:`dataclasses.replace`, where a key by ``id()`` could be
        reused by a new object once the old one is gone. It covers every field, the HPO release by its version
        (not its terms) and the folder, since loaders read the pack's companion files from there.
        """
        digest = hashlib.sha256()
        for f in fields(self):
            value = self.ontology.version if f.name == "ontology" else getattr(self, f.name)
            digest.update(f"{f.name}={_stable(value)!r}\n".encode())
        return digest.hexdigest()

    def finding(self, finding_id: str) -> Finding:
        return self.findings[self.finding_index[finding_id]]

    def condition(self, condition_id: str) -> Condition:
        return self.conditions[self.condition_index[condition_id]]

    @property
    def hpo_version(self) -> str:
        return self.ontology.version

    @property
    def disclaimer(self) -> str:
        """The seed's disclaimer, verbatim (quoted in full, attributed, on the About page)."""
        return str(self.education.get(DCC, {}).get("disclaimer", "")).strip()

    @property
    def disclaimer_substance(self) -> str:
        """The medical substance of the seed's disclaimer, shown with every result.

        Its sentences up to and including "... for general information and educational purposes only";
        what follows is the source website's own marketing ("bookmark this website ..."), left out.
        """
        return disclaimer_substance(self.disclaimer)

    def related(self, first: str, second: str) -> ConditionRelation | None:
        """The relation between two conditions, in either order (lesion and disease); None when unrelated."""
        return self._relation_index.get((first, second)) or self._relation_index.get((second, first))

    @cached_property
    def _relation_index(self) -> dict[tuple[str, str], ConditionRelation]:
        return {(r.lesion_id, r.underlying_id): r for r in self.relations}

    def profile(self, condition_id: str) -> dict[str, float]:
        """Finding ID → frequency for one condition's profile."""
        row = self.frequency[self.condition_index[condition_id]]
        return {self.findings[j].id: float(row[j]) for j in np.flatnonzero(row)}


_DISCLAIMER_END = re.compile(r"educational purposes only\.?", re.IGNORECASE)


def _stable(value: object) -> object:
    """``value`` as nested tuples whose ``repr`` depends on the content only (for :attr:`KnowledgePack.fingerprint`):
    arrays by dtype, shape and a digest of their bytes (a repr would elide them), sets sorted."""
    if isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value)
        return ("ndarray", str(data.dtype), data.shape, hashlib.sha256(data.tobytes()).hexdigest())
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, tuple((f.name, _stable(getattr(value, f.name))) for f in fields(value)))
    if isinstance(value, dict):
        return ("dict", tuple((_stable(k), _stable(v)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(_stable(v)) for v in value)))
    if isinstance(value, (list, tuple)):
        return tuple(_stable(v) for v in value)
    return value


@lru_cache(maxsize=16)  # shown with every result: trim the same seed text once
def disclaimer_substance(text: str) -> str:
    """The seed disclaimer without its "Disclaimer:" heading and without what follows "educational purposes only"."""
    body = re.sub(r"^\s*disclaimer\s*:\s*", "", text, flags=re.IGNORECASE)
    body = " ".join(body.replace("\xa0", " ").split())
    end = _DISCLAIMER_END.search(body)
    return body[:end.end()].rstrip(".") + "." if end else body


class _Collector:
    """Collects issues while reading; ``rows`` yields (line number, record) pairs."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def error(self, file: str, message: str, row: int | None = None, column: str | None = None) -> None:
        self.issues.append(Issue("error", file, message, row, column))

    def warning(self, file: str, message: str, row: int | None = None, column: str | None = None) -> None:
        self.issues.append(Issue("warning", file, message, row, column))

    def read_text(self, path: Path, name: str) -> str | None:
        """The file's text through the one bounded reader; None (and an error) when it cannot be read."""
        try:
            return decode_text(read_bounded(path, MAX_PACK_FILE_BYTES, "pack file", PackError), name, PackError)
        except TriageError as exc:
            self.error(name, str(exc).removeprefix(f"{name}: "))
            return None

    def read_csv(self, data_dir: Path, name: str) -> list[tuple[int, dict[str, str]]]:
        path = data_dir / name
        if not path.exists():
            self.error(name, f"file is missing (looked in {data_dir})")
            return []
        text = self.read_text(path, name)
        if text is None:
            return []
        regular = _regular_csv(text)
        if regular is not None:  # the usual case, read without pandas (importing it costs 0.2-0.3 s of start-up)
            columns, records = regular
            header = [h.strip() for h in columns]
            repeated = sorted({h for h in header if header.count(h) > 1})
            if repeated:
                self.error(name, f"duplicate column(s) {', '.join(repr(h) for h in repeated)} in the header", 1)
                return []
            missing = [c for c in _COLUMNS[name] if c not in columns]
            if missing:
                self.error(name, f"missing column(s) {', '.join(missing)}; found {', '.join(columns)}")
                return []
            return [(i + 2, rec) for i, rec in enumerate(records)]
        import pandas as pd  # an irregular file: pandas reads it (or names the problem) exactly as it always has

        try:
            header = [h.strip() for h in next(csv.reader(io.StringIO(text, newline="")), [])]
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as exc:
            self.error(name, f"cannot be read as CSV: {(str(exc).strip().splitlines() or ['empty'])[-1]}")
            return []
        repeated = sorted({h for h in header if header.count(h) > 1})
        if repeated:
            self.error(name, f"duplicate column(s) {', '.join(repr(h) for h in repeated)} in the header", 1)
            return []
        missing = [c for c in _COLUMNS[name] if c not in frame.columns]
        if missing:
            self.error(name, f"missing column(s) {', '.join(missing)}; found {', '.join(frame.columns)}")
            return []
        frame = frame.map(str.strip)
        records = cast("list[dict[str, str]]", frame.to_dict("records"))  # every cell is a stripped str
        return [(i + 2, rec) for i, rec in enumerate(records)]

    def number(self, file: str, row: int, column: str, raw: str, *, low: float, high: float | None,
               low_open: bool = False) -> float | None:
        try:
            value = float(raw)
        except ValueError:
            self.error(file, f"expected a number, got {shown(raw)}", row, column)
            return None
        too_low = value <= low if low_open else value < low
        if math.isnan(value) or math.isinf(value) or too_low or (high is not None and value > high):
            bound = f"{'(' if low_open else '['}{low}, {high if high is not None else 'inf'}]"
            self.error(file, f"expected a number in {bound}, got {shown(raw)}", row, column)
            return None
        return value

    def boolean(self, file: str, row: int, column: str, raw: str) -> bool | None:
        value = raw.lower()
        if value in ("true", "false"):
            return value == "true"
        self.error(file, f"expected true or false, got {shown(raw)}", row, column)
        return None

    def unique(self, file: str, rows: list[tuple[int, dict[str, str]]], column: str) -> None:
        """IDs in ``column`` are present and unique."""
        seen: dict[str, int] = {}
        for line, rec in rows:
            key = rec[column]
            if not key:
                self.error(file, "must not be empty", line, column)
            elif key in seen:
                self.error(file, f"duplicate ID {key!r} (first on row {seen[key]})", line, column)
            else:
                seen[key] = line


def _regular_csv(text: str) -> tuple[list[str], list[dict[str, str]]] | None:
    """The header and the stripped records of a regular CSV text, read with the csv module; None otherwise.

    Regular: a non-empty first line as the header, then rows of exactly the header's width (a fully empty line
    is skipped). On such a text ``pandas.read_csv(dtype=str, keep_default_na=False, skip_blank_lines=True)``
    followed by stripping every cell gives the same records, keyed by the header as written. Anything else
    (short or long rows, an empty or repeated column name, a line of only blanks or commas, a carriage return, a NUL, a
    stray quote) returns None, and pandas reads it as before, so its handling and its messages stay as they were.
    """
    if "\0" in text or "\r" in text:
        return None
    try:
        rows = csv.reader(io.StringIO(text, newline=""), strict=True)
        columns = next(rows, None)
        # pandas names an empty column "Unnamed: i", renames a repeated one and skips a blank first line
        if not columns or not all(c.strip() for c in columns) or len(set(columns)) != len(columns):
            return None
        records = []
        for row in rows:
            if not row:
                continue
            if len(row) != len(columns) or not "".join(row).strip():
                return None
            records.append(dict(zip(columns, (cell.strip() for cell in row), strict=True)))
    except csv.Error:
        return None
    return columns, records


def _split(raw: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in raw.split(";") if p.strip())


def parse_any_of(raw: str) -> tuple[tuple[Alternative, ...], ...]:
    """``"A|B+C;D"`` -> ``((("A",), ("B", "C")), (("D",),))``; an empty alternative stays empty (an error)."""
    groups = []
    for group in _split(raw):
        groups.append(tuple(tuple(f.strip() for f in alt.split("+") if f.strip()) for alt in group.split("|")))
    return tuple(groups)


def _read_sources(col: _Collector, data_dir: Path) -> dict[str, Source]:
    rows = col.read_csv(data_dir, "sources.csv")
    col.unique("sources.csv", rows, "source_id")
    return {r["source_id"]: Source(r["source_id"], r["kind"], r["citation"], r["identifier"]) for _, r in rows}


def _read_findings(col: _Collector, data_dir: Path, onto: Ontology, sources: dict[str, Source]) -> list[Finding]:
    file = "findings.csv"
    rows = col.read_csv(data_dir, file)
    col.unique(file, rows, "finding_id")
    findings = []
    for line, r in rows:
        fid = r["finding_id"]
        if HPO_ID_PATTERN.match(fid):
            if fid not in onto.terms or onto.terms[fid].obsolete:
                col.error(file, f"{fid} is not a current term of HPO release {onto.version}", line, "finding_id")
                continue
        elif not LOCAL_ID_PATTERN.match(fid):
            col.error(file, f"expected an HPO ID (HP:nnnnnnn) or a local ID (CT:name), got {fid!r}",
                      line, "finding_id")
            continue
        if r["group"] not in GROUPS:
            col.error(file, f"expected one of {', '.join(GROUPS)}, got {r['group']!r}", line, "group")
            continue
        for column in ("label", "lay_label"):
            if not r[column]:
                col.error(file, "must not be empty", line, column)
        # ``source`` and ``core`` are optional columns: a pack without them loads with "" and True.
        source = r.get("source", "")
        if source and source not in sources:
            col.error(file, f"unknown source_id {source!r} (not in sources.csv)", line, "source")
        elif "source" in r and not source:
            col.warning(file, f"finding {fid!r} has no source", line, "source")
        core = col.boolean(file, line, "core", r["core"]) if r.get("core") else True
        if core is None:
            continue
        findings.append(Finding(fid, r["label"], r["lay_label"] or r["label"], r["group"], r["description"],
                                _split(r.get("implies", "")), source, core))
    known = {f.id for f in findings}
    lines = {r["finding_id"]: line for line, r in rows}
    for f in findings:
        bad = [i for i in f.implies if i not in known or i == f.id]
        if bad:
            col.error(file, f"'implies' must name other findings of the pack; got {', '.join(bad)}",
                      lines[f.id], "implies")
    return findings


def _read_conditions(col: _Collector, data_dir: Path, sources: dict[str, Source]) -> list[Condition]:
    file = "conditions.csv"
    rows = col.read_csv(data_dir, file)
    col.unique(file, rows, "condition_id")
    conditions = []
    for line, r in rows:
        codes = {}
        for column, pattern in _CODE_PATTERNS.items():
            codes[column] = _split(r[column])
            for code in codes[column]:
                if not pattern.match(code):
                    col.error(file, f"malformed code {code!r}", line, column)
        prior = col.number(file, line, "prior", r["prior"], low=0.0, high=MAX_PRIOR, low_open=True)
        mnm = col.boolean(file, line, "must_not_miss", r["must_not_miss"])
        refs = _split(r["source"])
        for ref in refs:
            if ref not in sources:
                col.error(file, f"unknown source_id {ref!r} (not in sources.csv)", line, "source")
        floor, floor_ref = r.get("triage_floor", ""), r.get("triage_floor_source", "")  # optional columns
        if floor and triage_level(floor) is None:
            col.error(file, f"triage_floor must be one of {', '.join(TRIAGE_LEVELS)}, got {floor!r}", line,
                      "triage_floor")
        if bool(floor) != bool(floor_ref) or (floor_ref and floor_ref not in sources):
            col.error(file, f"a triage_floor needs a known triage_floor_source, got {floor_ref!r}", line,
                      "triage_floor_source")
        if prior is None or mnm is None or not r["condition_id"]:
            continue
        conditions.append(Condition(
            r["condition_id"], r["name"], r["lay_name"] or r["name"], codes["orpha"], codes["omim"],
            codes["icd10"], prior, mnm, r["summary"], refs, triage_level(floor), floor_ref,
        ))
    return conditions


def _read_profiles(col: _Collector, data_dir: Path, findings: list[Finding], conditions: list[Condition],
                   sources: dict[str, Source]) -> tuple[np.ndarray, np.ndarray, dict[tuple[str, str], str],
                                                       dict[tuple[str, str], str]]:
    file = "profiles.csv"
    f_index = {f.id: j for j, f in enumerate(findings)}
    c_index = {c.id: i for i, c in enumerate(conditions)}
    freq = np.zeros((len(conditions), len(findings)))
    hall = np.zeros_like(freq, dtype=bool)
    provenance: dict[tuple[str, str], str] = {}
    evidence: dict[tuple[str, str], str] = {}
    seen: dict[tuple[str, str], int] = {}
    for line, r in col.read_csv(data_dir, file):
        cid, fid = r["condition_id"], r["finding_id"]
        ok = True
        if cid not in c_index:
            col.error(file, f"unknown condition_id {cid!r} (not in conditions.csv)", line, "condition_id")
            ok = False
        if fid not in f_index:
            col.error(file, f"unknown finding_id {fid!r} (not in findings.csv)", line, "finding_id")
            ok = False
        if r["source"] not in sources:
            col.error(file, f"unknown source_id {r['source']!r} (not in sources.csv)", line, "source")
        value = col.number(file, line, "frequency", r["frequency"], low=0.0, high=1.0, low_open=True)
        is_hallmark = col.boolean(file, line, "hallmark", r["hallmark"])
        kind = r.get("evidence", "")  # optional column
        if kind and kind not in EVIDENCE:
            col.error(file, f"expected one of {', '.join(EVIDENCE)}, got {kind!r}", line, "evidence")
            ok = False
        if (cid, fid) in seen:
            col.error(file, f"duplicate row for {cid} × {fid} (first on row {seen[(cid, fid)]})", line)
            ok = False
        seen[(cid, fid)] = line
        if not ok or value is None or is_hallmark is None:
            continue
        freq[c_index[cid], f_index[fid]] = value
        hall[c_index[cid], f_index[fid]] = is_hallmark
        provenance[(cid, fid)] = r["source"]
        if kind:
            evidence[(cid, fid)] = kind
    for i, cond in enumerate(conditions):
        if not freq[i].any():
            col.error(file, f"condition {cond.id!r} has no profile rows")
        elif not hall[i].any():
            col.warning(file, f"condition {cond.id!r} has no hallmark finding")
    for j, finding in enumerate(findings):
        if not freq[:, j].any():
            col.warning(file, f"finding {finding.id!r} ({finding.label}) is in no profile; it cannot change a score")
    return freq, hall, provenance, evidence


def _read_red_flags(col: _Collector, data_dir: Path, findings: list[Finding],
                    sources: dict[str, Source], onto: Ontology) -> list[RedFlagRule]:
    file = "red_flags.csv"
    rows = col.read_csv(data_dir, file)
    col.unique(file, rows, "rule_id")
    known = {f.id for f in findings}
    rules = []
    for line, r in rows:
        ids = _split(r["findings"])
        any_of = parse_any_of(r.get("any_of", ""))
        bad = [i for i in ids if i not in known]
        if bad:
            col.error(file, f"unknown finding ID(s) {', '.join(bad)}", line, "findings")
            continue
        bad = [i for group in any_of for alt in group for i in alt if i not in known]
        malformed = any(not alt for group in any_of for alt in group)
        if bad or malformed:
            what = f"unknown finding ID(s) {', '.join(bad)}" if bad else "an empty alternative"
            col.error(file, f"{what}; expected groups separated by ';', alternatives by '|', "
                            "findings of one alternative by '+'", line, "any_of")
            continue
        level = triage_level(r["level"])
        if level is None:
            col.error(file, f"expected one of {', '.join(TRIAGE_LEVELS)}, got {r['level']!r}", line, "level")
            continue
        if r["source"] and r["source"] not in sources:
            col.error(file, f"unknown source_id {r['source']!r}", line, "source")
        try:
            context = parse_context_conditions(r.get("context", ""))
        except ValueError as exc:
            col.error(file, str(exc), line, "context")
            continue
        if not (ids or any_of or context):
            col.error(file, "a rule needs findings, any_of groups or context conditions", line, "findings")
            continue
        excepted = _split(r.get("except", ""))
        unknown = [e for e in excepted if not HPO_ID_PATTERN.match(e) or e not in onto]
        if unknown:
            col.error(file, f"unknown HPO term(s) {', '.join(unknown)}", line, "except")
            continue
        rules.append(RedFlagRule(r["rule_id"], ids, level, r["message"], r["source"], any_of, context,
                                 r.get("watch_for", ""), frozenset(onto.resolve(e) for e in excepted)))
    return rules


def _read_vital_bands(col: _Collector, data_dir: Path, findings: list[Finding],
                      sources: dict[str, Source]) -> list[VitalBand]:
    file = "vital_sign_bands.csv"
    known = {f.id for f in findings}
    bands = []
    for line, r in col.read_csv(data_dir, file):
        if r["vital"] not in VITAL_BY_KEY:
            col.error(file, f"unknown vital sign {r['vital']!r}; expected {', '.join(VITAL_BY_KEY)}", line, "vital")
            continue
        if r["age_group"] not in VITAL_AGE_GROUPS:
            col.error(file, f"expected one of {', '.join(VITAL_AGE_GROUPS)}, got {r['age_group']!r}", line, "age_group")
            continue
        low = -math.inf if r["low"] == "" else col.number(file, line, "low", r["low"], low=-1e6, high=1e6)
        high = math.inf if r["high"] == "" else col.number(file, line, "high", r["high"], low=-1e6, high=1e6)
        if low is None or high is None:
            continue
        if not low < high:
            col.error(file, f"low ({low:g}) must be below high ({high:g})", line, "high")
            continue
        kind, value = r["kind"], r["value"]
        if kind not in VITAL_KINDS:
            col.error(file, f"expected one of {', '.join(VITAL_KINDS)}, got {kind!r}", line, "kind")
            continue
        ok = {"news2": value in ("0", "1", "2", "3"), "level": triage_level(value) is not None,
              "finding": value in known}[kind]
        if not ok:
            expected = {"news2": "NEWS2 points 0-3", "level": f"one of {', '.join(TRIAGE_LEVELS)}",
                        "finding": "a finding_id of findings.csv"}[kind]
            col.error(file, f"expected {expected}, got {value!r}", line, "value")
            continue
        if r["source"] not in sources:
            col.error(file, f"unknown source_id {r['source']!r}", line, "source")
        bands.append(VitalBand(r["vital"], r["age_group"], low, high, kind, value, r["source"]))
    return bands


def _read_triage_costs(col: _Collector, data_dir: Path, sources: dict[str, Source]) -> np.ndarray:
    file = "triage_costs.csv"
    rows = col.read_csv(data_dir, file)
    by_ref = {r["reference"]: (line, r) for line, r in rows}
    if sorted(by_ref) != sorted(TRIAGE_LEVELS) or len(rows) != len(TRIAGE_LEVELS):
        col.error(file, f"expected one row per reference level ({', '.join(TRIAGE_LEVELS)}), got "
                        f"{', '.join(r['reference'] for _, r in rows) or 'none'}")
        return DEFAULT_TRIAGE_COSTS
    costs = np.zeros((len(TRIAGE_LEVELS), len(TRIAGE_LEVELS)))
    for i, ref in enumerate(TRIAGE_LEVELS):
        line, r = by_ref[ref]
        for j, assigned in enumerate(TRIAGE_LEVELS):
            value = col.number(file, line, assigned, r[assigned], low=0.0, high=1e6)
            costs[i, j] = math.nan if value is None else value
        if r["source"] not in sources:
            col.error(file, f"unknown source_id {r['source']!r}", line, "source")
    if np.isnan(costs).any():
        return DEFAULT_TRIAGE_COSTS
    if np.diag(costs).any() or not all(costs[i, j] > 0 for i in range(4) for j in range(4) if i != j):
        col.error(file, "the right level must cost 0 and every other level more than 0")
    for i in range(4):
        row = costs[i]
        if any(row[j] > row[j - 1] for j in range(1, i + 1)) or any(row[j] < row[j - 1] for j in range(i + 1, 4)):
            col.error(file, f"row {TRIAGE_LEVELS[i]}: the cost must grow with the distance from the right level")
    costs.setflags(write=False)
    return costs


def _read_accumulation(col: _Collector, data_dir: Path, sources: dict[str, Source]) -> dict[tuple[str, int], float]:
    file = "triage_accumulation.csv"
    out: dict[tuple[str, int], float] = {}
    for line, r in col.read_csv(data_dir, file):
        level = triage_level(r["level"])
        if level is None or level == "emergency":
            col.error(file, f"expected routine, soon or urgent, got {r['level']!r}", line, "level")
            continue
        count = col.number(file, line, "independent_reasons", r["independent_reasons"], low=1, high=1000)
        p = col.number(file, line, "p_next_level", r["p_next_level"], low=0.0, high=1.0)
        if count is None or p is None:
            continue
        if count != int(count):
            col.error(file, f"expected a whole number, got {r['independent_reasons']!r}", line, "independent_reasons")
            continue
        if r["source"] not in sources:
            col.error(file, f"unknown source_id {r['source']!r}", line, "source")
        if (level, int(count)) in out:
            col.error(file, f"duplicate row for {level} with {int(count)} reason(s)", line)
        out[(level, int(count))] = p
    return out


def _read_danger(col: _Collector, data_dir: Path, onto: Ontology,
                 sources: dict[str, Source]) -> tuple[DangerCategory, ...]:
    categories: dict[str, DangerCategory] = {}
    file = "danger_categories.csv"
    for line, r in col.read_csv(data_dir, file):
        level = triage_level(r["level"])
        if level is None:
            col.error(file, f"expected one of {', '.join(TRIAGE_LEVELS)}, got {r['level']!r}", line, "level")
            continue
        try:
            context = parse_context_conditions(r["context"])
        except ValueError as exc:
            col.error(file, str(exc), line, "context")
            continue
        if r["source"] not in sources:
            col.error(file, f"unknown source_id {r['source']!r}", line, "source")
        if r["category"] in categories or not r["message"]:
            col.error(file, "a category needs a unique name and a message", line, "category")
            continue
        categories[r["category"]] = DangerCategory(r["category"], level, context, r["message"], r["watch_for"],
                                                   r["source"])
    terms: dict[str, set[str]] = {c: set() for c in categories}
    file = "danger_terms.csv"
    for line, r in col.read_csv(data_dir, file):
        if r["category"] not in categories:
            col.error(file, f"unknown category {r['category']!r}", line, "category")
            continue
        if r["hpo_id"] not in onto or onto.terms[onto.resolve(r["hpo_id"])].obsolete:
            col.error(file, f"unknown or obsolete HPO term {r['hpo_id']!r}", line, "hpo_id")
            continue
        terms[r["category"]].add(onto.resolve(r["hpo_id"]))
    return tuple(replace(c, terms=frozenset(terms[c.category])) for c in categories.values())


def _read_relations(col: _Collector, data_dir: Path, conditions: list[Condition],
                    sources: dict[str, Source]) -> tuple[ConditionRelation, ...]:
    """``condition_relations.csv``, optional: a pack without it has no relations (and names no pair together)."""
    file = RELATIONS_FILE
    if not (data_dir / file).exists():
        return ()
    known = {c.id for c in conditions}
    relations: list[ConditionRelation] = []
    seen: dict[frozenset[str], int] = {}
    for line, r in col.read_csv(data_dir, file):
        lesion, underlying = r["lesion_id"], r["underlying_id"]
        ok = True
        for column, cid in (("lesion_id", lesion), ("underlying_id", underlying)):
            if cid not in known:
                col.error(file, f"unknown condition_id {cid!r} (not in conditions.csv)", line, column)
                ok = False
        if ok and lesion == underlying:
            col.error(file, f"a condition cannot be related to itself ({lesion!r})", line, "underlying_id")
            ok = False
        if r["relation"] not in RELATIONS:
            col.error(file, f"expected one of {', '.join(RELATIONS)}, got {r['relation']!r}", line, "relation")
            ok = False
        refs = _split(r["source"])
        if not refs:
            col.error(file, "a relation needs at least one source_id", line, "source")
            ok = False
        for ref in refs:
            if ref not in sources:
                col.error(file, f"unknown source_id {ref!r} (not in sources.csv)", line, "source")
                ok = False
        pair = frozenset((lesion, underlying))
        if pair in seen:  # either order: one pair, one relation
            col.error(file, f"duplicate relation between {lesion} and {underlying} (first on row {seen[pair]})", line)
            ok = False
        seen.setdefault(pair, line)
        if ok:
            relations.append(ConditionRelation(lesion, underlying, r["relation"], refs, r["note"]))
    return tuple(relations)


def _read_education(col: _Collector, data_dir: Path, conditions: list[Condition]) -> dict[str, dict[str, Any]]:
    folder = data_dir / "education"
    known = {c.id for c in conditions}
    education: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        name = f"education/{path.name}"
        if path.stem not in known:
            col.error(name, f"file name must be a condition_id; {path.stem!r} is not in conditions.csv")
            continue
        text = col.read_text(path, name)
        if text is None:
            continue
        try:
            education[path.stem] = parse_toml(text, name, PackError)
        except PackError as exc:
            col.error(name, f"cannot be read as TOML: {str(exc).removeprefix(f'{name}: not valid TOML: ')}")
    if DCC in known and not str(education.get(DCC, {}).get("disclaimer", "")).strip():
        col.error(f"education/{DCC}.toml", "the seed's disclaimer is missing (key 'disclaimer')")
    return education


def check_pack(data_dir: Path | None = None, ontology: Ontology | None = None) -> tuple[KnowledgePack | None,
                                                                                       list[Issue]]:
    """Read and check every pack file; return the pack (None if any error) and all issues found."""
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    onto = ontology or load_ontology()
    col = _Collector()
    sources = _read_sources(col, data_dir)
    findings = _read_findings(col, data_dir, onto, sources)
    conditions = _read_conditions(col, data_dir, sources)
    freq, hall, provenance, evidence = _read_profiles(col, data_dir, findings, conditions, sources)
    rules = _read_red_flags(col, data_dir, findings, sources, onto)
    bands = _read_vital_bands(col, data_dir, findings, sources)
    costs = _read_triage_costs(col, data_dir, sources)
    accumulation = _read_accumulation(col, data_dir, sources)
    danger = _read_danger(col, data_dir, onto, sources)
    education = _read_education(col, data_dir, conditions)
    relations = _read_relations(col, data_dir, conditions, sources)
    if any(i.level == "error" for i in col.issues):
        return None, col.issues
    pack = KnowledgePack(
        findings=tuple(findings), conditions=tuple(conditions), frequency=freq, hallmark=hall,
        profile_sources=provenance, red_flags=tuple(rules), sources=sources, education=education,
        ontology=onto, data_dir=data_dir, profile_evidence=evidence, vital_bands=tuple(bands), triage_costs=costs,
        triage_accumulation=accumulation, danger_categories=danger, relations=relations,
    )
    freq.setflags(write=False)
    hall.setflags(write=False)
    return pack, col.issues


def load_pack(data_dir: Path | None = None, ontology: Ontology | None = None) -> KnowledgePack:
    """Load the validated pack from ``data_dir`` (default: the project's ``data/``).

    Raises
    ------
    PackError
        Naming the first error (file, row, column) and how many more there are.
    """
    pack, issues = check_pack(data_dir, ontology)
    if pack is None:
        errors = [i for i in issues if i.level == "error"]
        more = f" (and {len(errors) - 1} more error(s); run `python -m engine validate`)" if len(errors) > 1 else ""
        raise PackError(f"{errors[0].describe()}{more}")
    return pack

