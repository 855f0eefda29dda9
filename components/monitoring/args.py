"""Plain settings of an ``EndpointMonitor`` (no Pulumi types), with the checks SageMaker would
otherwise only make at deploy time. ``mlinfra.config.monitoring`` validates stack files with the same
functions and reports their messages under the offending key."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

#: Where the built-in container publishes per-feature metrics of a real-time endpoint, with the
#: dimensions ``Endpoint`` and ``MonitoringSchedule`` (SageMaker developer guide,
#: model-monitor-interpreting-cloudwatch and model-monitor-byoc-cloudwatch; the guide spells the
#: namespace both ``data-metric`` and ``data-metrics``: the analyzer writes ``data-metrics``).
DATA_METRICS_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
#: ``feature_baseline_drift_<feature>``: the distance of a feature's distribution from its baseline.
DRIFT_METRIC_PREFIX = "feature_baseline_drift_"

# botocore sagemaker ScheduleConfig.ScheduleExpression: hourly ``cron(0 * ? * * *)``, daily
# ``cron(0 H ? * * *)``, every N hours ``cron(0 H/N ? * * *)`` (plus the one-off ``NOW``, refused here:
# a monitor that runs once is not a monitor).
_HOURLY = re.compile(r"^cron\(0 \* \? \* \* \*\)$")
_DAILY = re.compile(r"^cron\(0 ([01]?\d|2[0-3]) \? \* \* \*\)$")
_EVERY = re.compile(r"^cron\(0 ([01]?\d|2[0-3])/([1-9]|1\d|2[0-4]) \? \* \* \*\)$")
SCHEDULE_FORMS = "cron(0 * ? * * *) (hourly), cron(0 H ? * * *) (daily at hour H) or cron(0 H/N ? * * *) (every N hours)"
#: SageMaker's bound on MonitoringStoppingCondition.MaxRuntimeInSeconds.
MAX_RUNTIME_LIMIT = 86400


def schedule_interval_seconds(expression: str) -> int:
    """Seconds between two runs of a monitoring schedule; ``ValueError`` for an expression SageMaker
    refuses (it accepts only the hourly, daily and every-N-hours forms)."""
    if _HOURLY.match(expression):
        return 3600
    if _DAILY.match(expression):
        return 86400
    every = _EVERY.match(expression)
    if every:
        return int(every.group(2)) * 3600
    raise ValueError(f"must be one of {SCHEDULE_FORMS}, not {expression!r}")


@functools.lru_cache(maxsize=1)
def processing_instance_types() -> frozenset[str]:
    """The instance types a monitoring job may use: botocore's ``ProcessingInstanceType`` enum."""
    import botocore.session  # deliberately late: loading the SageMaker model takes a moment

    model = botocore.session.get_session().get_service_model("sagemaker")
    return frozenset(model.shape_for("ProcessingInstanceType").enum)


def check_processing_instance_type(instance_type: str) -> str:
    """``instance_type`` if monitoring jobs may run on it, else ``ValueError`` with examples."""
    if instance_type not in processing_instance_types():
        raise ValueError(f"{instance_type!r} is not a SageMaker processing instance type "
                         "(e.g. ml.m5.xlarge, ml.c5.xlarge, ml.t3.medium)")
    return instance_type


@dataclass
class BaselineArgs:
    """A baseline (``constraints.json`` and ``statistics.json``, e.g. written by a baselining job):
    keys in the environment's artifact bucket, so the monitor's role may read exactly those two objects."""

    constraints_key: str
    statistics_key: str


@dataclass
class DataQualityArgs:
    """One data-quality monitor. Defaults: hourly on one ``ml.m5.xlarge`` with a 20 GB volume, one-hour runs."""

    baseline: BaselineArgs
    schedule: str = "cron(0 * ? * * *)"
    instance_type: str = "ml.m5.xlarge"
    instance_count: int = 1
    volume_size_gb: int = 20
    max_runtime_seconds: int = 3600

    def __post_init__(self) -> None:
        interval = schedule_interval_seconds(self.schedule)
        check_processing_instance_type(self.instance_type)
        if not 1 <= self.instance_count <= 100:
            raise ValueError(f"instance_count must be 1-100, not {self.instance_count}")
        if not 1 <= self.volume_size_gb <= 16384:
            raise ValueError(f"volume_size_gb must be 1-16384, not {self.volume_size_gb}")
        if not 1 <= self.max_runtime_seconds <= min(interval, MAX_RUNTIME_LIMIT):
            raise ValueError(f"max_runtime_seconds must be 1-{min(interval, MAX_RUNTIME_LIMIT)} (a run must end "
                             f"before the next one starts), not {self.max_runtime_seconds}")

    @property
    def interval_seconds(self) -> int:
        return schedule_interval_seconds(self.schedule)


_FEATURE = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")


def feature_slug(feature: str) -> str:
    """The part of a drift alarm's resource name that names its feature (lower case, '-' separated)."""
    return re.sub(r"[^a-z0-9]+", "-", feature.lower()).strip("-") or "feature"


@dataclass
class DriftAlarmArgs:
    """Alarms on ``feature_baseline_drift_<feature>``, one per named feature. Default threshold 0.1
    (the maximum drift distance of one run), breached in one schedule period."""

    features: Sequence[str]
    threshold: float = 0.1
    evaluation_periods: int = 1

    def __post_init__(self) -> None:
        if not self.features:
            raise ValueError("drift alarms need at least one feature")
        for feature in self.features:
            if not _FEATURE.match(feature):
                raise ValueError(f"feature {feature!r} is not a column name the analyzer reports (1-200 letters, "
                                 "digits, '_', '-' and '.')")
        slugs = [feature_slug(f) for f in self.features]
        if len(set(slugs)) != len(slugs):
            raise ValueError(f"drift alarm features repeat (ignoring case and '_'/'-'/'.'): {list(self.features)}")
        if not 0 < self.threshold <= 1:
            raise ValueError(f"the drift threshold is a distance in (0, 1], not {self.threshold}")
        if not 1 <= self.evaluation_periods <= 24:
            raise ValueError(f"evaluation_periods must be 1-24, not {self.evaluation_periods}")


_PIPELINE_ARN = re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:pipeline/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$")


def check_pipeline_arn(arn: str) -> str:
    """``arn`` if it is a SageMaker pipeline ARN, else ``ValueError`` with the form."""
    if not _PIPELINE_ARN.match(arn):
        raise ValueError("must be a SageMaker pipeline ARN such as "
                         "arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-retraining")
    return arn


@dataclass
class RetrainingArgs:
    """A SageMaker pipeline that EventBridge starts when a drift alarm fires, under a role that may
    start that pipeline only."""

    pipeline_arn: str

    def __post_init__(self) -> None:
        check_pipeline_arn(self.pipeline_arn)


@dataclass
class MonitorAlarmsArgs:
    """What turns drift into action. Default: no drift alarms, failures of monitoring runs notified."""

    drift: Optional[DriftAlarmArgs] = None
    retraining: Optional[RetrainingArgs] = None

    def __post_init__(self) -> None:
        if self.retraining is not None and self.drift is None:
            raise ValueError("a retraining pipeline starts on drift alarms: configure drift features too")


@dataclass
class MonitoringArgs:
    """Everything monitored on one endpoint."""

    data_quality: DataQualityArgs
    alarms: MonitorAlarmsArgs = field(default_factory=MonitorAlarmsArgs)
