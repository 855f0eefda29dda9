"""Lambda functions: a customer-managed key for their environment variables, a VPC when they reach a
data store that lives in one, a supported runtime, code signing (advisory; Checkov CKV_AWS_272); function
URLs that require IAM and do not allow every origin with every method by CORS (Checkov CKV2_AWS_75); and
permissions that do not let any caller (or any
account's event source) invoke a function.

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
from policies.rules._declare import applies_to, config_schema, examines, frameworks, policy_config
from policies.rules._index import of_type
from policies.rules._principals import aws_managed_key_alias
from policies.rules._props import as_list, describe, get, is_unknown, single

FUNCTION = "aws:lambda/function:Function"
#: pulumi-aws-native's AWS::Lambda::Function: the same ``environment.variables``, ``kmsKeyArn``, ``vpcConfig.subnetIds``,
#: ``runtime``, ``packageType`` and ``codeSigningConfigArn`` (pulumi-aws-native 1.84 lambda_/function.py).
NATIVE_FUNCTION = "aws-native:lambda:Function"
FUNCTIONS = (FUNCTION, NATIVE_FUNCTION)
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
PERMISSION = "aws:lambda/permission:Permission"
#: pulumi-aws-native's AWS::Lambda::Url (``authType``; pulumi-aws: ``authorizationType``; the same ``cors``) and
#: AWS::Lambda::Permission (the same ``principal``, ``sourceArn``, ``sourceAccount``, ``principalOrgId``).
NATIVE_FUNCTION_URL = "aws-native:lambda:Url"
FUNCTION_URLS = (FUNCTION_URL, NATIVE_FUNCTION_URL)
PERMISSIONS = (PERMISSION, "aws-native:lambda:Permission")

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
    validate=applies_to(FUNCTIONS, _validate_environment_key),
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
    for function in of_type(args.resources, *FUNCTIONS):
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
    validate=examines(FUNCTIONS, _validate_vpc),
    severity=Severity.MEDIUM,
    remediation_steps="Set vpc_config={'subnet_ids': <private subnets>, 'security_group_ids': [...]} on the "
                      "function and allow its security group into the store's.",
    **frameworks({"nist-800-53": "SC-7, AC-4", "pci-dss": "1.3.1", "hipaa": "164.312(e)(1)"}),
)


#: Runtimes AWS has deprecated (no security patches): the "Deprecated runtimes" table of
#: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html (the end of the pulumi-aws 7
#: ``aws.lambda.Runtime`` enum), with nodejs18.x (2025-09-01), python3.9 (2025-12-15), ruby3.2
#: (2026-03-31) and nodejs20.x (2026-04-30, with Node.js 20's end of life) since; and the first
#: runtimes, which botocore's lambda ``Runtime`` enum still lists (runtime-support-policy.html: nodejs,
#: nodejs4.3, nodejs4.3-edge, nodejs6.10, nodejs8.10, dotnetcore1.0, dotnetcore2.0). A configuration list,
#: to keep current.
DEPRECATED_RUNTIMES = ("dotnet5.0", "dotnet6", "dotnet7", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1",
                       "dotnetcore3.1", "go1.x", "java8", "nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10",
                       "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "nodejs18.x",
                       "nodejs20.x", "provided", "python2.7", "python3.6", "python3.7", "python3.8", "python3.9",
                       "ruby2.5", "ruby2.7", "ruby3.2")

RUNTIME_SCHEMA = config_schema(
    deprecatedRuntimes={
        "type": "array", "items": {"type": "string"}, "default": list(DEPRECATED_RUNTIMES),
        "description": "Lambda runtimes that no longer get security updates.",
    },
)


def _validate_runtime(args: ResourceValidationArgs, report: ReportViolation) -> None:
    runtime = get(args.props, "runtime")
    if isinstance(runtime, str) and not is_unknown(runtime) and \
            runtime in policy_config(args, RUNTIME_SCHEMA)["deprecatedRuntimes"]:
        report(f"{describe(args)} runs on {runtime}, a deprecated runtime that no longer gets security patches")


lambda_supported_runtime = ResourceValidationPolicy(
    name="lambda-supported-runtime",
    description="Lambda functions run on a runtime AWS still supports (patches).",
    validate=applies_to(FUNCTIONS, _validate_runtime),
    config_schema=RUNTIME_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Move the function to a supported runtime (e.g. python3.12, nodejs22.x, java21) and test it.",
    **frameworks({"nist-800-53": "SI-2", "pci-dss": "6.3.3"}),
)


def _validate_url_auth(args: ResourceValidationArgs, report: ReportViolation) -> None:
    kind = get(args.props, "authType" if args.resource_type == NATIVE_FUNCTION_URL else "authorizationType")
    if isinstance(kind, str) and not is_unknown(kind) and kind.upper() == "NONE":
        report(f"{describe(args)} lets anyone on the internet invoke the function (authorizationType NONE)")


lambda_function_url_auth = ResourceValidationPolicy(
    name="lambda-function-url-auth",
    description="Lambda function URLs require IAM authorization (authorizationType AWS_IAM).",
    validate=applies_to(FUNCTION_URLS, _validate_url_auth),
    severity=Severity.HIGH,
    remediation_steps="Set authorization_type='AWS_IAM' and sign callers' requests (SigV4), or put the function "
                      "behind API Gateway with an authorizer.",
    **frameworks({"nist-800-53": "AC-3, IA-2", "pci-dss": "8.2.1", "hipaa": "164.312(d)", "gdpr": "Art. 32(1)(b)"}),
)


def _validate_permission(args: ResourceValidationArgs, report: ReportViolation) -> None:
    principal = get(args.props, "principal")
    if not isinstance(principal, str) or is_unknown(principal):
        return
    restricted = any(get(args.props, key) not in (None, "") for key in ("sourceArn", "sourceAccount",
                                                                         "principalOrgId"))
    if principal == "*" and not restricted:
        report(f"{describe(args)} lets any principal ('*') invoke the function without sourceArn, sourceAccount "
               "or principalOrgId")
    elif principal.endswith(".amazonaws.com") and not restricted:
        report(f"{describe(args)} lets {principal} invoke the function for any account's resources (no sourceArn "
               "or sourceAccount): the confused-deputy case")


lambda_permission_restricted = ResourceValidationPolicy(
    name="lambda-permission-restricted",
    description="Lambda permissions for '*' or an AWS service name the source (sourceArn or sourceAccount, or the "
                "organization).",
    validate=applies_to(PERMISSIONS, _validate_permission),
    severity=Severity.HIGH,
    remediation_steps="Set source_arn to the bucket, topic, rule or API that invokes the function (and "
                      "source_account for S3), or name an account principal.",
    **frameworks({"nist-800-53": "AC-3, AC-6", "pci-dss": "7.2.1", "gdpr": "Art. 32(1)(b)"}),
)


def _validate_url_cors(args: ResourceValidationArgs, report: ReportViolation) -> None:
    cors = single(get(args.props, "cors"))
    if not isinstance(cors, dict):
        return
    origins, methods = as_list(cors.get("allowOrigins")), as_list(cors.get("allowMethods"))
    if is_unknown(origins) or is_unknown(methods):
        return
    if "*" in origins and "*" in methods:
        report(f"{describe(args)} lets any web origin call it with any method (cors.allowOrigins and "
               "cors.allowMethods are '*'): a page on any site can drive the function from a visitor's browser")


lambda_function_url_cors_restricted = ResourceValidationPolicy(
    name="lambda-function-url-cors-restricted",
    description="Lambda function URLs do not allow every origin with every method in their CORS configuration.",
    validate=applies_to(FUNCTION_URLS, _validate_url_cors),
    severity=Severity.MEDIUM,
    remediation_steps="List the origins that call the function (cors.allow_origins=['https://app.example.com']) and "
                      "the methods they use (allow_methods=['GET', 'POST']).",
    **frameworks({"nist-800-53": "AC-4, SC-7", "pci-dss": "6.2.4"}),
)


def _validate_code_signing(args: ResourceValidationArgs, report: ReportViolation) -> None:
    package = get(args.props, "packageType")
    if is_unknown(package) or (isinstance(package, str) and package.lower() == "image"):
        return  # code signing applies to .zip packages; images are verified through their registry
    config = get(args.props, "codeSigningConfigArn")
    if is_unknown(config) or (isinstance(config, str) and config):
        return
    report(f"{describe(args)} has no code signing configuration (codeSigningConfigArn): Lambda deploys any code "
           "package uploaded for it, signed or not")


lambda_code_signing = ResourceValidationPolicy(
    name="lambda-code-signing",
    description="Lambda functions deployed as .zip packages have a code signing configuration (advisory by "
                "default: it needs a Signer profile and a signing step in the build).",
    validate=applies_to(FUNCTIONS, _validate_code_signing),
    severity=Severity.LOW,
    remediation_steps="Create an aws.signer.SigningProfile (platform AWSLambda-SHA384-ECDSA) and an "
                      "aws.lambda_.CodeSigningConfig with untrusted_artifact_on_deployment='Enforce', sign packages "
                      "in the build, and pass code_signing_config_arn to the function.",
    **frameworks({"nist-800-53": "CM-14, SI-7", "pci-dss": "6.3.2"}),
)


SECURITY = [lambda_environment_cmk, lambda_in_vpc_when_reaching_data, lambda_supported_runtime,
            lambda_function_url_auth, lambda_permission_restricted, lambda_function_url_cors_restricted,
            lambda_code_signing]
PRIVACY: list = []
COMPLIANCE: list = []
