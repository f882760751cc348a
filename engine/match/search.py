"""Word-aware, typo-tolerant search over the pack's findings.

A finding's words come from its lay label, clinical label and description, and, for HPO findings,
from the term's name, synonyms and layperson synonyms in ``hp.obo``. A query matches a finding when
every query word matches one of its words: the same word, a word it starts (three letters or more),
a curated synonym or common spelling (``data/search_synonyms.csv``), or, for words of four letters
or more, a close spelling (``rapidfuzz`` ratio at least :data:`TYPO_CUTOFF`). "ear" finds "ear"
and "earlobe" but not "appearing"; "xray" finds "X-ray"; "knot" finds the lumps.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from engine.knowledge.pack import DATA_DIR, Finding, KnowledgePack

SYNONYMS_FILE = "search_synonyms.csv"
TYPO_CUTOFF = 80.0  # rapidfuzz ratio (0-100): one wrong, missing or swapped letter in a 5-letter word
MIN_PREFIX = 3
MIN_FUZZY = 4
_WORD = re.compile(r"[a-z0-9]+")
_JOINED = re.compile(r"(?<=[a-z0-9])[-'’](?=[a-z0-9])")
# Words that say nothing about a finding; dropped from a query unless it holds nothing else.
STOP_WORDS = frozenset({"a", "an", "and", "are", "at", "for", "i", "in", "is", "it", "my", "of", "on", "or", "the",
                        "to", "with"})
# Scores per kind of word match: an exact word beats a prefix, which beats a synonym or a typo.
EXACT, PREFIX, SYNONYM, TYPO = 3.0, 2.0, 1.5, 1.0


def words(text: str) -> list[str]:
    """Lower-case ASCII words; a hyphenated word also counts joined ("X-ray" gives x, ray and xray)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    out = _WORD.findall(plain)
    out += [w for w in _WORD.findall(_JOINED.sub("", plain)) if w not in out]
    return out


@cache
def load_synonyms(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Word -> words it may also mean, both ways (``data/search_synonyms.csv``: word, alternatives)."""
    path = path or DATA_DIR / SYNONYMS_FILE
    table: dict[str, set[str]] = {}
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            group = {w for part in [row["word"], *row["alternatives"].split(";")] for w in words(part)}
            for w in group:
                table.setdefault(w, set()).update(group - {w})
    return {w: tuple(sorted(alts)) for w, alts in table.items()}


@dataclass(frozen=True)
class SearchIndex:
    """Every finding's words, and the reverse index word -> findings (pack order)."""

    findings: tuple[Finding, ...]
    vocabulary: tuple[str, ...]
    postings: dict[str, tuple[int, ...]]
    synonyms: dict[str, tuple[str, ...]]

    def _word_hits(self, query_word: str) -> dict[int, float]:
        """Finding index -> best score of ``query_word`` against that finding's words."""
        hits: dict[int, float] = {}

        def add(word: str, score: float) -> None:
            for i in self.postings.get(word, ()):
                hits[i] = max(hits.get(i, 0.0), score)

        add(query_word, EXACT)
        if len(query_word) >= MIN_PREFIX:
            for word in self.vocabulary:
                if word != query_word and word.startswith(query_word):
                    add(word, PREFIX)
        for alt in self.synonyms.get(query_word, ()):
            add(alt, SYNONYM)
            if len(alt) >= MIN_PREFIX:
                for word in self.vocabulary:
                    if word != alt and word.startswith(alt):
                        add(word, SYNONYM)
        if len(query_word) >= MIN_FUZZY:
            for word, _, _ in process.extract(query_word, self.vocabulary, scorer=fuzz.ratio,
                                              score_cutoff=TYPO_CUTOFF, limit=None):
                if len(word) >= MIN_FUZZY:
                    add(word, TYPO)
        return hits

    def search(self, query: str) -> list[Finding]:
        """Findings matching every word of ``query``, best first (ties in pack order); all for a blank query."""
        query_words = words(query)
        if not query_words:
            return list(self.findings)
        query_words = [w for w in query_words if w not in STOP_WORDS] or query_words
        total: dict[int, float] | None = None
        for qw in dict.fromkeys(query_words):
            hits = self._word_hits(qw)
            total = hits if total is None else {i: s + hits[i] for i, s in total.items() if i in hits}
            if not total:
                return []
        assert total is not None
        return [self.findings[i] for i in sorted(total, key=lambda i: (-total[i], i))]


def finding_text(pack: KnowledgePack, finding: Finding) -> str:
    """All the words a finding can be found by."""
    parts = [finding.lay_label, finding.label, finding.description]
    term = pack.ontology.terms.get(finding.id) if finding.is_hpo else None
    if term is not None:
        parts += [term.name, *term.synonyms, *term.layperson]
    return " ".join(parts)


def build_index(pack: KnowledgePack, findings: Sequence[Finding] | None = None,
                synonyms: dict[str, tuple[str, ...]] | None = None) -> SearchIndex:
    """The search index of ``findings`` (default: every finding of the pack)."""
    findings = tuple(pack.findings if findings is None else findings)
    postings: dict[str, list[int]] = {}
    for i, f in enumerate(findings):
        for w in dict.fromkeys(words(finding_text(pack, f))):
            postings.setdefault(w, []).append(i)
    return SearchIndex(findings, tuple(postings), {w: tuple(ids) for w, ids in postings.items()},
                       load_synonyms() if synonyms is None else synonyms)


def search_findings(pack: KnowledgePack, query: str) -> list[Finding]:
    """One-call search over the pack's findings (builds the index; the UI caches it)."""
    return build_index(pack).search(query)
