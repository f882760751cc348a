"""Where to get help by country: data/emergency_numbers.csv and engine.triage.services."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from engine.errors import PackError
from engine.knowledge.resources import shipped_data_dir
from engine.triage.copy import EMERGENCY_FIRST, EMERGENCY_SAFETY_NET, SAFETY_NET
from engine.triage.levels import LEVEL_ADVICE
from engine.triage.services import (
    GENERIC_EMERGENCY,
    GENERIC_URGENT_CARE,
    NUMBERS_FILE,
    country_from_locale,
    load_services,
    localise,
    where_to_get_help,
)

COLUMNS = ["country_code", "country", "emergency", "urgent_care", "source"]


@pytest.fixture(scope="module")
def by_code():
    return {s.country_code: s for s in load_services()}


def test_every_country_has_a_number_and_an_official_source(by_code) -> None:
    assert len(by_code) >= 30
    for s in by_code.values():
        assert any(ch.isdigit() for ch in s.emergency) and "https://" in s.source, s
    assert (by_code["GB"].emergency, by_code["US"].emergency, by_code["AU"].emergency) == ("999", "911", "000")
    assert by_code["NZ"].emergency == "111" and by_code["DE"].emergency == "112"
    assert "NHS 111" in by_code["GB"].urgent_care and "nhs.uk" in by_code["GB"].source
    assert "116 117" in by_code["DE"].urgent_care and "1800 022 222" in by_code["AU"].urgent_care
    assert all(by_code[c].emergency == "112" for c in ("NL", "ES", "IT", "SE", "PL"))  # the EU's 112


def test_the_safety_copy_holds_the_generic_words_the_numbers_replace() -> None:
    """If the copy were reworded, localisation would silently do nothing: the generic words must be there."""
    assert GENERIC_EMERGENCY in EMERGENCY_FIRST and GENERIC_EMERGENCY in LEVEL_ADVICE["emergency"]
    assert GENERIC_URGENT_CARE in LEVEL_ADVICE["urgent"]
    assert GENERIC_EMERGENCY in SAFETY_NET[1] and GENERIC_EMERGENCY in EMERGENCY_SAFETY_NET[0]


def test_localise_names_the_number_and_the_service_and_falls_back_to_the_generic_sentence(by_code) -> None:
    uk, ca = by_code["GB"], by_code["CA"]
    assert localise(EMERGENCY_FIRST, uk) == "If you think this is an emergency, call 999 now."
    assert localise(LEVEL_ADVICE["urgent"], uk).endswith("If you cannot, contact " + uk.urgent_care + ".")
    assert localise(EMERGENCY_FIRST, None) == EMERGENCY_FIRST  # no country: the generic sentence stands
    assert localise(LEVEL_ADVICE["urgent"], ca) == LEVEL_ADVICE["urgent"].replace(GENERIC_EMERGENCY, "911")
    with open(shipped_data_dir() / "red_flags.csv", encoding="utf-8") as fh:
        lines = [r["watch_for"] for r in csv.DictReader(fh) if r["watch_for"]]
    for services in by_code.values():
        for text in (EMERGENCY_FIRST, *LEVEL_ADVICE.values(), *SAFETY_NET, *lines):
            assert GENERIC_EMERGENCY not in localise(text, services)
    assert where_to_get_help(uk) == f"United Kingdom: emergency 999; urgent help when your doctor is closed: " \
                                    f"{uk.urgent_care}."


@pytest.mark.parametrize(("locale", "code"), [("en-GB", "GB"), ("en-gb", "GB"), ("de-DE", "DE"), ("fr-CA", "CA"),
                                              ("sr-Latn-RS", None), ("en", None), ("", None), (None, None),
                                              ("en-XX", None), ("en-419", None)])
def test_country_from_locale_reads_the_region_only(locale, code, by_code) -> None:
    assert country_from_locale(locale, by_code) == code


def _write(folder: Path, rows: list[list[str]]) -> Path:
    with (folder / NUMBERS_FILE).open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([COLUMNS, *rows])
    return folder


@pytest.mark.parametrize(("row", "message"), [
    (["G", "X", "1", "", "https://x"], "row 2, column 'country_code'"),
    (["GB", "", "999", "", "https://x"], "row 2, column 'country'"),
    (["GB", "UK", "none", "", "https://x"], "row 2, column 'emergency'"),
    (["GB", "UK", "999", "", "a book"], "row 2, column 'source'"),
])
def test_a_broken_numbers_file_names_its_row_and_column(tmp_path: Path, row, message) -> None:
    with pytest.raises(PackError, match=message):
        load_services(_write(tmp_path, [row]))


def test_a_country_given_twice_is_refused(tmp_path: Path) -> None:
    row = ["GB", "United Kingdom", "999", "", "https://www.gov.uk/"]
    with pytest.raises(PackError, match="row 3, column 'country_code': GB is given twice"):
        load_services(_write(tmp_path, [row, row]))
