"""Customer-managed KMS keys, one per purpose, with least-privilege key policies.

``EncryptionKeys`` creates a key and an alias (``alias/<component-name>-<purpose>``) for every
``KeySpec``. Rotation is always on. Key policies never name a wildcard principal: the account root
administers the key (so IAM policies in the account decide who may use it), and each AWS service
principal may use it only on behalf of this account (``aws:SourceAccount``) or, for CloudWatch
Logs, only for log groups of this account (encryption context condition).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.common import Classification, child_opts, data_store_tags

#: KMS accepts a deletion (pending) window of 7 to 30 days.
MIN_DELETION_WINDOW_DAYS = 7
MAX_DELETION_WINDOW_DAYS = 30

#: The purpose whose key CloudWatch Logs may use (log groups, VPC flow logs).
LOGS_PURPOSE = "logs"

_PURPOSE = re.compile(r"^[a-z][a-z0-9-]{0,40}$")

#: What a service principal may do with a key: envelope encryption, no administration.
SERVICE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]


@dataclass
class KeySpec:
    """One key: what it encrypts, how sensitive that data is, and which AWS services may use it."""

    purpose: str
    classification: Classification = Classification.CONFIDENTIAL
    #: AWS service principals (e.g. ``s3.amazonaws.com``) allowed to use the key on this account's behalf.
    service_principals: Sequence[str] = ()
    #: Key description; default "<purpose> key (<classification>)".
    description: str = ""


@dataclass
class EncryptionKeysArgs:
    """The keys to create. Defaults: 30-day deletion window, not protected."""

    keys: Sequence[KeySpec]
    #: Days a scheduled key deletion can still be cancelled (7-30); set per tier (dev 7, prod 30).
    deletion_window_days: int = MAX_DELETION_WINDOW_DAYS
    #: Protect keys from deletion by Pulumi (prod).
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_key_specs(self.keys)
        if not MIN_DELETION_WINDOW_DAYS <= self.deletion_window_days <= MAX_DELETION_WINDOW_DAYS:
            raise ValueError(
                f"deletion_window_days={self.deletion_window_days} is invalid: KMS allows "
                f"{MIN_DELETION_WINDOW_DAYS} to {MAX_DELETION_WINDOW_DAYS} days"
            )


def validate_key_specs(specs: Sequence[KeySpec]) -> None:
    """Raise ``ValueError`` for no keys, a malformed purpose, a duplicate purpose or a wildcard principal."""
    if not specs:
        raise ValueError("EncryptionKeys needs at least one KeySpec")
    seen: set[str] = set()
    for spec in specs:
        if not _PURPOSE.match(spec.purpose):
            raise ValueError(
                f"key purpose {spec.purpose!r} is invalid: use lowercase letters, digits and '-', "
                "starting with a letter, at most 41 characters"
            )
        if spec.purpose in seen:
            raise ValueError(f"key purpose {spec.purpose!r} appears more than once")
        seen.add(spec.purpose)
        for principal in spec.service_principals:
            if "*" in principal or not principal.endswith(".amazonaws.com"):
                raise ValueError(
                    f"service principal {principal!r} for key {spec.purpose!r} is invalid: "
                    "name one AWS service such as s3.amazonaws.com (no wildcards)"
                )


def key_policy(spec: KeySpec, *, account_id: str, region: str, partition: str = "aws") -> dict[str, Any]:
    """The key policy document for one key; no statement has a wildcard principal."""
    statements: list[dict[str, Any]] = [{
        "Sid": "AccountRootAdministers",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }]
    logs_principal = f"logs.{region}.amazonaws.com"
    for principal in spec.service_principals:
        if spec.purpose == LOGS_PURPOSE and principal == logs_principal:
            continue  # covered, more tightly, by the encryption-context statement below
        statements.append({
            "Sid": "Service" + re.sub(r"[^A-Za-z0-9]", "", principal.removesuffix(".amazonaws.com").title()),
            "Effect": "Allow",
            "Principal": {"Service": principal},
            "Action": SERVICE_ACTIONS,
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        })
    if spec.purpose == LOGS_PURPOSE:
        # kms:DescribeKey carries no encryption context (Service Authorization Reference), so under
        # this condition it could never be allowed; CloudWatch Logs works without it (AWS's example
        # policy lists kms:Describe* under the same condition, where it never matches).
        statements.append({
            "Sid": "CloudWatchLogsInThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": logs_principal},
            "Action": [a for a in SERVICE_ACTIONS if a != "kms:DescribeKey"],
            "Resource": "*",
            "Condition": {"ArnLike": {
                "kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account_id}:*",
            }},
        })
    return {"Version": "2012-10-17", "Statement": statements}


def alias_name(component_name: str, purpose: str) -> str:
    """The key's alias: ``alias/<component-name>-<purpose>``."""
    return f"alias/{component_name}-{purpose}"


class EncryptionKeys(pulumi.ComponentResource):
    """Customer-managed KMS keys by purpose, each with rotation, an alias and a classification tag."""

    keys: dict[str, aws.kms.Key]
    aliases: dict[str, aws.kms.Alias]

    def __init__(self, name: str, args: EncryptionKeysArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("mlinfra:encryption:EncryptionKeys", name, None, opts)
        invoke_opts = pulumi.InvokeOutputOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=invoke_opts).account_id
        region = aws.get_region_output(opts=invoke_opts).region
        partition = aws.get_partition_output(opts=invoke_opts).partition

        self.keys = {}
        self.aliases = {}
        for spec in args.keys:
            policy = pulumi.Output.all(account_id, region, partition).apply(
                lambda values, spec=spec: json.dumps(
                    key_policy(spec, account_id=values[0], region=values[1], partition=values[2])
                )
            )
            key = aws.kms.Key(
                f"{name}-{spec.purpose}",
                description=spec.description or f"{spec.purpose} key ({spec.classification.value})",
                enable_key_rotation=True,
                deletion_window_in_days=args.deletion_window_days,
                policy=policy,
                tags={**data_store_tags(spec.classification, args.tags), "purpose": spec.purpose},
                opts=child_opts(self, protect=args.protect),
            )
            self.keys[spec.purpose] = key
            self.aliases[spec.purpose] = aws.kms.Alias(
                f"{name}-{spec.purpose}-alias",
                name=alias_name(name, spec.purpose),
                target_key_id=key.key_id,
                opts=child_opts(self),
            )

        self.register_outputs({
            "keyArns": {purpose: key.arn for purpose, key in self.keys.items()},
            "aliases": {purpose: alias.name for purpose, alias in self.aliases.items()},
        })

    def key(self, purpose: str) -> aws.kms.Key:
        """The key for ``purpose``; ``KeyError`` naming the known purposes if there is none."""
        try:
            return self.keys[purpose]
        except KeyError:
            raise KeyError(f"no key for purpose {purpose!r}; known purposes: {', '.join(sorted(self.keys))}") from None
