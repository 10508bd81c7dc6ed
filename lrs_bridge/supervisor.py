"""The ``serve`` supervisor's process handling: children that die with it, and a clean stop.

``serve`` starts gunicorn and the scheduler in sessions of their own, so that Ctrl-C in a
terminal reaches only the supervisor, which then stops them gracefully. Own sessions also
mean that nothing else stops them when the supervisor itself dies (``kill -9``, the OOM
killer): they would run on as orphans, hold the port and keep writing, and a restarted
``serve`` could not bind. So each child asks the kernel (Linux ``PR_SET_PDEATHSIG``) for a
signal when its parent dies, and exits at once if the parent is already gone by then:

* gunicorn gets SIGQUIT, its quick shutdown: the master closes the listening socket and its
  workers exit at once, so the port is free within about a second. A request in flight is
  cut, and was never acknowledged: its batch commits whole or not at all.
* the scheduler gets SIGTERM: it stops after the job it is running, if any.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence

#: ``prctl`` option: the signal a process gets when its parent thread dies (linux/prctl.h).
PR_SET_PDEATHSIG = 1
#: How long children get to stop after SIGTERM before they are killed.
STOP_SECONDS = 25


def _die_with(parent_pid: int, death_signal: signal.Signals) -> Callable[[], None]:
    """A ``preexec_fn``: runs in the child between fork and exec; the setting survives exec."""

    def arm() -> None:
        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(death_signal), 0, 0, 0)
        # The parent may have died between fork and prctl: then nobody will signal us.
        if os.getppid() != parent_pid:
            os._exit(1)

    return arm


def spawn(
    argv: Sequence[str],
    env: Mapping[str, str],
    *,
    death_signal: signal.Signals = signal.SIGTERM,
) -> subprocess.Popen[bytes]:
    """Start a child in its own session that gets ``death_signal`` when this process dies."""
    return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        list(argv),
        env=dict(env),
        start_new_session=True,
        # preexec_fn is unsafe only with threads, and the supervisor runs none.
        preexec_fn=_die_with(os.getpid(), death_signal),
    )


def supervise(children: Sequence[subprocess.Popen[bytes]]) -> int:
    """Wait until a signal or a child exit, then stop every child gracefully.

    Returns the exit status for ``serve``: 0 after a signal, else the failed child's code.
    """
    stopping = {"signal": 0}

    def _on_signal(signum: int, _frame: object) -> None:
        stopping["signal"] = signum

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    exited = None
    while not stopping["signal"] and exited is None:
        exited = next((c for c in children if c.poll() is not None), None)
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    if exited is not None and not stopping["signal"]:
        return exited.returncode or 1
    return 0
