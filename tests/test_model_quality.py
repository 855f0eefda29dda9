"""Model-quality monitoring: the attribute rules per problem type, the aws-native job definition and
its schedule under Pulumi's mocks, every bad ``monitoring.modelQuality`` input, and the lazy import
of pulumi-aws-native (planned only when a model-quality monitor is configured)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from components.monitoring.args import (
    PROBLEM_TYPES,
    BaselineArgs,
    DataQualityArgs,
    ModelQualityArgs,
    MonitoringArgs,
    offset_seconds,
    problem_attribute_error,
)
from components.monitoring.model_quality import MODEL_METRICS_NAMESPACE
from components.monitoring.monitor import EndpointMonitor, EndpointMonitorArgs
from components.monitoring.native import native_provider
from mlinfra.config import platform_config_from
from mlinfra.config.stack_checks import endpoint_monitoring
from mlinfra.errors import ConfigError
from policies.rules import sagemaker as sagemaker_rules
from monitoring_helpers import NAME, monitored_endpoint
from policy_helpers import resource_args, violations

ROOT = Path(__file__).resolve().parent.parent
#: The extra is in ``.[dev]`` (CI installs it); a shared development venv without it skips, and says so.
try:
    AWS_NATIVE = importlib.util.find_spec("pulumi_aws_native") is not None
except ValueError:  # a None entry in sys.modules, as the absence test below makes
    AWS_NATIVE = False
needs_aws_native = pytest.mark.skipif(not AWS_NATIVE,
                                      reason="pulumi-aws-native is not installed: pip install -e '.[model-quality]'")
NATIVE_JOB = "aws-native:sagemaker:ModelQualityJobDefinition"
SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
BASELINE = {"constraints": "monitoring/churn/constraints.json", "statistics": "monitoring/churn/statistics.json"}


# ------------------------------------------------------------------------------------------ pure rules

@needs_aws_native
def test_problem_types_are_botocores_and_aws_natives():
    import botocore.session
    from pulumi_aws_native.sagemaker import ModelQualityJobDefinitionProblemType

    model = botocore.session.get_session().get_service_model("sagemaker")
    assert set(PROBLEM_TYPES) == set(model.shape_for("MonitoringProblemType").enum)
    assert set(PROBLEM_TYPES) == {member.value for member in ModelQualityJobDefinitionProblemType}
    # The attributes live on the endpoint input (botocore EndpointInput), the ground truth on its own input.
    assert {"InferenceAttribute", "ProbabilityAttribute", "ProbabilityThresholdAttribute", "StartTimeOffset",
            "EndTimeOffset"} <= set(model.shape_for("EndpointInput").members)
    assert model.shape_for("ModelQualityJobInput").required_members == ["GroundTruthS3Input"]


@pytest.mark.parametrize("problem, inference, probability, threshold, error", [
    ("Regression", "0", None, None, None),
    ("MulticlassClassification", "$.label", None, None, None),
    ("BinaryClassification", "0", None, None, None),
    ("BinaryClassification", None, "1", 0.5, None),
    ("BinaryClassification", "0", "1", 0.5, None),
    ("Ranking", "0", None, None, "problemType"),
    ("Regression", None, None, None, "inferenceAttribute"),
    ("Regression", "0", "1", None, "probabilityAttribute"),
    ("MulticlassClassification", "0", None, 0.5, "probabilityThresholdAttribute"),
    ("BinaryClassification", None, None, None, "inferenceAttribute"),
    ("BinaryClassification", None, "1", None, "probabilityThresholdAttribute"),
    ("BinaryClassification", "0", None, 0.5, "probabilityAttribute"),
    ("BinaryClassification", None, "1", 1.5, "probabilityThresholdAttribute"),
])
def test_attributes_the_problem_type_needs(problem, inference, probability, threshold, error):
    found = problem_attribute_error(problem, inference, probability, threshold)
    assert (found[0] if found else None) == error


def test_offsets_are_the_guides_forms():
    assert [offset_seconds(o) for o in ("-PT1H", "-PT30M", "-P8D")] == [3600, 1800, 8 * 86400]
    for bad in ("PT1H", "-P1H", "-PT1D", "-P1W", "NOW", "-P99999999999D"):
        with pytest.raises(ValueError, match="must be -PT<n>H"):
            offset_seconds(bad)


def test_model_quality_runs_get_half_the_interval():
    ModelQualityArgs("Regression", "gt/churn", inference_attribute="0", max_runtime_seconds=1800)
    with pytest.raises(ValueError, match="max_runtime_seconds must be 1-1800"):
        ModelQualityArgs("Regression", "gt/churn", inference_attribute="0", max_runtime_seconds=1801)
    with pytest.raises(ValueError, match="inferenceAttribute: is required for Regression"):
        ModelQualityArgs("Regression", "gt/churn")
    with pytest.raises(ValueError, match="must start before it ends"):
        ModelQualityArgs("Regression", "gt/churn", inference_attribute="0", start_time_offset="-P1D",
                         end_time_offset="-P2D")


# ------------------------------------------------------------------------------------------ component

def _quality(**kw) -> ModelQualityArgs:
    settings = {"problem_type": "BinaryClassification", "ground_truth_prefix": "monitoring/churn/ground-truth",
                "probability_attribute": "0", "probability_threshold": 0.6, "constraints_key":
                "monitoring/churn/model-quality/constraints.json", "start_time_offset": "-P2D",
                "end_time_offset": "-P1D", **kw}
    return ModelQualityArgs(**settings)


def _build(run, quality=None, *, provider=True):
    created = {}

    def program():
        native = native_provider("aws-native", region="us-east-1",
                                 tags={"owner": "ml-platform", "cost-center": "cc-1", "environment": "prod"})
        monitoring = MonitoringArgs(data_quality=DataQualityArgs(baseline=BaselineArgs(BASELINE["constraints"],
                                                                                       BASELINE["statistics"])),
                                    model_quality=quality or _quality())
        created["monitor"] = EndpointMonitor(NAME, EndpointMonitorArgs(
            **monitored_endpoint(), monitoring=monitoring, region="us-east-1",
            native_provider=native if provider else None))

    run(program)
    return created["monitor"]


@needs_aws_native
def test_job_runs_isolated_in_the_monitors_vpc_setup_encrypted_with_the_inference_key(monitor, run):
    _build(run)
    job = monitor.named(NATIVE_JOB, f"{NAME}-model-quality")
    inputs = job.inputs
    key = monitor.named("aws:kms/key:Key", "inference-key").outputs["arn"]
    data_quality = monitor.named("aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
                                 f"{NAME}-data-quality").inputs
    assert inputs["networkConfig"] == {**data_quality["networkConfig"]}  # same subnets, group, isolation
    assert inputs["networkConfig"]["enableNetworkIsolation"] is True
    assert inputs["networkConfig"]["enableInterContainerTrafficEncryption"] is True
    assert inputs["jobResources"]["clusterConfig"] == {"instanceCount": 1, "instanceType": "ml.m5.xlarge",
                                                       "volumeSizeInGb": 20, "volumeKmsKeyId": key}
    assert inputs["modelQualityJobOutputConfig"]["kmsKeyId"] == key
    assert inputs["stoppingCondition"] == {"maxRuntimeInSeconds": 1800}
    # Created by the explicit aws-native provider, whose region and default tags are the stack's.
    provider = next(r for r in monitor.registrations.values() if r.type == "pulumi:providers:aws-native")
    assert job.provider.startswith(provider.urn)
    assert provider.inputs["region"] == "us-east-1"
    assert json.loads(provider.inputs["defaultTags"])["tags"]["owner"] == "ml-platform"


@needs_aws_native
def test_job_compares_the_endpoints_predictions_with_the_ground_truth(monitor, run):
    _build(run)
    inputs = monitor.named(NATIVE_JOB, f"{NAME}-model-quality").inputs
    app = inputs["modelQualityAppSpecification"]
    assert app == {"imageUri": "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer",
                   "problemType": "BinaryClassification", "environment": {"publish_cloudwatch_metrics": "Enabled"}}
    artifacts = monitor.named("aws:s3/bucket:Bucket", "artifacts").outputs["bucket"]
    capture = monitor.named("aws:s3/bucket:Bucket", f"{NAME}-capture").outputs["bucket"]
    job_input = inputs["modelQualityJobInput"]
    assert job_input["groundTruthS3Input"] == {"s3Uri": f"s3://{artifacts}/monitoring/churn/ground-truth"}
    assert job_input["endpointInput"] == {
        "endpointName": NAME, "localPath": "/opt/ml/processing/input/endpoint", "probabilityAttribute": "0",
        "probabilityThresholdAttribute": 0.6, "startTimeOffset": "-P2D", "endTimeOffset": "-P1D"}
    assert inputs["modelQualityBaselineConfig"] == {"constraintsResource": {
        "s3Uri": f"s3://{artifacts}/monitoring/churn/model-quality/constraints.json"}}
    assert inputs["modelQualityJobOutputConfig"]["monitoringOutputs"] == [{"s3Output": {
        "s3Uri": f"s3://{capture}/monitoring/{NAME}/model-quality", "localPath": "/opt/ml/processing/output",
        "s3UploadMode": "EndOfJob"}}]


@needs_aws_native
def test_schedule_names_the_auto_named_job_definition(monitor, run):
    _build(run)
    job = monitor.named(NATIVE_JOB, f"{NAME}-model-quality")
    schedule = monitor.named(SCHEDULE, f"{NAME}-model-quality").inputs
    assert schedule["name"] == f"{NAME}-model-quality"
    config = schedule["monitoringScheduleConfig"]
    assert config["monitoringType"] == "ModelQuality"
    assert config["monitoringJobDefinitionName"] == job.outputs["jobDefinitionName"]
    assert job.outputs["jobDefinitionName"].startswith(f"{NAME}-model-quality-")
    assert config["scheduleConfig"] == {"scheduleExpression": "cron(0 * ? * * *)"}
    # The failure rule covers both schedules' runs.
    rule = monitor.named("aws:cloudwatch/eventRule:EventRule", f"{NAME}-monitor-failures")
    arns = json.loads(rule.inputs["eventPattern"])["detail"]["MonitoringScheduleArn"]
    assert arns == [monitor.named(SCHEDULE, f"{NAME}-data-quality").outputs["arn"],
                    monitor.named(SCHEDULE, f"{NAME}-model-quality").outputs["arn"]]


@needs_aws_native
def test_role_reads_capture_ground_truth_and_constraints_and_writes_only_its_reports(monitor, run):
    _build(run)
    job = monitor.named(NATIVE_JOB, f"{NAME}-model-quality").inputs
    role = monitor.named("aws:iam/role:Role", f"{NAME}-model-quality")
    assert job["roleArn"] == role.outputs["arn"]
    policy = json.loads(monitor.named(ROLE_POLICY, f"{NAME}-model-quality").inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    capture = monitor.named("aws:s3/bucket:Bucket", f"{NAME}-capture").outputs["arn"]
    artifacts = monitor.named("aws:s3/bucket:Bucket", "artifacts").outputs["arn"]
    assert by_sid["ReadCapture"]["Resource"] == f"{capture}/{NAME}/*"
    assert by_sid["ReadGroundTruth"]["Resource"] == f"{artifacts}/monitoring/churn/ground-truth/*"
    assert by_sid["ListGroundTruth"]["Condition"] == {"StringLike": {"s3:prefix": ["monitoring/churn/ground-truth/*"]}}
    assert by_sid["ReadBaseline"]["Resource"] == [f"{artifacts}/monitoring/churn/model-quality/constraints.json"]
    reads = [s["Resource"] for s in policy["Statement"] if s["Action"] == "s3:GetObject"]
    assert len(reads) == 3
    writes = [s for s in policy["Statement"] if "s3:PutObject" in str(s["Action"])]
    assert [s["Resource"] for s in writes] == [f"{capture}/monitoring/{NAME}/model-quality/*"]
    assert by_sid["PublishMetrics"]["Condition"] == {"StringEquals": {"cloudwatch:namespace": MODEL_METRICS_NAMESPACE}}
    actions = [a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert not [a for a in actions if a.endswith("*")]


@needs_aws_native
def test_without_constraints_there_is_no_baseline_to_read(monitor, run):
    _build(run, _quality(constraints_key=None, problem_type="Regression", inference_attribute="0",
                         probability_attribute=None, probability_threshold=None))
    job = monitor.named(NATIVE_JOB, f"{NAME}-model-quality").inputs
    assert "modelQualityBaselineConfig" not in job
    assert job["modelQualityAppSpecification"]["problemType"] == "Regression"
    policy = json.loads(monitor.named(ROLE_POLICY, f"{NAME}-model-quality").inputs["policy"])
    assert "ReadBaseline" not in {s["Sid"] for s in policy["Statement"]}


@needs_aws_native
def test_the_planned_job_passes_the_monitor_job_rules_and_fails_them_without_its_settings(monitor, run):
    # The rules read the property names the provider sends (camelCase, CloudFormation-shaped).
    _build(run)
    props = monitor.named(NATIVE_JOB, f"{NAME}-model-quality").inputs
    for rule in sagemaker_rules.SECURITY:
        assert violations(rule, resource_args(NATIVE_JOB, props)) == [], rule.name
    broken = {**props, "networkConfig": {}, "modelQualityJobOutputConfig": {"monitoringOutputs": []},
              "jobResources": {"clusterConfig": {"instanceType": "ml.m5.xlarge"}}}
    assert {rule.name for rule in sagemaker_rules.SECURITY if violations(rule, resource_args(NATIVE_JOB, broken))} == {
        "sagemaker-vpc-config", "sagemaker-network-isolation", "sagemaker-inter-container-encryption",
        "sagemaker-volume-cmk", "sagemaker-output-cmk"}


@needs_aws_native
def test_a_model_quality_monitor_needs_an_explicit_native_provider(monitor, run):
    with pytest.raises(Exception, match="needs native_provider"):
        _build(run, provider=False)


# ------------------------------------------------------------------------------------------ configuration

SOURCE = "stacks/Pulumi.prod.yaml"
KEY = "mlinfra:inference.endpoints.0.monitoring.modelQuality"
GOOD = {"problemType": "BinaryClassification", "groundTruth": "monitoring/churn/ground-truth",
        "probabilityAttribute": "0", "probabilityThresholdAttribute": 0.5}


def config(model_quality, tier="prod"):
    endpoint = {"name": "churn", "framework": "xgboost", "frameworkVersion": "1.7-1",
                "modelDataUrl": "models/churn/model.tar.gz", "dataCapture": {"enabled": True},
                "monitoring": {"dataQuality": {"baseline": BASELINE}, "modelQuality": model_quality}}
    return platform_config_from({
        "aws:region": "us-east-1", "mlinfra:tier": tier,
        "mlinfra:tags": json.dumps({"owner": "ml-platform", "costCenter": "cc-1"}),
        "mlinfra:inference": json.dumps({"endpoints": [endpoint]}),
    }, environment=tier, source=SOURCE)


def model_quality_args(model_quality, tier="prod") -> ModelQualityArgs:
    return endpoint_monitoring(config(model_quality, tier), source=SOURCE)["churn"].model_quality


@pytest.mark.parametrize("tier, schedule", [("dev", "cron(0 0 ? * * *)"), ("staging", "cron(0 0/6 ? * * *)"),
                                            ("prod", "cron(0 * ? * * *)")])
@needs_aws_native
def test_defaults_come_from_the_tier_and_the_data_quality_monitors_defaults(tier, schedule):
    result = model_quality_args(GOOD, tier)
    assert result.schedule == schedule
    assert (result.instance_type, result.instance_count, result.volume_size_gb, result.max_runtime_seconds) == (
        "ml.m5.xlarge", 1, 20, 1800)
    assert result.ground_truth_prefix == "monitoring/churn/ground-truth"
    assert (result.probability_attribute, result.probability_threshold, result.inference_attribute) == ("0", 0.5, None)


@needs_aws_native
def test_explicit_settings_and_a_trailing_slash():
    result = model_quality_args({**GOOD, "groundTruth": "monitoring/churn/ground-truth/", "schedule": "cron(0 0/4 ? * * *)",
                                 "instanceType": "ml.c5.xlarge", "maxRuntimeSeconds": 7200, "startTimeOffset": "-P8D",
                                 "endTimeOffset": "-P1D", "constraints": "monitoring/churn/mq/constraints.json"})
    assert result.ground_truth_prefix == "monitoring/churn/ground-truth"
    assert (result.schedule, result.instance_type, result.max_runtime_seconds) == ("cron(0 0/4 ? * * *)", "ml.c5.xlarge", 7200)
    assert (result.start_time_offset, result.end_time_offset) == ("-P8D", "-P1D")
    assert result.constraints_key == "monitoring/churn/mq/constraints.json"


def without(mapping, key):
    return {k: v for k, v in mapping.items() if k != key}


@pytest.mark.parametrize("model_quality, key, message", [
    ({**GOOD, "problemType": "Ranking"}, "problemType",
     "must be one of BinaryClassification, MulticlassClassification, Regression"),
    (without(GOOD, "problemType"), "problemType", "is required"),
    (without(GOOD, "groundTruth"), "groundTruth", "is required"),
    ({**GOOD, "groundTruth": "s3://other-bucket/labels"}, "groundTruth", "not a URI"),
    ({**GOOD, "groundTruth": "/labels"}, "groundTruth", "no leading '/'"),
    ({**GOOD, "groundTruth": "labels/../secrets"}, "groundTruth", "no '//' or '..'"),
    ({**GOOD, "groundTruth": ""}, "groundTruth", "must be a key prefix"),
    ({**GOOD, "constraints": "s3://b/constraints.json"}, "constraints", "not a URI"),
    ({**GOOD, "constraints": "monitoring/constraints.csv"}, "constraints", "must be the key of a .json object"),
    ({"problemType": "Regression", "groundTruth": "gt"}, "inferenceAttribute", "is required for Regression"),
    ({"problemType": "Regression", "groundTruth": "gt", "inferenceAttribute": "0", "probabilityAttribute": "1"},
     "probabilityAttribute", "applies to BinaryClassification only"),
    ({"problemType": "MulticlassClassification", "groundTruth": "gt", "inferenceAttribute": "0",
      "probabilityThresholdAttribute": 0.5}, "probabilityThresholdAttribute", "applies to BinaryClassification only"),
    (without(GOOD, "probabilityThresholdAttribute"), "probabilityThresholdAttribute", "together"),
    ({**without(GOOD, "probabilityAttribute"), "inferenceAttribute": "0"}, "probabilityAttribute", "together"),
    ({"problemType": "BinaryClassification", "groundTruth": "gt"}, "inferenceAttribute",
     "needs inferenceAttribute, or probabilityAttribute with probabilityThresholdAttribute"),
    ({**GOOD, "probabilityThresholdAttribute": 1.5}, "probabilityThresholdAttribute", "less than or equal to 1"),
    ({**GOOD, "inferenceAttribute": ""}, "inferenceAttribute", "at least 1 character"),
    ({**GOOD, "startTimeOffset": "1 day"}, "startTimeOffset", "must be -PT<n>H"),
    ({**GOOD, "endTimeOffset": "-P1W"}, "endTimeOffset", "must be -PT<n>H"),
    ({**GOOD, "startTimeOffset": "-PT1H", "endTimeOffset": "-P1D"}, "startTimeOffset", "must start before it ends"),
    ({**GOOD, "schedule": "rate(1 hour)"}, "schedule", "must be one of cron"),
    ({**GOOD, "instanceType": "ml.p4d.24xlarge"}, "instanceType", "not a SageMaker processing instance type"),
    ({**GOOD, "instanceCount": 0}, "instanceCount", "greater than or equal to 1"),
    ({**GOOD, "volumeSizeGb": 20000}, "volumeSizeGb", "less than or equal to 16384"),
    ({**GOOD, "schedule": "cron(0 * ? * * *)", "maxRuntimeSeconds": 2400}, "maxRuntimeSeconds",
     "exceeds half the 3600 s between runs"),
    ({**GOOD, "maxRuntimeSeconds": 50000}, "maxRuntimeSeconds", "less than or equal to 43200"),
    ({**GOOD, "extra": 1}, "extra", "is not a known setting"),
])
def test_bad_model_quality_settings_name_the_key(model_quality, key, message):
    with pytest.raises(ConfigError) as info:
        model_quality_args(model_quality)
    text = str(info.value)
    assert text.startswith(f"{SOURCE}: {KEY}.{key}"), text
    assert message in text, text
    assert "\n" not in text


@needs_aws_native
def test_a_run_longer_than_half_the_tiers_default_interval_is_named():
    with pytest.raises(ConfigError) as info:
        model_quality_args({**GOOD, "maxRuntimeSeconds": 3600}, tier="prod")
    text = str(info.value)
    assert text.startswith(f"{SOURCE}: {KEY} = ") and "max_runtime_seconds must be 1-1800" in text
    assert "prod tier's default schedule is cron(0 * ? * * *)" in text and "\n" not in text
    assert model_quality_args({**GOOD, "maxRuntimeSeconds": 3600}, tier="dev").max_runtime_seconds == 3600


def test_an_endpoint_name_too_long_for_the_model_quality_children_is_refused():
    from mlinfra.config.stack_checks import check_name_lengths

    name = "churn-propensity-scoring-endpoint-abc"  # fits the data-quality job definition, not this one
    endpoint = {"name": name, "framework": "xgboost", "frameworkVersion": "1.7-1",
                "modelDataUrl": "models/churn/model.tar.gz", "dataCapture": {"enabled": True},
                "monitoring": {"dataQuality": {"baseline": BASELINE}}}
    values = {"aws:region": "us-east-1", "mlinfra:tier": "prod",
              "mlinfra:tags": json.dumps({"owner": "ml-platform", "costCenter": "cc-1"}),
              "mlinfra:inference": json.dumps({"endpoints": [endpoint]})}
    check_name_lengths(platform_config_from(values, environment="prod", source=SOURCE), source=SOURCE)
    endpoint["monitoring"]["modelQuality"] = GOOD
    values["mlinfra:inference"] = json.dumps({"endpoints": [endpoint]})
    with pytest.raises(ConfigError, match=f"the model-quality job definition 'prod-{name}-model-quality' plus "
                                          "Pulumi's 8-character suffix exceeds 63"):
        check_name_lengths(platform_config_from(values, environment="prod", source=SOURCE), source=SOURCE)


# ------------------------------------------------------------------------------------------ lazy import

MQ_STACK = ROOT / "tests" / "data" / "stacks" / "Pulumi.mq.yaml"
PLAN = """
import sys
{prelude}
from mlinfra.cli import main
code = main(["plan", "{env}", "--out", "plan.json"])
loaded = sys.modules.get("pulumi_aws_native") is not None
print("pulumi_aws_native imported:", loaded)
sys.exit(code)
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The program, its stack files plus the model-quality test stack (Pulumi.mq.yaml), pack configuration."""
    base = tmp_path_factory.mktemp("model-quality")
    shutil.copy(ROOT / "Pulumi.yaml", base / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", base / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(MQ_STACK, base / "stacks" / "Pulumi.mq.yaml")
    shutil.copytree(ROOT / "policies" / "config", base / "policies" / "config")
    for pack in (ROOT / "policies").iterdir():
        if (pack / "PulumiPolicy.yaml").is_file():
            (base / "policies" / pack.name).symlink_to(pack)
    return base


def plan_in_process(project: Path, env: str, prelude: str = "") -> subprocess.CompletedProcess:
    (project / "plan.json").unlink(missing_ok=True)
    return subprocess.run([sys.executable, "-c", PLAN.format(prelude=prelude, env=env)], cwd=project,
                          capture_output=True, text=True, timeout=300)


def test_a_plan_without_a_model_quality_monitor_never_imports_aws_native(project):
    result = plan_in_process(project, "prod")  # prod monitors its endpoint for data quality only
    assert result.returncode == 0, result.stderr
    assert "pulumi_aws_native imported: False" in result.stdout


@needs_aws_native
def test_a_model_quality_monitor_plans_with_aws_native_and_reviews_clean(project):
    result = plan_in_process(project, "mq")
    assert result.returncode == 0, result.stderr
    assert "pulumi_aws_native imported: True" in result.stdout
    resources = json.loads((project / "plan.json").read_text())["deployment"]["resources"]
    assert [r["type"] for r in resources].count(NATIVE_JOB) == 1
    review = subprocess.run([sys.executable, "-m", "mlinfra.cli", "review", "--deployment", "plan.json", "--env",
                             "staging"], cwd=project, capture_output=True, text=True, timeout=300)
    assert review.returncode == 0, review.stdout + review.stderr
    assert "0 mandatory, 0 advisory violations" in review.stdout
    assert NATIVE_JOB not in review.stdout  # examined by the SageMaker rules, not listed as unexamined
    # The cost estimate finds the schedule's aws-native job definition by its jobDefinitionName.
    from catalog.prices import default_prices
    from mlinfra.cost import estimate

    lines = {line.resource: line for line in estimate(json.loads((project / "plan.json").read_text()),
                                                     default_prices()).lines}
    model_quality = lines["mq-churn-model-quality"]
    assert (model_quality.item, model_quality.known) == ("ml.m5.xlarge", True)
    # Staging's default schedule (every 6 hours) and the model-quality default run limit (30 minutes).
    assert model_quality.note == "121.667 runs a month; 0.5 h a run"


@needs_aws_native
def test_graph_and_diff_handle_the_aws_native_type_token(project, capsys, monkeypatch):
    from mlinfra.cli import main

    assert plan_in_process(project, "mq").returncode == 0
    head = json.loads((project / "plan.json").read_text())
    base = json.loads(json.dumps(head))
    base["deployment"]["resources"] = [r for r in head["deployment"]["resources"]
                                       if "model-quality" not in r["urn"] and "aws-native" not in r["type"]]
    (project / "base.json").write_text(json.dumps(base))
    monkeypatch.chdir(project)
    capsys.readouterr()
    assert main(["graph", "--deployment", "plan.json", "--resources"]) == 0
    assert "ModelQualityJobDefinition mq-churn-model-quality" in capsys.readouterr().out
    assert main(["diff", "base.json", "plan.json", "--env", "staging"]) == 0
    out = capsys.readouterr().out
    assert f"+ {NATIVE_JOB} mq-churn-model-quality" in out
    assert "+ pulumi:providers:aws-native aws-native" in out


def test_a_model_quality_monitor_without_the_package_is_one_clear_line(project):
    # Absence simulated: a None entry makes `import pulumi_aws_native` raise ModuleNotFoundError.
    result = plan_in_process(project, "mq", prelude='sys.modules["pulumi_aws_native"] = None')
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr == (
        "mlinfra: error: stacks/Pulumi.mq.yaml: mlinfra:inference.endpoints.0.monitoring.modelQuality: needs the "
        "pulumi-aws-native package, which is not installed: pip install 'mlinfra[model-quality]' "
        "(or 'pulumi-aws-native>=1.84,<2')\n")
    assert not (project / "plan.json").exists()
