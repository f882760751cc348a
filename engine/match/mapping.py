"""Map what a person reports (any valid HPO ID, or a pack ``CT:`` ID) onto the pack's findings.

Present terms, in this order:

1. a pack finding counts fully (``exact``);
2. a term below pack findings (a descendant) counts fully for the nearest of them (``more_specific``),
   never for a finding of :data:`NARROWER_THAN_HPO` (HPO files every inflammation below Abnormality of
   the immune system, the seed's "immune system dysfunction"), and partly, as in rule 4, for pack
   findings below it (Glomerulonephritis: Lupus nephritis);
3. a term too vague to mean anything is refused (``too_general``, credit 0) with a note asking for
   a more specific finding: ``All``, ``Phenotypic abnormality``, an organ-system root such as
   ``Abnormality of the integument``, and a term with pack findings below it whose information
   content is below :data:`engine.hpo.similarity.MIN_IC` (``Abnormality of the skin``). A common
   but precise term with nothing of the pack below it (``Seizure``) is not vague, only unrelated:
   it falls to rule 5;
4. any other term counts partially for the pack findings it is close to: the credit is Lin's
   similarity ``2 IC(MICA) / (IC(term) + IC(finding))`` through the most informative common
   ancestor (MICA) that is not too vague (:mod:`engine.hpo.similarity`), used only when at least the
   floor (``similarity_floor`` in ``data/weights.toml``). Of the findings above the floor, those
   reached through the most informative shared ancestor are kept (all of them, each with its own
   credit, except one that lies below another kept finding): the report says exactly that much
   about each, and nothing more specific about any other. Terms named in opposite directions
   (``Hypo-``, ``Decreased``, ``Low`` against ``Hyper-``, ``Elevated``, ``High``, in the name or else
   in the synonyms: Hypocalcemia and Hypercalcemia, Hypothermia and Fever alias Hyperthermia, share
   an ancestor but contradict each other; likewise acidosis/alkalosis, tachy-/brady-, macro-/micro-)
   never count for each other, a similar term never counts for a finding below an organ system it is
   not below itself (Retinal hemorrhage is not evidence of Gastrointestinal hemorrhage), and a
   term that would reach both (Abnormal circulating calcium concentration) counts for neither: the
   note asks which one was meant. Two different laboratory measurements
   (:data:`engine.hpo.similarity.MEASUREMENT_ROOTS`) never count for each other either: elevated
   creatinine and high uric acid share *Azotemia*, but one is not a reading of the other; a
   measurement counts only for the same analyte (itself, above or below it).
   ``relation`` is ``more_general`` when the term is an ancestor of the finding, else ``similar``;
5. a clinical modifier (onset, course, severity...: :data:`NOT_FINDINGS`) is never finding credit
   (``modifier``): it qualifies findings, and course terms are read as the course;
6. anything else is kept as ``unmapped``, with the reason.

Absent terms rule out what they cover, and only that: a pack finding that is the term or lies below
it (credit 1). An absent term never partly rules out a sibling, a cousin or a more general finding:
"no subcutaneous calcification" says nothing about calcinosis elsewhere in the skin; similarity is
evidence that two reports *may* describe the same thing, not that the absence of one excludes the
other. A too-general absent term is refused like a present one, since "no abnormality of the skin"
would otherwise silently rule out every skin finding at once.

Mappings of one reported term are computed once per pack, term, direction and floor (a small LRU
cache), so repeated scoring costs a dictionary look-up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

from engine.errors import InputError
from engine.hpo.ids import HPO_ID_PATTERN, LOCAL_ID_PATTERN, parse_id_list
from engine.hpo.ontology import Ontology, Term
from engine.hpo.similarity import (
    DEFAULT_SIMILARITY_FLOOR,
    InformationContent,
    information_content,
    is_measurement,
    organ_systems,
)
from engine.io.presentation import COURSE_FROM_TERMS, WORDING
from engine.knowledge.pack import KnowledgePack

Relation = Literal["exact", "more_specific", "more_general", "similar", "implied", "measured", "kept_present",
                   "kept_absent", "too_general", "modifier", "unmapped"]
#: HPO roots whose terms describe how a finding behaves or is inherited, never a finding: the clinical modifiers
#: (onset, course, severity, laterality...), mode of inheritance, frequency and blood group. A reported term below
#: them is never finding credit (a pack finding that is itself such a term counts only when named), and course
#: terms among them are read as the course (:data:`engine.io.presentation.COURSE_FROM_TERMS`).
NOT_FINDINGS = ("HP:0012823", "HP:0000005", "HP:0040279", "HP:0032223")


@dataclass(frozen=True)
class TermMapping:
    """How one reported ID reached a pack finding (or did not).

    ``relation`` is one of ``exact``, ``more_specific`` (full credit), ``more_general`` and
    ``similar`` (partial credit through ``shared``, the most informative common ancestor),
    ``implied`` (a curated implication), ``measured`` (a measured vital sign counted as the finding it
    amounts to), ``kept_present`` (a finding reported present by its own term that a broader absence would
    have ruled out), ``kept_absent`` (a finding reported absent by its own term that a related present term
    would have credited), ``too_general``, ``modifier`` and ``unmapped`` (credit 0).
    """

    reported_id: str
    finding_id: str | None
    relation: Relation
    credit: float
    present: bool
    note: str
    shared: str | None = None


@dataclass(frozen=True, eq=False)
class EncodedCase:
    """A case as two vectors over the pack's findings: credit present (0..1) and credit absent (0..1)."""

    present: np.ndarray
    absent: np.ndarray
    mappings: tuple[TermMapping, ...]

    @property
    def unmapped(self) -> tuple[TermMapping, ...]:
        return tuple(m for m in self.mappings if m.finding_id is None)

    @property
    def too_general(self) -> tuple[TermMapping, ...]:
        """Reported terms refused as too vague to count for any finding."""
        return tuple(m for m in self.mappings if m.relation == "too_general")


