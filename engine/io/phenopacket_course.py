"""Course and context in a GA4GH phenopacket v2: written with standard codes where they exist, read back.

| answer | written as |
|---|---|
| onset | every observed feature's ``onset`` (an HPO temporal-pattern class: ONSET_TERMS) |
| trajectory, known condition | every observed feature's ``modifiers`` (HPO pace of progression; local ``CT:`` codes) |
| sex | ``subject.sex`` |
| age band | ``subject.timeAtLastEncounter.ageRange`` (ISO 8601 durations); an exact age is read too |
| pregnancy, activities, eating and drinking | observed features with local ``CT:`` codes |
| urine | HPO Oliguria / Anuria features (findings as well) |
| immunosuppression | a ``medicalActions`` treatment whose agent is a local ``CT:`` code |
| vital signs | ``measurements`` with LOINC assays and UCUM units |

Local codes use the prefix ``CT``, declared in ``metaData.resources`` (:data:`LOCAL_RESOURCE`); a file that uses
them without declaring the prefix is refused by the reader.
"""

from __future__ import annotations

import re
from typing import Any

from phenopackets import (
    Age,
    AgeRange,
    Measurement,
    MedicalAction,
    OntologyClass,
    Phenopacket,
    PhenotypicFeature,
    Quantity,
    Resource,
    Sex,
    TimeElement,
    Treatment,
    Value,
)

from engine.io.presentation import (
    COURSE_FROM_TERMS,
    ONSET_TERMS,
    TRAJECTORY_TERMS,
    VITAL_SIGNS,
    WORDING,
    Presentation,
    parse_presentation,
)

LOCAL_PREFIX = "CT"
LOCAL_RESOURCE = Resource(id="calcinosis-triage", name="calcinosis-triage local findings and answers",
                          url="urn:calcinosis-triage", version="1", namespace_prefix=LOCAL_PREFIX,
                          iri_prefix="urn:calcinosis-triage:")
LOINC_RESOURCE = Resource(id="loinc", name="Logical Observation Identifiers Names and Codes", url="https://loinc.org",
                          version="unknown", namespace_prefix="LOINC", iri_prefix="https://loinc.org/")
UCUM_RESOURCE = Resource(id="ucum", name="Unified Code for Units of Measure", url="https://ucum.org",
                         version="unknown", namespace_prefix="UCUM", iri_prefix="https://ucum.org/ucum#")
KNOWN_CODES = {"none": "CT:known_none", "known_untreated": "CT:known_untreated", "known_treated": "CT:known_treated"}
FEATURE_CODES: dict[tuple[str, str], str] = {
    ("pregnant", "true"): "CT:pregnant",
    ("activities", "reduced"): "CT:activities_reduced", ("activities", "unable"): "CT:activities_unable",
    ("eating_drinking", "reduced"): "CT:eating_drinking_reduced",
    ("eating_drinking", "not_drinking"): "CT:not_drinking",
    ("urine", "reduced"): "HP:0100520", ("urine", "none_for_a_day"): "HP:0100519",
}
#: Answers that a local code names, by code (the HPO urine terms stay findings too).
ANSWER_OF_CODE = {code: answer for answer, code in FEATURE_CODES.items()}
IMMUNOSUPPRESSION_PREFIX = "CT:immunosuppression_"
AGE_RANGES: dict[str, tuple[str, str | None]] = {
    "under_3_months": ("P0D", "P3M"), "3_months_to_4_years": ("P3M", "P5Y"), "5_to_15_years": ("P5Y", "P16Y"),
    "16_to_64_years": ("P16Y", "P65Y"), "65_or_older": ("P65Y", None),
}
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


def local_codes() -> frozenset[str]:
    """Every local code that carries an answer rather than a finding."""
    return frozenset({*KNOWN_CODES.values(), TRAJECTORY_TERMS["improving"],
                      *(c for c in FEATURE_CODES.values() if c.startswith("CT:"))})


def _days(duration: str) -> float | None:
    match = _DURATION.match(duration.strip())
    if not match or not any(match.groups()):
        return None
    years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
    return years * 365.25 + months * 30.44 + weeks * 7 + days


def age_band(duration: str) -> str | None:
    """The age band of an ISO 8601 age (``P2M``, ``P34Y``); None when it cannot be read."""
    days = _days(duration)
    if days is None:
        return None
    for band, (start, end) in AGE_RANGES.items():
        low, high = _days(start) or 0.0, _days(end) if end else None
        if days >= low and (high is None or days < high):
            return band
    return None


