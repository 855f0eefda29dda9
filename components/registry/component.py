"""``ModelRegistry``: where every model version and serving image lives, and where approval happens.

Per registered model, a SageMaker model package group ``<prefix>-<model>``; per serving image, an
ECR repository ``<prefix>/<image>`` with immutable tags, scan on push, KMS encryption with the
registry's key and a lifecycle policy. One ``SecureBucket`` holds model artifacts. An EventBridge
rule sends "SageMaker Model Package State Change" events of these groups (approvals, rejections,
new versions) to an SNS topic or SQS queue encrypted with the same key, so promotion can be
automated. Reader accounts (say, a separate prod account) get read-only access to the groups,
pull-only access to the repositories, read access to the artifacts and decrypt on the key; no
policy ever names a wildcard principal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.common import Classification, child_opts, data_store_tags
from components.registry import documents
from components.storage import SecureBucket, SecureBucketArgs

#: SQS keeps messages at most 14 days: long enough for a paused pipeline to catch up.
QUEUE_RETENTION_SECONDS = 14 * 24 * 3600


@dataclass
class RegisteredModel:
    """One model: its model package group and the serving images its versions run."""

    name: str
    description: str = ""
    #: Serving-image repositories this model uses; an image shared by models gets one repository.
    serving_images: Sequence[str] = ()


@dataclass
class ModelRegistryArgs:
    """The registry. Defaults: no reader accounts, confidential classification, untagged images
    expire after 14 days, 100 tagged images kept per repository, events to an SNS topic, not protected."""

    models: Sequence[RegisteredModel]
    #: Customer-managed key for the repositories, the artifact bucket and the event topic or queue.
    #: Its key policy must let ``events.amazonaws.com`` use it, or EventBridge cannot deliver.
    kms_key: aws.kms.Key
    #: Where the artifact bucket's S3 access logs go (an ``AccessLogBucket``'s bucket).
    access_log_bucket: aws.s3.Bucket
    #: Prefix of group and repository names; default the component's name.
    name_prefix: Optional[str] = None
    #: 12-digit AWS account ids allowed to read packages, pull images, read artifacts and decrypt them.
    readers: Sequence[str] = ()
    #: Sensitivity of artifacts, images and package metadata; the ``data-classification`` tag.
    classification: Classification = Classification.CONFIDENTIAL
    #: Days an untagged image is kept before it expires.
    untagged_image_days: int = 14
    #: Tagged images kept per repository; older ones expire.
    tagged_images_kept: int = 100
    #: ``topic`` (SNS, fan-out) or ``queue`` (SQS, a pipeline polls it) for approval events.
    notifications: Literal["topic", "queue"] = "topic"
    #: Days a superseded artifact version is kept.
    noncurrent_version_expiration_days: int = 90
    #: Protect groups, repositories and the artifact bucket from deletion by Pulumi (prod).
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.models:
            raise ValueError("ModelRegistry needs at least one RegisteredModel")
        names = [model.name for model in self.models]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"model(s) registered more than once: {', '.join(duplicates)}")
        if self.notifications not in ("topic", "queue"):
            raise ValueError(f"notifications={self.notifications!r} is invalid: use 'topic' or 'queue'")
        documents.account_principals(self.readers)
        documents.lifecycle_policy(untagged_days=self.untagged_image_days, tagged_kept=self.tagged_images_kept)


class ModelRegistry(pulumi.ComponentResource):
    """Model package groups, hardened serving-image repositories, an artifact bucket, approval events."""

    #: Model name -> group name (plain strings, known before deployment: the promotion lookup needs them).
    group_names: dict[str, str]
    groups: dict[str, aws.sagemaker.ModelPackageGroup]
    #: Image name -> repository.
    repositories: dict[str, aws.ecr.Repository]
    artifacts: SecureBucket
    event_rule: aws.cloudwatch.EventRule
    #: ARN of the SNS topic or SQS queue that receives approval events.
    notification_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ModelRegistryArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("mlinfra:registry:ModelRegistry", name, None, opts)
        prefix = args.name_prefix or name
        self.group_names = {m.name: documents.group_name(prefix, m.name) for m in args.models}
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        tags = data_store_tags(args.classification, args.tags)

        self.groups = {}
        for model in args.models:
            self.groups[model.name] = self._group(name, model, self.group_names[model.name], args, partition, tags)

        images = sorted({image for model in args.models for image in model.serving_images})
        self.repositories = {image: self._repository(name, prefix, image, args, partition, tags) for image in images}

        self.artifacts = SecureBucket(
            f"{name}-artifacts",
            SecureBucketArgs(
                kms_key=args.kms_key,
                classification=args.classification,
                access_log_bucket=args.access_log_bucket,
                noncurrent_version_expiration_days=args.noncurrent_version_expiration_days,
                policy_statements=[partition.apply(
                    lambda p: documents.artifact_read_statement(args.readers, p))] if args.readers else [],
                protect=args.protect,
                tags=args.tags,
            ),
            opts=child_opts(self),
        )
        for account in args.readers:
            aws.kms.Grant(
                f"{name}-reader-{account}",
                key_id=args.kms_key.key_id,
                grantee_principal=partition.apply(lambda p, a=account: documents.account_principals([a], p)[0]),
                operations=documents.KEY_READ_OPERATIONS,
                opts=child_opts(self),
            )

        self.event_rule = aws.cloudwatch.EventRule(
            f"{name}-approvals",
            description=f"Model package state changes (approvals) of the {prefix} registry",
            event_pattern=json.dumps(documents.approval_event_pattern(list(self.group_names.values()))),
            tags=args.tags,
            opts=child_opts(self),
        )
        self.notification_arn = self._notifications(name, args, tags)

        self.register_outputs({
            "groupNames": self.group_names,
            "groupArns": self.group_arns,
            "repositoryUrls": self.repository_urls,
            "artifactBucket": self.artifacts.bucket_name,
            "notificationArn": self.notification_arn,
        })

    @property
    def group_arns(self) -> dict[str, pulumi.Output[str]]:
        """Model name -> model package group ARN."""
        return {model: group.arn for model, group in self.groups.items()}

    @property
    def repository_urls(self) -> dict[str, pulumi.Output[str]]:
        """Image name -> repository URL (``<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<image>``)."""
        return {image: repo.repository_url for image, repo in self.repositories.items()}

    def _group(self, name: str, model: RegisteredModel, group_name: str, args: ModelRegistryArgs,
               partition: pulumi.Output[str], tags: dict[str, str]) -> aws.sagemaker.ModelPackageGroup:
        group = aws.sagemaker.ModelPackageGroup(
            f"{name}-{model.name}",
            model_package_group_name=group_name,
            model_package_group_description=model.description or None,
            tags=tags,
            opts=child_opts(self, protect=args.protect),
        )
        if args.readers:
            aws.sagemaker.ModelPackageGroupPolicy(
                f"{name}-{model.name}-policy",
                model_package_group_name=group.model_package_group_name,
                resource_policy=pulumi.Output.all(group.arn, partition).apply(
                    lambda v: json.dumps(documents.group_read_policy(v[0], args.readers, v[1]))),
                opts=child_opts(self),
            )
        return group

    def _repository(self, name: str, prefix: str, image: str, args: ModelRegistryArgs,
                    partition: pulumi.Output[str], tags: dict[str, str]) -> aws.ecr.Repository:
        repo = aws.ecr.Repository(
            f"{name}-{image}",
            name=documents.repository_name(prefix, image),
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration={"scan_on_push": True},
            encryption_configurations=[{"encryption_type": "KMS", "kms_key": args.kms_key.arn}],
            tags=tags,
            opts=child_opts(self, protect=args.protect),
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-{image}-lifecycle",
            repository=repo.name,
            policy=json.dumps(documents.lifecycle_policy(untagged_days=args.untagged_image_days,
                                                         tagged_kept=args.tagged_images_kept)),
            opts=child_opts(self),
        )
        if args.readers:
            aws.ecr.RepositoryPolicy(
                f"{name}-{image}-policy",
                repository=repo.name,
                policy=partition.apply(lambda p: json.dumps(documents.repository_pull_policy(args.readers, p))),
                opts=child_opts(self),
            )
        return repo

    def _notifications(self, name: str, args: ModelRegistryArgs, tags: dict[str, str]) -> pulumi.Output[str]:
        """The encrypted topic or queue, its policy, and the rule's target; returns its ARN."""
        if args.notifications == "topic":
            topic = aws.sns.Topic(f"{name}-approvals", kms_master_key_id=args.kms_key.arn, tags=tags,
                                  opts=child_opts(self))
            target_arn = topic.arn
            policy: pulumi.Resource = aws.sns.TopicPolicy(
                f"{name}-approvals-policy",
                arn=topic.arn,
                policy=self._publish_policy(topic.arn, documents.TOPIC_ACTIONS),
                opts=child_opts(self),
            )
        else:
            queue = aws.sqs.Queue(f"{name}-approvals", kms_master_key_id=args.kms_key.arn,
                                  message_retention_seconds=QUEUE_RETENTION_SECONDS, tags=tags,
                                  opts=child_opts(self))
            target_arn = queue.arn
            policy = aws.sqs.QueuePolicy(
                f"{name}-approvals-policy",
                queue_url=queue.url,
                policy=self._publish_policy(queue.arn, documents.QUEUE_ACTIONS),
                opts=child_opts(self),
            )
        # Target after the policy: until it exists EventBridge's deliveries would be refused.
        aws.cloudwatch.EventTarget(
            f"{name}-approvals-target",
            rule=self.event_rule.name,
            arn=target_arn,
            opts=child_opts(self, depends_on=[policy]),
        )
        return target_arn

    def _publish_policy(self, target_arn: pulumi.Output[str], actions: tuple[str, str]) -> pulumi.Output[str]:
        """The topic's or queue's policy (``documents.events_publish_policy``) as JSON, for this event rule."""
        return pulumi.Output.all(target_arn, self.event_rule.arn).apply(
            lambda v: json.dumps(documents.events_publish_policy(resource_arn=v[0], rule_arn=v[1], actions=actions)))
