"""Analyst weights: per-finding multipliers, per-condition priors and method parameters.

Weights are validated once, at the edge (file, upload, editor table), with
messages that name the entry, what was expected and what was received.
Exports are safe to open in a spreadsheet (no cell starts a formula).
"""

from __future__ import annotations

import csv
import io
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from engine.errors import WeightsError
from engine.pack import DATA_DIR, KnowledgePack

MAX_UPLOAD_BYTES = 1_000_000
DEFAULT_WEIGHTS_FILE = DATA_DIR / "weights.toml"


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
    "missing_hallmark_penalty": ParamSpec(0.1, 0.0, 10.0,
                                          help="weighted: penalty factor for a hallmark not reported at all"),
    "leak": ParamSpec(0.02, 1e-6, 0.5, help="likelihood: chance of a finding outside a condition's profile"),
    "max_frequency": ParamSpec(0.99, 0.5, 0.999999,
                               help="likelihood: frequency cap so that an absent finding is never impossible"),
    "ancestor_credit": ParamSpec(0.5, 0.0, 1.0,
                                 help="mapping: credit when a ticked HPO term is more general than a pack finding"),
    "overlap_similarity": ParamSpec("jaccard", choices=("jaccard", "dice", "cosine"),
                                    help="overlap: set similarity"),
    "next_question_candidates": ParamSpec(5, 2, 50, integer=True,
                                          help="next best question: how many top candidates to separate"),
})


