"""``FeatureStore``: SageMaker feature groups from specs, encrypted, classified and evolvable.

What it builds, all children of the component and named after it:

- keys (an ``EncryptionKeys`` child): ``feature-store`` for groups up to confidential and, when a
  group is restricted or holds PII, ``feature-store-restricted``, tagged ``restricted`` and used for
  nothing else;
- offline buckets (``SecureBucket``): ``<name>-offline`` and ``<name>-offline-restricted``, each
  encrypted with its key and classified at least as high as the groups it holds;
- one Glue catalog database for the offline tables;
- one role SageMaker assumes to write offline stores, limited to the groups' prefixes, keys and tables;
- per spec, an ``aws.sagemaker.FeatureGroup`` (``<name>-<spec name>``) that ignores later changes to
  its feature definitions, and a ``FeatureAdditions`` dynamic resource that adds features in place.

Changes only a new group can make are refused when the component is constructed, before anything
is registered, by comparing each spec with the deployed groups (``FeatureStoreArgs.deployed``, from
the lock file): destructive schema changes (removed or retyped features, another record identifier
or event time) and store changes (online or offline store turned on or off, another storage type or
table format, a move to or from the restricted key).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.common import Classification, child_opts, data_store_tags
from components.encryption import EncryptionKeys, EncryptionKeysArgs, KeySpec
from components.feature_store.iam import (DATA_CATALOG, OfflineLocation, assume_role_policy, serving_policy,
                                          store_role_policy, training_policy)
from components.feature_store.provider import FeatureAdditions
from components.feature_store.schema import (DeployedGroup, GroupSchema, StoreSettings, check_evolution,
                                             check_retired, table_fingerprint)
from components.feature_store.spec import NAME_PATTERN, FeatureGroupSpec, FeatureSpecError
from components.feature_store.spec import PII_TAG  # noqa: F401  (re-exported: the group tag the component sets)
from components.storage import SecureBucket, SecureBucketArgs

STANDARD = "feature-store"
RESTRICTED = "feature-store-restricted"


@dataclass
class FeatureStoreArgs:
    """The groups to build and where their data goes. Defaults: not protected, Athena ``primary``."""

    groups: Sequence[FeatureGroupSpec]
    #: Receives the offline buckets' server access logs.
    access_log_bucket: aws.s3.Bucket
    #: Region the ``FeatureAdditions`` provider calls SageMaker in: the stack's region.
    region: str
    #: Deployed groups by spec name (the lock); a change only a new group can make is refused. A bare
    #: ``GroupSchema`` is a group without known store settings (as in a version-1 lock).
    deployed: Mapping[str, DeployedGroup | GroupSchema] = field(default_factory=dict)
    #: Where ``deployed`` came from, for error messages.
    deployed_source: str = "the deployed schemas"
    #: Athena workgroup the training policies allow queries in.
    athena_workgroup: str = "primary"
    #: KMS deletion window for the store's keys (7-30 days).
    key_deletion_window_days: int = 30
    #: Days superseded offline objects are kept.
    noncurrent_version_expiration_days: int = 90
    #: Protect keys, buckets and feature groups from deletion (prod).
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.deployed = {name: group if isinstance(group, DeployedGroup) else DeployedGroup(group)
                         for name, group in self.deployed.items()}
        if not self.groups:
            raise ValueError("FeatureStoreArgs.groups is empty: enable at least one feature group")
        names = [spec.name for spec in self.groups]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"feature groups appear more than once: {', '.join(duplicates)}")


def group_name(store: str, spec: FeatureGroupSpec) -> str:
    """The SageMaker name of a group: ``<store>-<spec name>`` (unique per account and region)."""
    return f"{store}-{spec.name}"


def glue_name(text: str) -> str:
    """Glue database and table names: lowercase letters, digits and underscores."""
    return re.sub(r"[^a-z0-9_]", "_", text.lower())


def table_prefix(store: str, spec: FeatureGroupSpec) -> str:
    """The start of a group's Glue table name; the rest is its ``table_fingerprint`` at creation."""
    return glue_name(group_name(store, spec))


def max_classification(specs: Sequence[FeatureGroupSpec]) -> Classification:
    return max((spec.classification for spec in specs), key=lambda c: c.rank)


def tier_classification(tier: str, specs: Sequence[FeatureGroupSpec]) -> Classification:
    """The classification of a key or bucket: restricted for the restricted tier, else its highest group's."""
    return Classification.RESTRICTED if tier == RESTRICTED else max_classification(specs)


