"""EndpointMonitor under Pulumi's mocks: job isolation and encryption, the role's reach, schedule,
drift alarms, failure events and the retraining target."""

from __future__ import annotations

import json

import pytest

from components.monitoring import documents
from components.monitoring.args import (
    BaselineArgs,
    DataQualityArgs,
    DriftAlarmArgs,
    MonitorAlarmsArgs,
    MonitoringArgs,
    RetrainingArgs,
    schedule_interval_seconds,
)
from catalog.monitor_images import monitor_image_uri, monitor_regions, monitor_repository_arn
from components.monitoring.monitor import EndpointMonitor, EndpointMonitorArgs
from monitoring_helpers import NAME, monitored_endpoint

JOB = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
PIPELINE = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-retraining"


def _monitoring(drift=True, retraining=False, **quality):
    return MonitoringArgs(
        data_quality=DataQualityArgs(baseline=BaselineArgs("monitoring/churn/constraints.json",
                                                           "monitoring/churn/statistics.json"), **quality),
        alarms=MonitorAlarmsArgs(drift=DriftAlarmArgs(features=["tenure", "monthly_charges"]) if drift else None,
                                 retraining=RetrainingArgs(PIPELINE) if retraining else None))


def _build(run, monitoring=None, capture=True):
    created = {}

    def program():
        created["monitor"] = EndpointMonitor(NAME, EndpointMonitorArgs(
            **monitored_endpoint(capture), monitoring=monitoring or _monitoring(), region="us-east-1"))

    run(program)
    return created["monitor"]


def test_job_runs_isolated_in_the_vpc_encrypted_with_the_inference_key(monitor, run):
    _build(run)
    job = monitor.named(JOB, f"{NAME}-data-quality").inputs
    key = monitor.named("aws:kms/key:Key", "inference-key").outputs["arn"]
    network = job["networkConfig"]
    assert network["enableNetworkIsolation"] is True
    assert network["enableInterContainerTrafficEncryption"] is True
    private = sorted(s.id for s in monitor.by_type("aws:ec2/subnet:Subnet") if "-private-" in s.name)
    assert sorted(network["vpcConfig"]["subnets"]) == private
    sg = monitor.named("aws:ec2/securityGroup:SecurityGroup", f"{NAME}-monitor")
    assert network["vpcConfig"]["securityGroupIds"] == [sg.id]
    assert sg.inputs.get("ingress", []) == []
    assert {(r["fromPort"], r["toPort"]) for r in sg.inputs["egress"]} == {(443, 443)}
    assert job["jobResources"]["clusterConfig"]["volumeKmsKeyId"] == key
    assert job["dataQualityJobOutputConfig"]["kmsKeyId"] == key


def test_job_reads_the_endpoints_capture_against_the_baseline_with_the_regional_analyzer(monitor, run):
    _build(run)
    job = monitor.named(JOB, f"{NAME}-data-quality").inputs
    assert job["dataQualityAppSpecification"]["imageUri"] == (
        "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer")
    assert job["dataQualityAppSpecification"]["environment"] == {"publish_cloudwatch_metrics": "Enabled"}
    assert job["dataQualityJobInput"]["endpointInput"]["endpointName"] == NAME
    artifacts = monitor.named("aws:s3/bucket:Bucket", "artifacts").outputs["bucket"]
    baseline = job["dataQualityBaselineConfig"]
    assert baseline["constraintsResource"]["s3Uri"] == f"s3://{artifacts}/monitoring/churn/constraints.json"
    assert baseline["statisticsResource"]["s3Uri"] == f"s3://{artifacts}/monitoring/churn/statistics.json"
    capture = monitor.named("aws:s3/bucket:Bucket", f"{NAME}-capture").outputs["bucket"]
    assert job["dataQualityJobOutputConfig"]["monitoringOutputs"]["s3Output"]["s3Uri"] == (
        f"s3://{capture}/monitoring/{NAME}/data-quality")
    schedule = monitor.named(SCHEDULE, f"{NAME}-data-quality").inputs["monitoringScheduleConfig"]
    assert schedule["monitoringType"] == "DataQuality"
    assert schedule["monitoringJobDefinitionName"] == monitor.named(JOB, f"{NAME}-data-quality").outputs["name"]
    assert schedule["scheduleConfig"]["scheduleExpression"] == "cron(0 * ? * * *)"
    assert job["stoppingCondition"]["maxRuntimeInSeconds"] == 3600


