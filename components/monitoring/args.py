"""Plain settings of an ``EndpointMonitor`` (no Pulumi types), with the checks SageMaker would
otherwise only make at deploy time. ``mlinfra.config.monitoring`` validates stack files with the same
functions and reports their messages under the offending key."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from catalog.instance_types import processing_instance_types

#: Where the built-in container publishes per-feature metrics of a real-time endpoint, with the
#: dimensions ``Endpoint`` and ``MonitoringSchedule`` (SageMaker developer guide,
#: model-monitor-interpreting-cloudwatch and model-monitor-byoc-cloudwatch; the guide spells the
#: namespace both ``data-metric`` and ``data-metrics``: the analyzer writes ``data-metrics``).
DATA_METRICS_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
#: ``feature_baseline_drift_<feature>``: the distance of a feature's distribution from its baseline.
DRIFT_METRIC_PREFIX = "feature_baseline_drift_"
#: Where the built-in analyzer reads the captured traffic and writes its reports inside the container
#: (botocore: EndpointInput.LocalPath is required), for every kind of monitoring job.
INPUT_PATH = "/opt/ml/processing/input/endpoint"
OUTPUT_PATH = "/opt/ml/processing/output"


def report_prefix(name: str, job: str) -> str:
    """The key prefix (no slashes at either end) monitor ``name``'s ``job`` (``data-quality``,
    ``model-quality``) writes its reports under."""
    return f"monitoring/{name}/{job}"

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
        check_job_resources(self.schedule, self.instance_type, self.instance_count, self.volume_size_gb,
                            self.max_runtime_seconds, runtime_limit(self.schedule))

    @property
    def interval_seconds(self) -> int:
        return schedule_interval_seconds(self.schedule)


def runtime_limit(schedule: str, *, model_quality: bool = False) -> int:
    """The longest run ``schedule`` allows: its interval (capped at SageMaker's 86400), halved for model
    quality, whose runs are a ground-truth merge job and then the monitoring job sharing the run's
    ``MaxRuntimeInSeconds`` (developer guide, model-monitor-model-quality-schedule: "for an hourly model
    quality monitoring job, the value of MaxRuntimeInSeconds ... should be no more than 1800")."""
    limit = min(schedule_interval_seconds(schedule), MAX_RUNTIME_LIMIT)
    return limit // 2 if model_quality else limit


def check_job_resources(schedule: str, instance_type: str, instance_count: int, volume_size_gb: int,
                        max_runtime_seconds: int, limit: int) -> None:
    """``ValueError`` for a schedule, instance type, count, volume or run limit SageMaker would refuse
    (or a run that could outlast ``limit``, the time its schedule leaves it)."""
    schedule_interval_seconds(schedule)
    check_processing_instance_type(instance_type)
    if not 1 <= instance_count <= 100:
        raise ValueError(f"instance_count must be 1-100, not {instance_count}")
    if not 1 <= volume_size_gb <= 16384:
        raise ValueError(f"volume_size_gb must be 1-16384, not {volume_size_gb}")
    if not 1 <= max_runtime_seconds <= limit:
        raise ValueError(f"max_runtime_seconds must be 1-{limit} (a run must end before the next one starts), "
                         f"not {max_runtime_seconds}")


#: botocore sagemaker ``MonitoringProblemType`` (ModelQualityAppSpecification.ProblemType).
PROBLEM_TYPES = ("BinaryClassification", "MulticlassClassification", "Regression")

# botocore MonitoringTimeOffsetString (1-15 characters, ``.?P.*``); the developer guide's forms are
# ``-PT<n>H``, ``-PT<n>M`` and ``-P<n>D`` (model-monitor-model-quality-schedule, "Model monitor offsets").
_OFFSET = re.compile(r"^-P(?:(\d{1,4})D|T(\d{1,5})H|T(\d{1,6})M)$")
OFFSET_FORMS = "-PT<n>H (hours), -PT<n>M (minutes) or -P<n>D (days) before the run"


def offset_seconds(offset: str) -> int:
    """How far before a run an analysis-window offset reaches, in seconds; ``ValueError`` for other forms."""
    match = _OFFSET.match(offset) if len(offset) <= 15 else None
    if not match:
        raise ValueError(f"must be {OFFSET_FORMS}, such as -PT1H or -P1D, not {offset!r}")
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60


def problem_attribute_error(problem_type: str, inference_attribute: Optional[str], probability_attribute: Optional[str],
                            probability_threshold: Optional[float]) -> Optional[tuple[str, str]]:
    """The attribute SageMaker's model-quality analyzer cannot work with for ``problem_type``, as
    (camelCase setting, message), or None.

    Regression and multiclass classification compare the predicted label (``inferenceAttribute``)
    with the ground truth and take no probabilities; binary classification takes the predicted label,
    or a probability with the threshold that turns it into a label (both or neither). As
    aws-solutions/mlops-workload-orchestrator documents and checks for the SageMaker SDK's
    ``ModelQualityMonitor`` (source/infrastructure/lib/blueprints/lambdas/create_baseline_job/
    baselines_helper.py)."""
    if problem_type not in PROBLEM_TYPES:
        return "problemType", f"must be one of {', '.join(PROBLEM_TYPES)}"
    if probability_threshold is not None and not 0 <= probability_threshold <= 1:
        return "probabilityThresholdAttribute", "is a probability: 0-1"
    if problem_type != "BinaryClassification":
        for key, value in (("probabilityAttribute", probability_attribute),
                           ("probabilityThresholdAttribute", probability_threshold)):
            if value is not None:
                return key, f"applies to BinaryClassification only, not {problem_type}: set inferenceAttribute"
        if not inference_attribute:
            return "inferenceAttribute", (f"is required for {problem_type}: the index or JSONPath of the predicted "
                                          "value in the endpoint's output")
        return None
    if (probability_attribute is None) != (probability_threshold is None):
        missing = "probabilityThresholdAttribute" if probability_threshold is None else "probabilityAttribute"
        return missing, ("BinaryClassification takes probabilityAttribute and probabilityThresholdAttribute "
                         "together (the threshold turns the probability into a label)")
    if not inference_attribute and probability_attribute is None:
        return "inferenceAttribute", ("BinaryClassification needs inferenceAttribute, or probabilityAttribute "
                                      "with probabilityThresholdAttribute")
    return None


@dataclass
class ModelQualityArgs:
    """One model-quality monitor: the endpoint's predictions (from its captured traffic) compared with
    ground-truth labels the team writes under ``ground_truth_prefix`` of the environment's artifact
    bucket. Defaults: hourly on one ``ml.m5.xlarge`` with a 20 GB volume, runs of at most 30 minutes
    (half the interval: the ground-truth merge job runs first), the whole last interval analysed (no
    offsets), no baseline constraints (metrics are reported, not judged)."""

    problem_type: str
    ground_truth_prefix: str
    inference_attribute: Optional[str] = None
    probability_attribute: Optional[str] = None
    probability_threshold: Optional[float] = None
    #: Key of a model-quality ``constraints.json`` in the artifact bucket (e.g. a baselining job's output).
    constraints_key: Optional[str] = None
    #: Analysis window relative to each run (e.g. ``-P8D`` to ``-P1D`` when labels arrive within a week).
    start_time_offset: Optional[str] = None
    end_time_offset: Optional[str] = None
    schedule: str = "cron(0 * ? * * *)"
    instance_type: str = "ml.m5.xlarge"
    instance_count: int = 1
    volume_size_gb: int = 20
    max_runtime_seconds: int = 1800

    def __post_init__(self) -> None:
        problem = problem_attribute_error(self.problem_type, self.inference_attribute, self.probability_attribute,
                                          self.probability_threshold)
        if problem:
            raise ValueError(f"{problem[0]}: {problem[1]}")
        if not self.ground_truth_prefix or self.ground_truth_prefix.startswith("/") or \
                self.ground_truth_prefix.endswith("/") or ".." in self.ground_truth_prefix:
            raise ValueError(f"ground_truth_prefix must be a key prefix without '/' at either end and without '..', "
                             f"not {self.ground_truth_prefix!r}")
        check_offsets(self.start_time_offset, self.end_time_offset)
        check_job_resources(self.schedule, self.instance_type, self.instance_count, self.volume_size_gb,
                            self.max_runtime_seconds, runtime_limit(self.schedule, model_quality=True))


def check_offsets(start: Optional[str], end: Optional[str]) -> None:
    """``ValueError`` for an offset of another form, or a window that ends before it starts."""
    starts, ends = (offset_seconds(o) if o is not None else None for o in (start, end))
    if starts is not None and ends is not None and starts <= ends:
        raise ValueError(f"the analysis window must start before it ends: start_time_offset {start} reaches "
                         f"less far back than end_time_offset {end}")


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
    #: Model-quality monitoring (needs ``pulumi-aws-native``: ``pip install 'mlinfra[model-quality]'``).
    model_quality: Optional[ModelQualityArgs] = None
