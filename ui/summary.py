"""A plain-text (Markdown) summary a person can bring to a clinician: pure functions, no streamlit.

Built only from the knowledge pack and an engine :class:`~engine.Result`; nothing here is
stored or logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from engine import KnowledgePack, Result

SUMMARY_TOP = 5
SUMMARY_FILE_NAME = "symptom-match-summary.md"
SUMMARY_MIME = "text/markdown"


def finding_line(pack: KnowledgePack, finding_id: str) -> str:
    """``lay label (HPO term name, ID)`` for one finding; unknown IDs are shown as they are.

    The clinical label is added for HPO terms only (a clinician can look it up); the project's own
    ``CT:`` findings are described by their lay label.
    """
    if finding_id not in pack.finding_index:
        return finding_id
    f = pack.finding(finding_id)
    clinical = f" ({f.label}, {f.id})" if f.is_hpo and f.label != f.lay_label else f" ({f.id})"
    return f"{f.lay_label}{clinical}"


def findings_section(pack: KnowledgePack, title: str, ids: Sequence[str]) -> list[str]:
    lines = [f"## {title}", ""]
    lines += [f"- {finding_line(pack, i)}" for i in ids] or ["- (none)"]
    return [*lines, ""]


def triage_section(result: Result) -> list[str]:
    t = result.triage
    lines = ["## How soon to see someone", "", f"**{t.level.upper()}**: {t.advice}", ""]
    lines += [f"- {r.message}" for r in t.reasons]
    return [*lines, ""] if t.reasons else lines


def matches_section(pack: KnowledgePack, result: Result, top: int = SUMMARY_TOP) -> list[str]:
    lines = ["## Closest matches (educational, not a diagnosis)", ""]
    if result.ranking.nothing_matched:
        return [*lines, "None of the conditions in this tool matches the findings reported.", ""]
    if result.evidence_note:
        lines += [f"**The evidence is thin.** {result.evidence_note}", ""]
    for m in result.ranking.matches[:top]:
        lay = pack.condition(m.condition_id).lay_name
        also = f" ({lay})" if lay and lay != m.name else ""
        share = "" if result.evidence_note else f"{m.shown_share:.0%} of the match; "
        lines.append(f"{m.rank}. {m.name}{also}: {share}{m.fit.describe()}. {m.why()}")
    return [*lines, ""]


def clinician_questions(result: Result) -> list[str]:
    """Questions the clinician may ask next (from the engine), in plain language."""
    return [f"{q.lay_label}: yes or no?" for q in result.next_questions]


def questions_to_ask(result: Result, top: int = 3) -> list[str]:
    """Questions a person may want to ask their clinician about the closest matches."""
    if result.ranking.nothing_matched:
        return ["What could explain these findings, and which tests would help?"]
    names = [m.name for m in result.ranking.matches[:top]]
    return [
        f"Could this be {names[0]}, or something else? What would rule it in or out?",
        f"Which tests or examinations would help tell apart {', '.join(names)}?",
        "Is there anything I should watch for that means I need to come back sooner?",
    ]


def questions_section(result: Result) -> list[str]:
    lines = ["## Questions a clinician may ask you next", ""]
    lines += [f"- {q}" for q in clinician_questions(result)] or ["- (none suggested)"]
    lines += ["", "## Questions you may want to ask", ""]
    lines += [f"- {q}" for q in questions_to_ask(result)]
    return [*lines, ""]


def build_summary(pack: KnowledgePack, result: Result, present: Sequence[str], absent: Sequence[str] = (),
                  today: date | None = None) -> str:
    """The whole summary as Markdown text, ready for ``st.download_button``."""
    today = today or date.today()
    lines = [
        "# Symptom match summary",
        "",
        f"{result.educational_note} Made on {today.isoformat()} with calcinosis-triage, an educational "
        f"prototype (method: {result.ranking.method}; HPO release {result.hpo_version}).",
        "",
        *triage_section(result),
        *findings_section(pack, "Findings I have", present),
    ]
    if absent:
        lines += findings_section(pack, "Findings I do not have", absent)
    lines += [
        *matches_section(pack, result),
        *questions_section(result),
        "## Please see a clinician",
        "",
        result.clinician_prompt,
        "",
        "## Disclaimer",
        "",
        result.disclaimer,
        "",
    ]
    return "\n".join(lines)

