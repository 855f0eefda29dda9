"""Shared pydantic conventions for stack configuration sections.

Stack files use Pulumi's camelCase keys (``azCount``); Python code uses snake_case. Unknown keys
are errors, so a typo never silently falls back to a default.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class Section(BaseModel):
    """Base for every configuration section: camelCase aliases, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        use_enum_values=False,
    )
