"""What a forward pass reports (per upstream and in all), and the backoff after a failure:
the figures the command prints, the scheduler logs and the tests read."""

from __future__ import annotations

import dataclasses

from lrs_bridge.config import Settings


@dataclasses.dataclass(kw_only=True)
class UpstreamForwardReport:
    """What a pass did for one upstream."""

    name: str
    delivered: int = 0
    dead: int = 0
    #: Rows whose last attempt failed, waiting for their backoff.
    retrying: int = 0
    #: Pending rows left when the pass ended.
    remaining: int = 0
    #: Another forwarder held the upstream's lease: nothing was sent from here.
    busy: bool = False
    #: The upstream is disabled or only pulls: nothing was sent.
    paused: bool = False
    #: Batches sent whose lease was lost before the settle (the holder re-sends them).
    lost: int = 0
    error: str = ""

    @property
    def failing(self) -> bool:
        """Something is left failing: a batch waits for a retry, or rows were dead-lettered."""
        return bool(self.retrying or self.dead)

    def summary(self) -> str:
        """One line for the command line."""
        if self.paused:
            state = "paused (disabled or pull only)"
        elif self.busy:
            state = "busy (another forwarder holds it)"
        else:
            state = "failing" if self.failing else "ok"
        line = (
            f"{self.name}: {state}, delivered {self.delivered}, dead {self.dead}, "
            f"retrying {self.retrying}, remaining {self.remaining}"
        )
        return f"{line}; last error: {self.error}" if self.error else line


@dataclasses.dataclass(kw_only=True)
class ForwardReport:
    """What a forward run did, per upstream."""

    upstreams: list[UpstreamForwardReport] = dataclasses.field(default_factory=list)

    @property
    def delivered(self) -> int:
        return sum(item.delivered for item in self.upstreams)

    @property
    def dead(self) -> int:
        return sum(item.dead for item in self.upstreams)

    @property
    def retrying(self) -> int:
        return sum(item.retrying for item in self.upstreams)

    @property
    def remaining(self) -> int:
        return sum(item.remaining for item in self.upstreams)

    @property
    def failing(self) -> bool:
        return any(item.failing for item in self.upstreams)

    def as_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "delivered": self.delivered,
            "dead": self.dead,
            "retrying": self.retrying,
            "remaining": self.remaining,
            "upstreams": [dataclasses.asdict(item) for item in self.upstreams],
        }


def backoff_us(attempts: int, settings: Settings, retry_after_s: float | None) -> int:
    """The wait after a failed attempt, ``attempts`` failures before it: the base doubling
    up to the maximum, and never less than the upstream's Retry-After."""
    base = settings.upstream_backoff_seconds
    delay = float(min(settings.upstream_max_backoff_seconds, base * 2 ** min(attempts, 32)))
    if retry_after_s is not None:
        delay = max(delay, retry_after_s)
    return int(delay * 1_000_000)
