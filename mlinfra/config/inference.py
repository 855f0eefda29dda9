"""The ``inference`` section: SageMaker real-time endpoints, one ``InferenceEndpoint`` per entry.

::

    mlinfra:inference:
      endpoints:
        - name: fraud
          modelPackageGroup: fraud-detector      # prod: the newest Approved version (or pin one)
          instanceType: ml.c6i.xlarge
          dataCapture: {enabled: true, samplingPercentage: 20, retentionDays: 90}
          deployment: {strategy: CANARY, canarySize: {type: CAPACITY_PERCENT, value: 25}}
          autoscaling: {minCapacity: 2, maxCapacity: 6, targetInvocationsPerInstance: 200}
        - name: churn
          framework: xgboost                     # dev: an image resolved offline plus an artifact
          frameworkVersion: "1.7-1"
          modelDataUrl: models/churn/model.tar.gz    # a key in the environment's artifact bucket
          serverless: {memorySizeMb: 2048, maxConcurrency: 5}

An entry may also run an experiment (``weight``, ``variants``, ``shadow``:
docs/components/experiments.md) and be monitored (``monitoring``: ``mlinfra.config.monitoring``,
docs/components/monitoring.md).

Every rule SageMaker would only enforce at deploy time (serverless without data capture, canary
sizes within the fleet, a framework image for the instance's processor) fails here instead, naming
the key. See docs/components/inference-endpoint.md.
"""

from __future__ import annotations

import re
from typing import Any, Literal, Optional

from pydantic import Field, ValidationError, field_validator, model_validator

from components.inference.args import (
    AsyncArgs,
    AutoscalingArgs,
    CapacitySizeArgs,
    DataCaptureArgs,
    DeploymentArgs,
    RollbackAlarmArgs,
    ServerlessArgs,
    VariantShape,
    check_capacity_range,
    check_variants,
)
from catalog.images import check_framework, framework_image_uri, parse_ecr_image
from catalog.inference_instances import check_instance_type
from components.sections import Section, fail_at
from mlinfra.config.monitoring import MonitoringSettings
from mlinfra.errors import ConfigError

_ARTIFACT_KEY = re.compile(r"^[A-Za-z0-9!_.*'()/-]+\.tar\.gz$")


def _fail(loc: tuple, value: Any, message: str) -> ValidationError:
    """A validation error located at ``loc`` (camelCase keys) inside the model being validated."""
    return fail_at(loc, value, message, "inference")


class ServerlessSettings(Section):
    """Serverless capacity instead of instances: pay per request, cold starts, CPU only."""

    #: Memory per concurrent invocation, 1024-6144 MB in steps of 1024 (vCPUs scale with it).
    memory_size_mb: int = Field(default=2048, ge=1024, le=6144)
    #: Concurrent invocations before SageMaker throttles (1-200).
    max_concurrency: int = Field(default=5, ge=1, le=200)

    @field_validator("memory_size_mb")
    @classmethod
    def _step(cls, value: int) -> int:
        if value % 1024:
            raise ValueError("must be a multiple of 1024 between 1024 and 6144 (1024, 2048, ... 6144)")
        return value


class AsyncSettings(Section):
    """Asynchronous inference: requests queue, results land in an encrypted output bucket."""

    #: Concurrent requests SageMaker sends to each instance; default: SageMaker chooses.
    max_concurrent_invocations_per_instance: Optional[int] = Field(default=None, ge=1, le=1000)
    #: Days results and failures are kept in the output bucket before they expire.
    output_retention_days: int = Field(default=30, ge=1, le=3650)
    #: Publish success and error notifications to two KMS-encrypted SNS topics.
    notifications: bool = True


class DataCaptureSettings(Section):
    """Copies of requests and responses for monitoring and audit, in an encrypted capture bucket."""

    #: Off by default: captured payloads are customer data. Prod's policy pack requires it on.
    enabled: bool = False
    #: Share of requests captured (1-100).
    sampling_percentage: int = Field(default=100, ge=1, le=100)
    #: Days captured payloads are kept before the bucket's lifecycle expires them.
    retention_days: int = Field(default=30, ge=1, le=3650)


class CapacitySize(Section):
    """A traffic-shifting step: a number of instances or a percentage of the new fleet."""

    type: Literal["INSTANCE_COUNT", "CAPACITY_PERCENT"]
    value: int = Field(ge=1)


