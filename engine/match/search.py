"""Word-aware, typo-tolerant search over the pack's findings, loose where people are loose.

A finding's words come from its lay label, clinical label and description, and, for HPO findings,
from the term's name, synonyms and layperson synonyms in ``hp.obo``. A query word matches a finding word
when it is the same word (or its singular: "lumps" is "lump"), a word it starts (three letters or more),
a curated synonym or common spelling (``data/search_synonyms.csv``), or, for words of four letters
or more, a close spelling (``rapidfuzz`` ratio at least :data:`TYPO_CUTOFF`) of the word or of its
start ("rayno" finds "Raynaud"). "ear" finds "ear" and "earlobe" but not "appearing"; "xray" finds "X-ray";
"knot" finds the lumps. A curated phrase ("calcium lumps") also finds what it means (calcinosis, calcium
deposits), even where the finding's text has neither word.

Findings that match every query word come first. People type loosely ("leg ulcer", "white bits coming out
of skin"), so findings that match only some of the words follow, ranked below every full match: by how
much of the query they match, each word counting by how rare it is among the findings (a word that
matches everything says little).
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
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
STOP_WORDS = frozenset({"a", "all", "am", "an", "and", "are", "at", "be", "been", "can", "cant", "d", "did", "do",
                        "does", "doesnt", "don", "dont", "for", "get", "got", "has", "have", "i", "im", "in", "is",
                        "it", "its", "ll", "me", "my", "of", "on", "or", "s", "so", "some", "such", "t", "that",
                        "the", "them", "there", "they", "this", "to", "very", "was", "what", "when", "will", "with",
                        "won", "wont"})
# Scores per kind of word match: an exact word beats a prefix, which beats a synonym or a typo. A curated
# phrase says what the words mean together, so a finding it reaches scores above one that only has the words.
EXACT, PREFIX, SYNONYM, TYPO, PREFIX_TYPO, PHRASE = 3.0, 2.0, 1.5, 1.0, 0.8, 3.5
# A finding that matches only some query words is listed when it matches at least this share of them.
MIN_PARTIAL_SHARE = 0.5


def words(text: str) -> list[str]:
    """Lower-case ASCII words; a hyphenated word also counts joined ("X-ray" gives x, ray and xray)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    out = _WORD.findall(plain)
    out += [w for w in _WORD.findall(_JOINED.sub("", plain)) if w not in out]
    return out


Phrase = tuple[str, ...]


