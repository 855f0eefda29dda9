"""The stop signal's exception leaves the Pulumi runtime's event loop wherever it is raised."""

from __future__ import annotations

import asyncio
import signal

import pytest

from mlinfra.interrupts import Interrupted


def test_an_interruption_inside_a_fire_and_forget_task_stops_the_loop():
    # Pulumi's RPCManager starts each registration as a task nobody awaits; the program's own future
    # waits for the outputs that task would resolve. The interruption must end run_until_complete
    # instead of being stored on the task (the timer stands for outputs that never resolve).
    loop = asyncio.new_event_loop()
    started: list[asyncio.Task] = []
    try:
        async def rpc() -> None:
            raise Interrupted(signal.SIGTERM)

        async def program() -> str:
            outputs = loop.create_future()
            loop.call_later(1.0, outputs.set_result, "resolved without the interruption")
            started.append(asyncio.ensure_future(rpc()))
            return await outputs

        with pytest.raises(Interrupted) as raised:
            loop.run_until_complete(program())
        assert raised.value.exit_code == 128 + signal.SIGTERM
        assert isinstance(started[0].exception(), Interrupted)  # retrieved: no "never retrieved" noise
    finally:
        loop.close()
