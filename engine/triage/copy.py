"""Every sentence of safety copy, in one place: what a result says before, around and after its matches.

A result shows, in this order: :data:`EMERGENCY_FIRST` (always first), the one action of its final level
(:data:`engine.triage.levels.LEVEL_ADVICE`) with the reasons for it, the clinician prompt (which defers to the
emergency action on emergency results: :func:`clinician_prompt`), the safety net (:data:`SAFETY_NET`) and the
scope (:data:`SCOPE`). The UI shows :data:`ROLE_NOTES` above every result; the CLI and the summaries use the
same texts. :data:`EDUCATIONAL_NOTE` heads every result and evaluation the CLI prints, :data:`NOT_A_DIAGNOSIS`
follows the source article's disclaimer, and :data:`THIN_EVIDENCE_NOTE` replaces the percentage when the
evidence is thin (:mod:`engine.match.fit`).
"""

from __future__ import annotations

from typing import Literal

from engine.triage.levels import LEVEL_ADVICE, LEVEL_HEADING, SCALE, TriageLevel

__all__ = ["CLINICIAN_PROMPT", "EDUCATIONAL_NOTE", "EMERGENCY_CLINICIAN_PROMPT", "EMERGENCY_FIRST", "NOT_A_DIAGNOSIS",
           "ROLES", "ROLE_NOTES", "SAFETY_NET", "SCOPE", "THIN_EVIDENCE_NOTE", "UNASSESSABLE_NOTE", "Role",
           "clinician_prompt", "level_lines", "safety_net"]

#: The first line of every result and evaluation the CLI prints.
EDUCATIONAL_NOTE = "Educational symptom matching only: a match is not a diagnosis."
#: Said after the source article's disclaimer, with every result.
NOT_A_DIAGNOSIS = ("calcinosis-triage gives educational matches, not a diagnosis; it has not been validated on "
                   "patients.")
#: Said first, instead of a percentage, when the evidence is thin (``{n}``: the number of conditions).
THIN_EVIDENCE_NOTE = (
    "There is only a little specific evidence for any of the conditions: the findings are few, or shared by "
    "many conditions. The match cannot tell the conditions apart, and common causes of such symptoms (for "
    "example eczema, dry skin, insect bites, allergies or a minor injury or infection) are outside this tool's "
    "{n} conditions, so no percentage is given."
)

#: First line of every result, whatever its level.
EMERGENCY_FIRST = "If you think this is an emergency, call your local emergency number now."
CLINICIAN_PROMPT = (
    "This is an educational match, not a diagnosis. Only a clinician who examines you can tell what is "
    "going on: please see a doctor or nurse about these findings, and bring this summary with you."
)
#: On an emergency result the prompt defers to the emergency action.
EMERGENCY_CLINICIAN_PROMPT = (
    "Get emergency help first. Once you are being looked after, you can show this summary to the team: it is an "
    "educational match, not a diagnosis."
)
#: What to do if things change (NHS safety-netting advice: nhs_999 in data/sources.csv), on results below
#: emergency; an emergency result has :data:`EMERGENCY_SAFETY_NET` instead.
SAFETY_NET: tuple[str, ...] = (
    "Get help sooner if the redness or swelling spreads, a fever starts, or pain gets much worse.",
    "Call your local emergency number if the person becomes very unwell, confused, drowsy or hard to wake, "
    "struggles to breathe, or their skin, lips or tongue look blue, grey or blotchy.",
)
EMERGENCY_SAFETY_NET: tuple[str, ...] = (
    "While you wait for help, call your local emergency number again if the person gets worse.",
)


def safety_net(level: TriageLevel) -> tuple[str, ...]:
    """The general safety-net lines of a result of ``level``."""
    return EMERGENCY_SAFETY_NET if level == "emergency" else SAFETY_NET


#: What the tool covers, so that a routine result is not read as an all-clear.
SCOPE = ("This tool only compares your answers with 17 skin-lump, calcium-deposit and related conditions. A "
         "routine result does not rule out any other illness.")
#: Shown for a present finding the rules cannot assess (it reached no finding of the pack).
UNASSESSABLE_NOTE = ("'{name}' cannot be assessed here: this tool has no rule for it, so it did not change the "
                     "urgency. Ask a clinician about it, and get help sooner if you are worried.")


def clinician_prompt(level: TriageLevel) -> str:
    """The clinician prompt of a result of ``level`` (deferring to the emergency action on emergencies)."""
    return EMERGENCY_CLINICIAN_PROMPT if level == "emergency" else CLINICIAN_PROMPT


def level_lines(level: TriageLevel) -> tuple[str, str, str]:
    """Heading, time frame and action of ``level``: what a banner or summary says about the urgency."""
    return LEVEL_HEADING[level], SCALE[level], LEVEL_ADVICE[level]


Role = Literal["patient", "emergency", "educator", "analyst"]
ROLES: tuple[Role, ...] = ("patient", "emergency", "educator", "analyst")

ROLE_NOTES: dict[Role, str] = {
    "patient": f"**Please see a clinician.** {CLINICIAN_PROMPT}",
    "emergency": f"**Get help now, before anything else.** {EMERGENCY_CLINICIAN_PROMPT}",
    "educator": ("**For teaching.** These are educational matches for a teaching case, not a diagnosis of "
                 "anyone. A real person with these findings needs a clinician who can examine them."),
    "analyst": ("**For analysis.** These numbers describe how the tool ranks teaching or uploaded cases, not "
                "how accurate it is for patients (it has not been validated on patients). A match is not a "
                "diagnosis."),
}
