"""The ``datasets`` section: the dataset bucket's Object Lock and its data producers
(``components.datasets.DatasetStore``; see docs/components/datasets.md).

Example::

    mlinfra:datasets:
      objectLock: {mode: GOVERNANCE, retentionDays: 90}
      producerPrincipals: [arn:aws:iam::123456789012:role/ml-data-pipeline]

Defaults by tier: dev GOVERNANCE for 1 day, staging GOVERNANCE for 30 days, prod GOVERNANCE for
90 days. COMPLIANCE mode (no one, not even the account root, can shorten or lift it) only where
the stack file asks for it, and only in a prod tier; Object Lock cannot be turned off in staging
or prod. The tier checks run in ``PlatformConfig``.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from components.common import Tier
from components.storage import ObjectLockArgs
from components.sections import Section

#: Default retention (days) of a new dataset version, per tier.
DEFAULT_RETENTION_DAYS = {Tier.DEV: 1, Tier.STAGING: 30, Tier.PROD: 90}
#: The lock modes each tier allows.
ALLOWED_MODES = {Tier.DEV: ("GOVERNANCE",), Tier.STAGING: ("GOVERNANCE",), Tier.PROD: ("GOVERNANCE", "COMPLIANCE")}


class ObjectLockConfig(Section):
    """Default retention of each new dataset version."""

    #: Off only in dev (dev buckets then have no lock at all).
    enabled: bool = True
    mode: Literal["GOVERNANCE", "COMPLIANCE"] = "GOVERNANCE"
    #: Days a new version is locked; default from the tier (dev 1, staging 30, prod 90).
    retention_days: Optional[int] = Field(default=None, ge=1, le=36500)

    def to_args(self, tier: Tier) -> Optional[ObjectLockArgs]:
        if not self.enabled:
            return None
        return ObjectLockArgs(mode=self.mode, retention_days=self.retention_days or DEFAULT_RETENTION_DAYS[tier])


class DatasetsConfig(Section):
    """The dataset bucket: Object Lock, who produces data, where the DVC remote lives."""

    object_lock: ObjectLockConfig = Field(default_factory=ObjectLockConfig)
    #: IAM role or user ARNs that may assume the data-producer role; none: no producer role.
    producer_principals: list[str] = Field(default_factory=list)
    #: Key prefix of the DVC remote in the dataset bucket.
    dvc_prefix: str = Field(default="dvc", pattern=r"^[a-zA-Z0-9!_.*'()-]+(/[a-zA-Z0-9!_.*'()-]+)*$")
