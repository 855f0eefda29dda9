"""The mlinfra program: what one environment builds, from ``stacks/Pulumi.<env>.yaml``.

The same program runs under ``pulumi up -s <env>`` and offline under ``mlinfra plan <env>``.
Configuration is validated first: a bad value stops here, before any resource is registered.
Components receive typed Args and pass objects (keys, buckets, subnets) to each other.
"""

from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.budgets import CostGuardrails
from components.common import Classification
from components.datasets import DatasetStore, DatasetStoreArgs
from components.encryption import EncryptionKeys, EncryptionKeysArgs, KeySpec
from components.experiments.tracking import ExperimentTracking, ExperimentTrackingArgs
from components.feature_store import FeatureStore, FeatureStoreArgs, load_specs, lock_path, read_lock
from components.inference.instance_change import read_deployed_variants
from components.inference.endpoint import InferenceEndpoint, InferenceEndpointArgs, ShadowArgs, VariantArgs
from components.inference.sources import ModelSource
from components.monitoring.monitor import EndpointMonitor, EndpointMonitorArgs
from components.monitoring.native import native_provider
from components.network import Network, NetworkArgs
from components.registry import ModelRegistry, ModelRegistryArgs, RegisteredModel
from components.registry.promotion import resolve_model_package
from components.storage import AccessLogBucket, AccessLogBucketArgs, SecureBucket, SecureBucketArgs
from components.training.cluster import TrackingServerAccess, TrainingCluster, TrainingClusterArgs
from mlinfra.config import load_platform_config
from mlinfra.config.load import stack_file
from mlinfra.config.stack_checks import (automatic_model_registration, check_training, endpoint_monitoring,
                                         registry_group_name, resolve_models, variant_models)
from mlinfra.mocks import offline_target

cfg = load_platform_config()
env = cfg.environment
# Training checks that need the tier and the network, before any resource exists.
training_cfg = check_training(cfg, source=stack_file(pulumi.get_stack()))
# Each endpoint's registry model or serving image: a bad group or framework stops here, not halfway.
inference_models = resolve_models(cfg, source=stack_file(pulumi.get_stack()))
# Each monitored endpoint's monitor settings, with the tier's defaults (a misfit stops here).
monitors_cfg = endpoint_monitoring(cfg, source=stack_file(pulumi.get_stack()))
# MLflow's automatic model registration: dev's default, refused outside dev.
mlflow_registration = automatic_model_registration(cfg, source=stack_file(pulumi.get_stack()))
# The model package version each registry-backed endpoint deploys: the pinned one (it must be
# Approved) or the newest Approved, looked up before any resource exists, so an unapproved model
# stops `pulumi up` with nothing changed. Offline (`mlinfra plan` installed its mocks) it is a
# placeholder (components/registry/promotion.py): the stack, not the component, knows it runs offline.
offline = offline_target()
model_packages = {
    endpoint.name: resolve_model_package(registry_group_name(cfg, model),
                                         endpoint.model_package_version or model.pinned_version, region=cfg.region,
                                         offline=offline)
    for endpoint, model in zip(cfg.inference.endpoints if cfg.inference else (), inference_models)
    if endpoint.model_package_group
}
# The same for every registry-backed A/B variant and shadow (by endpoint and variant name): its own
# pinned version, else its model's pinnedVersion, else the newest Approved.
variant_registry_models = variant_models(cfg, source=stack_file(pulumi.get_stack()))
variant_packages = {}
for endpoint in cfg.inference.endpoints if cfg.inference else ():
    for variant in [*endpoint.variants, *([endpoint.shadow] if endpoint.shadow else [])]:
        model = variant_registry_models.get((endpoint.name, variant.name))
        if model is not None:
            variant_packages[endpoint.name, variant.name] = resolve_model_package(
                registry_group_name(cfg, model), variant.model_package_version or model.pinned_version,
                region=cfg.region, offline=offline)

# One explicit provider: its default tags put owner, cost-center and environment on every resource,
# and the policy packs see its region and tags.
aws_provider = aws.Provider(
    "aws",
    region=cfg.region,
    default_tags=aws.ProviderDefaultTagsArgs(tags=cfg.resource_tags),
)
aws_opts = pulumi.ResourceOptions(providers=[aws_provider])

# --- encryption keys: one customer-managed key per purpose and classification ---
key_specs = [
    KeySpec("data", cfg.storage.data_classification, description="Datasets and features"),
    KeySpec("artifacts", cfg.storage.artifacts_classification, description="Model artifacts and images"),
    KeySpec("logs", Classification.INTERNAL, description="CloudWatch log groups (the logs service may use it)"),
]
if cfg.model_registry:
    # EventBridge must encrypt approval events with this key when it delivers them.
    key_specs.append(KeySpec("registry", cfg.model_registry.classification,
                             service_principals=["events.amazonaws.com"],
                             description="Model registry: serving images, registered artifacts, approval events"))
