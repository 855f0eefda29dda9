"""Audit trails and credential hygiene beyond ``edge.py``: CloudTrail trails deliver to CloudWatch
Logs (where metric filters and alarms can watch them), and Secrets Manager rotations run at least
every ``maxRotationDays``.

Inputs are pulumi-aws 7's: ``aws.cloudtrail.Trail`` ``cloudWatchLogsGroupArn`` (with
``cloudWatchLogsRoleArn``); ``aws.secretsmanager.SecretRotation`` ``rotationRules``
(``automaticallyAfterDays``, or ``scheduleExpression`` ``rate(N days|hours)``/``cron(...)``) and
``rotationEnabled`` (false disables AWS-managed rotation). A ``cron`` schedule is not judged (it
runs at least monthly unless its day fields say otherwise). Checkov CKV2_AWS_10, CKV_AWS_304.
"""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)

from policies.rules._components import as_built
from policies.rules._declare import applies_to, config_schema, examines, frameworks, policy_config
from policies.rules._index import ReferenceIndex, of_type
from policies.rules._props import as_bool, as_int, describe, get, is_unknown, single

TRAIL = "aws:cloudtrail/trail:Trail"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
#: pulumi-aws-native (1.84): AWS::CloudTrail::Trail ``cloudWatchLogsLogGroupArn``; AWS::SecretsManager::
#: RotationSchedule ``rotationRules`` (AutomaticallyAfterDays, ScheduleExpression); AWS::Lambda::Function
#: ``tracingConfig.mode``; AWS::ApiGateway::Stage ``tracingEnabled``; AWS::StepFunctions::StateMachine
#: ``tracingConfiguration.enabled``.
NATIVE_TRAIL = "aws-native:cloudtrail:Trail"
NATIVE_ROTATION = "aws-native:secretsmanager:RotationSchedule"
_RATE = re.compile(r"^\s*rate\(\s*(\d+)\s+(day|days|hour|hours)\s*\)\s*$", re.IGNORECASE)


def _trail_cloudwatch(args: ResourceValidationArgs, report: ReportViolation) -> None:
    name = "cloudWatchLogsLogGroupArn" if args.resource_type == NATIVE_TRAIL else "cloudWatchLogsGroupArn"
    group = get(args.props, name)
    if is_unknown(group) or (isinstance(group, str) and group):
        return
    report(f"{describe(args)} does not deliver to CloudWatch Logs ({name} is not set): no metric "
           "filter or alarm can watch its events")


cloudtrail_cloudwatch_logs = ResourceValidationPolicy(
    name="cloudtrail-cloudwatch-logs",
    description="CloudTrail trails deliver their events to a CloudWatch Logs log group.",
    validate=as_built((TRAIL, NATIVE_TRAIL), _trail_cloudwatch, "logs"),
    severity=Severity.MEDIUM,
    remediation_steps="Set cloud_watch_logs_group_arn=f'{log_group.arn}:*' and cloud_watch_logs_role_arn (a role "
                      "CloudTrail assumes, allowed logs:CreateLogStream and logs:PutLogEvents) on the trail.",
    **frameworks({"nist-800-53": "AU-6, SI-4", "pci-dss": "10.4.1", "hipaa": "164.312(b)"}),
)

INTERVAL_SCHEMA = config_schema(
    maxRotationDays={
        "type": "integer", "minimum": 1, "maximum": 365, "default": 90,
        "description": "Longest time between rotations of a secret, in days (CIS AWS 1.14 and PCI DSS: 90).",
    },
)


def _interval_days(rules: Any) -> Any:
    """The rotation interval in days (float for hour rates), ``None`` if not judgeable, or unknown."""
    days = rules.get("automaticallyAfterDays")
    if is_unknown(days):
        return days
    if days is not None:
        return as_int(days)
    expression = rules.get("scheduleExpression")
    if is_unknown(expression) or not isinstance(expression, str):
        return expression if is_unknown(expression) else None
    match = _RATE.match(expression)
    if not match:
        return None  # cron(): not judged
    count = int(match.group(1))
    return count if match.group(2).lower().startswith("day") else count / 24


