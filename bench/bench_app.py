"""Benchmark: how long a person waits on the Check page, in headless Chromium against a real ``streamlit run``.

1. cold: a fresh server process (its health check answering, nothing imported for a session yet), a new browser
   context: the time from navigating to the address until the form is usable, that is "Show my matches" is
   enabled and the first checkbox of the checklist is shown and enabled. Target: at most 5 s.
2. warm: one server that has already served a check, a new browser context each run (a new session, an empty
   browser cache): the same measure. Target: at most 2 s.
3. submit: in each warm session, tick three findings (``TICKS``), then the time from the click on "Show my
   matches" until the result is on screen: the urgency block, the "Your closest matches" heading and the first
   match card. Target: at most 0.5 s. The first submit on each fresh server is reported too.

Each figure also has a "settled" time: the script run over (Streamlit's ``data-test-script-state``) and, for
the result, its chart drawn. Times are taken in the page (``performance.now()``: from the start of the
navigation, from the click), so Playwright's own round trips are not counted. Medians and p90 (nearest rank)
over ``--runs`` runs. The server, Chromium and this script share the machine's cores, so a busy machine stretches
every figure: it prints the load average before and after, and how many cores other processes used meanwhile
(the machine's busy time from /proc/stat less this benchmark's own). Before each navigation and each submit it
waits until Chromium is idle: a new headless window spends about 1 s of CPU on Chromium's own interface, which a
person's open browser has long done. Last, as a secondary figure, the old
measure: the submit script run under AppTest (no browser, no network).

Run from the repository root: ``python bench/bench_app.py [--runs 5] [--apptest-runs 20] [--app PATH]``
(``--app``: another checkout's ``streamlit_app.py``, to measure before and after a change).
Method and figures: docs/scaling.md, "What a person waits for". A benchmark, never a test.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import resource
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from browser import chromium, descendants_cpu, wait_chromium_idle
from playwright.sync_api import Browser, Page, ViewportSize

from ui.local_app import LocalApp, local_app

ROOT = Path(__file__).resolve().parent.parent  # the app script lives at the repository root
APP = ROOT / "streamlit_app.py"
TICKS = ("HP:0001482", "CT:injury_at_site", "CT:systemic_sclerosis_diagnosis")
FOLDED_GROUP = "Your medical history"  # the group of the last two ticks: folded on arrival (the first is open)
TARGET_COLD_S, TARGET_WARM_S, TARGET_SUBMIT_S = 5.0, 2.0, 0.5
APPTEST_TARGET_MS = 150.0
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
START_TIMEOUT_S = 120
WAIT_MS = 120_000


def key_class(key: str) -> str:
    """The CSS class Streamlit gives the element of a widget with ``key`` (its frontend's own rule)."""
    return "st-key-" + "".join(c if c.isalnum() or c in "_-" else "-" for c in key.strip())


SUBMIT = f".{key_class('check:submit')} button"
FIRST_BOX = f".{key_class('check:tick:' + TICKS[0])}"
# Each check records the moment it first holds (window.__t[name]) and stays true after that.
USABLE = f"""() => {{
  const shown = el => el !== null && el.getClientRects().length > 0;
  const submit = document.querySelector("{SUBMIT}");
  const box = document.querySelector("{FIRST_BOX} input[type=checkbox]");
  const label = document.querySelector("{FIRST_BOX} label");
  if (!(shown(submit) && !submit.disabled && box !== null && !box.disabled && shown(label))) return false;
  (window.__t ??= {{}}).usable ??= performance.now();
  return true;
}}"""
RESULT = """() => {
  const level = [...document.querySelectorAll("strong")]
    .some(x => /^(ROUTINE|SOON|URGENT|EMERGENCY):/.test(x.innerText));
  const heading = [...document.querySelectorAll("h3")].some(x => x.innerText.startsWith("Your closest matches"));
  const card = [...document.querySelectorAll("[data-testid=stExpander] summary")]
    .some(x => /(^|\\s)1\\. /.test(x.innerText));
  if (!(level && heading && card)) return false;
  (window.__t ??= {}).result ??= performance.now();
  return true;
}"""
CHART = "document.querySelector('[data-testid=stVegaLiteChart] canvas, [data-testid=stVegaLiteChart] svg')"
IDLE = "document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state') === 'notRunning'"
SETTLED = f"""() => {{
  if (!({IDLE})) return false;
  (window.__t ??= {{}}).settled ??= performance.now();
  return true;
}}"""
RESULT_SETTLED = f"""() => {{
  if (!({IDLE} && {CHART})) return false;
  (window.__t ??= {{}}).result_settled ??= performance.now();
  return true;
}}"""
ON_CLICK = """() => {
  window.__t = {};
  document.addEventListener("click", () => { window.__t.click ??= performance.now(); }, {capture: true, once: true});
}"""


@dataclass
class Figures:
    """Seconds per run, by measure, and how busy the machine was meanwhile."""

    runs: dict[str, list[float]] = field(default_factory=dict)
    wall: float = 0.0
    others: float = 0.0  # cores used by other processes, on average
    _started: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def add(self, name: str, seconds: float) -> None:
        self.runs.setdefault(name, []).append(seconds)

    def start(self) -> None:
        self._started = (time.monotonic(), *busy_seconds())

    def stop(self) -> None:
        start, machine, ours = self._started
        now, machine_now, ours_now = time.monotonic(), *busy_seconds()
        self.wall = now - start
        self.others = max(0.0, (machine_now - machine) - (ours_now - ours)) / self.wall


def _stamp(page: Page, name: str) -> float:
    stamp: float = page.evaluate(f"window.__t.{name}")
    return stamp


def _no_exception(page: Page) -> None:
    if page.locator("[data-testid=stException]").count():
        raise RuntimeError("the app showed an exception: " + page.locator("[data-testid=stException]").first
                           .inner_text()[:500])


def open_form(browser: Browser, url: str, server_pid: int) -> tuple[Page, float, float]:
    """A new context (a new session, an empty browser cache) on the Check page: seconds from the start of the
    navigation until the form is usable, and until the script run is over."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    wait_chromium_idle(server_pid)
    page.goto(url, wait_until="commit")
    page.wait_for_function(USABLE, polling="raf")
    page.wait_for_function(SETTLED, polling="raf")
    _no_exception(page)
    return page, _stamp(page, "usable") / 1000, _stamp(page, "settled") / 1000


def _wait_script_over(page: Page) -> None:
    page.wait_for_function(IDLE, polling="raf")


def tick_and_submit(page: Page, server_pid: int) -> tuple[float, float]:
    """Tick ``TICKS`` (each waits for its checklist rerun), then click "Show my matches": seconds from the click
    until the result is on screen, and until the run is over with the chart drawn."""
    page.get_by_text(FOLDED_GROUP, exact=True).click()  # open the folded group (no rerun)
    for fid in TICKS:
        box = f".{key_class('check:tick:' + fid)}"
        page.locator(f"{box} label").click()
        page.wait_for_function(f"document.querySelector('{box} input')?.checked")
        _wait_script_over(page)
    page.wait_for_timeout(200)  # nothing pending from the last tick
    _wait_script_over(page)
    wait_chromium_idle(server_pid)
    page.evaluate(ON_CLICK)
    page.locator(SUBMIT).click()
    page.wait_for_function(RESULT, polling="raf")
    page.wait_for_function(RESULT_SETTLED, polling="raf")
    _no_exception(page)
    click = _stamp(page, "click")
    return (_stamp(page, "result") - click) / 1000, (_stamp(page, "result_settled") - click) / 1000


def _session(figures: Figures, browser: Browser, app: LocalApp, form: str, submit: str) -> tuple[float, float]:
    """One new session: open the form, tick and submit, record both as ``form`` and ``submit`` figures; the
    seconds to a usable form and to the result."""
    page, usable, settled = open_form(browser, app.url, app.process.pid)
    figures.add(f"{form} usable", usable)
    figures.add(f"{form} settled", settled)
    result, result_settled = tick_and_submit(page, app.process.pid)
    figures.add(f"{submit} result", result)
    figures.add(f"{submit} settled", result_settled)
    page.context.close()
    return usable, result


def measure(runs: int, script: Path = APP) -> Figures:
    figures = Figures()
    with chromium() as browser:
        figures.start()
        for n in range(runs):  # cold: a fresh server each run
            with local_app(script, timeout_s=START_TIMEOUT_S) as app:
                usable, result = _session(figures, browser, app, "cold", "first submit")
            print(f"  cold run {n + 1}/{runs}: usable {usable:.2f} s, first submit {result:.2f} s", flush=True)
        with local_app(script, timeout_s=START_TIMEOUT_S) as app:  # warm: one server, a check served before
            page, *_ = open_form(browser, app.url, app.process.pid)
            tick_and_submit(page, app.process.pid)
            page.context.close()
            for n in range(runs):
                usable, result = _session(figures, browser, app, "warm", "submit")
                print(f"  warm run {n + 1}/{runs}: usable {usable:.2f} s, submit {result:.2f} s", flush=True)
            figures.stop()  # with Chromium and the server still running: once ended, their CPU time is lost
    return figures


def p90(values: list[float]) -> float:
    """The 90th percentile by nearest rank (of 5 runs: the slowest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def line(label: str, values: list[float], target: float | None = None) -> str:
    median, high = statistics.median(values), p90(values)
    text = f"{label:<44} median {median:5.2f} s   p90 {high:5.2f} s"
    if target is not None:
        verdict = "ok" if high <= target else ("median ok, p90 OVER" if median <= target else "OVER")
        text += f"   target <= {target:g} s: {verdict}"
    return text


def check_page() -> None:
    """The Check page as an AppTest script (AppTest runs a function's own source)."""
    import ui.pages.check

    ui.pages.check.render()


def apptest_ms(runs: int) -> tuple[float, float]:
    """The old figure: the script run that the submit triggers, under AppTest (no browser), after a warm run."""
    from streamlit.testing.v1 import AppTest

    # AppTest's own threads warn "missing ScriptRunContext" (harmless; Streamlit resets its loggers' levels)
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage())

    def once() -> float:
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

    once()  # warm: pack, scorers, imports
    times = [once() for _ in range(runs)]
    return statistics.median(times), p90(times)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def busy_seconds() -> tuple[float, float]:
    """CPU seconds the whole machine has been busy (all cores, /proc/stat), and this benchmark's share (itself,
    Chromium, the servers): their difference over a run is what other processes took."""
    with open("/proc/stat") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:9]]  # user nice system idle iowait irq softirq steal
    machine = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)  # the servers stopped so far
    return machine, time.process_time() + ended.ru_utime + ended.ru_stime + descendants_cpu()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each browser measure (cold: server starts)")
    parser.add_argument("--apptest-runs", type=int, default=20, help="AppTest submit runs (0: skip)")
    parser.add_argument("--app", type=Path, default=APP,
                        help="another checkout's streamlit_app.py, to measure before and after a change (the AppTest "
                             "figure is then skipped: it runs the code this script imports)")
    args = parser.parse_args()
    if not 1 <= args.runs <= 100 or not 0 <= args.apptest_runs <= 1000:
        parser.error("--runs must be 1..100 and --apptest-runs 0..1000")
    before = load()
    print(f"machine: {os.cpu_count()} cores; load average (1, 5, 15 min) {before} at the start", flush=True)
    script = args.app.resolve()
    print(f"app: {script}")
    measured = measure(args.runs, script)
    figures = measured.runs
    print(f"\nCheck page in Chromium {VIEWPORT['width']}x{VIEWPORT['height']}, {args.runs} runs each, "
          f"{measured.wall:.0f} s; load average {before} before, {load()} after (this benchmark included); other "
          f"processes used {measured.others:.2f} of {os.cpu_count()} cores on average meanwhile:")
    print(line("cold: navigation -> form usable", figures["cold usable"], TARGET_COLD_S))
    print(line("      navigation -> script run over", figures["cold settled"]))
    print(line("warm: navigation -> form usable", figures["warm usable"], TARGET_WARM_S))
    print(line("      navigation -> script run over", figures["warm settled"]))
    print(line("submit -> result on screen (warm)", figures["submit result"], TARGET_SUBMIT_S))
    print(line("       -> run over, chart drawn (warm)", figures["submit settled"]))
    print(line("first submit on a fresh server -> result", figures["first submit result"], TARGET_SUBMIT_S))
    print(line("       -> run over, chart drawn", figures["first submit settled"]))
    if args.apptest_runs and script == APP:
        median, high = apptest_ms(args.apptest_runs)
        verdict = "ok" if median < APPTEST_TARGET_MS else "OVER"
        print(f"secondary, AppTest submit script run ({len(TICKS)} ticks, {args.apptest_runs} runs, no browser): "
              f"median {median:.1f} ms, p90 {high:.1f} ms (target median < {APPTEST_TARGET_MS:.0f} ms: {verdict})")


if __name__ == "__main__":
    main()
