"""Run the app with ``streamlit run`` on a free loopback port, for browser tests and benchmarks only.

One place for starting the server, waiting for its health check and stopping it; it never binds
anything but 127.0.0.1. Also the one place for the browser those tests and benchmarks drive: Debian's Chromium
(``playwright install`` cannot download browsers here) and its flags.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium package
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync")


@dataclass(frozen=True)
class LocalApp:
    """A running app: its address and its server process (for RSS or CPU readings)."""

    url: str
    process: subprocess.Popen[bytes]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_healthy(app: LocalApp, timeout_s: float) -> None:
    """Poll Streamlit's health endpoint until it answers "ok" (or the server exits, or time runs out)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {app.process.returncode}")
        try:
            with urllib.request.urlopen(f"{app.url}/_stcore/health", timeout=2) as resp:
                if resp.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise TimeoutError(f"streamlit did not answer {app.url}/_stcore/health within {timeout_s:g} s")


@contextmanager
def local_app(script: Path, *, timeout_s: float = 90.0, extra_args: Sequence[str] = ()) -> Iterator[LocalApp]:
    """``streamlit run script`` headless on 127.0.0.1, healthy when entered, stopped on exit."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           *extra_args]
    process = subprocess.Popen(cmd, cwd=script.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = LocalApp(f"http://127.0.0.1:{port}", process)
    try:
        wait_healthy(app, timeout_s)
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
