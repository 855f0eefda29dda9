"""Policy packs as the engine runs them: one process per pack, spoken to over the analyzer gRPC protocol.

Each pack runs as its own process (``python __main__.py`` in the pack's folder, as the CLI starts a
Python pack) and is spoken to over ``pulumirpc.Analyzer``: ``GetAnalyzerInfo``, ``Configure`` with
the reconciled policy configuration, ``ConfigureStack``, ``Analyze`` once per resource with its
*inputs*, and ``AnalyzeStack`` once with every resource's *outputs*, parent, dependencies and
provider. A pack that fails to start or answer raises :class:`~mlinfra.errors.MlinfraError`.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import grpc
from google.protobuf import empty_pb2, struct_pb2
from google.protobuf.json_format import MessageToDict
from pulumi.runtime.proto import analyzer_pb2 as pb

from mlinfra import interrupts
from mlinfra.documents import parse_yaml, read_text
from mlinfra.errors import MlinfraError
from mlinfra.review.deployment import Resource
from mlinfra.review.result import PackInfo, PolicyInfo, Violation

START_TIMEOUT = 30.0
"""Seconds a pack gets to print its port, and to answer any one call."""

IN_FLIGHT = 64
"""Analyze calls kept in flight per pack: enough to keep the pack's 4 server threads busy."""

STACK_SECONDS_PER_RESOURCE = 0.01
"""AnalyzeStack's allowance on top of the timeout, per resource: stack rules look at every resource."""

_LEVEL_TO_PB = {"advisory": pb.ADVISORY, "mandatory": pb.MANDATORY, "remediate": pb.REMEDIATE,
                "disabled": pb.DISABLED}
_PB_TO_LEVEL = {v: k for k, v in _LEVEL_TO_PB.items()}
_SEVERITIES = {pb.POLICY_SEVERITY_UNSPECIFIED: "unspecified", pb.POLICY_SEVERITY_LOW: "low",
               pb.POLICY_SEVERITY_MEDIUM: "medium", pb.POLICY_SEVERITY_HIGH: "high",
               pb.POLICY_SEVERITY_CRITICAL: "critical"}
_POLICY_TYPES = {pb.POLICY_TYPE_UNKNOWN: "unknown", pb.POLICY_TYPE_RESOURCE: "resource",
                 pb.POLICY_TYPE_STACK: "stack"}
_CHANNEL_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024),
                    ("grpc.max_send_message_length", 400 * 1024 * 1024)]


def _integral(value: Any) -> Any:
    """A Struct's numbers are all floats; show a schema's ``1.0`` as ``1`` again."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def _policy_info(p: pb.PolicyInfo) -> PolicyInfo:
    return PolicyInfo(
        name=p.name,
        description=p.description,
        enforcement_level=_PB_TO_LEVEL.get(p.enforcementLevel, "advisory"),
        policy_type=_POLICY_TYPES.get(p.policy_type, "unknown"),
        severity=_SEVERITIES.get(p.severity, "unspecified"),
        config_schema={"properties": _integral(MessageToDict(p.configSchema.properties)),
                       "required": list(p.configSchema.required)},
        display_name=p.displayName,
        remediation_steps=p.remediation_steps,
        url=p.url,
        tags=tuple(p.tags),
        framework={k: v for k, v in (("name", p.framework.name), ("version", p.framework.version),
                                     ("reference", p.framework.reference),
                                     ("specification", p.framework.specification)) if v},
    )


def read_manifest(directory: Path) -> str:
    """Check a pack folder as the CLI would run it offline (a Python pack with a ``PulumiPolicy.yaml``
    and a ``__main__.py``); returns the manifest's version ("" when it has none)."""
    manifest = directory / "PulumiPolicy.yaml"
    if not directory.is_dir():
        raise MlinfraError(f"policy pack {directory}: no such directory")
    if not manifest.is_file():
        raise MlinfraError(f"policy pack {directory}: no PulumiPolicy.yaml")
    if not (directory / "__main__.py").is_file():
        raise MlinfraError(f"policy pack {directory}: no __main__.py (only Python packs run offline)")
    project = parse_yaml(read_text(manifest), str(manifest))
    if project is None:
        project = {}
    if not isinstance(project, dict):
        kind = "a list" if isinstance(project, list) else type(project).__name__
        raise MlinfraError(f"{manifest}: must be a mapping (runtime, version, ...), not {kind}")
    runtime = project.get("runtime")
    runtime = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime != "python":
        raise MlinfraError(f"{manifest}: runtime {runtime!r} is not supported offline (only python)")
    return str(project.get("version") or "")


