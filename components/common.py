"""Types and helpers shared by every component: data classification, tiers, names, tags."""

from __future__ import annotations

from enum import Enum
from typing import Mapping

import pulumi


class Classification(str, Enum):
    """How sensitive the data in a store is, from least to most; ordering is meaningful."""

    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"

    @property
    def rank(self) -> int:
        return list(Classification).index(self)


class Tier(str, Enum):
    """Environment tier: decides defaults such as AZ count, NAT layout, retention and protection."""

    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


CLASSIFICATION_TAG = "data-classification"


def data_store_tags(classification: Classification, tags: Mapping[str, str] | None = None) -> dict[str, str]:
    """Tags for a data store: the caller's tags plus the mandatory ``data-classification`` tag."""
    return {**(tags or {}), CLASSIFICATION_TAG: classification.value}


def child_opts(parent: pulumi.Resource, *, protect: bool = False, **kwargs) -> pulumi.ResourceOptions:
    """Options for a component's child: parented to the component, optionally protected."""
    return pulumi.ResourceOptions(parent=parent, protect=protect or None, **kwargs)