#: Pack findings whose plain-language meaning is much narrower than their HPO subtree, reached only when
#: reported themselves: the seed's "immune system dysfunction" is Abnormality of the immune system, an
#: organ-system root under which HPO files every inflammation (glomerulonephritis, oesophagitis, granuloma),
#: none of which is evidence of immune dysfunction. (Neoplasm, also a root, keeps its descendants: a
#: leukaemia is a cancer.)
NARROWER_THAN_HPO = frozenset({"HP:0002715"})

_UP = re.compile(r"\b(hyper\w*|increased|elevated|high|excessive)\b", re.IGNORECASE)
_DOWN = re.compile(r"\b(hypo\w*|decreased|reduced|low|lowered|diminished)\b", re.IGNORECASE)
#: Further pairs of opposite words (each an axis, like up/down): a term on one side never counts for a
#: term on the other. Acidosis and alkalosis share "Abnormality of acid-base homeostasis"; a fast and a
#: slow heart rate share "Abnormal heart rate"; but each contradicts the other.
_AXES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (_UP, _DOWN),
    (re.compile(r"(acidosis|acidemia|aciduria)\b", re.IGNORECASE),
     re.compile(r"(alkalosis|alkalemia|alkaluria)\b", re.IGNORECASE)),
    (re.compile(r"\btachy", re.IGNORECASE), re.compile(r"\bbrady", re.IGNORECASE)),
    (re.compile(r"\bmacro", re.IGNORECASE), re.compile(r"\bmicro", re.IGNORECASE)),
)


def direction(name: str, axis: int = 0) -> int:
    """+1 for a term named as an increase (``Hyper-``, ``Elevated``...), -1 for a decrease, 0 otherwise.

    ``axis`` picks another pair of opposite words of :data:`_AXES` (1: acidosis/alkalosis, 2: tachy-/brady-,
    3: macro-/micro-), +1 for the first word, -1 for the second.
    """
    up, down = _AXES[axis]
    return int(bool(up.search(name))) - int(bool(down.search(name)))


