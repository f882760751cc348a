"""Analyst weights: per-finding multipliers, per-condition priors and method parameters.

Weights are validated once, at the edge (file, upload, editor table), with
messages that name the entry, what was expected and what was received.
Exports are safe to open in a spreadsheet (no cell starts a formula).
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from engine.errors import WeightsError, one_line, shown
from engine.hpo.similarity import DEFAULT_SIMILARITY_FLOOR
from engine.io.readers import check_size, decode_text, parse_toml, read_bounded
from engine.knowledge.pack import KnowledgePack

MAX_UPLOAD_BYTES = 1_000_000
MAX_LISTED_PROBLEMS = 10
WEIGHTS_FILE_NAME = "weights.toml"  # in the pack folder, beside findings.csv


@dataclass(frozen=True)
class ParamSpec:
    """One method parameter: its default, allowed range or choices, and meaning."""

    default: float | str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    integer: bool = False
    help: str = ""


PARAM_SPECS: Mapping[str, ParamSpec] = MappingProxyType({
    "hallmark_bonus": ParamSpec(1.0, 0.0, 10.0, help="weighted: extra share of a hallmark finding's contribution"),
    "absent_penalty": ParamSpec(1.0, 0.0, 10.0, help="weighted: penalty factor for a finding reported absent"),
    "absent_weight": ParamSpec(0.0, 0.0, 1.0,
                               help="tfidf: how much a finding marked absent counts against a condition, "
                                    "relative to the same finding present (0: ignored)"),
    "missing_hallmark_penalty": ParamSpec(0.1, 0.0, 10.0,
                                          help="weighted: penalty factor for a hallmark not reported at all"),
    "leak": ParamSpec(0.02, 1e-6, 0.5, help="likelihood: chance of a finding outside a condition's profile"),
    "max_frequency": ParamSpec(0.99, 0.5, 0.999999,
                               help="likelihood: frequency cap so that an absent finding is never impossible"),
    "similarity_floor": ParamSpec(DEFAULT_SIMILARITY_FLOOR, 0.0, 1.0,
                                  help="mapping: least similarity (Lin, 0..1) for an HPO term outside the pack "
                                       "to count partly for a pack finding"),
    "overlap_similarity": ParamSpec("jaccard", choices=("jaccard", "dice", "cosine"),
                                    help="overlap: set similarity"),
    "next_question_candidates": ParamSpec(5, 2, 50, integer=True,
                                          help="next best question: how many top candidates to separate"),
})


#: Parameters that no longer exist, with why. A weights file that still sets one loads (the value is
#: ignored, with a warning) so that saved analyses keep working.
RETIRED_PARAMS: Mapping[str, str] = MappingProxyType({
    "ancestor_credit": "a more general HPO term no longer gets a fixed credit; it counts by its similarity "
                       "to the pack finding, above 'similarity_floor'",
})


def _current_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` without retired keys; each retired key found is reported once as a warning."""
    for key in sorted(set(params) & set(RETIRED_PARAMS)):
        warnings.warn(f"weights parameter {key!r} is retired and ignored: {RETIRED_PARAMS[key]}",
                      UserWarning, stacklevel=3)
    return {k: v for k, v in params.items() if k not in RETIRED_PARAMS}


