"""Shared fixtures: Pulumi's mock runtime with a recording monitor, set per test, never at import."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pulumi
import pytest

from mlinfra.mocks import RecordingMonitor, install_mocks

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _own_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Resolved framework images (``catalog.images.cache_file``) are kept in the session's temporary
    directory, for this process and the commands the tests start, never in the user's cache."""
    import os

    os.environ["MLINFRA_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


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


@pytest.fixture(scope="session")
def stack_deployments() -> dict[str, dict]:
    """``mlinfra plan`` of each environment (the stack export documents), planned once per session."""
    from mlinfra.plan import plan

    return {env: plan(ROOT, env) for env in ("dev", "staging", "prod")}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_server():
    """moto's server on 127.0.0.1 (real HTTP, real botocore) for the session; yields its endpoint URL.

    Each test that writes state should use its own names, or reset with ``moto_reset``.
    """
    import os

    from moto.server import ThreadedMotoServer

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        os.environ[key] = value
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def moto_reset(moto_server):
    """Reset moto's state before the test; yields the endpoint URL."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")).close()
    return moto_server
