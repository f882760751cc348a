"""Evaluate on phenopackets (and curated case files): gather the inputs, rank, summarise.

>>> inputs = gather(["phenopackets/"], curated_pack)                    # doctest: +SKIP
>>> evaluation = evaluate_on_corpus(corpus, inputs, curated_pack, "likelihood")  # doctest: +SKIP
>>> corpus_summary(evaluation)                                          # doctest: +SKIP
{'pack': 'hpo-omim', ..., 'n': 4570, 'skipped': {'disease not in the release': 1102}, 'top1': 0.4346, ...}

The metrics are :class:`engine.evaluation.corpus.CorpusEvaluation`'s (one implementation);
this module only turns files into cases and counts what could not be scored, and why.
"""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import InputError, TriageError
from engine.evaluation.cases import parse_cases
from engine.evaluation.corpus import (
    STATUS_NO_CODE,
    STATUS_NO_FINDINGS,
    STATUS_NOT_ESTABLISHED,
    STATUS_NOT_IN_PACK,
    CorpusEvaluation,
    ExpectedCase,
    condition_codes,
    evaluate_expected,
)
from engine.evaluation.curated import Evaluation, evaluate
from engine.io.cases import MAX_CASE_FILE_BYTES, Case
from engine.io.phenopacket import (
    MAX_PHENOPACKET_BYTES,
    PHENOPACKET_KEYS,
    PhenopacketCase,
    check_terms,
    decode_json,
    phenopacket_from_data,
    require_known_terms,
)
from engine.io.readers import read_bounded
from engine.knowledge.pack import KnowledgePack
from engine.knowledge.weights import Weights
from engine.match.explain import Ranking

__all__ = [
    "SKIP_REASONS",
    "Inputs",
    "SkippedFile",
    "corpus_summary",
    "curated_summary",
    "evaluate_on_corpus",
    "evaluate_on_curated",
    "expand_paths",
    "gather",
    "read_inputs",
    "unpack_uploads",
]

#: Why a phenopacket whose diagnoses are all of interpretations neither SOLVED nor COMPLETED is not scored.
NOT_ESTABLISHED = "diagnosis not established (interpretation not SOLVED or COMPLETED)"
#: Short reason for every status that is not "ranked", as counted in a summary's ``skipped``
#: ("disease not in the release": none of the case's disease codes is a disease of this corpus pack
#: in the HPO release in use).
SKIP_REASONS = {
    STATUS_NOT_IN_PACK: "disease not in the release",
    STATUS_NO_FINDINGS: "no usable term",
    STATUS_NO_CODE: "condition has no ORPHA/OMIM code",
    STATUS_NOT_ESTABLISHED: NOT_ESTABLISHED,
}
MAX_FILES = 100_000
MAX_ZIP_TOTAL_BYTES = 200_000_000  # uncompressed, over all members of one zip

if TYPE_CHECKING:
    from engine.corpus.pack import CorpusPack


@dataclass(frozen=True)
class Inputs:
    """Cases read from files: phenopackets and curated case-file cases."""

    phenopackets: tuple[PhenopacketCase, ...] = ()
    cases: tuple[Case, ...] = ()

    @property
    def n(self) -> int:
        return len(self.phenopackets) + len(self.cases)


