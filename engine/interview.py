"""An interview after the first result: the most discriminating next question, one at a time, until no answer
can change the result any more.

The question is the unasked finding with the highest expected information gain over the top candidates
(:func:`engine.next_question.suggest_next`), leaving out the ones the person was not sure about. An answer
updates what is known: "yes" adds the finding as present, "no" as absent, "not sure" only sets it aside.

The interview stops when the best remaining question can no longer change the result: the result is computed
under "yes" and under "no", and if neither changes the set of the three closest matches or the urgency level,
asking is pointless. It also stops when no question is left, and at once when the urgency is an emergency
(getting help comes first). Every stop says why. After a settled stop the person may ask for more: the look then
widens to the :data:`MORE` most useful questions, and the first of them that could change something is asked.

"The closest three" are the first three conditions that matched at least one finding (:class:`Outcome`). How the
rule was measured, and what was tried and not kept: docs/interview.md.

Pure: no I/O, no state; an :class:`InterviewState` is an immutable value the caller keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Literal

from engine.errors import InputError
from engine.io.presentation import Presentation
from engine.knowledge.pack import KnowledgePack
from engine.knowledge.priors import pack_context_rules
from engine.match.context import with_context
from engine.match.explain import Ranking, explain
from engine.match.mapping import EncodedCase
from engine.match.next_question import NextQuestion, suggest_next
from engine.match.scoring import Scorer
from engine.triage.assess import assess, encode_with_presentation
from engine.triage.levels import TriageLevel, severity

Answer = Literal["yes", "no", "not_sure"]
ANSWERS: tuple[Answer, ...] = ("yes", "no", "not_sure")
ANSWER_WORDS: dict[Answer, str] = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}

#: Why an interview stopped: the best remaining question cannot change the result (``settled``), no question is
#: left (``no_question``), or the answers already call for emergency care (``emergency``).
StopReason = Literal["settled", "no_question", "emergency"]

#: How many of the closest matches the stopping rule watches, as a number and in words.
TOP, TOP_WORDS = 3, "three"
#: How far down the list of questions the person's "ask me more" looks after a settled stop. Measured with
#: studies/interview_length.py (docs/interview.md): on people who can answer every question, the best question
#: alone stops after a median of 1; the first of the five best that can still change something asks about 6 and
#: reaches the full checklist's closest match far more often.
MORE, MORE_WORDS = 5, "five"
#: A profile frequency from which the why line says "nearly everyone" rather than a percentage.
NEARLY_ALL = 0.95


@dataclass(frozen=True)
class InterviewState:
    """What is known so far: the findings reported present and absent (the first result's and the interview's
    answers together), the ones the person was not sure about, and the interview's answers in the order given."""

    present: tuple[str, ...]
    absent: tuple[str, ...] = ()
    not_sure: tuple[str, ...] = ()
    answers: tuple[tuple[str, Answer], ...] = ()

    @property
    def asked(self) -> int:
        """The number of questions answered (a "not sure" counts: it was asked)."""
        return len(self.answers)


def start(present: Iterable[str], absent: Iterable[str] = ()) -> InterviewState:
    """An interview on top of a first report (order kept, duplicates dropped, present wins over absent)."""
    p = tuple(dict.fromkeys(present))
    return InterviewState(p, tuple(i for i in dict.fromkeys(absent) if i not in p))


def _without(state: InterviewState, finding_id: str) -> InterviewState:
    return InterviewState(tuple(i for i in state.present if i != finding_id),
                          tuple(i for i in state.absent if i != finding_id),
                          tuple(i for i in state.not_sure if i != finding_id),
                          tuple(a for a in state.answers if a[0] != finding_id))


def apply_answer(state: InterviewState, finding_id: str, answer: str) -> InterviewState:
    """``state`` with ``answer`` to the question about ``finding_id`` (a new answer replaces an earlier one).

    Raises :class:`InputError` for an answer other than ``yes``, ``no`` or ``not_sure``.
    """
    chosen = next((a for a in ANSWERS if a == answer), None)
    if chosen is None:
        raise InputError(f"unknown answer {answer!r}: expected one of {', '.join(ANSWERS)}")
    out = _without(state, finding_id)
    answers = (*out.answers, (finding_id, chosen))
    if chosen == "yes":
        return replace(out, present=(*out.present, finding_id), answers=answers)
    if chosen == "no":
        return replace(out, absent=(*out.absent, finding_id), answers=answers)
    return replace(out, not_sure=(*out.not_sure, finding_id), answers=answers)


