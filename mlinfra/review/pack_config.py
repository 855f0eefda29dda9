"""Pack configuration: the per-environment JSON files, reconciled with each policy's defaults the way
the Pulumi CLI does before ``Configure``, and validated against the policies' config schemas.

A broken pack configuration raises :class:`~mlinfra.errors.MlinfraError`. A configuration found valid
is remembered (``catalog.cache``, by a digest of every policy's schema and properties), so the next
review of the same packs and configuration skips importing ``jsonschema`` (about 0.1 s of a review's
start on the two-core machine); any change to a schema or a value is validated again.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from catalog.cache import read_entries, write_entries
from mlinfra.documents import parse_json, read_text
from mlinfra.errors import MlinfraError
from mlinfra.review.result import PolicyInfo

ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")


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
    _validate(policies_info, result, source)
    return result


#: Digests of configurations validated before (Draft 7, the schema dialect the CLI's gojsonschema reads).
VALIDATED = "policy-config-valid-draft7.json"
#: At most this many digests are kept (then the file starts afresh): every environment and pack of a few checkouts.
_KEPT = 256


def _validate(policies_info: Sequence[PolicyInfo], result: Mapping[str, dict[str, Any]], source: str) -> None:
    """Each policy's properties against its schema, as the CLI's ``validatePolicyPackConfig`` does, unless
    the same schemas and properties were found valid before; a valid configuration is remembered."""
    checked = [[p.name, p.config_schema, result[p.name]["properties"]] for p in policies_info]
    digest = hashlib.sha256(json.dumps(checked, sort_keys=True, default=repr).encode()).hexdigest()
    known = read_entries(VALIDATED)
    if known.get(digest) is True:
        return
    for policy in policies_info:
        _validate_properties(policy, result[policy.name]["properties"], source)
    write_entries(VALIDATED, {**(known if len(known) < _KEPT else {}), digest: True})


def _validate_properties(policy: PolicyInfo, props: Mapping[str, Any], source: str) -> None:
    import jsonschema  # deliberately late: see the module docstring

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
    """The JSON pack configuration ``<config dir>/<pack folder>.json`` and its path.

    Fails closed: with a configuration directory, every pack needs its file there, holding a JSON
    object (``{}`` for the pack's defaults). Missing (named with the files found instead, for a
    misnamed one), a directory, empty, not UTF-8, not strict JSON, or not an object is bad input,
    never a silent fall-back to the pack's advisory defaults. Without a directory (``None``: explicit
    packs of an environment that has none) the packs run on their defaults.
    """
    if directory is None:
        return {}, "no pack configuration"
    name = f"{Path(pack_dir).resolve().name}.json"
    path = directory / name
    shown_dir = f"policies/config/{directory.name}/"
    if not path.exists():
        # A misnamed file (Compliance.json, complience.json, compliance.yaml) is named in the message.
        others = sorted(p.name for p in directory.iterdir()
                        if difflib.SequenceMatcher(None, name, p.name.lower()).ratio() >= 0.7)
        found = f" (found instead: {', '.join(others)})" if others else ""
        raise MlinfraError(f"{path}: no such file: {shown_dir} configures this environment, so every pack it runs "
                           f"needs its file{found}; write {{}} in it for the pack's defaults")
    text = read_text(path)
    if not text.strip():
        raise MlinfraError(f"{path}: empty; give a JSON object ({{}} keeps the pack's defaults)")
    config = parse_json(text, str(path))
    if not isinstance(config, dict):
        raise MlinfraError(f"{path}: must be a JSON object mapping policy names (or \"all\") to settings, not "
                           f"{_json_kind(config)}")
    return config, str(path)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"


def require_configuration_for_prod(project_dir: Path, env: str | None) -> None:
    """A prod-tier stack is reviewed only with its pack configuration: bad input when ``env``'s stack
    file says ``tier: prod`` (or, without a stack file, the environment is named prod) and
    ``policies/config/<env>/`` does not exist."""
    if env is None or (Path(project_dir) / "policies" / "config" / env).is_dir():
        return
    tier, where = _tier(Path(project_dir), env)
    if tier == "prod":
        raise MlinfraError(f"environment {env!r} is prod tier ({where}): it is reviewed only with its pack "
                           f"configuration, policies/config/{env}/, and there is none")


def _tier(project_dir: Path, env: str) -> tuple[str | None, str]:
    from mlinfra.project import load_stack_config, read_project

    try:
        project = read_project(project_dir)
    except MlinfraError:
        return (env if env == "prod" else None), "its name"
    stack_file = project.stack_config_dir / f"Pulumi.{env}.yaml"
    if not stack_file.exists():
        return (env if env == "prod" else None), "its name"
    config = load_stack_config(project_dir, env)  # a broken stack file is bad input here too
    tier = config.get(f"{project.name}:tier")
    shown = f"stacks/Pulumi.{env}.yaml" if stack_file.parent.name == "stacks" else str(stack_file)
    return tier, f"{shown}: {project.name}:tier = {tier}"
