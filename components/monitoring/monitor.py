"""``EndpointMonitor``: SageMaker Model Monitor data-quality monitoring of one endpoint's captured
traffic, and what turns drift into action.

Children, named from the monitor name ``<name>`` (by convention the endpoint's name):

- ``<name>-monitor`` security group: no ingress; egress HTTPS to the VPC and to S3 only.
- ``<name>-monitor`` role and policy: list and read the endpoint's capture prefix, read the two
  baseline objects, write reports under ``monitoring/<name>/data-quality/`` of the capture bucket,
  use the inference and artifact keys, pull the analyzer image, manage its ENIs in this VPC.
- ``<name>-data-quality`` job definition (network isolation, inter-container traffic encryption,
  private subnets, the inference key on the volume and the reports) and monitoring schedule.
- ``<name>-monitoring`` KMS-encrypted SNS topic and its policy; ``<name>-monitor-failures``
  EventBridge rule (runs that failed or were stopped) to the topic.
- ``<name>-drift-<feature>`` CloudWatch alarms on ``feature_baseline_drift_<feature>`` to the topic.
- With a retraining pipeline: ``<name>-retraining`` rule (a drift alarm entering ALARM) and target
  that starts the pipeline, under the ``<name>-retraining`` role that may start that pipeline only.
- With ``model_quality``: the ``<name>-model-quality`` role, job definition (pulumi-aws-native) and
  schedule of ``components.monitoring.model_quality``; the failure rule covers its runs too.

The monitor's topic must be encrypted with a key whose policy admits ``events.amazonaws.com`` and
``cloudwatch.amazonaws.com`` (``KeySpec.service_principals``), or deliveries fail silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

from components.common import Classification, child_opts, data_store_tags
from components.inference.endpoint import InferenceEndpoint
from components.monitoring import documents
from components.monitoring.model_quality import ModelQualityMonitor, ModelQualityTarget, build_model_quality
from components.monitoring.args import (DATA_METRICS_NAMESPACE, DRIFT_METRIC_PREFIX, INPUT_PATH, OUTPUT_PATH,
                                        MonitoringArgs, feature_slug, report_prefix)
from catalog.monitor_images import monitor_image_uri, monitor_repository_arn
from components.network import Network
from components.storage import SecureBucket

@dataclass
class EndpointMonitorArgs:
    """One endpoint's monitoring. The endpoint must capture data (its capture bucket holds the input
    and the reports)."""

    endpoint: InferenceEndpoint
    monitoring: MonitoringArgs
    network: Network
    #: The endpoint's key: captured payloads, the job's volume, the reports and the alert topic.
    kms_key: aws.kms.Key
    #: The bucket and key of the baseline objects (the environment's artifact bucket).
    baseline_bucket: SecureBucket
    baseline_key: aws.kms.Key
    #: Region of the stack: selects the analyzer image (resolved offline).
    region: str
    partition: str = "aws"
    tags: Mapping[str, str] = field(default_factory=dict)
    #: The aws-native provider (``components.monitoring.native.native_provider``) the model-quality job
    #: definition is created with; required with ``monitoring.model_quality``, unused without it.
    native_provider: Optional[pulumi.ProviderResource] = None

    def __post_init__(self) -> None:
        if self.endpoint.capture_bucket is None:
            raise ValueError(f"endpoint {self.endpoint.endpoint_name!r} captures no data: a data-quality monitor "
                             "reads the captured traffic, so enable data capture first")
        if self.monitoring.model_quality is not None and self.native_provider is None:
            raise ValueError("a model-quality monitor needs native_provider: an explicit aws-native provider with "
                             "the stack's region and tags (components.monitoring.native.native_provider)")
        monitor_image_uri(self.region)


class EndpointMonitor(pulumi.ComponentResource):
    """A data-quality monitoring schedule on an endpoint, with drift alarms and failure events."""

    job_definition: aws.sagemaker.DataQualityJobDefinition
    schedule: aws.sagemaker.MonitoringSchedule
    role: aws.iam.Role
    security_group: aws.ec2.SecurityGroup
    topic: aws.sns.Topic
    failure_rule: aws.cloudwatch.EventRule
    drift_alarms: list[aws.cloudwatch.MetricAlarm]
    retraining_rule: Optional[aws.cloudwatch.EventRule]
    #: ``s3://<capture bucket>/monitoring/<name>/data-quality``: where the reports land.
    report_uri: pulumi.Output[str]
    #: The model-quality job definition, schedule and role, with ``monitoring.model_quality``.
    model_quality: Optional[ModelQualityMonitor]

    def __init__(self, name: str, args: EndpointMonitorArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("mlinfra:monitoring:EndpointMonitor", name, None, opts)
        tags = dict(args.tags)
        quality = args.monitoring.data_quality
        capture = args.endpoint.capture_bucket
        endpoint_name = args.endpoint.endpoint_name
        invoke = pulumi.InvokeOutputOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=invoke).account_id
        log_group_arn = pulumi.Output.concat("arn:", args.partition, ":logs:", args.region, ":", account_id,
                                             ":log-group:", documents.PROCESSING_LOG_GROUP)
        prefix = report_prefix(name, "data-quality")
        self.report_uri = pulumi.Output.concat("s3://", capture.bucket_name, "/", prefix)

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-monitor", vpc_id=args.network.vpc.id,
            description=f"Model Monitor jobs of {endpoint_name}: HTTPS to VPC endpoints and S3 only", ingress=[],
            egress=[
                {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [args.network.vpc.cidr_block],
                 "description": "HTTPS to interface endpoints in the VPC"},
                {"protocol": "tcp", "from_port": 443, "to_port": 443,
                 "prefix_list_ids": [args.network.endpoints["s3"].prefix_list_id],
                 "description": "HTTPS to S3 through the gateway endpoint"},
            ], tags=tags, opts=child_opts(self))

        self.role = aws.iam.Role(
            f"{name}-monitor", description=f"Model Monitor jobs of SageMaker endpoint {endpoint_name}",
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
            tags=tags, opts=child_opts(self))
        baseline = quality.baseline
        policy = aws.iam.RolePolicy(f"{name}-monitor", role=self.role.id, policy=pulumi.Output.all(
            capture=capture.arn, baseline=args.baseline_bucket.arn, keys=[args.kms_key.arn, args.baseline_key.arn],
            vpc=args.network.vpc.arn, logs=log_group_arn,
        ).apply(lambda v: json.dumps(documents.monitor_policy(
            capture_bucket_arn=v["capture"], capture_prefix=endpoint_name,
            baseline_object_arns=[f"{v['baseline']}/{baseline.constraints_key}",
                                  f"{v['baseline']}/{baseline.statistics_key}"],
            output_bucket_arn=v["capture"], output_prefix=prefix, key_arns=v["keys"],
            repository_arn=monitor_repository_arn(args.region, args.partition), vpc_arn=v["vpc"],
            log_group_arn=v["logs"]))), opts=child_opts(self))

        baseline_uri = pulumi.Output.concat("s3://", args.baseline_bucket.bucket_name, "/")
        sm = aws.sagemaker
        self.job_definition = sm.DataQualityJobDefinition(
            f"{name}-data-quality", role_arn=self.role.arn,
            data_quality_app_specification=sm.DataQualityJobDefinitionDataQualityAppSpecificationArgs(
                image_uri=monitor_image_uri(args.region),
                # The analyzer publishes per-feature metrics (the drift alarms' input) only when asked.
                environment={"publish_cloudwatch_metrics": "Enabled"}),
            data_quality_baseline_config=sm.DataQualityJobDefinitionDataQualityBaselineConfigArgs(
                constraints_resource=sm.DataQualityJobDefinitionDataQualityBaselineConfigConstraintsResourceArgs(
                    s3_uri=pulumi.Output.concat(baseline_uri, baseline.constraints_key)),
                statistics_resource=sm.DataQualityJobDefinitionDataQualityBaselineConfigStatisticsResourceArgs(
                    s3_uri=pulumi.Output.concat(baseline_uri, baseline.statistics_key))),
            data_quality_job_input=sm.DataQualityJobDefinitionDataQualityJobInputArgs(
                endpoint_input=sm.DataQualityJobDefinitionDataQualityJobInputEndpointInputArgs(
                    endpoint_name=args.endpoint.endpoint.name, local_path=INPUT_PATH)),
            data_quality_job_output_config=sm.DataQualityJobDefinitionDataQualityJobOutputConfigArgs(
                kms_key_id=args.kms_key.arn,
                monitoring_outputs=sm.DataQualityJobDefinitionDataQualityJobOutputConfigMonitoringOutputsArgs(
                    s3_output=sm.DataQualityJobDefinitionDataQualityJobOutputConfigMonitoringOutputsS3OutputArgs(
                        s3_uri=self.report_uri, local_path=OUTPUT_PATH, s3_upload_mode="EndOfJob"))),
            job_resources=sm.DataQualityJobDefinitionJobResourcesArgs(
                cluster_config=sm.DataQualityJobDefinitionJobResourcesClusterConfigArgs(
                    instance_count=quality.instance_count, instance_type=quality.instance_type,
                    volume_size_in_gb=quality.volume_size_gb, volume_kms_key_id=args.kms_key.arn)),
            network_config=sm.DataQualityJobDefinitionNetworkConfigArgs(
                enable_network_isolation=True, enable_inter_container_traffic_encryption=True,
                vpc_config=sm.DataQualityJobDefinitionNetworkConfigVpcConfigArgs(
                    subnets=[s.id for s in args.network.private_subnets],
                    security_group_ids=[self.security_group.id])),
            stopping_condition=sm.DataQualityJobDefinitionStoppingConditionArgs(
                max_runtime_in_seconds=quality.max_runtime_seconds),
            tags=tags, opts=child_opts(self, depends_on=[policy]))
        self.schedule = sm.MonitoringSchedule(
            f"{name}-data-quality", name=f"{name}-data-quality",
            monitoring_schedule_config=sm.MonitoringScheduleMonitoringScheduleConfigArgs(
                monitoring_type="DataQuality", monitoring_job_definition_name=self.job_definition.name,
                schedule_config=sm.MonitoringScheduleMonitoringScheduleConfigScheduleConfigArgs(
                    schedule_expression=quality.schedule)),
            tags=tags, opts=child_opts(self))
        self.model_quality = build_model_quality(self, name, args.monitoring.model_quality, ModelQualityTarget(
            endpoint=args.endpoint, network=args.network, kms_key=args.kms_key, artifact_bucket=args.baseline_bucket,
            artifact_key=args.baseline_key, region=args.region, partition=args.partition,
            native_provider=args.native_provider, security_group=self.security_group, log_group_arn=log_group_arn,
        ), tags) if args.monitoring.model_quality is not None and args.native_provider is not None else None
        schedules = [self.schedule] + ([self.model_quality.schedule] if self.model_quality else [])

        # Alerts name the endpoint, schedule and features, never payloads: internal.
        self.topic = aws.sns.Topic(f"{name}-monitoring", kms_master_key_id=args.kms_key.arn,
                                   tags=data_store_tags(Classification.INTERNAL, tags), opts=child_opts(self))
        self.drift_alarms = self._drift_alarms(name, args, tags)
        self.failure_rule = aws.cloudwatch.EventRule(
            f"{name}-monitor-failures", description=f"Failed or stopped monitoring runs of {endpoint_name}",
            event_pattern=pulumi.Output.all(*[s.arn for s in schedules]).apply(
                lambda arns: json.dumps(documents.execution_failure_pattern(arns))),
            tags=tags, opts=child_opts(self))
        self.retraining_rule = self._retraining(name, args, tags)
        rules = [self.failure_rule] + ([self.retraining_rule] if self.retraining_rule else [])
        topic_policy = aws.sns.TopicPolicy(f"{name}-monitoring", arn=self.topic.arn, policy=pulumi.Output.all(
            topic=self.topic.arn, account=account_id, rules=[r.arn for r in rules],
            alarms=[a.arn for a in self.drift_alarms],
        ).apply(lambda v: json.dumps(documents.topic_policy(topic_arn=v["topic"], account_id=v["account"],
                                                            rule_arns=v["rules"], alarm_arns=v["alarms"]))),
            opts=child_opts(self))
        aws.cloudwatch.EventTarget(f"{name}-monitor-failures", rule=self.failure_rule.name, arn=self.topic.arn,
                                   opts=child_opts(self, depends_on=[topic_policy]))

        outputs = {"schedule": self.schedule.name, "topic": self.topic.arn, "reports": self.report_uri}
        if self.model_quality:
            outputs |= {"modelQualitySchedule": self.model_quality.schedule.name,
                        "modelQualityReports": self.model_quality.report_uri}
        self.register_outputs(outputs)

    def _drift_alarms(self, name: str, args: EndpointMonitorArgs, tags: dict[str, str]
                      ) -> list[aws.cloudwatch.MetricAlarm]:
        drift = args.monitoring.alarms.drift
        if drift is None:
            return []
        # One datapoint per run: the period is the schedule's interval (CloudWatch's longest is a day).
        period = min(args.monitoring.data_quality.interval_seconds, 86400)
        return [aws.cloudwatch.MetricAlarm(
            f"{name}-drift-{feature_slug(feature)}", namespace=DATA_METRICS_NAMESPACE,
            metric_name=f"{DRIFT_METRIC_PREFIX}{feature}",
            dimensions={"Endpoint": args.endpoint.endpoint_name, "MonitoringSchedule": self.schedule.name},
            statistic="Maximum", period=period, evaluation_periods=drift.evaluation_periods,
            threshold=drift.threshold, comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="notBreaching",
            alarm_description=f"{args.endpoint.endpoint_name}: feature {feature} drifted from its baseline",
            alarm_actions=[self.topic.arn], tags=tags, opts=child_opts(self))
            for feature in sorted(drift.features)]

    def _retraining(self, name: str, args: EndpointMonitorArgs, tags: dict[str, str]
                    ) -> Optional[aws.cloudwatch.EventRule]:
        retraining = args.monitoring.alarms.retraining
        if retraining is None:
            return None
        role = aws.iam.Role(f"{name}-retraining", description=f"EventBridge starts retraining of {name} on drift",
                            assume_role_policy=json.dumps(documents.events_trust_policy()), tags=tags,
                            opts=child_opts(self))
        policy = aws.iam.RolePolicy(f"{name}-retraining", role=role.id,
                                    policy=json.dumps(documents.start_pipeline_policy(retraining.pipeline_arn)),
                                    opts=child_opts(self))
        rule = aws.cloudwatch.EventRule(
            f"{name}-retraining", description=f"A drift alarm of {name} fired: start the retraining pipeline",
            event_pattern=pulumi.Output.all(*[a.arn for a in self.drift_alarms]).apply(
                lambda arns: json.dumps(documents.alarm_state_pattern(arns))),
            tags=tags, opts=child_opts(self))
        aws.cloudwatch.EventTarget(f"{name}-retraining", rule=rule.name, arn=retraining.pipeline_arn,
                                   role_arn=role.arn, opts=child_opts(self, depends_on=[policy]))
        return rule
