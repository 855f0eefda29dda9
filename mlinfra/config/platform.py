"""The environment's settings as one typed model: ``PlatformConfig``.

A stack file (``stacks/Pulumi.<env>.yaml``) holds keys under the ``mlinfra`` namespace::

    config:
      aws:region: eu-west-1
      mlinfra:tier: prod
      mlinfra:tags: {owner: ml-platform, costCenter: cc-1234}
      mlinfra:network: {cidr: 10.30.0.0/16}

Each top-level key is one field of ``PlatformConfig``. Values a tier decides (AZ count, NAT
layout, retention, key deletion window, protection) default from ``TIER_DEFAULTS`` and can be
overridden per environment.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal, Optional

from pydantic import Field, field_validator, model_validator

from components.common import LOG_RETENTION_DAYS, Classification, Tier
from components.sections import Section
from mlinfra.config.budgets import BudgetsConfig
from mlinfra.config.datasets import ALLOWED_MODES, DatasetsConfig
from mlinfra.config.experiments import ExperimentsConfig
from mlinfra.config.feature_store import FeatureStoreConfig
from mlinfra.config.registry import ModelRegistryConfig
from mlinfra.config.inference import InferenceConfig
from mlinfra.config.training import TrainingConfig


_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")


def check_region(value: str) -> str:
    """``value`` if it is spelled like an AWS region name (us-east-1, us-gov-west-1), else ValueError."""
    if not _REGION.match(value):
        raise ValueError("must be an AWS region name such as us-east-1 (set aws:region)")
    return value
_TAG_VALUE = re.compile(r"^[\w .:/=+\-@]{1,256}$")
#: RFC 1918 private ranges (``ipaddress``'s ``is_private`` also admits loopback, link-local and others).
RFC1918 = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


@dataclass(frozen=True)
class TierDefaults:
    """What a tier implies when the stack file does not say otherwise."""

    az_count: int
    nat: Literal["single", "per-az"]
    log_retention_days: int
    key_deletion_window_days: int
    protect_stateful: bool
    noncurrent_version_days: int


TIER_DEFAULTS: dict[Tier, TierDefaults] = {
    Tier.DEV: TierDefaults(az_count=2, nat="single", log_retention_days=30, key_deletion_window_days=7,
                           protect_stateful=False, noncurrent_version_days=30),
    Tier.STAGING: TierDefaults(az_count=2, nat="single", log_retention_days=90, key_deletion_window_days=14,
                               protect_stateful=False, noncurrent_version_days=60),
    Tier.PROD: TierDefaults(az_count=3, nat="per-az", log_retention_days=365, key_deletion_window_days=30,
                            protect_stateful=True, noncurrent_version_days=180),
}


class Tags(Section):
    """Tags every resource carries. ``owner`` and ``costCenter`` are required; ``extra`` adds more."""

    owner: str = Field(min_length=1, max_length=256)
    cost_center: str = Field(min_length=1, max_length=256)
    extra: dict[str, str] = Field(default_factory=dict)

    @field_validator("owner", "cost_center")
    @classmethod
    def _tag_value(cls, value: str) -> str:
        if not _TAG_VALUE.match(value):
            raise ValueError("must be 1-256 characters of letters, digits, spaces and _ . : / = + - @")
        return value


class NetworkConfig(Section):
    """The VPC. ``cidr`` must be an IPv4 /16 to /20 private range (RFC 1918)."""

    cidr: str = "10.0.0.0/16"
    #: Number of availability zones; default from the tier (prod 3, else 2).
    az_count: Optional[int] = Field(default=None, ge=2, le=3)
    #: Explicit zone names; default ``<region>a``, ``b``, ``c`` up to ``azCount``.
    availability_zones: Optional[list[str]] = None
    #: ``single`` NAT gateway (cheaper) or one ``per-az`` (survives a zone outage); default from the tier.
    nat: Optional[Literal["single", "per-az"]] = None
    #: Interface endpoints to create in addition to the S3 gateway endpoint.
    interface_endpoints: list[str] = Field(
        default_factory=lambda: ["ecr.api", "ecr.dkr", "sts", "logs", "sagemaker.api", "sagemaker.runtime"]
    )

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        try:
            net = ipaddress.IPv4Network(value, strict=True)
        except ValueError as exc:
            raise ValueError(f"must be an IPv4 network in CIDR form such as 10.0.0.0/16 ({exc})") from None
        if not 16 <= net.prefixlen <= 20:
            raise ValueError("prefix length must be between /16 and /20")
        if not any(net.subnet_of(private) for private in RFC1918):
            raise ValueError("must lie in a private (RFC 1918) range: 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")
        return str(net)


class StorageConfig(Section):
    """The environment's shared buckets and how long superseded object versions are kept."""

    data_classification: Classification = Classification.CONFIDENTIAL
    artifacts_classification: Classification = Classification.INTERNAL
    #: Days a noncurrent object version is kept before expiry; default from the tier.
    noncurrent_version_days: Optional[int] = Field(default=None, ge=1, le=3650)
    #: Days access logs are kept in the access-log bucket.
    access_log_days: int = Field(default=365, ge=1, le=3650)


