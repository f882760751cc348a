"""Which findings a report already covers, for showing a match: implied by, the same as, or narrower than a
reported finding.

A match lists the usual features of a condition that were not reported. Some of those the person did report,
in other words: "A lump in the skin" after "Hard lumps under the skin" (HPO places the second below the first),
"A lump on a finger" after "Hard lumps on the fingertips or hands" (the same thing, from two vocabularies).
Listing them as "not reported" makes a result contradict itself. This module says, for a set of reported
findings, which other pack findings they cover and how:

* ``implied``: the reported finding implies it (the pack's ``implies`` column, followed through; an HPO
  ancestor; or a curated ``implies`` row of ``data/finding_overlaps.csv``);
* ``same``: a curated ``same`` row: two findings a person cannot tell apart;
* ``narrower``: it implies a reported finding (a more specific form of it). It is still worth asking about,
  so it stays listed, marked as more specific than what was reported.

Display only: the scores never read this module (a curated row that should change scoring belongs in the
pack's ``implies`` column instead).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

from engine.errors import PackError
from engine.io.readers import read_csv_rows
from engine.knowledge.pack import MAX_PACK_FILE_BYTES, KnowledgePack, reachable
from engine.match.mapping import NARROWER_THAN_HPO, is_modifier

__all__ = ["OVERLAPS_FILE", "Cover", "Overlap", "covered", "load_overlaps", "narrower"]

OVERLAPS_FILE = "finding_overlaps.csv"
Relation = Literal["implied", "same", "narrower"]


@dataclass(frozen=True)
class Overlap:
    """A curated row: reporting ``finding_id`` covers ``covers`` (``implies``), or each covers the other
    (``same``); ``reason`` says why, in plain words."""

    finding_id: str
    covers: str
    relation: Literal["implies", "same"]
    reason: str


@dataclass(frozen=True)
class Cover:
    """``finding_id`` is covered by the reported ``reported_id`` through ``relation``."""

    finding_id: str
    reported_id: str
    relation: Relation


@lru_cache(maxsize=8)
def load_overlaps(pack: KnowledgePack) -> tuple[Overlap, ...]:
    """The curated rows beside ``pack`` (its ``data_dir``); none when the pack has no such file.

    Raises
    ------
    PackError
        Naming the file, row and column of an unknown finding, an unknown relation or a missing reason.
    """
    path = pack.data_dir / OVERLAPS_FILE
    if not path.exists():
        return ()
    out = []
    for line, row in enumerate(read_csv_rows(path, MAX_PACK_FILE_BYTES, PackError), start=2):
        where = f"{OVERLAPS_FILE}, row {line}"
        finding, covers, relation, reason = ((row.get(k) or "").strip() for k in (
            "finding_id", "covers", "relation", "reason"))
        for column, value in (("finding_id", finding), ("covers", covers)):
            if value not in pack.finding_index:
                raise PackError(f"{where}, column '{column}': unknown finding ID {value!r}")
        if finding == covers:
            raise PackError(f"{where}: a finding cannot cover itself")
        if relation not in ("implies", "same"):
            raise PackError(f"{where}, column 'relation': {relation!r} is not 'implies' or 'same'")
        if not reason:
            raise PackError(f"{where}, column 'reason': say why the one covers the other")
        out.append(Overlap(finding, covers, "implies" if relation == "implies" else "same", reason))
    return tuple(out)


@lru_cache(maxsize=8)
def _relations(pack: KnowledgePack) -> tuple[tuple[frozenset[int], ...], tuple[frozenset[int], ...]]:
    """Per finding index: every finding it implies (pack ``implies``, HPO ancestors and curated ``implies``,
    followed through), and every finding curated as the same."""
    n = len(pack.findings)
    direct: list[set[int]] = [set(pack.implied.get(i, ())) for i in range(n)]
    same: list[set[int]] = [set() for _ in range(n)]
    # HPO ancestors in the pack, by the mapping's rule: never a finding HPO files too broadly, nor a modifier
    broad = {i for i, f in enumerate(pack.findings)
             if f.id in NARROWER_THAN_HPO or (f.is_hpo and is_modifier(pack.ontology, f.id))}
    for i in range(n):
        direct[i] |= {int(k) for k in np.flatnonzero(pack.below[:, i]) if k != i and k not in broad}
    index = pack.finding_index
    for row in load_overlaps(pack):
        a, b = index[row.finding_id], index[row.covers]
        if row.relation == "implies":
            direct[a].add(b)
        else:
            same[a].add(b)
            same[b].add(a)
    closure = tuple(frozenset(reachable(direct, start)) for start in range(n))
    return closure, tuple(frozenset(s) for s in same)


def covered(pack: KnowledgePack, reported: Iterable[str]) -> dict[str, Cover]:
    """Pack findings (not themselves reported) that ``reported`` implies or that are the same as a reported one
    (or as one it implies), each with the first reported finding that covers it (report order)."""
    closure, same = _relations(pack)
    index = pack.finding_index
    given = [i for i in dict.fromkeys(reported) if i in index]
    out: dict[str, Cover] = {}
    for rid in given:
        r = index[rid]
        for k in sorted(closure[r]):
            out.setdefault(pack.findings[k].id, Cover(pack.findings[k].id, rid, "implied"))
        for k in sorted(same[r] | {s for j in closure[r] for s in same[j]}):
            out.setdefault(pack.findings[k].id, Cover(pack.findings[k].id, rid, "same"))
    for rid in given:
        out.pop(rid, None)
    return out


def narrower(pack: KnowledgePack, finding_id: str, reported: Iterable[str]) -> str | None:
    """The first reported finding that ``finding_id`` implies (it is a more specific form of it), or None."""
    closure, _ = _relations(pack)
    index = pack.finding_index
    if finding_id not in index:
        return None
    above = closure[index[finding_id]]
    return next((r for r in reported if r in index and index[r] in above), None)
