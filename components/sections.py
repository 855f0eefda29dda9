"""Shared pydantic conventions for configuration sections, and their one-line error messages.

Used by the stack's configuration (``mlinfra.config``) and by components that read their own
specification files (``components.feature_store.spec``). Stack files use Pulumi's camelCase keys (``azCount``); Python code uses snake_case. Unknown keys
are errors, so a typo never silently falls back to a default.
"""

from __future__ import annotations

from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError


class Section(BaseModel):
    """Base for every configuration section: camelCase aliases, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        use_enum_values=False,
        defer_build=True,
    )


def fail_at(loc: tuple, value: Any, message: str, title: str = "config") -> ValidationError:
    """A validation error located at ``loc`` (camelCase keys) inside the model being validated, for
    a model validator to raise so the message names the offending key rather than the section."""
    error = PydanticCustomError("value_error", "{message}", {"message": message})
    return ValidationError.from_exception_data(title, [InitErrorDetails(type=error, loc=loc, input=value)])


def dotted_key(loc: tuple) -> str:
    """An error location as written in a YAML file: keys and list indexes joined by dots."""
    return ".".join(str(part) for part in loc)


def format_validation_error(exc: ValidationError, source: str, *,
                            key: Callable[[tuple], str] = dotted_key, unknown: str = "setting",
                            show_objects: bool = True) -> str:
    """One line per problem: the file, the key, the value and what is allowed.

    ``key`` names an error location (default ``dotted_key``; stack files pass one that gives
    ``mlinfra:...`` keys); ``unknown`` is the word for a key the model does not have; without
    ``show_objects`` a rejected mapping is not repeated after its key (a spec's nested section,
    where the message names what is wrong).
    """
    lines = []
    for err in exc.errors(include_url=False):
        message = err["msg"].removeprefix("Value error, ")
        loc = err["loc"]
        if err["type"] == "missing":
            lines.append(f"{source}: {key(loc)} is required")
        elif err["type"] == "extra_forbidden":
            lines.append(f"{source}: {key(loc)} is not a known {unknown}")
        elif loc and not show_objects and isinstance(err["input"], dict):
            lines.append(f"{source}: {key(loc)}: {message}")
        elif loc:
            lines.append(f"{source}: {key(loc)} = {err['input']!r}: {message}")
        else:
            lines.append(f"{source}: {message}")
    return "\n".join(lines)