def term_direction(term: Term, axis: int = 0) -> int:
    """The direction of a term's name or, when the name has none, the one direction its synonyms agree on.

    Fever has no direction in its name but is "Hyperthermia" among its synonyms, so it is opposite to
    Hypothermia.
    """
    own = direction(term.name, axis)
    if own:
        return own
    votes = {direction(s, axis) for s in term.synonyms} - {0}
    return votes.pop() if len(votes) == 1 else 0


#: Term ID -> (the Term read, its directions): :func:`term_directions` of each term of the release in use, so the
#: regular expressions run once per term, not once per (reported term, pack finding) pair.
_DIRECTIONS: dict[str, tuple[Term, tuple[int, ...]]] = {}
_NO_DIRECTION = (0,) * len(_AXES)


def term_directions(term: Term) -> tuple[int, ...]:
    """The term's direction on every axis of :data:`_AXES`.

    Memoised per term of the release in use: a hit must be the very ``Term`` object (the same release), so
    another release's term of the same ID is computed afresh.
    """
    hit = _DIRECTIONS.get(term.id)
    if hit is not None and hit[0] is term:
        return hit[1]
    signs = tuple(term_direction(term, axis) for axis in range(len(_AXES)))
    _DIRECTIONS[term.id] = (term, signs)
    return signs


