"""Where an endpoint's model comes from, and what its execution role must read to serve it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from catalog.images import ecr_repository_arn
from components.storage import SecureBucket


@dataclass
class ModelSource:
    """A model package version (prod) or an image plus an artifact (dev), with the grants it needs.

    Build it with ``from_model_package`` or ``from_artifact``, which derive the least-privilege
    grants; the fields are public so a program can serve a model from elsewhere.
    """

    #: Versioned model package ARN (it names its own image and artifact).
    model_package_arn: Optional[pulumi.Input[str]] = None
    #: Serving image (ECR URI) and model artifact (``s3://.../model.tar.gz``).
    image: Optional[pulumi.Input[str]] = None
    model_data_url: Optional[pulumi.Input[str]] = None
    #: Environment variables of the serving container.
    environment: Mapping[str, str] = field(default_factory=dict)
    #: S3 object ARNs (or ``.../*`` prefixes) the role may read: the artifact.
    artifact_arns: Sequence[pulumi.Input[str]] = ()
    #: Keys the artifact is encrypted with (the role may decrypt with them).
    decrypt_keys: Sequence[aws.kms.Key] = ()
    #: ECR repositories the role may pull from.
    repository_arns: Sequence[pulumi.Input[str]] = ()

    def __post_init__(self) -> None:
        if (self.model_package_arn is None) == (self.image is None):
            raise ValueError("a model source is either a model package ARN or an image, exactly one of them")
        if self.image is not None and self.model_data_url is None:
            raise ValueError("an image-based model needs model_data_url: a network-isolated container "
                             "cannot download its weights itself")

    @classmethod
    def from_artifact(cls, *, image: str, bucket: SecureBucket, key: str, kms_key: aws.kms.Key,
                      environment: Optional[Mapping[str, str]] = None, partition: str = "aws") -> "ModelSource":
        """``image`` (an ECR URI, e.g. a resolved framework image) serving ``s3://<bucket>/<key>``;
        the role may read that one object and pull from that one repository."""
        return cls(
            image=image,
            model_data_url=pulumi.Output.concat("s3://", bucket.bucket_name, "/", key),
            environment=dict(environment or {}),
            artifact_arns=[pulumi.Output.concat(bucket.arn, "/", key)],
            decrypt_keys=[kms_key],
            repository_arns=[ecr_repository_arn(image, partition)],
        )

    @classmethod
    def from_model_package(cls, *, arn: str, artifact_bucket: SecureBucket, kms_key: aws.kms.Key,
                           repositories: Sequence[aws.ecr.Repository],
                           environment: Optional[Mapping[str, str]] = None) -> "ModelSource":
        """A registry's model package version: the role may read the registry's artifact bucket and
        pull from the model's serving-image repositories."""
        return cls(
            model_package_arn=arn,
            environment=dict(environment or {}),
            artifact_arns=[pulumi.Output.concat(artifact_bucket.arn, "/*")],
            decrypt_keys=[kms_key],
            repository_arns=[repo.arn for repo in repositories],
        )
