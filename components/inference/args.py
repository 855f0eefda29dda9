"""Plain settings of an ``InferenceEndpoint`` (no Pulumi types), with the checks SageMaker would
otherwise only make at deploy time. ``mlinfra.config.inference`` validates stack files with the
same functions and reports their messages under the offending key."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Optional

TrafficStrategy = Literal["ALL_AT_ONCE", "CANARY", "LINEAR"]
CapacityType = Literal["INSTANCE_COUNT", "CAPACITY_PERCENT"]

#: SageMaker's serverless memory sizes (MB).
SERVERLESS_MEMORY_SIZES = (1024, 2048, 3072, 4096, 5120, 6144)
MAX_SERVERLESS_CONCURRENCY = 200


def check_serverless(memory_size_mb: int, max_concurrency: int) -> None:
    """``ValueError`` unless memory is 1024-6144 MB in 1024 steps and concurrency is 1-200."""
    if memory_size_mb not in SERVERLESS_MEMORY_SIZES:
        raise ValueError(f"serverless memory must be one of {', '.join(map(str, SERVERLESS_MEMORY_SIZES))} MB, "
                         f"not {memory_size_mb}")
    if not 1 <= max_concurrency <= MAX_SERVERLESS_CONCURRENCY:
        raise ValueError(f"serverless max concurrency must be 1-{MAX_SERVERLESS_CONCURRENCY}, not {max_concurrency}")


def check_capacity_range(min_capacity: int, max_capacity: int) -> None:
    """``ValueError`` unless 1 <= min <= max."""
    if min_capacity < 1:
        raise ValueError(f"the autoscaling minimum must be at least 1, not {min_capacity}")
    if min_capacity > max_capacity:
        raise ValueError(f"the autoscaling minimum ({min_capacity}) must not exceed the maximum ({max_capacity})")


def check_traffic_step(kind: Literal["canary", "linear"], type_: CapacityType, value: int,
                       instance_count: Optional[int]) -> None:
    """``ValueError`` unless a traffic step fits SageMaker's bounds: a canary is at most 50% of the
    fleet, a linear step 10-50%. ``instance_count`` None means serverless (percentages only)."""
    low, high = (1, 50) if kind == "canary" else (10, 50)
    what = "a canary" if kind == "canary" else "a linear step"
    if type_ == "CAPACITY_PERCENT":
        if not low <= value <= high:
            raise ValueError(f"{what} is {low}-{high}% of the fleet, not {value}%")
        return
    if instance_count is None:
        raise ValueError(f"{what} of a serverless endpoint is a CAPACITY_PERCENT: it has no instances")
    # A canary may be a single instance however large the fleet; a linear step is at least 10% of it.
    too_small = value < 1 or (kind == "linear" and value * 100 < low * instance_count)
    if too_small or value * 100 > high * instance_count:
        bounds = "1 instance to 50%" if kind == "canary" else f"{low}-{high}%"
        raise ValueError(f"{what} is {bounds} of the {instance_count} instance(s) the endpoint starts "
                         f"with, not {value}")


@dataclass
class ServerlessArgs:
    """Serverless capacity. Defaults: 2048 MB, 5 concurrent invocations."""

    memory_size_mb: int = 2048
    max_concurrency: int = 5

    def __post_init__(self) -> None:
        check_serverless(self.memory_size_mb, self.max_concurrency)


@dataclass
class AsyncArgs:
    """Asynchronous inference. Defaults: SageMaker's per-instance concurrency, results kept 30 days,
    success and error notifications on."""

    max_concurrent_invocations_per_instance: Optional[int] = None
    output_retention_days: int = 30
    notifications: bool = True


@dataclass
class DataCaptureArgs:
    """Data capture of requests and responses. Defaults: every request, kept 30 days."""

    sampling_percentage: int = 100
    retention_days: int = 30

    def __post_init__(self) -> None:
        if not 1 <= self.sampling_percentage <= 100:
            raise ValueError(f"data capture sampling must be 1-100%, not {self.sampling_percentage}")


@dataclass
class CapacitySizeArgs:
    """One traffic-shifting step."""

    type: CapacityType
    value: int


@dataclass
class RollbackAlarmArgs:
    """Alarm thresholds. Defaults: 5 server errors a minute or p99 model latency of 1 s, for 2 minutes."""

    max_5xx_errors_per_minute: int = 5
    max_p99_latency_ms: int = 1000
    evaluation_periods: int = 2


@dataclass
class DeploymentArgs:
    """Blue/green deployment. Defaults: all at once, 5-minute baking and termination waits."""

    strategy: TrafficStrategy = "ALL_AT_ONCE"
    canary_size: Optional[CapacitySizeArgs] = None
    linear_step_size: Optional[CapacitySizeArgs] = None
    wait_interval_seconds: int = 300
    termination_wait_seconds: int = 300
    maximum_execution_timeout_seconds: Optional[int] = None
    rollback_alarms: RollbackAlarmArgs = field(default_factory=RollbackAlarmArgs)

    def __post_init__(self) -> None:
        if self.strategy == "CANARY" and self.canary_size is None:
            raise ValueError("a CANARY deployment needs canary_size")
        if self.strategy == "LINEAR" and self.linear_step_size is None:
            raise ValueError("a LINEAR deployment needs linear_step_size")

    def check_fleet(self, instance_count: Optional[int]) -> None:
        """Check the step of the chosen strategy against the fleet (None: serverless)."""
        if self.strategy == "CANARY":
            check_traffic_step("canary", self.canary_size.type, self.canary_size.value, instance_count)
        elif self.strategy == "LINEAR":
            check_traffic_step("linear", self.linear_step_size.type, self.linear_step_size.value, instance_count)


@dataclass
class AutoscalingArgs:
    """Target tracking on ``SageMakerVariantInvocationsPerInstance``. Cooldowns: scale in after 300 s,
    out after 60 s (scale out fast, in slowly)."""

    min_capacity: int
    max_capacity: int
    target_invocations_per_instance: float
    scale_in_cooldown_seconds: int = 300
    scale_out_cooldown_seconds: int = 60

    def __post_init__(self) -> None:
        check_capacity_range(self.min_capacity, self.max_capacity)
        if self.target_invocations_per_instance <= 0:
            raise ValueError("the target invocations per instance must be positive")


#: SageMaker's variant name pattern (botocore ``VariantName``).
_VARIANT_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
#: AutoRollbackConfig.Alarms takes at most 10 alarms (botocore ``AlarmList``); every production
#: variant brings two (5xx and p99 latency), so an endpoint has at most five.
MAX_PRODUCTION_VARIANTS = 5
_SIZE = re.compile(r"^ml\.[a-z0-9-]+\.(?:(?P<n>\d+)?(?P<x>x)?large|(?P<medium>medium)|(?P<small>small)|(?P<nano>nano|micro))$")


def size_units(instance_type: str) -> float:
    """A rough size of an instance type in ``large`` units (large 1, xlarge 2, 4xlarge 8, medium
    0.5): the vCPU count SageMaker sizes imply within a family, used to compare a shadow with
    production."""
    match = _SIZE.match(instance_type)
    if match is None:
        return 1.0
    if match.group("medium"):
        return 0.5
    if match.group("small") or match.group("nano"):
        return 0.25
    if match.group("x"):
        return 2.0 * int(match.group("n") or 1)
    return 1.0


@dataclass(frozen=True)
class VariantShape:
    """What the variant checks need of a variant: name, weight and capacity (no model)."""

    name: str
    weight: float
    instance_type: Optional[str]
    instance_count: Optional[int]
    serverless: bool


def check_variants(primary: VariantShape, variants: "list[VariantShape]", shadow: Optional[VariantShape], *,
                   asynchronous: bool = False, allow_larger_shadow: bool = False) -> None:
    """``ValueError`` for what SageMaker refuses (or this platform will not run) in an endpoint
    configuration's variants: a bad or repeated name, a weight that is not positive, serverless
    mixed with instance variants, more production variants than rollback alarms can cover, a shadow
    next to several production variants, a shadow on serverless or asynchronous endpoints, a shadow
    larger than production unless ``allow_larger_shadow``."""
    everyone = [primary, *variants, *([shadow] if shadow else [])]
    seen: set[str] = set()
    for variant in everyone:
        if not _VARIANT_NAME.match(variant.name):
            raise ValueError(f"variant name {variant.name!r} is invalid: 1-63 letters, digits and '-'")
        if variant.name.lower() in seen:
            raise ValueError(f"variant name {variant.name!r} is used twice (SageMaker compares names without case)")
        seen.add(variant.name.lower())
        if not variant.weight > 0:
            raise ValueError(f"variant {variant.name!r} has weight {variant.weight}: weights must be positive "
                             "(SageMaker routes traffic in proportion to them)")
    if len({v.serverless for v in everyone}) > 1:
        raise ValueError("serverless and instance variants cannot be mixed in one endpoint configuration")
    if 1 + len(variants) > MAX_PRODUCTION_VARIANTS:
        raise ValueError(f"at most {MAX_PRODUCTION_VARIANTS} production variants: the rollback alarms "
                         f"(two per variant) must fit SageMaker's 10, not {1 + len(variants)}")
    if shadow is None:
        return
    if variants:
        raise ValueError("a shadow variant needs exactly one production variant (SageMaker's "
                         f"ShadowProductionVariants), not {1 + len(variants)}")
    if primary.serverless or asynchronous:
        raise ValueError("shadow variants run on instance endpoints only, not serverless or asynchronous ones")
    shadow_size = (shadow.instance_count or 1) * size_units(shadow.instance_type or "")
    primary_size = (primary.instance_count or 1) * size_units(primary.instance_type or "")
    if shadow_size > primary_size and not allow_larger_shadow:
        raise ValueError(f"the shadow ({shadow.instance_count} x {shadow.instance_type}) is larger than production "
                         f"({primary.instance_count} x {primary.instance_type}); set allow_larger_shadow if "
                         "that is meant")