class RollbackAlarms(Section):
    """Thresholds of the CloudWatch alarms that roll a deployment back (and page in operation)."""

    #: ``Invocation5XXErrors`` per minute at or above which the alarm fires.
    max_5xx_errors_per_minute: int = Field(default=5, ge=1, alias="max5xxErrorsPerMinute")
    #: p99 ``ModelLatency`` (milliseconds) at or above which the alarm fires.
    max_p99_latency_ms: int = Field(default=1000, ge=1)
    #: Consecutive one-minute periods a threshold must be breached.
    evaluation_periods: int = Field(default=2, ge=1, le=60)


class DeploymentSettings(Section):
    """Blue/green updates: how traffic moves to the new fleet, and when it rolls back."""

    strategy: Literal["ALL_AT_ONCE", "CANARY", "LINEAR"] = "ALL_AT_ONCE"
    #: CANARY only: the first step; at most 50% of the fleet.
    canary_size: Optional[CapacitySize] = None
    #: LINEAR only: each step; 10-50% of the fleet.
    linear_step_size: Optional[CapacitySize] = None
    #: Baking time between traffic steps, watched by the rollback alarms (0-3600 s).
    wait_interval_seconds: int = Field(default=300, ge=0, le=3600)
    #: Time the old fleet is kept after the last step, for a fast manual rollback (0-3600 s).
    termination_wait_seconds: int = Field(default=300, ge=0, le=3600)
    #: Upper bound on the whole deployment (600-28800 s); default: SageMaker's.
    maximum_execution_timeout_seconds: Optional[int] = Field(default=None, ge=600, le=28800)
    rollback_alarms: RollbackAlarms = Field(default_factory=RollbackAlarms)

    @model_validator(mode="after")
    def _sizes_match_strategy(self) -> "DeploymentSettings":
        wanted = {"CANARY": "canarySize", "LINEAR": "linearStepSize"}.get(self.strategy)
        for key, size in (("canarySize", self.canary_size), ("linearStepSize", self.linear_step_size)):
            if size is not None and key != wanted:
                raise _fail((key,), size.model_dump(by_alias=True),
                            f"applies only to strategy {'CANARY' if key == 'canarySize' else 'LINEAR'}, "
                            f"not {self.strategy}")
        if wanted and getattr(self, "canary_size" if wanted == "canarySize" else "linear_step_size") is None:
            raise _fail((wanted,), None, f"is required for strategy {self.strategy}")
        return self

    def to_args(self) -> DeploymentArgs:
        """The component's deployment settings."""
        def size(value: Optional[CapacitySize]) -> Optional[CapacitySizeArgs]:
            return CapacitySizeArgs(type=value.type, value=value.value) if value else None

        return DeploymentArgs(
            strategy=self.strategy, canary_size=size(self.canary_size), linear_step_size=size(self.linear_step_size),
            wait_interval_seconds=self.wait_interval_seconds, termination_wait_seconds=self.termination_wait_seconds,
            maximum_execution_timeout_seconds=self.maximum_execution_timeout_seconds,
            rollback_alarms=RollbackAlarmArgs(**self.rollback_alarms.model_dump()),
        )


class AutoscalingSettings(Section):
    """Application Auto Scaling target tracking on invocations per instance."""

    min_capacity: int = Field(ge=1)
    max_capacity: int = Field(ge=1)
    #: Invocations per instance per minute the policy keeps the variant at.
    target_invocations_per_instance: float = Field(gt=0)
    #: Seconds after a scale-in before another scale-in.
    scale_in_cooldown_seconds: int = Field(default=300, ge=0, le=3600)
    #: Seconds after a scale-out before another scale-out.
    scale_out_cooldown_seconds: int = Field(default=60, ge=0, le=3600)

    @model_validator(mode="after")
    def _min_le_max(self) -> "AutoscalingSettings":
        try:
            check_capacity_range(self.min_capacity, self.max_capacity)
        except ValueError as exc:
            raise _fail(("minCapacity",), self.min_capacity, str(exc)) from None
        return self


