"""Processes the tests start (served simulators, kill-trial children) end with the test run.

Fixtures stop what they start, but a run that is itself killed (the build's time limit, a
cancelled job) runs no fixture teardown: ``die_with_parent`` as ``preexec_fn`` makes the kernel
send the child SIGTERM when the test process dies, however it dies (Linux; elsewhere a no-op).
"""

from __future__ import annotations

import ctypes
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Runs in the child between fork and exec: SIGTERM it when its parent dies."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
