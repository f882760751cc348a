"""Map what a person reports (any valid HPO ID, or a pack ``CT:`` ID) onto the pack's findings.

A reported term that is more specific than a pack finding (a descendant)
counts fully for it; one that is more general (an ancestor, at most
``MAX_GENERAL_STEPS`` levels up) counts partially (``ancestor_credit``).
An absent term rules out the pack findings below it, never those above it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from engine.errors import InputError
from engine.hpo import HPO_ID_PATTERN
from engine.ids import parse_id_list
from engine.pack import LOCAL_ID_PATTERN, KnowledgePack

MAX_GENERAL_STEPS = 2


@dataclass(frozen=True)
class Mapping:
    """How one reported ID reached a pack finding (or did not)."""

    reported_id: str
    finding_id: str | None
    relation: str  # exact | more_specific | more_general | implied | unmapped
    credit: float
    present: bool
    note: str


@dataclass(frozen=True, eq=False)
class EncodedCase:
    """A case as two vectors over the pack's findings: credit present (0..1) and credit absent (0..1)."""

    present: np.ndarray
    absent: np.ndarray
    mappings: tuple[Mapping, ...]

    @property
    def unmapped(self) -> tuple[Mapping, ...]:
        return tuple(m for m in self.mappings if m.finding_id is None)


def _map_one(pack: KnowledgePack, reported: str, present: bool, ancestor_credit: float) -> list[Mapping]:
    index = pack.finding_index
    if LOCAL_ID_PATTERN.match(reported):
        if reported not in index:
            raise InputError(f"unknown finding ID {reported!r}: not in the knowledge pack")
        return [Mapping(reported, reported, "exact", 1.0, present, "")]
    if not HPO_ID_PATTERN.match(reported):
        raise InputError(f"malformed finding ID {reported!r}: expected HP:nnnnnnn (7 digits) or a pack CT: ID")
    onto = pack.ontology
    term_id = onto.resolve(reported)
    note = f"{reported} is now {term_id} in HPO {onto.version}; " if term_id != reported else ""
    if term_id in index:
        return [Mapping(reported, term_id, "exact", 1.0, present, note.rstrip("; "))]
    name = onto.terms[term_id].name
    pack_hpo = [f.id for f in pack.findings if f.is_hpo]
    # A pack finding above the reported term: the report implies it (present), nothing is implied when absent.
    above = [(onto.distance_up(term_id, f), f) for f in pack_hpo if f in onto.ancestors(term_id)]
    if above and present:
        best = min(d for d, _ in above)
        return [Mapping(reported, f, "more_specific", 1.0, True,
                        f"{note}'{name}' is a more specific kind of '{pack.finding(f).label}', so it counts fully")
                for d, f in sorted(above, key=lambda x: x[1]) if d == best]
    # Pack findings below the reported term: absent rules them all out; present counts partially.
    below = [(onto.distance_up(f, term_id), f) for f in pack_hpo if term_id in onto.ancestors(f)]
    if below and not present:
        return [Mapping(reported, f, "more_general", 1.0, False,
                        f"{note}no '{name}' at all also rules out '{pack.finding(f).label}'")
                for _, f in sorted(below, key=lambda x: x[1])]
    near = [(d, f) for d, f in below if d is not None and d <= MAX_GENERAL_STEPS]
    if near and present:
        best = min(d for d, _ in near)
        return [Mapping(reported, f, "more_general", ancestor_credit, True,
                        f"{note}'{name}' is more general than '{pack.finding(f).label}', "
                        f"so it counts {ancestor_credit:.0%}")
                for d, f in sorted(near, key=lambda x: x[1]) if d == best]
    why = ("its absence says nothing about the more general pack findings" if above and not present
           else "no finding of the pack is close to it in HPO")
    return [Mapping(reported, None, "unmapped", 0.0, present, f"{note}'{name}' was not used: {why}")]


def _apply_implications(pack: KnowledgePack, x: np.ndarray, z: np.ndarray) -> list[Mapping]:
    """Apply the curated ``implies`` column of findings.csv; updates ``x`` and ``z`` in place.

    A present finding makes what it implies present; an absent one makes every finding that implies
    it absent. Notes use the plain-language labels, since people see them.
    """
    notes: list[Mapping] = []
    for j, targets in pack.implied.items():
        source = pack.findings[j]
        for k in targets:
            target = pack.findings[k]
            if x[j] > x[k]:
                x[k] = x[j]
                notes.append(Mapping(source.id, target.id, "implied", float(x[j]), True,
                                     f"'{source.lay_label}' also counts as '{target.lay_label}'"))
            if z[k] > z[j]:
                z[j] = z[k]
                notes.append(Mapping(target.id, source.id, "implied", float(z[k]), False,
                                     f"no '{target.lay_label}' also means no '{source.lay_label}'"))
    return notes


def encode_case(pack: KnowledgePack, present: Iterable[str] | str | None,
                absent: Iterable[str] | str | None = None, ancestor_credit: float = 0.5) -> EncodedCase:
    """Validate reported IDs and turn them into credit vectors over the pack's findings.

    Raises
    ------
    InputError
        For a malformed or unknown ID, or a finding reported both present and absent.
    """
    present_ids, absent_ids = parse_id_list(present), parse_id_list(absent)
    both = sorted(set(present_ids) & set(absent_ids))
    if both:
        raise InputError(f"finding(s) reported both present and absent: {', '.join(both)}")
    n = len(pack.findings)
    x, z = np.zeros(n), np.zeros(n)
    mappings: list[Mapping] = []
    for ids, is_present, vec in ((present_ids, True, x), (absent_ids, False, z)):
        for reported in ids:
            for m in _map_one(pack, reported, is_present, ancestor_credit):
                mappings.append(m)
                if m.finding_id is not None:
                    j = pack.finding_index[m.finding_id]
                    vec[j] = max(vec[j], m.credit)
    mappings += _apply_implications(pack, x, z)
    clash = np.flatnonzero((x > 0) & (z > 0))
    if clash.size:
        labels = ", ".join(pack.findings[j].label for j in clash)
        raise InputError(f"the reported findings contradict each other: {labels} would be both present and absent")
    return EncodedCase(present=x, absent=z, mappings=tuple(mappings))
