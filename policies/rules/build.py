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

import json
from functools import lru_cache
from typing import Any, Iterator

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._props import as_bool, as_list, describe, get, is_unknown, plain, single

PROJECT = "aws:codebuild/project:Project"
JOB_DEFINITION = "aws:batch/jobDefinition:JobDefinition"
#: pulumi-aws-native's AWS::CodeBuild::Project: the same ``environment.privilegedMode``; ``logsConfig.cloudWatchLogs``
#: (pulumi-aws: ``cloudwatchLogs``) and ``s3Logs`` (pulumi-aws-native 1.84 codebuild/_inputs.py).
PROJECTS = (PROJECT, "aws-native:codebuild:Project")
#: AWS::Batch::JobDefinition: containerProperties, nodeProperties, ecsProperties, eksProperties as objects.
JOB_DEFINITIONS = (JOB_DEFINITION, "aws-native:batch:JobDefinition")


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


@lru_cache(maxsize=256)
def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _document(props: Any, field: str) -> Any:
    value = get(props, field)
    if is_unknown(value) or value is None:
        return None
    return _parse(value) if isinstance(value, str) else plain(value)


def _task_containers(ecs: Any, where: str) -> Iterator[tuple[str, Any]]:
    tasks = ecs.get("taskProperties") if isinstance(ecs, dict) else None
    for i, task in enumerate(tasks if isinstance(tasks, list) else []):
        containers = task.get("containers") if isinstance(task, dict) else None
        for j, container in enumerate(containers if isinstance(containers, list) else []):
            yield f"{where}taskProperties[{i}].containers[{j}]", container


def _batch_containers(props: Any) -> Iterator[tuple[str, Any, Any]]:
    """(where, container, privileged flag) for every container of a job definition."""
    container = _document(props, "containerProperties")
    if isinstance(container, dict):
        yield "containerProperties", container, container.get("privileged")
    nodes = _document(props, "nodeProperties")
    ranges = nodes.get("nodeRangeProperties") if isinstance(nodes, dict) else None
    for index, node in enumerate(ranges if isinstance(ranges, list) else []):
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("container"), dict):
            yield f"nodeRangeProperties[{index}].container", node["container"], node["container"].get("privileged")
        for where, item in _task_containers(node.get("ecsProperties"), f"nodeRangeProperties[{index}]."):
            if isinstance(item, dict):
                yield where, item, item.get("privileged")
    for where, item in _task_containers(_document(props, "ecsProperties"), "ecsProperties."):
        if isinstance(item, dict):
            yield where, item, item.get("privileged")
    pod = get(single(get(props, "eksProperties")), "podProperties")
    pod = single(pod)
    for kind in ("containers", "initContainers"):
        items = as_list(get(pod, kind)) if isinstance(pod, dict) else None
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                context = single(item.get("securityContext"))
                yield (f"eksProperties.podProperties.{kind}[{index}]", item,
                       context.get("privileged") if isinstance(context, dict) else None)


def _privileged_job(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for where, container, flag in _batch_containers(args.props):
        if as_bool(flag) is True:
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