class PlatformConfig(Section):
    """Everything one environment builds. Sections of later capabilities are optional."""

    environment: str = Field(pattern=r"^[a-z][a-z0-9-]{0,31}$")
    tier: Tier
    region: str
    #: Regions resources may be created in (checked by the compliance pack as well).
    allowed_regions: list[str] = Field(default_factory=list)
    tags: Tags
    network: NetworkConfig = Field(default_factory=NetworkConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    #: CloudWatch log retention in days; default from the tier.
    log_retention_days: Optional[int] = None
    #: KMS key deletion window in days (7-30); default from the tier.
    key_deletion_window_days: Optional[int] = Field(default=None, ge=7, le=30)
    #: Protect stateful resources (buckets, keys, registries) from deletion; default from the tier.
    protect_stateful: Optional[bool] = None
    #: SageMaker model registry, serving-image repositories and approval events (docs/components/model-registry.md).
    model_registry: Optional[ModelRegistryConfig] = None
    #: SageMaker inference endpoints (``InferenceEndpoint``), one per entry.
    inference: Optional[InferenceConfig] = None
    #: SageMaker feature groups from stacks/feature_groups/ (see docs/components/feature-store.md).
    feature_store: Optional[FeatureStoreConfig] = None
    #: The GPU training cluster (``TrainingCluster``; see docs/components/training-cluster.md).
    training: Optional[TrainingConfig] = None
    #: The dataset bucket's Object Lock and data producers (``DatasetStore``; docs/components/datasets.md).
    datasets: DatasetsConfig = Field(default_factory=DatasetsConfig)
    #: AWS Budgets, cost-allocation tags and anomaly alerts (``CostGuardrails``; docs/components/budgets.md).
    budgets: Optional[BudgetsConfig] = None
    #: A managed MLflow tracking server (``ExperimentTracking``; see docs/components/experiments.md).
    experiments: Optional[ExperimentsConfig] = None

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        return check_region(value)

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: Optional[int]) -> Optional[int]:
        if value is not None and value not in LOG_RETENTION_DAYS:
            raise ValueError(f"must be one of CloudWatch's retention periods: {', '.join(map(str, LOG_RETENTION_DAYS))}")
        return value

    @model_validator(mode="after")
    def _apply_tier_defaults(self) -> "PlatformConfig":
        tier = TIER_DEFAULTS[self.tier]
        zones = self.network.availability_zones
        az_count = self.network.az_count or (len(zones) if zones else tier.az_count)
        if zones is None:
            zones = [f"{self.region}{letter}" for letter in "abc"[:az_count]]
        if len(zones) != az_count or len(set(zones)) != len(zones):
            raise ValueError(f"mlinfra:network.availabilityZones = {zones!r}: must list {az_count} distinct zones "
                             "(mlinfra:network.azCount)")
        for zone in zones:
            if not re.fullmatch(re.escape(self.region) + r"[a-z]", zone):
                raise ValueError(f"mlinfra:network.availabilityZones: {zone!r} is not a zone of region {self.region}")
        if self.allowed_regions and self.region not in self.allowed_regions:
            raise ValueError(f"aws:region = {self.region!r}: not one of mlinfra:allowedRegions "
                             f"({', '.join(self.allowed_regions)})")
        # Frozen models: fill resolved defaults through object.__setattr__ once, at validation.
        object.__setattr__(self, "network", self.network.model_copy(update={
            "az_count": az_count, "availability_zones": zones, "nat": self.network.nat or tier.nat}))
        object.__setattr__(self, "storage", self.storage.model_copy(update={
            "noncurrent_version_days": self.storage.noncurrent_version_days or tier.noncurrent_version_days}))
        for name in ("log_retention_days", "key_deletion_window_days", "protect_stateful"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, getattr(tier, name))
        self._check_object_lock()
        self._check_teams()
        return self

    def _check_object_lock(self) -> None:
        lock = self.datasets.object_lock
        allowed = ALLOWED_MODES[self.tier]
        if lock.enabled and lock.mode not in allowed:
            raise ValueError(f"mlinfra:datasets.objectLock.mode = {lock.mode!r}: the {self.tier.value} tier allows "
                             f"{' and '.join(allowed)} only (compliance-mode retention cannot be shortened or lifted, "
                             "not even by the account root); use GOVERNANCE")
        if not lock.enabled and self.tier is not Tier.DEV:
            raise ValueError(f"mlinfra:datasets.objectLock.enabled = False: dataset versions must be locked in a "
                             f"{self.tier.value} tier; only dev may turn Object Lock off")

    @property
    def team_tag(self) -> str:
        """The tag key that names a team (``mlinfra:budgets.teamTag``, default ``team``)."""
        return self.budgets.team_tag if self.budgets else "team"

    @property
    def default_team(self) -> str:
        """The team of resources that name none: ``mlinfra:budgets.defaultTeam``, else the owner tag."""
        return (self.budgets.default_team if self.budgets else None) or self.tags.owner

    @property
    def known_teams(self) -> list[str]:
        """Teams a budget, GPU node group or endpoint may name: the training teams and the default team."""
        teams = [team.name for team in self.training.teams] if self.training else []
        return list(dict.fromkeys([*teams, self.default_team]))

    def _check_teams(self) -> None:
        known = self.known_teams
        named = []
        if self.budgets:
            named += [(f"mlinfra:budgets.teams.{i}.name", t.name) for i, t in enumerate(self.budgets.teams)]
        if self.training:
            named += [(f"mlinfra:training.gpuNodeGroups.{i}.team", g.team)
                      for i, g in enumerate(self.training.gpu_node_groups) if g.team is not None]
        if self.inference:
            named += [(f"mlinfra:inference.endpoints.{i}.team", e.team)
                      for i, e in enumerate(self.inference.endpoints) if e.team is not None]
        for key, team in named:
            if team not in known:
                raise ValueError(f"{key} = {team!r}: unknown team; use one of {', '.join(known)} "
                                 "(mlinfra:training.teams, or mlinfra:budgets.defaultTeam)")

    def team_tags(self, team: Optional[str]) -> dict[str, str]:
        """The cost-allocation tag of a resource owned by ``team`` (default: the default team)."""
        return {self.team_tag: team or self.default_team}

    @property
    def resource_tags(self) -> dict[str, str]:
        """The tags every resource gets (through the provider's default tags)."""
        return {
            "owner": self.tags.owner,
            "cost-center": self.tags.cost_center,
            "environment": self.environment,
            "managed-by": "mlinfra",
            **self.tags.extra,
        }