@dataclass(frozen=True)
class SkippedFile:
    """A file left out of a lenient read (``skipped=`` below), and why: the error that would have refused it."""

    name: str
    reason: str

    @classmethod
    def of(cls, name: str, exc: TriageError) -> SkippedFile:
        """``exc``'s message without the leading ``name:`` that engine errors put in front."""
        text = str(exc)
        return cls(name, text[len(name) + 1:].strip() if text.startswith(f"{name}:") else text)


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, and every ``*.json`` under each folder (sorted, recursively).

    Raises
    ------
    InputError
        For a path that does not exist, a folder without JSON files, or too many files.
    """
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not found:
                raise InputError(f"{path}: folder holds no .json file")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"cannot read case file {path}: no such file or folder")
        if len(files) > MAX_FILES:
            raise InputError(f"{path}: more than {MAX_FILES:,} files to evaluate")
    return files


def read_inputs(named: Iterable[tuple[str, bytes]], pack: KnowledgePack | None, *,
                skipped: list[SkippedFile] | None = None) -> Inputs:
    """Parse ``(name, content)`` pairs: a JSON list is a curated case file, a JSON object a phenopacket.

    Parameters
    ----------
    pack
        The curated pack, needed only to read case files (their conditions are its IDs).
    skipped
        When given, a file that cannot be read is appended to it (with the reason) and the others are still
        read, as an upload of many files needs; a case file repeating a case ID already read is skipped whole.
        Without it, the first such file raises.

    Raises
    ------
    InputError
        Naming the file, for anything unreadable; for a phenopacket without a diagnosis (an
        evaluation needs the expected disease); for repeated case IDs. A phenopacket whose diagnoses
        are all of interpretations neither SOLVED nor COMPLETED is read, and skipped by the evaluations.
    """
    packets: list[PhenopacketCase] = []
    cases: list[Case] = []
    seen: set[str] = set()
    for name, content in named:
        try:
            read = _read_one(name, content, pack)
            if isinstance(read, PhenopacketCase):
                packets.append(read)
                continue
            clash = next((c.id for c in read if c.id in seen), None)  # parse_cases refuses repeats in one file
            if clash is not None:
                raise InputError(f"duplicate case id {clash!r}")
        except TriageError as exc:
            if skipped is None:
                raise
            skipped.append(SkippedFile.of(name, exc))
            continue
        seen.update(c.id for c in read)
        cases += read
    return Inputs(tuple(packets), tuple(cases))


def _read_one(name: str, content: bytes, pack: KnowledgePack | None) -> PhenopacketCase | list[Case]:
    """One file of :func:`read_inputs`: a phenopacket, or a case file's cases."""
    data = decode_json(content, name, MAX_CASE_FILE_BYTES)
    if isinstance(data, list):
        if pack is None:
            raise InputError(f"{name}: a case file needs the curated pack")
        return parse_cases(pack, data, name)
    if isinstance(data, dict) and not PHENOPACKET_KEYS & set(data):
        raise InputError(f"{name}: neither a case file (expected a JSON list of cases) nor a GA4GH "
                         f"phenopacket (no 'phenotypicFeatures', 'subject' or 'metaData')")
    packet = phenopacket_from_data(data, name)
    if not packet.diseases and not packet.not_established:
        raise InputError(f"{name}: no diagnosis (interpretations[].diagnosis.disease or diseases[]); "
                         f"an evaluation needs the expected disease")
    return packet


