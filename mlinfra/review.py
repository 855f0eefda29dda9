"""Offline policy review: run the policy packs over a deployment, exactly as the Pulumi engine does.

Each pack runs as its own process (``python __main__.py`` in the pack's folder, as the CLI starts a
Python pack) and is spoken to over the analyzer gRPC protocol (``pulumirpc.Analyzer``):
``GetAnalyzerInfo``, ``Configure`` with the reconciled policy configuration, ``ConfigureStack``,
``Analyze`` once per resource with its *inputs*, and ``AnalyzeStack`` once with every resource's
*outputs*, parent, dependencies and provider. The input is a ``pulumi stack export`` (version 3,
which ``mlinfra plan`` also writes) or ``pulumi preview --json`` output.

Bad input (a missing or malformed file, an unknown environment, a pack that fails to start or
answer, a broken pack configuration) raises :class:`~mlinfra.errors.MlinfraError`.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import grpc
import jsonschema
import yaml
from google.protobuf import empty_pb2, struct_pb2
from google.protobuf.json_format import MessageToDict
from pulumi.runtime.proto import analyzer_pb2 as pb

from mlinfra.errors import MlinfraError

DEFAULT_PACKS = ("security", "privacy", "compliance")
"""Pack folders under ``policies/`` reviewed when no ``--policy-pack`` is given."""

START_TIMEOUT = 30.0
"""Seconds a pack gets to print its port, and to answer any one call."""

IN_FLIGHT = 64
"""Analyze calls kept in flight per pack: enough to keep the pack's 4 server threads busy."""

STACK_SECONDS_PER_RESOURCE = 0.01
"""AnalyzeStack's allowance on top of the timeout, per resource: stack rules look at every resource."""

# Pulumi's property-value signatures (sdk/go/common/resource/properties.go).
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's marshalled unknown value; the policy SDK raises UnknownValueError when a rule reads it."""

ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")
_LEVEL_TO_PB = {"advisory": pb.ADVISORY, "mandatory": pb.MANDATORY, "remediate": pb.REMEDIATE,
                "disabled": pb.DISABLED}
_PB_TO_LEVEL = {v: k for k, v in _LEVEL_TO_PB.items()}
_SEVERITIES = {pb.POLICY_SEVERITY_UNSPECIFIED: "unspecified", pb.POLICY_SEVERITY_LOW: "low",
               pb.POLICY_SEVERITY_MEDIUM: "medium", pb.POLICY_SEVERITY_HIGH: "high",
               pb.POLICY_SEVERITY_CRITICAL: "critical"}
_POLICY_TYPES = {pb.POLICY_TYPE_UNKNOWN: "unknown", pb.POLICY_TYPE_RESOURCE: "resource",
                 pb.POLICY_TYPE_STACK: "stack"}
# Preview steps whose newState is not part of the stack after the update.
_GONE_OPS = {"delete", "delete-replaced", "discard", "discard-replaced", "read-discard",
             "remove-pending-replace"}
_CHANNEL_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024),
                    ("grpc.max_send_message_length", 400 * 1024 * 1024)]


# --------------------------------------------------------------------------------------------- input

