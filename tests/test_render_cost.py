"""What a Check run renders, kept cheap without changing what a person sees (bench/load.py measures the cost).

- The result chart is drawn from a spec built once per shape and filled with the result's rows: the same
  spec and the same Arrow data as Streamlit's own ``st.altair_chart`` path gives.
- The summaries (PDF, plain text) are built when their button is pressed, not on every run.
- The scorer cache is keyed by a short digest of the weights.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec, _marshall_chart_data
from streamlit.proto.VegaLiteChart_pb2 import VegaLiteChart
from streamlit.testing.v1 import AppTest

from engine import default_weights, load_pack, match_findings
from ui.components.widgets import ranking_chart, ranking_spec, readable
from ui.state import weights_digest

from .conftest import check_page

HARD_LUMP, INJURY, SCLERODERMA, FEVER, ULCER = ("HP:0001482", "CT:injury_at_site", "CT:systemic_sclerosis_diagnosis",
                                                "HP:0001945", "HP:0200042")


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def _drawn(spec: dict[str, Any]) -> tuple[str, list[bytes]]:
    """The spec as the browser receives it (the dataset's name aside) and the Arrow bytes of its data."""
    proto = VegaLiteChart()
    _marshall_chart_data(proto, spec)
    name = proto.datasets[0].name
    return json.dumps(spec, sort_keys=True).replace(name, "DATA"), [d.data.data for d in proto.datasets]


@pytest.mark.parametrize("ids", [[HARD_LUMP], [HARD_LUMP, INJURY, SCLERODERMA], [FEVER, ULCER],
                                 [HARD_LUMP, INJURY, SCLERODERMA, FEVER, ULCER]],
                         ids=["thin", "strong", "two", "five"])
def test_the_result_chart_is_what_the_altair_path_draws(ids, pack):
    result = match_findings(pack, ids)
    expected = _drawn(_convert_altair_to_vega_lite_spec(readable(ranking_chart(pack, result))))
    assert _drawn(ranking_spec(pack, result)) == expected
    assert _drawn(ranking_spec(pack, result)) == expected  # from the kept template, too


def test_the_weights_digest_tells_weights_apart(pack):
    defaults = default_weights(pack)
    assert weights_digest(defaults) == weights_digest(default_weights(pack))
    assert weights_digest(defaults.replace(params={"leak": 0.2})) != weights_digest(defaults)
    assert len(weights_digest(defaults)) == 64


@pytest.mark.slow
def test_the_summaries_are_built_only_when_downloaded(monkeypatch):
    import ui.pages.check

    built: list[str] = []
    real_pdf, real_text = ui.pages.check.build_summary_pdf, ui.pages.check.build_summary
    monkeypatch.setattr(ui.pages.check, "build_summary_pdf", lambda *a, **k: built.append("pdf") or real_pdf(*a, **k))
    monkeypatch.setattr(ui.pages.check, "build_summary", lambda *a, **k: built.append("text") or real_text(*a, **k))
    at = AppTest.from_function(check_page, default_timeout=60)
    at.run()
    at.checkbox(key=f"check:tick:{HARD_LUMP}").check()
    at.button(key="check:submit").click().run()
    at.checkbox(key=f"check:tick:{ULCER}").check().run()  # a rerun with the result on screen
    assert not at.exception, at.exception
    buttons = {b.label: b.proto for b in at.get("download_button")}
    for label in ("Download a summary (PDF)", "Download a summary (plain text)"):
        assert buttons[label].deferred_file_id and not buttons[label].url
    assert built == []
