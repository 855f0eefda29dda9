"""Pulumi Node.js programs (``runtime: nodejs``, JavaScript or TypeScript) under the offline plan.

The program runs in Node.js, with its own ``@pulumi/pulumi`` and provider SDKs from its ``node_modules``
(``npm install`` first), through ``mlinfra/node_runner.js``: the SDK's language-host ``run()`` loads it as
``pulumi up`` would, and every request that makes the plan (register, read, invoke, register outputs)
comes here as the protobuf the engine would receive, answered by the same ``RecordingMonitor`` and mocks
as a Python program's. So a TypeScript program's plan has the same shape, the same placeholders and the
same review as the Python program declaring the same resources.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from pulumi.runtime.proto import resource_pb2

from mlinfra.errors import MlinfraError
from mlinfra.mocks import DIY_ORGANIZATION, RecordingMonitor
from mlinfra.project import Project, StackConfig, missing_config_message, shown_path
from mlinfra.yaml_program import import_sdk_module

RUNNER = Path(__file__).with_name("node_runner.js")
_REQUESTS = {
    "RegisterResource": resource_pb2.RegisterResourceRequest,
    "ReadResource": resource_pb2.ReadResourceRequest,
    "Invoke": resource_pb2.ResourceInvokeRequest,
    "Call": resource_pb2.ResourceCallRequest,
    "RegisterResourceOutputs": resource_pb2.RegisterResourceOutputsRequest,
}


class NodeProgramError(MlinfraError):
    """The Node.js program could not run offline, or stopped (its message, in one line)."""


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise NodeProgramError("Pulumi.yaml: runtime 'nodejs': Node.js is not installed (no node on PATH): install "
                               "it (Node.js 18 or newer) to plan this program offline, or review its `pulumi preview "
                               "--json` output with --deployment FILE")
    return node


def _answer(monitor: RecordingMonitor, method: str, body: str) -> dict[str, Any]:
    request = _REQUESTS[method].FromString(base64.b64decode(body))
    # The mocks read a type's outputs (ARNs, names) from its Python SDK class, as for a Python program.
    token = request.tok if method == "Invoke" else getattr(request, "type", "")
    if token:
        import_sdk_module(token)
    try:
        response = getattr(monitor, method)(request)
    except MlinfraError as exc:  # a mocked function refusing its arguments: the program's bad input
        return {"error": str(exc)}
    return {"body": base64.b64encode(response.SerializeToString()).decode() if response is not None else ""}


def run_node_program(project: Project, config: StackConfig, stack: str, monitor: RecordingMonitor) -> None:
    """Run the program to completion against ``monitor`` (installed by the caller, as for a Python program)."""
    node = _node()
    environment = {**os.environ, **config.program_variables(monitor.mocks.region)}
    if project.typescript is False:
        environment["PULUMI_NODEJS_TYPESCRIPT"] = "false"
    # Two pipes are the protocol (node's requests, our answers); its stdout is the program's. Its stderr is
    # shown after a run that succeeds; after a failure the SDK's report there (several lines, a stack) is
    # replaced by the one line below.
    requests_read, requests_write = os.pipe()
    answers_read, answers_write = os.pipe()
    errors = tempfile.TemporaryFile()
    try:
        process = subprocess.Popen(
            [node, str(RUNNER), str(project.main), project.name, stack, DIY_ORGANIZATION, str(requests_write),
             str(answers_read)], cwd=project.main, env=environment, pass_fds=(requests_write, answers_read),
            stderr=errors)
    except OSError:
        os.close(requests_read)
        os.close(answers_write)
        errors.close()
        raise
    finally:
        os.close(requests_write)
        os.close(answers_read)
    outcome: dict[str, Any] = {}
    # Answers go out from a thread of their own, so its requests are always read: node writes them
    # synchronously, and a reader waiting on a full pipe of answers while node waits on a full pipe of requests
    # would hold both for ever.
    answers: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    writer = threading.Thread(target=_write_answers, args=(answers_write, answers), daemon=True)
    writer.start()
    try:
        with os.fdopen(requests_read, encoding="utf-8") as requests:
            for line in requests:
                message = json.loads(line)
                if "id" not in message:  # the last line: done, or why not
                    outcome = message
                    break
                answer = {"id": message["id"], **_answer(monitor, message["method"], message["body"])}
                answers.put(json.dumps(answer).encode() + b"\n")
    finally:
        # Stopped before its last line (interrupted, or an error here), node is stopped too, not left running.
        if not outcome:
            process.kill()
        process.wait()
        answers.put(None)  # node has gone: an answer still being written fails at once
        writer.join()
        os.close(answers_write)
    with errors:
        errors.seek(0)
        report = errors.read().decode("utf-8", "replace")
    if outcome.get("config"):
        raise NodeProgramError(missing_config_message(project, stack, config, outcome["config"]["key"],
                                                      outcome["config"]["secret"]))
    if not outcome.get("done"):
        raise NodeProgramError(_failure(project, outcome, process.returncode, report))
    sys.stderr.write(report)


def _write_answers(fd: int, answers: queue.SimpleQueue[bytes | None]) -> None:
    """Write each answer whole until ``None``. Node may end (its last line written, behind requests still
    unanswered) while an answer is on its way: the rest are dropped, and its lines are read all the same."""
    listening = True
    while (data := answers.get()) is not None:
        view = memoryview(data)
        try:
            while listening and view:
                view = view[os.write(fd, view):]
        except BrokenPipeError:
            listening = False


def _failure(project: Project, outcome: dict[str, Any], code: int, report: str) -> str:
    missing = outcome.get("missing")
    if missing and Path(missing).is_absolute():  # the entry point package.json names, or a file it requires
        return (f"{shown_path(project, project.main)}: the program's file {shown_path(project, Path(missing))} "
                "does not exist")
    if missing:
        return (f"{shown_path(project, project.main)}: the program needs {missing}, which is not installed for it: "
                "install the program's dependencies (npm install in its folder) and plan again")
    if "failed" not in outcome:  # the SDK gave up itself (no entry point, say), having said why on stderr
        said = [line.strip() for line in report.splitlines() if line.strip() and not line.startswith("warning:")]
        return (f"{shown_path(project, project.main)}: the Node.js program ended without a result (exit code {code})"
                + (f": {' '.join(said[:3])}" if said else ""))
    inside = next((line for line in outcome.get("where", []) if str(project.main) in line and "node_modules" not in line),
                  None)
    where = f" ({inside.removeprefix('at ')})" if inside else ""
    message = " ".join(str(outcome.get("failed", "")).split())
    return f"{shown_path(project, project.main)}: the program failed under the offline plan{where}: {message}"
