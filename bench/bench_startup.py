"""Start-up benchmark: the CLI's whole process against bare imports, and the app's first page.

1. ``python -m engine score --present HP:0001482`` wall time (median of ``--runs`` fresh processes) against
   ``python -c "import numpy, scipy, pandas"``; target: at most 1.5 times.
2. The app: ``streamlit run streamlit_app.py`` on 127.0.0.1; once its health check answers, headless
   Chromium (/usr/bin/chromium, --no-sandbox) opens the page; the time until the Check page's first
   checkbox can be clicked (interactive), and until the first visible text. Target: interactive within 4 s.
   ``bench/bench_app.py`` measures the Check page as a person uses it (cold, warm, submit) in more detail.

Run: ``python bench/bench_startup.py [--runs 7] [--no-app]``. Imports the installed project
(``pip install -r requirements-dev.txt`` installs it editable). A benchmark, never a test.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ui.local_app import local_app

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "engine", "score", "--present", "HP:0001482"]
BARE = [sys.executable, "-c", "import numpy, scipy, pandas"]
FIRST_PAGE = "Check your findings"


def wall(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU (user + system) seconds of ``runs`` fresh processes of ``cmd``, after one warm-up.

    CPU time is the steadier figure on a shared machine: other processes stretch the wall time.
    """
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def first_page() -> tuple[float, float]:
    """Seconds from the server being up to the first visible text, and to a clickable first checkbox."""
    from browser import chromium  # Playwright: only for the app's figure
    from playwright.sync_api import expect

    with local_app(ROOT / "streamlit_app.py", timeout_s=120) as app, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)
        start = time.perf_counter()
        page.goto(app.url, wait_until="commit")
        page.locator("[data-testid='stMarkdownContainer']").first.wait_for()
        text = time.perf_counter() - start
        page.get_by_text(FIRST_PAGE).first.wait_for()
        box = page.get_by_role("checkbox").first
        expect(box).to_be_visible()
        expect(box).to_be_enabled()
        return text, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-app", action="store_true", help="only the CLI numbers")
    args = parser.parse_args()
    (cli, cli_cpu), (bare, bare_cpu) = wall(CLI, args.runs), wall(BARE, args.runs)
    print(f"CLI score:                 wall {cli:.2f} s, CPU {cli_cpu:.2f} s (medians of {args.runs})")
    print(f"import numpy/scipy/pandas: wall {bare:.2f} s, CPU {bare_cpu:.2f} s")
    print(f"ratio:                     wall {cli / bare:.2f}, CPU {cli_cpu / bare_cpu:.2f} (target <= 1.5)")
    if not args.no_app:
        text, ready = first_page()
        print(f"app first text:          {text:.2f} s after the server is up")
        print(f"app interactive:         {ready:.2f} s after the server is up (target <= 4)")


if __name__ == "__main__":
    main()
