"""Keeping a lease while slow work goes on: the dispatcher's send, a forward batch, a pull.

One thread extends the lease every third of its length until the block ends; a renewal that
fails with an error is retried at the next tick, and one the store refuses (another holder
took the lease over) sets the ``lost`` event and stops renewing.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def renewing(
    extend: Callable[[], bool], *, lease_us: int, name: str, what: str
) -> Iterator[threading.Event]:
    """Call ``extend`` (True while the lease is still held) every third of ``lease_us``
    while the block runs; yields the event set when the lease was lost."""
    done, lost = threading.Event(), threading.Event()

    def renew() -> None:
        while not done.wait(lease_us / 3_000_000):
            try:
                held = extend()
            except Exception:  # noqa: BLE001 - a missed renewal is retried next tick
                logger.warning("cannot extend the lease of %s", what, exc_info=True)
                continue
            if not held:
                logger.warning("the lease of %s was lost while it was held", what)
                lost.set()
                return

    renewer = threading.Thread(target=renew, name=name, daemon=True)
    renewer.start()
    try:
        yield lost
    finally:
        done.set()
        renewer.join()
