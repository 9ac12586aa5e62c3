"""Counts failed case look-ups per case number and blocks a number after too many in a time window.

The failures are kept in the database (:class:`~intake.storage.limits.LimitEvents`), so several service
processes on one database count together: the limit is the same with one process or ten. Each check is one
indexed read; each failure one small write.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["Events", "FailureThrottle"]


class Events(Protocol):
    """Where a limit keeps its events: :class:`intake.storage.Storage` in the service."""

    def recent_events(self, scope: str, key: str, since: int) -> list[int]: ...

    def record_event(self, scope: str, key: str, at: int, *, forget_before: int) -> None: ...

    def forget_events(self, scope: str, key: str) -> None: ...


class FailureThrottle:
    """Sliding-window failure counter per key.

    Args:
        events: where failures are kept (shared by every process on the database).
        max_failures: failures within ``window_seconds`` after which the key is blocked.
        window_seconds: how long a failure counts.
        clock: wall-clock seconds, the same in every process (tests move it).
    """

    SCOPE = "case-lookup"

    def __init__(
        self,
        events: Events,
        max_failures: int,
        window_seconds: float,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_failures < 1 or window_seconds <= 0:
            raise ValueError("the throttle needs at least one failure and a positive window")
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._events = events
        self._clock = clock

    def retry_after(self, key: str) -> float | None:
        """Seconds until ``key`` may try again, or None when it may try now."""
        now = self._clock()
        recent = self._events.recent_events(self.SCOPE, key, self._oldest_counted(now))
        if len(recent) < self.max_failures:
            return None
        return recent[-self.max_failures] + self.window_seconds - now

    def failed(self, key: str) -> None:
        now = self._clock()
        self._events.record_event(self.SCOPE, key, math.floor(now), forget_before=self._oldest_counted(now))

    def succeeded(self, key: str) -> None:
        self._events.forget_events(self.SCOPE, key)

    def _oldest_counted(self, now: float) -> int:
        # Events are kept in whole seconds; one at exactly ``now - window`` no longer counts.
        return math.floor(now - self.window_seconds) + 1
