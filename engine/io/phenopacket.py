"""GA4GH Phenopacket v2 JSON in and out, through the official ``phenopackets`` protobuf messages.

>>> case = read_phenopacket(Path("PMID_1_patient.json"))           # doctest: +SKIP
>>> case.present, case.absent, case.diseases                        # doctest: +SKIP
(('HP:0000662', ...), ('HP:0000505',), ('OMIM:601718',))
>>> to_phenopacket_json(["HP:0007620"], ["HP:0001371"], ontology, case_id="x")  # doctest: +SKIP

Reading decodes with the engine's one guarded JSON decoder (:func:`engine.io.readers.parse_json`) and
validates the whole document against the schema (``google.protobuf.json_format``); enum values the
schema does not define (``"sex": 99``) and a field given under both its names (``phenotypicFeatures``
and ``phenotypic_features``) are refused. Terms are only checked against an HPO release where that
matters (:func:`check_terms`), so an evaluation can count terms newer than the release instead of
failing on them. Every failure is one :class:`~engine.errors.InputError` line that names the file.

Only an established diagnosis is expected: a disease of an interpretation whose progress status is
``SOLVED`` or ``COMPLETED`` (:data:`ESTABLISHED`), or of the ``diseases`` list. Diagnoses of other
interpretations (``UNSOLVED``, ``IN_PROGRESS``, no status) are kept apart, in ``not_established``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.json_format import MessageToJson, ParseDict, ParseError
from google.protobuf.message import Message
from phenopackets import (
    Diagnosis,
    Individual,
    Interpretation,
    MetaData,
    OntologyClass,
    Phenopacket,
    PhenotypicFeature,
    Resource,
    Sex,
)

from engine.errors import InputError, shown
from engine.hpo.ids import HPO_ID_PATTERN, LOCAL_ID_PATTERN, check_term_count
from engine.hpo.ontology import Ontology
from engine.io.phenopacket_course import (
    LOCAL_PREFIX,
    LOCAL_RESOURCE,
    LOINC_RESOURCE,
    UCUM_RESOURCE,
    add_presentation,
    local_codes,
    presentation_from,
)
from engine.io.presentation import Presentation
from engine.io.readers import parse_json, read_bounded

__all__ = [
    "ESTABLISHED",
    "MAX_PHENOPACKET_BYTES",
    "PhenopacketCase",
    "check_terms",
    "decode_json",
    "parse_phenopacket",
    "phenopacket_from_data",
    "read_phenopacket",
    "require_known_terms",
    "to_phenopacket_json",
]

#: Largest phenopacket accepted (phenopacket-store's biggest is about 70 kB).
MAX_PHENOPACKET_BYTES = 1_000_000
SCHEMA_VERSION = "2.0"
#: A JSON object with none of these keys is not taken for a phenopacket (a better message than the schema's).
PHENOPACKET_KEYS = frozenset({"phenotypicFeatures", "phenotypic_features", "subject", "metaData", "meta_data"})
#: Interpretation progress statuses whose diagnosis is established, and so expected in ``score`` and ``evaluate``.
ESTABLISHED = frozenset({"SOLVED", "COMPLETED"})
_RESOURCES = {
    "HP": ("hp", "human phenotype ontology", "http://purl.obolibrary.org/obo/hp.owl",
           "http://purl.obolibrary.org/obo/HP_"),
    "OMIM": ("omim", "Online Mendelian Inheritance in Man", "https://www.omim.org", "https://www.omim.org/entry/"),
    "ORPHA": ("orpha", "Orphanet Rare Disease Ontology", "https://www.orpha.net",
              "http://www.orpha.net/ORDO/Orphanet_"),
}


@dataclass(frozen=True)
class PhenopacketCase:
    """What the engine uses from one phenopacket.

    Attributes
    ----------
    origin
        The file (or upload) name, used in every message about this case.
    present, absent
        HPO IDs of the phenotypic features, as written; ``excluded: true`` ones are absent.
    diseases
        Expected disease IDs (OMIM / ORPHA / ...): diagnoses of established interpretations
        (:data:`ESTABLISHED`) first, then the ``diseases`` list (excluded ones left out); repeats dropped.
    labels
        ``(ID, label)`` pairs as written in the file, for display.
    sex, age
        ``FEMALE`` / ``MALE`` / ``OTHER_SEX`` (None when unknown) and the age at last encounter
        (an ISO 8601 duration, gestational weeks or an ontology label; None when absent).
    not_established
        ``(disease ID, progress status)`` of interpretation diagnoses that are not established
        (status not in :data:`ESTABLISHED`) and not given elsewhere as established: never expected.
    """

    origin: str
    id: str
    subject_id: str | None
    present: tuple[str, ...]
    absent: tuple[str, ...]
    diseases: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    sex: str | None = None
    age: str | None = None
    not_established: tuple[tuple[str, str], ...] = ()
    #: Course and context the file carries (feature onset and modifiers, subject, measurements...).
    presentation: Presentation = dataclasses.field(default_factory=Presentation)

    def not_established_note(self) -> str:
        """Why the case has no expected disease although it names one, e.g. ``OMIM:1 is UNSOLVED``."""
        return ", ".join(f"{d} is {status}" for d, status in self.not_established)


def _age(individual: Individual) -> str | None:
    if not individual.HasField("time_at_last_encounter"):
        return None
    t = individual.time_at_last_encounter
    if t.HasField("age"):
        return t.age.iso8601duration or None
    if t.HasField("gestational_age"):
        return f"{t.gestational_age.weeks} weeks {t.gestational_age.days} days gestation"
    if t.HasField("ontology_class"):
        return t.ontology_class.label or t.ontology_class.id or None
    return None


def parse_phenopacket(content: bytes | str, origin: str) -> PhenopacketCase:
    """Validate phenopacket v2 JSON (bytes or text) and take what the engine uses.

    Raises
    ------
    InputError
        ``origin: ...`` when the content is over the size limit, not JSON, not a phenopacket v2
        document, or has a phenotypic feature that is not an HPO ID.
    """
    return phenopacket_from_data(decode_json(content, origin), origin)


def decode_json(content: bytes | str, origin: str, limit: int = MAX_PHENOPACKET_BYTES) -> object:
    """Decoded JSON of an upload or file's content (:func:`engine.io.readers.parse_json`), refusing more than
    ``limit`` bytes before decoding."""
    if len(content) > limit:
        raise InputError(f"{origin}: file is over the {limit:,}-byte limit")
    return parse_json(content, origin)


def _json_name(field: FieldDescriptor) -> str:
    """The field's name in JSON (``phenotypicFeatures``); types-protobuf's stubs lack the attribute."""
    return str(cast(Any, field).json_name)


def _ambiguous_field(data: object, descriptor: Descriptor) -> str | None:
    """A field given under both its JSON and its proto name in one object (``phenotypicFeatures`` and
    ``phenotypic_features``), which the schema parser would settle silently; None when there is none."""
    stack: list[tuple[object, Descriptor]] = [(data, descriptor)]
    while stack:
        item, desc = stack.pop()
        if isinstance(item, list):
            stack.extend((child, desc) for child in item)
            continue
        if not isinstance(item, dict):
            continue
        for field in desc.fields:
            names = [n for n in dict.fromkeys((_json_name(field), field.name)) if n in item]
            if len(names) > 1:
                return f"both {names[0]!r} and {names[1]!r} are given (the same field twice: which one is meant?)"
            if field.message_type is not None and not field.message_type.GetOptions().map_entry:
                stack.extend((item[n], field.message_type) for n in names)
    return None


def _unknown_enum(message: Message) -> str | None:
    """An enum value the schema does not define (``"sex": 99``), found anywhere in ``message``; else None."""
    stack: list[tuple[Message, str]] = [(message, "")]
    while stack:
        current, path = stack.pop()
        for field, value in current.ListFields():
            where = f"{path}{_json_name(field)}"
            values: list[Any] = list(value) if field.is_repeated else [value]
            if field.type == FieldDescriptor.TYPE_ENUM:
                for v in values:
                    if field.enum_type.values_by_number.get(v) is None:
                        allowed = ", ".join(e.name for e in field.enum_type.values)
                        return f"'{where}' is {shown(v)}, not one of {allowed}"
            elif field.type == FieldDescriptor.TYPE_MESSAGE and not field.message_type.GetOptions().map_entry:
                stack.extend((v, f"{where}.") for v in values)
    return None


def phenopacket_from_data(data: object, origin: str) -> PhenopacketCase:
    """Like :func:`parse_phenopacket`, for JSON already decoded."""
    if not isinstance(data, dict):
        raise InputError(f"{origin}: not a GA4GH phenopacket: expected a JSON object, got {type(data).__name__}")
    if not PHENOPACKET_KEYS & set(data):
        raise InputError(f"{origin}: not a GA4GH phenopacket: no 'phenotypicFeatures', 'subject' or 'metaData'")
    ambiguous = _ambiguous_field(data, Phenopacket.DESCRIPTOR)
    if ambiguous:
        raise InputError(f"{origin}: not a GA4GH phenopacket v2: {ambiguous}")
    try:
        message = ParseDict(data, Phenopacket())
    except (ParseError, ValueError, TypeError, AttributeError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{origin}: not a GA4GH phenopacket v2: {first[:300]}") from None
    unknown = _unknown_enum(message)
    if unknown:
        raise InputError(f"{origin}: not a GA4GH phenopacket v2: {unknown}")
    present: dict[str, None] = {}
    absent: dict[str, None] = {}
    labels: dict[str, str] = {}
    local = any(r.namespace_prefix == LOCAL_PREFIX for r in message.meta_data.resources)
    answers = local_codes()
    for n, feature in enumerate(message.phenotypic_features, start=1):
        term = feature.type.id.strip()
        is_local = local and LOCAL_ID_PATTERN.match(term) is not None
        if not (HPO_ID_PATTERN.match(term) or is_local):
            raise InputError(f"{origin}: phenotypic feature {n} has type {shown(term)}, not an HPO ID (HP:nnnnnnn)"
                             + ("" if local else " (local CT: codes need the CT prefix in metaData.resources)"))
        if term in answers:  # an answer about the course or context, not a finding
            continue
        (absent if feature.excluded else present).setdefault(term, None)
        if feature.type.label:
            labels.setdefault(term, feature.type.label)
    check_term_count(len(present) + len(absent), origin)
    both = sorted(set(present) & set(absent))
    if both:
        raise InputError(f"{origin}: term(s) both observed and excluded: {', '.join(both)}")
    diseases: dict[str, None] = {}
    pending: dict[str, str] = {}
    for interpretation in message.interpretations:
        disease = interpretation.diagnosis.disease
        if disease.id:
            status = Interpretation.ProgressStatus.Name(interpretation.progress_status)
            if status in ESTABLISHED:
                diseases.setdefault(disease.id.strip(), None)
            else:
                pending.setdefault(disease.id.strip(), status)
            if disease.label:
                labels.setdefault(disease.id.strip(), disease.label)
    for disease in message.diseases:
        if disease.term.id and not disease.excluded:
            diseases.setdefault(disease.term.id.strip(), None)
            if disease.term.label:
                labels.setdefault(disease.term.id.strip(), disease.term.label)
    subject = message.subject if message.HasField("subject") else None
    sex = Sex.Name(subject.sex) if subject is not None else "UNKNOWN_SEX"
    return PhenopacketCase(
        origin=origin,
        id=message.id or (subject.id if subject is not None and subject.id else Path(origin).stem),
        subject_id=(subject.id or None) if subject is not None else None,
        present=tuple(present),
        absent=tuple(absent),
        diseases=tuple(diseases),
        labels=tuple(labels.items()),
        sex=None if sex == "UNKNOWN_SEX" else sex,
        age=_age(subject) if subject is not None else None,
        not_established=tuple((d, status) for d, status in pending.items() if d not in diseases),
        presentation=_presentation(message, origin, {f.type.id.strip() for f in message.phenotypic_features
                                                       if not f.excluded}),
    )


def _presentation(message: Phenopacket, origin: str, observed: set[str]) -> Presentation:
    try:
        return presentation_from(message, observed)
    except InputError as exc:
        raise InputError(f"{origin}: {str(exc).removeprefix('phenopacket: ')}") from None


def read_phenopacket(path: Path | str, limit: int = MAX_PHENOPACKET_BYTES) -> PhenopacketCase:
    """Read and parse one phenopacket file (see :func:`parse_phenopacket`)."""
    path = Path(path)
    return parse_phenopacket(read_bounded(path, limit, "phenopacket"), path.name)


def check_terms(case: PhenopacketCase, ontology: Ontology) -> tuple[str, ...]:
    """The case's HPO IDs that ``ontology`` does not know or has made obsolete without a replacement."""
    bad = []
    for term in (*case.present, *case.absent):
        if LOCAL_ID_PATTERN.match(term):  # a pack finding: checked against the pack, not the ontology
            continue
        try:
            ontology.resolve(term)
        except InputError:
            bad.append(term)
    return tuple(bad)


