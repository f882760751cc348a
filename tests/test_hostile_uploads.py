"""Hostile uploads on every uploader of Check, Teach and Analyze: visitor-controlled text stays inert text, and
any failure is one line while what was on screen stays.

Visitor-controlled text is every upload's file name, every zip member's name and text from a file's content that
the engine quotes back (a term ID, an unknown field name, a case ID). Each is shown through
:func:`ui.components.widgets.as_code`; the tests read every message the page shows and check that, outside code spans,
nothing could become a link, an image, HTML or a Streamlit directive. The browser test checks the same on the
rendered page (tests/test_browser.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import analyze_page, check_page, teach_page, zipped
from .test_phenopacket import packet

pytestmark = pytest.mark.slow  # AppTest runs whole pages

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 90
HARD_LUMP, SKIN_ULCER = "HP:0001482", "HP:0200042"
CALCIPHYLAXIS_ORPHA = "ORPHA:280062"
INJECTED = "[click](https://evil.example/a) ![x](https://evil.example/x.png) <img src=x> :red[red] `tick"
DANGEROUS = ("](", "![", "<", ":red[", ":material/")


def outside_code(markdown: str) -> str:
    """``markdown`` with its code spans taken out (CommonMark: a run of n backticks closes at the next run of
    exactly n); an unclosed run stays, as CommonMark shows it literally too."""
    out, i = [], 0
    while i < len(markdown):
        run = re.match(r"`+", markdown[i:])
        if run is None:
            out.append(markdown[i])
            i += 1
            continue
        n = len(run.group())
        close = re.search(rf"(?<!`)`{{{n}}}(?!`)", markdown[i + n:])
        if close is None:
            out.append(run.group())
            i += n
        else:
            i += n + close.end()
    return "".join(out)


def test_outside_code_reads_code_spans_as_commonmark_does():
    assert outside_code("a `[x](y)` b") == "a  b"
    assert outside_code("a ``x ` [y](z)`` b") == "a  b"
    assert outside_code("a `unclosed [x](y)") == "a `unclosed [x](y)"


def shown(at: AppTest) -> list[str]:
    """Every text the page shows as Markdown: messages, markdown, captions."""
    kinds = ("success", "error", "warning", "info", "markdown", "caption")
    return [str(e.value) for kind in kinds for e in getattr(at, kind)]


def assert_inert(at: AppTest, must_show: str = "") -> None:
    """Nothing outside code spans could render as a link, an image, HTML or a directive; ``must_show`` (a piece
    of the visitor's text) is shown, inside code."""
    texts = shown(at)
    for text in texts:
        rest = outside_code(text)
        for danger in DANGEROUS:
            assert danger not in rest or "evil" not in text, (danger, text)
        assert "evil.example" not in rest, text
    if must_show:
        assert any(must_show in t for t in texts), texts


def messages(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]


def one_line(text: str) -> None:
    assert text.strip() and "\n" not in text.strip() and "Traceback" not in text, text


PAGES: dict[str, Callable[[], None]] = {"check": check_page, "teach": teach_page, "analyze": analyze_page}


def started(name: str) -> AppTest:
    at = AppTest.from_function(PAGES[name], default_timeout=TIMEOUT)  # the function's source runs: no closure
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, key: str, *files: tuple[str, bytes]) -> AppTest:
    value = [(n, c, "application/octet-stream") for n, c in files]
    at.file_uploader(key=key).set_value(value if len(value) > 1 else value[0]).run()
    assert not at.exception, at.exception
    return at


def doc(**changes: Any) -> bytes:
    return json.dumps(packet([HARD_LUMP, SKIN_ULCER], [], CALCIPHYLAXIS_ORPHA) | changes).encode()


GOOD = doc()
BAD_TERM = json.dumps(packet([INJECTED], [], CALCIPHYLAXIS_ORPHA)).encode()
BAD_FIELD = doc(**{INJECTED: 1})
CASES = json.dumps([{"id": INJECTED, "findings": [{"hpo_id": HARD_LUMP}],
                     "expected_condition": "dystrophic_calcinosis_cutis"}]).encode()

