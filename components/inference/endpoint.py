"""``InferenceEndpoint``: a SageMaker real-time (or serverless, or asynchronous) endpoint run the way
a careful team runs production inference.

Children, named from the endpoint name ``<name>``:

- ``<name>`` security group (instance endpoints): no ingress; egress HTTPS to the VPC (interface
  endpoints) and to S3 through the gateway endpoint's prefix list, nowhere else.
- ``<name>`` log group ``/aws/sagemaker/Endpoints/<name>``, KMS-encrypted, with retention.
- ``<name>-execution`` role and policy: read this model's artifact, pull its image, write its log
  group, manage its network interfaces in this VPC; write capture, read async requests and write
  async results if enabled.
- ``<name>`` model: network isolation and private subnets (serverless endpoints support neither).
- ``<name>-capture`` / ``<name>-async`` ``SecureBucket``: captured payloads / async requests (read
  from ``<name>/requests/``) and results, expired after the configured days; ``<name>-success`` /
  ``<name>-error`` KMS-encrypted SNS topics.
- ``<name>-5xx`` and ``<name>-latency`` CloudWatch alarms; a deployment rolls back when one fires.
- ``<name>`` endpoint configuration (volume key, variant ``primary``) and endpoint (blue/green).
- ``<name>`` scalable target and ``<name>-invocations`` target-tracking policy (with autoscaling).
- Experiments (docs/components/experiments.md): per other production variant ``<v>`` (A/B) a
  ``<name>-<v>`` model, ``<name>-<v>-5xx``/``-latency`` rollback alarms and (with autoscaling) a
  ``<name>-<v>`` scalable target; for the shadow ``<s>`` a ``<name>-<s>`` model and alarms that
  roll nothing back. Every variant shares the configuration's volume key and data capture.

Autoscaling and updates: the endpoint configuration is immutable, so Pulumi replaces it (a new,
auto-named one) whenever the model or variant changes, and updates the endpoint to it; SageMaker
then starts the new fleet at the configuration's ``initial_instance_count``. pulumi-aws 7's
``aws.sagemaker.Endpoint`` has no ``RetainAllVariantProperties`` (SageMaker's UpdateEndpoint flag
that keeps the live instance count), so the configuration starts at the autoscaling *minimum*: a
deployment never drops below the floor, and the autoscaler scales the new fleet out again. The live
count itself is never part of Pulumi's state, so a ``pulumi up`` that changes nothing leaves it
alone. ``initialInstanceCount`` is in ``ignore_changes`` when autoscaling is on: raising or lowering
the minimum is the scalable target's job, and must not redeploy the fleet (and reset the count).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.common import Classification, check_log_retention, child_opts
from components.inference import documents
from components.inference.args import (
    AsyncArgs,
    AutoscalingArgs,
    DataCaptureArgs,
    DeploymentArgs,
    ServerlessArgs,
    VariantShape,
    check_variants,
)
from catalog.inference_instances import check_instance_type, takes_kms_key
from components.inference.instance_change import DeployedVariant, refuse_instance_type_changes
from components.inference.sources import ModelSource
from components.network import Network
from components.storage import SecureBucket, SecureBucketArgs

#: The one production variant. Blue/green deployments require the same variant name in the old and
#: new endpoint configuration, so it never changes.
VARIANT = "primary"
SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
LOG_GROUP_PREFIX = "/aws/sagemaker/Endpoints/"
_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


@dataclass
class VariantArgs:
    """Another production variant of the endpoint: an A/B challenger (another registry version or
    another model) that gets ``weight`` / (sum of weights) of the traffic. Defaults: weight 1, the
    endpoint's instance type and count (with autoscaling, the minimum)."""

    name: str
    model: ModelSource
    weight: float = 1.0
    instance_type: Optional[str] = None
    instance_count: Optional[int] = None


@dataclass
class ShadowArgs:
    """The shadow variant: SageMaker copies ``sampling_percentage`` % of production requests to it;
    its responses are captured (with data capture) and never returned. Defaults: every request, the
    endpoint's instance type and count."""

    name: str
    model: ModelSource
    sampling_percentage: int = 100
    instance_type: Optional[str] = None
    instance_count: Optional[int] = None

    def __post_init__(self) -> None:
        if not 1 <= self.sampling_percentage <= 100:
            raise ValueError(f"the shadow's sampling percentage must be 1-100, not {self.sampling_percentage}")


