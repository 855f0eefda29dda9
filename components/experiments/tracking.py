"""``ExperimentTracking``: a SageMaker managed MLflow tracking server for the environment's runs.

Children, named from the component name ``<name>``:

- ``<name>-artifacts`` ``SecureBucket``: the MLflow artifact store (the environment's artifacts
  key, private, versioned, TLS only, access-logged; protected in prod).
- ``<name>-mlflow`` role and policy: the server reads and writes its artifact store with that key,
  and, with automatic model registration, creates model package groups and packages.
- ``<name>`` ``aws.sagemaker.MlflowTrackingServer``: size, MLflow version, maintenance window.
- ``<name>-mlflow`` interface VPC endpoint (``aws.sagemaker.<region>.experiments``, private DNS,
  the network's endpoint security group) whose policy admits this account to this server only.

``MlflowTrackingServer`` rather than ``MlflowApp`` (serverless MLflow): pulumi-aws 7's ``MlflowApp``
cannot set the app's KMS key (the API's ``KmsKeyId``) and has no size or MLflow version, and the
tracking server is what the interface endpoint, the ``sagemaker-mlflow`` client plugin and the
training jobs' ARN-scoped grant are documented for; see docs/components/experiments.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Literal, Mapping, Optional

import pulumi
import pulumi_aws as aws

from components.common import Classification, child_opts
from components.experiments import documents
from components.network import Network
from components.storage import SecureBucket, SecureBucketArgs

TrackingServerSize = Literal["Small", "Medium", "Large"]
_WINDOW = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01]\d|2[0-3]):[0-5]\d$")
_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$")


def check_maintenance_window(value: str) -> str:
    """``value`` if it is ``Ddd:HH:MM`` (SageMaker's WeeklyMaintenanceWindowStart), else ``ValueError``."""
    if not _WINDOW.match(value):
        raise ValueError(f"the maintenance window start is Ddd:HH:MM such as Sun:03:00, not {value!r}")
    return value


@dataclass
class ExperimentTrackingArgs:
    """The tracking server. Defaults: Small, SageMaker's MLflow version, no automatic model
    registration, maintenance Sundays at 03:00 UTC, not protected."""

    network: Network
    #: The artifact store's key (the environment's artifacts key).
    kms_key: aws.kms.Key
    access_log_bucket: aws.s3.Bucket
    region: str
    classification: Classification = Classification.INTERNAL
    size: TrackingServerSize = "Small"
    #: None: SageMaker's default MLflow version.
    mlflow_version: Optional[str] = None
    #: Register MLflow models in the SageMaker Model Registry as they are logged (dev only, by the stacks).
    automatic_model_registration: bool = False
    maintenance_window_start: str = "Sun:03:00"
    partition: str = "aws"
    noncurrent_version_expiration_days: int = 30
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_maintenance_window(self.maintenance_window_start)
        if self.size not in ("Small", "Medium", "Large"):
            raise ValueError(f"the tracking server size is Small, Medium or Large, not {self.size!r}")


class ExperimentTracking(pulumi.ComponentResource):
    """A managed MLflow tracking server with a private, CMK-encrypted artifact store, reached
    through an interface endpoint."""

    server: aws.sagemaker.MlflowTrackingServer
    artifact_store: SecureBucket
    role: aws.iam.Role
    endpoint: aws.ec2.VpcEndpoint
    #: What ``MLFLOW_TRACKING_URI`` is set to: the server's ARN (the ``sagemaker-mlflow`` plugin's form).
    tracking_uri: pulumi.Output[str]
    #: The server's ARN, for grants (``sagemaker-mlflow:*`` on it).
    server_arn: pulumi.Output[str]
    #: The server's HTTPS URL (the MLflow UI through a presigned URL).
    tracking_url: pulumi.Output[str]

    def __init__(self, name: str, args: ExperimentTrackingArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        if not _NAME.match(name):
            raise ValueError(f"tracking server name {name!r} is invalid: letters, digits and '-'")
        super().__init__("mlinfra:experiments:ExperimentTracking", name, None, opts)
        tags = dict(args.tags)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=invoke).account_id

        self.artifact_store = SecureBucket(f"{name}-artifacts", SecureBucketArgs(
            kms_key=args.kms_key, classification=args.classification, access_log_bucket=args.access_log_bucket,
            noncurrent_version_expiration_days=args.noncurrent_version_expiration_days, protect=args.protect,
            tags=tags), opts=child_opts(self))
        self.role = aws.iam.Role(f"{name}-mlflow", description=f"MLflow tracking server {name}",
                                 assume_role_policy=json.dumps(documents.server_trust_policy()), tags=tags,
                                 opts=child_opts(self))
        registry = pulumi.Output.concat("arn:", args.partition, ":sagemaker:", args.region, ":", account_id)
        policy = aws.iam.RolePolicy(f"{name}-mlflow", role=self.role.id, policy=pulumi.Output.all(
            bucket=self.artifact_store.arn, key=args.kms_key.arn, registry=registry,
        ).apply(lambda v: json.dumps(documents.server_policy(
            bucket_arn=v["bucket"], key_arn=v["key"],
            registry_arns=(f"{v['registry']}:model-package-group/*", f"{v['registry']}:model-package/*")
            if args.automatic_model_registration else None))), opts=child_opts(self))
        self.server = aws.sagemaker.MlflowTrackingServer(
            name, tracking_server_name=name,
            artifact_store_uri=pulumi.Output.concat("s3://", self.artifact_store.bucket_name, "/"),
            role_arn=self.role.arn, tracking_server_size=args.size, mlflow_version=args.mlflow_version,
            automatic_model_registration=args.automatic_model_registration,
            weekly_maintenance_window_start=args.maintenance_window_start,
            tags=tags, opts=child_opts(self, depends_on=[policy]))
        self.server_arn = self.server.arn
        self.tracking_uri = self.server.arn
        self.tracking_url = self.server.tracking_server_url
        self.endpoint = aws.ec2.VpcEndpoint(
            f"{name}-mlflow", vpc_id=args.network.vpc.id, service_name=documents.mlflow_endpoint_service(args.region),
            vpc_endpoint_type="Interface", private_dns_enabled=True,
            subnet_ids=[s.id for s in args.network.private_subnets],
            security_group_ids=[args.network.endpoint_security_group.id],
            policy=pulumi.Output.all(self.server.arn, account_id).apply(
                lambda v: json.dumps(documents.endpoint_policy(server_arn=v[0], account_id=v[1]))),
            tags=tags, opts=child_opts(self))

        self.register_outputs({"trackingUri": self.tracking_uri, "trackingUrl": self.tracking_url,
                               "artifactStore": self.artifact_store.bucket_name, "roleArn": self.role.arn})
