"""The event loops a Pulumi program runs on, each closed when its work is done.

Pulumi's ``_sync_await`` (``pulumi/runtime/sync_await.py``, ``_ensure_event_loop``) gives every
thread that needs one an event loop of its own and never closes it: the main thread, and each
executor thread from which the runtime calls the (mock) monitor (``run_in_executor(None, ...)`` in
``pulumi/runtime/resource.py``; ``MockMonitor`` then serializes with ``_sync_await`` there). Left
open, they are reclaimed by the garbage collector at shutdown, sometimes after the wake-up socket
they own, which prints an asyncio traceback (``BaseEventLoop.__del__``: ``Invalid file descriptor:
-1``) after a run that had already reported its result.

``program_loops()`` runs a program with a default executor of our own whose initializer gives each
worker its loop and records it; afterwards the executor is shut down and every worker loop closed.

A program that fails leaves futures holding its error (a resource's URN, id and outputs, each
rejected), which no one awaits once the plan has raised the first error. When the collector frees
them, asyncio's default handler logs "Future exception was never retrieved" with a formatted
traceback, and formatting one parses source lines (CPython 3.11's traceback carets). From a
collection that runs inside another ``ast.parse``, that parse fails with "AST constructor recursion
depth mismatch" (seen in the test suite, in a test parsing our modules after a failed plan). The
main loop's exception handler therefore drops those reports, and hands every other to the default.
``close_main_loop()`` closes the main thread's loop; only the console entry point calls it (tests
run several plans in one process on the same main loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator


def _main_loop() -> asyncio.AbstractEventLoop:
    # The loop ``_sync_await`` will use in this thread (``_ensure_event_loop``).
    from pulumi.runtime.sync_await import _ensure_event_loop

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # get_event_loop() without a running loop
        return _ensure_event_loop()


@contextlib.contextmanager
def program_loops() -> Iterator[asyncio.AbstractEventLoop]:
    """Run a program inside: the main loop's executor threads get loops that are closed on the way out.

    Yields the main thread's loop. The loop's previous default executor is put back afterwards.
    """
    loop = _main_loop()
    if loop.get_exception_handler() is None:
        loop.set_exception_handler(_without_unretrieved_reports)
    worker_loops: list[asyncio.AbstractEventLoop] = []
    lock = threading.Lock()

    def give_worker_a_loop() -> None:
        worker_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(worker_loop)
        with lock:
            worker_loops.append(worker_loop)

    executor = ThreadPoolExecutor(thread_name_prefix="mlinfra-monitor", initializer=give_worker_a_loop)
    # No public getter: base_events keeps it in ``_default_executor`` (None until first used).
    previous = getattr(loop, "_default_executor", None)
    loop.set_default_executor(executor)
    try:
        yield loop
    except BaseException as exc:
        if not isinstance(exc, Exception):  # a stop signal or KeyboardInterrupt: never wait on workers,
            executor.shutdown(wait=False, cancel_futures=True)  # which may wait on what the signal broke
            loop._default_executor = previous  # type: ignore[attr-defined]
            raise
        _close(executor, loop, previous, worker_loops, lock)
        raise
    _close(executor, loop, previous, worker_loops, lock)


#: What asyncio says when it frees a future or task whose exception no one retrieved (``futures.py``, ``tasks.py``).
_UNRETRIEVED = ("Future exception was never retrieved", "Task exception was never retrieved")


def _without_unretrieved_reports(loop: asyncio.AbstractEventLoop, context: dict) -> None:
    """The main loop's handler: a failed program's leftover errors are dropped (the plan reported its first)."""
    if context.get("message") not in _UNRETRIEVED:
        loop.default_exception_handler(context)


def _close(executor: ThreadPoolExecutor, loop: asyncio.AbstractEventLoop, previous: object,
           worker_loops: list[asyncio.AbstractEventLoop], lock: threading.Lock) -> None:
    executor.shutdown(wait=True, cancel_futures=True)
    loop._default_executor = previous  # type: ignore[attr-defined]
    with lock:
        for worker_loop in worker_loops:
            if not worker_loop.is_closed():
                worker_loop.close()


def close_main_loop() -> None:
    """Close the main thread's event loop, if it has one (the console entry point, at exit)."""
    policy = asyncio.get_event_loop_policy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            loop = policy.get_event_loop()
        except RuntimeError:
            return
    if not loop.is_running() and not loop.is_closed():
        loop.close()
    asyncio.set_event_loop(None)
