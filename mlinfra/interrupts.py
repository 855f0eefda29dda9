"""SIGINT, SIGTERM and SIGHUP as one clean stop: cleanup runs, one line is printed, exit 128 + signal.

``install()`` (called by the console entry point only, never by ``main()``, which tests call in
process) makes the first of these signals raise :class:`Interrupted` in the main thread, wherever it
is: ``finally`` blocks and context managers then stop the pack processes and remove temporary files
on the way out. Later signals are only recorded, so a second Ctrl-C cannot interrupt the cleanup.

An interrupted library may still print on its way out (a half-imported module read by another
thread, an asyncio task destroyed while pending); that is noise about the stop itself, not a fault,
so ``install()`` also makes ``sys.stderr`` a sink from the first signal on (unless ``MLINFRA_DEBUG``
is set). The command line's one line goes to the real stderr.
"""

from __future__ import annotations

import io
import os
import signal
import sys
import threading
import time
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""The signals that stop a run: Ctrl-C, CI time-outs and service managers (SIGTERM), a closed terminal."""

_received: list[int] = []
_raising = [True]
_children: set = set()

CLEANUP_SECONDS = 10.0
"""How long the clean stop may take after the first signal. An exception raised at an arbitrary
point can leave a library's lock held and its cleanup waiting forever; past this deadline the
process ends anyway (after terminating the pack processes it started), with the same line and code."""


class Interrupted(KeyboardInterrupt):
    """A stop signal arrived. A ``KeyboardInterrupt``, so ``except Exception`` lets it through.

    It must be one: asyncio re-raises only ``KeyboardInterrupt`` and ``SystemExit`` out of a task or
    callback. Any other ``BaseException`` raised while the mock runtime's loop runs a Pulumi RPC task is
    stored on that task, which nobody awaits, and the plan then waits forever for the resource's
    outputs (measured: 3 of 34 plans signalled mid-program waited for the cleanup deadline; with this
    base class 1 of 33 did, through the Pulumi SDK's nested event-loop pump, which the deadline ends).
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as a shell reports a process the signal ended (130, 143, 129)."""
        return 128 + self.signum

    def __str__(self) -> str:
        return f"interrupted by {signal.Signals(self.signum).name}"


def received() -> int | None:
    """The first stop signal received since ``install()``, or None."""
    return _received[0] if _received else None


def _handler(signum: int, frame: FrameType | None) -> None:
    first = not _received
    _received.append(signum)
    if not first or not _raising[0]:
        return  # already stopping (let the cleanup finish), or the work is done
    if not os.environ.get("MLINFRA_DEBUG"):
        sys.stderr = io.StringIO()
    threading.Thread(target=_deadline, args=(signum,), name="mlinfra-stop-deadline", daemon=True).start()
    raise Interrupted(signum)


def register_child(process) -> None:
    """A process (``subprocess.Popen``) to terminate if the clean stop misses its deadline."""
    _children.add(process)


def unregister_child(process) -> None:
    _children.discard(process)


def _deadline(signum: int) -> None:
    time.sleep(CLEANUP_SECONDS)
    for process in list(_children):
        try:
            process.kill()
        except OSError:
            pass
    try:
        sys.__stderr__.write(f"mlinfra: {Interrupted(signum)}\n")
        sys.__stderr__.flush()
    finally:
        os._exit(128 + signum)


def install() -> None:
    """Handle the stop signals for the rest of the process (the console entry point calls this first)."""
    _received.clear()
    _raising[0] = True
    for signum in SIGNALS:
        signal.signal(signum, _handler)


def stop_raising() -> None:
    """From now on a stop signal is only recorded (the console entry point, once ``main()`` returned)."""
    _raising[0] = False


def as_interruption(exc: BaseException) -> Interrupted | None:
    """The interruption ``exc`` stands for, if a stop signal arrived: an exception raised while a run is
    being interrupted (``KeyboardInterrupt``, or an error of the half-stopped program) is the interruption."""
    if isinstance(exc, Interrupted):
        return exc
    signum = received()
    if signum is not None:
        return Interrupted(signum)
    if isinstance(exc, KeyboardInterrupt):
        return Interrupted(signal.SIGINT)
    return None