@cache
def _synonym_rows(path: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not path.is_file():
        return ()
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple((row["word"], tuple(row["alternatives"].split(";"))) for row in csv.DictReader(fh))


def load_synonyms(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Word -> words it may also mean, both ways (the one-word rows of ``data/search_synonyms.csv``: word,
    alternatives)."""
    table: dict[str, set[str]] = {}
    for word, alternatives in _synonym_rows(path or DATA_DIR / SYNONYMS_FILE):
        if len(words(word)) != 1:
            continue  # a phrase (load_phrases)
        group = {w for part in [word, *alternatives] for w in words(part)}
        for w in group:
            table.setdefault(w, set()).update(group - {w})
    return {w: tuple(sorted(alts)) for w, alts in table.items()}


def load_phrases(path: Path | None = None) -> dict[Phrase, tuple[Phrase, ...]]:
    """Phrase -> phrases it means, one way (the rows of ``data/search_synonyms.csv`` whose word is several
    words: "calcium lump" -> calcinosis, calcium deposit)."""
    table: dict[Phrase, tuple[Phrase, ...]] = {}
    for word, alternatives in _synonym_rows(path or DATA_DIR / SYNONYMS_FILE):
        key = tuple(words(word))
        if len(key) > 1:
            table[key] = tuple(tuple(words(a)) for a in alternatives if words(a))
    return table


@dataclass(frozen=True)
class SearchIndex:
    """Every finding's words, and the reverse index word -> findings (pack order)."""

    findings: tuple[Finding, ...]
    vocabulary: tuple[str, ...]
    postings: dict[str, tuple[int, ...]]
    synonyms: dict[str, tuple[str, ...]]
    phrases: dict[Phrase, tuple[Phrase, ...]] = field(default_factory=dict)
    #: Word starts by length, filled on first use (see :meth:`_starts`).
    start_cache: dict[int, tuple[list[str], list[str]]] = field(default_factory=dict, compare=False, repr=False)

    def _word_hits(self, query_word: str) -> dict[int, float]:
        """Finding index -> best score of ``query_word`` against that finding's words."""
        hits: dict[int, float] = {}

        def add(word: str, score: float) -> None:
            for i in self.postings.get(word, ()):
                hits[i] = max(hits.get(i, 0.0), score)

        add(query_word, EXACT)
        singular = _singular(query_word)
        if singular != query_word:
            add(singular, EXACT)
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
            # a misspelt start of a longer word ("rayno" for "raynaud"): the word's first letters, one more
            # or one fewer, compared with the query word
            n = len(query_word)
            for cut in (n - 1, n, n + 1):
                starts = self._starts(cut)
                for _, _, j in process.extract(query_word, starts[0], scorer=fuzz.ratio,
                                               score_cutoff=TYPO_CUTOFF, limit=None):
                    add(starts[1][j], PREFIX_TYPO)
        return hits

    def _starts(self, n: int) -> tuple[list[str], list[str]]:
        """The first ``n`` letters of every vocabulary word longer than ``n``, and those words (cached)."""
        cache = self.start_cache
        if n not in cache:
            longer = [w for w in self.vocabulary if len(w) > n]
            cache[n] = ([w[:n] for w in longer], longer)
        return cache[n]

    def _phrase_hits(self, phrase: Phrase) -> set[int]:
        """Findings having every word of ``phrase`` itself (a curated meaning is precise: no synonym, start
        or typo widens it)."""
        found: set[int] | None = None
        for w in phrase:
            having = set(self.postings.get(w, ()))
            found = having if found is None else found & having
        return found or set()

    def search(self, query: str) -> list[Finding]:
        """Findings matching every word of ``query``, best first (ties in pack order), then those matching
        only some of them (at least :data:`MIN_PARTIAL_SHARE`), ranked below; all for a blank query."""
        query_words = words(query)
        if not query_words:
            return list(self.findings)
        query_words = list(dict.fromkeys([w for w in query_words if w not in STOP_WORDS] or query_words))
        per_word = [self._word_hits(qw) for qw in query_words]
        for phrase, meanings in self.phrases.items():
            covered = _covers(phrase, query_words)
            if covered is None:
                continue
            for meaning in meanings:
                for i in self._phrase_hits(meaning):
                    for k in covered:
                        per_word[k][i] = max(per_word[k].get(i, 0.0), PHRASE)
        # a word's worth: its inverse document frequency among the findings (a word found everywhere says little)
        n = len(self.findings)
        worth = [math.log((n + 1) / (len(h) + 1)) + 1.0 if h else 0.0 for h in per_word]
        full = len(query_words)
        needed = max(1, math.ceil(MIN_PARTIAL_SHARE * full))
        ranked: dict[int, tuple[int, float, float]] = {}
        for i in set().union(*per_word):
            matched = [k for k, h in enumerate(per_word) if i in h]
            if len(matched) < needed:
                continue
            ranked[i] = (len(matched) == full, sum(worth[k] for k in matched),
                         sum(per_word[k][i] * worth[k] for k in matched))
        return [self.findings[i] for i in sorted(ranked, key=lambda i: (not ranked[i][0], -ranked[i][1],
                                                                        -ranked[i][2], i))]


def _singular(word: str) -> str:
    """``word`` without a plural ``s`` ("lumps" -> "lump"; "gas" and "ss" words stay)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _covers(phrase: Phrase, query_words: Sequence[str]) -> tuple[int, ...] | None:
    """Positions of the query words that say ``phrase`` (each phrase word, or its plural, is a query word);
    None if some phrase word is missing."""
    out = []
    for pw in phrase:
        k = next((k for k, q in enumerate(query_words) if q == pw or _singular(q) == pw), None)
        if k is None:
            return None
        out.append(k)
    return tuple(out)


def finding_text(pack: KnowledgePack, finding: Finding) -> str:
    """All the words a finding can be found by."""
    parts = [finding.lay_label, finding.label, finding.description]
    term = pack.ontology.terms.get(finding.id) if finding.is_hpo else None
    if term is not None:
        parts += [term.name, *term.synonyms, *term.layperson]
    return " ".join(parts)


def build_index(pack: KnowledgePack, findings: Sequence[Finding] | None = None,
                synonyms: dict[str, tuple[str, ...]] | None = None,
                phrases: dict[Phrase, tuple[Phrase, ...]] | None = None) -> SearchIndex:
    """The search index of ``findings`` (default: every finding of the pack)."""
    findings = tuple(pack.findings if findings is None else findings)
    postings: dict[str, list[int]] = {}
    for i, f in enumerate(findings):
        text_words = words(finding_text(pack, f))
        for w in dict.fromkeys([*text_words, *map(_singular, text_words)]):  # "deposits" is found by "deposit"
            postings.setdefault(w, []).append(i)
    return SearchIndex(findings, tuple(postings), {w: tuple(ids) for w, ids in postings.items()},
                       load_synonyms() if synonyms is None else synonyms,
                       load_phrases() if phrases is None else phrases)


def search_findings(pack: KnowledgePack, query: str) -> list[Finding]:
    """One-call search over the pack's findings (builds the index; the UI caches it)."""
    return build_index(pack).search(query)
