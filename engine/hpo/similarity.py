"""Information content of HPO terms, and how close two terms are through the ontology.

The information content (IC) of a term is ``-ln(n_t / N)``: ``N`` diseases make up the *disease universe*,
``n_t`` of them are annotated with the term or one of its descendants (the true-path rule). Both modes get
their IC from :func:`ic_from_counts`, the one place that turns counts into IC; they differ in two named
inputs, each for a reason of its own:

* **The disease universe** (what ``N`` and ``n_t`` count). The curated mapping counts every disease of
  ``phenotype.hpoa`` with at least one positive phenotype annotation (:func:`compute_information_content`:
  aspect ``P``, not ``NOT``, frequency not zero, any prefix; 12,679 diseases in 2025-01-16), since a
  reported term is placed on the whole of HPO's knowledge, whichever pack is in use. Corpus mode counts the
  rows of its pack (:mod:`engine.corpus.pack`: the diseases of the pack's sources, ``ORPHA:``, ``OMIM:``
  or all three, a disease with only ``NOT`` rows included), since its IC weighs evidence between exactly
  those diseases.
* **What an unannotated term gets** (``unannotated``, ``n_t = 0``). Corpus mode gives it IC 0
  (:data:`UNANNOTATED_ZERO`): no disease of the pack can match it, so it can carry no score. The curated
  mapping counts it as annotated once (:data:`UNANNOTATED_AS_ONE`, IC ``ln N``): nobody annotating with
  it means it is rare and specific, not vague, and a Lin similarity needs a positive IC on both sides.

Two terms are as close as Lin's similarity says (Lin 1998): ``2 IC(MICA) / (IC(a) + IC(b))``, MICA
being their most informative common ancestor. It is 1 for the same term, near 1 for a parent and
child that say almost the same, and lower as the shared ancestor becomes broad or either term adds
information of its own. Ancestors that say nothing are never shared: ``All``, ``Phenotypic
abnormality``, the organ-system roots (its direct children, e.g. ``Abnormality of the integument``)
and any term whose IC is below :data:`MIN_IC` (e.g. ``Abnormality of the skin``, 1.2).
:mod:`engine.match.mapping` says how the similarity becomes a credit, and when a reported term is refused
as too general.

Computed once per process and ontology, on first use (0.5-1 s on a quiet machine), never at pack load.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from engine.errors import InputError
from engine.hpo.annotations import hpoa_records, parse_frequency
from engine.hpo.ontology import PHENOTYPIC_ABNORMALITY, ROOT, Ontology, hpo_data_dir

#: The least IC a shared ancestor (or a reported term with pack findings below it) needs to mean anything. ``ln 10``: an
#: ancestor shared by more than one disease in ten (e.g. Abnormality of the skin, 31%; Pain, 9%,
#: passes) is too broad to make two findings alike.
MIN_IC = math.log(10)

#: Default least similarity for a partial match (``similarity_floor`` in ``data/weights.toml``). Chosen on
#: the pack's own vocabulary against the phenotype.hpoa terms of its 17 conditions, never on test cases:
#: below it, matches run through broad groupings (bone ossification, urine homeostasis, retinal morphology).
DEFAULT_SIMILARITY_FLOOR = 0.45

#: Laboratory measurements: Abnormal circulating metabolite concentration, Abnormal circulating hormone
#: concentration, Abnormal urine metabolite level, Abnormal circulating enzyme concentration or activity.
#: Two different measurements share chemistry groupings (Azotemia holds creatinine and uric acid; alkaline
#: phosphatase and LDH are both enzymes) but are not evidence for each other.
MEASUREMENT_ROOTS = frozenset({"HP:0032180", "HP:0003117", "HP:0033354", "HP:0012379"})


#: What a term no disease of the universe is annotated with (``n_t = 0``) gets: IC 0, or the IC of a term
#: of one disease (``ln N``). See the module docstring for which mode uses which, and why.
Unannotated = Literal["zero", "as-one"]
#: Corpus mode's rule: an unannotated term matches no disease, so it weighs nothing.
UNANNOTATED_ZERO: Unannotated = "zero"
#: The curated mapping's rule: an unannotated term is rare and specific, as informative as a term of one disease.
UNANNOTATED_AS_ONE: Unannotated = "as-one"


def ic_from_counts(counts: np.ndarray | Sequence[float], n_diseases: int, *, unannotated: Unannotated) -> np.ndarray:
    """IC per term, ``-ln(n_t / N)``, from ``counts`` (``n_t`` per term) over a universe of ``n_diseases``.

    The one formula both modes use; the caller says what the universe is (by counting) and what an
    unannotated term gets (``unannotated``). Never negative: a term of every disease gets ``0.0``, not
    ``-0.0``.

    >>> ic_from_counts(np.array([4.0, 1.0, 0.0]), 4, unannotated=UNANNOTATED_ZERO).round(4).tolist()
    [0.0, 1.3863, 0.0]
    >>> ic_from_counts(np.array([4.0, 1.0, 0.0]), 4, unannotated=UNANNOTATED_AS_ONE).round(4).tolist()
    [0.0, 1.3863, 1.3863]
    """
    if unannotated not in (UNANNOTATED_ZERO, UNANNOTATED_AS_ONE):
        raise ValueError(f"unannotated: expected {UNANNOTATED_ZERO!r} or {UNANNOTATED_AS_ONE!r}, got {unannotated!r}")
    counts = np.asarray(counts, dtype=np.float64)
    ic = -np.log(np.maximum(counts, 1.0) / max(n_diseases, 1))
    if unannotated == UNANNOTATED_ZERO:
        ic = np.where(counts > 0, ic, 0.0)
    out: np.ndarray = np.maximum(ic, 0.0)  # -ln(1) is -0.0
    return out


def is_measurement(ontology: Ontology, term_id: str) -> bool:
    """True for a (resolved) term below one of :data:`MEASUREMENT_ROOTS`."""
    return not MEASUREMENT_ROOTS.isdisjoint(ontology.ancestors(term_id))


def organ_systems(ontology: Ontology, ic: InformationContent, term_id: str) -> frozenset[str]:
    """The organ-system roots (children of Phenotypic abnormality) a resolved term lies below."""
    return frozenset(ontology.ancestors(term_id) & ic.uninformative) - {ROOT, PHENOTYPIC_ABNORMALITY}


@dataclass(frozen=True, eq=False)
class InformationContent:
    """IC per non-obsolete HPO term of one ontology, from one ``phenotype.hpoa``.

    Attributes
    ----------
    ic
        Term ID to IC (natural log), every non-obsolete term included.
    n_diseases
        ``N``: diseases with at least one positive phenotype annotation.
    uninformative
        ``All``, ``Phenotypic abnormality`` and the organ-system roots: never a shared ancestor.
    """

    ic: dict[str, float]
    n_diseases: int
    uninformative: frozenset[str]
    #: Term ID -> its ancestors that are not too general, filled on demand (:meth:`informative_ancestors`).
    _informative: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def __getitem__(self, term_id: str) -> float:
        return self.ic[term_id]

    def too_general(self, term_id: str) -> bool:
        """True for a term too broad to be a shared ancestor: a root, or IC below :data:`MIN_IC`."""
        return term_id in self.uninformative or self.ic[term_id] < MIN_IC

    def informative_ancestors(self, ontology: Ontology, term_id: str) -> frozenset[str]:
        """The ancestors of a resolved term (itself included) that are not too general; memoised per term."""
        found = self._informative.get(term_id)
        if found is None:
            found = frozenset(t for t in ontology.ancestors(term_id) if not self.too_general(t))
            self._informative[term_id] = found
        return found

    def mica(self, ontology: Ontology, a: str, b: str) -> str | None:
        """The most informative common ancestor of two resolved terms that is not too general, or None.

        Ties (same IC) go to the smallest ID, so the choice is deterministic.
        """
        shared = self.informative_ancestors(ontology, a) & self.informative_ancestors(ontology, b)
        return min(shared, key=lambda t: (-self.ic[t], t)) if shared else None

    def lin(self, ontology: Ontology, a: str, b: str) -> tuple[float, str | None]:
        """Lin's similarity of two resolved terms and the MICA it goes through; ``(0.0, None)`` if none."""
        shared = self.mica(ontology, a, b)
        if shared is None:
            return 0.0, None
        return min(1.0, 2 * self.ic[shared] / (self.ic[a] + self.ic[b])), shared


def positive_annotations(path: Path) -> dict[str, set[str]]:
    """Disease ID to the HPO IDs it is positively annotated with (as written, not resolved).

    Reads only the columns it needs, with the same rules as the corpus build: aspect ``P``, not
    ``NOT``, frequency empty or above zero.
    """
    diseases: dict[str, set[str]] = {}
    frequencies: dict[str, float | None] = {}  # a few thousand distinct values over ~250,000 rows
    columns = ("database_id", "hpo_id", "qualifier", "aspect", "frequency")
    header, records = hpoa_records(path, columns)
    disease, term, qualifier, aspect, frequency = (header.index(name) for name in columns)
    for fields in records:
        if fields[aspect] != "P" or fields[qualifier] == "NOT":
            continue
        raw = fields[frequency]
        if raw not in frequencies:
            frequencies[raw] = parse_frequency(raw)
        value = frequencies[raw]
        if value is not None and value <= 0.0:  # 0/n or Excluded: an exclusion, not an annotation
            continue
        diseases.setdefault(fields[disease], set()).add(fields[term])
    return diseases


def annotated_counts(ontology: Ontology, diseases: Iterable[Iterable[str]]) -> dict[str, int]:
    """For every term of ``ontology``, how many of ``diseases`` (each its annotated HPO IDs, as written) are
    annotated with it or a descendant. IDs this release cannot place are skipped.

    Each term holds its diseases as the bits of one Python int; a term's set is its own annotations
    OR its children's sets, so one pass over the ontology (memoised) propagates everything.
    """
    resolved: dict[str, str | None] = {}
    direct: dict[str, int] = {}
    for bit, terms in enumerate(diseases):
        mask = 1 << bit
        for raw in terms:
            if raw not in resolved:
                resolved[raw] = _resolve(ontology, raw)
            resolved_id = resolved[raw]
            if resolved_id is not None:
                direct[resolved_id] = direct.get(resolved_id, 0) | mask
    below: dict[str, int] = {}

    def under(term: str) -> int:
        # Iterative post-order: HPO is ~17 levels deep, but recursion limits are not ours to rely on.
        stack = [term]
        while stack:
            top = stack[-1]
            todo = [c for c in ontology.children.get(top, ()) if c not in below]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            if top not in below:
                bits = direct.get(top, 0)
                for child in ontology.children.get(top, ()):
                    bits |= below[child]
                below[top] = bits
        return below[term]

    return {term_id: under(term_id).bit_count() for term_id in ontology.terms}


