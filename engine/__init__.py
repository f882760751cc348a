"""calcinosis-triage engine: an educational symptom-matching library (never a diagnosis).

Pure Python; never imports streamlit. Typical use::

    from engine import load_pack, match_findings
    pack = load_pack()
    result = match_findings(pack, ["HP:0001482", "HP:0012622"], method="likelihood")
    result.ranking.top.name, result.triage.level, result.disclaimer
"""

from typing import TYPE_CHECKING, Any

from engine.corpus.names import CORPUS_METHODS
from engine.errors import InputError, PackError, TriageError, WeightsError
from engine.evaluation.cases import load_cases, parse_cases, read_case_bytes, teaching_cases
from engine.evaluation.curated import Evaluation, evaluate
from engine.io.cases import Case
from engine.knowledge.pack import KnowledgePack, check_pack, load_pack
from engine.knowledge.validation import Issue
from engine.knowledge.weights import (
    PARAM_SPECS,
    Weights,
    default_weights,
    load_weights,
    parse_weights,
    validate_weights,
    weights_to_csv,
    weights_to_toml,
)
from engine.match.explain import ConditionMatch, FindingContribution, Ranking, explain
from engine.match.fit import AbsoluteFit
from engine.match.mapping import EncodedCase, encode_case
from engine.match.methods import DEFAULT_METHOD, METHOD_INFO, METHODS, MethodInfo
from engine.match.next_question import NextQuestion, suggest_next
from engine.match.scoring import Scorer, prepare
from engine.result import Result, match_findings, run_case, score
from engine.triage.assess import Triage, assess, triage_terms
from engine.triage.copy import CLINICIAN_PROMPT

if TYPE_CHECKING:
    from engine.corpus.methods import CORPUS_METHOD_INFO
    from engine.corpus.pack import load_corpus, rank_corpus

#: Names of the corpus mode, imported on first use: the sparse-matrix code costs start-up time a curated
#: result never needs.
_LAZY = {"CORPUS_METHOD_INFO": "engine.corpus.methods", "load_corpus": "engine.corpus.pack",
         "rank_corpus": "engine.corpus.pack"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "CLINICIAN_PROMPT",
    "CORPUS_METHODS",
    "CORPUS_METHOD_INFO",
    "DEFAULT_METHOD",
    "METHODS",
    "METHOD_INFO",
    "PARAM_SPECS",
    "AbsoluteFit",
    "Case",
    "ConditionMatch",
    "EncodedCase",
    "Evaluation",
    "FindingContribution",
    "InputError",
    "Issue",
    "KnowledgePack",
    "MethodInfo",
    "NextQuestion",
    "PackError",
    "Ranking",
    "Result",
    "Scorer",
    "Triage",
    "TriageError",
    "Weights",
    "WeightsError",
    "assess",
    "check_pack",
    "default_weights",
    "encode_case",
    "evaluate",
    "explain",
    "load_cases",
    "load_corpus",
    "load_pack",
    "load_weights",
    "match_findings",
    "parse_cases",
    "parse_weights",
    "prepare",
    "rank_corpus",
    "read_case_bytes",
    "run_case",
    "score",
    "suggest_next",
    "teaching_cases",
    "triage_terms",
    "validate_weights",
    "weights_to_csv",
    "weights_to_toml",
]
