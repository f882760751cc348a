"""The one registry of the curated ranking methods: each is an object (:class:`Method`) in a module of its own.

Adding a method is one new module here and one line in :data:`REGISTRY`. The corpus methods have their own
registry (:mod:`engine.corpus.methods`), with the same :class:`MethodInfo` metadata.

>>> check_method("weighted")
'weighted'
>>> REGISTRY["tfidf"].info.title
'TF-IDF cosine'
"""

from __future__ import annotations

from engine.errors import InputError
from engine.match.methods.base import LinearMethod, Method, MethodInfo, Scorer, specificity
from engine.match.methods.likelihood import Likelihood
from engine.match.methods.overlap import Overlap
from engine.match.methods.tfidf import TfIdf
from engine.match.methods.weighted import Weighted

__all__ = ["DEFAULT_METHOD", "METHODS", "METHOD_INFO", "REGISTRY", "LinearMethod", "Method", "MethodInfo", "Scorer",
           "check_method", "get_method", "specificity"]

#: Every curated method by name, in the order people see them.
REGISTRY: dict[str, Method] = {m.name: m for m in (Overlap(), Weighted(), Likelihood(), TfIdf())}
METHOD_INFO: dict[str, MethodInfo] = {name: m.info for name, m in REGISTRY.items()}
METHODS: tuple[str, ...] = tuple(REGISTRY)
#: The curated pack's default method: the best on the outside-style development cases (data/cases/README.md).
DEFAULT_METHOD = "tfidf"


def check_method(method: str) -> str:
    """``method`` if it is a curated method; a one-line InputError otherwise."""
    if method not in REGISTRY:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    return method


def get_method(method: str) -> Method:
    """The registered method called ``method``; a one-line InputError for any other name."""
    return REGISTRY[check_method(method)]
