"""An optional "about you" (age band, sex) that adjusts the conditions' priors, each change with its source.

Rules live in ``data/context_priors.csv`` (condition_id, factor, value, multiplier, source, evidence).
The sources give the direction ("more common in children"); the multiplier is a coarse modelling
choice (2.0 for every rule, see docs/frequencies.md, *About you*), not a number taken from the sources.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from engine.errors import InputError, PackError
from engine.io.readers import read_csv_rows
from engine.knowledge.pack import MAX_PACK_FILE_BYTES, KnowledgePack
from engine.knowledge.weights import Weights

CONTEXT_FILE = "context_priors.csv"
AGE_BANDS: dict[str, str] = {"child": "Child or teenager (under 16)", "adult": "Adult (16 to 64)",
                             "older": "65 or older"}
#: The prior group of each age band of the course-and-context answers (engine.io.presentation).
PRIOR_GROUP: dict[str, str] = {"under_3_months": "child", "3_months_to_4_years": "child", "5_to_15_years": "child",
                               "16_to_64_years": "adult", "65_or_older": "older"}
SEXES: dict[str, str] = {"female": "Female", "male": "Male"}
FACTORS = {"age_band": AGE_BANDS, "sex": SEXES}


@dataclass(frozen=True)
class ContextRule:
    """Multiply ``condition_id``'s prior by ``multiplier`` when ``factor`` (age_band or sex) is ``value``."""

    condition_id: str
    factor: str
    value: str
    multiplier: float
    source: str
    evidence: str


def load_context_rules(pack: KnowledgePack, data_dir: Path | None = None) -> tuple[ContextRule, ...]:
    """The rules, checked against ``pack`` (known condition, factor, value and source; multiplier above 0)."""
    path = (data_dir or pack.data_dir) / CONTEXT_FILE  # beside the pack it adjusts
    rows = read_csv_rows(path, MAX_PACK_FILE_BYTES, PackError)
    rules = []
    for line, r in enumerate(rows, start=2):
        where = f"{CONTEXT_FILE}, row {line}"
        if r.get("condition_id") not in pack.condition_index:
            raise PackError(f"{where}, column 'condition_id': unknown condition {r.get('condition_id')!r}")
        if r.get("factor") not in FACTORS or r.get("value") not in FACTORS[r["factor"]]:
            raise PackError(f"{where}: unknown factor/value {r.get('factor')!r}/{r.get('value')!r}")
        if r.get("source") not in pack.sources:
            raise PackError(f"{where}, column 'source': unknown source_id {r.get('source')!r}")
        try:
            multiplier = float(r["multiplier"])
        except (TypeError, ValueError):
            multiplier = math.nan
        if not math.isfinite(multiplier) or multiplier <= 0:
            raise PackError(f"{where}, column 'multiplier': expected a number above 0, got {r.get('multiplier')!r}")
        rules.append(ContextRule(r["condition_id"], r["factor"], r["value"], multiplier, r["source"],
                                 (r.get("evidence") or "").strip()))
    return tuple(rules)


@lru_cache(maxsize=8)  # read and checked once per pack: every result and every interview step asks for them
def pack_context_rules(pack: KnowledgePack) -> tuple[ContextRule, ...]:
    """The rules beside ``pack``; none for a pack without ``context_priors.csv`` (the "about you" is optional)."""
    return load_context_rules(pack) if (pack.data_dir / CONTEXT_FILE).is_file() else ()


def applicable(rules: Sequence[ContextRule], age_band: str | None = None,
               sex: str | None = None) -> tuple[ContextRule, ...]:
    """The rules that apply to this person (raises ``InputError`` for an unknown age band or sex); ``age_band``
    is a prior group (child, adult, older) or an age band of the course-and-context answers."""
    age_band = PRIOR_GROUP.get(age_band, age_band) if age_band is not None else None
    if age_band is not None and age_band not in AGE_BANDS:
        raise InputError(f"unknown age band {age_band!r}; expected one of {', '.join(AGE_BANDS)}")
    if sex is not None and sex not in SEXES:
        raise InputError(f"unknown sex {sex!r}; expected one of {', '.join(SEXES)}")
    given = {"age_band": age_band, "sex": sex}
    return tuple(r for r in rules if given[r.factor] == r.value)


def adjust_weights(weights: Weights, rules: Sequence[ContextRule], age_band: str | None = None,
                   sex: str | None = None) -> tuple[Weights, tuple[ContextRule, ...]]:
    """``weights`` with the priors multiplied by the applicable rules, and those rules (unchanged if none)."""
    used = applicable(rules, age_band, sex)
    if not used:
        return weights, ()
    priors = dict(weights.priors)
    for r in used:
        priors[r.condition_id] *= r.multiplier
    return weights.replace(priors=priors), used
