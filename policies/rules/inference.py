"""SageMaker inference: encrypted endpoint configurations without shell access to their containers, and (where the pack configuration says so,
prod) data capture, redundant instances and automatic rollback; instance types and counts within
what the environment allows (one rule each). Models' network isolation and VPC, and asynchronous
results' keys, are rows of the SageMaker tables (``policies/rules/sagemaker.py``).

Two SageMaker facts shape these rules. An endpoint configuration whose variants run on instance
types with local NVMe storage must not name a KMS key (those volumes are hardware-encrypted and
CreateEndpointConfig fails with a key), and a serverless variant has no volume: neither is a
violation of the CMK rule. Serverless models support neither network isolation nor VPC
configuration, so the isolation rule flags them: serverless is for experiments, not for
environments where security rules are mandatory.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from catalog.inference_instances import FAMILIES
from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._props import as_bool, as_int, as_list, describe, get, is_unknown

MODEL = "aws:sagemaker/model:Model"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
SCALABLE_TARGET = "aws:appautoscaling/target:Target"
#: pulumi-aws-native's AWS::SageMaker::EndpointConfig and Endpoint: the same ProductionVariants, DataCaptureConfig
#: and DeploymentConfig; the volume key is ``kmsKeyId`` (pulumi-aws: ``kmsKeyArn``). pulumi-aws-native 1.84
#: sagemaker/endpoint_config.py, endpoint.py.
NATIVE_ENDPOINT_CONFIG = "aws-native:sagemaker:EndpointConfig"
NATIVE_ENDPOINT = "aws-native:sagemaker:Endpoint"
ENDPOINT_CONFIGS = (ENDPOINT_CONFIG, NATIVE_ENDPOINT_CONFIG)
ENDPOINTS = (ENDPOINT, NATIVE_ENDPOINT)


def _variants(args: ResourceValidationArgs) -> Any:
    """Production variants as plain dicts, or ``UNKNOWN``."""
    variants = as_list(get(args.props, "productionVariants"))
    if is_unknown(variants):
        return variants
    return [v for v in variants if isinstance(v, dict)]


def _has_volume(variant: dict) -> Any:
    """Whether a variant has an EBS volume a KMS key can encrypt: True, False or ``UNKNOWN``."""
    if variant.get("serverlessConfig"):
        return False
    instance_type = variant.get("instanceType")
    if is_unknown(instance_type) or not isinstance(instance_type, str):
        return instance_type  # unknown, or absent (then nothing to judge)
    parts = instance_type.split(".")
    family = FAMILIES.get(parts[1]) if len(parts) == 3 else None
    return True if family is None else not family.local_storage


# --- endpoint configuration encrypted with a CMK -----------------------------------------------------

def _endpoint_config_cmk(args: ResourceValidationArgs, report: ReportViolation) -> None:
    variants = _variants(args)
    key = get(args.props, "kmsKeyArn" if args.resource_type == ENDPOINT_CONFIG else "kmsKeyId")
    if not is_unknown(variants) and not is_unknown(key) and not key:
        volumes = [v.get("variantName") or "(unnamed)" for v in variants if _has_volume(v) is True]
        if volumes:
            report(f"{describe(args)}: variant(s) {', '.join(map(str, volumes))} store model and data on "
                   "volumes without a customer-managed key; set "
                   f"{'kmsKeyArn' if args.resource_type == ENDPOINT_CONFIG else 'kmsKeyId'}")


sagemaker_endpoint_config_cmk = ResourceValidationPolicy(
    name="sagemaker-endpoint-config-cmk",
    description="SageMaker endpoint configurations encrypt instance volumes with a customer-managed KMS key "
                "(instance-storage types are hardware-encrypted and exempt; asynchronous results fall under "
                "sagemaker-output-cmk).",
    validate=applies_to(ENDPOINT_CONFIGS, _endpoint_config_cmk),
    severity=Severity.HIGH,
    remediation_steps="Set kms_key_arn on aws.sagemaker.EndpointConfiguration to a customer-managed key; "
                      "InferenceEndpoint does this.",
    **frameworks({"nist-800-53": "SC-28", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)"}),
)


# --- no shell into serving containers --------------------------------------------------------------------
#: ProductionVariant.EnableSSMAccess (botocore sagemaker 2017-07-24; pulumi-aws and pulumi-aws-native
#: ``enableSsmAccess``, on production and shadow variants): "By default, SSM access is disabled".

def _ssm_access(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for field in ("productionVariants", "shadowProductionVariants"):
        variants = as_list(get(args.props, field))
        for variant in [] if is_unknown(variants) else variants:
            if isinstance(variant, dict) and as_bool(variant.get("enableSsmAccess")) is True:
                report(f"{describe(args)}: {field} {variant.get('variantName') or '(unnamed)'!r} sets "
                       "enableSsmAccess: anyone allowed to start an SSM session gets a shell in the container "
                       "that holds the model and every request's data; leave it unset (false)")


sagemaker_endpoint_no_ssm_access = ResourceValidationPolicy(
    name="sagemaker-endpoint-no-ssm-access",
    description="SageMaker endpoint configurations do not turn on SSM access to their variants' containers "
                "(enableSsmAccess; off by default).",
    validate=applies_to(ENDPOINT_CONFIGS, _ssm_access),
    severity=Severity.MEDIUM,
    remediation_steps="Remove enable_ssm_access from the production (and shadow) variants; debug a model on a "
                      "copy of the endpoint in a development account, or through its CloudWatch logs.",
    **frameworks({"nist-800-53": "AC-17, CM-7", "pci-dss": "7.2.1"}),
)


# --- data capture: encrypted always, required where configured ----------------------------------------

def _capture(args: ResourceValidationArgs) -> Any:
    capture = get(args.props, "dataCaptureConfig")
    return capture if is_unknown(capture) or isinstance(capture, dict) else None


def _capture_enabled(capture: dict) -> Any:
    enabled = as_bool(capture.get("enableCapture"))
    return True if enabled is None else enabled  # SageMaker's default is enabled


def _capture_encrypted(args: ResourceValidationArgs, report: ReportViolation) -> None:
    capture = _capture(args)
    if capture is None or is_unknown(capture) or _capture_enabled(capture) is not True:
        return
    key = capture.get("kmsKeyId")
    if not is_unknown(key) and not key:
        report(f"{describe(args)}: captured requests and responses are stored without a customer-managed key; "
               "set dataCaptureConfig.kmsKeyId")


sagemaker_data_capture_encrypted = ResourceValidationPolicy(
    name="sagemaker-data-capture-encrypted",
    description="Captured inference payloads (customer data) are encrypted with a customer-managed KMS key.",
    validate=applies_to(ENDPOINT_CONFIGS, _capture_encrypted),
    severity=Severity.HIGH,
    remediation_steps="Set data_capture_config.kms_key_id on aws.sagemaker.EndpointConfiguration.",
    **frameworks({"gdpr": "Art. 32(1)(a)", "hipaa": "164.312(a)(2)(iv)", "pci-dss": "3.5.1"}),
)

DATA_CAPTURE_SCHEMA = config_schema(
    requireDataCapture={
        "type": "boolean", "default": False,
        "description": "Require data capture on every endpoint configuration (serverless variants cannot "
                       "capture, so they fail it); true in prod.",
    },
)


def _capture_required(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if as_bool(policy_config(args, DATA_CAPTURE_SCHEMA)["requireDataCapture"]) is not True:
        return
    capture = _capture(args)
    if is_unknown(capture):
        return
    enabled = _capture_enabled(capture) if capture is not None else False
    if enabled is False:
        report(f"{describe(args)} captures no requests or responses; enable dataCaptureConfig so the model "
               "can be monitored and its decisions audited")


sagemaker_data_capture_enabled = ResourceValidationPolicy(
    name="sagemaker-data-capture-enabled",
    description="Where required (prod), endpoint configurations capture requests and responses for "
                "monitoring and audit.",
    validate=applies_to(ENDPOINT_CONFIGS, _capture_required),
    config_schema=DATA_CAPTURE_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set dataCapture.enabled (samplingPercentage, retentionDays) on the endpoint in the "
                      "stack file; InferenceEndpoint writes it to an encrypted, expiring capture bucket.",
    **frameworks({"nist-800-53": "AU-12", "pci-dss": "10.2.1"}),
)


# --- redundancy, instance types and counts -------------------------------------------------------------

CAPACITY_SCHEMA = config_schema(
    minInstanceCount={
        "type": "integer", "default": 1,
        "description": "Fewest instances an endpoint variant starts with or scales in to (2 in prod: one instance "
                       "is a single point of failure, and serverless variants are refused when this exceeds 1).",
    },
    maxInstanceCount={
        "type": "integer", "default": 10,
        "description": "Most instances a variant may start with or autoscale to.",
    },
    allowedInstanceTypes={
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "Instance types endpoints may use, as shell patterns (ml.m5.*); empty allows any.",
    },
)


def _capacity_rule(judge_variant: Any, judge_scaling: Any) -> Any:
    """A ``validate`` for endpoint configurations (each instance variant) and SageMaker scalable targets."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        config = policy_config(args, CAPACITY_SCHEMA)
        if args.resource_type == SCALABLE_TARGET:
            if get(args.props, "serviceNamespace") == "sagemaker" and judge_scaling is not None:
                for message in judge_scaling(args, config):
                    report(f"{describe(args)} {message}")
            return
        variants = _variants(args)
        if is_unknown(variants):
            return
        for variant in variants:
            message = judge_variant(variant, config)
            if message:
                report(f"{describe(args)}: variant {variant.get('variantName') or '(unnamed)'} {message}")

    return validate


