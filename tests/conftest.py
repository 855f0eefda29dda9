"""Shared fixtures: Pulumi's mock runtime with a recording monitor, set per test, never at import."""

from __future__ import annotations

from typing import Callable

import pulumi
import pytest

from mlinfra.mocks import RecordingMonitor, install_mocks


@pytest.fixture
def monitor() -> RecordingMonitor:
    """A fresh mock runtime for stack ``test`` of project ``mlinfra``; returns the recording monitor."""
    return install_mocks(project="mlinfra", stack="test")


@pytest.fixture
def run() -> Callable[[Callable[[], object]], None]:
    """Run a program under the mocks; returns after every registration has settled."""

    def _run(program: Callable[[], object]) -> None:
        pulumi.runtime.test(program)()

    return _run
