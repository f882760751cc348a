"""Load benchmark: N concurrent real browser sessions through tick → submit → result, plus cold start.

Starts ``streamlit run streamlit_app.py`` on 127.0.0.1 (a free port, loopback only) and drives Debian
Chromium through Playwright:

1. cold start: the first visitor's time to the first visible text (the loading message) and to the
   Check page, with a screenshot at 1 s (``artifacts/cold-start-1s.png``);
2. ``--sessions`` concurrent sessions (one browser context each), each ticks a finding, presses
   "Show my matches" and waits for the result: errors, p50 and p95 of the session time;
3. ``--sequential`` sessions one after another, the server's RSS read after each: the growth per
   session (least-squares slope over the second half, after warm-up), and the server's CPU per full
   check session (load, tick, submit, result): its user + system CPU time over the sequential
   sessions divided by their number, so Chromium's share of the same cores is not counted.

Run: ``python bench/load.py [--sessions 20] [--sequential 50] [--static app|proxy] [--vary] [--app PATH]``.
Targets: 20 concurrent sessions with 0 errors; RSS not growing per session over 50 sequential sessions;
server CPU per check session at most 0.25 s with the static files served in front of the app
(``--static proxy``, docs/scaling.md).

- ``--static app`` (the default): every session is a first visit from a browser with an empty cache, and
  the app's own server sends it Streamlit's ~140 static files (4 MB of JavaScript, fonts, CSS).
- ``--static proxy``: the same first visits, but ``/static/`` is answered from Streamlit's static folder
  by the client, as a reverse proxy or CDN in front of the app does (or the browser's cache, for anyone
  who has opened the app before: the files are immutable); the app serves the page, its health check
  and the session's websocket.
- ``--vary``: each session ticks another finding of the skin group (another result), not always the same.
- ``--app``: another checkout's ``streamlit_app.py`` (to measure before and after a change).

A benchmark, never a test.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import mimetypes
import os
import statistics
import sys
import time
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Route, async_playwright

from engine import load_pack
from ui.local_app import CHROMIUM, CHROMIUM_ARGS, local_app

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
LOAD_CHROMIUM_ARGS = [*CHROMIUM_ARGS, "--disable-dev-shm-usage"]  # many pages at once: /dev/shm is small
TICK_LABEL = "Hard lumps under the skin"
STREAMLIT_STATIC = Path(importlib.util.find_spec("streamlit").origin or ".").parent / "static"  # not imported
START_TIMEOUT_S = 90
SESSION_TIMEOUT_MS = 120_000
MAX_SESSIONS = 200  # bounded loops: refuse absurd requests
CPU_TARGET_S = 0.25  # server CPU per full check session


def rss_mb(pid: int) -> float:
    """Resident set size of the server process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS line")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the server process has used, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def slope(ys: list[float]) -> float:
    """Least-squares slope of ``ys`` against 0, 1, 2, ..."""
    n = len(ys)
    if n < 2:
        return 0.0
    xm, ym = (n - 1) / 2, statistics.fmean(ys)
    return sum((x - xm) * (y - ym) for x, y in enumerate(ys)) / sum((x - xm) ** 2 for x in range(n))


async def cold_start(browser: Browser, url: str) -> tuple[float, float, float]:
    """Seconds from navigation to the app shell, to the first visible message, and to the Check page.

    Screenshots: at 1 s (``cold-start-1s.png``) and when the first message shows (``cold-start-first.png``).
    """
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        start = time.monotonic()
        await page.goto(url, wait_until="commit")
        shell = first = ready = None
        shot = False
        while time.monotonic() - start < START_TIMEOUT_S:
            elapsed = time.monotonic() - start
            state = await page.evaluate(
                "() => [!!document.querySelector('[data-testid=\"stApp\"]'),"
                " document.querySelector('[data-testid=\"stMain\"]')?.innerText || '']")
            if shell is None and state[0]:
                shell = elapsed
            if first is None and state[1].strip():
                first = elapsed
                await page.screenshot(path=str(ARTIFACTS / "cold-start-first.png"))
            if not shot and elapsed >= 1.0:
                await page.screenshot(path=str(ARTIFACTS / "cold-start-1s.png"))
                shot = True
            if "Check your findings" in state[1]:
                ready = elapsed
                if shot:
                    break
            await asyncio.sleep(0.05)
        if shell is None or first is None or ready is None:
            raise TimeoutError("the page never showed text")
        return shell, first, ready
    finally:
        await context.close()