def _instance_type_allowed(variant: dict, config: dict) -> Any:
    allowed = [p for p in config["allowedInstanceTypes"] or [] if isinstance(p, str)]
    instance_type = variant.get("instanceType")
    if variant.get("serverlessConfig") or not isinstance(instance_type, str) or not allowed:
        return None
    if not any(fnmatch.fnmatchcase(instance_type, p) for p in allowed):
        return f"uses {instance_type}, which this environment does not allow (allowed: {', '.join(allowed)})"
    return None


def _min_variant(variant: dict, config: dict) -> Any:
    minimum = config["minInstanceCount"]
    if variant.get("serverlessConfig"):
        return (f"is serverless, but this environment requires at least {minimum} instances per variant"
                if minimum > 1 else None)
    count = as_int(variant.get("initialInstanceCount"))
    if isinstance(count, int) and count < minimum:
        return f"starts with {count} instance(s); this environment requires at least {minimum}"
    return None


def _min_scaling(args: ResourceValidationArgs, config: dict) -> list[str]:
    # The scalable target's minimum, not the configuration's starting count, is the floor the fleet keeps.
    floor = as_int(get(args.props, "minCapacity"))
    if isinstance(floor, int) and floor < config["minInstanceCount"]:
        return [f"may scale an endpoint variant in to {floor} instance(s); this environment requires at least "
                f"{config['minInstanceCount']}"]
    return []


