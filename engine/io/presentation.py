"""Course and context of a presentation: what decides the urgency beside the findings themselves.

In this differential the same lump is routine when it has been there for years and urgent when it appeared
in hours with a fever; a known, treated systemic sclerosis needs no new specialist referral, a new one does;
a fever means one thing in an adult and another in a baby under 3 months. These inputs are optional: an
unanswered item is unknown, never "normal".

Only what a person can report at first contact is coded, never later events (admission, an operation, a biopsy
result). The case-file keys (``course``, ``unwell``, ``context``, ``vitals``) and their values are in
``docs/case-format.md``; the standard codes each answer is written as (HPO clinical modifiers and onset terms,
phenopacket ``subject`` fields, LOINC vital-sign measurements) are in :data:`ONSET_TERMS`,
:data:`TRAJECTORY_TERMS` and :data:`VITAL_SIGNS`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal, get_args

from engine.errors import InputError, shown

Onset = Literal["hours", "days", "weeks", "months_or_more"]
Trajectory = Literal["worsening_fast", "worsening_slowly", "stable", "improving"]
KnownCondition = Literal["none", "known_untreated", "known_treated"]
Activities = Literal["as_usual", "reduced", "unable"]
EatingDrinking = Literal["as_usual", "reduced", "not_drinking"]
Urine = Literal["as_usual", "reduced", "none_for_a_day"]
AgeBand = Literal["under_3_months", "3_months_to_4_years", "5_to_15_years", "16_to_64_years", "65_or_older"]
Sex = Literal["female", "male"]
Immunosuppression = Literal["none", "steroids", "immunosuppressant_or_biologic", "chemotherapy", "transplant",
                            "other"]

#: Plain-language wording of every answer, for the Check page, summaries and rater sheets.
WORDING: dict[str, dict[str, str]] = {
    "onset": {"hours": "started within the last hours", "days": "started a few days ago",
              "weeks": "started weeks ago", "months_or_more": "has been there for months or longer"},
    "trajectory": {"worsening_fast": "getting worse fast (hour by hour or day by day)",
                   "worsening_slowly": "getting worse slowly", "stable": "not changing",
                   "improving": "getting better"},
    "known_condition": {"none": "not diagnosed before",
                        "known_untreated": "already diagnosed by a clinician, not treated",
                        "known_treated": "already diagnosed and being treated"},
    "activities": {"as_usual": "doing usual activities", "reduced": "doing less than usual",
                   "unable": "unable to do usual activities (in bed most of the day)"},
    "eating_drinking": {"as_usual": "eating and drinking as usual", "reduced": "eating or drinking less",
                        "not_drinking": "not drinking, or unable to keep fluids down"},
    "urine": {"as_usual": "passing urine as usual", "reduced": "passing much less urine than usual",
              "none_for_a_day": "no urine for a day or more"},
    "age_band": {"under_3_months": "a baby under 3 months", "3_months_to_4_years": "a child of 3 months to 4 years",
                 "5_to_15_years": "a child of 5 to 15 years", "16_to_64_years": "an adult of 16 to 64",
                 "65_or_older": "an adult of 65 or older"},
    "sex": {"female": "female", "male": "male"},
    "pregnant": {"true": "pregnant, or gave birth or had a miscarriage in the last 6 weeks",
                 "false": "not pregnant"},
    "immunosuppression": {"none": "no medicines or illness that weaken the immune system",
                          "steroids": "taking steroid tablets long term",
                          "immunosuppressant_or_biologic": "taking an immunosuppressant or a biologic medicine",
                          "chemotherapy": "having cancer treatment (chemotherapy) now or in the last 6 weeks",
                          "transplant": "an organ or bone-marrow transplant",
                          "other": "another cause of a weak immune system (for example no spleen, or HIV)"},
}

#: Onset as HPO terms (temporal pattern): written as the phenopacket feature ``onset`` and read back.
ONSET_TERMS: dict[Onset, str] = {
    "hours": "HP:0025307",  # Acute emergence over hours
    "days": "HP:0025308",  # Acute emergence over days
    "weeks": "HP:0011011",  # Subacute
    "months_or_more": "HP:0011010",  # Chronic
}
#: Trajectory as HPO pace-of-progression terms (phenopacket feature ``modifiers``); HPO has no "improving",
#: so that answer uses the project's local prefix.
TRAJECTORY_TERMS: dict[Trajectory, str] = {
    "worsening_fast": "HP:0003678",  # Rapidly progressive
    "worsening_slowly": "HP:0003677",  # Slowly progressive
    "stable": "HP:0031915",  # Stable
    "improving": "CT:course_improving",
}


@dataclass(frozen=True)
class VitalSign:
    """One measurable vital sign: its case-file key, LOINC code, UCUM unit and the range accepted as plausible."""

    key: str
    loinc: str
    label: str
    unit: str
    low: float
    high: float


VITAL_SIGNS: tuple[VitalSign, ...] = (
    VitalSign("temperature_c", "LOINC:8310-5", "Body temperature", "Cel", 25.0, 45.0),
    VitalSign("heart_rate", "LOINC:8867-4", "Heart rate", "/min", 20.0, 300.0),
    VitalSign("respiratory_rate", "LOINC:9279-1", "Respiratory rate", "/min", 2.0, 120.0),
    VitalSign("spo2", "LOINC:59408-5", "Oxygen saturation by pulse oximetry", "%", 50.0, 100.0),
    VitalSign("systolic_bp", "LOINC:8480-6", "Systolic blood pressure", "mm[Hg]", 40.0, 300.0),
)
VITAL_BY_KEY = {v.key: v for v in VITAL_SIGNS}


@dataclass(frozen=True)
class Vitals:
    """Measured vital signs; None where not measured."""

    temperature_c: float | None = None
    heart_rate: float | None = None
    respiratory_rate: float | None = None
    spo2: float | None = None
    systolic_bp: float | None = None

    def given(self) -> dict[str, float]:
        """The measured values by key."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}


