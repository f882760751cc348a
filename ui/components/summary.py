"""The summary a person can bring to a clinician, as plain text and as PDF: pure functions, no streamlit.

Built only from the knowledge pack and an engine :class:`~engine.Result`; nothing here is
stored or logged. The PDF is made with fpdf2 and its built-in Helvetica font, so it needs no font
file; text outside Latin-1 is written with its closest Latin-1 spelling.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from engine import KnowledgePack, Result
from engine.knowledge.priors import ContextRule
from engine.triage.copy import level_lines
from engine.triage.services import Services, localise, where_to_get_help
from ui.components.wording import closest_sentence, distinct_watch_for, evidence_sentence, fit_sentence

SUMMARY_TOP = 5
SUMMARY_TEXT_NAME = "symptom-match-summary.txt"
SUMMARY_PDF_NAME = "symptom-match-summary.pdf"
TEXT_MIME = "text/plain"
PDF_MIME = "application/pdf"
TITLE = "Symptom match summary"
_LATIN1 = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "—": "-", "–": "-", "≥": ">=", "≤": "<=",
                         "→": "->", "★": "*", "…": "...", "\u00a0": " ", "−": "-"})


@dataclass(frozen=True)
class Section:
    """One part of the summary: a heading, an optional lead paragraph, then bullet or numbered items."""

    title: str
    lead: str = ""
    items: tuple[str, ...] = ()
    numbered: bool = False


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


def findings_section(pack: KnowledgePack, title: str, ids: Sequence[str], inferred: dict[str, str]) -> Section:
    items = [finding_line(pack, i) for i in ids]
    items += [f"{finding_line(pack, i)} - inferred from "
              f"{pack.finding(src).lay_label if src in pack.finding_index else src}" for i, src in inferred.items()]
    return Section(title, items=tuple(items) or ("(none)",))


def triage_section(result: Result, services: Services | None = None) -> Section:
    """The one urgency block: the emergency line, the level and its one action, why, what could not be
    assessed, what to watch for and the scope (the same texts as the page), with the country's emergency number
    and urgent-care service when one is chosen."""
    t = result.triage
    heading, timeframe, action = level_lines(t.level)
    why = tuple(dict.fromkeys(r.message for r in t.reasons if r.level == t.level))
    items = (*(f"Why: {w}" for w in why), *t.unassessable,
             *(f"If things change: {w}" for w in distinct_watch_for(t.watch_for)), t.scope)
    if services is not None:
        items = (*items, where_to_get_help(services))
    return Section("How soon to see someone", f"{t.emergency_first} {heading} ({timeframe}). {action}", items)


def presentation_section(result: Result) -> Section | None:
    lines = result.triage.presentation.describe()
    return Section("How it started, how it is going, about me", items=tuple(lines)) if lines else None


def matches_section(pack: KnowledgePack, result: Result, top: int = SUMMARY_TOP) -> Section:
    """The close matches as the page words them: what the result means first, no percentage."""
    title = "Closest matches (educational, not a diagnosis)"
    if result.ranking.nothing_matched:
        return Section(title, closest_sentence(pack, result))
    lead = closest_sentence(pack, result)
    lead = f"The evidence is thin. {result.evidence_note} {lead}" if result.evidence_note else \
        f"{lead} {evidence_sentence(result)}"
    return Section(title, lead, items=tuple(
        f"{pack.condition(m.condition_id).display_name}: {fit_sentence(m)}" for m in result.ranking.matches[:top]),
        numbered=True)


def clinician_questions(result: Result) -> list[str]:
    """Questions the clinician may ask next (from the engine), in plain language."""
    return [f"{q.lay_label}: yes or no?" for q in result.next_questions]


def questions_to_ask(pack: KnowledgePack, result: Result, top: int = 3) -> list[str]:
    """Questions a person may want to ask their clinician about the closest matches."""
    if result.ranking.nothing_matched:
        return ["What could explain these findings, and which tests would help?"]
    names = [pack.condition(m.condition_id).display_name for m in result.ranking.matches[:top]]
    return [
        f"Could this be {names[0]}, or something else? What would rule it in or out?",
        f"Which tests or examinations would help tell apart {', '.join(names)}?",
        "Is there anything I should watch for that means I need to come back sooner?",
    ]


def context_section(pack: KnowledgePack, used: Sequence[ContextRule]) -> Section:
    return Section("About me (taken into account)", items=tuple(
        f"{pack.condition(r.condition_id).display_name}: starts a little higher ({r.factor.replace('_', ' ')}: "
        f"{r.value}). {r.evidence} Source: {pack.sources[r.source].citation}" for r in used))


def summary_sections(pack: KnowledgePack, result: Result, present: Sequence[str], absent: Sequence[str] = (),
                     today: date | None = None, context: Sequence[ContextRule] = (),
                     services: Services | None = None) -> list[Section]:
    """The summary's parts, in order: note, triage, findings, matches, questions, prompt, disclaimer; with
    ``services``, the country's emergency number and urgent-care service in place of the generic words."""
    today = today or date.today()
    inferred = {i: src for i, src in result.ranking.inferred.items() if i not in present}
    sections = [
        Section("About this summary", f"{result.educational_note} Made on {today.isoformat()} with "
                f"calcinosis-triage, an educational prototype (method: {result.ranking.method}; HPO release "
                f"{result.hpo_version})."),
        triage_section(result, services),
        findings_section(pack, "Findings I have", present, inferred),
    ]
    if (course := presentation_section(result)) is not None:
        sections.append(course)
    if absent:
        sections.append(findings_section(pack, "Findings I do not have", absent, {}))
    if context:
        sections.append(context_section(pack, context))
    sections += [
        matches_section(pack, result),
        Section("Questions a clinician may ask you next", items=tuple(clinician_questions(result))
                or ("(none suggested)",)),
        Section("Questions you may want to ask", items=tuple(questions_to_ask(pack, result))),
        Section("Please see a clinician", result.clinician_prompt),
        Section("Disclaimer", result.disclaimer),
    ]
    return [Section(localise(x.title, services), localise(x.lead, services),
                    tuple(localise(i, services) for i in x.items), x.numbered) for x in sections]


