"""The ``featureStore`` section: which feature-group specs an environment deploys.

Specs live in ``stacks/feature_groups/<name>.yaml``, shared by every environment; this section
picks them per environment, so a new group can go to dev first::

    mlinfra:featureStore:
      groups: [customer-profile]       # default: every spec in stacks/feature_groups/
      athenaWorkgroup: ml-training

Leaving the section out builds no feature store.
"""

from __future__ import annotations

import re
from typing import Optional

from pydantic import Field, field_validator

from components.sections import Section

_SPEC_NAME = re.compile(r"^[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}$")


class FeatureStoreConfig(Section):
    """Feature store settings of one environment."""

    #: Spec names (file stems in stacks/feature_groups/) to deploy; default: all of them.
    groups: Optional[list[str]] = None
    #: Athena workgroup the per-group training policies allow queries in.
    athena_workgroup: str = Field(default="primary", pattern=r"^[a-zA-Z0-9._-]{1,128}$")
    #: Days superseded offline-store objects are kept; default: the storage section's value.
    noncurrent_version_days: Optional[int] = Field(default=None, ge=1, le=3650)

    @field_validator("groups")
    @classmethod
    def _groups(cls, value: Optional[list[str]]) -> Optional[list[str]]:
        if value is None:
            return value
        if not value:
            raise ValueError("list at least one spec name, or leave groups out to deploy every spec")
        bad = [name for name in value if not _SPEC_NAME.match(name)]
        if bad:
            raise ValueError(f"{', '.join(map(repr, bad))}: spec names are letters, digits, '-' and '_' "
                             "(the file name in stacks/feature_groups/ without .yaml)")
        duplicates = sorted({name for name in value if value.count(name) > 1})
        if duplicates:
            raise ValueError(f"listed more than once: {', '.join(duplicates)}")
        return value