def _rotation_interval(args: ResourceValidationArgs, report: ReportViolation) -> None:
    maximum = as_int(policy_config(args, INTERVAL_SCHEMA)["maxRotationDays"])
    if as_bool(get(args.props, "rotationEnabled")) is False:
        report(f"{describe(args)} disables rotation (rotationEnabled false): the secret is never rotated")
        return
    rules = get(args.props, "rotationRules")
    rules = single(rules)
    if not isinstance(rules, dict):
        return
    days = _interval_days(rules)
    if isinstance(days, (int, float)) and not isinstance(days, bool) and isinstance(maximum, int) and days > maximum:
        report(f"{describe(args)} rotates the secret every {days:g} days, more than the {maximum} allowed")


secret_rotation_interval = ResourceValidationPolicy(
    name="secret-rotation-interval",
    description="Secrets Manager rotations are enabled and run at least every maxRotationDays (90) days.",
    validate=applies_to((SECRET_ROTATION, NATIVE_ROTATION), _rotation_interval),
    config_schema=INTERVAL_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set rotation_rules={'automatically_after_days': 30} (or schedule_expression='rate(30 days)') "
                      "on the aws.secretsmanager.SecretRotation, and leave rotation_enabled unset or true.",
    **frameworks({"nist-800-53": "IA-5(1)", "pci-dss": "8.3.9", "cis-aws": "1.14"}),
)


# --------------------------------------------------------------------------------------------------
# X-Ray tracing (Checkov CKV_AWS_50, CKV_AWS_73, CKV_AWS_284)

LAMBDA = "aws:lambda/function:Function"
REST_STAGE = "aws:apigateway/stage:Stage"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
LAMBDAS = (LAMBDA, "aws-native:lambda:Function")
REST_STAGES = (REST_STAGE, "aws-native:apigateway:Stage")
STATE_MACHINES = (STATE_MACHINE, "aws-native:stepfunctions:StateMachine")