def undo_last(state: InterviewState) -> InterviewState:
    """``state`` without the interview's last answer (unchanged when nothing was answered)."""
    if not state.answers:
        return state
    return _without(state, state.answers[-1][0])


@dataclass(frozen=True)
class Outcome:
    """What a report gives on the points the interview watches: the closest matches and the urgency level.

    A condition that matched no finding is not one of the closest matches, whatever its place: conditions that
    match nothing tie at zero and fill the places below the matches in ID order, and an answer that merely
    reorders them changes nothing the person is told.
    """

    top: tuple[str, ...]  # condition IDs, best first: of the first :data:`TOP`, those that matched a finding
    level: TriageLevel

    def same_as(self, other: Outcome) -> bool:
        """The same set of closest matches (their order aside) and the same urgency level."""
        return set(self.top) == set(other.top) and self.level == other.level


@dataclass(frozen=True)
class Question:
    """The next question, what each answer would give, and a short line saying why it is asked."""

    question: NextQuestion
    if_yes: Outcome
    if_no: Outcome
    why: str

    @property
    def finding_id(self) -> str:
        return self.question.finding_id


@dataclass(frozen=True)
class Step:
    """Where an interview stands: the result now, and either the next question or why it stopped.

    ``best`` is the best remaining question even when it was not worth asking (``settled``), so that the stop
    can name it.
    """

    state: InterviewState
    ranking: Ranking
    now: Outcome
    question: Question | None
    stop: StopReason | None
    stop_note: str = ""
    best: Question | None = None


def _evaluate(scorer: Scorer, present: Iterable[str], absent: Iterable[str],
              presentation: Presentation | None) -> tuple[Ranking, Outcome, EncodedCase]:
    pack = scorer.pack
    case = encode_with_presentation(pack, list(present), list(absent), scorer.weights.params.similarity_floor,
                                    presentation)
    ranking = explain(scorer, case)
    level = assess(pack, case, ranking, presentation).level
    top = tuple(m.condition_id for m in ranking.matches[:TOP] if m.matched)
    return ranking, Outcome(top, level), case


def in_context(scorer: Scorer, presentation: Presentation | None) -> Scorer:
    """``scorer`` with the person's age band and sex applied through the pack's cited rules, as a full result
    (:func:`engine.result.match_findings`) applies them: the interview's outcomes are the result's."""
    if presentation is None:
        return scorer
    return with_context(scorer, pack_context_rules(scorer.pack), presentation.age_band, presentation.sex)[0]


def outcome(scorer: Scorer, present: Iterable[str], absent: Iterable[str] = (),
            presentation: Presentation | None = None) -> Outcome:
    """The closest matches and the urgency level of a report (the same engine calls as a full result)."""
    return _evaluate(in_context(scorer, presentation), present, absent, presentation)[1]


def _name(pack: KnowledgePack, condition_id: str) -> str:
    """A condition's lay name inside a sentence, quoted (some lay names hold a comma)."""
    return f"“{pack.condition(condition_id).lay_name}”"


def describe_change(pack: KnowledgePack, now: Outcome, then: Outcome) -> str:
    """What moving from ``now`` to ``then`` changes, as a clause ("“...” becomes the closest match and “...” comes
    into your closest three and the urgency rises to urgent"); "" when nothing the interview watches changes (a
    new order within the closest three counts only when the first place changes)."""
    parts = []
    if then.top and then.top[:1] != now.top[:1]:
        parts.append(f"{_name(pack, then.top[0])} becomes the closest match")
    came = [c for c in then.top if c not in now.top]
    left = [c for c in now.top if c not in then.top]
    if came:
        parts.append(f"{' and '.join(_name(pack, c) for c in came)} come{'' if len(came) > 1 else 's'} into "
                     f"your closest {TOP_WORDS}")
    elif left:
        parts.append(f"{' and '.join(_name(pack, c) for c in left)} leave{'' if len(left) > 1 else 's'} "
                     f"your closest {TOP_WORDS}")
    if then.level != now.level:
        verb = "rises" if severity(then.level) > severity(now.level) else "falls"
        parts.append(f"the urgency {verb} to {then.level}")
    return " and ".join(parts)


