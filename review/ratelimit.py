"""Login rate limiting: after too many failures for one user name from one address, refuse for a while."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 5
WINDOW_SECONDS = 300.0


class LoginRateLimiter:
    """Counts failed logins per (user name, client address) in a sliding window.

    Kept in memory: the review app is one process; a restart forgets the counts, which only ever helps a
    person who mistyped, never an attacker with a botnet (that is what the argon2 cost is for).
    """

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_seconds: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(user: str, address: str) -> tuple[str, str]:
        return user.strip().casefold(), address

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        cutoff = self._clock() - self.window_seconds
        while failures and failures[0] <= cutoff:
            failures.popleft()
        return failures

    def is_blocked(self, user: str, address: str) -> bool:
        with self._lock:
            return len(self._recent(self._key(user, address))) >= self.max_failures

    def retry_after_seconds(self, user: str, address: str) -> int:
        with self._lock:
            failures = self._recent(self._key(user, address))
            if len(failures) < self.max_failures:
                return 0
            return max(1, int(failures[0] + self.window_seconds - self._clock()) + 1)

    def record_failure(self, user: str, address: str) -> None:
        with self._lock:
            self._recent(self._key(user, address)).append(self._clock())

    def reset(self, user: str, address: str) -> None:
        with self._lock:
            self._failures.pop(self._key(user, address), None)