def _max_variant(variant: dict, config: dict) -> Any:
    count = as_int(variant.get("initialInstanceCount"))
    if not variant.get("serverlessConfig") and isinstance(count, int) and count > config["maxInstanceCount"]:
        return f"starts with {count} instances; the cap is {config['maxInstanceCount']}"
    return None


def _max_scaling(args: ResourceValidationArgs, config: dict) -> list[str]:
    capacity = as_int(get(args.props, "maxCapacity"))
    if isinstance(capacity, int) and capacity > config["maxInstanceCount"]:
        return [f"may scale an endpoint variant to {capacity} instances; the cap is {config['maxInstanceCount']}"]
    return []


def _capacity_schema(*keys: str) -> Any:
    return config_schema(**{key: CAPACITY_SCHEMA.properties[key] for key in keys})


_CAPACITY_FRAMEWORKS = {"nist-800-53": "CP-10", "pci-dss": "12.10.1"}

sagemaker_endpoint_instance_types = ResourceValidationPolicy(
    name="sagemaker-endpoint-instance-types",
    description="Endpoint variants use instance types the environment allows.",
    validate=applies_to(ENDPOINT_CONFIGS, _capacity_rule(_instance_type_allowed, None)),
    config_schema=_capacity_schema("allowedInstanceTypes"),
    severity=Severity.MEDIUM,
    remediation_steps="Pick an allowed instanceType in the stack file, or change the environment's pack "
                      "configuration (policies/config/<env>/compliance.json).",
    **frameworks({"nist-800-53": "CM-7", "pci-dss": "12.10.1"}),
)
sagemaker_endpoint_min_instances = ResourceValidationPolicy(
    name="sagemaker-endpoint-min-instances",
    description="Endpoint variants start with and never scale in below the environment's minimum instances "
                "(2 in prod: one instance is a single point of failure).",
    validate=applies_to([*ENDPOINT_CONFIGS, SCALABLE_TARGET], _capacity_rule(_min_variant, _min_scaling)),
    config_schema=_capacity_schema("minInstanceCount"),
    severity=Severity.MEDIUM,
    remediation_steps="Set autoscaling.minCapacity (or initialInstanceCount) to at least minInstanceCount in the "
                      "stack file; use instances, not serverless, where the minimum exceeds 1.",
    **frameworks(_CAPACITY_FRAMEWORKS),
)
sagemaker_endpoint_max_instances = ResourceValidationPolicy(
    name="sagemaker-endpoint-max-instances",
    description="Endpoint variants never start or autoscale beyond the environment's cap.",
    validate=applies_to([*ENDPOINT_CONFIGS, SCALABLE_TARGET], _capacity_rule(_max_variant, _max_scaling)),
    config_schema=_capacity_schema("maxInstanceCount"),
    severity=Severity.MEDIUM,
    remediation_steps="Set autoscaling.maxCapacity (and initialInstanceCount) within maxInstanceCount in the stack "
                      "file, or raise the environment's cap in its pack configuration.",
    **frameworks({"nist-800-53": "SA-9", "pci-dss": "12.10.1"}),
)


