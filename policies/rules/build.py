"""Build and batch compute: CodeBuild projects do not run builds in privileged mode and keep their build
logs, and AWS Batch job definitions run no privileged container.

Inputs are pulumi-aws 7's: ``aws.codebuild.Project`` ``environment.privilegedMode`` (default false;
privileged mode gives the build container the Docker daemon and the host's devices);
``aws.batch.JobDefinition`` ``containerProperties`` (a JSON string: the Batch
``RegisterJobDefinition`` ``containerProperties``, ``privileged`` default false, see botocore's
``batch`` model), ``nodeProperties`` (JSON: ``nodeRangeProperties[].container``, or its
``ecsProperties``), ``ecsProperties`` (JSON: ``taskProperties[].containers[]``) and ``eksProperties``
(``podProperties.containers[]``/``initContainers[]`` ``securityContext.privileged``).
Checkov CKV_AWS_316 and CKV_AWS_210.

Build logs: ``logsConfig.cloudwatchLogs.status`` defaults to ``ENABLED`` and ``s3Logs.status`` to
``DISABLED`` (pulumi-aws codebuild/_inputs.py), so a project without ``logsConfig`` logs to CloudWatch;
only CloudWatch turned off without S3 logs is a violation. Checkov CKV_AWS_314 fails every project without
``logsConfig``, which logs to CloudWatch all the same.

CodePipeline webhooks (``aws.codepipeline.Webhook``) authenticate their callers: ``authentication`` is not
``UNAUTHENTICATED``.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._batch import EKS_PREFIX, JOB_DEFINITIONS, batch_containers
from policies.rules._declare import applies_to, frameworks
from policies.rules._props import as_bool, describe, get, is_unknown, single

PROJECT = "aws:codebuild/project:Project"
#: pulumi-aws-native's AWS::CodeBuild::Project: the same ``environment.privilegedMode``; ``logsConfig.cloudWatchLogs``
#: (pulumi-aws: ``cloudwatchLogs``) and ``s3Logs`` (pulumi-aws-native 1.84 codebuild/_inputs.py).
PROJECTS = (PROJECT, "aws-native:codebuild:Project")


def _privileged_build(args: ResourceValidationArgs, report: ReportViolation) -> None:
    environment = single(get(args.props, "environment"))
    if isinstance(environment, dict) and as_bool(environment.get("privilegedMode")) is True:
        report(f"{describe(args)} runs builds in privileged mode (environment.privilegedMode true): build code "
               "controls the Docker daemon and can escape to the build host")


codebuild_no_privileged_mode = ResourceValidationPolicy(
    name="codebuild-no-privileged-mode",
    description="CodeBuild projects do not run builds in privileged mode.",
    validate=applies_to(PROJECTS, _privileged_build),
    severity=Severity.HIGH,
    remediation_steps="Set environment.privileged_mode=False on the aws.codebuild.Project; build container images "
                      "without a Docker daemon (kaniko, buildah, or CodeBuild's Docker server capability), or "
                      "waive this rule for an isolated image-build project.",
    **frameworks({"nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.1"}),
)


def _privileged(where: str, container: dict) -> Any:
    """A container's privileged flag: ``securityContext.privileged`` in an EKS pod, ``privileged`` elsewhere."""
    if where.startswith(EKS_PREFIX):
        context = single(container.get("securityContext"))
        return context.get("privileged") if isinstance(context, dict) else None
    return container.get("privileged")


