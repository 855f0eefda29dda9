"""Pure logic of the model registry: names, resource policies, the ECR lifecycle policy and the
EventBridge pattern. Plain functions returning plain data, tested without Pulumi."""

from __future__ import annotations

import re
from typing import Any, Sequence

#: What a reader account may do with a model package group: read, never write or approve.
GROUP_READ_ACTIONS = ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup",
                      "sagemaker:ListModelPackages"]
#: What a reader account may do with a serving-image repository: pull only.
ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
#: What a reader account may do with registry artifacts: read objects and list the bucket.
ARTIFACT_READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]
#: What a reader account may do with the registry key: decrypt what it is allowed to read.
KEY_READ_OPERATIONS = ["Decrypt", "DescribeKey"]

MODEL_PACKAGE_STATE_CHANGE = "SageMaker Model Package State Change"
EVENTS_PRINCIPAL = "events.amazonaws.com"

_ACCOUNT = re.compile(r"^\d{12}$")


def group_name(prefix: str, model: str) -> str:
    """The model package group of ``model``: ``<prefix>-<model>`` (SageMaker allows 63 characters)."""
    name = f"{prefix}-{model}"
    if len(name) > 63 or not re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9])*", name):
        raise ValueError(f"model package group name {name!r} is invalid: at most 63 letters, digits and '-'")
    return name


def repository_name(prefix: str, image: str) -> str:
    """The ECR repository of a serving image: ``<prefix>/<image>``."""
    return f"{prefix}/{image}"


def account_principals(accounts: Sequence[str], partition: str = "aws") -> list[str]:
    """Account root principals for ``accounts``; ``ValueError`` for anything but a 12-digit id."""
    for account in accounts:
        if not _ACCOUNT.fullmatch(account):
            raise ValueError(f"reader account {account!r} is not a 12-digit AWS account id (wildcards are refused)")
    return [f"arn:{partition}:iam::{account}:root" for account in accounts]


def model_package_arn_pattern(group_arn: str) -> str:
    """Every versioned package of a group: ``...:model-package/<group>/*`` from the group's ARN."""
    head, sep, name = group_arn.partition(":model-package-group/")
    if not sep:
        raise ValueError(f"{group_arn!r} is not a model package group ARN")
    return f"{head}:model-package/{name.lower()}/*"


def group_read_policy(group_arn: str, readers: Sequence[str], partition: str = "aws") -> dict[str, Any]:
    """The group's resource policy: the reader accounts may describe and list, nothing more."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ReaderAccountsRead",
            "Effect": "Allow",
            "Principal": {"AWS": account_principals(readers, partition)},
            "Action": GROUP_READ_ACTIONS,
            "Resource": [group_arn, model_package_arn_pattern(group_arn)],
        }],
    }


def repository_pull_policy(readers: Sequence[str], partition: str = "aws") -> dict[str, Any]:
    """The repository policy: the reader accounts may pull images, nothing more."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ReaderAccountsPull",
            "Effect": "Allow",
            "Principal": {"AWS": account_principals(readers, partition)},
            "Action": ECR_PULL_ACTIONS,
        }],
    }


def artifact_read_statement(readers: Sequence[str], partition: str = "aws") -> dict[str, Any]:
    """A bucket-policy statement letting the reader accounts read registry artifacts."""
    return {
        "Sid": "ReaderAccountsReadArtifacts",
        "Effect": "Allow",
        "Principal": {"AWS": account_principals(readers, partition)},
        "Action": ARTIFACT_READ_ACTIONS,
    }


def lifecycle_policy(*, untagged_days: int, tagged_kept: int) -> dict[str, Any]:
    """Expire untagged images after ``untagged_days`` and keep the newest ``tagged_kept`` tagged ones."""
    if untagged_days < 1 or tagged_kept < 1:
        raise ValueError(f"untagged_days={untagged_days} and tagged_kept={tagged_kept} must both be at least 1")
    return {"rules": [
        {
            "rulePriority": 1,
            "description": f"Expire untagged images after {untagged_days} days",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                          "countUnit": "days", "countNumber": untagged_days},
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": f"Keep the newest {tagged_kept} tagged images",
            "selection": {"tagStatus": "tagged", "tagPatternList": ["*"], "countType": "imageCountMoreThan",
                          "countNumber": tagged_kept},
            "action": {"type": "expire"},
        },
    ]}


def approval_event_pattern(groups: Sequence[str]) -> dict[str, Any]:
    """EventBridge pattern: model package state changes of these groups only."""
    if not groups:
        raise ValueError("the approval event rule needs at least one model package group")
    return {
        "source": ["aws.sagemaker"],
        "detail-type": [MODEL_PACKAGE_STATE_CHANGE],
        "detail": {"ModelPackageGroupName": sorted(groups)},
    }


#: (delivery action, actions denied without TLS) for an SNS topic and an SQS queue.
TOPIC_ACTIONS = ("sns:Publish", "sns:Publish")
QUEUE_ACTIONS = ("sqs:SendMessage", "sqs:*")


def events_publish_policy(*, resource_arn: str, rule_arn: str, actions: tuple[str, str]) -> dict[str, Any]:
    """The topic or queue policy: EventBridge may deliver only from our rule; TLS is required.

    ``actions`` is ``TOPIC_ACTIONS`` or ``QUEUE_ACTIONS``."""
    action, insecure_denied = actions
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ApprovalEventsFromRule",
                "Effect": "Allow",
                "Principal": {"Service": EVENTS_PRINCIPAL},
                "Action": action,
                "Resource": resource_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": insecure_denied,
                "Resource": resource_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }
