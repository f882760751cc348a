"""The one registry of ranking methods, curated and corpus: names, titles, summaries, formulas, checks.

>>> check_method("weighted")
'weighted'
>>> check_corpus_method("resnik-bma")
'resnik-bma'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from engine.errors import InputError

__all__ = ["CORPUS_METHODS", "CORPUS_METHOD_INFO", "DEFAULT_CORPUS_METHOD", "DEFAULT_METHOD", "METHODS", "METHOD_INFO",
           "CorpusMethod", "MethodInfo", "check_corpus_method", "check_method"]


@dataclass(frozen=True)
class MethodInfo:
    """One ranking method: its name, a title for people, what it does, and its formula.

    ``axis`` says how to read the method's score on a chart (higher is always closer).
    """

    name: str
    title: str
    summary: str
    latex: str = ""
    axis: str = ""
    uses_priors: bool = False
    uses_absent: bool = False


METHOD_INFO: dict[str, MethodInfo] = {
    "overlap": MethodInfo(
        "overlap", "Set overlap",
        "Counts how many ticked findings are in each condition's profile, relative to the size of both "
        "sets (Jaccard by default; Dice or cosine as options). Frequencies, weights and priors are ignored.",
        r"\mathrm{Jaccard}(P, C) = \frac{|P \cap C|}{|P \cup C|}",
    ),
    "weighted": MethodInfo(
        "weighted", "Weighted specificity",
        "Each ticked finding adds its weight × specificity (rarer across the conditions = more telling) × "
        "its frequency in the condition, more for hallmarks; a finding marked absent subtracts, and so "
        "does, a little, a hallmark nobody mentioned.",
        r"s_c = \sum_{f \in P} w_f\,\mathrm{idf}_f\,p_{cf}(1 + b\,h_{cf})"
        r" - a \sum_{f \in A} w_f\,\mathrm{idf}_f\,p_{cf}(1 + b\,h_{cf})"
        r" - m \sum_{f \notin P \cup A} w_f\,\mathrm{idf}_f\,p_{cf}\,h_{cf}",
        uses_absent=True,
    ),
    "likelihood": MethodInfo(
        "likelihood", "Likelihood ratio",
        "Starts from each condition's prior and adds, per finding, the log of how much more often it is "
        "seen with this condition than across all of them (present findings), or how much more often it is "
        "missing (findings marked absent), in the spirit of LIRICAL.",
        r"s_c = \log_{10}\pi_c + \sum_{f \in P} w_f \log_{10}\frac{p_{cf}}{\bar p_f}"
        r" + \sum_{f \in A} w_f \log_{10}\frac{1 - p_{cf}}{1 - \bar p_f}",
        uses_priors=True, uses_absent=True,
    ),
    "tfidf": MethodInfo(
        "tfidf", "TF-IDF cosine",
        "Compares the ticked findings with each condition's profile as two vectors in which every finding "
        "counts by its weight × specificity (rarer across the conditions = more telling), and, in the "
        "profile, by how often it occurs; the score is the cosine of the angle between them (the "
        "vector-space model of text retrieval). Priors and findings marked absent are ignored.",
        r"s_c = \frac{\sum_f (x_f w_f \mathrm{idf}_f)(p_{cf} w_f \mathrm{idf}_f)}"
        r"{\lVert x \circ w \circ \mathrm{idf} \rVert\,\lVert p_c \circ w \circ \mathrm{idf} \rVert}",
    ),
}
METHODS: tuple[str, ...] = tuple(METHOD_INFO)
#: The curated pack's default method: the best on the outside-style development cases (data/cases/README.md).
DEFAULT_METHOD = "tfidf"

CorpusMethod = Literal["resnik", "resnik-bma", "likelihood"]

#: Corpus-mode methods (formulas in docs/corpus.md and :func:`engine.corpus.pack.score_corpus`).
CORPUS_METHOD_INFO: dict[CorpusMethod, MethodInfo] = {
    "likelihood": MethodInfo(
        "likelihood", "Likelihood ratios (LIRICAL-style)",
        "Log prior odds plus, per present term, the log of how much likelier it is with the disease than "
        "across all diseases (and the same for terms marked absent), less a small cost for broad diseases.",
        axis="Log posterior odds (right of 0: more likely than not under the model; higher = closer)",
        uses_priors=True, uses_absent=True,
    ),
    "resnik": MethodInfo(
        "resnik", "Resnik similarity, patient → disease",
        "Per present term, the information content of its most informative ancestor shared with the "
        "disease's annotations; the mean over the present terms.",
        axis="Mean information content shared with the disease (higher = closer)",
    ),
    "resnik-bma": MethodInfo(
        "resnik-bma", "Resnik similarity, best-match average both ways",
        "Resnik similarity averaged both ways: patient terms to the disease and the disease's terms to the "
        "patient, so a disease with many unmatched terms scores lower.",
        axis="Best-match average information content (higher = closer)",
    ),
}
CORPUS_METHODS: tuple[CorpusMethod, ...] = tuple(CORPUS_METHOD_INFO)
#: The corpus packs' default method (best on real patients; docs/corpus.md).
DEFAULT_CORPUS_METHOD: CorpusMethod = "likelihood"


def check_method(method: str) -> str:
    """``method`` if it is a curated method; a one-line InputError otherwise."""
    if method not in METHOD_INFO:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    return method


def check_corpus_method(method: str) -> CorpusMethod:
    """``method`` as a :data:`CorpusMethod`; a one-line InputError for any other string."""
    for known in CORPUS_METHODS:
        if method == known:
            return known
    raise InputError(f"unknown corpus method {method!r}: expected one of {list(CORPUS_METHODS)}")
