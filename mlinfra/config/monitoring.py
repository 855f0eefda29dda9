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
            modelQuality:                             # needs pip install 'mlinfra[model-quality]'
              problemType: BinaryClassification
              groundTruth: monitoring/churn/ground-truth   # a prefix in the artifact bucket
              probabilityAttribute: "0"
              probabilityThresholdAttribute: 0.5

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
    PROBLEM_TYPES,
    BaselineArgs,
    DataQualityArgs,
    DriftAlarmArgs,
    ModelQualityArgs,
    MonitorAlarmsArgs,
    MonitoringArgs,
    RetrainingArgs,
    check_offsets,
    check_pipeline_arn,
    check_processing_instance_type,
    offset_seconds,
    problem_attribute_error,
    runtime_limit,
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
_PREFIX = re.compile(r"^[A-Za-z0-9!_.*'()/-]{1,512}$")


def _check_key(value: str) -> str:
    if value.startswith(("s3://", "https://")):
        raise ValueError("must be a key in the environment's artifact bucket, such as "
                         "monitoring/churn/baseline/constraints.json, not a URI: the monitor's role may read "
                         "the platform's own artifact bucket only, so the bucket is implied")
    if not _JSON_KEY.match(value) or value.startswith("/") or ".." in value:
        raise ValueError("must be the key of a .json object in the environment's artifact bucket, "
                         "such as monitoring/churn/baseline/constraints.json")
    return value


def _check_prefix(value: str) -> str:
    """A key prefix in the environment's artifact bucket, checked as the baseline keys are; stored
    without a trailing ``/``."""
    if value.startswith(("s3://", "https://")):
        raise ValueError("must be a key prefix in the environment's artifact bucket, such as "
                         "monitoring/churn/ground-truth, not a URI: the monitor's role may read the platform's "
                         "own artifact bucket only, so the bucket is implied")
    prefix = value.rstrip("/")
    if not _PREFIX.match(prefix) or prefix.startswith("/") or ".." in prefix or "//" in prefix:
        raise ValueError("must be a key prefix in the environment's artifact bucket (letters, digits and "
                         "!_.*'()/-, no leading '/', no '//' or '..'), such as monitoring/churn/ground-truth")
    return prefix


def _check_runtime(max_runtime_seconds: int, schedule: str, section: str = "dataQuality") -> None:
    model_quality = section == "modelQuality"
    limit = runtime_limit(schedule, model_quality=model_quality)
    if max_runtime_seconds > limit:
        why = (f"exceeds half the {limit * 2} s between runs of schedule {schedule}: a model-quality run is a "
               "ground-truth merge job and the monitoring job, which share the limit" if model_quality else
               f"exceeds the {limit} s between runs of schedule {schedule}: a run must end before the next starts")
        raise fail_at((section, "maxRuntimeSeconds"), max_runtime_seconds, why, "monitoring")


class BaselineSettings(Section):
    """The baseline a data-quality monitor compares traffic with (e.g. a baselining job's output)."""

    #: Key of ``constraints.json`` in the environment's artifact bucket.
    constraints: str
    #: Key of ``statistics.json`` in the environment's artifact bucket.
    statistics: str

    _keys = field_validator("constraints", "statistics")(classmethod(lambda cls, v: _check_key(v)))


class _JobSettings(Section):
    """What every monitoring job has: its schedule and the instances each run takes (each kind of job
    sets its own ``max_runtime_seconds`` bound)."""

    #: ``cron(0 * ? * * *)`` hourly, ``cron(0 H ? * * *)`` daily, ``cron(0 H/N ? * * *)`` every N
    #: hours; default from the tier (dev daily, staging every 6 hours, prod hourly).
    schedule: Optional[str] = None
    #: Processing instance type of each run (botocore's ProcessingInstanceType values).
    instance_type: str = "ml.m5.xlarge"
    instance_count: int = Field(default=1, ge=1, le=100)
    volume_size_gb: int = Field(default=20, ge=1, le=16384)

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

    def _job(self, schedule: str) -> dict:
        """The component arguments for these settings, on ``schedule`` unless the file sets one."""
        return dict(schedule=self.schedule or schedule, instance_type=self.instance_type,
                    instance_count=self.instance_count, volume_size_gb=self.volume_size_gb,
                    max_runtime_seconds=self.max_runtime_seconds)


class DataQualitySettings(_JobSettings):
    """A data-quality monitoring schedule on the endpoint's captured traffic."""

    baseline: BaselineSettings
    #: Upper bound of one run; at most the schedule's interval (and 86400).
    max_runtime_seconds: int = Field(default=3600, ge=1, le=MAX_RUNTIME_LIMIT)

    def to_args(self, schedule: str) -> DataQualityArgs:
        """The component's settings, on ``schedule`` unless the file sets one."""
        return DataQualityArgs(
            baseline=BaselineArgs(constraints_key=self.baseline.constraints, statistics_key=self.baseline.statistics),
            **self._job(schedule))