def _tracing(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type in LAMBDAS:
        config = single(get(args.props, "tracingConfig"))
        mode = get(config, "mode") if isinstance(config, dict) else None
        if is_unknown(config) or is_unknown(mode) or (isinstance(mode, str) and mode.lower() == "active"):
            return
        report(f"{describe(args)} is not traced (tracingConfig.mode is {mode or 'not set (PassThrough)'}, not Active)")
    elif args.resource_type in REST_STAGES:
        name = "xrayTracingEnabled" if args.resource_type == REST_STAGE else "tracingEnabled"
        flag = as_bool(get(args.props, name))
        if flag is not True and not is_unknown(flag):
            report(f"{describe(args)} is not traced ({name} is not true)")
    else:
        config = single(get(args.props, "tracingConfiguration"))
        flag = as_bool(get(config, "enabled")) if isinstance(config, dict) else None
        if flag is not True and not is_unknown(flag) and not is_unknown(config):
            report(f"{describe(args)} is not traced (tracingConfiguration.enabled is not true)")


xray_tracing_enabled = ResourceValidationPolicy(
    name="xray-tracing-enabled",
    description="Lambda functions, API Gateway REST stages and Step Functions state machines send traces to X-Ray.",
    validate=applies_to((*LAMBDAS, *REST_STAGES, *STATE_MACHINES), _tracing),
    severity=Severity.LOW,
    remediation_steps="Set tracing_config={'mode': 'Active'} on the aws.lambda_.Function, xray_tracing_enabled=True on "
                      "the aws.apigateway.Stage, tracing_configuration={'enabled': True} on the aws.sfn.StateMachine "
                      "(their roles need xray:PutTraceSegments).",
    **frameworks({"nist-800-53": "AU-12, SI-4"}),
)


# --------------------------------------------------------------------------------------------------
# Redshift audit logging (Checkov CKV_AWS_71): pulumi-aws 7 moved it off the cluster to aws.redshift.Logging
# (``clusterIdentifier``, ``logDestinationType`` s3 or cloudwatch).

REDSHIFT_CLUSTER = "aws:redshift/cluster:Cluster"
REDSHIFT_LOGGING = "aws:redshift/logging:Logging"
#: pulumi-aws-native's AWS::Redshift::Cluster logs through its inline ``loggingProperties`` (bucketName or
#: logDestinationType cloudwatch; pulumi-aws-native 1.84 redshift/_inputs.py ClusterLoggingPropertiesArgs).
NATIVE_REDSHIFT_CLUSTER = "aws-native:redshift:Cluster"


def _redshift_logging(args: Any, report: ReportViolation) -> None:
    loggings = ReferenceIndex(args.resources, (REDSHIFT_LOGGING,), "clusterIdentifier")
    for cluster in of_type(args.resources, REDSHIFT_CLUSTER):
        if not loggings.referrers(cluster, ("clusterIdentifier", "id")):
            report(f"{describe(cluster)} writes no audit logs (no aws.redshift.Logging for it): connections, user "
                   "changes and queries go unrecorded", cluster.urn)
    for cluster in of_type(args.resources, NATIVE_REDSHIFT_CLUSTER):
        logging = get(cluster.props, "loggingProperties")
        if is_unknown(logging) or (isinstance(logging, dict) and any(
                is_unknown(v) or v for v in (logging.get("bucketName"), logging.get("logDestinationType")))):
            continue
        report(f"{describe(cluster)} writes no audit logs (loggingProperties names no bucket or log destination): "
               "connections, user changes and queries go unrecorded", cluster.urn)


redshift_audit_logging = StackValidationPolicy(
    name="redshift-audit-logging",
    description="Every Redshift cluster has audit logging (an aws.redshift.Logging pointing at it).",
    validate=examines((REDSHIFT_CLUSTER, REDSHIFT_LOGGING, NATIVE_REDSHIFT_CLUSTER), _redshift_logging),
    severity=Severity.MEDIUM,
    remediation_steps="Add an aws.redshift.Logging with cluster_identifier=cluster.cluster_identifier, "
                      "log_destination_type='cloudwatch' and log_exports=['connectionlog', 'userlog', "
                      "'useractivitylog'] (user activity also needs enable_user_activity_logging in the parameter "
                      "group).",
    **frameworks({"nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)


# --------------------------------------------------------------------------------------------------
# AWS Config records every resource type (Checkov CKV2_AWS_45, CKV2_AWS_48): aws.cfg.Recorder
# ``recordingGroup.allSupported`` (default true when the group is absent).

RECORDER = "aws:cfg/recorder:Recorder"


def _recorder(args: ResourceValidationArgs, report: ReportViolation) -> None:
    group = single(get(args.props, "recordingGroup"))
    if isinstance(group, dict) and as_bool(group.get("allSupported")) is False:
        report(f"{describe(args)} records only some resource types (recordingGroup.allSupported false): changes "
               "to the others leave no configuration history")


config_recorder_all_resources = ResourceValidationPolicy(
    name="config-recorder-all-resources",
    description="AWS Config recorders record every supported resource type.",
    validate=applies_to((RECORDER,), _recorder),
    severity=Severity.MEDIUM,
    remediation_steps="Set recording_group={'all_supported': True, 'include_global_resource_types': True} on the "
                      "aws.cfg.Recorder (global types in one region only).",
    **frameworks({"cis-aws": "3.3", "nist-800-53": "CM-8, AU-12", "pci-dss": "10.2.1"}),
)

# --------------------------------------------------------------------------------------------------
# AWS Config aggregators gather every region (Checkov CKV_AWS_121): aws.cfg.ConfigurationAggregator
# ``accountAggregationSource`` or ``organizationAggregationSource`` with ``allRegions`` true (else a ``regions``
# list, which misses the regions nobody thought of).

AGGREGATOR = "aws:cfg/configurationAggregator:ConfigurationAggregator"


def _aggregator(args: ResourceValidationArgs, report: ReportViolation) -> None:
    sources = [single(get(args.props, key)) for key in ("accountAggregationSource", "organizationAggregationSource")]
    if any(is_unknown(source) for source in sources):
        return
    flags = [as_bool(source.get("allRegions")) for source in sources if isinstance(source, dict)]
    if not flags or any(flag is True or is_unknown(flag) for flag in flags):
        return
    report(f"{describe(args)} aggregates only listed regions (allRegions is not true): resources in the others "
           "are missing from the organization's view")


config_aggregator_all_regions = ResourceValidationPolicy(
    name="config-aggregator-all-regions",
    description="AWS Config aggregators gather every region (allRegions), not a list.",
    validate=applies_to((AGGREGATOR,), _aggregator),
    severity=Severity.LOW,
    remediation_steps="Set all_regions=True (instead of regions) in the aggregator's organization_aggregation_source "
                      "or account_aggregation_source.",
    **frameworks({"cis-aws": "3.3", "nist-800-53": "CM-8, AU-6"}),
)

SECURITY: list = []
PRIVACY: list = []
COMPLIANCE = [cloudtrail_cloudwatch_logs, secret_rotation_interval, xray_tracing_enabled, redshift_audit_logging,
              config_recorder_all_resources, config_aggregator_all_regions]
