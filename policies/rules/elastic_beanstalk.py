"""Elastic Beanstalk environments: their instances run in a VPC the program names, and their logs leave the
instances (cdk-nag AwsSolutions-EB1, EB4; Security Hub ElasticBeanstalk.3).

An environment is configured by option settings (pulumi-aws 7 ``elasticbeanstalk.Environment`` ``settings``:
``{namespace, name, value}``; pulumi-aws-native ``optionSettings``: ``{namespace, optionName, value}``), read from
the Elastic Beanstalk developer guide's "General options for all environments":

- ``aws:ec2:vpc`` ``VPCId``: the VPC of the environment's instances and load balancer; without it Elastic
  Beanstalk uses the account's default VPC, whose subnets give every instance a public IP.
- ``aws:elasticbeanstalk:hostmanager`` ``LogPublicationControl`` (default ``false``): copy the instances' rotated
  logs to S3; ``aws:elasticbeanstalk:cloudwatch:logs`` ``StreamLogs`` (default ``false``): stream them to
  CloudWatch Logs. Either keeps them past the instance; without both, they go with it.

An environment built from a configuration template (``templateName``) takes its options from the template as well,
so a setting it leaves out is not judged. Managed platform updates (cdk-nag EB3) are patching hygiene, not judged.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._props import UNKNOWN, as_bool, as_list, describe, get, is_unknown

ENVIRONMENT = "aws:elasticbeanstalk/environment:Environment"
NATIVE_ENVIRONMENT = "aws-native:elasticbeanstalk:Environment"
ENVIRONMENTS = (ENVIRONMENT, NATIVE_ENVIRONMENT)


def _setting(args: ResourceValidationArgs, namespace: str, name: str) -> Any:
    """The value of option ``namespace:name``: ``None`` when not set (or set by a template the environment names),
    ``UNKNOWN`` when the settings or the template are not known yet."""
    native = args.resource_type == NATIVE_ENVIRONMENT
    settings = as_list(get(args.props, "optionSettings" if native else "settings"))
    template = get(args.props, "templateName")
    if is_unknown(settings) or is_unknown(template):
        return UNKNOWN
    for option in settings or ():
        if not isinstance(option, dict):
            continue
        key = (option.get("namespace"), option.get("optionName" if native else "name"))
        if is_unknown(key[0]) or is_unknown(key[1]):
            return UNKNOWN
        if key == (namespace, name):
            return option.get("value")
    return UNKNOWN if template else None


def _in_vpc(args: ResourceValidationArgs, report: ReportViolation) -> None:
    vpc = _setting(args, "aws:ec2:vpc", "VPCId")
    if vpc is None or vpc == "":
        report(f"{describe(args)} names no VPC (option aws:ec2:vpc VPCId): its instances run in the account's default "
               "VPC, whose subnets give them public IP addresses")


elastic_beanstalk_in_vpc = ResourceValidationPolicy(
    name="elastic-beanstalk-in-vpc",
    description="Elastic Beanstalk environments run in a VPC the program names (option aws:ec2:vpc VPCId), not the "
                "account's default VPC.",
    validate=applies_to(ENVIRONMENTS, _in_vpc),
    severity=Severity.MEDIUM,
    remediation_steps="Add settings {'namespace': 'aws:ec2:vpc', 'name': 'VPCId', 'value': vpc.id}, with 'Subnets' "
                      "(private) and 'ELBSubnets', to the aws.elasticbeanstalk.Environment.",
    **frameworks({"nist-800-53": "SC-7", "pci-dss": "1.3.1"}),
)


def _logs_kept(args: ResourceValidationArgs, report: ReportViolation) -> None:
    published = as_bool(_setting(args, "aws:elasticbeanstalk:hostmanager", "LogPublicationControl"))
    streamed = as_bool(_setting(args, "aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs"))
    if published is True or streamed is True or is_unknown(published) or is_unknown(streamed):
        return
    report(f"{describe(args)} keeps its instances' logs on the instances (neither aws:elasticbeanstalk:cloudwatch:logs "
           "StreamLogs nor aws:elasticbeanstalk:hostmanager LogPublicationControl is true): they are lost when an "
           "instance is replaced")


elastic_beanstalk_logs = ResourceValidationPolicy(
    name="elastic-beanstalk-logs",
    description="Elastic Beanstalk environments keep their instances' logs off the instances: streamed to CloudWatch "
                "Logs (StreamLogs) or published to S3 (LogPublicationControl).",
    validate=applies_to(ENVIRONMENTS, _logs_kept),
    severity=Severity.LOW,
    remediation_steps="Add settings {'namespace': 'aws:elasticbeanstalk:cloudwatch:logs', 'name': 'StreamLogs', "
                      "'value': 'true'} (with 'RetentionInDays') to the aws.elasticbeanstalk.Environment.",
    **frameworks({"nist-800-53": "AU-9, AU-12", "pci-dss": "10.3.3"}),
)


SECURITY = [elastic_beanstalk_in_vpc]
PRIVACY: list = []
COMPLIANCE = [elastic_beanstalk_logs]