class ModelQualitySettings(_JobSettings):
    """A model-quality monitoring schedule: the endpoint's captured predictions merged with ground-truth
    labels the team writes to the artifact bucket, metrics compared with optional baseline constraints.
    Needs the ``pulumi-aws-native`` package (``pip install 'mlinfra[model-quality]'``)."""

    #: botocore's MonitoringProblemType: BinaryClassification, MulticlassClassification or Regression.
    problem_type: str
    #: Key prefix in the environment's artifact bucket where the ground-truth labels land.
    ground_truth: str
    #: Index (CSV) or JSONPath (JSON) of the predicted label or value in the endpoint's output.
    inference_attribute: Optional[str] = Field(default=None, min_length=1, max_length=256)
    #: BinaryClassification: index or JSONPath of the positive class's probability.
    probability_attribute: Optional[str] = Field(default=None, min_length=1, max_length=256)
    #: BinaryClassification: the probability at or above which a prediction counts as positive (0-1).
    probability_threshold_attribute: Optional[float] = Field(default=None, ge=0, le=1)
    #: Key of a model-quality ``constraints.json`` in the artifact bucket; default none (metrics only).
    constraints: Optional[str] = None
    #: Analysis window per run, e.g. ``-P8D`` .. ``-P1D`` when labels arrive within a week; default:
    #: the interval just ended.
    start_time_offset: Optional[str] = None
    end_time_offset: Optional[str] = None
    #: Upper bound of one run (merge job and analysis together); at most half the schedule's interval.
    max_runtime_seconds: int = Field(default=1800, ge=1, le=MAX_RUNTIME_LIMIT // 2)

    @field_validator("problem_type")
    @classmethod
    def _problem_type(cls, value: str) -> str:
        if value not in PROBLEM_TYPES:
            raise ValueError(f"must be one of {', '.join(PROBLEM_TYPES)} (botocore MonitoringProblemType)")
        return value

    _ground_truth = field_validator("ground_truth")(classmethod(lambda cls, v: _check_prefix(v)))

    @field_validator("constraints")
    @classmethod
    def _constraints(cls, value: Optional[str]) -> Optional[str]:
        return value if value is None else _check_key(value)

    @field_validator("start_time_offset", "end_time_offset")
    @classmethod
    def _offset(cls, value: Optional[str]) -> Optional[str]:
        if value is not None:
            offset_seconds(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "ModelQualitySettings":
        problem = problem_attribute_error(self.problem_type, self.inference_attribute, self.probability_attribute,
                                          self.probability_threshold_attribute)
        if problem:
            key, message = problem
            snake = {"problemType": "problem_type", "inferenceAttribute": "inference_attribute",
                     "probabilityAttribute": "probability_attribute",
                     "probabilityThresholdAttribute": "probability_threshold_attribute"}[key]
            raise fail_at((key,), getattr(self, snake), message, "modelQuality")
        try:
            check_offsets(self.start_time_offset, self.end_time_offset)
        except ValueError as exc:
            raise fail_at(("startTimeOffset",), self.start_time_offset, str(exc), "modelQuality") from None
        return self

    def to_args(self, schedule: str) -> ModelQualityArgs:
        """The component's settings, on ``schedule`` unless the file sets one."""
        return ModelQualityArgs(
            problem_type=self.problem_type, ground_truth_prefix=self.ground_truth,
            inference_attribute=self.inference_attribute, probability_attribute=self.probability_attribute,
            probability_threshold=self.probability_threshold_attribute, constraints_key=self.constraints,
            start_time_offset=self.start_time_offset, end_time_offset=self.end_time_offset, **self._job(schedule))


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
    #: Model-quality monitoring against ground truth (docs/components/monitoring.md); default none.
    model_quality: Optional[ModelQualitySettings] = None

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
        if self.model_quality is not None and self.model_quality.schedule is not None:
            _check_runtime(self.model_quality.max_runtime_seconds, self.model_quality.schedule, "modelQuality")
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
            data_quality=quality.to_args(defaults.schedule),
            alarms=MonitorAlarmsArgs(
                drift=DriftAlarmArgs(features=list(drift.features),
                                     threshold=drift.threshold if drift.threshold is not None
                                     else defaults.drift_threshold,
                                     evaluation_periods=drift.evaluation_periods) if drift else None,
                retraining=RetrainingArgs(self.retraining_pipeline_arn) if self.retraining_pipeline_arn else None),
            model_quality=self.model_quality.to_args(defaults.schedule) if self.model_quality else None,
        )
