"""IAM and event documents of an endpoint monitor, as plain functions of plain strings."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from components.inference.documents import ECR_PULL_ACTIONS, vpc_interface_statements
from components.monitoring.args import DATA_METRICS_NAMESPACE

PROCESSING_LOG_GROUP = "/aws/sagemaker/ProcessingJobs"
EVENTS_PRINCIPAL = "events.amazonaws.com"


def monitor_policy(*, capture_bucket_arn: str, capture_prefix: str, baseline_object_arns: Sequence[str],
                   output_bucket_arn: str, output_prefix: str, key_arns: Sequence[str], repository_arn: str,
                   vpc_arn: str, log_group_arn: str, ground_truth: Optional[tuple[str, str]] = None,
                   metrics_namespace: str = DATA_METRICS_NAMESPACE) -> dict[str, Any]:
    """What a monitoring job's role may do, and nothing else.

    List and read the endpoint's captured traffic under ``capture_prefix`` only; read the baseline
    objects (none: no statement); list and read ground-truth labels under ``ground_truth`` (bucket
    ARN, prefix; model quality only); write reports under ``output_prefix`` only; use ``key_arns``
    (capture, baseline, output and volume keys); pull the analyzer image from its one repository;
    manage network interfaces in ``vpc_arn`` only; write the processing jobs' log group; publish
    metrics to ``metrics_namespace`` only. Prefixes have no leading or trailing ``/``.
    """
    reads: list[dict[str, Any]] = []
    if baseline_object_arns:
        reads.append({"Sid": "ReadBaseline", "Effect": "Allow", "Action": "s3:GetObject",
                      "Resource": list(baseline_object_arns)})
    if ground_truth is not None:
        bucket_arn, prefix = ground_truth
        reads += [
            {"Sid": "ListGroundTruth", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn,
             "Condition": {"StringLike": {"s3:prefix": [f"{prefix}/*"]}}},
            {"Sid": "ReadGroundTruth", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket_arn}/{prefix}/*"},
        ]
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "ListCapture", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": capture_bucket_arn,
         "Condition": {"StringLike": {"s3:prefix": [f"{capture_prefix}/*"]}}},
        {"Sid": "ReadCapture", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": f"{capture_bucket_arn}/{capture_prefix}/*"},
        *reads,
        {"Sid": "WriteReports", "Effect": "Allow", "Action": "s3:PutObject",
         "Resource": f"{output_bucket_arn}/{output_prefix}/*"},
        {"Sid": "UseKeys", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Resource": sorted(set(key_arns))},
        {"Sid": "PullAnalyzer", "Effect": "Allow", "Action": ECR_PULL_ACTIONS, "Resource": repository_arn},
        # GetAuthorizationToken has no resource-level permissions.
        {"Sid": "EcrLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        # Network interfaces in this VPC only: the endpoint's statements (one per resource kind).
        *vpc_interface_statements(vpc_arn),
        {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream",
                                                      "logs:PutLogEvents", "logs:DescribeLogStreams"],
         "Resource": [log_group_arn, f"{log_group_arn}:*"]},
        {"Sid": "PublishMetrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
         "Condition": {"StringEquals": {"cloudwatch:namespace": metrics_namespace}}},
    ]}


def execution_failure_pattern(schedule_arns: Sequence[str]) -> dict[str, Any]:
    """Runs of the monitoring schedules that failed or were stopped.

    A run is a processing job; SageMaker sends ``SageMaker Processing Job State Change`` events whose
    detail mirrors DescribeProcessingJob, which names the schedule that started the job
    (``MonitoringScheduleArn``, botocore's DescribeProcessingJobResponse) and its status
    (``ProcessingJobStatus``: InProgress, Completed, Failed, Stopping, Stopped)."""
    return {"source": ["aws.sagemaker"], "detail-type": ["SageMaker Processing Job State Change"],
            "detail": {"MonitoringScheduleArn": list(schedule_arns), "ProcessingJobStatus": ["Failed", "Stopped"]}}


def alarm_state_pattern(alarm_arns: Sequence[str]) -> dict[str, Any]:
    """The named CloudWatch alarms entering ALARM (EventBridge's ``CloudWatch Alarm State Change``)."""
    return {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"],
            "resources": list(alarm_arns), "detail": {"state": {"value": ["ALARM"]}}}


def events_trust_policy() -> dict[str, Any]:
    """Only EventBridge may assume the role that starts the retraining pipeline."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": EVENTS_PRINCIPAL}, "Action": "sts:AssumeRole"}]}


def start_pipeline_policy(pipeline_arn: str) -> dict[str, Any]:
    """Start executions of one pipeline, nothing else."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "StartRetraining", "Effect": "Allow", "Action": "sagemaker:StartPipelineExecution",
        "Resource": pipeline_arn}]}


def topic_policy(*, topic_arn: str, account_id: str, rule_arns: Sequence[str], alarm_arns: Sequence[str]
                 ) -> dict[str, Any]:
    """The alert topic: EventBridge may publish for these rules and CloudWatch for these alarms;
    nothing reaches it without TLS."""
    statements: list[dict[str, Any]] = [
        {"Sid": "EventsPublish", "Effect": "Allow", "Principal": {"Service": EVENTS_PRINCIPAL},
         "Action": "sns:Publish", "Resource": topic_arn,
         "Condition": {"ArnEquals": {"aws:SourceArn": list(rule_arns)}}},
    ]
    if alarm_arns:
        statements.append({"Sid": "AlarmsPublish", "Effect": "Allow",
                           "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish",
                           "Resource": topic_arn,
                           "Condition": {"ArnEquals": {"aws:SourceArn": list(alarm_arns)},
                                         "StringEquals": {"aws:SourceAccount": account_id}}})
    statements.append({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
                       "Resource": topic_arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    return {"Version": "2012-10-17", "Statement": statements}