#: (uploader, page, key, what to upload, a piece of visitor text that must be shown as code, message kind)
UPLOADS: list[tuple[str, str, str, list[tuple[str, bytes]], str, str]] = [
    ("check-name-ok", "check", "check:phenopacket", [(f"{INJECTED}.json", GOOD)], "evil.example/a", "success"),
    ("check-name-bad", "check", "check:phenopacket", [(f"{INJECTED}.json", b"{")], "evil.example/a", "error"),
    ("check-term", "check", "check:phenopacket", [("p.json", BAD_TERM)], "evil.example/a", "error"),
    ("check-field", "check", "check:phenopacket", [("p.json", BAD_FIELD)], "evil.example/a", "error"),
    ("teach-name-ok", "teach", "teach:phenopacket", [(f"{INJECTED}.json", GOOD)], "evil.example/a", "success"),
    ("teach-name-bad", "teach", "teach:phenopacket", [(f"{INJECTED}.json", b"[]")], "evil.example/a", "error"),
    ("teach-term", "teach", "teach:phenopacket", [("p.json", BAD_TERM)], "evil.example/a", "error"),
    ("teach-field", "teach", "teach:phenopacket", [("p.json", BAD_FIELD)], "evil.example/a", "error"),
    ("analyze-name-bad", "analyze", "analyze:phenopackets:upload", [(f"{INJECTED}.json", b"{")], "evil.example/a",
     "error"),
    ("analyze-zip-name", "analyze", "analyze:phenopackets:upload", [(f"{INJECTED}.zip", b"PK nope")], "evil.example/a",
     "error"),
    ("analyze-member-bad", "analyze", "analyze:phenopackets:upload",
     [("set.zip", zipped({f"{INJECTED}.json": b"{"}))], "evil.example/a", "error"),
    ("analyze-member-ok", "analyze", "analyze:phenopackets:upload",
     [("set.zip", zipped({f"{INJECTED}.json": GOOD}))], "", "success"),
    ("analyze-term", "analyze", "analyze:phenopackets:upload", [("p.json", BAD_TERM)], "evil.example/a", "error"),
    ("analyze-field", "analyze", "analyze:phenopackets:upload", [("p.json", BAD_FIELD)], "evil.example/a", "error"),
    ("weights-name-ok", "analyze", "analyze:upload", [(f"{INJECTED}.toml", b"[params]\nleak = 0.05\n")],
     "evil.example/a", "success"),
    ("weights-key", "analyze", "analyze:upload", [("w.toml", f'[finding_weights]\n"{INJECTED}" = 1\n'.encode())],
     "evil.example/a", "error"),
    ("weights-section", "analyze", "analyze:upload", [("w.toml", f'["{INJECTED}"]\nx = 1\n'.encode())],
     "evil.example/a", "error"),
    ("cases-name-ok", "analyze", "analyze:cases_upload", [(f"{INJECTED}.json", CASES)], "evil.example/a", "success"),
    ("cases-id-bad", "analyze", "analyze:cases_upload",
     [("c.json", CASES.replace(HARD_LUMP.encode(), b"HP:12"))], "evil.example/a", "error"),
]


@pytest.mark.parametrize(("name", "key", "files", "must_show", "kind"), [c[1:] for c in UPLOADS],
                         ids=[c[0] for c in UPLOADS])
def test_visitor_text_from_every_uploader_is_shown_as_code(name, key, files, must_show, kind):
    at = started(name)
    if key == "analyze:cases_upload":
        at.radio(key="analyze:case_source").set_value("Uploaded case file").run()
    upload(at, key, *files)
    said = messages(at, kind)
    assert said, (kind, shown(at))
    for text in said:
        one_line(text)
    assert_inert(at, must_show)


def test_content_borne_case_ids_stay_out_of_markdown_on_analyze():
    at = started("analyze")
    at.radio(key="analyze:case_source").set_value("Uploaded case file").run()
    upload(at, "analyze:cases_upload", ("c.json", CASES))
    assert any("case(s), method" in m for m in messages(at, "markdown"))  # the evaluation of that case shows
    assert_inert(at)