def pack_info(info: pb.AnalyzerInfo, directory: Path,
              yaml_version: str) -> tuple[PackInfo, dict[str, tuple[str | None, dict[str, Any]]]]:
    """A pack's ``GetAnalyzerInfo`` answer as a ``PackInfo`` (PulumiPolicy.yaml's version wins, as in
    the CLI) and its initial configuration ``{policy: (level or None, properties)}``."""
    initial_config = {
        name: (_PB_TO_LEVEL.get(c.enforcementLevel), MessageToDict(c.properties))
        for name, c in info.initialConfig.items()
    }
    return PackInfo(
        name=info.name, version=yaml_version or info.version, directory=directory,
        description=info.description, policies=tuple(_policy_info(p) for p in info.policies),
    ), initial_config


# -------------------------------------------------------------------------------------------- packs

class PackProcess:
    """A policy pack running as its own process, with a gRPC channel to its analyzer server.

    ``start()`` launches ``python __main__.py`` in the pack folder (several packs can start at
    once); ``connect()`` waits for the port line and asks for the pack's info. ``stop()`` always
    ends the process; use the object as a context manager.
    """

    def __init__(self, directory: Path, *, timeout: float = START_TIMEOUT) -> None:
        self.directory = Path(directory)
        self.timeout = timeout
        self._proc: subprocess.Popen | None = None
        self._stderr = None
        self._channel: grpc.Channel | None = None
        self.info: PackInfo | None = None
        self.yaml_version = ""

    def __enter__(self) -> "PackProcess":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def label(self) -> str:
        return self.info.name if self.info else str(self.directory)

    def start(self) -> None:
        self.yaml_version = read_manifest(self.directory)
        self._stderr = tempfile.TemporaryFile()
        # Unlike the CLI, no PULUMI_PROJECT/PULUMI_STACK/PULUMI_DRY_RUN: with them the SDK rebuilds
        # the runtime settings on every call, which doubles a pack's cost per resource. The stack's
        # identity goes through ConfigureStack; rules take per-environment values from pack config.
        self._proc = subprocess.Popen(
            [sys.executable, "-u", "__main__.py"], cwd=self.directory, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=self._stderr, bufsize=0,
        )
        interrupts.register_child(self._proc)

    def _last_stderr_line(self) -> str:
        self._stderr.seek(0)
        lines = [line.strip() for line in self._stderr.read().decode(errors="replace").splitlines() if line.strip()]
        return lines[-1] if lines else "no output on stderr"

    def _read_port(self) -> int:
        assert self._proc is not None and self._proc.stdout is not None
        deadline = time.monotonic() + self.timeout
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self._proc.stdout, selectors.EVENT_READ)
            while b"\n" not in buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise MlinfraError(f"policy pack {self.directory} did not print its port within "
                                       f"{self.timeout:g} s")
                if not selector.select(remaining):
                    continue
                chunk = os.read(self._proc.stdout.fileno(), 4096)
                if not chunk:
                    self._proc.wait(timeout=5)
                    raise MlinfraError(f"policy pack {self.directory} failed to start (exit code "
                                       f"{self._proc.returncode}): {self._last_stderr_line()}")
                buffer += chunk
        line = buffer.split(b"\n", 1)[0].decode(errors="replace").strip()
        if not line.isdigit():
            raise MlinfraError(f"policy pack {self.directory} printed {line[:80]!r} instead of its port: "
                               f"{self._last_stderr_line()}")
        # Keep reading what rules print, or a full pipe would block the pack.
        threading.Thread(target=self._drain, args=(self._proc.stdout,), daemon=True).start()
        return int(line)

    @staticmethod
    def _drain(stream: Any) -> None:
        while stream.read(65536):
            pass

    def connect(self) -> PackInfo:
        """Wait for the pack's port, connect and fetch its info (name, version, policies)."""
        port = self._read_port()
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=_CHANNEL_OPTIONS)
        call = self._channel.unary_unary
        self._get_info = call("/pulumirpc.Analyzer/GetAnalyzerInfo",
                              request_serializer=empty_pb2.Empty.SerializeToString,
                              response_deserializer=pb.AnalyzerInfo.FromString)
        self._configure = call("/pulumirpc.Analyzer/Configure",
                               request_serializer=pb.ConfigureAnalyzerRequest.SerializeToString,
                               response_deserializer=empty_pb2.Empty.FromString)
        self._configure_stack = call("/pulumirpc.Analyzer/ConfigureStack",
                                     request_serializer=pb.AnalyzerStackConfigureRequest.SerializeToString,
                                     response_deserializer=pb.AnalyzerStackConfigureResponse.FromString)
        # Analyze takes requests already serialized, so one encoding serves every pack.
        self._analyze = call("/pulumirpc.Analyzer/Analyze", request_serializer=None,
                             response_deserializer=pb.AnalyzeResponse.FromString)
        self._analyze_stack = call("/pulumirpc.Analyzer/AnalyzeStack", request_serializer=None,
                                   response_deserializer=pb.AnalyzeResponse.FromString)
        info = self._call("GetAnalyzerInfo", self._get_info, empty_pb2.Empty())
        self.info, self.initial_config = pack_info(info, self.directory, self.yaml_version)
        return self.info

    def _call(self, method: str, stub: Any, request: Any, timeout: float | None = None) -> Any:
        try:
            return stub(request, timeout=timeout or self.timeout)
        except grpc.RpcError as exc:
            raise self.rpc_error(method, exc) from None

    def rpc_error(self, method: str, exc: grpc.RpcError, subject: str = "") -> MlinfraError:
        """The one-line error for a failed call: timed out, pack exited (with its last stderr line), or failed."""
        code = exc.code() if hasattr(exc, "code") else None
        about = f" for {subject}" if subject else ""
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            return MlinfraError(f"policy pack {self.label} did not answer {method}{about} within {self.timeout:g} s")
        if self._proc is not None and self._proc.poll() is not None:
            return MlinfraError(f"policy pack {self.label} exited during {method}{about}: {self._last_stderr_line()}")
        details = (exc.details() if hasattr(exc, "details") else str(exc)) or str(code)
        return MlinfraError(f"policy pack {self.label} failed {method}{about}: {details.strip().splitlines()[-1]}")

    def configure(self, config: Mapping[str, Mapping[str, Any]], *, stack: str, project: str) -> None:
        """Send the reconciled policy configuration and the stack's identity."""
        request = pb.ConfigureAnalyzerRequest()
        for name, entry in config.items():
            policy = request.policyConfig[name]
            policy.enforcementLevel = _LEVEL_TO_PB[entry["enforcementLevel"]]
            policy.properties.update(entry["properties"])
        self._call("Configure", self._configure, request)
        try:
            self._configure_stack(pb.AnalyzerStackConfigureRequest(stack=stack, project=project, dry_run=True),
                                  timeout=self.timeout)
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise self.rpc_error("ConfigureStack", exc) from None

    def analyze_all(self, requests: Sequence[bytes], urns: Sequence[str]) -> list[pb.AnalyzeResponse]:
        """Send every serialized AnalyzeRequest, ``IN_FLIGHT`` at a time; responses in request order."""
        responses: list[Any] = [None] * len(requests)
        slots = threading.BoundedSemaphore(IN_FLIGHT)
        failures: list[MlinfraError] = []
        pending = [len(requests)]
        lock = threading.Lock()
        finished = threading.Event()
        if not requests:
            return []

        def on_done(index: int, future: grpc.Future) -> None:
            try:
                responses[index] = future.result()
            except grpc.RpcError as exc:
                failures.append(self.rpc_error("Analyze", exc, urns[index]))
            except grpc.FutureCancelledError:
                pass
            slots.release()
            with lock:
                pending[0] -= 1
                if pending[0] == 0:
                    finished.set()

        submitted = 0
        for index, payload in enumerate(requests):
            slots.acquire()
            if failures:
                break
            self._analyze.future(payload, timeout=self.timeout).add_done_callback(
                lambda f, i=index: on_done(i, f))
            submitted += 1
        with lock:
            pending[0] -= len(requests) - submitted
            if pending[0] == 0:
                finished.set()
        finished.wait()
        if failures:
            raise failures[0]
        return responses

    def analyze_stack(self, request: bytes, resources: int) -> pb.AnalyzeResponse:
        """Send the serialized AnalyzeStackRequest; the timeout grows with the number of resources."""
        timeout = self.timeout + STACK_SECONDS_PER_RESOURCE * resources
        try:
            return self._analyze_stack(request, timeout=timeout)
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise MlinfraError(f"policy pack {self.label} did not answer AnalyzeStack for {resources} "
                                   f"resources within {timeout:g} s") from None
            raise self.rpc_error("AnalyzeStack", exc) from None

    def stop(self) -> None:
        """Close the channel and end the process (terminate, then kill after 5 s)."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.terminate()
                try:
                    self._proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
            if self._proc.stdout is not None:
                self._proc.stdout.close()
            interrupts.unregister_child(self._proc)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


def _options(r: Resource) -> pb.AnalyzerResourceOptions:
    options = pb.AnalyzerResourceOptions(
        protect=r.protect, ignoreChanges=r.ignore_changes, additionalSecretOutputs=r.additional_secret_outputs,
        aliases=r.aliases, parent=r.parent,
    )
    options.customTimeouts.create = r.custom_timeouts.get("create", 0.0)
    options.customTimeouts.update = r.custom_timeouts.get("update", 0.0)
    options.customTimeouts.delete = r.custom_timeouts.get("delete", 0.0)
    return options


def _provider_message(ref: str, providers: Mapping[str, Resource]) -> pb.AnalyzerProviderResource | None:
    provider = providers.get(ref.rsplit("::", 1)[0]) if ref else None
    if provider is None:
        return None
    message = pb.AnalyzerProviderResource(type=provider.type, urn=provider.urn, name=provider.name)
    message.properties.update(provider.inputs)
    return message


def _struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


def analyze_requests(resources: Sequence[Resource]) -> tuple[list[bytes], bytes]:
    """Serialized AnalyzeRequests (one per resource, its inputs) and the AnalyzeStackRequest (outputs).

    Every resource the engine registers is analyzed, components, providers and the root stack
    included (``generateSteps`` and ``AnalyzeSnapshot`` in the engine do the same); rules select
    the types they care about.
    """
    providers = {r.urn: r for r in resources if r.type.startswith("pulumi:providers:")}
    provider_messages: dict[str, pb.AnalyzerProviderResource | None] = {}
    singles, stack = [], pb.AnalyzeStackRequest()
    for r in resources:
        if r.provider not in provider_messages:
            provider_messages[r.provider] = _provider_message(r.provider, providers)
        provider, options = provider_messages[r.provider], _options(r)
        request = pb.AnalyzeRequest(type=r.type, urn=r.urn, name=r.name, properties=_struct(r.inputs),
                                    options=options, provider=provider)
        singles.append(request.SerializeToString())
        item = stack.resources.add(type=r.type, urn=r.urn, name=r.name, properties=_struct(r.outputs),
                                   options=options, provider=provider, parent=r.parent,
                                   dependencies=r.dependencies)
        for key, urns in r.property_dependencies.items():
            if urns:
                item.propertyDependencies[key].urns.extend(urns)
    return singles, stack.SerializeToString()


def _violations(pack: PackInfo, response: pb.AnalyzeResponse,
                urn_for: Callable[[str], str]) -> Iterable[Violation]:
    for d in response.diagnostics:
        level = _PB_TO_LEVEL.get(d.enforcementLevel, "advisory")
        yield Violation(
            pack=pack.name, policy=d.policyName,
            enforcement_level="mandatory" if level == "remediate" else level,
            severity=_SEVERITIES.get(d.severity, "unspecified"), urn=urn_for(d.urn),
            message=d.message, description=d.description,
        )