def check_specs(store: str, args: FeatureStoreArgs) -> None:
    """Plan-time checks: SageMaker names fit, and nothing only a new group can do without ``allowReplacement``."""
    for spec in args.groups:
        full = group_name(store, spec)
        if not re.match(NAME_PATTERN, full):
            raise FeatureSpecError(f"feature group {spec.name!r}: the SageMaker name {full!r} is longer than 64 "
                                   f"characters; shorten the spec name to at most {63 - len(store)} characters")
    check_retired(list(args.deployed), [spec.name for spec in args.groups], lock_source=args.deployed_source)
    for spec in args.groups:
        deployed = args.deployed.get(spec.name)
        change = check_evolution(spec.name, deployed.schema if deployed else None, GroupSchema.from_spec(spec),
                                 allow_replacement=spec.allow_replacement, source=args.deployed_source,
                                 deployed_store=deployed.store if deployed else None,
                                 desired_store=StoreSettings.from_spec(spec))
        if change.destructive:
            pulumi.log.warn(f"feature group {spec.name!r} will be replaced (allowReplacement: true): the change "
                            f"{change.describe_loss()}; its online records and offline data are deleted")


class FeatureStore(pulumi.ComponentResource):
    """SageMaker feature groups with CMK-encrypted stores, a Glue database and per-group access policies."""

    keys: EncryptionKeys
    buckets: dict[str, SecureBucket]
    database: aws.glue.CatalogDatabase
    role: aws.iam.Role
    groups: dict[str, aws.sagemaker.FeatureGroup]
    additions: dict[str, FeatureAdditions]
    #: Per spec name: IAM policy JSON to read the offline store (groups with an offline store).
    training_policies: dict[str, pulumi.Output[str]]
    #: Per spec name: IAM policy JSON to read the online store (groups with an online store).
    serving_policies: dict[str, pulumi.Output[str]]
    #: Per spec name: the schema and store settings SageMaker reports (the lock file's content).
    schemas: pulumi.Output[dict]

    def __init__(self, name: str, args: FeatureStoreArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        check_specs(name, args)
        super().__init__("mlinfra:feature_store:FeatureStore", name, None, opts)
        invoke_opts = pulumi.InvokeOutputOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=invoke_opts).account_id
        region = aws.get_region_output(opts=invoke_opts).region
        partition = aws.get_partition_output(opts=invoke_opts).partition

        tiers = {tier: [s for s in args.groups if (tier == RESTRICTED) == s.restricted] for tier in (STANDARD, RESTRICTED)}
        tiers = {tier: specs for tier, specs in tiers.items() if specs}
        tier_of = {spec.name: tier for tier, specs in tiers.items() for spec in specs}

        self.keys = EncryptionKeys(f"{name}-keys", EncryptionKeysArgs(
            keys=[KeySpec(tier, tier_classification(tier, specs),
                          description=f"Feature store {name}: {'restricted and PII' if tier == RESTRICTED else 'standard'} groups")
                  for tier, specs in tiers.items()],
            deletion_window_days=args.key_deletion_window_days, protect=args.protect, tags=args.tags,
        ), opts=child_opts(self))

        offline_tiers = {tier: [s for s in specs if s.offline_enabled] for tier, specs in tiers.items()}
        self.buckets = {
            tier: SecureBucket(
                f"{name}-offline" + ("-restricted" if tier == RESTRICTED else ""),
                SecureBucketArgs(kms_key=self.keys.key(tier), classification=tier_classification(tier, specs),
                                 access_log_bucket=args.access_log_bucket,
                                 noncurrent_version_expiration_days=args.noncurrent_version_expiration_days,
                                 protect=args.protect, tags=args.tags),
                opts=child_opts(self))
            for tier, specs in offline_tiers.items() if specs
        }

        self.database = aws.glue.CatalogDatabase(
            f"{name}-catalog", name=glue_name(name),
            description=f"Offline store tables of feature store {name}",
            tags=data_store_tags(max_classification(args.groups), args.tags),
            opts=child_opts(self, protect=args.protect))

        locations = {
            spec.name: pulumi.Output.all(self.buckets[tier_of[spec.name]].arn, self.keys.key(tier_of[spec.name]).arn,
                                         self.database.name).apply(
                lambda v, spec=spec: OfflineLocation(bucket_arn=v[0], prefix=spec.name, key_arn=v[1], database=v[2],
                                                     table=f"{table_prefix(name, spec)}_*",
                                                     table_format=spec.offline.table_format))
            for spec in args.groups if spec.offline_enabled
        }

        self.role = aws.iam.Role(
            f"{name}-store-role",
            description=f"Assumed by SageMaker to write the offline stores of feature store {name}",
            assume_role_policy=pulumi.Output.all(account_id, partition).apply(
                lambda v: json.dumps(assume_role_policy(v[0], partition=v[1]))),
            tags=data_store_tags(max_classification(args.groups), args.tags),
            opts=child_opts(self))
        role_dependencies: list[pulumi.Resource] = []
        if locations:
            role_policy = aws.iam.RolePolicy(
                f"{name}-store-role-policy", role=self.role.id,
                policy=pulumi.Output.all(partition, region, account_id, *locations.values()).apply(
                    lambda v: json.dumps(store_role_policy(v[3:], partition=v[0], region=v[1], account_id=v[2]))),
                opts=child_opts(self))
            role_dependencies.append(role_policy)

        self.groups, self.additions = {}, {}
        self.training_policies, self.serving_policies = {}, {}
        for spec in args.groups:
            key = self.keys.key(tier_of[spec.name])
            group = self._feature_group(name, spec, key, locations.get(spec.name), role_dependencies, args)
            self.groups[spec.name] = group
            self.additions[spec.name] = FeatureAdditions(
                f"{group_name(name, spec)}-features", feature_group_name=group.feature_group_name,
                schema=GroupSchema.from_spec(spec), store=StoreSettings.from_spec(spec), region=args.region,
                allow_replacement=spec.allow_replacement,
                opts=child_opts(self, depends_on=[group]))
            if spec.offline_enabled:
                # The table the group actually has: after additions it keeps its creation-time name.
                table = group.offline_store_config.apply(lambda c: c.data_catalog_config.table_name)
                self.training_policies[spec.name] = pulumi.Output.all(
                    partition, region, account_id, locations[spec.name], table).apply(
                    lambda v: json.dumps(training_policy(replace(v[3], table=v[4]), partition=v[0], region=v[1],
                                                         account_id=v[2], athena_workgroup=args.athena_workgroup)))
            if spec.online_enabled:
                self.serving_policies[spec.name] = pulumi.Output.all(group.arn, key.arn).apply(
                    lambda v: json.dumps(serving_policy(v[0], v[1])))

        self.schemas = pulumi.Output.all(**{spec_name: a.deployed_schema for spec_name, a in self.additions.items()})
        self.register_outputs({
            "groupArns": {spec_name: group.arn for spec_name, group in self.groups.items()},
            "roleArn": self.role.arn,
            "database": self.database.name,
            "trainingPolicies": self.training_policies,
            "servingPolicies": self.serving_policies,
            "schemas": self.schemas,
        })

    def _feature_group(self, name: str, spec: FeatureGroupSpec, key: aws.kms.Key,
                       location: Optional[pulumi.Output[OfflineLocation]],
                       role_dependencies: list[pulumi.Resource], args: FeatureStoreArgs) -> aws.sagemaker.FeatureGroup:
        online = None
        if spec.online_enabled:
            ttl = spec.online.ttl
            online = aws.sagemaker.FeatureGroupOnlineStoreConfigArgs(
                enable_online_store=True,
                storage_type=spec.online.storage_type,
                security_config=aws.sagemaker.FeatureGroupOnlineStoreConfigSecurityConfigArgs(kms_key_id=key.arn),
                ttl_duration=aws.sagemaker.FeatureGroupOnlineStoreConfigTtlDurationArgs(unit=ttl.unit, value=ttl.value)
                if ttl else None)
        schema = GroupSchema.from_spec(spec)
        table = f"{table_prefix(name, spec)}_{table_fingerprint(schema, StoreSettings.from_spec(spec))}"
        offline = None
        if location is not None:
            bucket = self.buckets[RESTRICTED if spec.restricted else STANDARD]
            offline = aws.sagemaker.FeatureGroupOfflineStoreConfigArgs(
                s3_storage_config=aws.sagemaker.FeatureGroupOfflineStoreConfigS3StorageConfigArgs(
                    s3_uri=pulumi.Output.concat("s3://", bucket.bucket_name, f"/{spec.name}"), kms_key_id=key.arn),
                table_format=spec.offline.table_format,
                disable_glue_table_creation=False,
                data_catalog_config=aws.sagemaker.FeatureGroupOfflineStoreConfigDataCatalogConfigArgs(
                    catalog=DATA_CATALOG, database=self.database.name,
                    table_name=table))
        return aws.sagemaker.FeatureGroup(
            group_name(name, spec),
            feature_group_name=group_name(name, spec),
            description=spec.description or None,
            record_identifier_feature_name=spec.record_identifier,
            event_time_feature_name=spec.event_time,
            role_arn=self.role.arn,
            feature_definitions=[aws.sagemaker.FeatureGroupFeatureDefinitionArgs(
                feature_name=column.name, feature_type=column.type, collection_type=column.collection,
                collection_config=aws.sagemaker.FeatureGroupFeatureDefinitionCollectionConfigArgs(
                    vector_config=aws.sagemaker.FeatureGroupFeatureDefinitionCollectionConfigVectorConfigArgs(
                        dimension=column.dimension)) if column.dimension else None)
                for column in schema.features],
            online_store_config=online,
            offline_store_config=offline,
            # The classification and PII tags are also how FeatureAdditions learns the group's key tier.
            tags={**data_store_tags(spec.classification, args.tags), **spec.tier_tags, "feature-group": spec.name},
            # Features are added in place by FeatureAdditions; only an explicit allowReplacement lets a
            # definition change replace the group. Names are fixed, so a replacement deletes first. The
            # table name carries a fingerprint of the schema and store settings because SageMaker keeps
            # the old group's Glue table: a replacement (schema or store change) must create a new one,
            # an addition must not rename it.
            opts=child_opts(self, protect=args.protect, depends_on=role_dependencies,
                            ignore_changes=[] if spec.allow_replacement else [
                                "featureDefinitions", "offlineStoreConfig.dataCatalogConfig.tableName"],
                            replace_on_changes=["featureDefinitions"] if spec.allow_replacement else None,
                            delete_before_replace=True))