# --- any failure is one line, and the result on screen stays --------------------------------------------

def _boom(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("boom in /srv/app/secret/path.py")


def _check_with_result() -> AppTest:
    at = started("check")
    at.checkbox(key=f"check:tick:{HARD_LUMP}").check()
    at.button(key="check:submit").click().run()
    assert "Your closest matches" in [s.value for s in at.subheader]
    return at


@pytest.mark.parametrize("failure", ["engine", "unexpected"])
def test_a_failing_check_upload_keeps_the_result_on_screen(failure, monkeypatch):
    at = _check_with_result()
    if failure == "unexpected":
        import ui.components.phenopacket_files

        monkeypatch.setattr(ui.components.phenopacket_files, "parse_phenopacket", _boom)
    upload(at, "check:phenopacket", ("x.json", b'{"id": "p", "subject": {"id": "s", "sex": 99}}'))
    [error] = [e for e in messages(at, "error") if "Nothing was changed" in e]
    one_line(error)
    assert ("RuntimeError" in error) == (failure == "unexpected") and "/srv/app" not in error
    assert "Your closest matches" in [s.value for s in at.subheader]
    assert at.session_state["check:state"].present == [HARD_LUMP]


def test_a_failing_teach_upload_keeps_the_working_case(monkeypatch):
    at = started("teach")
    upload(at, "teach:phenopacket", ("good.json", GOOD))
    import ui.components.phenopacket_files

    monkeypatch.setattr(ui.components.phenopacket_files, "parse_phenopacket", _boom)
    upload(at, "teach:phenopacket", ("worse.json", GOOD))
    [error] = [e for e in messages(at, "error") if "Nothing was changed" in e]
    assert error.startswith("`worse.json` could not be read (an unexpected RuntimeError)")
    assert at.session_state["teach:present"] == [HARD_LUMP, SKIN_ULCER]
    assert "Step through the findings" in [s.value for s in at.header]


@pytest.mark.parametrize(("key", "target", "kept"), [
    ("analyze:phenopackets:upload", "read_inputs", "previous cases are kept"),
    ("analyze:upload", "parse_weights", "current weights are unchanged"),
])
def test_a_failing_analyze_upload_keeps_what_was_loaded(key, target, kept, monkeypatch):
    at = started("analyze")
    import ui.components.analyze_phenopackets
    import ui.pages.analyze

    upload(at, "analyze:phenopackets:upload", ("good.json", GOOD))
    assert at.session_state["analyze:phenopackets:inputs"].n == 1
    weights = at.session_state["analyze:weights"].key()
    module = ui.components.analyze_phenopackets if key == "analyze:phenopackets:upload" else ui.pages.analyze
    monkeypatch.setattr(module, target, _boom)
    upload(at, key, ("again.json" if key.startswith("analyze:phenopackets") else "w.toml", GOOD))
    [error] = [e for e in messages(at, "error") if kept in e]
    one_line(error)
    assert "RuntimeError" in error and "/srv/app" not in error
    assert at.session_state["analyze:phenopackets:inputs"].n == 1
    assert at.session_state["analyze:weights"].key() == weights


# --- one helper, everywhere -------------------------------------------------------------------------------

RAW = re.compile(r"\{(exc|upload\.name|f\.name|packet\.origin|query(\.strip\(\))?|loaded)(!s)?\}")
SHOWS = re.compile(r"\bst\.(markdown|caption|error|success|warning|info|write|subheader|header|title)\(|_say\(|"
                   r"\(\"(error|success)\",")


def test_pages_never_put_visitor_text_into_markdown_without_the_helper():
    """A tripwire over the pages' sources: a line that shows Markdown never interpolates an exception, an upload's
    name, a search or a loaded case's name directly; they go through ``as_code`` (or ``refusal``, which uses it)."""
    offenders = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        for n, line in enumerate(path.read_text().splitlines(), start=1):
            if SHOWS.search(line) and RAW.search(line):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert not offenders, offenders
    assert SHOWS.search('st.error(f"failed: {exc}")') and RAW.search('st.error(f"failed: {exc}")')  # it would catch
