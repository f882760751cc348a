"""Does the interview after the first result reach a stable top three in fewer questions than the full checklist
needs ticks, and is it the same top three?

For every teaching case (``engine.teaching_cases``; or the case files given), a simulated person starts from the
case's first present finding (with the case's course and context) and answers the interview
(:mod:`engine.interview`) from the case:
"yes" to a finding the case reports present (or one it implies, or a term below it), "no" to one it reports
absent, and for a finding the case does not mention "not sure" (``--unmentioned no``: "no"). The interview runs
until it stops by its own rule (``--lookahead`` 1 is the rule as stated: the best remaining question only).

The checklist ticks the case's findings in the case's order (present ones, then the ones marked absent), starting
with the same first finding; it needs as many ticks as it takes until its top three (as a set) is the one the
whole checklist gives and stays so for every later tick.

Reported, as medians over the cases: the interview's questions (a "not sure" counts, it was asked) and the
checklist's ticks; how often the interview stops at the same top three and urgency as the whole checklist, and
on those cases both medians again; and how often the expected condition (or an accepted alternative) is in the
top three, and first, after the first finding, at the interview's stop, and with the whole checklist. The top
three holds only conditions that matched a finding (:class:`engine.interview.Outcome`).

Usage::

    python studies/interview_length.py                      # the rule as stated
    python studies/interview_length.py --lookahead 3 --cases # look at the 3 best questions; one line per case
    python studies/interview_length.py datasets/outside/*.json   # the outside development cases
    python studies/interview_length.py --weights W.toml     # other weights, e.g. [params] absent_weight = 0.5
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from dataclasses import dataclass

import numpy as np

from engine import DEFAULT_METHOD, METHODS, Case, default_weights, load_pack, prepare, teaching_cases
from engine.evaluation.cases import load_cases
from engine.interview import Answer, Outcome, outcome, run_interview, start
from engine.knowledge.pack import KnowledgePack
from engine.knowledge.weights import load_weights
from engine.match.scoring import Scorer
from engine.triage.assess import encode_with_presentation


@dataclass(frozen=True)
class Row:
    case_id: str
    questions: int  # asked until the interview stopped
    yes_no: int  # of them answered yes or no
    last_change: int  # questions until the interview's top three was last changed
    stop: str
    ticks: int  # checklist ticks to its stable top three (the first finding included)
    findings: int  # all the case's findings (present and absent)
    same_top: bool  # the interview stops at the whole checklist's top three
    same_level: bool
    hit_first: bool  # the expected condition in the top three after the first finding
    hit_interview: bool
    hit_checklist: bool
    same_first: bool  # the interview's closest match is the whole checklist's
    first_first: bool  # the expected condition first after the first finding
    first_interview: bool
    first_checklist: bool


def _oracle(scorer: Scorer, case: Case, unmentioned: Answer) -> dict[str, Answer]:
    """Finding ID -> the answer the case gives (read through the ontology, as a full result reads it)."""
    pack = scorer.pack
    full = encode_with_presentation(pack, list(case.present), list(case.absent),
                                    scorer.weights.params.similarity_floor, case.presentation)
    out: dict[str, Answer] = {}
    for j, fid in enumerate(pack.finding_ids):
        out[fid] = "yes" if full.present[j] >= 1 else "no" if full.absent[j] > 0 else unmentioned
    return out


def checklist_ticks(scorer: Scorer, case: Case) -> tuple[int, Outcome]:
    """Ticks, in the case's order, until the top three is the whole checklist's and stays so; and that outcome."""
    items = [(f, True) for f in case.present] + [(f, False) for f in case.absent]
    tops = []
    for k in range(1, len(items) + 1):
        present = [f for f, p in items[:k] if p]
        absent = [f for f, p in items[:k] if not p]
        tops.append(outcome(scorer, present, absent, case.presentation))
    final = tops[-1]
    k = len(tops)
    while k > 1 and set(tops[k - 2].top) == set(final.top):
        k -= 1
    return k, final


def measure(scorer: Scorer, case: Case, unmentioned: Answer, lookahead: int) -> Row:
    answers = _oracle(scorer, case, unmentioned)
    transcript = run_interview(scorer, start(case.present[:1]), lambda fid: answers[fid], case.presentation,
                               lookahead)
    tops = [set(s.now.top) for s in transcript.steps]
    last_change = max((n for n in range(1, len(tops)) if tops[n] != tops[n - 1]), default=0)
    ticks, whole = checklist_ticks(scorer, case)
    end = transcript.final.now
    accepted = set(case.accepted)
    return Row(case.id, transcript.asked, sum(a != "not_sure" for _, a in transcript.final.state.answers),
               last_change, transcript.final.stop or "", ticks, len(case.present) + len(case.absent),
               set(end.top) == set(whole.top), end.level == whole.level,
               bool(accepted & set(transcript.steps[0].now.top)), bool(accepted & set(end.top)),
               bool(accepted & set(whole.top)), end.top[:1] == whole.top[:1],
               bool(accepted & set(transcript.steps[0].now.top[:1])), bool(accepted & set(end.top[:1])),
               bool(accepted & set(whole.top[:1])))


def simulated_cases(pack: KnowledgePack, per_condition: int, seed: int = 0) -> list[Case]:
    """``per_condition`` people per condition drawn from its profile: each profile finding present with its
    frequency (at least one), nothing outside the profile, in random order.

    Circular for accuracy (the profiles are both the engine's model and the people), so these show how the
    interview's questions and stopping rule behave when a person can answer every question, not how right the
    answers are.
    """
    rng = np.random.default_rng(seed)
    out = []
    for i, condition in enumerate(pack.conditions):
        freq = pack.frequency[i]
        profile = np.flatnonzero(freq > 0)
        for k in range(per_condition):
            present: list[str] = []
            while not present:
                drawn = profile[rng.random(len(profile)) < freq[profile]]
                present = [pack.finding_ids[j] for j in rng.permutation(drawn)]
            out.append(Case(f"sim-{condition.id}-{k}", tuple(present), (), condition.id))
    return out


def _median(values: list[int]) -> str:
    return f"{statistics.median(values):g}" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case_files", nargs="*", help="case files to read instead of the teaching cases")
    parser.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD)
    parser.add_argument("--lookahead", type=int, default=1,
                        help="how many of the best questions the stop looks at (1: the rule as stated)")
    parser.add_argument("--unmentioned", choices=("not_sure", "no"), default="not_sure",
                        help="the answer to a finding the case does not mention")
    parser.add_argument("--weights", help="a weights file (.toml or .csv); the pack's defaults without it")
    parser.add_argument("--simulate", type=int, metavar="K",
                        help="K people per condition drawn from the profiles instead of written cases (seeded; "
                             "pair with --unmentioned no: they know every answer)")
    parser.add_argument("--cases", action="store_true", help="one line per case")
    args = parser.parse_args()
    pack = load_pack()
    weights = load_weights(pack, args.weights) if args.weights else default_weights(pack)
    scorer = prepare(pack, weights, args.method)
    cases = (simulated_cases(pack, args.simulate) if args.simulate else
             load_cases(pack, args.case_files) if args.case_files else teaching_cases(pack))
    rows = [measure(scorer, case, args.unmentioned, args.lookahead) for case in cases]
    if args.cases:
        print("case\tquestions\tyes_no\tlast_change\tstop\tticks\tfindings\tsame_top\tsame_level")
        for r in rows:
            print(f"{r.case_id}\t{r.questions}\t{r.yes_no}\t{r.last_change}\t{r.stop}\t{r.ticks}\t{r.findings}\t"
                  f"{r.same_top}\t{r.same_level}")
    n = len(rows)
    same = [r for r in rows if r.same_top]
    kind = "simulated " if args.simulate else "" if args.case_files else "teaching "
    print(f"{n} {kind}cases, method {args.method}, lookahead {args.lookahead}, unmentioned findings answered "
          f"{args.unmentioned!r}; both start from the case's first present finding")
    print(f"interview questions to its stop:        median {_median([r.questions for r in rows])} "
          f"(answered yes or no: {_median([r.yes_no for r in rows])}; top three last changed after "
          f"{_median([r.last_change for r in rows])}; max {max(r.questions for r in rows)})")
    print(f"checklist ticks to its stable top three: median {_median([r.ticks for r in rows])} "
          f"(after the first: {_median([r.ticks - 1 for r in rows])}; all the case's findings: "
          f"{_median([r.findings for r in rows])})")
    print(f"interview stops at the whole checklist's top three: {len(same)}/{n}; same urgency: "
          f"{sum(r.same_level for r in rows)}/{n}")
    print(f"  on those {len(same)} cases: interview questions median {_median([r.questions for r in same])}, "
          f"checklist ticks median {_median([r.ticks for r in same])}")
    print(f"expected condition in the top three: first finding {sum(r.hit_first for r in rows)}/{n}, "
          f"interview {sum(r.hit_interview for r in rows)}/{n}, "
          f"whole checklist {sum(r.hit_checklist for r in rows)}/{n}")
    print(f"interview's closest match the whole checklist's: {sum(r.same_first for r in rows)}/{n}; expected "
          f"condition first: first finding {sum(r.first_first for r in rows)}/{n}, interview "
          f"{sum(r.first_interview for r in rows)}/{n}, whole checklist {sum(r.first_checklist for r in rows)}/{n}")
    print("stops: " + ", ".join(f"{k} {v}" for k, v in Counter(r.stop for r in rows).most_common()))


if __name__ == "__main__":
    main()
