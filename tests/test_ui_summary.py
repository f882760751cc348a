"""The downloadable summary: pure functions over the real pack and an engine result."""

from __future__ import annotations

import re
from datetime import date

import pytest

from engine import load_pack, match_findings
from ui.components.summary import build_summary, clinician_questions, finding_line, questions_to_ask
from ui.components.wording import fit_sentence

HARD_LUMP, INJURY, FEVER = "HP:0001482", "CT:injury_at_site", "HP:0001945"
NET_PATCHES, DIALYSIS = "CT:retiform_purpura", "HP:0003774"


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def make(pack, present, absent=()):
    result = match_findings(pack, list(present), list(absent))
    return result, build_summary(pack, result, present, absent, today=date(2026, 1, 2))


def test_summary_lists_ticks_and_ruled_out_findings(pack) -> None:
    _, text = make(pack, [HARD_LUMP, INJURY], [FEVER])
    have = text.split("Findings I have\n")[1].split("\n\n")[0]
    do_not = text.split("Findings I do not have\n")[1].split("\n\n")[0]
    assert pack.finding(HARD_LUMP).lay_label in have and pack.finding(INJURY).lay_label in have
    assert HARD_LUMP in have and pack.finding(FEVER).lay_label in do_not


def test_summary_without_ruled_out_findings_has_no_such_section(pack) -> None:
    _, text = make(pack, [HARD_LUMP])
    assert "Findings I do not have" not in text


def test_summary_lists_top_matches_as_the_page_words_them(pack) -> None:
    result, text = make(pack, [HARD_LUMP, INJURY])
    top = result.ranking.top
    name = pack.condition(top.condition_id).display_name
    assert f"{name}: {fit_sentence(top)}" in text  # the page's words: no "fits N of M" beside "matches N"
    if result.evidence_note:  # thin evidence: said first
        assert "The evidence is thin" in text
    matches = text[text.index("Closest matches (educational, not a diagnosis)"):text.index("Questions a clinician")]
    # what it means, no percentage
    assert "%" not in matches and f"{len(pack.conditions)} conditions in this tool" in matches


def test_summary_carries_red_flag_triage_and_reasons(pack) -> None:
    result, text = make(pack, [NET_PATCHES, DIALYSIS])
    assert result.triage.level == "emergency"
    assert result.triage.emergency_first in text and result.triage.advice in text
    assert all(r.message in text for r in result.triage.reasons if r.level == "emergency")
    # one voice: no action of a lower level, and the clinician prompt defers to the emergency action
    assert "See a doctor today" not in text and "Book an appointment" not in text
    assert result.clinician_prompt.startswith("Get emergency help first")


def test_summary_carries_questions_prompt_disclaimer_and_versions(pack) -> None:
    result, text = make(pack, [HARD_LUMP, INJURY])
    assert result.next_questions
    assert all(q.lay_label in text for q in result.next_questions)
    assert all(q in text for q in questions_to_ask(pack, result))
    assert result.clinician_prompt in text and pack.disclaimer_substance in text and "not a diagnosis" in text
    assert f"HPO release {pack.hpo_version}" in text and "2026-01-02" in text


def test_summary_says_diagnosis_only_as_not_a_diagnosis(pack) -> None:
    _, text = make(pack, [HARD_LUMP, INJURY, NET_PATCHES, "CT:systemic_sclerosis_diagnosis"], [FEVER])
    for m in re.finditer(r"\bdiagnos[ie]s\b", text, flags=re.IGNORECASE):
        assert text[m.start() - 6:m.end()].lower() == "not a diagnosis"


def test_helpers(pack) -> None:
    result, _ = make(pack, [HARD_LUMP])
    assert finding_line(pack, HARD_LUMP).endswith(f"{HARD_LUMP})")
    assert finding_line(pack, "HP:9999999") == "HP:9999999"
    assert len(clinician_questions(result)) == len(result.next_questions)
    assert all(q.endswith("?") for q in questions_to_ask(pack, result))


def test_summary_is_plain_text_and_marks_inferred_findings(pack) -> None:
    _, text = make(pack, ["HP:0003774"])
    assert "**" not in text and "##" not in text  # plain text, not Markdown
    assert f"{pack.finding('HP:0012622').lay_label}" in text and "inferred from" in text


def test_one_finding_grammar(pack) -> None:
    result, text = make(pack, [HARD_LUMP, FEVER])
    assert "1 of your findings are" not in text
    whys = [m.why() for m in result.ranking.matches]
    assert any("1 of your findings is not typical" in w for w in whys)
