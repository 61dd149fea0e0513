"""Worker processes that die with their parent.

A batch's worker processes must not outlive it: after ``kill -9`` of ``foiltwin batch run`` nothing should keep
simulating. Two mechanisms, installed by :func:`guard_worker` as the pool's initializer:

1. On Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the worker when the thread that started it
   exits (the batch's main thread starts the workers).
2. Everywhere, a daemon thread that checks ``os.getppid()`` every :data:`POLL_S` seconds and ends the process when
   the parent is gone (re-parented to init or a subreaper) — the fallback where prctl is missing, and a guard
   against the parent dying before prctl took effect.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # linux/prctl.h
POLL_S = 0.5


def set_parent_death_signal(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies (Linux); False where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(1)
        time.sleep(POLL_S)


def guard_worker(parent_pid: int) -> None:
    """Pool initializer: die with ``parent_pid`` (prctl where possible, and a watchdog thread)."""
    set_parent_death_signal()
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="parent-watchdog", daemon=True).start()
