"""Lambda functions: a customer-managed key for their environment variables, and a VPC when they
reach a data store that lives in one.

``aws.lambda.Function`` inputs (pulumi-aws 7): ``environment.variables``, ``kmsKeyArn`` (absent means
the AWS-managed ``aws/lambda`` key), ``vpcConfig.subnetIds``.
"""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from catalog.data_stores import BY_TYPE, IN_VPC
from policies.rules._declare import applies_to, examines, frameworks
from policies.rules._index import of_type
from policies.rules._principals import aws_managed_key_alias
from policies.rules._props import describe, get, is_unknown

FUNCTION = "aws:lambda/function:Function"

#: Endpoint host names of AWS data services that live in a VPC (RDS and Aurora, DocumentDB, Neptune,
#: ElastiCache, MemoryDB, Redshift, OpenSearch, MSK brokers).
VPC_ENDPOINT_HOST = re.compile(
    r"[a-z0-9-]+\.(?:[a-z0-9-]+\.)*(?:rds|docdb|neptune|cache|memorydb|redshift|redshift-serverless|es|aoss|kafka)"
    r"\.(?:[a-z0-9-]+\.)?amazonaws\.com", re.IGNORECASE)


def _variables(props: Any) -> Any:
    variables = get(props, "environment", "variables")
    if isinstance(get(props, "environment"), list):
        variables = get(props, "environment", 0, "variables")
    return variables


def _validate_environment_key(args: ResourceValidationArgs, report: ReportViolation) -> None:
    variables = _variables(args.props)
    if is_unknown(variables) or not isinstance(variables, dict) or not variables:
        return
    key = get(args.props, "kmsKeyArn")
    if is_unknown(key):
        return
    if isinstance(key, str) and key and aws_managed_key_alias(key) is None:
        return
    found = f"the AWS-managed key {aws_managed_key_alias(key)}" if aws_managed_key_alias(key) else \
        "the AWS-managed key aws/lambda (kmsKeyArn is not set)"
    report(f"{describe(args)} encrypts its {len(variables)} environment variable(s) with {found}; set kmsKeyArn to "
           "a customer-managed key")


lambda_environment_cmk = ResourceValidationPolicy(
    name="lambda-environment-cmk",
    description="Lambda functions with environment variables encrypt them with a customer-managed KMS key.",
    validate=applies_to((FUNCTION,), _validate_environment_key),
    severity=Severity.MEDIUM,
    remediation_steps="Set kms_key_arn to a customer-managed key whose policy lets the function's role decrypt; "
                      "better, keep secrets in Secrets Manager and pass only their ARNs.",
    **frameworks({"nist-800-53": "SC-28, SC-12", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)",
                  "gdpr": "Art. 32(1)(a)"}),
)


def _in_vpc(function: Any) -> Any:
    subnets = get(function.props, "vpcConfig", "subnetIds")
    if isinstance(get(function.props, "vpcConfig"), list):
        subnets = get(function.props, "vpcConfig", 0, "subnetIds")
    return True if is_unknown(subnets) else bool(subnets)


def _reached_store(function: Any) -> str:
    """What VPC-resident data store the function's environment points at ('' if none)."""
    for dependency in (function.property_dependencies or {}).get("environment") or []:
        resource_type = getattr(dependency, "resource_type", None)
        if resource_type in IN_VPC:
            return f"the {BY_TYPE[resource_type].label} {getattr(dependency, 'name', '')!r}"
    variables = _variables(function.props)
    if isinstance(variables, dict):
        for name, value in variables.items():
            if isinstance(value, str) and not is_unknown(value):
                match = VPC_ENDPOINT_HOST.search(value)
                if match:
                    return f"{match.group(0)} (environment variable {name})"
    return ""


def _validate_vpc(args: StackValidationArgs, report: ReportViolation) -> None:
    for function in of_type(args.resources, FUNCTION):
        if _in_vpc(function):
            continue
        store = _reached_store(function)
        if store:
            report(f"Lambda function {function.name!r} reaches {store}, which lives in a VPC, but has no "
                   "vpcConfig: the store must then be reachable from the internet", function.urn)


lambda_in_vpc_when_reaching_data = StackValidationPolicy(
    name="lambda-in-vpc-when-reaching-data",
    description="Lambda functions that reach a VPC data store (RDS, Aurora, ElastiCache, Redshift, OpenSearch, MSK, "
                "...) through their environment run in the VPC.",
    validate=examines([FUNCTION], _validate_vpc),
    severity=Severity.MEDIUM,
    remediation_steps="Set vpc_config={'subnet_ids': <private subnets>, 'security_group_ids': [...]} on the "
                      "function and allow its security group into the store's.",
    **frameworks({"nist-800-53": "SC-7, AC-4", "pci-dss": "1.3.1", "hipaa": "164.312(e)(1)"}),
)


SECURITY = [lambda_environment_cmk, lambda_in_vpc_when_reaching_data]
PRIVACY: list = []
COMPLIANCE: list = []