@dataclass(frozen=True)
class Presentation:
    """Course, how unwell, context and vital signs of one presentation; every item optional (None: not known)."""

    onset: Onset | None = None
    trajectory: Trajectory | None = None
    known_condition: KnownCondition | None = None
    activities: Activities | None = None
    eating_drinking: EatingDrinking | None = None
    urine: Urine | None = None
    age_band: AgeBand | None = None
    sex: Sex | None = None
    pregnant: bool | None = None
    immunosuppression: Immunosuppression | None = None
    vitals: Vitals = Vitals()

    @property
    def empty(self) -> bool:
        return self == Presentation()

    @property
    def immunosuppressed(self) -> bool:
        return self.immunosuppression not in (None, "none")

    def answers(self) -> dict[str, str]:
        """The given answers by key (``pregnant`` as ``"true"``/``"false"``), vital signs excluded."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "vitals" and value is not None:
                out[f.name] = str(value).lower() if isinstance(value, bool) else value
        return out

    def describe(self) -> list[str]:
        """Plain-language lines for every given answer and measurement, in a fixed order."""
        lines = [WORDING[key][value] for key, value in self.answers().items()]
        for key, value in self.vitals.given().items():
            sign = VITAL_BY_KEY[key]
            lines.append(f"{sign.label}: {value:g} {'°C' if sign.unit == 'Cel' else sign.unit}")
        return lines

    def to_json(self) -> dict[str, Any]:
        """The case-file form (``course``, ``unwell``, ``context``, ``vitals``), given items only."""
        answers = self.answers()
        out: dict[str, Any] = {}
        for block, keys in BLOCKS.items():
            part: dict[str, Any] = {k: answers[k] for k in keys if k in answers}
            if "pregnant" in part:
                part["pregnant"] = self.pregnant
            if part:
                out[block] = part
        if self.vitals.given():
            out["vitals"] = self.vitals.given()
        return out


#: Case-file blocks and the answers each holds.
BLOCKS: dict[str, tuple[str, ...]] = {
    "course": ("onset", "trajectory", "known_condition"),
    "unwell": ("activities", "eating_drinking", "urine"),
    "context": ("age_band", "sex", "pregnant", "immunosuppression"),
}
#: The allowed values of every answer (``pregnant`` is a JSON boolean).
CHOICES: dict[str, tuple[str, ...]] = {
    "onset": get_args(Onset), "trajectory": get_args(Trajectory), "known_condition": get_args(KnownCondition),
    "activities": get_args(Activities), "eating_drinking": get_args(EatingDrinking), "urine": get_args(Urine),
    "age_band": get_args(AgeBand), "sex": get_args(Sex), "immunosuppression": get_args(Immunosuppression),
}
PRESENTATION_KEYS = (*BLOCKS, "vitals")


def _vitals(raw: Any, where: str) -> Vitals:
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: 'vitals' must be an object, got {shown(raw)}")
    unknown = sorted(set(raw) - set(VITAL_BY_KEY))
    if unknown:
        raise InputError(f"{where}: unknown vital sign {shown(unknown[0])}; expected {', '.join(VITAL_BY_KEY)}")
    values: dict[str, float] = {}
    for key, value in raw.items():
        sign = VITAL_BY_KEY[key]
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise InputError(f"{where}: vitals.{key} must be a number, got {shown(value)}")
        if not sign.low <= value <= sign.high:
            raise InputError(f"{where}: vitals.{key} = {value:g} is outside the plausible range "
                             f"{sign.low:g}-{sign.high:g} {sign.unit}")
        values[key] = float(value)
    return Vitals(**values)


def parse_presentation(item: Mapping[str, Any], where: str) -> Presentation:
    """The course and context of a case-file object (its ``course``, ``unwell``, ``context`` and ``vitals``).

    Raises
    ------
    InputError
        For a block that is not an object, an unknown key or value, pregnancy given for a male, or a vital sign
        that is not a finite number in its plausible range; the message names ``where`` and the key.
    """
    answers: dict[str, Any] = {}
    for block, keys in BLOCKS.items():
        raw = item.get(block)
        if raw is None:
            continue
        if not isinstance(raw, Mapping):
            raise InputError(f"{where}: {block!r} must be an object, got {shown(raw)}")
        unknown = sorted(set(raw) - set(keys))
        if unknown:
            raise InputError(f"{where}: unknown key {block}.{unknown[0]}; expected {', '.join(keys)}")
        for key in keys:
            value = raw.get(key)
            if value is None:
                continue
            if key == "pregnant":
                if not isinstance(value, bool):
                    raise InputError(f"{where}: context.pregnant must be true or false, got {shown(value)}")
            elif value not in CHOICES[key]:
                raise InputError(f"{where}: {block}.{key} must be one of {', '.join(CHOICES[key])}, "
                                 f"got {shown(value)}")
            answers[key] = value
    if answers.get("pregnant") and answers.get("sex") == "male":
        raise InputError(f"{where}: context.pregnant is true for a male")
    vitals = _vitals(item["vitals"], where) if item.get("vitals") is not None else Vitals()
    return Presentation(**answers, vitals=vitals)


#: HPO course terms a report may carry as "findings" (phenopacket modifiers or onset, or plain IDs): each is
#: read as the answer it names; they are never finding credit (:mod:`engine.match.mapping`).
COURSE_FROM_TERMS: dict[str, tuple[str, str]] = {
    "HP:0025306": ("onset", "hours"),  # Acute emergence over minutes
    "HP:0025307": ("onset", "hours"),  # Acute emergence over hours
    "HP:0025308": ("onset", "days"),  # Acute emergence over days
    "HP:0011009": ("onset", "days"),  # Acute (hours to days: the later, which rules treat as recent all the same)
    "HP:0011011": ("onset", "weeks"),  # Subacute
    "HP:0011010": ("onset", "months_or_more"),  # Chronic
    "HP:0003678": ("trajectory", "worsening_fast"),  # Rapidly progressive
    "HP:0003677": ("trajectory", "worsening_slowly"),  # Slowly progressive
    "HP:0031915": ("trajectory", "stable"),  # Stable
    "HP:0003680": ("trajectory", "stable"),  # Nonprogressive
    "CT:course_improving": ("trajectory", "improving"),
}


def with_course_terms(presentation: Presentation, term_ids: list[str]) -> Presentation:
    """``presentation`` completed with the course that reported course terms name (given answers win; of two
    terms naming the same item, the more urgent reading is kept: hours before days, worsening fast first)."""
    found: dict[str, str] = {}
    for term in term_ids:
        if term in COURSE_FROM_TERMS:
            key, value = COURSE_FROM_TERMS[term]
            old = found.get(key)
            if old is None or CHOICES[key].index(value) < CHOICES[key].index(old):
                found[key] = value
    missing = {k: v for k, v in found.items() if getattr(presentation, k) is None}
    return with_answers(presentation, missing) if missing else presentation


@dataclass(frozen=True)
class ContextCondition:
    """One condition of a red-flag rule on the presentation: ``key`` is one of ``values`` (the answer must be
    given) or, with ``negate``, is not one of them (an unknown answer passes: safety first, an unasked
    question never stops a rule)."""

    key: str
    values: tuple[str, ...]
    negate: bool = False

    def holds(self, presentation: Presentation) -> bool:
        raw = getattr(presentation, self.key)
        answer = None if raw is None else (str(raw).lower() if isinstance(raw, bool) else raw)
        if self.negate:
            return answer is None or answer not in self.values
        return answer is not None and answer in self.values

    def __str__(self) -> str:
        return f"{self.key}{'!=' if self.negate else '='}{'|'.join(self.values)}"


def parse_context_conditions(raw: str) -> tuple[ContextCondition, ...]:
    """``"age_band=under_3_months;onset!=weeks|months_or_more"`` as conditions.

    Raises
    ------
    ValueError
        For an unknown key or value, or a term without ``=``; the message says what was expected.
    """
    out = []
    for part in (p.strip() for p in raw.split(";")):
        if not part:
            continue
        negate = "!=" in part
        key, sep, values = part.partition("!=" if negate else "=")
        key = key.strip()
        allowed = (*CHOICES.get(key, ()), *(("true", "false") if key == "pregnant" else ()))
        if not sep or not allowed:
            raise ValueError(f"expected key=value or key!=value with a key of {', '.join([*CHOICES, 'pregnant'])}, "
                             f"got {part!r}")
        chosen = tuple(v.strip() for v in values.split("|"))
        bad = [v for v in chosen if v not in allowed]
        if bad:
            raise ValueError(f"{key}: unknown value {bad[0]!r}; expected {', '.join(allowed)}")
        out.append(ContextCondition(key, chosen, negate))
    return tuple(out)


def with_answers(presentation: Presentation, answers: Mapping[str, str]) -> Presentation:
    """``presentation`` with ``answers`` (key to value, as in a rule's context) given, validated as a case file's.

    Raises
    ------
    InputError
        For an unknown key or value.
    """
    data = presentation.to_json()
    for key, value in answers.items():
        block = next((b for b, keys in BLOCKS.items() if key in keys), None)
        if block is None:
            raise InputError(f"unknown answer {key!r}; expected one of {', '.join(CHOICES)}")
        data.setdefault(block, {})[key] = (value == "true") if key == "pregnant" else value
    return parse_presentation(data, "answers")
