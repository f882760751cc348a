"""Findings a report already covers (engine.overlaps) and the match card's lists built on them (ui wording)."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from pathlib import Path

import pytest

from engine import load_pack, match_findings
from engine.errors import PackError
from engine.knowledge.pack import DCC
from engine.match.overlaps import OVERLAPS_FILE, covered, load_overlaps, narrower
from ui.components.wording import card_lists, explains_text, fit_sentence

DCC_STORY = ("HP:0001482", "CT:lumps_on_fingers", "CT:injury_at_site", "CT:normal_calcium_phosphate", "HP:0025520")


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def test_the_curated_rows_load_and_each_says_why(pack) -> None:
    rows = load_overlaps(pack)
    assert rows and all(r.reason for r in rows)
    assert {(r.finding_id, r.covers) for r in rows} >= {("CT:lumps_on_fingers", "HP:6001163"),
                                                       ("HP:0025520", "HP:0003761")}


def test_a_report_covers_what_it_implies_and_what_is_the_same(pack) -> None:
    covers = covered(pack, DCC_STORY)
    assert covers["HP:6001163"].relation == "same"  # "A lump on a finger" after "Hard lumps on the fingertips"
    assert covers["HP:6001163"].reported_id == "CT:lumps_on_fingers"
    assert covers["HP:0200036"].relation == "implied"  # "A lump in the skin": an HPO ancestor of a hard lump
    assert covers["HP:0003761"].relation == "implied"  # calcinosis, from calcium deposits in the skin
    assert covers["HP:0007618"].relation == "same"
    assert not set(covers) & set(DCC_STORY)  # what was reported is never "covered"
    assert covered(pack, ["CT:lumps_on_fingers"])["HP:0001482"].relation == "implied"  # the pack's implies column
    assert "HP:0001482" not in covered(pack, ["HP:0200036"])  # the general never covers the specific


def test_a_more_specific_finding_is_named_as_such(pack) -> None:
    assert narrower(pack, "HP:0031917", ["HP:0200042"]) == "HP:0200042"  # fingertip sores, after "skin ulcer"
    assert narrower(pack, "HP:0200042", ["HP:0031917"]) is None
    assert narrower(pack, "CT:nope", ["HP:0200042"]) is None


def test_the_dcc_card_never_lists_as_not_reported_what_was_reported_in_other_words(pack) -> None:
    result = match_findings(pack, DCC_STORY)
    match = result.ranking.match(DCC)
    lists = card_lists(pack, match, DCC_STORY)
    not_reported = {f for f, _ in lists.can_report + lists.tests_only}
    assert not not_reported & {"HP:6001163", "HP:0200036", "HP:0003761", "HP:0007618"}
    fitting = dict(lists.fitting)
    assert [c.finding_id for c in fitting["CT:lumps_on_fingers"]] == ["HP:6001163"]
    assert lists.covered_usual == 4 and not_reported == set(match.expected_not_reported) - {
        c.finding_id for covers in fitting.values() for c in covers}
    # the sentence agrees with the lists: all five explained, the engine's usual-feature count, the covered ones
    assert explains_text(match) == "explains all 5 of your findings"
    assert fit_sentence(match, lists.covered_usual) == (
        f"Explains all 5 of your findings; {match.fit.usual_matched} of its {match.fit.usual_total} usual features "
        "are among them, and 4 more are close to what you reported.")


def test_what_only_a_test_shows_is_kept_apart_from_what_a_person_can_report(pack) -> None:
    present = ["HP:0001482", "CT:injury_at_site"]
    lists = card_lists(pack, match_findings(pack, present).ranking.match(DCC), present)
    assert "CT:normal_calcium_phosphate" in {f for f, _ in lists.tests_only}
    assert all(pack.finding(f).group == "tests" for f, _ in lists.tests_only)
    assert all(pack.finding(f).group != "tests" for f, _ in lists.can_report)


def test_a_covering_finding_the_condition_does_not_explain_carries_the_cover(pack) -> None:
    """Covers attach to the reported finding wherever the card lists it, never to a list it is not in."""
    match = match_findings(pack, DCC_STORY).ranking.match(DCC)
    fake = dataclasses.replace(match, matched=tuple(f for f in match.matched if f != "CT:lumps_on_fingers"),
                               unexplained=("CT:lumps_on_fingers",))
    lists = card_lists(pack, fake, DCC_STORY)
    assert dict(lists.not_explained)["CT:lumps_on_fingers"][0].finding_id == "HP:6001163"
    assert "CT:lumps_on_fingers" not in dict(lists.fitting)


def _pack_with_rows(tmp_path: Path, rows: list[list[str]]):
    folder = tmp_path / "data"
    shutil.copytree(load_pack().data_dir, folder, symlinks=False,
                    ignore=shutil.ignore_patterns("cases", "education"))
    shutil.copytree(load_pack().data_dir / "education", folder / "education")
    with (folder / OVERLAPS_FILE).open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["finding_id", "covers", "relation", "reason"], *rows])
    return load_pack(folder)


@pytest.mark.slow
@pytest.mark.parametrize(("row", "message"), [
    (["HP:9999999", "HP:0001482", "same", "x"], "row 2, column 'finding_id'"),
    (["HP:0001482", "CT:nope", "same", "x"], "row 2, column 'covers'"),
    (["HP:0001482", "HP:0001482", "same", "x"], "row 2: a finding cannot cover itself"),
    (["HP:0001482", "HP:0200036", "looks like", "x"], "row 2, column 'relation'"),
    (["HP:0001482", "HP:0200036", "same", ""], "row 2, column 'reason'"),
])
def test_a_broken_overlaps_file_names_its_row_and_column(tmp_path: Path, row, message) -> None:
    broken = _pack_with_rows(tmp_path, [row])
    with pytest.raises(PackError, match=message):
        load_overlaps(broken)