def presentation_from(message: Phenopacket, present: set[str]) -> Presentation:
    """The course and context a phenopacket message carries (answers it does not carry stay unknown)."""
    answers: dict[str, dict[str, Any]] = {}

    def give(key: str, value: Any) -> None:
        block = next(b for b, keys in (("course", ("onset", "trajectory", "known_condition")),
                                       ("unwell", ("activities", "eating_drinking", "urine")),
                                       ("context", ("age_band", "sex", "pregnant", "immunosuppression")))
                     if key in keys)
        answers.setdefault(block, {}).setdefault(key, value)

    onsets = [COURSE_FROM_TERMS[f.onset.ontology_class.id][1] for f in message.phenotypic_features
              if not f.excluded and f.onset.HasField("ontology_class")
              and f.onset.ontology_class.id in COURSE_FROM_TERMS
              and COURSE_FROM_TERMS[f.onset.ontology_class.id][0] == "onset"]
    if onsets:  # the most recent onset any observed feature names
        give("onset", min(onsets, key=list(WORDING["onset"]).index))
    known = {code: value for value, code in KNOWN_CODES.items()}
    for feature in message.phenotypic_features:
        if feature.excluded:
            continue
        for modifier in feature.modifiers:
            if modifier.id in COURSE_FROM_TERMS and COURSE_FROM_TERMS[modifier.id][0] == "trajectory":
                give("trajectory", COURSE_FROM_TERMS[modifier.id][1])
            elif modifier.id in known:
                give("known_condition", known[modifier.id])
    for code in present:
        if code in ANSWER_OF_CODE:
            key, value = ANSWER_OF_CODE[code]
            give(key, value == "true" if key == "pregnant" else value)
    if message.HasField("subject"):
        sex = Sex.Name(message.subject.sex)
        if sex in ("FEMALE", "MALE"):
            give("sex", sex.lower())
        t = message.subject.time_at_last_encounter
        band = (age_band(t.age_range.start.iso8601duration) if t.HasField("age_range")
                else age_band(t.age.iso8601duration) if t.HasField("age") else None)
        if band:
            give("age_band", band)
    for action in message.medical_actions:
        agent = action.treatment.agent.id if action.HasField("treatment") else ""
        if agent.startswith(IMMUNOSUPPRESSION_PREFIX):
            give("immunosuppression", agent.removeprefix(IMMUNOSUPPRESSION_PREFIX))
    by_loinc = {v.loinc: v.key for v in VITAL_SIGNS}
    vitals = {by_loinc[m.assay.id]: m.value.quantity.value for m in message.measurements
              if m.assay.id in by_loinc and m.value.HasField("quantity")}
    if vitals:
        answers["vitals"] = vitals
    return parse_presentation(answers, "phenopacket")


def add_presentation(packet: Phenopacket, presentation: Presentation) -> set[str]:
    """Write ``presentation`` into ``packet`` (its observed features get onset and modifiers); returns the
    ontology prefixes it used, for ``metaData.resources``."""
    used: set[str] = set()
    observed = [f for f in packet.phenotypic_features if not f.excluded]
    for feature in observed:
        if presentation.onset:
            term = ONSET_TERMS[presentation.onset]
            feature.onset.CopyFrom(TimeElement(ontology_class=OntologyClass(
                id=term, label=WORDING["onset"][presentation.onset])))
            used.add("HP")
        if presentation.trajectory:
            term = TRAJECTORY_TERMS[presentation.trajectory]
            feature.modifiers.append(OntologyClass(id=term, label=WORDING["trajectory"][presentation.trajectory]))
            used.add(term.split(":")[0])
        if presentation.known_condition:
            feature.modifiers.append(OntologyClass(id=KNOWN_CODES[presentation.known_condition],
                                                   label=WORDING["known_condition"][presentation.known_condition]))
            used.add(LOCAL_PREFIX)
    for key, value in presentation.answers().items():
        code = FEATURE_CODES.get((key, value))
        if code and code not in {f.type.id for f in packet.phenotypic_features}:
            packet.phenotypic_features.append(PhenotypicFeature(type=OntologyClass(id=code, label=WORDING[key][value])))
            used.add(code.split(":")[0])
    if presentation.sex or presentation.age_band:
        if presentation.sex:
            packet.subject.sex = Sex.Value(presentation.sex.upper())
        if presentation.age_band:
            start, end = AGE_RANGES[presentation.age_band]
            age_range = AgeRange(start=Age(iso8601duration=start))
            if end:
                age_range.end.CopyFrom(Age(iso8601duration=end))
            packet.subject.time_at_last_encounter.CopyFrom(TimeElement(age_range=age_range))
        if not packet.subject.id:
            packet.subject.id = f"{packet.id}-subject"
    if presentation.immunosuppression:
        value = presentation.immunosuppression
        packet.medical_actions.append(MedicalAction(treatment=Treatment(agent=OntologyClass(
            id=f"{IMMUNOSUPPRESSION_PREFIX}{value}", label=WORDING["immunosuppression"][value]))))
        used.add(LOCAL_PREFIX)
    for sign in VITAL_SIGNS:
        measured = presentation.vitals.given().get(sign.key)
        if measured is not None:
            packet.measurements.append(Measurement(
                assay=OntologyClass(id=sign.loinc, label=sign.label),
                value=Value(quantity=Quantity(unit=OntologyClass(id=f"UCUM:{sign.unit}", label=sign.unit),
                                              value=measured))))
            used |= {"LOINC", "UCUM"}
    return used
