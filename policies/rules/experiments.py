"""Experiments: endpoint configurations that run several production variants or a shadow capture
their traffic (so every variant's, and the shadow's, responses can be compared and audited), and a
managed MLflow tracking server's artifact store is private and encrypted with a customer-managed key.

SageMaker sets the volume key and data capture once per endpoint configuration, so every variant
and the shadow share them; whether the key is set and the capture encrypted is judged for every
configuration by ``sagemaker-endpoint-config-cmk`` and ``sagemaker-data-capture-encrypted``. What an
experiment adds is that it is worthless, and unaudited, without capture of both requests and
responses.

An MLflow tracking server (or app) names its artifact store by URI (``artifactStoreUri``,
``s3://<bucket>/...``); the bucket is found in the stack by name, or by property dependency in a
preview. A store that is not a bucket of the program cannot be verified and is reported.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies.rules._declare import applies_to, examines, frameworks
from policies.rules._index import identifiers, of_type
from policies.rules._principals import aws_managed_key_alias
from policies.rules._props import as_bool, as_list, describe, get, is_unknown
from policies.rules.s3 import (
    ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPES,
    BUCKET_TYPES,
    ENCRYPTION_TYPES,
    NATIVE_BUCKET,
    PUBLIC_ACCESS_BLOCK_TYPES,
    PUBLIC_ACCESS_SETTINGS,
    BucketView,
    bucket_views,
)

ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
#: pulumi-aws-native's AWS::SageMaker::MlflowTrackingServer (and MlflowApp) name the store ``artifactStoreUri`` too
#: (pulumi-aws-native 1.84 sagemaker/mlflow_*.py); an EndpointConfig has the same variants and capture.
MLFLOW_TYPES = ("aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer", "aws:sagemaker/mlflowApp:MlflowApp",
                "aws-native:sagemaker:MlflowTrackingServer", "aws-native:sagemaker:MlflowApp")
ENDPOINT_CONFIGS = (ENDPOINT_CONFIG, "aws-native:sagemaker:EndpointConfig")
_S3_URI = re.compile(r"^s3://([^/]+)(?:/.*)?$")


# --- experiments capture their traffic -----------------------------------------------------------------

def _experiment(args: ResourceValidationArgs) -> Optional[str]:
    """What makes the configuration an experiment ("2 production variants", "a shadow variant"), or None."""
    shadows = as_list(get(args.props, "shadowProductionVariants"))
    if not is_unknown(shadows) and shadows:
        return "a shadow variant"
    variants = as_list(get(args.props, "productionVariants"))
    if not is_unknown(variants) and len(variants) > 1:
        return f"{len(variants)} production variants"
    return None


def _validate_captured(args: ResourceValidationArgs, report: ReportViolation) -> None:
    what = _experiment(args)
    if what is None:
        return
    capture = get(args.props, "dataCaptureConfig")
    if is_unknown(capture):
        return
    enabled = as_bool(capture.get("enableCapture")) if isinstance(capture, dict) else False
    if isinstance(capture, dict) and enabled is None:
        enabled = True  # SageMaker's default
    if is_unknown(enabled):
        return
    if enabled is not True:
        report(f"{describe(args)} runs {what} without data capture: the variants' responses cannot be compared "
               "or audited; enable dataCaptureConfig (Input and Output)")
        return
    modes = as_list(capture.get("captureOptions"))
    if is_unknown(modes):
        return
    seen = [get(m, "captureMode") for m in modes if isinstance(m, dict)]  # a mode of the wrong shape: no mode
    if any(is_unknown(m) for m in seen):
        return
    missing = [mode for mode in ("Input", "Output") if mode not in seen]
    if missing:
        report(f"{describe(args)} runs {what} but does not capture {' or '.join(missing)}: capture both requests "
               "and responses so every variant can be compared")


sagemaker_experiment_captured = ResourceValidationPolicy(
    name="sagemaker-experiment-captured",
    description="Endpoint configurations with several production variants or a shadow variant capture both "
                "requests and responses (the capture, like the key, is shared by every variant).",
    validate=applies_to(ENDPOINT_CONFIGS, _validate_captured),
    severity=Severity.MEDIUM,
    remediation_steps="Set dataCapture.enabled on the endpoint in the stack file (InferenceEndpoint captures Input "
                      "and Output for every variant); in another program set data_capture_config with "
                      "capture_options Input and Output on the aws.sagemaker.EndpointConfiguration.",
    **frameworks({"nist-800-53": "AU-12, CA-7", "pci-dss": "10.2.1"}),
)


# --- the MLflow artifact store ---------------------------------------------------------------------------

def _store(resources: list[PolicyResource], views: list[BucketView], server: PolicyResource) -> Any:
    """The server's artifact-store bucket view; None if it is not a bucket of the stack; ``UNKNOWN``
    (a string sentinel is not used: ``is_unknown``) when the URI and its dependencies say nothing."""
    uri = get(server.props, "artifactStoreUri")
    dependencies = {getattr(d, "urn", d) for d in (server.property_dependencies or {}).get("artifactStoreUri") or []}
    by_dependency = [v for v in views if v.bucket.urn in dependencies]
    if by_dependency:
        return by_dependency[0]
    if is_unknown(uri) or not isinstance(uri, str):
        return uri if is_unknown(uri) else None
    match = _S3_URI.match(uri)
    if match is None:
        return None
    return next((v for v in views if match.group(1) in identifiers(v.bucket, ("id", "bucket", "bucketName"))), None)


def _stores(args: StackValidationArgs):
    resources = list(args.resources)
    servers = of_type(resources, *MLFLOW_TYPES)
    if not servers:
        return resources, []
    views = bucket_views(resources)
    return resources, [(server, _store(resources, views, server)) for server in servers]


def _not_in_stack(server: PolicyResource, report: ReportViolation) -> None:
    uri = get(server.props, "artifactStoreUri")
    report(f"{describe(server)}: its artifact store {uri!r} is not a bucket of this program, so it cannot be "
           "verified private and encrypted with a customer-managed key.", server.urn)


def _validate_store_private(args: StackValidationArgs, report: ReportViolation) -> None:
    resources, stores = _stores(args)
    account_blocks = [r for r in of_type(resources, *ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPES)
                      if all(as_bool(get(r.props, k)) is True or is_unknown(get(r.props, k))
                             for k in PUBLIC_ACCESS_SETTINGS)]
    for server, view in stores:
        if is_unknown(view):
            continue
        if view is None:
            _not_in_stack(server, report)
            continue
        if account_blocks:
            continue
        complete = [b for b in view.public_access_blocks
                    if all(as_bool(get(b.props, k)) is True or is_unknown(get(b.props, k)) for k in PUBLIC_ACCESS_SETTINGS)]
        if not complete:
            report(f"{describe(server)}: its artifact store bucket {view.name!r} does not block public access (a "
                   "public access block with all four settings on); experiment artifacts are models and data.",
                   server.urn)


def _validate_store_cmk(args: StackValidationArgs, report: ReportViolation) -> None:
    _, stores = _stores(args)
    for server, view in stores:
        if is_unknown(view) or view is None:
            continue  # a store outside the program: mlflow-artifact-store-private reports it once
        if view.encryption_unknown:
            continue
        defaults = [rule.get("applyServerSideEncryptionByDefault") for rule in view.encryption_rules]
        if any(is_unknown(d) for d in defaults):
            continue
        keys = [d.get("kmsMasterKeyId") for d in defaults
                if isinstance(d, dict) and str(d.get("sseAlgorithm", "")).startswith("aws:kms")]
        if not keys or not all(is_unknown(k) or (isinstance(k, str) and k and aws_managed_key_alias(k) is None)
                               for k in keys):
            report(f"{describe(server)}: its artifact store bucket {view.name!r} is not encrypted by default with a "
                   "customer-managed KMS key.", server.urn)


_STORE_TYPES = [*MLFLOW_TYPES, *BUCKET_TYPES, NATIVE_BUCKET, *PUBLIC_ACCESS_BLOCK_TYPES, *ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPES]

mlflow_artifact_store_private = StackValidationPolicy(
    name="mlflow-artifact-store-private",
    description="A SageMaker MLflow tracking server's (or app's) artifact store is a bucket of the program that "
                "blocks all public access.",
    validate=examines(_STORE_TYPES, _validate_store_private),
    severity=Severity.HIGH,
    remediation_steps="Keep the artifact store in a bucket of the same program with an "
                      "aws.s3.BucketPublicAccessBlock (all four settings true); ExperimentTracking uses a "
                      "SecureBucket.",
    **frameworks({"nist-800-53": "AC-3, AC-21", "pci-dss": "1.4.1", "gdpr": "Art. 32(1)(b)"}),
)

mlflow_artifact_store_cmk = StackValidationPolicy(
    name="mlflow-artifact-store-cmk",
    description="A SageMaker MLflow tracking server's (or app's) artifact store is encrypted by default with a "
                "customer-managed KMS key.",
    validate=examines([*MLFLOW_TYPES, *BUCKET_TYPES, NATIVE_BUCKET, *ENCRYPTION_TYPES], _validate_store_cmk),
    severity=Severity.HIGH,
    remediation_steps="Encrypt the artifact store bucket with SSE-KMS and your own aws.kms.Key "
                      "(ExperimentTracking uses the environment's artifacts key).",
    **frameworks({"nist-800-53": "SC-28, SC-12", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)"}),
)

SECURITY = [mlflow_artifact_store_private, mlflow_artifact_store_cmk]
PRIVACY: list = []
COMPLIANCE = [sagemaker_experiment_captured]
