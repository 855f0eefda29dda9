"""An endpoint's ``monitoring`` section: a data-quality monitor on its captured traffic, drift alarms
and an optional retraining pipeline (``components.monitoring``).

::

    mlinfra:inference:
      endpoints:
        - name: churn
          dataCapture: {enabled: true}
          monitoring:
            dataQuality:
              baseline:                               # keys in the environment's artifact bucket
                constraints: monitoring/churn/baseline/constraints.json
                statistics: monitoring/churn/baseline/statistics.json
              schedule: cron(0 * ? * * *)             # default from the tier
            driftAlarms: {features: [tenure, monthly_charges]}   # threshold from the tier
            retrainingPipelineArn: arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-retraining

Schedules, run limits, instance types and thresholds SageMaker or CloudWatch would refuse at deploy
time fail here. See docs/components/monitoring.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from pydantic import Field, field_validator, model_validator

from components.common import Tier
from components.monitoring.args import (
    MAX_RUNTIME_LIMIT,
    BaselineArgs,
    DataQualityArgs,
    DriftAlarmArgs,
    MonitorAlarmsArgs,
    MonitoringArgs,
    RetrainingArgs,
    check_pipeline_arn,
    check_processing_instance_type,
    schedule_interval_seconds,
)
from components.sections import Section, fail_at


@dataclass(frozen=True)
class MonitoringTierDefaults:
    """What a tier implies for monitors the stack file does not tune."""

    schedule: str
    drift_threshold: float


#: Dev checks daily and tolerates more drift; staging every six hours; prod every hour, strictly.
MONITORING_TIER_DEFAULTS: dict[Tier, MonitoringTierDefaults] = {
    Tier.DEV: MonitoringTierDefaults(schedule="cron(0 0 ? * * *)", drift_threshold=0.3),
    Tier.STAGING: MonitoringTierDefaults(schedule="cron(0 0/6 ? * * *)", drift_threshold=0.2),
    Tier.PROD: MonitoringTierDefaults(schedule="cron(0 * ? * * *)", drift_threshold=0.1),
}

_JSON_KEY = re.compile(r"^[A-Za-z0-9!_.*'()/-]+\.json$")


def _check_key(value: str) -> str:
    if value.startswith(("s3://", "https://")):
        raise ValueError("must be a key in the environment's artifact bucket, such as "
                         "monitoring/churn/baseline/constraints.json, not a URI: the monitor's role may read "
                         "the platform's own artifact bucket only, so the bucket is implied")
    if not _JSON_KEY.match(value) or value.startswith("/") or ".." in value:
        raise ValueError("must be the key of a .json object in the environment's artifact bucket, "
                         "such as monitoring/churn/baseline/constraints.json")
    return value


def _check_runtime(max_runtime_seconds: int, schedule: str) -> None:
    interval = schedule_interval_seconds(schedule)
    if max_runtime_seconds > interval:
        raise fail_at(("dataQuality", "maxRuntimeSeconds"), max_runtime_seconds,
                      f"exceeds the {interval} s between runs of schedule {schedule}: a run must end before "
                      "the next starts", "monitoring")


class BaselineSettings(Section):
    """The baseline a data-quality monitor compares traffic with (e.g. a baselining job's output)."""

    #: Key of ``constraints.json`` in the environment's artifact bucket.
    constraints: str
    #: Key of ``statistics.json`` in the environment's artifact bucket.
    statistics: str

    _keys = field_validator("constraints", "statistics")(classmethod(lambda cls, v: _check_key(v)))


class DataQualitySettings(Section):
    """A data-quality monitoring schedule on the endpoint's captured traffic."""

    baseline: BaselineSettings
    #: ``cron(0 * ? * * *)`` hourly, ``cron(0 H ? * * *)`` daily, ``cron(0 H/N ? * * *)`` every N
    #: hours; default from the tier (dev daily, staging every 6 hours, prod hourly).
    schedule: Optional[str] = None
    #: Processing instance type of each run (botocore's ProcessingInstanceType values).
    instance_type: str = "ml.m5.xlarge"
    instance_count: int = Field(default=1, ge=1, le=100)
    volume_size_gb: int = Field(default=20, ge=1, le=16384)
    #: Upper bound of one run; at most the schedule's interval (and 86400).
    max_runtime_seconds: int = Field(default=3600, ge=1, le=MAX_RUNTIME_LIMIT)

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: Optional[str]) -> Optional[str]:
        if value is not None:
            schedule_interval_seconds(value)
        return value

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, value: str) -> str:
        return check_processing_instance_type(value)


class DriftAlarmSettings(Section):
    """CloudWatch alarms on ``feature_baseline_drift_<feature>``, to the monitor's topic."""

    #: Columns of the baseline to alarm on (the analyzer publishes one drift metric per column).
    features: list[str] = Field(min_length=1, max_length=50)
    #: Drift distance (0-1] at or above which an alarm fires; default from the tier (dev 0.3,
    #: staging 0.2, prod 0.1).
    threshold: Optional[float] = Field(default=None, gt=0, le=1)
    #: Consecutive monitoring runs the threshold must be breached.
    evaluation_periods: int = Field(default=1, ge=1, le=24)


class MonitoringSettings(Section):
    """Monitoring of one endpoint."""

    data_quality: DataQualitySettings
    drift_alarms: Optional[DriftAlarmSettings] = None
    #: A SageMaker pipeline EventBridge starts when a drift alarm fires (needs ``driftAlarms``).
    retraining_pipeline_arn: Optional[str] = None

    @field_validator("retraining_pipeline_arn")
    @classmethod
    def _pipeline(cls, value: Optional[str]) -> Optional[str]:
        return check_pipeline_arn(value) if value is not None else value

    @model_validator(mode="after")
    def _consistent(self) -> "MonitoringSettings":
        if self.retraining_pipeline_arn is not None and self.drift_alarms is None:
            raise fail_at(("retrainingPipelineArn",), self.retraining_pipeline_arn,
                          "starts on drift alarms: set driftAlarms.features too", "monitoring")
        quality = self.data_quality
        # An explicit schedule is checked here; a tier default against the tier's schedule in to_args.
        if quality.schedule is not None:
            _check_runtime(quality.max_runtime_seconds, quality.schedule)
        if self.drift_alarms is not None:
            try:
                DriftAlarmArgs(features=self.drift_alarms.features)  # names and repeats, as the component says
            except ValueError as exc:
                raise fail_at(("driftAlarms", "features"), self.drift_alarms.features, str(exc), "monitoring") from None
        return self

    def to_args(self, tier: Tier) -> MonitoringArgs:
        """The component's settings, with the tier's defaults for what the stack file leaves out."""
        defaults = MONITORING_TIER_DEFAULTS[tier]
        quality = self.data_quality
        drift = self.drift_alarms
        return MonitoringArgs(
            data_quality=DataQualityArgs(
                baseline=BaselineArgs(constraints_key=quality.baseline.constraints,
                                      statistics_key=quality.baseline.statistics),
                schedule=quality.schedule or defaults.schedule, instance_type=quality.instance_type,
                instance_count=quality.instance_count, volume_size_gb=quality.volume_size_gb,
                max_runtime_seconds=quality.max_runtime_seconds),
            alarms=MonitorAlarmsArgs(
                drift=DriftAlarmArgs(features=list(drift.features),
                                     threshold=drift.threshold if drift.threshold is not None
                                     else defaults.drift_threshold,
                                     evaluation_periods=drift.evaluation_periods) if drift else None,
                retraining=RetrainingArgs(self.retraining_pipeline_arn) if self.retraining_pipeline_arn else None),
        )