def require_known_terms(case: PhenopacketCase, ontology: Ontology) -> None:
    """Raise one line naming the file when a term is unknown to, or obsolete in, ``ontology``."""
    bad = check_terms(case, ontology)
    if bad:
        raise InputError(f"{case.origin}: {len(bad)} term(s) not current in HPO release {ontology.version} "
                         f"(newer than the release in use, or obsolete): {', '.join(bad)}")


def _resource(prefix: str, ontology: Ontology) -> Resource | None:
    known = _RESOURCES.get(prefix)
    if known is None:
        return None
    rid, name, url, iri = known
    version = ontology.version if prefix == "HP" else "unknown"  # the disease release is not recorded
    return Resource(id=rid, name=name, url=url, version=version, namespace_prefix=prefix, iri_prefix=iri)


def to_phenopacket_json(
    present: Iterable[str],
    absent: Iterable[str],
    ontology: Ontology,
    *,
    case_id: str,
    diseases: Sequence[tuple[str, str]] = (),
    subject_id: str | None = None,
    created_by: str = "calcinosis-triage (educational prototype)",
    local_labels: Mapping[str, str] | None = None,
    presentation: Presentation | None = None,
) -> str:
    """A selection as phenopacket v2 JSON: observed and excluded terms, its course and context, optionally the
    expected disease(s).

    Parameters
    ----------
    present, absent
        HPO IDs (resolved against ``ontology``, whose term names become the labels), or the pack's local ``CT:``
        findings (labelled from ``local_labels``), written under the declared local prefix so nothing is lost.
    diseases
        ``(ID, label)`` of the expected disease(s), written as interpretation diagnoses.
    presentation
        Course and context (:mod:`engine.io.phenopacket_course`).

    Raises
    ------
    InputError
        For an ID that is not a current HPO term of ``ontology``.
    """
    features = []
    local_labels = local_labels or {}
    for ids, excluded in ((present, False), (absent, True)):
        for raw in ids:
            if LOCAL_ID_PATTERN.match(raw):
                features.append(PhenotypicFeature(type=OntologyClass(id=raw, label=local_labels.get(raw, raw)),
                                                  excluded=excluded))
                continue
            term = ontology.term(raw)
            features.append(PhenotypicFeature(type=OntologyClass(id=term.id, label=term.name), excluded=excluded))
    created = datetime.now(UTC).replace(microsecond=0)
    meta = MetaData(created_by=created_by, phenopacket_schema_version=SCHEMA_VERSION)
    meta.created.FromDatetime(created)
    packet = Phenopacket(id=case_id, phenotypic_features=features, meta_data=meta)
    if subject_id:
        packet.subject.CopyFrom(Individual(id=subject_id))
    used = add_presentation(packet, presentation) if presentation is not None else set()
    if any(LOCAL_ID_PATTERN.match(f.type.id) for f in packet.phenotypic_features):
        used.add(LOCAL_PREFIX)
    prefixes = ["HP", *dict.fromkeys(d.split(":", 1)[0] for d, _ in diseases)]
    packet.meta_data.resources.extend(r for r in (_resource(p, ontology) for p in prefixes) if r is not None)
    extra = {LOCAL_PREFIX: LOCAL_RESOURCE, "LOINC": LOINC_RESOURCE, "UCUM": UCUM_RESOURCE}
    packet.meta_data.resources.extend(extra[p] for p in (LOCAL_PREFIX, "LOINC", "UCUM") if p in used)
    for n, (disease_id, label) in enumerate(diseases, start=1):
        packet.interpretations.append(Interpretation(
            id=f"{case_id}-interpretation-{n}", progress_status=Interpretation.ProgressStatus.SOLVED,
            diagnosis=Diagnosis(disease=OntologyClass(id=disease_id, label=label))))
    return MessageToJson(packet, indent=2) + "\n"