# --- automatic rollback on alarms ------------------------------------------------------------------------

ROLLBACK_SCHEMA = config_schema(
    requireAutoRollback={
        "type": "boolean", "default": False,
        "description": "Require endpoints to deploy blue/green (or rolling) with CloudWatch alarms that roll a "
                       "bad deployment back; true in prod.",
    },
)


def _auto_rollback(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if as_bool(policy_config(args, ROLLBACK_SCHEMA)["requireAutoRollback"]) is not True:
        return
    deployment = get(args.props, "deploymentConfig")
    if is_unknown(deployment):
        return
    deployment = deployment if isinstance(deployment, dict) else {}
    if not deployment.get("blueGreenUpdatePolicy") and not deployment.get("rollingUpdatePolicy"):
        report(f"{describe(args)} has no blue/green or rolling deployment policy; updates replace the fleet "
               "without guardrails")
    alarms = as_list(get(deployment, "autoRollbackConfiguration", "alarms"))
    if not is_unknown(alarms) and not alarms:
        report(f"{describe(args)} names no CloudWatch alarms in autoRollbackConfiguration; a failing deployment "
               "would not roll back")


sagemaker_endpoint_auto_rollback = ResourceValidationPolicy(
    name="sagemaker-endpoint-auto-rollback",
    description="Where required (prod), endpoints deploy with blue/green traffic shifting and roll back "
                "automatically when CloudWatch alarms fire.",
    validate=applies_to(ENDPOINTS, _auto_rollback),
    config_schema=ROLLBACK_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set deployment_config with blue_green_update_policy and auto_rollback_configuration.alarms "
                      "(error and latency alarms) on aws.sagemaker.Endpoint; InferenceEndpoint creates both.",
    **frameworks({"nist-800-53": "CM-3", "pci-dss": "6.5.1"}),
)

SECURITY = [sagemaker_endpoint_config_cmk, sagemaker_endpoint_no_ssm_access]
PRIVACY = [sagemaker_data_capture_encrypted]
COMPLIANCE = [sagemaker_data_capture_enabled, sagemaker_endpoint_instance_types, sagemaker_endpoint_min_instances,
              sagemaker_endpoint_max_instances, sagemaker_endpoint_auto_rollback]
