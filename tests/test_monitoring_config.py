"""An endpoint's ``monitoring`` section: tier defaults, and one clear message for every bad input."""

from __future__ import annotations

import json

import pytest

from components.common import Tier
from mlinfra.config import platform_config_from
from mlinfra.config.stack_checks import endpoint_monitoring
from mlinfra.errors import ConfigError

SOURCE = "stacks/Pulumi.prod.yaml"
PIPELINE = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-retraining"
BASELINE = {"constraints": "monitoring/churn/constraints.json", "statistics": "monitoring/churn/statistics.json"}


def config(monitoring, tier="prod", capture=True, region="us-east-1"):
    endpoint = {"name": "churn", "framework": "xgboost", "frameworkVersion": "1.7-1",
                "modelDataUrl": "models/churn/model.tar.gz", "dataCapture": {"enabled": capture},
                "monitoring": monitoring}
    return platform_config_from({
        "aws:region": region, "mlinfra:tier": tier,
        "mlinfra:tags": json.dumps({"owner": "ml-platform", "costCenter": "cc-1"}),
        "mlinfra:inference": json.dumps({"endpoints": [endpoint]}),
    }, environment=tier, source=SOURCE)


def args(monitoring, **kw):
    return endpoint_monitoring(config(monitoring, **kw), source=SOURCE)["churn"]


def error(monitoring, **kw) -> str:
    with pytest.raises(ConfigError) as info:
        args(monitoring, **kw)
    return str(info.value)


@pytest.mark.parametrize("tier, schedule, threshold", [
    ("dev", "cron(0 0 ? * * *)", 0.3), ("staging", "cron(0 0/6 ? * * *)", 0.2), ("prod", "cron(0 * ? * * *)", 0.1)])
def test_schedule_and_drift_threshold_default_from_the_tier(tier, schedule, threshold):
    result = args({"dataQuality": {"baseline": BASELINE}, "driftAlarms": {"features": ["tenure"]}}, tier=tier)
    assert result.data_quality.schedule == schedule
    assert result.alarms.drift.threshold == threshold
    assert result.data_quality.baseline.constraints_key == BASELINE["constraints"]


def test_explicit_settings_win_over_tier_defaults():
    result = args({"dataQuality": {"baseline": BASELINE, "schedule": "cron(0 0/2 ? * * *)", "instanceType": "ml.c5.xlarge",
                                   "maxRuntimeSeconds": 1800},
                   "driftAlarms": {"features": ["tenure"], "threshold": 0.25, "evaluationPeriods": 3},
                   "retrainingPipelineArn": PIPELINE})
    assert result.data_quality.schedule == "cron(0 0/2 ? * * *)"
    assert result.data_quality.instance_type == "ml.c5.xlarge"
    assert (result.alarms.drift.threshold, result.alarms.drift.evaluation_periods) == (0.25, 3)
    assert result.alarms.retraining.pipeline_arn == PIPELINE


def test_unmonitored_endpoints_have_no_monitor():
    cfg = platform_config_from({
        "aws:region": "us-east-1", "mlinfra:tier": "dev",
        "mlinfra:tags": json.dumps({"owner": "o", "costCenter": "c"}),
        "mlinfra:inference": json.dumps({"endpoints": [{"name": "churn", "framework": "xgboost",
                                                        "frameworkVersion": "1.7-1",
                                                        "modelDataUrl": "models/churn/model.tar.gz"}]}),
    }, environment="dev", source=SOURCE)
    assert endpoint_monitoring(cfg, source=SOURCE) == {}


KEY = "mlinfra:inference.endpoints.0.monitoring"