def _frozen(d: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class Params:
    """The method parameters, typed (one field per :data:`PARAM_SPECS` entry, in its order).

    Build one with :meth:`from_mapping`, which fills every parameter not given with its
    :data:`PARAM_SPECS` default: the specs are the one source of the defaults.
    """

    hallmark_bonus: float
    absent_penalty: float
    absent_weight: float
    missing_hallmark_penalty: float
    leak: float
    max_frequency: float
    similarity_floor: float
    overlap_similarity: str
    next_question_candidates: int

    @classmethod
    def from_mapping(cls, values: Mapping[str, float | str] = MappingProxyType({})) -> Params:
        """``values`` (already validated, e.g. by :func:`validate_weights`) over the defaults.

        Raises
        ------
        WeightsError
            For a key that is not a parameter.
        """
        unknown = sorted(set(values) - set(PARAM_SPECS))
        if unknown:
            raise WeightsError(f"unknown parameter(s) {', '.join(map(shown, unknown))}; "
                               f"known: {', '.join(PARAM_SPECS)}")
        v = {k: s.default for k, s in PARAM_SPECS.items()} | dict(values)
        return cls(
            hallmark_bonus=float(v["hallmark_bonus"]),
            absent_penalty=float(v["absent_penalty"]),
            absent_weight=float(v["absent_weight"]),
            missing_hallmark_penalty=float(v["missing_hallmark_penalty"]),
            leak=float(v["leak"]),
            max_frequency=float(v["max_frequency"]),
            similarity_floor=float(v["similarity_floor"]),
            overlap_similarity=str(v["overlap_similarity"]),
            next_question_candidates=int(v["next_question_candidates"]),
        )

    def as_dict(self) -> dict[str, float | str]:
        """Name to value, in :data:`PARAM_SPECS` order (for export, tables and diffs)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULT_PARAMS = Params.from_mapping()


@dataclass(frozen=True)
class Weights:
    """A full, validated set of weights for one pack.

    Every finding of the pack has a weight and every condition a prior; use
    :func:`default_weights` and :meth:`replace` rather than building one by hand.
    """

    finding_weights: Mapping[str, float]
    priors: Mapping[str, float]
    params: Params = DEFAULT_PARAMS

    def __post_init__(self) -> None:
        object.__setattr__(self, "finding_weights", _frozen(self.finding_weights))
        object.__setattr__(self, "priors", _frozen(self.priors))

    def key(self) -> tuple[object, ...]:
        """A hashable fingerprint, for caches."""
        return (tuple(sorted(self.finding_weights.items())), tuple(sorted(self.priors.items())), self.params)

    def replace(self, *, finding_weights: Mapping[str, float] | None = None,
                priors: Mapping[str, float] | None = None,
                params: Mapping[str, float | str] | None = None) -> Weights:
        """A copy with some entries changed (merged, not replaced wholesale)."""
        return Weights(dict(self.finding_weights) | dict(finding_weights or {}),
                       dict(self.priors) | dict(priors or {}),
                       Params.from_mapping(self.params.as_dict() | dict(params or {})))

    def diff(self, other: Weights) -> list[tuple[str, str, Any, Any]]:
        """Entries that differ: (kind, key, self's value, other's value)."""
        out = []
        for kind, mine, theirs in (("finding", self.finding_weights, other.finding_weights),
                                   ("prior", self.priors, other.priors),
                                   ("param", self.params.as_dict(), other.params.as_dict())):
            for key in sorted(set(mine) | set(theirs)):
                if mine.get(key) != theirs.get(key):
                    out.append((kind, key, mine.get(key), theirs.get(key)))
        return out


def _check_number(kind: str, key: str, raw: Any, low: float = 0.0, high: float | None = None) -> float:
    if isinstance(raw, bool):
        raise WeightsError(f"{kind} {shown(key)}: expected a number, got {shown(raw)}")
    try:
        value = float(raw)
    except OverflowError:  # an integer of hundreds of digits
        raise WeightsError(f"{kind} {shown(key)}: expected a finite number, got {shown(raw)}") from None
    except (TypeError, ValueError):
        raise WeightsError(f"{kind} {shown(key)}: expected a number, got {shown(raw)}") from None
    if math.isnan(value) or math.isinf(value):
        raise WeightsError(f"{kind} {shown(key)}: expected a finite number, got {shown(raw)}")
    if value < low or (high is not None and value > high):
        rng = f"{low} to {high}" if high is not None else f"at least {low}"
        raise WeightsError(f"{kind} {shown(key)}: expected {rng}, got {value:g}")
    return value


def _check_param(key: str, raw: Any) -> float | str:
    spec = PARAM_SPECS.get(key)
    if spec is None:
        raise WeightsError(f"unknown parameter {shown(key)}; known: {', '.join(PARAM_SPECS)}")
    if spec.choices:
        if not isinstance(raw, str) or raw not in spec.choices:
            raise WeightsError(f"parameter {key!r}: expected one of {', '.join(spec.choices)}, got {shown(raw)}")
        return str(raw)
    value = _check_number("parameter", key, raw, spec.low or 0.0, spec.high)
    if spec.integer:
        if value != int(value):
            raise WeightsError(f"parameter {key!r}: expected a whole number, got {shown(raw)}")
        return int(value)
    return value


def validate_weights(pack: KnowledgePack, finding_weights: Mapping[str, Any], priors: Mapping[str, Any],
                     params: Mapping[str, Any]) -> Weights:
    """Check partial weights against ``pack`` and complete them with the pack's defaults.

    Raises
    ------
    WeightsError
        On an unknown finding/condition/parameter, a NaN, infinite, negative or
        out-of-range value; the message names every such entry (``problems`` lists them).
    """
    return _validate(pack, finding_weights, priors, params, [])


def _raise_problems(problems: list[str]) -> None:
    """One WeightsError line listing every problem (the first few, and how many more)."""
    if len(problems) == 1:
        raise WeightsError(problems[0])
    if problems:  # every problem at once, so an analyst can fix them in one go
        listed = problems[:MAX_LISTED_PROBLEMS]
        more = f"; and {len(problems) - len(listed)} more" if len(problems) > len(listed) else ""
        raise WeightsError(f"{len(problems)} problems: " + "; ".join(listed) + more, tuple(problems))


def _validate(pack: KnowledgePack, finding_weights: Mapping[str, Any], priors: Mapping[str, Any],
              params: Mapping[str, Any], problems: list[str]) -> Weights:
    """Validate every entry, adding each problem to ``problems``; raise once, listing them all."""
    defaults = default_weights(pack)
    fw = dict(defaults.finding_weights)
    pr = dict(defaults.priors)
    pa: dict[str, float | str] = {}
    for key, raw in finding_weights.items():
        try:
            if key not in fw:
                raise WeightsError(f"finding weight for unknown finding ID {shown(key)} (not in the pack)")
            fw[key] = _check_number("finding weight", key, raw, 0.0, 100.0)
        except WeightsError as exc:
            problems.append(str(exc))
    for key, raw in priors.items():
        try:
            if key not in pr:
                raise WeightsError(f"prior for unknown condition_id {shown(key)} (not in the pack)")
            pr[key] = _check_number("prior", key, raw, 0.0, 1e6)
            if pr[key] == 0.0:
                raise WeightsError(f"prior {shown(key)}: expected a number above 0, got 0")
        except WeightsError as exc:
            problems.append(str(exc))
    for key, raw in _current_params(params).items():
        try:
            pa[key] = _check_param(key, raw)
        except WeightsError as exc:
            problems.append(str(exc))
    _raise_problems(problems)
    return Weights(fw, pr, Params.from_mapping(pa))


def default_weights(pack: KnowledgePack) -> Weights:
    """Weight 1 for every finding, the pack's priors, and the parameters of the pack folder's ``weights.toml``
    (the built-in parameter defaults when the folder has none)."""
    base = Weights({f.id: 1.0 for f in pack.findings}, {c.id: c.prior for c in pack.conditions})
    path = pack.data_dir / WEIGHTS_FILE_NAME
    if not path.is_file():
        return base
    content = read_bounded(path, MAX_UPLOAD_BYTES, "weights file", WeightsError)
    data = parse_toml(decode_text(content, path.name, WeightsError), path.name, WeightsError)
    return base.replace(
        finding_weights={k: v for k, v in data.get("finding_weights", {}).items() if k in base.finding_weights},
        priors={k: v for k, v in data.get("priors", {}).items() if k in base.priors},
        params={k: _check_param(k, v) for k, v in _current_params(data.get("params", {})).items()},
    )


# --- reading and writing -------------------------------------------------------------------------------

def parse_weights(pack: KnowledgePack, content: bytes, filename: str) -> Weights:
    """Parse an uploaded or saved weights file (``.toml`` or ``.csv``), validated against ``pack``.

    Entries not in the file keep the pack's defaults. Every problem in the file is reported at
    once, in one line that starts with ``filename``.
    """
    check_size(len(content), MAX_UPLOAD_BYTES, filename, WeightsError)
    text = decode_text(content, filename, WeightsError)
    suffix = Path(filename).suffix.lower()
    problems: list[str] = []
    if suffix == ".toml":
        sections = _parse_toml(text, filename, problems)
    elif suffix == ".csv":
        sections = _parse_csv(text, filename, problems)
    else:
        raise WeightsError(f"{filename}: expected a .toml or .csv file, got {suffix or 'no extension'!r}")
    try:
        return _validate(pack, sections["finding"], sections["prior"], sections["param"], problems)
    except WeightsError as exc:
        raise WeightsError(f"{filename}: {exc}") from None


def load_weights(pack: KnowledgePack, path: Path | str) -> Weights:
    """Read a weights file from disk (see :func:`parse_weights`); refused unreadly when over 1 MB."""
    content = read_bounded(path, MAX_UPLOAD_BYTES, "weights file", WeightsError)
    return parse_weights(pack, content, Path(path).name)


def _parse_toml(text: str, filename: str, problems: list[str]) -> dict[str, dict[str, Any]]:
    data = parse_toml(text, filename, WeightsError)
    unknown = set(data) - {"finding_weights", "priors", "params"}
    if unknown:
        problems.append(f"unknown section(s) {', '.join(sorted(one_line(u)[:30] for u in unknown))}; "
                        "expected finding_weights, priors, params")
    out: dict[str, dict[str, Any]] = {}
    for section, kind in (("finding_weights", "finding"), ("priors", "prior"), ("params", "param")):
        table = data.get(section, {})
        if not isinstance(table, dict):
            problems.append(f"[{section}] must be a table of key = value")
            table = {}
        out[kind] = table
    return out


def _parse_csv(text: str, filename: str, problems: list[str]) -> dict[str, dict[str, Any]]:
    # newline="" semantics: a CR-only file, or a bare CR inside a row, is read rather than refused
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(rows, [])]
        if header[:3] != ["kind", "key", "value"]:
            raise WeightsError(f"{filename}: expected the header kind,key,value; got {shown(header)}")
        out: dict[str, dict[str, Any]] = {"finding": {}, "prior": {}, "param": {}}
        for line, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            kind, key, value = ((row[i] if i < len(row) else "").strip() for i in range(3))
            key, value = unescape_cell(key), unescape_cell(value)
            if kind not in out:
                problems.append(f"row {line}, column 'kind': expected finding, prior or param, got {shown(kind)}")
            elif key in out[kind]:
                problems.append(f"row {line}: duplicate {kind} {shown(key)}")
            else:
                out[kind][key] = value
    except csv.Error as exc:
        raise WeightsError(f"{filename}: not valid CSV: {exc}") from None
    return out


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def escape_cell(value: str) -> str:
    """Make a CSV cell inert in spreadsheets (OWASP CSV injection advice).

    A cell that starts a formula gets a leading quote; so does one that already starts with a
    quote, so that :func:`unescape_cell` gives back exactly the original text.
    """
    return _QUOTE + value if value.startswith((*_FORMULA_START, _QUOTE)) else value


def unescape_cell(value: str) -> str:
    """The inverse of :func:`escape_cell`: drop one leading quote."""
    return value[1:] if value.startswith(_QUOTE) else value




def weights_to_csv(weights: Weights) -> str:
    """All weights as CSV rows ``kind,key,value``; safe to open in a spreadsheet."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["kind", "key", "value"])
    for kind, mapping in (("finding", weights.finding_weights), ("prior", weights.priors),
                          ("param", weights.params.as_dict())):
        for key, value in mapping.items():
            writer.writerow([kind, escape_cell(str(key)), escape_cell(str(value))])
    return buf.getvalue()


def _toml_value(value: float | str) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value) if isinstance(value, float) else str(value)


def weights_to_toml(weights: Weights) -> str:
    """All weights as TOML, readable by :func:`parse_weights`."""
    lines = ["# calcinosis-triage weights", "", "[params]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in weights.params.as_dict().items()]
    lines += ["", "[finding_weights]"]
    lines += [f'"{k}" = {_toml_value(v)}' for k, v in weights.finding_weights.items()]
    lines += ["", "[priors]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in weights.priors.items()]
    return "\n".join(lines) + "\n"
