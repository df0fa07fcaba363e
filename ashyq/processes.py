"""Worker processes die with the build: a killed build leaves no orphan computing for nobody.

On Linux each worker asks the kernel (``prctl(PR_SET_PDEATHSIG, SIGKILL)``) to be killed when its
parent goes; elsewhere, and if the parent died before the request, the worker checks its parent's pid.
Pass ``init_worker`` as a pool's ``initializer`` with ``initargs=(os.getpid(),)``; ``mkdocs_preexec``
as a subprocess's ``preexec_fn``.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int | None = None) -> None:
    """Make this process end when its parent does (``parent_pid``: the parent expected)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if parent_pid is not None and os.getppid() != parent_pid:  # the parent is already gone
        os._exit(1)


def init_worker(parent_pid: int) -> None:
    """A pool worker: dies with its parent, and leaves Ctrl-C and SIGTERM to it (the parent stops the
    pool; a worker that raised on them itself would print a traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent_pid)


def mkdocs_preexec(parent_pid: int):
    """A ``preexec_fn`` for subprocess: the child dies with ``parent_pid``."""
    return lambda: die_with_parent(parent_pid)