class _OtherVariant(Section):
    """What a production variant and the shadow have in common: a name, a model and capacity."""

    #: SageMaker variant name (letters, digits, '-'); ``primary`` is the endpoint's own model.
    name: str = Field(pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
    #: Registry endpoints: this version of the endpoint's model package group ...
    model_package_version: Optional[int] = Field(default=None, ge=1)
    #: ... or another model of the stack's registry (newest Approved version unless pinned).
    model_package_group: Optional[str] = Field(default=None, pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
    #: Artifact endpoints: another artifact key, served by the endpoint's image.
    model_data_url: Optional[str] = None
    #: Default: the endpoint's instance type and count.
    instance_type: Optional[str] = None
    initial_instance_count: Optional[int] = Field(default=None, ge=1)

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, value: Optional[str]) -> Optional[str]:
        return check_instance_type(value) if value is not None else value

    @field_validator("model_data_url")
    @classmethod
    def _artifact_key(cls, value: Optional[str]) -> Optional[str]:
        return _check_artifact_key(value)


class VariantSettings(_OtherVariant):
    """Another production variant (A/B): another registry version or model, or another artifact."""

    #: Share of traffic relative to the other variants' weights (and the endpoint's ``weight``).
    weight: float = 1.0


class ShadowSettings(_OtherVariant):
    """The shadow variant: a copy of production traffic, responses captured and never returned."""

    #: Share of production requests copied to the shadow (1-100).
    sampling_percentage: int = Field(default=100, ge=1, le=100)


def _check_artifact_key(value: Optional[str]) -> Optional[str]:
    if value is not None and (not _ARTIFACT_KEY.match(value) or value.startswith("/") or ".." in value):
        raise ValueError("must be the key of a .tar.gz artifact in the environment's artifact bucket, "
                         "such as models/churn/model.tar.gz (no s3:// and no bucket name)")
    return value


class EndpointSettings(Section):
    """One endpoint: its model source, capacity mode, data capture, deployment and scaling."""

    #: Endpoint name within the environment; the SageMaker name is ``<environment>-<name>``.
    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,39}$")
    #: Prod: deploy the newest Approved version of this model package group ...
    model_package_group: Optional[str] = Field(default=None, pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
    #: ... or this pinned version (it must be Approved).
    model_package_version: Optional[int] = Field(default=None, ge=1)
    #: Dev: a framework with bundled inference images (pytorch, tensorflow, xgboost, sklearn, ...).
    framework: Optional[str] = None
    framework_version: Optional[str] = None
    #: Python version of the framework image; default: the newest the version offers.
    py_version: Optional[str] = None
    #: An ECR image URI used instead of the framework image (e.g. one built on top of it).
    image: Optional[str] = None
    #: Key of the model artifact (``.tar.gz``) in the environment's artifact bucket.
    model_data_url: Optional[str] = None
    #: Environment variables of the serving container.
    environment: dict[str, str] = Field(default_factory=dict)
    instance_type: str = "ml.m5.large"
    #: Instances without autoscaling (with autoscaling the endpoint starts at ``minCapacity``).
    initial_instance_count: int = Field(default=1, ge=1)
    #: The team whose budget the endpoint counts against (the team cost-allocation tag); default
    #: ``mlinfra:budgets.defaultTeam``.
    team: Optional[str] = None
    serverless: Optional[ServerlessSettings] = None
    async_inference: Optional[AsyncSettings] = Field(default=None, alias="async")
    data_capture: DataCaptureSettings = Field(default_factory=DataCaptureSettings)
    deployment: DeploymentSettings = Field(default_factory=DeploymentSettings)
    autoscaling: Optional[AutoscalingSettings] = None
    #: Model monitoring of the captured traffic (docs/components/monitoring.md); needs data capture.
    monitoring: Optional[MonitoringSettings] = None
    #: The ``primary`` variant's weight when there are ``variants`` (docs/components/experiments.md).
    weight: float = 1.0
    #: Other production variants: an A/B test between registry versions, models or artifacts.
    variants: list[VariantSettings] = Field(default_factory=list)
    #: A shadow variant: copied traffic, captured responses, never returned to clients.
    shadow: Optional[ShadowSettings] = None
    #: Let the shadow have more capacity than production.
    allow_larger_shadow: bool = False

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, value: str) -> str:
        return check_instance_type(value)

    @field_validator("image")
    @classmethod
    def _image(cls, value: Optional[str]) -> Optional[str]:
        if value is not None:
            parse_ecr_image(value)
        return value

    @field_validator("model_data_url")
    @classmethod
    def _artifact_key(cls, value: Optional[str]) -> Optional[str]:
        return _check_artifact_key(value)

    @property
    def instance_count(self) -> int:
        """Instances the endpoint configuration starts with: the autoscaling minimum if any."""
        return self.autoscaling.min_capacity if self.autoscaling else self.initial_instance_count

    @model_validator(mode="after")
    def _consistent(self) -> "EndpointSettings":
        self._check_source()
        if self.monitoring is not None and not self.data_capture.enabled:
            raise _fail(("monitoring",), "dataQuality", "a data-quality monitor reads the captured traffic: "
                                                        "set dataCapture.enabled: true")
        if self.serverless is not None:
            self._check_serverless()
        else:
            self._check_instances()
        self._check_variants()
        return self

    def _check_variants(self) -> None:
        registry = self.model_package_group is not None
        others = [*((("variants", i), v) for i, v in enumerate(self.variants)),
                  *([(("shadow",), self.shadow)] if self.shadow else [])]
        for loc, variant in others:
            if registry and variant.model_data_url is not None:
                raise _fail((*loc, "modelDataUrl"), variant.model_data_url,
                            "the endpoint deploys from modelPackageGroup: name modelPackageVersion or "
                            "modelPackageGroup instead")
            if registry and variant.model_package_version is None and variant.model_package_group is None:
                raise _fail((*loc, "modelPackageVersion"), None,
                            "is required (or modelPackageGroup): otherwise the variant serves the same model")
            if not registry and variant.model_data_url is None:
                key = "modelPackageGroup" if variant.model_package_group else "modelDataUrl"
                raise _fail((*loc, key), variant.model_package_group,
                            "the endpoint serves an artifact: a variant names another artifact (modelDataUrl)"
                            if key == "modelPackageGroup" else "is required: the variant's artifact key")
            if self.autoscaling and "initial_instance_count" in variant.model_fields_set and loc[0] == "variants":
                raise _fail((*loc, "initialInstanceCount"), variant.initial_instance_count,
                            "with autoscaling every production variant starts at minCapacity; leave it out")
        serverless = self.serverless is not None

        def shape(variant: _OtherVariant, weight: float) -> VariantShape:
            own = variant.instance_type if "instance_type" in variant.model_fields_set else None
            return VariantShape(name=variant.name, weight=weight, instance_type=own or self.instance_type,
                                instance_count=None if serverless else variant.initial_instance_count
                                or self.instance_count, serverless=serverless and own is None)

        shadow = self.shadow
        try:
            check_variants(
                VariantShape(name="primary", weight=self.weight, instance_type=self.instance_type,
                             instance_count=None if serverless else self.instance_count, serverless=serverless),
                [shape(v, v.weight) for v in self.variants],
                shape(shadow, self.weight * shadow.sampling_percentage / 100) if shadow else None,
                asynchronous=self.async_inference is not None, allow_larger_shadow=self.allow_larger_shadow)
        except ValueError as exc:
            message = str(exc)
            if "weight" in message and not self.weight > 0:
                raise _fail(("weight",), self.weight, message) from None
            key = "shadow" if shadow is not None and ("shadow" in message or shadow.name in message) else "variants"
            value = shadow.model_dump(by_alias=True, exclude_unset=True) if key == "shadow" \
                else [v.model_dump(by_alias=True, exclude_unset=True) for v in self.variants]
            raise _fail((key,), value, message) from None

    def _check_source(self) -> None:
        direct = {"framework": self.framework, "frameworkVersion": self.framework_version,
                  "pyVersion": self.py_version, "image": self.image, "modelDataUrl": self.model_data_url}
        if self.model_package_group is not None:
            for key, value in direct.items():
                if value is not None:
                    raise _fail((key,), value, "conflicts with modelPackageGroup: the model package names "
                                               "its own image and artifact")
            return
        if self.model_package_version is not None:
            raise _fail(("modelPackageVersion",), self.model_package_version, "requires modelPackageGroup")
        if self.model_data_url is None:
            raise _fail(("modelDataUrl",), None, "is required unless modelPackageGroup is set (a network-"
                                                 "isolated model cannot download its weights itself)")
        if self.framework is None and self.image is None:
            raise _fail(("framework",), None, "set modelPackageGroup, framework with frameworkVersion, or image")
        if self.framework is None:
            for key in ("frameworkVersion", "pyVersion"):
                if direct[key] is not None:
                    raise _fail((key,), direct[key], "requires framework")
            return
        if self.framework_version is None:
            raise _fail(("frameworkVersion",), None, f"is required with framework {self.framework!r}")
        try:
            check_framework(self.framework, self.framework_version, self.py_version,
                            None if self.serverless else self.instance_type)
        except ValueError as exc:
            key = "framework" if str(exc).startswith("unknown framework") else "frameworkVersion"
            raise _fail((key,), direct[key], str(exc)) from None

    def _check_serverless(self) -> None:
        for key, field in (("instanceType", "instance_type"), ("initialInstanceCount", "initial_instance_count")):
            if field in self.model_fields_set:
                raise _fail((key,), getattr(self, field), "does not apply to a serverless endpoint")
        for key, value, why in (
            ("async", self.async_inference, "asynchronous inference needs instances"),
            ("autoscaling", self.autoscaling, "a serverless endpoint scales itself up to maxConcurrency"),
        ):
            if value is not None:
                raise _fail((key,), value.model_dump(by_alias=True), f"cannot be combined with serverless: {why}")
        if self.data_capture.enabled:
            raise _fail(("dataCapture", "enabled"), True,
                        "SageMaker serverless endpoints do not support data capture; use instances")
        self._check_fleet(None)

    def _check_instances(self) -> None:
        scaling = self.autoscaling
        if scaling and "initial_instance_count" in self.model_fields_set \
                and self.initial_instance_count != scaling.min_capacity:
            raise _fail(("initialInstanceCount",), self.initial_instance_count,
                        f"conflicts with autoscaling.minCapacity ({scaling.min_capacity}): with autoscaling "
                        "the endpoint starts at the minimum; leave initialInstanceCount out")
        deployment, count = self.deployment, self.instance_count
        if deployment.strategy != "ALL_AT_ONCE" and self.instance_type.startswith("ml.inf1."):
            raise _fail(("deployment", "strategy"), deployment.strategy,
                        "SageMaker shifts traffic all at once on Inf1 instances; use ALL_AT_ONCE or inf2")
        self._check_fleet(count)

    def _check_fleet(self, instance_count: Optional[int]) -> None:
        strategy = self.deployment.strategy
        if strategy == "ALL_AT_ONCE":
            return
        key = "canarySize" if strategy == "CANARY" else "linearStepSize"
        try:
            self.deployment.to_args().check_fleet(instance_count)
        except ValueError as exc:
            size = self.deployment.canary_size if strategy == "CANARY" else self.deployment.linear_step_size
            raise _fail(("deployment", key), size.model_dump(by_alias=True), str(exc)) from None

    def component_args(self) -> dict[str, Any]:
        """Capacity, capture, deployment and scaling settings as ``InferenceEndpointArgs`` keywords."""
        return {
            "instance_type": None if self.serverless else self.instance_type,
            "instance_count": self.instance_count,
            "serverless": ServerlessArgs(**self.serverless.model_dump()) if self.serverless else None,
            "async_inference": AsyncArgs(**self.async_inference.model_dump()) if self.async_inference else None,
            "data_capture": DataCaptureArgs(
                sampling_percentage=self.data_capture.sampling_percentage,
                retention_days=self.data_capture.retention_days) if self.data_capture.enabled else None,
            "deployment": self.deployment.to_args(),
            "autoscaling": AutoscalingArgs(**self.autoscaling.model_dump()) if self.autoscaling else None,
            "primary_weight": self.weight,
            "allow_larger_shadow": self.allow_larger_shadow,
        }