@dataclass
class InferenceEndpointArgs:
    """One endpoint. Defaults: one ``ml.m5.large`` instance, no data capture, all-at-once blue/green
    with rollback alarms, no autoscaling, 30-day log retention, not protected."""

    model: ModelSource
    #: Private subnets and the S3 gateway endpoint for instance endpoints (unused by serverless).
    network: Network
    #: Customer-managed key for volumes, captured payloads, async results and topics.
    kms_key: aws.kms.Key
    #: Key of the endpoint's CloudWatch log group (its policy must admit CloudWatch Logs).
    logs_key: aws.kms.Key
    #: Where the capture and async buckets' access logs go.
    access_log_bucket: aws.s3.Bucket
    #: Sensitivity of requests (captured payloads, async results).
    classification: Classification = Classification.CONFIDENTIAL
    #: None for a serverless endpoint.
    instance_type: Optional[str] = "ml.m5.large"
    #: Instances the endpoint configuration starts with (the autoscaling minimum with autoscaling).
    instance_count: int = 1
    serverless: Optional[ServerlessArgs] = None
    async_inference: Optional[AsyncArgs] = None
    #: None: no data capture.
    data_capture: Optional[DataCaptureArgs] = None
    deployment: DeploymentArgs = field(default_factory=DeploymentArgs)
    autoscaling: Optional[AutoscalingArgs] = None
    log_retention_days: int = 30
    #: Weight of the ``primary`` variant when there are other production variants.
    primary_weight: float = 1.0
    #: Other production variants (A/B tests); ordered by name in the endpoint configuration.
    variants: Sequence[VariantArgs] = ()
    shadow: Optional[ShadowArgs] = None
    #: Let the shadow have more capacity than production (normally a mistake that doubles the bill).
    allow_larger_shadow: bool = False
    #: Protect the capture and output buckets from deletion (prod).
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)
    #: The endpoint's production variants as deployed (``instance_change.deployed_variants``; empty
    #: offline or before the first deployment): an autoscaled variant's instance-type change is refused.
    deployed_variants: Mapping[str, DeployedVariant] = field(default_factory=dict)

    def planned_instance_types(self) -> dict[str, Optional[str]]:
        """The instance type of every production variant this configuration declares."""
        return {VARIANT: self.instance_type,
                **{v.name: v.instance_type or self.instance_type for v in self.variants}}

    def __post_init__(self) -> None:
        check_log_retention(self.log_retention_days)
        self._check_variants()
        if self.serverless is not None:
            if self.instance_type is not None:
                raise ValueError("a serverless endpoint has no instance_type; set it to None")
            for what, value in (("data capture", self.data_capture), ("asynchronous inference", self.async_inference),
                                ("autoscaling", self.autoscaling)):
                if value is not None:
                    raise ValueError(f"a serverless endpoint supports no {what}")
            self.deployment.check_fleet(None)
            return
        if self.instance_type is None:
            raise ValueError("an instance endpoint needs instance_type (or set serverless)")
        check_instance_type(self.instance_type)
        if self.instance_count < 1:
            raise ValueError(f"instance_count must be at least 1, not {self.instance_count}")
        if self.autoscaling and self.instance_count != self.autoscaling.min_capacity:
            raise ValueError(f"with autoscaling, instance_count ({self.instance_count}) must be the minimum "
                             f"({self.autoscaling.min_capacity})")
        self.deployment.check_fleet(self.instance_count)

    def variant_count(self, variant: "VariantArgs | ShadowArgs") -> Optional[int]:
        """Instances a variant starts with: with autoscaling the minimum, else its own or the endpoint's."""
        if self.serverless is not None:
            return None
        return variant.instance_count or self.instance_count

    def _check_variants(self) -> None:
        serverless = self.serverless is not None

        def shape(variant, weight: float) -> VariantShape:
            own = variant.instance_type
            return VariantShape(name=variant.name, weight=weight, instance_type=own or self.instance_type,
                                instance_count=None if serverless else variant.instance_count or self.instance_count,
                                serverless=serverless and own is None)

        if self.autoscaling:
            for variant in self.variants:
                if variant.instance_count is not None:
                    raise ValueError(f"variant {variant.name!r}: with autoscaling every production variant starts "
                                     "at the minimum; leave its instance_count out")
        shadow = self.shadow
        check_variants(
            VariantShape(name=VARIANT, weight=self.primary_weight, instance_type=self.instance_type,
                         instance_count=None if serverless else self.instance_count, serverless=serverless),
            [shape(v, v.weight) for v in self.variants],
            shape(shadow, self.primary_weight * shadow.sampling_percentage / 100) if shadow else None,
            asynchronous=self.async_inference is not None, allow_larger_shadow=self.allow_larger_shadow)

    @property
    def ordered_variants(self) -> list[VariantArgs]:
        """The other production variants by name: the order never depends on how they were listed."""
        return sorted(self.variants, key=lambda v: v.name)


