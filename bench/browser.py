"""Headless Debian Chromium for the benchmarks (its path and flags: :mod:`ui.local_app`): its launch and waiting
until it is idle. The app server they drive is
:func:`ui.local_app.local_app`.

Imported by the scripts of this folder (``python bench/<script>.py`` puts the folder on the import path).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, sync_playwright

from ui.local_app import CHROMIUM, CHROMIUM_ARGS


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Chromium through Playwright's synchronous API, closed on exit."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def descendants_cpu(skip: int = -1) -> float:
    """User + system CPU seconds of this process's living descendants (Playwright's driver, Chromium, the app
    server), except ``skip`` and its own: read from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    parent, cpu = {}, {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # gone meanwhile
            # utime, stime and the same of its children that have ended (Chromium's closed renderers)
            parent[int(name)], cpu[int(name)] = int(fields[1]), sum(int(v) for v in fields[11:15]) / tick
    children: dict[int, list[int]] = {}
    for pid, ppid in parent.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [p for p in children.get(os.getpid(), []) if p != skip]
    while todo:
        pid = todo.pop()
        total += cpu[pid]
        todo += [p for p in children.get(pid, []) if p != skip]
    return total


def wait_chromium_idle(server_pid: int, timeout_s: float = 10.0) -> None:
    """Wait until Chromium and Playwright's driver are idle (under 20 ms of CPU in 300 ms; the app server at
    ``server_pid`` aside). Headless Chromium spends about 1 s of CPU on its own interface in the first second of
    each new context, which a person's open browser has long done: a timing started before then counts it."""
    deadline = time.monotonic() + timeout_s
    last = descendants_cpu(server_pid)
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = descendants_cpu(server_pid)
        if now - last < 0.02:
            return
        last = now