@pytest.mark.parametrize("monitoring, key, message", [
    ({"dataQuality": {"baseline": {**BASELINE, "constraints": "s3://other-bucket/constraints.json"}}},
     "dataQuality.baseline.constraints", "not a URI: the monitor's role may read the platform's own artifact bucket"),
    ({"dataQuality": {"baseline": {**BASELINE, "statistics": "../secrets/statistics.json"}}},
     "dataQuality.baseline.statistics", "must be the key of a .json object"),
    ({"dataQuality": {"baseline": {**BASELINE, "statistics": "monitoring/churn/statistics.csv"}}},
     "dataQuality.baseline.statistics", "must be the key of a .json object"),
    ({"dataQuality": {"baseline": {"constraints": BASELINE["constraints"]}}},
     "dataQuality.baseline.statistics", "is required"),
    ({"dataQuality": {"baseline": BASELINE, "schedule": "rate(1 hour)"}}, "dataQuality.schedule", "must be one of cron"),
    ({"dataQuality": {"baseline": BASELINE, "schedule": "NOW"}}, "dataQuality.schedule", "must be one of cron"),
    ({"dataQuality": {"baseline": BASELINE, "instanceType": "ml.p4d.24xlarge"}}, "dataQuality.instanceType",
     "not a SageMaker processing instance type"),
    ({"dataQuality": {"baseline": BASELINE, "schedule": "cron(0 * ? * * *)", "maxRuntimeSeconds": 7200}},
     "dataQuality.maxRuntimeSeconds", "a run must end before the next starts"),
    ({"dataQuality": {"baseline": BASELINE}, "retrainingPipelineArn": PIPELINE},
     "retrainingPipelineArn", "set driftAlarms.features too"),
    ({"dataQuality": {"baseline": BASELINE}, "driftAlarms": {"features": ["t"]},
      "retrainingPipelineArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn"},
     "retrainingPipelineArn", "must be a SageMaker pipeline ARN"),
    ({"dataQuality": {"baseline": BASELINE}, "driftAlarms": {"features": ["tenure", "TENURE"]}},
     "driftAlarms.features", "repeat"),
    ({"dataQuality": {"baseline": BASELINE}, "driftAlarms": {"features": ["t"], "threshold": 1.5}},
     "driftAlarms.threshold", "less than or equal to 1"),
    ({"dataQuality": {"baseline": BASELINE}, "driftAlarms": {"features": []}}, "driftAlarms.features",
     "at least 1 item"),
    ({"dataQuality": {"baseline": BASELINE, "extra": 1}}, "dataQuality.extra", "is not a known setting"),
])
def test_bad_monitoring_settings_name_the_key(monitoring, key, message):
    text = error(monitoring)
    assert text.startswith(f"{SOURCE}: {KEY}.{key}")
    assert message in text
    assert "\n" not in text


def test_monitoring_needs_data_capture():
    text = error({"dataQuality": {"baseline": BASELINE}}, capture=False)
    assert text.startswith(f"{SOURCE}: {KEY} ") and "set dataCapture.enabled: true" in text


def test_a_run_longer_than_the_tiers_default_schedule_is_named():
    text = error({"dataQuality": {"baseline": BASELINE, "maxRuntimeSeconds": 7200}}, tier="prod")
    assert text.startswith(f"{SOURCE}: {KEY}.dataQuality = ")
    assert "prod tier's default schedule is cron(0 * ? * * *)" in text
    # Dev's daily default leaves room for a two-hour run.
    assert args({"dataQuality": {"baseline": BASELINE, "maxRuntimeSeconds": 7200}}, tier="dev")


def test_a_region_without_an_analyzer_image_is_named(monkeypatch):
    from catalog import monitor_images as images

    monkeypatch.setattr(images, "_registry", lambda: ({"us-west-2": "159807026194"}, "sagemaker-model-monitor-analyzer"))
    text = error({"dataQuality": {"baseline": BASELINE}})
    assert text.startswith(f"{SOURCE}: {KEY}: SageMaker Model Monitor has no analyzer image in 'us-east-1'")


def test_tier_defaults_cover_every_tier():
    from mlinfra.config.monitoring import MONITORING_TIER_DEFAULTS

    assert set(MONITORING_TIER_DEFAULTS) == set(Tier)


def test_an_endpoint_name_too_long_for_its_monitor_is_refused():
    from mlinfra.config.stack_checks import check_name_lengths

    cfg = config({"dataQuality": {"baseline": BASELINE}})
    check_name_lengths(cfg, source=SOURCE)  # prod-churn fits
    long = platform_config_from({
        "aws:region": "us-east-1", "mlinfra:tier": "prod",
        "mlinfra:tags": json.dumps({"owner": "ml-platform", "costCenter": "cc-1"}),
        "mlinfra:inference": json.dumps({"endpoints": [{
            "name": "churn-propensity-scoring-endpoint-v2-abc", "framework": "xgboost", "frameworkVersion": "1.7-1",
            "modelDataUrl": "models/churn/model.tar.gz", "dataCapture": {"enabled": True},
            "monitoring": {"dataQuality": {"baseline": BASELINE}}}]}),
    }, environment="prod", source=SOURCE)
    with pytest.raises(ConfigError, match="the data-quality job definition 'prod-churn-propensity-scoring-endpoint-v2-abc-"
                                          "data-quality' plus Pulumi's 8-character suffix exceeds 63"):
        check_name_lengths(long, source=SOURCE)
