"""CloudWatch alarms act when they fire: ``aws.cloudwatch.MetricAlarm`` ``actionsEnabled`` is not false
(the provider default is true; false keeps the alarm's SNS, Auto Scaling and EC2 actions from running).
Checkov CKV_AWS_319.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._props import as_bool, describe, get

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
#: pulumi-aws-native's AWS::CloudWatch::Alarm: the same ``actionsEnabled`` (default true; pulumi-aws-native 1.84).
NATIVE_ALARM = "aws-native:cloudwatch:Alarm"


def _actions_enabled(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if as_bool(get(args.props, "actionsEnabled")) is False:
        report(f"{describe(args)} has its actions turned off (actionsEnabled false): it changes state and nobody is "
               "told, nothing scales or recovers")


cloudwatch_alarm_actions_enabled = ResourceValidationPolicy(
    name="cloudwatch-alarm-actions-enabled",
    description="CloudWatch metric alarms keep their actions enabled.",
    validate=applies_to((METRIC_ALARM, NATIVE_ALARM), _actions_enabled),
    severity=Severity.MEDIUM,
    remediation_steps="Leave actions_enabled unset (true) on the aws.cloudwatch.MetricAlarm; to silence an alarm "
                      "during maintenance, disable its actions from the console or CLI for that window.",
    **frameworks({"nist-800-53": "SI-4, IR-4, AU-6", "pci-dss": "10.7.2"}),
)

SECURITY: list = []
PRIVACY: list = []
COMPLIANCE = [cloudwatch_alarm_actions_enabled]
