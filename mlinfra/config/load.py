"""Turn a stack's Pulumi configuration into a validated ``PlatformConfig``.

The same function serves ``pulumi up`` (config handed to the program by the engine) and the
offline plan (config set from the stack file by ``mlinfra.plan``): both end in Pulumi's runtime
config, where structured values are JSON strings, as the CLI passes them.
"""

from __future__ import annotations

import json
import typing
from typing import Any, Mapping

import pulumi
from pydantic import BaseModel, ValidationError

from components.sections import format_validation_error
from mlinfra.config.platform import PlatformConfig
from mlinfra.errors import ConfigError

NAMESPACE = "mlinfra"
#: Keys outside the project namespace that PlatformConfig reads.
FOREIGN_KEYS = {"aws:region": "region"}


def stack_file(stack: str) -> str:
    """The stack file a value came from, as users see it (``stackConfigDir: stacks``)."""
    return f"stacks/Pulumi.{stack}.yaml"


def _decode(value: Any) -> Any:
    """Pulumi passes structured config as JSON text; scalars stay strings and pydantic coerces them."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def config_to_fields(config: Mapping[str, Any]) -> dict[str, Any]:
    """Pick this project's keys out of a flat ``namespace:key`` config map."""
    fields: dict[str, Any] = {}
    for key, value in config.items():
        if key in FOREIGN_KEYS:
            fields[FOREIGN_KEYS[key]] = _decode(value)
        elif key.startswith(NAMESPACE + ":"):
            fields[key[len(NAMESPACE) + 1:]] = _decode(value)
    return fields


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as ``Optional[list[Model]]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if (model := _model_in(arg)) is not None:
            return model
    return None


def _key_name(loc: tuple) -> str:
    """The stack-file key of an error location: camelCase aliases, even where pydantic reports the
    snake_case field name (a default that failed validation), list indexes and map keys as they are."""
    if not loc:
        return f"{NAMESPACE}:"
    model: type[BaseModel] | None = PlatformConfig
    parts = []
    for part in loc:
        field = model.model_fields.get(part) if model is not None and isinstance(part, str) else None
        if field is None and model is not None and isinstance(part, str):
            field = next((f for f in model.model_fields.values() if f.alias == part), None)
        if field is not None:
            parts.append(field.alias or str(part))
            model = _model_in(field.annotation)
        else:
            parts.append(str(part))
    head, *rest = parts
    reverse = {field: key for key, field in FOREIGN_KEYS.items()}
    key = reverse.get(head, f"{NAMESPACE}:{head}")
    return ".".join([key, *rest])


def platform_config_from(config: Mapping[str, Any], *, environment: str, source: str) -> PlatformConfig:
    """Validate a flat config map; raise ``ConfigError`` naming the file, key and value."""
    fields = config_to_fields(config)
    fields.setdefault("environment", environment)
    try:
        return PlatformConfig.model_validate(fields)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source, key=_key_name)) from None


def load_platform_config() -> PlatformConfig:
    """The running stack's configuration, validated before any resource is declared."""
    stack = pulumi.get_stack()
    config = {**pulumi.runtime.config.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    return platform_config_from(config, environment=stack, source=stack_file(stack))
