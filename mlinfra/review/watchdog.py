"""A time limit for policies evaluated in-process, as the analyzer protocol's call deadlines give one to a
pack's own process (``mlinfra.review.protocol``: each ``Analyze`` call within the timeout,
``AnalyzeStack`` within the timeout plus ``STACK_SECONDS_PER_RESOURCE`` per resource).

A policy that never returns would otherwise hold the review, and the pull request gated on it, until
the CI job's own limit. The watchdog is one interval timer (``SIGALRM``) for a whole pack, not one per
call: the evaluation counts its calls (``start``), and an alarm that finds the same call running as the
alarm before raises ``Overtime`` in it, so a call is stopped after running between one and two periods.
Only in the main thread of a platform with ``setitimer`` (POSIX); elsewhere there is no limit.
"""

from __future__ import annotations

import signal
import threading
from typing import Any


class Overtime(BaseException):
    """Raised into the call that ran over its time. A ``BaseException``: a policy's ``except Exception`` does
    not swallow it."""


class Watchdog:
    """``with Watchdog(seconds) as watchdog:`` then ``watchdog.start(subject)`` before each call."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.subject = ""
        self._calls = 0
        self._seen = -1
        self._previous: Any = None
        self.active = (seconds > 0 and hasattr(signal, "setitimer")
                       and threading.current_thread() is threading.main_thread())

    def __enter__(self) -> "Watchdog":
        if self.active:
            self._previous = signal.signal(signal.SIGALRM, self._alarm)
            self.period(self.seconds)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)

    def period(self, seconds: float) -> None:
        """Let each call from now on run ``seconds`` (an ``AnalyzeStack`` gets more than an ``Analyze``)."""
        self.seconds = seconds
        self._seen = -1
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, seconds, seconds)

    def start(self, subject: str) -> None:
        """A new call begins; ``subject`` names it in the error (``Analyze for <urn>``)."""
        self._calls += 1
        self.subject = subject

    def _alarm(self, signum: int, frame: Any) -> None:
        if self._calls == self._seen:
            raise Overtime()
        self._seen = self._calls