def _privileged_job(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for where, container in batch_containers(args.props):
        if as_bool(_privileged(where, container)) is True:
            name = container.get("name") if isinstance(container.get("name"), str) else ""
            label = f"{where} {name!r}" if name else where
            report(f"{describe(args)}: {label} is privileged (root on the compute environment's host)")


batch_job_no_privileged_containers = ResourceValidationPolicy(
    name="batch-job-no-privileged-containers",
    description="AWS Batch job definitions run no privileged container.",
    validate=applies_to(JOB_DEFINITIONS, _privileged_job),
    severity=Severity.HIGH,
    remediation_steps="Remove \"privileged\": true from the job definition's container_properties (and "
                      "node_properties/ecs_properties containers; eks_properties security_context.privileged); "
                      "grant the specific Linux capabilities or devices (GPUs via resourceRequirements) instead.",
    **frameworks({"nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.1"}),
)

def _build_logs(args: ResourceValidationArgs, report: ReportViolation) -> None:
    logs = single(get(args.props, "logsConfig"))
    if is_unknown(logs):
        return
    logs = logs if isinstance(logs, dict) else {}
    cloudwatch, s3 = single(logs.get("cloudwatchLogs") or logs.get("cloudWatchLogs")), single(logs.get("s3Logs"))
    cloudwatch_status = cloudwatch.get("status") if isinstance(cloudwatch, dict) else None
    s3_status = s3.get("status") if isinstance(s3, dict) else None
    if is_unknown(cloudwatch_status) or is_unknown(s3_status):
        return
    # CloudWatch Logs are ENABLED unless turned off; S3 logs are DISABLED unless turned on.
    if str(cloudwatch_status or "ENABLED").upper() == "DISABLED" and str(s3_status or "DISABLED").upper() != "ENABLED":
        report(f"{describe(args)} keeps no build logs (logsConfig.cloudwatchLogs.status DISABLED and no S3 logs): "
               "what a build ran and fetched cannot be reviewed")


codebuild_logging = ResourceValidationPolicy(
    name="codebuild-logging",
    description="CodeBuild projects keep build logs: CloudWatch Logs not DISABLED (the default is ENABLED), or S3 "
                "logs ENABLED.",
    validate=applies_to(PROJECTS, _build_logs),
    severity=Severity.MEDIUM,
    remediation_steps="Leave logs_config.cloudwatch_logs.status ENABLED (with a group_name whose log group has "
                      "retention and a KMS key), or set logs_config.s3_logs={'status': 'ENABLED', 'location': ...}.",
    **frameworks({"nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1"}),
)


# --------------------------------------------------------------------------------------------------
# CodePipeline webhooks

WEBHOOK = "aws:codepipeline/webhook:Webhook"
#: AWS::CodePipeline::Webhook: the same ``authentication`` (pulumi-aws-native codepipeline/webhook.py).
WEBHOOKS = (WEBHOOK, "aws-native:codepipeline:Webhook")


def _webhook_authentication(args: ResourceValidationArgs, report: ReportViolation) -> None:
    # botocore codepipeline WebhookDefinition.authentication (required): "UNAUTHENTICATED accepts all webhook trigger
    # requests regardless of origin", as against GITHUB_HMAC (a shared secret) and IP (an allowed CIDR range);
    # pulumi-aws 7 codepipeline/webhook.py: "One of IP, GITHUB_HMAC, or UNAUTHENTICATED".
    authentication = get(args.props, "authentication")
    if isinstance(authentication, str) and authentication.upper() == "UNAUTHENTICATED":
        report(f"{describe(args)} accepts every request to its URL (authentication UNAUTHENTICATED): anyone who learns "
               "the URL can start the pipeline")


codepipeline_webhook_authenticated = ResourceValidationPolicy(
    name="codepipeline-webhook-authenticated",
    description="CodePipeline webhooks authenticate their callers (GITHUB_HMAC or IP), not UNAUTHENTICATED.",
    validate=applies_to(WEBHOOKS, _webhook_authentication),
    severity=Severity.HIGH,
    remediation_steps="Set authentication='GITHUB_HMAC' with authentication_configuration.secret_token from a Pulumi "
                      "secret, or 'IP' with authentication_configuration.allowed_ip_range; better, trigger the pipeline "
                      "from a CodeStar/CodeConnections source action, which needs no webhook.",
    **frameworks({"nist-800-53": "IA-9, AC-3", "pci-dss": "8.2.1", "hipaa": "164.312(d)"}),
)

SECURITY = [codebuild_no_privileged_mode, batch_job_no_privileged_containers, codepipeline_webhook_authenticated]
PRIVACY: list = []
COMPLIANCE = [codebuild_logging]