if cfg.inference:
    # Monitors alert through a topic under this key: EventBridge and CloudWatch alarms must use it.
    key_specs.append(KeySpec("inference", cfg.storage.data_classification,
                             service_principals=["events.amazonaws.com", "cloudwatch.amazonaws.com"]
                             if monitors_cfg else (),
                             description="Inference: endpoint volumes, captured payloads, async results, topics"))
if cfg.budgets:
    # Budgets and Cost Anomaly Detection publish to the encrypted alert topic with this key.
    key_specs.append(KeySpec("budgets", Classification.INTERNAL,
                             service_principals=["budgets.amazonaws.com", "costalerts.amazonaws.com"],
                             description="Budget and cost anomaly alerts"))
if cfg.training:
    key_specs.append(KeySpec("eks", Classification.CONFIDENTIAL,
                             description="Training cluster: Kubernetes secrets and node volumes"))
keys = EncryptionKeys(
    f"{env}-keys",
    EncryptionKeysArgs(keys=key_specs, deletion_window_days=cfg.key_deletion_window_days,
                       protect=cfg.protect_stateful),
    opts=aws_opts,
)

# --- network ---
network = Network(
    f"{env}-network",
    NetworkArgs(
        cidr=cfg.network.cidr,
        availability_zones=cfg.network.availability_zones,
        flow_log_key=keys.key("logs"),
        nat=cfg.network.nat,
        interface_endpoints=cfg.network.interface_endpoints,
        flow_log_retention_days=cfg.log_retention_days,
    ),
    opts=aws_opts,
)

# --- storage: access logs, datasets, artifacts ---
access_logs = AccessLogBucket(
    f"{env}-access-logs",
    AccessLogBucketArgs(retention_days=cfg.storage.access_log_days, protect=cfg.protect_stateful),
    opts=aws_opts,
)
# Datasets: Object Lock with the tier's retention, every version kept (a version-aware DVC remote
# reads them), a producer role that cannot delete versions. It was a top-level SecureBucket: aliased.
datasets = DatasetStore(
    f"{env}-data",
    DatasetStoreArgs(
        kms_key=keys.key("data"),
        classification=cfg.storage.data_classification,
        access_log_bucket=access_logs.bucket,
        region=cfg.region,
        object_lock=cfg.datasets.object_lock.to_args(cfg.tier),
        producer_principals=cfg.datasets.producer_principals,
        dvc_prefix=cfg.datasets.dvc_prefix,
        protect=cfg.protect_stateful,
        aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)],
    ),
    opts=aws_opts,
)
data_bucket = datasets.store
artifact_bucket = SecureBucket(
    f"{env}-artifacts",
    SecureBucketArgs(
        kms_key=keys.key("artifacts"),
        classification=cfg.storage.artifacts_classification,
        access_log_bucket=access_logs.bucket,
        noncurrent_version_expiration_days=cfg.storage.noncurrent_version_days,
        protect=cfg.protect_stateful,
    ),
    opts=aws_opts,
)

# --- model registry: model package groups, serving-image repositories, approval events ---
registry = None
if cfg.model_registry:
    registry = ModelRegistry(
        f"{env}-registry",
        ModelRegistryArgs(
            models=[RegisteredModel(m.name, m.description, m.serving_images) for m in cfg.model_registry.models],
            kms_key=keys.key("registry"),
            access_log_bucket=access_logs.bucket,
            name_prefix=cfg.model_registry.name_prefix or env,
            readers=cfg.model_registry.readers,
            classification=cfg.model_registry.classification,
            untagged_image_days=cfg.model_registry.untagged_image_days,
            tagged_images_kept=cfg.model_registry.tagged_images_kept,
            notifications=cfg.model_registry.notifications,
            noncurrent_version_expiration_days=cfg.storage.noncurrent_version_days,
            protect=cfg.protect_stateful,
        ),
        opts=aws_opts,
    )
    pulumi.export("modelPackageGroups", registry.group_names)
    pulumi.export("servingImageRepositories", registry.repository_urls)
    pulumi.export("modelApprovalEvents", registry.notification_arn)