class InferenceEndpoint(pulumi.ComponentResource):
    """A SageMaker endpoint with its model, role, network, alarms, safe deployment and scaling."""

    endpoint: aws.sagemaker.Endpoint
    endpoint_configuration: aws.sagemaker.EndpointConfiguration
    model: aws.sagemaker.Model
    role: aws.iam.Role
    security_group: Optional[aws.ec2.SecurityGroup]
    log_group: aws.cloudwatch.LogGroup
    #: The rollback alarms: 5xx errors and p99 latency of every production variant.
    alarms: list[aws.cloudwatch.MetricAlarm]
    #: The shadow's 5xx and latency alarms (they notify nobody and roll nothing back: a shadow's
    #: failures never reach clients).
    shadow_alarms: list[aws.cloudwatch.MetricAlarm]
    #: Models of the other production variants and of the shadow, by variant name.
    variant_models: dict[str, aws.sagemaker.Model]
    capture_bucket: Optional[SecureBucket]
    async_bucket: Optional[SecureBucket]
    #: ``s3://<async bucket>/<name>/requests/``: where clients put the ``InputLocation`` of async requests.
    async_request_prefix: Optional[pulumi.Output[str]]
    #: The SageMaker endpoint name (the component's name).
    endpoint_name: str

    def __init__(self, name: str, args: InferenceEndpointArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        if not _NAME.match(name):
            raise ValueError(f"endpoint name {name!r} is invalid: 1-63 letters, digits and '-', "
                             "starting with a letter or digit")
        # Before anything is registered: SageMaker would refuse this update halfway (instance_change.py).
        refuse_instance_type_changes(name, args.planned_instance_types(), args.deployed_variants)
        super().__init__("mlinfra:inference:InferenceEndpoint", name, None, opts)
        self.endpoint_name = name
        in_vpc = args.serverless is None
        tags = dict(args.tags)

        self.security_group = self._security_group(name, args.network, tags) if in_vpc else None
        self.log_group = aws.cloudwatch.LogGroup(
            name, name=f"{LOG_GROUP_PREFIX}{name}", retention_in_days=args.log_retention_days,
            kms_key_id=args.logs_key.arn, tags=tags, opts=child_opts(self))
        self.capture_bucket = self._bucket(f"{name}-capture", args, args.data_capture.retention_days) \
            if args.data_capture else None
        self.async_bucket, self.async_request_prefix, topics = None, None, []
        if args.async_inference:
            self.async_bucket = self._bucket(f"{name}-async", args, args.async_inference.output_retention_days)
            self.async_request_prefix = pulumi.Output.concat("s3://", self.async_bucket.bucket_name, "/", name,
                                                             "/requests/")
            if args.async_inference.notifications:
                topics = [aws.sns.Topic(f"{name}-{kind}", kms_master_key_id=args.kms_key.arn, tags=tags,
                                        opts=child_opts(self)) for kind in ("success", "error")]

        self.role = aws.iam.Role(f"{name}-execution", description=f"Execution role of SageMaker endpoint {name}",
                                 assume_role_policy=json.dumps(documents.trust_policy()), tags=tags,
                                 opts=child_opts(self))
        written = [b for b in (self.capture_bucket, self.async_bucket) if b is not None]
        # One role serves every variant's model: it may read what each of them needs.
        sources = [args.model, *(v.model for v in args.ordered_variants), *([args.shadow.model] if args.shadow else [])]
        policy = aws.iam.RolePolicy(f"{name}-execution", role=self.role.id, policy=pulumi.Output.all(
            log_group=self.log_group.arn,
            artifacts=pulumi.Output.all(*[a for src in sources for a in src.artifact_arns]).apply(_unique),
            decrypt=pulumi.Output.all(*[k.arn for src in sources for k in src.decrypt_keys]).apply(_unique),
            repositories=pulumi.Output.all(*[r for src in sources for r in src.repository_arns]).apply(_unique),
            vpc=args.network.vpc.arn if in_vpc else None,
            requests=pulumi.Output.all(*([pulumi.Output.concat(self.async_bucket.arn, "/", name, "/requests/*")]
                                         if self.async_bucket else [])),
            writes=pulumi.Output.all(*[pulumi.Output.concat(b.arn, "/*") for b in written]),
            key=args.kms_key.arn,
            topics=pulumi.Output.all(*[t.arn for t in topics]),
        ).apply(lambda v: json.dumps(documents.execution_policy(
            log_group_arn=v["log_group"], artifact_arns=v["artifacts"], decrypt_key_arns=v["decrypt"],
            repository_arns=v["repositories"], vpc_arn=v["vpc"], request_object_arns=v["requests"],
            write_object_arns=v["writes"],
            write_key_arns=[v["key"]] if v["writes"] or v["topics"] else [], topic_arns=v["topics"]))),
            opts=child_opts(self))

        self.model = self._model(name, args.model, args, tags, policy)
        others = [*args.ordered_variants, *([args.shadow] if args.shadow else [])]
        self.variant_models = {v.name: self._model(f"{name}-{v.name}", v.model, args, tags, policy) for v in others}
        self.alarms = self._alarms(name, VARIANT, args, tags)
        for variant in args.ordered_variants:
            self.alarms += self._alarms(f"{name}-{variant.name}", variant.name, args, tags)
        self.shadow_alarms = self._alarms(f"{name}-{args.shadow.name}", args.shadow.name, args, tags, shadow=True) \
            if args.shadow else []
        self.endpoint_configuration = self._endpoint_configuration(name, args, tags, topics)
        self.endpoint = aws.sagemaker.Endpoint(
            name, name=name, endpoint_config_name=self.endpoint_configuration.name,
            deployment_config=self._deployment_config(args.deployment), tags=tags, opts=child_opts(self))
        if args.autoscaling:
            self._autoscaling(name, VARIANT, args.autoscaling)
            for variant in args.ordered_variants:
                self._autoscaling(f"{name}-{variant.name}", variant.name, args.autoscaling)

        self.register_outputs({
            "endpointName": self.endpoint.name,
            "endpointArn": self.endpoint.arn,
            "modelName": self.model.name,
            "roleArn": self.role.arn,
            "alarmNames": [a.name for a in self.alarms],
            "captureBucket": self.capture_bucket.bucket_name if self.capture_bucket else None,
            "asyncOutputBucket": self.async_bucket.bucket_name if self.async_bucket else None,
            "asyncRequestPrefix": self.async_request_prefix,
        })

    def _security_group(self, name: str, network: Network, tags: dict[str, str]) -> aws.ec2.SecurityGroup:
        return aws.ec2.SecurityGroup(
            name, vpc_id=network.vpc.id, description=f"SageMaker endpoint {name}: HTTPS to VPC endpoints and S3 only",
            ingress=[],
            egress=[
                {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [network.vpc.cidr_block],
                 "description": "HTTPS to interface endpoints in the VPC"},
                {"protocol": "tcp", "from_port": 443, "to_port": 443,
                 "prefix_list_ids": [network.endpoints["s3"].prefix_list_id],
                 "description": "HTTPS to S3 through the gateway endpoint"},
            ],
            tags=tags, opts=child_opts(self))

    def _bucket(self, name: str, args: InferenceEndpointArgs, expiration_days: int) -> SecureBucket:
        return SecureBucket(name, SecureBucketArgs(
            kms_key=args.kms_key, classification=args.classification, access_log_bucket=args.access_log_bucket,
            expiration_days=expiration_days, protect=args.protect, tags=args.tags), opts=child_opts(self))

    def _model(self, name: str, source: ModelSource, args: InferenceEndpointArgs, tags: dict[str, str],
               policy: aws.iam.RolePolicy) -> aws.sagemaker.Model:
        container = aws.sagemaker.ModelPrimaryContainerArgs(
            model_package_name=source.model_package_arn, image=source.image,
            model_data_url=source.model_data_url, environment=dict(source.environment) or None)
        in_vpc = self.security_group is not None
        # SageMaker validates the role's access to the image and artifact at CreateModel: the policy first.
        return aws.sagemaker.Model(
            name, execution_role_arn=self.role.arn, primary_container=container,
            # Serverless endpoints support neither network isolation nor VPC configuration.
            enable_network_isolation=in_vpc,
            vpc_config=aws.sagemaker.ModelVpcConfigArgs(
                subnets=[s.id for s in args.network.private_subnets],
                security_group_ids=[self.security_group.id]) if in_vpc else None,
            tags=tags, opts=child_opts(self, depends_on=[policy]))

    def _alarms(self, name: str, variant: str, args: InferenceEndpointArgs, tags: dict[str, str],
                shadow: bool = False) -> list[aws.cloudwatch.MetricAlarm]:
        """``<name>-5xx`` and ``<name>-latency`` on one variant (``name`` is the endpoint's for primary)."""
        limits = args.deployment.rollback_alarms
        what = "watches the shadow (never rolls back)" if shadow else "rolls back a deployment"
        common = dict(namespace="AWS/SageMaker", dimensions={"EndpointName": self.endpoint_name, "VariantName": variant},
                      period=60, evaluation_periods=limits.evaluation_periods,
                      comparison_operator="GreaterThanOrEqualToThreshold", treat_missing_data="notBreaching",
                      tags=tags)
        return [
            aws.cloudwatch.MetricAlarm(
                f"{name}-5xx", name=f"{name}-5xx", metric_name="Invocation5XXErrors", statistic="Sum",
                threshold=limits.max_5xx_errors_per_minute,
                alarm_description=f"{name}: model server errors; {what}", **common,
                opts=child_opts(self)),
            aws.cloudwatch.MetricAlarm(
                # ModelLatency is reported in microseconds.
                f"{name}-latency", name=f"{name}-latency", metric_name="ModelLatency", extended_statistic="p99",
                threshold=limits.max_p99_latency_ms * 1000,
                alarm_description=f"{name}: p99 model latency; {what}", **common,
                opts=child_opts(self)),
        ]

    def _endpoint_configuration(self, name: str, args: InferenceEndpointArgs, tags: dict[str, str],
                                topics: list[aws.sns.Topic]) -> aws.sagemaker.EndpointConfiguration:
        # Weights are set only when there is more than one variant, so a one-variant endpoint's
        # configuration stays as it was (SageMaker defaults the weight to 1). Order: primary, then the
        # others by name; weights as given (floats that print and compare stably): an unchanged stack
        # plans the same configuration every time, whatever order the stack file lists variants in.
        weighted = bool(args.variants or args.shadow)
        variants = [self._variant(VARIANT, self.model, args.instance_type, args.instance_count, args,
                                  args.primary_weight if weighted else None)]
        for other in args.ordered_variants:
            variants.append(self._variant(other.name, self.variant_models[other.name], other.instance_type,
                                          args.variant_count(other), args, other.weight))
        shadows = None
        if args.shadow:
            shadow = args.shadow
            shadows = [aws.sagemaker.EndpointConfigurationShadowProductionVariantArgs(
                variant_name=shadow.name, model_name=self.variant_models[shadow.name].name,
                instance_type=shadow.instance_type or args.instance_type,
                initial_instance_count=args.variant_count(shadow),
                # The share of production requests copied: the shadow's weight relative to production's.
                initial_variant_weight=round(args.primary_weight * shadow.sampling_percentage / 100, 6))]
        # Instance-storage types are hardware-encrypted and SageMaker refuses a key for them (the key
        # covers every variant's volume); serverless has no volume.
        types = [args.instance_type, *(v.instance_type or args.instance_type for v in args.variants),
                 *([args.shadow.instance_type or args.instance_type] if args.shadow else [])]
        volume_key = args.kms_key.arn if all(t and takes_kms_key(t) for t in types) else None
        capture = None
        if self.capture_bucket is not None:
            capture = aws.sagemaker.EndpointConfigurationDataCaptureConfigArgs(
                enable_capture=True, initial_sampling_percentage=args.data_capture.sampling_percentage,
                destination_s3_uri=pulumi.Output.concat("s3://", self.capture_bucket.bucket_name, "/", name),
                kms_key_id=args.kms_key.arn,
                capture_options=[aws.sagemaker.EndpointConfigurationDataCaptureConfigCaptureOptionArgs(capture_mode=m)
                                 for m in ("Input", "Output")])
        async_config = None
        if self.async_bucket is not None:
            results = pulumi.Output.concat("s3://", self.async_bucket.bucket_name, "/", name)
            async_config = aws.sagemaker.EndpointConfigurationAsyncInferenceConfigArgs(
                client_config=aws.sagemaker.EndpointConfigurationAsyncInferenceConfigClientConfigArgs(
                    max_concurrent_invocations_per_instance=args.async_inference.max_concurrent_invocations_per_instance),
                output_config=aws.sagemaker.EndpointConfigurationAsyncInferenceConfigOutputConfigArgs(
                    s3_output_path=pulumi.Output.concat(results, "/results"),
                    s3_failure_path=pulumi.Output.concat(results, "/failures"),
                    kms_key_id=args.kms_key.arn,
                    notification_config=aws.sagemaker.EndpointConfigurationAsyncInferenceConfigOutputConfigNotificationConfigArgs(
                        success_topic=topics[0].arn, error_topic=topics[1].arn) if topics else None))
        # See the module docstring: the minimum belongs to the scalable targets once autoscaling is on.
        ignore = [f"productionVariants[{i}].initialInstanceCount" for i in range(len(variants))] \
            if args.autoscaling else None
        return aws.sagemaker.EndpointConfiguration(
            name, kms_key_arn=volume_key, production_variants=variants, shadow_production_variants=shadows,
            data_capture_config=capture,
            async_inference_config=async_config, tags=tags, opts=child_opts(self, ignore_changes=ignore))

    def _variant(self, variant: str, model: aws.sagemaker.Model, instance_type: Optional[str],
                 instance_count: Optional[int], args: InferenceEndpointArgs, weight: Optional[float]
                 ) -> aws.sagemaker.EndpointConfigurationProductionVariantArgs:
        if args.serverless:
            return aws.sagemaker.EndpointConfigurationProductionVariantArgs(
                variant_name=variant, model_name=model.name, initial_variant_weight=weight,
                serverless_config=aws.sagemaker.EndpointConfigurationProductionVariantServerlessConfigArgs(
                    memory_size_in_mb=args.serverless.memory_size_mb, max_concurrency=args.serverless.max_concurrency))
        return aws.sagemaker.EndpointConfigurationProductionVariantArgs(
            variant_name=variant, model_name=model.name, instance_type=instance_type or args.instance_type,
            initial_instance_count=instance_count, initial_variant_weight=weight)

    def _deployment_config(self, deployment: DeploymentArgs) -> aws.sagemaker.EndpointDeploymentConfigArgs:
        def size(value, args_type):
            return args_type(type=value.type, value=value.value) if value else None

        routing = aws.sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfigurationArgs(
            type=deployment.strategy, wait_interval_in_seconds=deployment.wait_interval_seconds,
            canary_size=size(deployment.canary_size,
                             aws.sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfigurationCanarySizeArgs),
            linear_step_size=size(deployment.linear_step_size,
                                  aws.sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfigurationLinearStepSizeArgs))
        return aws.sagemaker.EndpointDeploymentConfigArgs(
            blue_green_update_policy=aws.sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyArgs(
                traffic_routing_configuration=routing,
                termination_wait_in_seconds=deployment.termination_wait_seconds,
                maximum_execution_timeout_in_seconds=deployment.maximum_execution_timeout_seconds),
            auto_rollback_configuration=aws.sagemaker.EndpointDeploymentConfigAutoRollbackConfigurationArgs(
                alarms=[aws.sagemaker.EndpointDeploymentConfigAutoRollbackConfigurationAlarmArgs(alarm_name=a.name)
                        for a in self.alarms]))

    def _autoscaling(self, name: str, variant: str, scaling: AutoscalingArgs) -> None:
        target = aws.appautoscaling.Target(
            name, service_namespace="sagemaker", scalable_dimension=SCALABLE_DIMENSION,
            resource_id=pulumi.Output.concat("endpoint/", self.endpoint.name, "/variant/", variant),
            min_capacity=scaling.min_capacity, max_capacity=scaling.max_capacity, opts=child_opts(self))
        aws.appautoscaling.Policy(
            f"{name}-invocations", policy_type="TargetTrackingScaling", service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension, resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=scaling.target_invocations_per_instance,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type="SageMakerVariantInvocationsPerInstance"),
                scale_in_cooldown=scaling.scale_in_cooldown_seconds,
                scale_out_cooldown=scaling.scale_out_cooldown_seconds),
            opts=child_opts(self))


def _unique(values: Sequence[str]) -> list[str]:
    """``values`` without repeats, in first-seen order."""
    return list(dict.fromkeys(values))