@dataclass(frozen=True)
class Resource:
    """One resource of the deployment, its properties already in the engine's wire form."""

    urn: str
    type: str
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    parent: str = ""
    provider: str = ""
    """Provider reference, ``<provider urn>::<provider id>``; empty for components and providers."""
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    protect: bool = False
    ignore_changes: tuple[str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    custom_timeouts: Mapping[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return urn_name(self.urn)


def urn_name(urn: str) -> str:
    """The resource name of a URN (``urn:pulumi:stack::project::type::name``; names may hold ``::``)."""
    parts = urn.split("::", 3)
    return parts[3] if len(parts) == 4 else urn


def urn_type(urn: str) -> str:
    """The resource type of a URN, without its parents' types."""
    parts = urn.split("::", 3)
    return parts[2].rsplit("$", 1)[-1] if len(parts) == 4 else ""


def urn_stack(urn: str) -> str:
    return urn.split("::", 1)[0].rsplit(":", 1)[-1] if urn.startswith("urn:pulumi:") else ""


def urn_project(urn: str) -> str:
    parts = urn.split("::", 3)
    return parts[1] if len(parts) == 4 else ""


def wire_value(value: Any) -> Any:
    """A stored property value as the engine marshals it for an analyzer.

    Secrets keep their secret wrapper with the plaintext decoded (ciphertext that cannot be
    decrypted offline becomes an unknown value), resource references become the referenced id (or
    URN for components) and output values their value, as ``MarshalProperties`` does with
    ``KeepSecrets`` and ``KeepUnknowns``.
    """
    if isinstance(value, dict):
        sig = value.get(SIG_KEY)
        if sig == SECRET_SIG:
            if "value" in value:
                inner = wire_value(value["value"])
            elif "plaintext" in value:
                inner = wire_value(json.loads(value["plaintext"]))
            else:
                inner = UNKNOWN
            return {SIG_KEY: SECRET_SIG, "value": inner}
        if sig == RESOURCE_REF_SIG:
            return value.get("id") or value.get("urn", UNKNOWN)
        if sig == OUTPUT_VALUE_SIG:
            if "value" not in value:
                return UNKNOWN
            inner = wire_value(value["value"])
            return {SIG_KEY: SECRET_SIG, "value": inner} if value.get("secret") else inner
        return {k: wire_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [wire_value(v) for v in value]
    return value


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a list of strings")
    return tuple(value)


def _optional_string(state: Mapping[str, Any], key: str) -> str:
    value = state.get(key) or ""
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string")
    return value


def _resource(state: Mapping[str, Any]) -> Resource:
    urn, type_ = state.get("urn"), state.get("type")
    if not isinstance(urn, str) or not urn:
        raise ValueError("has no urn" if urn is None else "urn must be a non-empty string")
    if not isinstance(type_, str) or not type_:
        raise ValueError("has no type" if type_ is None else "type must be a non-empty string")
    inputs, outputs = state.get("inputs") or {}, state.get("outputs") or {}
    if not isinstance(inputs, dict) or not isinstance(outputs, dict):
        raise ValueError("inputs and outputs must be objects")
    prop_deps = state.get("propertyDependencies") or {}
    if not isinstance(prop_deps, dict):
        raise ValueError("propertyDependencies must be an object")
    timeouts = state.get("customTimeouts") or {}
    if not isinstance(timeouts, dict):
        raise ValueError("customTimeouts must be an object")
    return Resource(
        urn=urn,
        type=type_,
        custom=bool(state.get("custom", False)),
        inputs=wire_value(inputs),
        outputs=wire_value(outputs),
        parent=_optional_string(state, "parent"),
        provider=_optional_string(state, "provider"),
        dependencies=_strings(state.get("dependencies"), "dependencies"),
        property_dependencies={k: _strings(v, f"propertyDependencies.{k}") for k, v in prop_deps.items()},
        protect=bool(state.get("protect", False)),
        ignore_changes=_strings(state.get("ignoreChanges"), "ignoreChanges"),
        additional_secret_outputs=_strings(state.get("additionalSecretOutputs"), "additionalSecretOutputs"),
        aliases=_strings(state.get("aliases"), "aliases"),
        custom_timeouts={k: float(v) for k, v in timeouts.items() if k in ("create", "update", "delete")},
    )


def resources_from_document(doc: Any, source: str) -> list[Resource]:
    """The resources of a stack export (v3) or ``pulumi preview --json`` document; ``source`` names it in errors.

    Resources pending deletion (``delete: true``) and preview steps that remove a resource are
    left out, as the engine analyzes only what the stack will hold.
    """
    if isinstance(doc, dict) and isinstance(doc.get("deployment"), dict):
        if doc.get("version") != 3:
            raise MlinfraError(f"{source}: stack export version {doc.get('version')!r} is not supported (expected 3)")
        states = doc["deployment"].get("resources") or []
        if not isinstance(states, list):
            raise MlinfraError(f"{source}: deployment.resources must be a list")
        where = "deployment.resources"
    elif isinstance(doc, dict) and isinstance(doc.get("steps"), list):
        by_urn: dict[str, Any] = {}
        for index, step in enumerate(doc["steps"]):
            if not isinstance(step, dict):
                raise MlinfraError(f"{source}: steps[{index}] is not an object")
            op, new_state = step.get("op"), step.get("newState")
            if not isinstance(op, str):
                raise MlinfraError(f"{source}: steps[{index}].op must be a string")
            if op in _GONE_OPS or new_state is None:
                continue
            if not isinstance(new_state, dict):
                raise MlinfraError(f"{source}: steps[{index}].newState must be an object")
            urn = new_state.get("urn") or step.get("urn")
            if not isinstance(urn, str):
                raise MlinfraError(f"{source}: steps[{index}] has no urn")
            by_urn[urn] = {**new_state, "urn": urn}
        states, where = list(by_urn.values()), "steps[].newState"
    else:
        raise MlinfraError(f"{source}: not a deployment: expected a `pulumi stack export` (version 3) "
                           "or `pulumi preview --json` document")
    resources = []
    for index, state in enumerate(states):
        if not isinstance(state, dict):
            raise MlinfraError(f"{source}: {where}[{index}] is not an object")
        if state.get("delete"):
            continue
        try:
            resources.append(_resource(state))
        except (ValueError, TypeError) as exc:
            raise MlinfraError(f"{source}: {where}[{index}] ({state.get('urn', 'no urn')}) {exc}") from None
    return resources


def load_resources(path: Path) -> list[Resource]:
    """Read a ``pulumi stack export`` (v3) or ``pulumi preview --json`` file; the format is detected."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MlinfraError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MlinfraError(f"{path}: cannot read: {exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MlinfraError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    return resources_from_document(doc, str(path))


def stack_of(resources: Sequence[Resource]) -> str | None:
    """The stack name in the resources' URNs, or None when there are none; mixed stacks are bad input."""
    stacks = {urn_stack(r.urn) for r in resources} - {""}
    if len(stacks) > 1:
        raise MlinfraError(f"the deployment mixes stacks {sorted(stacks)}; choose the configuration with --env")
    return next(iter(stacks), None)


# ------------------------------------------------------------------------------------ configuration

@dataclass(frozen=True)
class PolicyInfo:
    """What a pack says about one policy in ``GetAnalyzerInfo``."""

    name: str
    description: str
    enforcement_level: str
    policy_type: str
    severity: str
    config_schema: Mapping[str, Any]
    """``{"properties": {...}, "required": [...]}`` as the pack declares it (JSON schema per property)."""
    display_name: str = ""
    remediation_steps: str = ""
    url: str = ""
    tags: tuple[str, ...] = ()
    framework: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PackInfo:
    """A started pack: its name, its version (PulumiPolicy.yaml's wins, as in the CLI) and policies."""

    name: str
    version: str
    directory: Path
    description: str = ""
    policies: tuple[PolicyInfo, ...] = ()


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


def _parse_level(value: Any, where: str) -> str:
    if value not in ENFORCEMENT_LEVELS:
        raise MlinfraError(f"{where}: enforcementLevel {value!r} is not one of {', '.join(ENFORCEMENT_LEVELS)}")
    return value


def _normalize_user_config(config: Any, source: str) -> dict[str, tuple[str | None, dict[str, Any]]]:
    """The CLI's ``--policy-pack-config`` format: per key a level string or ``{enforcementLevel?, ...properties}``."""
    if not isinstance(config, dict):
        raise MlinfraError(f"{source}: must be a JSON object mapping policy names (or \"all\") to settings")
    result = {}
    for key, value in config.items():
        where = f"{source}: policy {key!r}"
        if isinstance(value, str):
            result[key] = (_parse_level(value, where), {})
        elif isinstance(value, dict):
            props = dict(value)
            level = _parse_level(props.pop("enforcementLevel"), where) if "enforcementLevel" in props else None
            result[key] = (level, props)
        else:
            raise MlinfraError(f"{where}: {json.dumps(value)} is not valid; give an enforcement level or an object")
    return result


def effective_config(policies_info: Sequence[PolicyInfo], user_config: Mapping[str, Any] | None, *,
                     initial_config: Mapping[str, tuple[str | None, dict[str, Any]]] | None = None,
                     source: str = "policy pack config") -> dict[str, dict[str, Any]]:
    """Reconcile a pack's configuration the way the CLI does before ``Configure``.

    Start from each policy's own enforcement level and its config-schema ``default`` values, apply
    the pack's initial config, then ``user_config`` (an ``"all"`` level first, then per-policy
    levels and properties), and validate each policy's properties against its schema. Returns
    ``{policy: {"enforcementLevel": level, "properties": {...}}}``.

    Stricter than the CLI, because a typo here silently weakens enforcement: a policy name the pack
    does not have, or a property its schema does not declare, is bad input too.
    """
    result: dict[str, dict[str, Any]] = {
        p.name: {"enforcementLevel": p.enforcement_level,
                 "properties": {k: s["default"] for k, s in p.config_schema.get("properties", {}).items()
                                if isinstance(s, dict) and "default" in s}}
        for p in policies_info
    }
    layers = [initial_config or {}, _normalize_user_config(user_config or {}, source)]
    for index, layer in enumerate(layers):
        all_level = layer.get("all", (None, {}))[0]
        if all_level:
            for entry in result.values():
                entry["enforcementLevel"] = all_level
        for name, (level, props) in layer.items():
            if name == "all":
                continue
            if name not in result:
                if index == 0:
                    continue
                known = ", ".join(sorted(result)) or "none"
                raise MlinfraError(f"{source}: policy {name!r} is not in this pack (its policies: {known})")
            if level:
                result[name]["enforcementLevel"] = level
            result[name]["properties"].update(props)
    for policy in policies_info:
        _validate_properties(policy, result[policy.name]["properties"], source)
    return result


def _validate_properties(policy: PolicyInfo, props: Mapping[str, Any], source: str) -> None:
    schema = {"type": "object", "properties": policy.config_schema.get("properties", {}),
              "additionalProperties": False}
    if policy.config_schema.get("required"):
        schema["required"] = list(policy.config_schema["required"])
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(dict(props)), key=lambda e: list(e.path))
    if not errors:
        return
    error = errors[0]
    if error.validator == "additionalProperties":
        extra = sorted(set(props) - set(schema["properties"]))
        allowed = ", ".join(sorted(schema["properties"])) or "none"
        raise MlinfraError(f"{source}: policy {policy.name!r} has no property {extra[0]!r} (allowed: {allowed})")
    prop = ".".join(str(p) for p in error.path) or "(properties)"
    raise MlinfraError(f"{source}: policy {policy.name!r} property {prop!r}: {error.message}")


def config_dir(project_dir: Path, env: str | None, *, required: bool) -> Path | None:
    """``policies/config/<env>/`` when it exists; an unknown env is bad input when ``required``."""
    if env is None:
        return None
    directory = Path(project_dir) / "policies" / "config" / env
    if directory.is_dir():
        return directory
    if required:
        root = directory.parent
        known = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
        raise MlinfraError(f"unknown environment {env!r}: no {directory} (known: {', '.join(known) or 'none'})")
    return None


def read_pack_config(directory: Path | None, pack_dir: Path) -> tuple[dict[str, Any], str]:
    """The JSON pack configuration ``<config dir>/<pack folder>.json`` and its path; a missing file is no overrides."""
    if directory is None:
        return {}, "no pack configuration"
    path = directory / f"{Path(pack_dir).resolve().name}.json"
    if not path.is_file():
        return {}, str(path)
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        return {}, str(path)
    try:
        return json.loads(text), str(path)
    except json.JSONDecodeError as exc:
        raise MlinfraError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


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
        manifest = self.directory / "PulumiPolicy.yaml"
        if not self.directory.is_dir():
            raise MlinfraError(f"policy pack {self.directory}: no such directory")
        if not manifest.is_file():
            raise MlinfraError(f"policy pack {self.directory}: no PulumiPolicy.yaml")
        if not (self.directory / "__main__.py").is_file():
            raise MlinfraError(f"policy pack {self.directory}: no __main__.py (only Python packs run offline)")
        try:
            project = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise MlinfraError(f"{manifest}: not valid YAML: {exc}") from None
        runtime = project.get("runtime")
        runtime = runtime.get("name") if isinstance(runtime, dict) else runtime
        if runtime != "python":
            raise MlinfraError(f"{manifest}: runtime {runtime!r} is not supported offline (only python)")
        self.yaml_version = str(project.get("version") or "")
        self._stderr = tempfile.TemporaryFile()
        # Unlike the CLI, no PULUMI_PROJECT/PULUMI_STACK/PULUMI_DRY_RUN: with them the SDK rebuilds
        # the runtime settings on every call, which doubles a pack's cost per resource. The stack's
        # identity goes through ConfigureStack; rules take per-environment values from pack config.
        self._proc = subprocess.Popen(
            [sys.executable, "-u", "__main__.py"], cwd=self.directory, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=self._stderr, bufsize=0,
        )

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
        self.initial_config = {
            name: (_PB_TO_LEVEL.get(c.enforcementLevel), MessageToDict(c.properties))
            for name, c in info.initialConfig.items()
        }
        self.info = PackInfo(
            name=info.name, version=self.yaml_version or info.version, directory=self.directory,
            description=info.description, policies=tuple(_policy_info(p) for p in info.policies),
        )
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
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


# ------------------------------------------------------------------------------------------- review

@dataclass(frozen=True)
class Violation:
    """One diagnostic from a pack.

    ``message`` is the engine's text: the policy's description, then the rule's own detail.
    """

    pack: str
    policy: str
    enforcement_level: str
    severity: str
    urn: str
    message: str
    description: str = ""

    @property
    def resource_type(self) -> str:
        return urn_type(self.urn)

    @property
    def resource_name(self) -> str:
        return urn_name(self.urn)

    @property
    def mandatory(self) -> bool:
        return self.enforcement_level == "mandatory"


@dataclass
class ReviewResult:
    """What a review found: the packs that ran, their violations (mandatory first) and how many resources."""

    packs: list[PackInfo]
    violations: list[Violation]
    resources: int
    env: str | None = None
    enforcement: dict[str, dict[str, str]] = field(default_factory=dict)
    """The enforcement level each policy ran with, per pack name, after configuration."""
    source: str | None = None
    """What was reviewed, as a path relative to the project when it lies inside (for SARIF locations)."""
    waived: list[tuple[Violation, Any]] = field(default_factory=list)
    """``(violation, waiver)`` for each violation a waiver of ``policies/config/<env>/waivers.yaml``
    accepts: reported, not counted in ``violations``, ``mandatory`` or ``advisory``."""
    unused_waivers: list[Any] = field(default_factory=list)
    """Waivers that matched no violation (to be deleted)."""
    coverage: Any = None
    """``mlinfra.coverage.Coverage``: the resource types no rule examined (None when not computed)."""

    @property
    def mandatory(self) -> int:
        return sum(v.mandatory for v in self.violations)

    @property
    def advisory(self) -> int:
        return len(self.violations) - self.mandatory


def exit_code(result: ReviewResult) -> int:
    """0 when no mandatory violation, 1 otherwise (bad input, 2, is raised as MlinfraError before)."""
    return 1 if result.mandatory else 0


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


def default_pack_dirs(project_dir: Path) -> list[Path]:
    return [Path(project_dir) / "policies" / name for name in DEFAULT_PACKS]


def _sort_key(v: Violation) -> tuple:
    return (not v.mandatory, v.pack, v.policy, v.urn, v.message)


def review(resources: Sequence[Resource], packs: Sequence[Path] | None, env: str | None, project_dir: Path, *,
           timeout: float = START_TIMEOUT) -> ReviewResult:
    """Run every pack over ``resources`` and collect the violations.

    ``packs`` None means the default packs, whose environment must have a ``policies/config/<env>/``
    directory; explicit packs without one run on their defaults. ``env`` None means the stack
    named in the URNs. All packs start, are configured and analyze in parallel.
    """
    env = env or stack_of(resources)
    configs = config_dir(project_dir, env, required=packs is None)
    pack_dirs = [Path(p) for p in (packs if packs is not None else default_pack_dirs(project_dir))]
    project = next((urn_project(r.urn) for r in resources if urn_project(r.urn)), "")
    user_configs = [read_pack_config(configs, d) for d in pack_dirs]
    from mlinfra.waivers import load_waivers

    waivers = load_waivers(project_dir, env)  # a malformed file is bad input before any pack starts
    requests, stack_request = analyze_requests(resources)
    urns = [r.urn for r in resources]
    known_urns = set(urns)
    root = next((r.urn for r in resources if r.type == "pulumi:pulumi:Stack"),
                f"urn:pulumi:{env}::{project}::pulumi:pulumi:Stack::{project}-{env}")

    # Leaving the ExitStack stops the packs first, which ends any call still in flight; then the pool joins.
    with ThreadPoolExecutor(max_workers=max(1, len(pack_dirs))) as pool, ExitStack() as stack:
        processes = []
        for directory in pack_dirs:
            process = PackProcess(directory, timeout=timeout)
            stack.callback(process.stop)
            process.start()
            processes.append(process)
        infos = [p.connect() for p in processes]
        enforcement = {}
        for process, info, (user_config, source) in zip(processes, infos, user_configs):
            config = effective_config(info.policies, user_config, initial_config=process.initial_config,
                                      source=source)
            process.configure(config, stack=env or "", project=project)
            enforcement[info.name] = {name: entry["enforcementLevel"] for name, entry in config.items()}

        def run_pack(process: PackProcess) -> list[Violation]:
            found: list[Violation] = []
            for urn, response in zip(urns, process.analyze_all(requests, urns)):
                # The engine files every Analyze diagnostic under the analyzed resource.
                found.extend(_violations(process.info, response, lambda _, u=urn: u))
            stack_response = process.analyze_stack(stack_request, len(urns))
            found.extend(_violations(process.info, stack_response,
                                     lambda u: u if u in known_urns else root))
            return found

        per_pack = list(pool.map(run_pack, processes))
    violations, waived, unused = _apply_waivers([v for found in per_pack for v in found], waivers, root)
    from mlinfra.coverage import coverage

    return ReviewResult(packs=infos, violations=sorted(violations, key=_sort_key), resources=len(resources),
                        env=env, enforcement=enforcement, waived=waived, unused_waivers=unused,
                        coverage=coverage(resources, infos, enforcement))


def _apply_waivers(found: list[Violation], waivers: Any, root: str) -> tuple[list[Violation], list, list]:
    """Take out the waived violations; an expired waiver becomes a mandatory violation on the stack."""
    from mlinfra.waivers import EXPIRED_POLICY, WAIVER_PACK, apply_waivers, expired_message

    outcome = apply_waivers(found, waivers)
    expired = [Violation(pack=WAIVER_PACK, policy=EXPIRED_POLICY, enforcement_level="mandatory", severity="medium",
                         urn=root, message=expired_message(w, waivers.source)) for w in outcome.expired]
    return outcome.remaining + expired, outcome.waived, outcome.unused


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def run_review(*, project_dir: Path, env: str | None, deployment: Path | None, packs: list[Path] | None,
               fmt: str, output: Path | None, plan_env: str | None = None,
               timeout: float = START_TIMEOUT, program_dir: Path | None = None) -> int:
    """``mlinfra review``: plan first unless ``deployment`` is given, review, print or write the report.

    ``env`` chooses the pack configuration; ``plan_env`` (default ``env``) the stack to plan, so
    ``mlinfra review dev --env prod`` reviews the dev plan against prod's configuration;
    ``program_dir`` (default ``project_dir``) is the Pulumi project planned. Returns the
    exit code (0 no mandatory violation, 1 mandatory violations); bad input raises MlinfraError
    (exit code 2).
    """
    from mlinfra.report import FORMATS, render

    if fmt not in FORMATS:
        raise MlinfraError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if deployment is None:
        plan_env = plan_env or env
        if plan_env is None:
            raise MlinfraError("give an environment to plan and review, or --deployment FILE")
        config_dir(project_dir, env or plan_env, required=packs is None)
        from mlinfra.plan import plan

        resources = resources_from_document(plan(program_dir or project_dir, plan_env), f"plan of {plan_env}")
    else:
        resources = load_resources(deployment)
    result = review(resources, packs, env, project_dir, timeout=timeout)
    if deployment:
        result.source = _relative(deployment, project_dir)
    else:
        from mlinfra.plan import read_project

        program = read_project(program_dir or project_dir)
        result.source = _relative(program.stack_config_dir / f"Pulumi.{plan_env}.yaml", project_dir)
    text = render(result, fmt)
    if fmt == "markdown":  # the PR comment ends with the plan's monthly cost estimate (docs/cost.md)
        from mlinfra.cost import markdown_section

        text = text.rstrip("\n") + "\n\n" + markdown_section(resources)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise MlinfraError(f"{output}: cannot write the report: {exc}") from None
    return exit_code(result)
