"""Benchmark: one full script run of the Check page under AppTest, with three findings submitted.

Run: ``python bench/bench_app.py [runs]``. Warm (one untimed cycle loads the pack and caches first);
prints the median and p90 of the submit run. Target: median < 150 ms. A benchmark, never a test.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent  # the app script lives at the repository root

TICKS = ("HP:0001482", "CT:injury_at_site", "CT:systemic_sclerosis_diagnosis")
TARGET_MS = 150.0


def check_page() -> None:
    import ui.pages.check

    ui.pages.check.render()


def submit_run_ms() -> float:
    """Load the page, tick, then time the script run that the submit triggers."""
    at = AppTest.from_function(check_page, default_timeout=60).run()
    for fid in TICKS:
        at.checkbox(key=f"check:tick:{fid}").check()
    at.button(key="check:submit").click()
    start = time.perf_counter()
    at.run()
    elapsed = (time.perf_counter() - start) * 1000
    if at.exception or not at.get("vega_lite_chart"):
        raise RuntimeError("the submit run did not show a result")
    return elapsed


def main(runs: int = 20) -> None:
    submit_run_ms()  # warm: pack, scorers, imports
    times = sorted(submit_run_ms() for _ in range(runs))
    median = statistics.median(times)
    p90 = times[min(len(times) - 1, round(0.9 * len(times)) - 1)]
    verdict = "ok" if median < TARGET_MS else "OVER TARGET"
    print(f"check page, submit run with {len(TICKS)} ticks, {runs} runs: median {median:.1f} ms, "
          f"p90 {p90:.1f} ms (target median < {TARGET_MS:.0f} ms: {verdict})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
