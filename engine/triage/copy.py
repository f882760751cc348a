"""What every result says to its reader, by role: one place for the clinician prompt and the role notes.

The UI shows :data:`ROLE_NOTES` above every result; the CLI and ``Result`` carry
:data:`engine.triage.CLINICIAN_PROMPT`, which the patient's note quotes word for word.
"""

from __future__ import annotations

from typing import Literal

from engine.triage import CLINICIAN_PROMPT

__all__ = ["ROLES", "ROLE_NOTES", "Role"]

Role = Literal["patient", "emergency", "educator", "analyst"]
ROLES: tuple[Role, ...] = ("patient", "emergency", "educator", "analyst")

ROLE_NOTES: dict[Role, str] = {
    "patient": f"**Please see a clinician.** {CLINICIAN_PROMPT}",
    "emergency": ("**Get help now, before anything else:** call your local emergency number or go to an "
                  "emergency department. These matches are educational, not a diagnosis; once you are being "
                  "looked after, you can show the summary below to the team."),
    "educator": ("**For teaching.** These are educational matches for a teaching case, not a diagnosis of "
                 "anyone. A real person with these findings needs a clinician who can examine them."),
    "analyst": ("**For analysis.** These numbers describe how the tool ranks teaching or uploaded cases, not "
                "how accurate it is for patients (it has not been validated on patients). A match is not a "
                "diagnosis."),
}
