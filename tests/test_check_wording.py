"""The Check page's shared wording (ui.components.wording) and its theme (.streamlit/config.toml): fast, no AppTest."""

from __future__ import annotations

import colorsys
import tomllib
from pathlib import Path

from engine import load_pack, match_findings
from engine.triage.copy import SAFETY_NET
from ui.components.summary import build_summary
from ui.components.widgets import triage_markdown
from ui.components.wording import closest_sentence, distinct_watch_for, evidence_sentence

ROOT = Path(__file__).resolve().parent.parent
SAME_DAY = "Get help the same day if it spreads, hurts more, or a fever starts."  # a rule's own line


def _contrast(a: str, b: str) -> float:
    def lum(h: str) -> float:
        c = [int(h.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_theme_has_a_calm_primary_colour_and_leaves_red_to_danger() -> None:
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["theme"]
    primary = theme["primaryColor"]
    r, g, b = (int(primary[i:i + 2], 16) / 255 for i in (1, 3, 5))
    hue = colorsys.rgb_to_hls(r, g, b)[0] * 360
    assert 150 <= hue <= 250, f"{primary} is not a calm blue or teal (hue {hue:.0f})"  # red is about 0 / 360
    assert _contrast(primary, "#FFFFFF") >= 4.5  # white button text on it reads (WCAG AA)
    assert "redColor" not in theme  # danger keeps Streamlit's red


def test_a_rule_line_that_names_spreading_fever_and_pain_replaces_the_general_one() -> None:
    assert distinct_watch_for([SAME_DAY, *SAFETY_NET]) == (SAME_DAY, SAFETY_NET[1])
    # a rule line that leaves out one of the three keeps the general line: nothing the person should watch is lost
    partial = "Get help the same day if a fever starts or the redness spreads."
    assert distinct_watch_for([partial, *SAFETY_NET]) == (partial, *SAFETY_NET)
    assert distinct_watch_for(SAFETY_NET) == SAFETY_NET


def test_the_soon_block_for_red_swollen_skin_says_its_watch_line_once() -> None:
    pack = load_pack()
    result = match_findings(pack, ["HP:0010783", "HP:0001386"])  # red skin, swollen joints: SOON
    assert result.triage.level == "soon" and SAME_DAY in result.triage.watch_for
    block = triage_markdown(result.triage)
    assert SAME_DAY in block and SAFETY_NET[0] not in block
    text = build_summary(pack, result, ["HP:0010783", "HP:0001386"])
    assert SAME_DAY in text and SAFETY_NET[0] not in text


def test_the_headline_says_what_the_result_means_without_a_percentage() -> None:
    pack = load_pack()
    result = match_findings(pack, ["HP:0001482", "CT:lumps_on_fingers", "CT:injury_at_site",
                                   "CT:normal_calcium_phosphate", "HP:0025520"])
    n = len(pack.condition_ids)  # the sentence counts the pack's conditions, whatever their number
    assert closest_sentence(pack, result) == (f"Of the {n} conditions in this tool, your findings are closest to "
                                              "Calcium lumps in damaged or inflamed skin (Dystrophic calcinosis "
                                              "cutis).")
    assert evidence_sentence(result).startswith("Evidence: moderate (")
    text = build_summary(pack, result, ["HP:0001482"])
    matches = text[text.index("Closest matches"):text.index("Questions a clinician")]
    assert "%" not in matches and f"Of the {n} conditions in this tool" in matches