def test_role_reads_only_capture_and_baseline_and_writes_only_reports(monitor, run):
    _build(run)
    policy = json.loads(monitor.named(ROLE_POLICY, f"{NAME}-monitor").inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    capture = monitor.named("aws:s3/bucket:Bucket", f"{NAME}-capture").outputs["arn"]
    artifacts = monitor.named("aws:s3/bucket:Bucket", "artifacts").outputs["arn"]
    assert by_sid["ReadCapture"]["Resource"] == f"{capture}/{NAME}/*"
    assert by_sid["ListCapture"]["Condition"] == {"StringLike": {"s3:prefix": [f"{NAME}/*"]}}
    assert by_sid["ReadBaseline"]["Resource"] == [f"{artifacts}/monitoring/churn/constraints.json",
                                                  f"{artifacts}/monitoring/churn/statistics.json"]
    assert by_sid["WriteReports"]["Resource"] == f"{capture}/monitoring/{NAME}/data-quality/*"
    writes = [s for s in policy["Statement"] if "s3:PutObject" in str(s["Action"])]
    assert [s["Sid"] for s in writes] == ["WriteReports"]
    assert by_sid["PullAnalyzer"]["Resource"] == (
        "arn:aws:ecr:us-east-1:156813124566:repository/sagemaker-model-monitor-analyzer")
    vpc = monitor.by_type("aws:ec2/vpc:Vpc")[0].outputs["arn"]
    assert by_sid["VpcInterfaces"]["Condition"] == {"ArnEquals": {"ec2:Vpc": vpc}}
    # The same interface statements as the endpoint's role (CreateNetworkInterface split per resource kind).
    assert by_sid["CreateVpcInterfaces"]["Action"] == "ec2:CreateNetworkInterface"
    assert by_sid["PlaceVpcInterfaces"]["Condition"] == {"ArnEquals": {"ec2:Vpc": vpc}}
    keys = {monitor.named("aws:kms/key:Key", k).outputs["arn"] for k in ("inference-key", "artifacts-key")}
    assert set(by_sid["UseKeys"]["Resource"]) == keys
    assert by_sid["Logs"]["Resource"][0] == "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/ProcessingJobs"
    actions = [a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert not [a for a in actions if a.endswith("*")]


def test_drift_alarms_watch_each_feature_per_run_and_notify_the_encrypted_topic(monitor, run):
    _build(run, _monitoring(schedule="cron(0 0/6 ? * * *)"))
    topic = monitor.named("aws:sns/topic:Topic", f"{NAME}-monitoring")
    assert topic.inputs["kmsMasterKeyId"] == monitor.named("aws:kms/key:Key", "inference-key").outputs["arn"]
    alarms = {a.name: a.inputs for a in monitor.by_type(ALARM) if "-drift-" in a.name}
    assert sorted(alarms) == [f"{NAME}-drift-monthly-charges", f"{NAME}-drift-tenure"]
    tenure = alarms[f"{NAME}-drift-tenure"]
    assert tenure["namespace"] == "aws/sagemaker/Endpoints/data-metrics"
    assert tenure["metricName"] == "feature_baseline_drift_tenure"
    assert tenure["dimensions"] == {"Endpoint": NAME, "MonitoringSchedule": f"{NAME}-data-quality"}
    assert tenure["period"] == 6 * 3600 and tenure["threshold"] == 0.1
    assert tenure["alarmActions"] == [topic.outputs["arn"]]


def test_failed_runs_reach_the_topic_through_a_policy_scoped_to_the_rule(monitor, run):
    _build(run)
    schedule = monitor.named(SCHEDULE, f"{NAME}-data-quality").outputs["arn"]
    rule = monitor.named(RULE, f"{NAME}-monitor-failures")
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.sagemaker"], "detail-type": ["SageMaker Processing Job State Change"],
        "detail": {"MonitoringScheduleArn": [schedule], "ProcessingJobStatus": ["Failed", "Stopped"]}}
    topic = monitor.named("aws:sns/topic:Topic", f"{NAME}-monitoring").outputs["arn"]
    assert monitor.named(TARGET, f"{NAME}-monitor-failures").inputs["arn"] == topic
    policy = json.loads(monitor.named("aws:sns/topicPolicy:TopicPolicy", f"{NAME}-monitoring").inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["EventsPublish"]["Condition"] == {"ArnEquals": {"aws:SourceArn": [rule.outputs["arn"]]}}
    alarm_arns = sorted(a.outputs["arn"] for a in monitor.by_type(ALARM) if "-drift-" in a.name)
    assert sorted(by_sid["AlarmsPublish"]["Condition"]["ArnEquals"]["aws:SourceArn"]) == alarm_arns
    assert by_sid["DenyInsecureTransport"]["Effect"] == "Deny"
    assert not [r for r in monitor.by_type(RULE) if r.name.endswith("-retraining")]


def test_retraining_pipeline_starts_on_drift_under_a_role_that_may_start_only_it(monitor, run):
    _build(run, _monitoring(retraining=True))
    rule = monitor.named(RULE, f"{NAME}-retraining")
    alarm_arns = sorted(a.outputs["arn"] for a in monitor.by_type(ALARM) if "-drift-" in a.name)
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["source"] == ["aws.cloudwatch"] and pattern["detail"] == {"state": {"value": ["ALARM"]}}
    assert sorted(pattern["resources"]) == alarm_arns
    target = monitor.named(TARGET, f"{NAME}-retraining").inputs
    role = monitor.named("aws:iam/role:Role", f"{NAME}-retraining")
    assert target["arn"] == PIPELINE and target["roleArn"] == role.outputs["arn"]
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "events.amazonaws.com"}
    assert json.loads(monitor.named(ROLE_POLICY, f"{NAME}-retraining").inputs["policy"])["Statement"] == [{
        "Sid": "StartRetraining", "Effect": "Allow", "Action": "sagemaker:StartPipelineExecution",
        "Resource": PIPELINE}]


def test_an_endpoint_without_capture_cannot_be_monitored(monitor, run):
    with pytest.raises(Exception, match="captures no data"):
        _build(run, capture=False)


@pytest.mark.parametrize("expression, seconds", [
    ("cron(0 * ? * * *)", 3600), ("cron(0 12 ? * * *)", 86400), ("cron(0 0/6 ? * * *)", 21600),
    ("cron(0 17/12 ? * * *)", 43200)])
def test_schedules_sagemaker_accepts(expression, seconds):
    assert schedule_interval_seconds(expression) == seconds


@pytest.mark.parametrize("expression", ["NOW", "rate(1 hour)", "cron(30 * ? * * *)", "cron(0 25 ? * * *)",
                                        "cron(0 0/0 ? * * *)", "cron(0 * * * ? *)"])
def test_schedules_sagemaker_refuses(expression):
    with pytest.raises(ValueError, match="must be one of cron"):
        schedule_interval_seconds(expression)


@pytest.mark.parametrize("kwargs, message", [
    (dict(max_runtime_seconds=7200), "a run must end before the next one starts"),
    (dict(instance_type="ml.p4d.24xlarge"), "not a SageMaker processing instance type"),
    (dict(volume_size_gb=0), "volume_size_gb"),
    (dict(instance_count=0), "instance_count"),
])
def test_data_quality_args_refuse_what_sagemaker_refuses(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataQualityArgs(baseline=BaselineArgs("c.json", "s.json"), **kwargs)


@pytest.mark.parametrize("kwargs, message", [
    (dict(features=[]), "at least one feature"),
    (dict(features=["a_b", "A-b"]), "repeat"),
    (dict(features=["has space"]), "not a column name"),
    (dict(features=["x"], threshold=0), "distance"),
])
def test_drift_alarm_args(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DriftAlarmArgs(**kwargs)


def test_retraining_needs_a_pipeline_arn_and_drift_alarms():
    with pytest.raises(ValueError, match="pipeline ARN"):
        RetrainingArgs("arn:aws:sagemaker:us-east-1:123456789012:endpoint/x")
    with pytest.raises(ValueError, match="drift features"):
        MonitorAlarmsArgs(retraining=RetrainingArgs(PIPELINE))


def test_analyzer_image_matches_the_sdks_own_resolution_in_every_region():
    from sagemaker.core import image_uris

    for region in monitor_regions():
        assert monitor_image_uri(region) == image_uris.retrieve("model-monitor", region)
    assert monitor_repository_arn("eu-west-1").endswith(":468650794304:repository/sagemaker-model-monitor-analyzer")
    with pytest.raises(ValueError, match="no analyzer image in 'mars-east-1'"):
        monitor_image_uri("mars-east-1")


def test_failure_pattern_names_fields_of_describe_processing_job():
    """The event detail mirrors DescribeProcessingJob: the fields the pattern matches exist there."""
    import botocore.session

    shape = botocore.session.get_session().get_service_model("sagemaker").shape_for("DescribeProcessingJobResponse")
    detail = documents.execution_failure_pattern(["arn"])["detail"]
    assert set(detail) <= set(shape.members)
    assert set(detail["ProcessingJobStatus"]) <= set(shape.members["ProcessingJobStatus"].enum)
