"""Types and helpers shared by every component: data classification, tiers, names, tags."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Mapping

import pulumi

from catalog.classification import CLASSIFICATION_TAG


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


#: The retention periods (days) CloudWatch Logs accepts; any other value fails at `pulumi up`.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                      2922, 3288, 3653)


def check_log_retention(days: int, what: str = "log_retention_days") -> int:
    """``days`` if CloudWatch Logs accepts it as a retention period, else ``ValueError`` listing them."""
    if days not in LOG_RETENTION_DAYS:
        raise ValueError(f"{what}={days} is not a CloudWatch retention period: use one of "
                         f"{', '.join(map(str, LOG_RETENTION_DAYS))}")
    return days


def data_store_tags(classification: Classification, tags: Mapping[str, str] | None = None) -> dict[str, str]:
    """Tags for a data store: the caller's tags plus the mandatory ``data-classification`` tag."""
    return {**(tags or {}), CLASSIFICATION_TAG: classification.value}


#: The account id the offline plan pretends to deploy to (AWS's documentation account).
OFFLINE_ACCOUNT_ID = "123456789012"


@dataclass(frozen=True)
class OfflineTarget:
    """The account and region an offline plan pretends to deploy to.

    The stack decides whether it runs offline and passes this value to components whose program-time
    lookups (such as the model-package promotion lookup) must then answer with documented
    placeholders instead of calling AWS; ``None`` means online.
    """

    region: str
    account_id: str = OFFLINE_ACCOUNT_ID


def child_opts(parent: pulumi.Resource, *, protect: bool = False, **kwargs) -> pulumi.ResourceOptions:
    """Options for a component's child: parented to the component, optionally protected."""
    return pulumi.ResourceOptions(parent=parent, protect=protect or None, **kwargs)
