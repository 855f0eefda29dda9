"""Pack configuration: the per-environment JSON files, reconciled with each policy's defaults the way
the Pulumi CLI does before ``Configure``, and validated against the policies' config schemas.

A broken pack configuration raises :class:`~mlinfra.errors.MlinfraError`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence

import jsonschema

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