def _zip_members(content: bytes, origin: str, skipped: list[SkippedFile] | None = None) -> list[tuple[str, bytes]]:
    """The ``.json`` members of a zip, each read bounded; refuses zip bombs before inflating them.

    With ``skipped``, a member that is too large or cannot be unpacked is appended to it and the others are kept;
    a zip that is unreadable, empty or too large as a whole still raises.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise InputError(f"{origin}: not a readable zip file: {exc}") from None
    infos = [i for i in archive.infolist() if not i.is_dir() and i.filename.lower().endswith(".json")
             and not i.filename.startswith("__MACOSX/") and not Path(i.filename).name.startswith(".")]
    if not infos:
        raise InputError(f"{origin}: the zip holds no .json file")
    if len(infos) > MAX_FILES:
        raise InputError(f"{origin}: the zip holds {len(infos):,} files; the limit is {MAX_FILES:,}")
    declared = sum(i.file_size for i in infos)
    if declared > MAX_ZIP_TOTAL_BYTES:
        raise InputError(f"{origin}: unpacks to {declared:,} bytes; the limit is {MAX_ZIP_TOTAL_BYTES:,}")
    members, total = [], 0
    for info in infos:
        where = f"{origin}/{info.filename}"
        try:
            data = _zip_member(archive, info, where)
        except InputError as exc:
            if skipped is None:
                raise
            skipped.append(SkippedFile.of(where, exc))
            continue
        total += len(data)
        if total > MAX_ZIP_TOTAL_BYTES:
            raise InputError(f"{origin}: unpacks to more than {MAX_ZIP_TOTAL_BYTES:,} bytes")
        members.append((where, data))
    return members


def _zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    """One member of :func:`_zip_members`, read bounded."""
    if info.file_size > MAX_PHENOPACKET_BYTES:
        raise InputError(f"{where}: member is {info.file_size:,} bytes; the limit is {MAX_PHENOPACKET_BYTES:,}")
    try:
        with archive.open(info) as handle:
            data = handle.read(MAX_PHENOPACKET_BYTES + 1)  # the header's size may lie: read bounded
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, zlib.error, OSError) as exc:
        raise InputError(f"{where}: cannot be unpacked: {exc}") from None
    if len(data) > MAX_PHENOPACKET_BYTES:
        raise InputError(f"{where}: member is over the {MAX_PHENOPACKET_BYTES:,}-byte limit")
    return data


def unpack_uploads(files: Iterable[tuple[str, bytes]], *,
                   skipped: list[SkippedFile] | None = None) -> list[tuple[str, bytes]]:
    """Uploaded ``(name, content)`` pairs with every ``.zip`` replaced by its ``.json`` members.

    With ``skipped``, a zip or zip member that cannot be unpacked is appended to it (with the reason) and the
    rest is kept; without it, the first one raises. More than :data:`MAX_FILES` files always raise.
    """
    out: list[tuple[str, bytes]] = []
    for name, content in files:
        if not name.lower().endswith(".zip"):
            out.append((name, content))
        elif skipped is None:
            out += _zip_members(content, name)
        else:
            try:
                out += _zip_members(content, name, skipped)
            except InputError as exc:
                skipped.append(SkippedFile.of(name, exc))
        if len(out) > MAX_FILES:
            raise InputError(f"more than {MAX_FILES:,} files uploaded")
    return out


def gather(paths: Iterable[Path | str], pack: KnowledgePack | None) -> Inputs:
    """:func:`read_inputs` over files and folders on disk (each read bounded to 1 MB)."""
    return read_inputs(((p.name, read_bounded(p, MAX_CASE_FILE_BYTES, "file")) for p in expand_paths(paths)), pack)


def evaluate_on_corpus(
    corpus: CorpusPack,
    inputs: Inputs,
    pack: KnowledgePack | None,
    method: str,
    progress: Callable[[int], None] | None = None,
) -> CorpusEvaluation:
    """Rank ``corpus`` for every case: a phenopacket's diagnoses, a case file's condition codes, count as hits."""
    expected = [ExpectedCase(p.id, ", ".join(p.diseases) or p.not_established_note(), p.diseases, p.present,
                             p.absent, established=bool(p.diseases)) for p in inputs.phenopackets]
    if inputs.cases:
        codes = condition_codes(pack) if pack is not None else {}
        expected += [ExpectedCase(c.id, c.expected, tuple(codes.get(c.expected, ())), c.present, c.absent)
                     for c in inputs.cases]
    return evaluate_expected(corpus, expected, method, progress)


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def corpus_summary(ev: CorpusEvaluation) -> dict[str, Any]:
    """``n`` ranked, ``skipped`` by reason, top-1/3/10, MRR, ms per case, and what is newer than the release."""
    skipped = Counter(SKIP_REASONS.get(c.status, c.status) for c in ev.cases if c.rank is None)
    unknown = Counter(t for c in ev.cases for t in c.left_out if t.startswith("HP:"))
    missing = {code for c in ev.cases if c.status == STATUS_NOT_IN_PACK for code in c.codes}
    m = ev.metrics()
    return {
        "pack": ev.pack, "hpo_version": ev.version, "method": ev.method, "n_diseases": ev.n_diseases,
        "n": len(ev.ranked), "skipped": dict(sorted(skipped.items())),
        "top1": _round(m["top-1"]), "top3": _round(m["top-3"]), "top10": _round(m["top-10"]),
        "mrr": _round(m["MRR"]), "ms_per_case": _round(ev.ms_per_case, 3),
        "not_in_release": {"terms": len(unknown), "term_uses": sum(unknown.values()),
                           "cases_with_such_terms": sum(any(t.startswith("HP:") for t in c.left_out)
                                                        for c in ev.cases),
                           "diseases": len(missing)},
    }


@dataclass(frozen=True)
class CuratedRun:
    """A curated-pack evaluation of phenopackets and case files, with what was skipped."""

    evaluation: Evaluation
    skipped: dict[str, int]
    unknown_terms: tuple[str, ...]
    seconds: float
    hpo_version: str


def evaluate_on_curated(pack: KnowledgePack, inputs: Inputs, method: str, weights: Weights) -> CuratedRun:
    """Phenopackets whose diagnosis is an ORPHA / OMIM code of a curated condition, plus the case files' cases.

    Terms the pack's HPO release does not know are left out (and counted), as in a corpus evaluation.
    """
    by_code = {code: cid for cid, codes in condition_codes(pack).items() for code in codes}
    skipped: Counter[str] = Counter()
    unknown: dict[str, None] = {}
    cases = list(inputs.cases)
    for p in inputs.phenopackets:
        if not p.diseases:  # only diagnoses of unfinished interpretations: nothing is expected
            skipped[NOT_ESTABLISHED] += 1
            continue
        conditions = list(dict.fromkeys(by_code[d] for d in p.diseases if d in by_code))
        bad = set(check_terms(p, pack.ontology))
        unknown.update(dict.fromkeys(sorted(bad)))
        present = tuple(t for t in p.present if t not in bad)
        if not conditions:
            skipped["disease not a curated condition"] += 1
        elif not present:
            skipped["no usable term"] += 1
        else:
            cases.append(Case(id=p.id, present=present, absent=tuple(t for t in p.absent if t not in bad),
                              expected=conditions[0], alternatives=tuple(conditions[1:]), source=p.origin))
    start = time.perf_counter()
    ev = evaluate(pack, cases, method, weights)
    return CuratedRun(ev, dict(sorted(skipped.items())), tuple(unknown), time.perf_counter() - start, pack.hpo_version)


def curated_summary(run: CuratedRun) -> dict[str, Any]:
    """The curated evaluation's summary plus ``skipped``, ``ms_per_case`` and terms newer than the release."""
    ev = run.evaluation
    return {**ev.summary(), "hpo_version": run.hpo_version, "skipped": run.skipped,
            "ms_per_case": round(1000 * run.seconds / ev.n, 3) if ev.n else None,
            "not_in_release": {"terms": len(run.unknown_terms)}}