async def _static_from_disk(route: Route) -> None:
    """Answer a request for ``/static/...`` from Streamlit's static folder, as a proxy in front of the app would."""
    relative = route.request.url.split("/static/", 1)[1].split("?", 1)[0]
    path = (STREAMLIT_STATIC / "static" / relative).resolve()
    if not path.is_file() or STREAMLIT_STATIC not in path.parents:
        await route.continue_()
        return
    await route.fulfill(status=200, body=path.read_bytes(),
                        content_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream")


async def new_context(browser: Browser, static: str, **options: object) -> BrowserContext:
    """A fresh browser context (an empty cache: a first visit); with ``static == "proxy"``, /static/ from disk."""
    context = await browser.new_context(**options)  # type: ignore[arg-type]
    if static == "proxy":
        await context.route("**/static/**", _static_from_disk)
    return context


def skin_labels() -> list[str]:
    """The plain labels of the skin group's core findings (shown when the Check page opens), pack order."""
    return [f.lay_label for f in load_pack().findings if f.group == "skin" and f.core]


async def one_session(browser: Browser, url: str, static: str = "app", label: str = TICK_LABEL) -> float:
    """Tick → submit → result in a fresh browser context; seconds taken. Raises on any failure."""
    context = await new_context(browser, static, viewport={"width": 1280, "height": 1400})
    page = await context.new_page()
    page.set_default_timeout(SESSION_TIMEOUT_MS)
    try:
        start = time.monotonic()
        await page.goto(url)
        await page.get_by_text("Check your findings").first.wait_for()
        await page.get_by_text(label, exact=True).click()
        await page.get_by_role("button", name="Show my matches").first.click()  # one above the list, one below
        await page.get_by_text("Your closest matches", exact=True).wait_for()
        await page.get_by_text("Please see a clinician").first.wait_for()
        elapsed = time.monotonic() - start
        if await page.locator("[data-testid='stException']").count():
            raise RuntimeError("the page shows an exception")
        return elapsed
    finally:
        await context.close()


async def concurrent(browser: Browser, url: str, n: int, static: str, labels: list[str]) -> tuple[list[float],
                                                                                                 list[str]]:
    results = await asyncio.gather(*(one_session(browser, url, static, labels[i % len(labels)]) for i in range(n)),
                                   return_exceptions=True)
    times = [r for r in results if isinstance(r, float)]
    errors = [f"{type(r).__name__}: {str(r).splitlines()[0] if str(r) else ''}" for r in results
              if isinstance(r, BaseException)]
    return times, errors


async def sequential(browser: Browser, url: str, n: int, pid: int, static: str,
                     labels: list[str]) -> tuple[list[float], list[str], list[float], float]:
    """Sessions one after another: their times, errors, the server's RSS after each, and its CPU seconds per
    session (the RSS readings and pauses between sessions cost the server nothing)."""
    times, errors, rss = [], [], []
    cpu_start = cpu_seconds(pid)
    for i in range(n):
        try:
            times.append(await one_session(browser, url, static, labels[i % len(labels)]))
        except Exception as exc:  # a benchmark counts failures rather than stopping at the first
            errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        await asyncio.sleep(0.2)
        rss.append(rss_mb(pid))
    return times, errors, rss, (cpu_seconds(pid) - cpu_start) / n


async def main_async(args: argparse.Namespace) -> int:
    # no file watcher: the server's own CPU and RSS are what is measured
    with local_app(Path(args.app).resolve(), timeout_s=START_TIMEOUT_S,
                   extra_args=("--server.fileWatcherType", "none")) as app:
        url, server = app.url, app.process
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=LOAD_CHROMIUM_ARGS)
            try:
                shell, first, ready = await cold_start(browser, url)
                print(f"cold start: app shell after {shell:.2f} s, first message after {first:.2f} s, Check page "
                      f"after {ready:.2f} s (screenshots artifacts/cold-start-1s.png, cold-start-first.png)")
                labels = skin_labels() if args.vary else [TICK_LABEL]
                print(f"static files served by {'a proxy in front of the app' if args.static == 'proxy' else 'the app'}"
                      f"; each session ticks {'one of ' + str(len(labels)) + ' findings' if args.vary else TICK_LABEL}")
                await one_session(browser, url, args.static, labels[0])  # warm: what the first visitor loads
                rss_start, cpu_start = rss_mb(server.pid), cpu_seconds(server.pid)
                wall_start = time.monotonic()
                times, errors = await concurrent(browser, url, args.sessions, args.static, labels)
                wall, cpu = time.monotonic() - wall_start, cpu_seconds(server.pid) - cpu_start
                ok = "OK" if not errors else "FAIL"
                print(f"{args.sessions} concurrent sessions: {len(errors)} error(s) [{ok}]; "
                      + (f"p50 {percentile(times, 50):.2f} s, p95 {percentile(times, 95):.2f} s, "
                         f"max {max(times):.2f} s" if times else "no session finished"))
                for e in errors[:5]:
                    print(f"  error: {e}")
                print(f"server CPU: {cpu:.1f} s over {wall:.1f} s wall ({cpu / args.sessions:.2f} s per session); "
                      f"the rest of the session time is Chromium on the same cores")
                rss_after = rss_mb(server.pid)
                print(f"server RSS: {rss_start:.0f} MB before, {rss_after:.0f} MB after the concurrent sessions")
                s_times, s_errors, rss, cpu_per_session = await sequential(browser, url, args.sequential, server.pid,
                                                                           args.static, labels)
                half = rss[len(rss) // 2:]
                growth = slope(half) * 1024
                verdict = "OK" if growth < args.max_growth_kb else "GROWING"
                print(f"{args.sequential} sequential sessions: {len(s_errors)} error(s); "
                      + (f"p50 {percentile(s_times, 50):.2f} s, p95 {percentile(s_times, 95):.2f} s; "
                         if s_times else "")
                      + f"RSS {rss[0]:.0f} → {rss[-1]:.0f} MB (min {min(rss):.0f}, max {max(rss):.0f}); "
                      f"slope over the last {len(half)}: {growth:+.0f} KB/session [{verdict}]")
                cpu_ok = cpu_per_session <= CPU_TARGET_S
                print(f"server CPU per check session (load, tick, submit, result), over the {args.sequential} "
                      f"sequential sessions: {cpu_per_session:.3f} s (target <= {CPU_TARGET_S} s: "
                      f"{'ok' if cpu_ok else 'OVER TARGET'})")
            finally:
                await browser.close()
    return 0 if not errors and not s_errors and growth < args.max_growth_kb and cpu_ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions (default 20)")
    parser.add_argument("--sequential", type=int, default=50, help="sequential sessions for RSS (default 50)")
    parser.add_argument("--max-growth-kb", type=float, default=200.0,
                        help="RSS slope per sequential session counted as growing (default 200 KB)")
    parser.add_argument("--static", choices=("app", "proxy"), default="app",
                        help="who serves Streamlit's static files: the app (default) or a proxy in front of it")
    parser.add_argument("--vary", action="store_true", help="tick another skin finding in each session")
    parser.add_argument("--app", default=str(ROOT / "streamlit_app.py"),
                        help="the app script to run (default: this checkout's streamlit_app.py)")
    args = parser.parse_args()
    if not (1 <= args.sessions <= MAX_SESSIONS and 2 <= args.sequential <= MAX_SESSIONS):
        parser.error(f"--sessions must be 1..{MAX_SESSIONS} and --sequential 2..{MAX_SESSIONS}")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