def _frozen(d: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class Weights:
    """A full, validated set of weights for one pack.

    Every finding of the pack has a weight and every condition a prior; use
    :func:`default_weights` and :meth:`replace` rather than building one by hand.
    """

    finding_weights: Mapping[str, float]
    priors: Mapping[str, float]
    params: Mapping[str, float | str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "finding_weights", _frozen(self.finding_weights))
        object.__setattr__(self, "priors", _frozen(self.priors))
        object.__setattr__(self, "params", _frozen({k: s.default for k, s in PARAM_SPECS.items()} | dict(self.params)))

    def param(self, name: str) -> Any:
        return self.params[name]

    def key(self) -> tuple:
        """A hashable fingerprint, for caches."""
        return (tuple(sorted(self.finding_weights.items())), tuple(sorted(self.priors.items())),
                tuple(sorted((k, str(v)) for k, v in self.params.items())))

    def replace(self, *, finding_weights: Mapping[str, float] | None = None,
                priors: Mapping[str, float] | None = None,
                params: Mapping[str, float | str] | None = None) -> Weights:
        """A copy with some entries changed (merged, not replaced wholesale)."""
        return Weights(dict(self.finding_weights) | dict(finding_weights or {}),
                       dict(self.priors) | dict(priors or {}),
                       dict(self.params) | dict(params or {}))

    def diff(self, other: Weights) -> list[tuple[str, str, Any, Any]]:
        """Entries that differ: (kind, key, self's value, other's value)."""
        out = []
        for kind, mine, theirs in (("finding", self.finding_weights, other.finding_weights),
                                   ("prior", self.priors, other.priors),
                                   ("param", self.params, other.params)):
            for key in sorted(set(mine) | set(theirs)):
                if mine.get(key) != theirs.get(key):
                    out.append((kind, key, mine.get(key), theirs.get(key)))
        return out


def _check_number(kind: str, key: str, raw: Any, low: float = 0.0, high: float | None = None) -> float:
    if isinstance(raw, bool):
        raise WeightsError(f"{kind} {key!r}: expected a number, got {raw!r}")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise WeightsError(f"{kind} {key!r}: expected a number, got {raw!r}") from None
    if math.isnan(value) or math.isinf(value):
        raise WeightsError(f"{kind} {key!r}: expected a finite number, got {raw!r}")
    if value < low or (high is not None and value > high):
        rng = f"{low} to {high}" if high is not None else f"at least {low}"
        raise WeightsError(f"{kind} {key!r}: expected {rng}, got {value:g}")
    return value


def _check_param(key: str, raw: Any) -> float | str:
    spec = PARAM_SPECS.get(key)
    if spec is None:
        raise WeightsError(f"unknown parameter {key!r}; known: {', '.join(PARAM_SPECS)}")
    if spec.choices:
        if raw not in spec.choices:
            raise WeightsError(f"parameter {key!r}: expected one of {', '.join(spec.choices)}, got {raw!r}")
        return str(raw)
    value = _check_number("parameter", key, raw, spec.low or 0.0, spec.high)
    if spec.integer:
        if value != int(value):
            raise WeightsError(f"parameter {key!r}: expected a whole number, got {raw!r}")
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
    defaults = default_weights(pack)
    problems: list[str] = []

    def checked(check: Any, *args: Any) -> Any:
        try:
            return check(*args)
        except WeightsError as exc:
            problems.append(str(exc))
            return None

    fw = dict(defaults.finding_weights)
    for key, raw in finding_weights.items():
        if key not in fw:
            problems.append(f"finding weight for unknown finding ID {key!r} (not in the pack)")
            continue
        value = checked(_check_number, "finding weight", key, raw, 0.0, 100.0)
        fw[key] = fw[key] if value is None else value
    pr = dict(defaults.priors)
    for key, raw in priors.items():
        if key not in pr:
            problems.append(f"prior for unknown condition_id {key!r} (not in the pack)")
            continue
        value = checked(_check_number, "prior", key, raw, 0.0, 1e6)
        if value == 0.0:
            problems.append(f"prior {key!r}: expected a number above 0, got 0")
        elif value is not None:
            pr[key] = value
    pa = {key: checked(_check_param, key, raw) for key, raw in params.items()}
    if problems:  # every problem at once, so an analyst can fix them in one go
        raise WeightsError("; ".join(problems), tuple(problems))
    return Weights(fw, pr, pa)


def default_weights(pack: KnowledgePack) -> Weights:
    """Weight 1 for every finding, the pack's priors, and the parameters of ``data/weights.toml``."""
    base = Weights({f.id: 1.0 for f in pack.findings}, {c.id: c.prior for c in pack.conditions})
    if pack.name != "curated" or not DEFAULT_WEIGHTS_FILE.is_file():
        return base
    data = tomllib.loads(DEFAULT_WEIGHTS_FILE.read_text(encoding="utf-8"))
    return base.replace(
        finding_weights={k: v for k, v in data.get("finding_weights", {}).items() if k in base.finding_weights},
        priors={k: v for k, v in data.get("priors", {}).items() if k in base.priors},
        params={k: _check_param(k, v) for k, v in data.get("params", {}).items()},
    )


# --- reading and writing -------------------------------------------------------------------------------

def parse_weights(pack: KnowledgePack, content: bytes, filename: str) -> Weights:
    """Parse an uploaded or saved weights file (``.toml`` or ``.csv``), validated against ``pack``.

    Entries not in the file keep the pack's defaults.
    """
    if len(content) > MAX_UPLOAD_BYTES:
        raise WeightsError(f"{filename}: file is {len(content):,} bytes; the limit is {MAX_UPLOAD_BYTES:,} bytes")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WeightsError(f"{filename}: not UTF-8 text") from None
    suffix = Path(filename).suffix.lower()
    if suffix == ".toml":
        sections = _parse_toml(text, filename)
    elif suffix == ".csv":
        sections = _parse_csv(text, filename)
    else:
        raise WeightsError(f"{filename}: expected a .toml or .csv file, got {suffix or 'no extension'!r}")
    try:
        return validate_weights(pack, sections["finding"], sections["prior"], sections["param"])
    except WeightsError as exc:
        raise WeightsError(f"{filename}: {exc}") from None


def load_weights(pack: KnowledgePack, path: Path | str) -> Weights:
    """Read a weights file from disk (see :func:`parse_weights`)."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise WeightsError(f"cannot read weights file {path}: {exc.strerror}") from None
    return parse_weights(pack, content, path.name)


def _parse_toml(text: str, filename: str) -> dict[str, dict[str, Any]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WeightsError(f"{filename}: not valid TOML: {exc}") from None
    unknown = set(data) - {"finding_weights", "priors", "params"}
    if unknown:
        raise WeightsError(f"{filename}: unknown section(s) {', '.join(sorted(unknown))}; "
                           "expected finding_weights, priors, params")
    for section in ("finding_weights", "priors", "params"):
        if not isinstance(data.get(section, {}), dict):
            raise WeightsError(f"{filename}: [{section}] must be a table of key = value")
    return {"finding": data.get("finding_weights", {}), "prior": data.get("priors", {}),
            "param": data.get("params", {})}


def _parse_csv(text: str, filename: str) -> dict[str, dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames[:3]] != ["kind", "key", "value"]:
        raise WeightsError(f"{filename}: expected the header kind,key,value; got {reader.fieldnames}")
    out: dict[str, dict[str, Any]] = {"finding": {}, "prior": {}, "param": {}}
    for line, row in enumerate(reader, start=2):
        kind, key, value = (str(row.get(c) or "").strip() for c in ("kind", "key", "value"))
        key, value = _unescape_cell(key), _unescape_cell(value)
        if kind not in out:
            raise WeightsError(f"{filename}, row {line}, column 'kind': expected finding, prior or param, "
                               f"got {kind!r}")
        if key in out[kind]:
            raise WeightsError(f"{filename}, row {line}: duplicate {kind} {key!r}")
        out[kind][key] = value
    return out


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: str) -> str:
    """Make a CSV cell inert in spreadsheets (OWASP CSV injection advice)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _unescape_cell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def weights_to_csv(weights: Weights) -> str:
    """All weights as CSV rows ``kind,key,value``; safe to open in a spreadsheet."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["kind", "key", "value"])
    for kind, mapping in (("finding", weights.finding_weights), ("prior", weights.priors),
                          ("param", weights.params)):
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
    lines += [f"{k} = {_toml_value(v)}" for k, v in weights.params.items()]
    lines += ["", "[finding_weights]"]
    lines += [f'"{k}" = {_toml_value(v)}' for k, v in weights.finding_weights.items()]
    lines += ["", "[priors]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in weights.priors.items()]
    return "\n".join(lines) + "\n"