# --- feature store: SageMaker feature groups from stacks/feature_groups/*.yaml ---
if cfg.feature_store:
    feature_groups_dir = Path(__file__).resolve().parent / "feature_groups"
    feature_lock = lock_path(feature_groups_dir, env)
    feature_store = FeatureStore(
        f"{env}-feature-store",
        FeatureStoreArgs(
            groups=load_specs(feature_groups_dir, cfg.feature_store.groups, display_root=feature_groups_dir.parents[1]),
            deployed=read_lock(feature_lock),
            deployed_source=f"stacks/feature_groups/{feature_lock.name}",
            access_log_bucket=access_logs.bucket,
            region=cfg.region,
            athena_workgroup=cfg.feature_store.athena_workgroup,
            key_deletion_window_days=cfg.key_deletion_window_days,
            noncurrent_version_expiration_days=cfg.feature_store.noncurrent_version_days
            or cfg.storage.noncurrent_version_days,
            protect=cfg.protect_stateful,
        ),
        opts=aws_opts,
    )
    # featureStoreSchemas refreshes the lock after a deployment (mlinfra feature-lock <env>).
    pulumi.export("featureStoreSchemas", feature_store.schemas)
    pulumi.export("featureGroupArns", {name: group.arn for name, group in feature_store.groups.items()})
    pulumi.export("featureTrainingPolicies", feature_store.training_policies)
    pulumi.export("featureServingPolicies", feature_store.serving_policies)

# --- inference endpoints: one InferenceEndpoint per mlinfra:inference entry ---
if cfg.inference:
    endpoints = {}

    def registry_source(package, model):
        return ModelSource.from_model_package(
            arn=package.arn, artifact_bucket=registry.artifacts, kms_key=keys.key("registry"),
            repositories=[registry.repositories[image] for image in model.serving_images],
            environment=endpoint.environment)

    def artifact_source(image, key):
        return ModelSource.from_artifact(image=image, bucket=artifact_bucket, key=key, kms_key=keys.key("artifacts"),
                                         environment=endpoint.environment)

    for endpoint, model_or_image in zip(cfg.inference.endpoints, inference_models):
        if endpoint.model_package_group:
            source = registry_source(model_packages[endpoint.name], model_or_image)
        else:
            source = artifact_source(model_or_image, endpoint.model_data_url)

        def variant_source(variant):
            if endpoint.model_package_group:
                return registry_source(variant_packages[endpoint.name, variant.name],
                                       variant_registry_models[endpoint.name, variant.name])
            return artifact_source(model_or_image, variant.model_data_url)

        variants = [VariantArgs(name=v.name, model=variant_source(v), weight=v.weight, instance_type=v.instance_type,
                                instance_count=v.initial_instance_count) for v in endpoint.variants]
        shadow = endpoint.shadow
        shadow_args = ShadowArgs(name=shadow.name, model=variant_source(shadow),
                                 sampling_percentage=shadow.sampling_percentage, instance_type=shadow.instance_type,
                                 instance_count=shadow.initial_instance_count) if shadow else None
        endpoints[endpoint.name] = InferenceEndpoint(
            f"{env}-{endpoint.name}",
            InferenceEndpointArgs(
                model=source, network=network, kms_key=keys.key("inference"), logs_key=keys.key("logs"),
                access_log_bucket=access_logs.bucket, classification=cfg.storage.data_classification,
                log_retention_days=cfg.log_retention_days, protect=cfg.protect_stateful,
                variants=variants, shadow=shadow_args, tags=cfg.team_tags(endpoint.team),
                # Online, what is deployed decides whether an instance-type change can be applied.
                deployed_variants={} if offline else read_deployed_variants(
                    f"{env}-{endpoint.name}", region=cfg.region),
                **endpoint.component_args()),
            opts=aws_opts,
        )
    pulumi.export("inferenceEndpoints", {name: e.endpoint.name for name, e in endpoints.items()})

    # --- model monitoring: a data-quality schedule, drift alarms and failure events per monitored endpoint ---
    # Model-quality job definitions exist only in pulumi-aws-native: its provider (and import) only
    # when a monitor has one, with the same region and default tags as the aws provider.
    aws_native_provider = native_provider("aws-native", region=cfg.region, tags=cfg.resource_tags) \
        if any(m.model_quality for m in monitors_cfg.values()) else None
    monitors = {
        name: EndpointMonitor(
            f"{env}-{name}",
            EndpointMonitorArgs(
                endpoint=endpoints[name], monitoring=monitoring, network=network, kms_key=keys.key("inference"),
                baseline_bucket=artifact_bucket, baseline_key=keys.key("artifacts"), region=cfg.region,
                native_provider=aws_native_provider if monitoring.model_quality else None),
            opts=aws_opts,
        )
        for name, monitoring in monitors_cfg.items()
    }
    if monitors:
        pulumi.export("monitoringSchedules", {name: m.schedule.name for name, m in monitors.items()})
        pulumi.export("monitoringAlerts", {name: m.topic.arn for name, m in monitors.items()})
        pulumi.export("monitoringReports", {name: m.report_uri for name, m in monitors.items()})
    if aws_native_provider is not None:
        pulumi.export("modelQualitySchedules", {name: m.model_quality.schedule.name
                                                for name, m in monitors.items() if m.model_quality})

