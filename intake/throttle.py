"""Counts failed case look-ups per case number and blocks a number after too many in a time window.

Kept in memory: right for the reference deployment (one process). Several processes behind a load balancer
each count on their own, so the effective limit multiplies by their number; a shared store (the database or
Redis) would be needed there.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["FailureThrottle"]


class FailureThrottle:
    """Sliding-window failure counter per key.

    Args:
        max_failures: failures within ``window_seconds`` after which the key is blocked.
        window_seconds: how long a failure counts.
        clock: monotonic seconds (tests move it).
        max_tracked: memory bound; past it, keys whose failures have expired are dropped, then the oldest.
    """

    def __init__(
        self,
        max_failures: int,
        window_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = 100_000,
    ) -> None:
        if max_failures < 1 or window_seconds <= 0:
            raise ValueError("the throttle needs at least one failure and a positive window")
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._max_tracked = max_tracked
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float | None:
        """Seconds until ``key`` may try again, or None when it may try now."""
        with self._lock:
            now = self._clock()
            recent = self._recent(key, now)
            if recent is None or len(recent) < self.max_failures:
                return None
            return recent[-self.max_failures] + self.window_seconds - now

    def failed(self, key: str) -> None:
        with self._lock:
            now = self._clock()
            recent = self._recent(key, now)
            if recent is None:
                self._make_room(now)
                recent = self._failures[key] = deque(maxlen=self.max_failures)
            recent.append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float] | None:
        recent = self._failures.get(key)
        if recent is None:
            return None
        while recent and recent[0] <= now - self.window_seconds:
            recent.popleft()
        if not recent:
            del self._failures[key]
            return None
        return recent

    def _make_room(self, now: float) -> None:
        if len(self._failures) < self._max_tracked:
            return
        for key in [k for k, v in self._failures.items() if v[-1] <= now - self.window_seconds]:
            del self._failures[key]
        while len(self._failures) >= self._max_tracked:
            del self._failures[next(iter(self._failures))]