class InferenceConfig(Section):
    """SageMaker inference endpoints of the environment."""

    endpoints: list[EndpointSettings] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> "InferenceConfig":
        seen: set[str] = set()
        for index, endpoint in enumerate(self.endpoints):
            if endpoint.name in seen:
                raise _fail(("endpoints", index, "name"), endpoint.name, "is used by another endpoint")
            seen.add(endpoint.name)
        return self


def endpoint_error(source: str, index: int, key: str, value: Any, message: str) -> ConfigError:
    return ConfigError(f"{source}: mlinfra:inference.endpoints.{index}.{key} = {value!r}: {message}")


def endpoint_image(endpoint: EndpointSettings, index: int, *, region: str, source: str) -> str:
    """The serving image of an artifact-based endpoint: its ``image``, else its framework's image in
    ``region``. ``ConfigError`` naming the key if the framework has no image there."""
    if endpoint.image is not None:
        return endpoint.image
    try:
        return framework_image_uri(endpoint.framework, endpoint.framework_version, region,
                                   None if endpoint.serverless else endpoint.instance_type, endpoint.py_version)
    except ValueError as exc:
        raise endpoint_error(source, index, "framework", endpoint.framework,
                           f"no {endpoint.framework} {endpoint.framework_version} image in {region}: {exc}") from None