def why_line(pack: KnowledgePack, question: NextQuestion, now: Outcome, if_yes: Outcome, if_no: Outcome) -> str:
    """One short line: how the finding separates the candidates, and what each answer would change."""
    hi = pack.profile(question.favours).get(question.finding_id, 0.0)
    lo = pack.profile(question.against).get(question.finding_id, 0.0)
    lo_words = "rarely or never" if lo == 0 else f"about {lo:.0%}"
    most = "Nearly everyone" if hi >= NEARLY_ALL else f"About {hi:.0%} of people"
    line = f"{most} with {_name(pack, question.favours)} {'has' if hi >= NEARLY_ALL else 'have'} it, " \
           f"{lo_words} with {_name(pack, question.against)}."
    yes, no = describe_change(pack, now, if_yes), describe_change(pack, now, if_no)
    if yes and no:
        return f"{line} If yes, {yes}; if no, {no}."
    if yes or no:
        return f"{line} If {'yes' if yes else 'no'}, {yes or no}."
    return f"{line} Neither answer changes your closest {TOP_WORDS} or the urgency."


def _candidates(scorer: Scorer, state: InterviewState, case: EncodedCase, ranking: Ranking,
                n: int) -> list[NextQuestion]:
    """The ``n`` best unasked questions, the ones the person was not sure about left out."""
    skipped = set(state.not_sure)
    found = suggest_next(scorer.pack, scorer.weights, case, ranking, n + len(skipped))
    return [q for q in found if q.finding_id not in skipped][:n]


def next_step(scorer: Scorer, state: InterviewState, presentation: Presentation | None = None,
              lookahead: int = 1) -> Step:
    """The next question for ``state``, or why the interview stops.

    The stopping rule looks at the best remaining question (by expected information gain): if neither "yes" nor
    "no" would change the set of the :data:`TOP` closest matches or the urgency level, the interview stops.
    ``lookahead`` > 1 looks further down the list before stopping and asks the first question that could change
    something (1, the default, is the rule as stated).
    """
    pack = scorer.pack
    scorer = in_context(scorer, presentation)
    ranking, now, case = _evaluate(scorer, state.present, state.absent, presentation)
    if now.level == "emergency":
        return Step(state, ranking, now, None, "emergency",
                    "No more questions: your answers already call for emergency care. Get help now.")
    candidates = _candidates(scorer, state, case, ranking, max(lookahead, 1))
    if not candidates:
        return Step(state, ranking, now, None, "no_question",
                    "No more questions: none is left that would tell your closest matches apart.")
    best: Question | None = None
    for q in candidates:
        if_yes = _evaluate(scorer, (*state.present, q.finding_id), state.absent, presentation)[1]
        if_no = _evaluate(scorer, state.present, (*state.absent, q.finding_id), presentation)[1]
        question = Question(q, if_yes, if_no, why_line(pack, q, now, if_yes, if_no))
        best = best or question
        if not (if_yes.same_as(now) and if_no.same_as(now)):
            return Step(state, ranking, now, question, None, best=best)
    assert best is not None
    which = (f"the most useful one left (“{best.question.lay_label}”) would not" if len(candidates) == 1 else
             f"none of the {_count_words(len(candidates))} most useful ones left would")
    return Step(state, ranking, now, None, "settled",
                f"No more questions: {which} change your closest {TOP_WORDS} matches or how soon to see a doctor, "
                "whatever the answer.", best)


def _count_words(n: int) -> str:
    return MORE_WORDS if n == MORE else str(n)


@dataclass(frozen=True)
class Transcript:
    """A whole interview: every step in order (the last one says why it stopped) and the answers given."""

    steps: tuple[Step, ...]

    @property
    def final(self) -> Step:
        return self.steps[-1]

    @property
    def asked(self) -> int:
        return self.final.state.asked


def run_interview(scorer: Scorer, state: InterviewState, oracle: Callable[[str], Answer],
                  presentation: Presentation | None = None, lookahead: int = 1,
                  max_questions: int | None = None) -> Transcript:
    """Ask until the interview stops (or ``max_questions`` are answered), taking each answer from ``oracle``
    (finding ID -> answer): a simulated person, for tests and studies."""
    steps = [next_step(scorer, state, presentation, lookahead)]
    while steps[-1].question is not None and (max_questions is None or steps[-1].state.asked < max_questions):
        q = steps[-1].question
        state = apply_answer(steps[-1].state, q.finding_id, oracle(q.finding_id))
        steps.append(next_step(scorer, state, presentation, lookahead))
    return Transcript(tuple(steps))
