"""The model-quality part of an ``EndpointMonitor``: a SageMaker Model Monitor model-quality job
definition (pulumi-aws-native: pulumi-aws has none) and its schedule (pulumi-aws), under a role of
its own. Built only when the monitor's settings have ``model_quality``; ``pulumi_aws_native`` is
imported here, on that path only.

Children, named from the monitor name ``<name>``:

- ``<name>-model-quality`` role and policy: list and read the endpoint's capture prefix and the
  ground-truth prefix, read the baseline constraints (if any), write reports under
  ``monitoring/<name>/model-quality/`` of the capture bucket only, use the inference and artifact
  keys, pull the analyzer image, manage its ENIs in this VPC, publish the model-metrics namespace.
- ``<name>-model-quality`` ``aws-native:sagemaker:ModelQualityJobDefinition`` (auto-named by the
  provider): the analyzer image for the region, the problem type and the attributes, network
  isolation, inter-container traffic encryption, the data-quality job's private subnets and security
  group, the inference key on the volume and the reports; created with the explicit aws-native
  provider (``EndpointMonitorArgs.native_provider``).
- ``<name>-model-quality`` ``aws.sagemaker.MonitoringSchedule`` with ``monitoring_type=ModelQuality``.

Shapes: CloudFormation's ``AWS::SageMaker::ModelQualityJobDefinition`` as pulumi-aws-native 1.84
exposes it (``pulumi_aws_native/sagemaker/_inputs.py``) and botocore's
``CreateModelQualityJobDefinition``; the analyzer is the data-quality job's image (sagemaker-core's
``ModelQualityMonitor._get_default_image_uri`` retrieves the same ``model-monitor`` framework).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from catalog.monitor_images import monitor_image_uri, monitor_repository_arn
from components.common import child_opts
from components.inference.endpoint import InferenceEndpoint
from components.monitoring import documents
from components.monitoring.args import INPUT_PATH, OUTPUT_PATH, ModelQualityArgs, report_prefix
from components.monitoring.native import load_aws_native
from components.network import Network
from components.storage import SecureBucket

#: Where the analyzer publishes model-quality metrics (the data-metrics namespace's sibling).
MODEL_METRICS_NAMESPACE = "aws/sagemaker/Endpoints/model-metrics"


@dataclass
class ModelQualityMonitor:
    """What ``build_model_quality`` created."""

    job_definition: pulumi.CustomResource
    schedule: aws.sagemaker.MonitoringSchedule
    role: aws.iam.Role
    #: ``s3://<capture bucket>/monitoring/<name>/model-quality``.
    report_uri: pulumi.Output[str]


@dataclass
class ModelQualityTarget:
    """What a model-quality job reads, writes and runs in (the ``EndpointMonitorArgs`` it belongs to)."""

    endpoint: InferenceEndpoint
    network: Network
    #: The endpoint's key: the job's volume and reports.
    kms_key: aws.kms.Key
    #: The artifact bucket and its key: ground truth and baseline constraints.
    artifact_bucket: SecureBucket
    artifact_key: aws.kms.Key
    region: str
    partition: str
    #: The explicit aws-native provider the job definition is created with.
    native_provider: pulumi.ProviderResource
    #: The data-quality job's security group (egress HTTPS to the VPC and S3 only).
    security_group: aws.ec2.SecurityGroup
    log_group_arn: pulumi.Output[str]


def build_model_quality(parent: pulumi.Resource, name: str, quality: ModelQualityArgs, args: ModelQualityTarget,
                        tags: dict[str, str]) -> ModelQualityMonitor:
    """The model-quality children of ``parent`` (an ``EndpointMonitor`` named ``name``)."""
    sm = load_aws_native().sagemaker
    capture = args.endpoint.capture_bucket
    prefix = report_prefix(name, "model-quality")
    report_uri = pulumi.Output.concat("s3://", capture.bucket_name, "/", prefix)

    role = aws.iam.Role(
        f"{name}-model-quality", description=f"Model Monitor model-quality jobs of {args.endpoint.endpoint_name}",
        assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
        tags=tags, opts=child_opts(parent))
    policy = aws.iam.RolePolicy(f"{name}-model-quality", role=role.id, policy=pulumi.Output.all(
        capture=capture.arn, artifacts=args.artifact_bucket.arn, keys=[args.kms_key.arn, args.artifact_key.arn],
        vpc=args.network.vpc.arn, logs=args.log_group_arn,
    ).apply(lambda v: json.dumps(documents.monitor_policy(
        capture_bucket_arn=v["capture"], capture_prefix=args.endpoint.endpoint_name,
        baseline_object_arns=[f"{v['artifacts']}/{quality.constraints_key}"] if quality.constraints_key else [],
        ground_truth=(v["artifacts"], quality.ground_truth_prefix),
        output_bucket_arn=v["capture"], output_prefix=prefix, key_arns=v["keys"],
        repository_arn=monitor_repository_arn(args.region, args.partition), vpc_arn=v["vpc"],
        log_group_arn=v["logs"], metrics_namespace=MODEL_METRICS_NAMESPACE))), opts=child_opts(parent))

    artifacts_uri = pulumi.Output.concat("s3://", args.artifact_bucket.bucket_name, "/")
    baseline = sm.ModelQualityJobDefinitionModelQualityBaselineConfigArgs(
        constraints_resource=sm.ModelQualityJobDefinitionConstraintsResourceArgs(
            s3_uri=pulumi.Output.concat(artifacts_uri, quality.constraints_key))) if quality.constraints_key else None
    job: Any = sm.ModelQualityJobDefinition(
        f"{name}-model-quality", role_arn=role.arn,
        model_quality_app_specification=sm.ModelQualityJobDefinitionModelQualityAppSpecificationArgs(
            image_uri=monitor_image_uri(args.region),
            problem_type=sm.ModelQualityJobDefinitionProblemType(quality.problem_type),
            environment={"publish_cloudwatch_metrics": "Enabled"}),
        model_quality_baseline_config=baseline,
        model_quality_job_input=sm.ModelQualityJobDefinitionModelQualityJobInputArgs(
            endpoint_input=sm.ModelQualityJobDefinitionEndpointInputArgs(
                endpoint_name=args.endpoint.endpoint.name, local_path=INPUT_PATH,
                inference_attribute=quality.inference_attribute, probability_attribute=quality.probability_attribute,
                probability_threshold_attribute=quality.probability_threshold,
                start_time_offset=quality.start_time_offset, end_time_offset=quality.end_time_offset),
            ground_truth_s3_input=sm.ModelQualityJobDefinitionMonitoringGroundTruthS3InputArgs(
                s3_uri=pulumi.Output.concat(artifacts_uri, quality.ground_truth_prefix))),
        model_quality_job_output_config=sm.ModelQualityJobDefinitionMonitoringOutputConfigArgs(
            kms_key_id=args.kms_key.arn,
            monitoring_outputs=[sm.ModelQualityJobDefinitionMonitoringOutputArgs(
                s3_output=sm.ModelQualityJobDefinitionS3OutputArgs(
                    s3_uri=report_uri, local_path=OUTPUT_PATH,
                    s3_upload_mode=sm.ModelQualityJobDefinitionS3OutputS3UploadMode.END_OF_JOB))]),
        job_resources=sm.ModelQualityJobDefinitionMonitoringResourcesArgs(
            cluster_config=sm.ModelQualityJobDefinitionClusterConfigArgs(
                instance_count=quality.instance_count, instance_type=quality.instance_type,
                volume_size_in_gb=quality.volume_size_gb, volume_kms_key_id=args.kms_key.arn)),
        network_config=sm.ModelQualityJobDefinitionNetworkConfigArgs(
            enable_network_isolation=True, enable_inter_container_traffic_encryption=True,
            vpc_config=sm.ModelQualityJobDefinitionVpcConfigArgs(
                subnets=[s.id for s in args.network.private_subnets], security_group_ids=[args.security_group.id])),
        stopping_condition=sm.ModelQualityJobDefinitionStoppingConditionArgs(
            max_runtime_in_seconds=quality.max_runtime_seconds),
        # CloudFormation's key/value list; the provider's default tags (the stack's) are added to it.
        tags=[{"key": key, "value": value} for key, value in sorted(tags.items())],
        opts=child_opts(parent, provider=args.native_provider, depends_on=[policy]))

    schedule = aws.sagemaker.MonitoringSchedule(
        f"{name}-model-quality", name=f"{name}-model-quality",
        monitoring_schedule_config=aws.sagemaker.MonitoringScheduleMonitoringScheduleConfigArgs(
            monitoring_type="ModelQuality", monitoring_job_definition_name=job.job_definition_name,
            schedule_config=aws.sagemaker.MonitoringScheduleMonitoringScheduleConfigScheduleConfigArgs(
                schedule_expression=quality.schedule)),
        tags=tags, opts=child_opts(parent))
    return ModelQualityMonitor(job_definition=job, schedule=schedule, role=role, report_uri=report_uri)