def build_summary(pack: KnowledgePack, result: Result, present: Sequence[str], absent: Sequence[str] = (),
                  today: date | None = None, context: Sequence[ContextRule] = (),
                  services: Services | None = None) -> str:
    """The whole summary as plain text (no markup), ready for ``st.download_button``."""
    lines = [TITLE, "=" * len(TITLE), ""]
    for s in summary_sections(pack, result, present, absent, today, context, services):
        lines += [s.title, "-" * len(s.title)]
        if s.lead:
            lines.append(s.lead)
        lines += [f"{n}. {item}" if s.numbered else f"- {item}" for n, item in enumerate(s.items, start=1)]
        lines.append("")
    return "\n".join(lines)


def latin1(text: str) -> str:
    """``text`` in the PDF core fonts' Latin-1: typographic marks replaced, accents kept where Latin-1 has them."""
    text = text.translate(_LATIN1)
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            out.append(unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1") or "?")
    return "".join(out)


def build_summary_pdf(pack: KnowledgePack, result: Result, present: Sequence[str], absent: Sequence[str] = (),
                      today: date | None = None, context: Sequence[ContextRule] = (),
                      services: Services | None = None) -> bytes:
    """The whole summary as a one-column A4 PDF (fpdf2: imported here, when a PDF is asked for, because importing it
    costs about 0.2 s of a cold start)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_title(TITLE)
    pdf.set_creator("calcinosis-triage (educational prototype)")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, TITLE, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for s in summary_sections(pack, result, present, absent, today, context, services):
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, latin1(s.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", "", 10.5)
        if s.lead:
            pdf.multi_cell(0, 5.5, latin1(s.lead), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for n, item in enumerate(s.items, start=1):
            pdf.multi_cell(0, 5.5, latin1(f"{n}. {item}" if s.numbered else f"- {item}"),
                           new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
