"""One full, explained result: ranking, triage, next questions, disclaimer and clinician prompt."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from engine.errors import InputError
from engine.hpo.ids import parse_id_list
from engine.io.presentation import Presentation
from engine.knowledge.pack import KnowledgePack
from engine.knowledge.priors import ContextRule, pack_context_rules
from engine.knowledge.weights import Weights, default_weights
from engine.match.context import ContextUse, with_context
from engine.match.explain import Ranking, explain
from engine.match.mapping import EncodedCase
from engine.match.methods import DEFAULT_METHOD
from engine.match.next_question import NextQuestion, suggest_next
from engine.match.relations import CombinedMatch, combined_match
from engine.match.scoring import Scorer, prepare
from engine.triage.assess import Triage, assess, encode_with_presentation
from engine.triage.copy import EDUCATIONAL_NOTE, NOT_A_DIAGNOSIS, THIN_EVIDENCE_NOTE


@dataclass(frozen=True)
class Result:
    """Everything a person, an educator or the CLI is shown for one set of findings."""

    ranking: Ranking
    triage: Triage
    next_questions: tuple[NextQuestion, ...]
    disclaimer: str
    hpo_version: str
    educational_note: str = EDUCATIONAL_NOTE
    #: The best match and a related condition near it (a lesion and the disease it arises in), named together in
    #: one line (:mod:`engine.match.relations`); None when no such pair fits.
    combined: CombinedMatch | None = None
    #: Whether the age band and sex were given and used (None: the caller ranked without the engine's context
    #: step, see :func:`engine.match.context.with_context`).
    context: ContextUse | None = None

    @property
    def clinician_prompt(self) -> str:
        return self.triage.clinician_prompt

    @property
    def evidence_level(self) -> str:
        """How much specific evidence the best match rests on: ``thin``, ``moderate`` or ``strong``."""
        return self.ranking.evidence_level

    @property
    def evidence_note(self) -> str | None:
        """What to say first when the evidence is thin (no percentage is headlined then); else None."""
        return THIN_EVIDENCE_NOTE.format(n=len(self.ranking.matches)) if self.ranking.thin else None

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """A JSON-ready dict (``top`` limits the number of matches listed)."""
        matches = self.ranking.matches if top is None else self.ranking.matches[:max(top, 0)]
        return {
            "educational_note": self.educational_note,
            "clinician_prompt": self.clinician_prompt,
            "disclaimer": self.disclaimer,
            "method": self.ranking.method,
            "hpo_version": self.hpo_version,
            "triage": asdict(self.triage),
            "evidence_level": self.evidence_level,
            "evidence_note": self.evidence_note,
            "combined": None if self.combined is None else self.combined.to_dict(),
            "matches": [{**asdict(m), "fit_summary": m.fit.describe()} for m in matches],
            "mappings": [asdict(m) for m in self.ranking.mappings],
            "next_questions": [asdict(q) for q in self.next_questions],
            "context": self.context.to_dict() if self.context is not None else None,
        }


def _encode_reported(pack: KnowledgePack, present: Iterable[str] | str, absent: Iterable[str] | str | None,
                     weights: Weights, presentation: Presentation | None = None) -> EncodedCase:
    """Encode, refusing a report with no finding at all (a ranking on priors alone would look like a match);
    measured vital signs count as the findings they amount to."""
    if not parse_id_list(present) and not parse_id_list(absent):
        raise InputError("no findings reported: give at least one present or absent finding ID")
    return encode_with_presentation(pack, present, absent, weights.params.similarity_floor, presentation)


def run_case(scorer: Scorer, case: EncodedCase, n_questions: int = 3,
             presentation: Presentation | None = None, rules: Sequence[ContextRule] | None = None) -> Result:
    """Explain, triage and suggest next questions for an encoded case with a prepared scorer.

    With ``rules`` (:func:`engine.knowledge.priors.pack_context_rules`), the presentation's age band and sex
    adjust the ranking (:func:`engine.match.context.with_context`) and the result says so; without, the result's
    ``context`` is None (give ``rules`` or pass a scorer already adjusted, never both).
    """
    context = None
    if rules is not None:
        scorer, context = with_context(scorer, rules, presentation.age_band if presentation else None,
                                       presentation.sex if presentation else None)
    ranking = explain(scorer, case)
    return Result(
        ranking=ranking,
        triage=assess(scorer.pack, case, ranking, presentation),
        next_questions=suggest_next(scorer.pack, scorer.weights, case, ranking, n_questions),
        disclaimer=f"{scorer.pack.disclaimer_substance} {NOT_A_DIAGNOSIS}",
        hpo_version=scorer.pack.hpo_version,
        combined=combined_match(scorer.pack, ranking),
        context=context,
    )


def match_findings(pack: KnowledgePack, present: Iterable[str] | str, absent: Iterable[str] | str | None = None,
                   method: str = DEFAULT_METHOD, weights: Weights | None = None, n_questions: int = 3,
                   presentation: Presentation | None = None) -> Result:
    """Match reported findings against the pack: the one-call entry point.

    Parameters
    ----------
    pack
        From :func:`engine.load_pack`.
    present, absent
        HPO IDs (any valid term; mapped onto the pack through the ontology) or pack ``CT:`` IDs,
        as a list or a comma-separated string.
    method
        A curated method of :data:`engine.match.methods.METHODS` (``tfidf``, the default, ``likelihood``,
        ``weighted`` or ``overlap``).
    weights
        Analyst weights; default :func:`engine.knowledge.weights.default_weights`.
    presentation
        Course and context (onset, trajectory, how unwell, age band, vital signs...): they change the urgency,
        and measured vital signs count as findings. The age band and sex adjust the ranking by the cited
        context priors (``data/context_priors.csv``) for ``likelihood`` and ``tfidf``; the result's ``context``
        says whether they were used.
    """
    weights = weights or default_weights(pack)
    case = _encode_reported(pack, present, absent, weights, presentation)
    return run_case(prepare(pack, weights, method), case, n_questions, presentation, pack_context_rules(pack))


def score(pack: KnowledgePack, present: Iterable[str] | str, absent: Iterable[str] | str | None = None,
          method: str = DEFAULT_METHOD, weights: Weights | None = None) -> Ranking:
    """Only the explained ranking (no triage, no next questions); same arguments as :func:`match_findings`."""
    weights = weights or default_weights(pack)
    return explain(prepare(pack, weights, method), _encode_reported(pack, present, absent, weights))
