"""Where to get help, by country: the emergency number and the urgent-care service a result names.

The safety copy (:mod:`engine.triage.copy`, :data:`engine.triage.levels.LEVEL_ADVICE`, the red-flag rules'
lines) says "your local emergency number" and "urgent care": true everywhere, and the fallback when no country
is known. With a country, :func:`localise` puts its own number and service in their place ("call 999 now";
"If you cannot, contact NHS 111"). The numbers live in ``data/emergency_numbers.csv``, each row with the
official source it was taken from.

>>> uk = Services("GB", "United Kingdom", "999", "NHS 111 (call 111)", "https://www.nhs.uk/")
>>> localise("If you think this is an emergency, call your local emergency number now.", uk)
'If you think this is an emergency, call 999 now.'
>>> localise("If you cannot, go to urgent care.", uk)
'If you cannot, contact NHS 111 (call 111).'
>>> localise("If you cannot, go to urgent care.", None)
'If you cannot, go to urgent care.'
>>> country_from_locale("en-GB", {"GB"}), country_from_locale("en", {"GB"}), country_from_locale(None, {"GB"})
('GB', None, None)
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from engine.errors import PackError
from engine.io.readers import read_csv_rows
from engine.knowledge.pack import MAX_PACK_FILE_BYTES
from engine.knowledge.resources import shipped_data_dir

__all__ = ["GENERIC_EMERGENCY", "GENERIC_URGENT_CARE", "NUMBERS_FILE", "Services", "country_from_locale",
           "load_services", "localise", "where_to_get_help"]

NUMBERS_FILE = "emergency_numbers.csv"
#: The generic words of the safety copy that a country's own number and service replace.
GENERIC_EMERGENCY = "your local emergency number"
GENERIC_URGENT_CARE = "go to urgent care"
_CODE = re.compile(r"^[A-Z]{2}$")
#: The region of a BCP 47 language tag ("en-GB", "de-DE", "sr-Latn-RS"): two letters after a hyphen.
_REGION = re.compile(r"-([A-Za-z]{2})(?:-|$)")


@dataclass(frozen=True)
class Services:
    """One country's emergency number (as a person dials it: "999", "15 (SAMU) or 112") and urgent-care
    service (a noun phrase, "NHS 111 (call 111)"; empty when no single national service can be named), with the
    official source(s) both were taken from."""

    country_code: str
    country: str
    emergency: str
    urgent_care: str
    source: str


@lru_cache(maxsize=4)
def load_services(data_dir: Path | None = None) -> tuple[Services, ...]:
    """The rows of ``emergency_numbers.csv`` (in ``data_dir``, the shipped data by default), checked.

    Raises
    ------
    PackError
        Naming the file, row and column of a missing or malformed value or a country given twice.
    """
    folder = data_dir or shipped_data_dir()
    rows = read_csv_rows(folder / NUMBERS_FILE, MAX_PACK_FILE_BYTES, PackError)
    out: list[Services] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        where = f"{NUMBERS_FILE}, row {line}"
        code, country, emergency, urgent, source = ((row.get(k) or "").strip() for k in (
            "country_code", "country", "emergency", "urgent_care", "source"))
        if not _CODE.match(code):
            raise PackError(f"{where}, column 'country_code': {code!r} is not a two-letter ISO 3166-1 code")
        if code in seen:
            raise PackError(f"{where}, column 'country_code': {code} is given twice")
        if not country:
            raise PackError(f"{where}, column 'country': required")
        if not any(ch.isdigit() for ch in emergency):
            raise PackError(f"{where}, column 'emergency': a number to dial is required")
        if "https://" not in source:
            raise PackError(f"{where}, column 'source': cite the official source with its https:// address")
        seen.add(code)
        out.append(Services(code, country, emergency, urgent, source))
    return tuple(out)


def country_from_locale(locale: str | None, known: Collection[str]) -> str | None:
    """The country of a browser locale ("en-GB" -> "GB") when it is one of ``known``; else None.

    A tag without a region ("en", "de") names a language, not a country: no guess is made.
    """
    match = _REGION.search(locale or "")
    code = match.group(1).upper() if match else None
    return code if code in known else None


def localise(text: str, services: Services | None) -> str:
    """``text`` with the generic emergency number and urgent-care wording replaced by the country's own.

    Without ``services`` (no country chosen) the generic sentence stands; a country with no named urgent-care
    service keeps "go to urgent care".
    """
    if services is None:
        return text
    text = text.replace(GENERIC_EMERGENCY, services.emergency)
    if services.urgent_care:
        text = text.replace(GENERIC_URGENT_CARE, f"contact {services.urgent_care}")
    return text


def where_to_get_help(services: Services) -> str:
    """One line naming the country's emergency number and urgent-care service, e.g. for a result's header."""
    line = f"{services.country}: emergency {services.emergency}"
    if services.urgent_care:
        line += f"; urgent help when your doctor is closed: {services.urgent_care}"
    return line + "."