# --- experiment tracking: a managed MLflow tracking server, its artifact store and interface endpoint ---
tracking = None
if cfg.experiments:
    tracking = ExperimentTracking(
        f"{env}-mlflow",
        ExperimentTrackingArgs(
            network=network, kms_key=keys.key("artifacts"), access_log_bucket=access_logs.bucket, region=cfg.region,
            classification=cfg.storage.artifacts_classification, size=cfg.experiments.size,
            mlflow_version=cfg.experiments.mlflow_version, automatic_model_registration=mlflow_registration,
            maintenance_window_start=cfg.experiments.maintenance_window_start,
            noncurrent_version_expiration_days=cfg.storage.noncurrent_version_days, protect=cfg.protect_stateful),
        opts=aws_opts,
    )
    pulumi.export("mlflowTrackingUri", tracking.tracking_uri)
    pulumi.export("mlflowTrackingUrl", tracking.tracking_url)
    pulumi.export("mlflowArtifactStore", tracking.artifact_store.bucket_name)

# --- GPU training cluster: EKS, GPU node groups, Kueue queues and quotas per team ---
if training_cfg:
    training = TrainingCluster(
        f"{env}-training",
        TrainingClusterArgs(
            vpc=network.vpc,
            subnets=network.private_subnets,
            availability_zones=network.availability_zones,
            cluster_key=keys.key("eks"),
            log_key=keys.key("logs"),
            dataset_bucket=data_bucket.bucket,
            dataset_key=keys.key("data"),
            artifact_bucket=artifact_bucket.bucket,
            artifact_key=keys.key("artifacts"),
            admin_principals=training_cfg.admin_principals,
            readonly_principals=training_cfg.readonly_principals,
            # The team tag on each GPU group and its instances: team budgets filter on it.
            gpu_node_groups=[group.to_args(tags=cfg.team_tags(group.team)) for group in training_cfg.gpu_node_groups],
            teams=[team.to_args() for team in training_cfg.teams],
            max_gpus=training_cfg.max_gpus,
            kubernetes_version=training_cfg.kubernetes_version,
            endpoint_public_access=training_cfg.endpoint_public_access,
            public_access_cidrs=training_cfg.public_access_cidrs,
            deployer_cidrs=training_cfg.deployer_access.cidrs,
            deployer_security_group_ids=training_cfg.deployer_access.security_group_ids,
            system_node_group=training_cfg.system_node_group.to_args(),
            log_retention_days=cfg.log_retention_days,
            ssm_access=training_cfg.ssm_access,
            addon_versions=training_cfg.addon_versions,
            experiment_tracking=TrackingServerAccess(server_arn=tracking.server_arn, tracking_uri=tracking.tracking_uri)
            if tracking else None,
            create_autoscaling_service_role=training_cfg.create_autoscaling_service_role,
            protect=cfg.protect_stateful,
        ),
        opts=aws_opts,
    )
    pulumi.export("trainingClusterName", training.cluster_name)
    pulumi.export("trainingClusterEndpoint", training.endpoint)
    pulumi.export("trainingKubeconfig", training.kubeconfig)
    pulumi.export("trainingOidcProviderArn", training.oidc_provider_arn)
    pulumi.export("trainingQueues", training.queue_names)

# --- budgets: environment and team budgets, cost-allocation tags, anomaly alerts ---
if cfg.budgets:
    guardrails = CostGuardrails(
        f"{env}-budgets", cfg.budgets.to_args(environment=env, kms_key=keys.key("budgets")), opts=aws_opts)
    pulumi.export("budgetAlertsTopic", guardrails.topic.arn)
    pulumi.export("budgets", {"environment": guardrails.budget.name,
                              **{f"team:{team}": b.name for team, b in guardrails.team_budgets.items()}})

# --- stack outputs ---
pulumi.export("environment", env)
pulumi.export("region", cfg.region)
pulumi.export("vpcId", network.vpc.id)
pulumi.export("privateSubnetIds", network.private_subnet_ids)
pulumi.export("dataBucket", data_bucket.bucket_name)
# `dvc remote add -d datasets <url>` plus `dvc remote modify datasets version_aware true` / region (docs/components/datasets.md).
pulumi.export("datasetsDvcRemote", datasets.dvc_remote)
if datasets.producer_role:
    pulumi.export("datasetProducerRoleArn", datasets.producer_role.arn)
pulumi.export("artifactBucket", artifact_bucket.bucket_name)