def opposite(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """True when two terms' directions (:func:`term_directions`) contradict on some axis."""
    if a == _NO_DIRECTION or b == _NO_DIRECTION:  # most terms name no direction: nothing to contradict
        return False
    return any(x * y < 0 for x, y in zip(a, b, strict=True))


def _partial(pack: KnowledgePack, term_id: str, floor: float) -> list[tuple[float, str, str]]:
    """(credit, finding, MICA) for the pack findings ``term_id`` is close to, per the module rule 4."""
    onto = pack.ontology
    ic = information_content(onto)
    if ic.informative_ancestors(onto, term_id).isdisjoint(_pack_informative(pack, ic)):
        return []  # no informative ancestor shared with any pack finding: no similarity (about half of all terms)

    signs = term_directions(onto.terms[term_id])
    lab = is_measurement(onto, term_id)
    systems = organ_systems(onto, ic, term_id)
    found: list[tuple[float, str, str]] = []
    for f in pack.findings:
        if not f.is_hpo or is_modifier(onto, f.id) or opposite(signs, term_directions(onto.terms[f.id])):
            continue
        credit, shared = ic.lin(onto, term_id, f.id)
        if shared is None or credit < floor:
            continue
        if lab and shared != term_id and is_measurement(onto, f.id):
            continue  # elevated creatinine is not evidence of high uric acid: only the same analyte counts
        if shared not in (term_id, f.id) and not _within_organs(systems, organ_systems(onto, ic, f.id)):
            continue  # retinal and gut bleeding share "Internal hemorrhage", but not an organ
        found.append((credit, f.id, shared))
    if not found:
        return []
    best = max(ic[m] for _, _, m in found)
    kept = [x for x in found if ic[x[2]] == best]
    # A kept finding below another kept one (Stage 5 CKD below CKD) needs more than this report says.
    ids = {f for _, f, _ in kept}
    kept = [x for x in kept if not (ids - {x[1]}) & onto.ancestors(x[1])]
    return sorted(kept, key=lambda x: (-x[0], x[1]))


@lru_cache(maxsize=8)
def _pack_informative(pack: KnowledgePack, ic: InformationContent) -> frozenset[str]:
    """Every informative ancestor (:meth:`InformationContent.informative_ancestors`) of the pack's HPO findings."""
    return frozenset().union(*(ic.informative_ancestors(pack.ontology, f.id) for f in pack.findings if f.is_hpo))


def _within_organs(reported: frozenset[str], finding: frozenset[str]) -> bool:
    """True when the finding lies below no organ system the reported term is not below: a report is not
    evidence about an organ it does not concern (retinal bleeding says nothing about the gut)."""
    return finding <= reported


def _opposed(pack: KnowledgePack, close: list[tuple[float, str, str]]) -> list[str]:
    """The findings of ``close`` named in opposite directions (Hypocalcemia and Hypercalcemia), if both occur."""
    signs = {f: term_directions(pack.ontology.terms[f]) for _, f, _ in close}
    out: set[str] = set()
    for axis in range(len(_AXES)):
        on_axis = {f: s[axis] for f, s in signs.items()}
        if {1, -1} <= set(on_axis.values()):
            out |= {f for f, s in on_axis.items() if s}
    return sorted(out)


def is_modifier(onto: Ontology, term_id: str) -> bool:
    """True for a term below :data:`NOT_FINDINGS` (a clinical modifier, mode of inheritance, frequency...)."""
    return not onto.ancestors(term_id).isdisjoint(NOT_FINDINGS)


@lru_cache(maxsize=8192)
def findings_above(pack: KnowledgePack, term_id: str) -> frozenset[str]:
    """The pack's HPO findings above a resolved term, however far, except :data:`NARROWER_THAN_HPO`."""
    ancestors = pack.ontology.ancestors(term_id)
    return frozenset(f.id for f in pack.findings if f.is_hpo and f.id in ancestors and f.id not in NARROWER_THAN_HPO
                     and (f.id == term_id or not is_modifier(pack.ontology, f.id)))


@lru_cache(maxsize=8192)
def _map_one(pack: KnowledgePack, reported: str, present: bool, floor: float) -> tuple[TermMapping, ...]:
    index = pack.finding_index
    if LOCAL_ID_PATTERN.match(reported):
        if reported not in index:
            raise InputError(f"unknown finding ID {reported!r}: not in the knowledge pack")
        return (TermMapping(reported, reported, "exact", 1.0, present, ""),)
    if not HPO_ID_PATTERN.match(reported):
        raise InputError(f"malformed finding ID {reported!r}: expected HP:nnnnnnn (7 digits) or a pack CT: ID")
    onto = pack.ontology
    term_id = onto.resolve(reported)
    note = f"{reported} is now {term_id} in HPO {onto.version}; " if term_id != reported else ""
    if term_id in index:
        return (TermMapping(reported, term_id, "exact", 1.0, present, note.rstrip("; ")),)
    name = onto.terms[term_id].name
    if is_modifier(onto, term_id):
        course = COURSE_FROM_TERMS.get(term_id)
        why = (f"read as the course ('{WORDING[course[0]][course[1]]}')" if course and present else
               "it describes how a finding behaves, not a finding")
        return (TermMapping(reported, None, "modifier", 0.0, present, f"{note}'{name}' is a clinical modifier: {why}"),)
    pack_hpo = [f.id for f in pack.findings if f.is_hpo and not is_modifier(onto, f.id)]
    # A pack finding above the reported term: the report implies it (present), nothing is implied when absent.
    above = [(d, f) for f in findings_above(pack, term_id) if (d := onto.distance_up(term_id, f)) is not None]
    if above and present:
        best = min(d for d, _ in above)
        specific = tuple(TermMapping(reported, f, "more_specific", 1.0, True,
                                 f"{note}'{name}' is a more specific kind of '{pack.finding(f).label}', so it counts "
                                 "fully") for d, f in sorted(above, key=lambda x: x[1]) if d == best)
        # It may also be more general than pack findings below it (Glomerulonephritis: below the immune
        # system, above Lupus nephritis): those count partly, as for any more general term (rule 4).
        general = tuple(_partial_mapping(pack, reported, term_id, note, credit, f, shared)
                        for credit, f, shared in _partial(pack, term_id, floor) if shared == term_id)
        return specific + general
    ic = information_content(onto)
    below = sorted(f for f in pack_hpo if term_id in onto.ancestors(f))
    if term_id in ic.uninformative or (below and ic.too_general(term_id)):
        return (TermMapping(reported, None, "too_general", 0.0, present,
                        f"{note}'{name}' ({term_id}) is too general to count for any finding: "
                        "please choose a more specific finding"),)
    if not present:
        if below:
            return tuple(TermMapping(reported, f, "more_general", 1.0, False,
                                 f"{note}no '{name}' at all also rules out '{pack.finding(f).label}'")
                         for f in below)
        why = ("its absence says nothing about the more general pack findings" if above
               else "its absence rules out nothing in the pack (an absent term only rules out what it covers)")
        return (TermMapping(reported, None, "unmapped", 0.0, False, f"{note}'{name}' was not used: {why}"),)
    close = _partial(pack, term_id, floor)
    opposed = _opposed(pack, close)
    if opposed:  # "abnormal calcium" cannot count as both low and high calcium: ask which
        close = [x for x in close if x[1] not in opposed]
        if not close:
            labels = " or ".join(f"'{pack.finding(f).label}'" for f in opposed)
            return (TermMapping(reported, None, "unmapped", 0.0, True,
                            f"{note}'{name}' was not used: it could mean {labels}; please choose one"),)
    if close:
        return tuple(_partial_mapping(pack, reported, term_id, note, credit, f, shared)
                     for credit, f, shared in close)
    why = ("the pack has no finding for this measurement (another laboratory value is not evidence for it)"
           if is_measurement(onto, term_id) else "no finding of the pack is close to it in HPO")
    return (TermMapping(reported, None, "unmapped", 0.0, True, f"{note}'{name}' was not used: {why}"),)


def _partial_mapping(pack: KnowledgePack, reported: str, term_id: str, note: str, credit: float, finding: str,
                     shared: str) -> TermMapping:
    onto = pack.ontology
    name, label = onto.terms[term_id].name, pack.finding(finding).label
    if shared == term_id:
        return TermMapping(reported, finding, "more_general", credit, True,
                       f"{note}'{name}' is more general than '{label}': counts {credit:.0%}", shared)
    return TermMapping(reported, finding, "similar", credit, True,
                   f"{note}'{name}' is close to '{label}' through '{onto.terms[shared].name}': counts {credit:.0%}",
                   shared)


def _apply_implications(pack: KnowledgePack, x: np.ndarray, z: np.ndarray) -> list[TermMapping]:
    """Apply the curated ``implies`` column of findings.csv; updates ``x`` and ``z`` in place.

    A present finding makes what it implies present; an absent one makes every finding that implies
    it absent. Notes use the plain-language labels, since people see them.
    """
    notes: list[TermMapping] = []
    for j, targets in pack.implied.items():
        source = pack.findings[j]
        for k in targets:
            target = pack.findings[k]
            if x[j] > x[k]:
                x[k] = x[j]
                notes.append(TermMapping(source.id, target.id, "implied", float(x[j]), True,
                                     f"'{source.lay_label}' also counts as '{target.lay_label}'"))
            if z[k] > z[j]:
                z[j] = z[k]
                notes.append(TermMapping(target.id, source.id, "implied", float(z[k]), False,
                                     f"no '{target.lay_label}' also means no '{source.lay_label}'"))
    return notes


def _settle_clashes(pack: KnowledgePack, x: np.ndarray, z: np.ndarray,
                    mappings: Sequence[TermMapping]) -> list[TermMapping]:
    """Settle a finding that is both present and absent when one side is the finding's own report and the other
    only reached it indirectly, as a clinician reads such a note; updates ``x`` / ``z`` in place, returns notes.

    - Reported present by its own term (or a narrower one), absent only through a broader term or an implication
      ("heliotrope rash" with "no rash"): it stays present; the absence still rules out everything else it covers.
    - Reported absent by its own term, present only through a similar term or a broader one (partial credit): it
      stays absent. Similarity says two reports may describe the same thing; an explicit "no" to that thing says
      they do not. The similar term itself still counts for whatever else it reaches.

    Anything else (both by the finding's own term, or present only through an implication of another finding
    against an explicit absence) remains a contradiction for :func:`encode_case` to refuse.
    """
    direct_present = {m.finding_id: m.reported_id for m in mappings
                      if m.present and m.relation in ("exact", "more_specific") and m.credit >= 1.0}
    direct_absent = {m.finding_id: m.reported_id for m in mappings if not m.present and m.relation == "exact"}
    partial_present: dict[str | None, list[str]] = {}
    for m in mappings:
        if m.present and m.relation in ("similar", "more_general"):
            partial_present.setdefault(m.finding_id, []).append(m.reported_id)
    implied_present = {m.finding_id for m in mappings if m.present and m.relation in ("implied", "measured")}
    notes: list[TermMapping] = []
    for j in np.flatnonzero((x > 0) & (z > 0)):
        finding = pack.findings[int(j)]
        fid = finding.id
        if fid in direct_present and fid not in direct_absent:
            z[j] = 0.0
            notes.append(TermMapping(direct_present[fid], fid, "kept_present", 1.0, True,
                                     f"'{finding.lay_label}' was reported present; a broader or related finding "
                                     "reported absent does not rule it out"))
        elif (fid in direct_absent and fid not in direct_present and fid in partial_present
              and fid not in implied_present):
            x[j] = 0.0
            notes.append(TermMapping(direct_absent[fid], fid, "kept_absent", 1.0, False,
                                     f"'{finding.lay_label}' was reported absent, so a related finding reported "
                                     "present does not count for it"))
    return notes


def encode_case(pack: KnowledgePack, present: Iterable[str] | str | None,
                absent: Iterable[str] | str | None = None,
                similarity_floor: float = DEFAULT_SIMILARITY_FLOOR,
                measured: Iterable[tuple[str, str, str]] = ()) -> EncodedCase:
    """Validate reported IDs and turn them into credit vectors over the pack's findings.

    Parameters
    ----------
    similarity_floor
        Least credit a partial (similarity) match needs to count; ``similarity_floor`` of the weights.
    measured
        ``(source, finding_id, note)`` of measured values that count as present pack findings (38.6 °C is
        Fever: :func:`engine.triage.vitals.vital_findings`), ``source`` naming the measurement.

    Raises
    ------
    InputError
        For a malformed or unknown ID, a finding reported both present and absent, or more than
        :data:`engine.hpo.ids.MAX_TERMS` distinct IDs.
    """
    present_ids, absent_ids = parse_id_list(present), parse_id_list(absent)
    parse_id_list([*present_ids, *absent_ids])  # the cap of distinct IDs holds for the whole case
    both = sorted(set(present_ids) & set(absent_ids))
    if both:
        raise InputError(f"finding(s) reported both present and absent: {', '.join(both)}")
    n = len(pack.findings)
    x, z = np.zeros(n), np.zeros(n)
    mappings: list[TermMapping] = []
    for ids, is_present, vec in ((present_ids, True, x), (absent_ids, False, z)):
        for reported in ids:
            for m in _map_one(pack, reported, is_present, float(similarity_floor)):
                mappings.append(m)
                if m.finding_id is not None:
                    j = pack.finding_index[m.finding_id]
                    vec[j] = max(vec[j], m.credit)
    for source, finding_id, note in measured:
        mappings.append(TermMapping(source, finding_id, "measured", 1.0, True, note))
        x[pack.finding_index[finding_id]] = 1.0
    mappings += _apply_implications(pack, x, z)
    mappings += _settle_clashes(pack, x, z, mappings)
    clash = np.flatnonzero((x > 0) & (z > 0))
    if clash.size:
        labels = ", ".join(pack.findings[j].label for j in clash)
        raise InputError(f"the reported findings contradict each other: {labels} would be both present and absent")
    return EncodedCase(present=x, absent=z, mappings=tuple(mappings))