def compute_information_content(ontology: Ontology, hpoa_path: Path) -> InformationContent:
    """The curated mapping's IC: the universe is every disease of ``hpoa_path`` with a positive phenotype
    annotation (:func:`positive_annotations`), and an unannotated term counts as annotated once."""
    diseases = positive_annotations(hpoa_path)
    counts = annotated_counts(ontology, diseases.values())
    terms = [term_id for term_id, term in ontology.terms.items() if not term.obsolete]
    values = ic_from_counts(np.array([counts[t] for t in terms], dtype=np.float64), len(diseases),
                            unannotated=UNANNOTATED_AS_ONE)
    organ_roots = ontology.children.get(PHENOTYPIC_ABNORMALITY, ())
    return InformationContent(ic=dict(zip(terms, values.tolist(), strict=True)), n_diseases=len(diseases),
                              uninformative=frozenset({ROOT, PHENOTYPIC_ABNORMALITY, *organ_roots}))


def _resolve(ontology: Ontology, raw: str) -> str | None:
    """The current ID of an annotated term, or None for one this release cannot place."""
    try:
        return ontology.resolve(raw)
    except InputError:
        return None


def information_content(ontology: Ontology, hpoa_path: Path | None = None) -> InformationContent:
    """The IC of ``ontology``'s terms from ``hpoa_path`` (default: the release in use), computed once per
    ontology and file: the ontology owns the cache, so it goes when the ontology goes."""
    path = (hpoa_path or hpo_data_dir() / "phenotype.hpoa").resolve()
    key = ("information_content", str(path))
    hit = ontology.derived.get(key)
    if not isinstance(hit, InformationContent):
        hit = ontology.derived[key] = compute_information_content(ontology, path)
    return hit