# --- where one phenopacket's diagnosis ranks (score --phenopacket) ----------------------------------

def corpus_expected(pack: CorpusPack, packet: PhenopacketCase, method: str) -> dict[str, Any]:
    """Where the phenopacket's established diagnosis ranks in the corpus ``pack`` (``expected_ranks``, out of its
    diseases); one-line errors for terms or diseases newer than the release."""
    require_known_terms(packet, pack.ontology)
    index = {d: i for i, d in enumerate(pack.disease_ids)}
    found = [d for d in packet.diseases if d in index]
    if packet.diseases and not found:
        raise InputError(f"{packet.origin}: disease {', '.join(packet.diseases)} is not in {pack.name} "
                         f"(HPO release {pack.version}): newer than the release in use, or of another pack")
    ranks = {}
    if found:
        from engine.corpus.pack import rank_of, score_corpus

        scores = score_corpus(pack, packet.present, packet.absent, method=method)
        ranks = {d: rank_of(scores, index[d]) for d in found}
    return _expected_dict(packet, ranks, pack.n_diseases)


def curated_expected(pack: KnowledgePack, packet: PhenopacketCase, ranking: Ranking) -> dict[str, Any]:
    """Where the curated condition carrying the phenopacket's diagnosis code ranks in ``ranking`` (if one does)."""
    rank_by_id = {m.condition_id: m.rank for m in ranking.matches}
    ranks = {}
    for c in pack.conditions:
        for code in (*c.orpha, *c.omim):
            if code in packet.diseases:
                ranks[f"{code} ({c.id})"] = rank_by_id[c.id]
    return _expected_dict(packet, ranks, len(pack.conditions))


def _expected_dict(packet: PhenopacketCase, ranks: dict[str, int], n: int) -> dict[str, Any]:
    return {"file": packet.origin, "id": packet.id, "subject_id": packet.subject_id, "sex": packet.sex,
            "age": packet.age, "n_present": len(packet.present), "n_absent": len(packet.absent),
            "expected": list(packet.diseases), "expected_ranks": ranks, "out_of": n,
            "skipped_diagnoses": [{"disease": d, "progress_status": s, "reason": "not SOLVED or COMPLETED"}
                                  for d, s in packet.not_established]}
