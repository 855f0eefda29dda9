"""Reading a deployment: a ``pulumi stack export`` (v3, also what ``mlinfra plan`` writes) or
``pulumi preview --json`` output, as resources whose properties are in the engine's wire form.

Bad input (a missing or malformed file, a resource without urn or type) raises
:class:`~mlinfra.errors.MlinfraError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from mlinfra.documents import parse_json, read_text
from mlinfra.errors import MlinfraError

# Pulumi's property-value signatures (sdk/go/common/resource/properties.go).
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's marshalled unknown value; the policy SDK raises UnknownValueError when a rule reads it."""

# Preview steps whose newState is not part of the stack after the update.
_GONE_OPS = {"delete", "delete-replaced", "discard", "discard-replaced", "read-discard",
             "remove-pending-replace"}


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


def _plaintext(text: Any) -> Any:
    # A secret's plaintext is JSON text, held to the same limits as the file around it.
    if not isinstance(text, str):
        raise ValueError("a secret's plaintext must be a string of JSON text")
    try:
        return parse_json(text, "a secret's plaintext")
    except MlinfraError as exc:
        raise ValueError(str(exc)) from None


def _timeouts(timeouts: Mapping[str, Any]) -> dict[str, float]:
    # customTimeouts are seconds (the engine's CustomTimeouts: create, update, delete as float64).
    result = {}
    for key in ("create", "update", "delete"):
        value = timeouts.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"customTimeouts.{key} must be a number of seconds, not {value!r}")
        result[key] = float(value)
    return result


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
                inner = wire_value(_plaintext(value["plaintext"]))
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
        custom_timeouts=_timeouts(timeouts),
    )


def resources_from_document(doc: Any, source: str) -> list[Resource]:
    """The resources of a stack export (v3) or ``pulumi preview --json`` document; ``source`` names it in errors.

    Resources pending deletion (``delete: true``) and preview steps that remove a resource are
    left out, as the engine analyzes only what the stack will hold. So are resources read with
    ``get`` (``external: true``, a ``read`` step): the engine runs policies only on what the program
    registers (step_generator.go calls Analyze in ``generateSteps``, not ``GenerateReadSteps``), and
    its stack analysis (``AnalyzeResources``) ranges over the deployment's ``news``, where
    step_executor.go records a read's state under ``reads`` instead: a bucket the program only reads
    is not its own to tag, protect or encrypt.
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
        if state.get("delete") or state.get("external") is True:
            continue
        try:
            resources.append(_resource(state))
        except (ValueError, TypeError) as exc:
            raise MlinfraError(f"{source}: {where}[{index}] ({state.get('urn', 'no urn')}) {exc}") from None
    return resources


def load_resources(path: Path) -> list[Resource]:
    """Read a ``pulumi stack export`` (v3) or ``pulumi preview --json`` file; the format is detected.

    Bad input (``MlinfraError``): missing, a directory, not UTF-8, not strict JSON (``NaN``,
    ``Infinity``, an integer of more than 4,300 digits), nested more than ``MAX_DEPTH`` levels.
    """
    shown = str(path)
    return resources_from_document(parse_json(read_text(Path(path), shown), shown), shown)


def stack_of(resources: Sequence[Resource]) -> str | None:
    """The stack name in the resources' URNs, or None when there are none; mixed stacks are bad input."""
    stacks = {urn_stack(r.urn) for r in resources} - {""}
    if len(stacks) > 1:
        raise MlinfraError(f"the deployment mixes stacks {sorted(stacks)}; choose the configuration with --env")
    return next(iter(stacks), None)
