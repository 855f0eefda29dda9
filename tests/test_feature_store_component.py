"""FeatureStore under Pulumi's mocks: what it registers, how it is secured, what it refuses."""

import json

import pulumi_aws as aws
import pytest
import yaml

from components.feature_store import FeatureStore, FeatureStoreArgs, SchemaEvolutionError, parse_spec
from components.feature_store.schema import Column, DeployedGroup, GroupSchema, StoreSettings, table_fingerprint
from components.feature_store.spec import FeatureSpecError
from mlinfra.mocks import install_mocks

FG = "aws:sagemaker/featureGroup:FeatureGroup"
DYN = "pulumi-python:dynamic/feature_store:FeatureAdditions"
KEY = "aws:kms/key:Key"
BUCKET = "aws:s3/bucket:Bucket"


def spec(name: str, *, classification="confidential", pii=False, online=True, offline=True, extra=(),
         allow_replacement=False, storage_type="Standard", table_format="Iceberg"):
    features = [{"name": "id", "type": "String"}, {"name": "ts", "type": "Fractional"},
                {"name": "score", "type": "Fractional", "pii": pii}, *extra]
    data = {"name": name, "recordIdentifier": "id", "eventTime": "ts", "classification": classification,
            "features": features, "allowReplacement": allow_replacement,
            "online": {"storageType": storage_type, **({"ttl": {"value": 7, "unit": "Days"}} if pii else {})}
            if online else None,
            "offline": {"tableFormat": table_format} if offline else None}
    return parse_spec(yaml.safe_dump(data), f"{name}.yaml")


STANDARD = spec("clicks")
PII = spec("profile", pii=True)


def build(groups, **overrides):
    def program():
        logs = aws.s3.Bucket("access-logs")
        FeatureStore("dev-fs", FeatureStoreArgs(groups=groups, access_log_bucket=logs, region="us-east-1",
                                                **overrides))
    return program


def outputs(monitor, name):
    """One of the component's registered outputs."""
    return monitor.named("mlinfra:feature_store:FeatureStore", "dev-fs").outputs[name]


def test_feature_group_per_spec_with_cmk_encrypted_stores_and_tags(monitor, run):
    run(build([STANDARD, PII]))
    clicks = monitor.named(FG, "dev-fs-clicks").inputs
    assert clicks["featureGroupName"] == "dev-fs-clicks"
    assert clicks["recordIdentifierFeatureName"] == "id" and clicks["eventTimeFeatureName"] == "ts"
    assert [f["featureName"] for f in clicks["featureDefinitions"]] == ["id", "ts", "score"]
    assert clicks["onlineStoreConfig"]["securityConfig"]["kmsKeyId"].startswith("arn:aws:kms:")
    assert clicks["offlineStoreConfig"]["s3StorageConfig"]["kmsKeyId"].startswith("arn:aws:kms:")
    assert clicks["offlineStoreConfig"]["tableFormat"] == "Iceberg"
    assert clicks["offlineStoreConfig"]["disableGlueTableCreation"] is False
    fingerprint = table_fingerprint(GroupSchema.from_spec(STANDARD), StoreSettings.from_spec(STANDARD))
    assert clicks["offlineStoreConfig"]["dataCatalogConfig"] == {
        "catalog": "AwsDataCatalog", "database": "dev_fs", "tableName": f"dev_fs_clicks_{fingerprint}"}
    assert clicks["offlineStoreConfig"]["s3StorageConfig"]["s3Uri"].endswith("/clicks")
    assert clicks["tags"] == {"data-classification": "confidential", "contains-pii": "false", "feature-group": "clicks"}
    assert monitor.named(FG, "dev-fs-profile").inputs["tags"]["contains-pii"] == "true"


def test_pii_group_uses_the_restricted_key_and_bucket(monitor, run):
    run(build([STANDARD, PII]))
    keys = {r.name: r for r in monitor.by_type(KEY)}
    assert keys["dev-fs-keys-feature-store"].inputs["tags"]["data-classification"] == "confidential"
    assert keys["dev-fs-keys-feature-store-restricted"].inputs["tags"]["data-classification"] == "restricted"
    restricted_arn = keys["dev-fs-keys-feature-store-restricted"].outputs["arn"]
    profile = monitor.named(FG, "dev-fs-profile").inputs
    assert profile["onlineStoreConfig"]["securityConfig"]["kmsKeyId"] == restricted_arn
    assert profile["offlineStoreConfig"]["s3StorageConfig"]["kmsKeyId"] == restricted_arn
    assert profile["onlineStoreConfig"]["ttlDuration"] == {"unit": "Days", "value": 7.0}
    buckets = {r.name: r.inputs.get("tags", {}) for r in monitor.by_type(BUCKET)}
    assert buckets["dev-fs-offline-restricted"]["data-classification"] == "restricted"
    assert buckets["dev-fs-offline"]["data-classification"] == "confidential"
    restricted_bucket = monitor.named(BUCKET, "dev-fs-offline-restricted").outputs["bucket"]
    assert profile["offlineStoreConfig"]["s3StorageConfig"]["s3Uri"] == f"s3://{restricted_bucket}/profile"


def test_only_the_keys_and_buckets_needed_exist(monitor, run):
    run(build([spec("clicks", classification="internal", online=True, offline=False)]))
    assert [r.name for r in monitor.by_type(KEY)] == ["dev-fs-keys-feature-store"]
    assert monitor.by_type(KEY)[0].inputs["tags"]["data-classification"] == "internal"
    assert [r.name for r in monitor.by_type(BUCKET) if r.name.startswith("dev-fs")] == []
    assert monitor.by_type("aws:iam/rolePolicy:RolePolicy") == []


def test_feature_definitions_are_ignored_and_owned_by_the_dynamic_resource(monitor, run):
    run(build([STANDARD]))
    group = monitor.named(FG, "dev-fs-clicks")
    assert group.ignore_changes == ["featureDefinitions", "offlineStoreConfig.dataCatalogConfig.tableName"]
    assert group.delete_before_replace is True
    additions = monitor.named(DYN, "dev-fs-clicks-features")
    assert additions.inputs["featureGroupName"] == "dev-fs-clicks"
    assert additions.inputs["region"] == "us-east-1"
    assert additions.inputs["allowReplacement"] is False
    assert [f["name"] for f in additions.inputs["features"]] == ["id", "ts", "score"]
    assert additions.inputs["store"] == {"onlineStore": True, "storageType": "Standard", "offlineStore": True,
                                         "tableFormat": "Iceberg", "restricted": False}
    assert group.urn in additions.dependencies
    assert additions.parent == monitor.named("mlinfra:feature_store:FeatureStore", "dev-fs").urn


def test_allow_replacement_lets_the_group_be_replaced(monitor, run):
    deployed = {"clicks": GroupSchema("id", "ts", GroupSchema.from_spec(STANDARD).features + (Column("country", "String"),))}
    run(build([spec("clicks", allow_replacement=True)], deployed=deployed))
    assert monitor.named(FG, "dev-fs-clicks").ignore_changes == []
    assert monitor.named(DYN, "dev-fs-clicks-features").inputs["allowReplacement"] is True


def test_protect_covers_groups_keys_buckets_and_database(monitor, run):
    run(build([STANDARD, PII], protect=True))
    assert monitor.named(FG, "dev-fs-clicks").protect
    assert all(r.protect for r in monitor.by_type(KEY))
    assert all(r.protect for r in monitor.by_type(BUCKET) if r.name.startswith("dev-fs"))
    assert monitor.named("aws:glue/catalogDatabase:CatalogDatabase", "dev-fs-catalog").protect


def test_catalog_database_and_store_role_are_least_privilege(monitor, run):
    run(build([STANDARD, PII]))
    database = monitor.named("aws:glue/catalogDatabase:CatalogDatabase", "dev-fs-catalog")
    assert database.inputs["name"] == "dev_fs"
    assert database.inputs["tags"]["data-classification"] == "confidential"
    role = monitor.named("aws:iam/role:Role", "dev-fs-store-role")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    policy = json.loads(monitor.named("aws:iam/rolePolicy:RolePolicy", "dev-fs-store-role-policy").inputs["policy"])
    resources = [r for s in policy["Statement"] for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])]
    assert "*" not in resources
    write = next(s for s in policy["Statement"] if s["Sid"] == "WriteOfflineObjects")
    assert sorted(r.rsplit("/", 2)[-2] for r in write["Resource"]) == ["clicks", "profile"]
    iceberg = next(s for s in policy["Statement"] if s["Sid"] == "UpdateIcebergTables")
    assert "arn:aws:glue:us-east-1:123456789012:table/dev_fs/dev_fs_clicks_*" in iceberg["Resource"]
    group = monitor.named(FG, "dev-fs-clicks")
    assert monitor.named("aws:iam/rolePolicy:RolePolicy", "dev-fs-store-role-policy").urn in group.dependencies


def test_store_role_trust_uses_the_stacks_partition(monitor, run, monkeypatch):
    from mlinfra.mocks import PlatformMocks

    def call(self, args):
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws-cn", "dnsSuffix": "amazonaws.com.cn", "id": "aws-cn"}, []
        return original(self, args)

    original = PlatformMocks.call
    monkeypatch.setattr(PlatformMocks, "call", call)
    run(build([STANDARD]))
    trust = json.loads(monitor.named("aws:iam/role:Role", "dev-fs-store-role").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Condition"]["ArnLike"] == {
        "aws:SourceArn": "arn:aws-cn:sagemaker:*:123456789012:feature-group/*"}


def test_training_and_serving_policies_per_group(monitor, run):
    run(build([STANDARD, spec("online-only", offline=False)]))
    training = outputs(monitor, "trainingPolicies")
    serving = outputs(monitor, "servingPolicies")
    assert sorted(training) == ["clicks"]
    assert sorted(serving) == ["clicks", "online-only"]
    read = json.loads(training["clicks"])["Statement"]
    by_sid = {s["Sid"]: s for s in read}
    assert by_sid["ReadOfflineObjects"]["Resource"].endswith("/clicks/*")
    assert by_sid["ListOfflinePrefix"]["Condition"]["StringLike"]["s3:prefix"] == ["clicks", "clicks/*"]
    table = monitor.named(FG, "dev-fs-clicks").outputs["offlineStoreConfig"]["dataCatalogConfig"]["tableName"]
    assert by_sid["ReadGlueTable"]["Resource"][-1] == f"arn:aws:glue:us-east-1:123456789012:table/dev_fs/{table}"
    assert by_sid["QueryWithAthena"]["Resource"].endswith(":workgroup/primary")
    assert by_sid["DecryptOfflineObjects"]["Action"] == ["kms:Decrypt", "kms:DescribeKey"]
    online = {s["Sid"]: s for s in json.loads(serving["clicks"])["Statement"]}
    assert online["ReadOnlineRecords"]["Action"] == ["sagemaker:GetRecord", "sagemaker:BatchGetRecord"]
    assert online["ReadOnlineRecords"]["Resource"] == monitor.named(FG, "dev-fs-clicks").outputs["arn"]


def test_schemas_output_is_the_lock_content(monitor, run):
    run(build([STANDARD, spec("vectors", storage_type="InMemory", offline=False, pii=True)]))
    schemas = outputs(monitor, "schemas")
    # Under the mocks the dynamic resource's outputs are its inputs; the real provider reports SageMaker's.
    assert DeployedGroup.from_json(schemas["clicks"]) == DeployedGroup(GroupSchema.from_spec(STANDARD),
                                                                       StoreSettings("Standard", "Iceberg", False))
    assert schemas["vectors"]["store"] == {"onlineStore": True, "storageType": "InMemory", "offlineStore": False,
                                           "restricted": True}


def test_destructive_change_is_refused_before_anything_is_registered(monitor, run):
    deployed = {"clicks": GroupSchema("id", "ts", GroupSchema.from_spec(STANDARD).features + (Column("country", "String"),))}
    with pytest.raises(SchemaEvolutionError) as info:
        run(build([STANDARD], deployed=deployed, deployed_source="stacks/feature_groups/dev.lock.json"))
    assert str(info.value).startswith("feature group 'clicks' (stacks/feature_groups/dev.lock.json): the change "
                                      "removes country (String).")
    assert monitor.by_type(FG) == [] and monitor.by_type(KEY) == []


def test_additions_against_the_lock_are_accepted(monitor, run):
    deployed = {"clicks": GroupSchema("id", "ts", GroupSchema.from_spec(STANDARD).features[:2])}
    run(build([STANDARD], deployed=deployed))
    assert [f["name"] for f in monitor.named(DYN, "dev-fs-clicks-features").inputs["features"]] == ["id", "ts", "score"]


def test_group_name_too_long_for_sagemaker_is_refused():
    long_spec = spec("x" * 60)
    with pytest.raises(FeatureSpecError, match="longer than 64 characters; shorten the spec name to at most 57"):
        FeatureStore("dev-fs", FeatureStoreArgs(groups=[long_spec], access_log_bucket=None, region="us-east-1"))


def test_args_refuse_no_groups_and_duplicates():
    with pytest.raises(ValueError, match="groups is empty"):
        FeatureStoreArgs(groups=[], access_log_bucket=None, region="us-east-1")
    with pytest.raises(ValueError, match="more than once: clicks"):
        FeatureStoreArgs(groups=[STANDARD, STANDARD], access_log_bucket=None, region="us-east-1")


LOCK = "stacks/feature_groups/dev.lock.json"


def deployed_as(deployed_spec):
    """The lock entry of a group deployed from ``deployed_spec`` (schema and store settings)."""
    return DeployedGroup(GroupSchema.from_spec(deployed_spec), StoreSettings.from_spec(deployed_spec))


def refused(words: str) -> str:
    return (f"feature group 'clicks' ({LOCK}): the change {words}. SageMaker cannot do that in place: the group would "
            "be replaced, deleting its online records and its offline store data (the S3 objects and the Glue table). "
            "Keep the deployed store settings and create a new group under a new name for the new ones, or set "
            "allowReplacement: true in the spec to accept the loss.")


# (deployed spec, desired spec options, the change in words); every desired spec keeps the schema.
STORE_CHANGES = [
    ({}, {"online": False}, "turns the online store off"),
    ({"online": False}, {}, "turns the online store on"),
    ({}, {"offline": False}, "turns the offline store off"),
    ({"offline": False}, {}, "turns the offline store on"),
    ({"offline": False}, {"offline": False, "storage_type": "InMemory"},
     "changes the online storage type from Standard to InMemory"),
    ({"table_format": "Glue"}, {}, "changes the offline table format from Glue to Iceberg"),
    ({}, {"pii": True}, "moves the group to the restricted key (its first PII feature or restricted classification)"),
    ({}, {"classification": "restricted"},
     "moves the group to the restricted key (its first PII feature or restricted classification)"),
    ({"pii": True}, {},
     "moves the group off the restricted key to the standard one (no PII feature and no restricted classification "
     "left)"),
    ({}, {"online": False, "table_format": "Glue", "pii": True},
     "turns the online store off; changes the offline table format from Iceberg to Glue; moves the group to the "
     "restricted key (its first PII feature or restricted classification)"),
]


@pytest.mark.parametrize(("before", "after", "words"), STORE_CHANGES)
def test_store_change_is_refused_against_the_lock_before_anything_is_registered(monitor, run, before, after, words):
    with pytest.raises(SchemaEvolutionError) as info:
        run(build([spec("clicks", **after)], deployed={"clicks": deployed_as(spec("clicks", **before))},
                  deployed_source=LOCK))
    assert str(info.value) == refused(words)
    assert monitor.by_type(FG) == [] and monitor.by_type(KEY) == []


@pytest.mark.parametrize(("before", "after", "words"), STORE_CHANGES)
def test_store_change_is_allowed_with_allow_replacement(monitor, run, monkeypatch, before, after, words):
    warnings = []
    monkeypatch.setattr("pulumi.log.warn", lambda message, *args, **kwargs: warnings.append(message))
    desired = spec("clicks", allow_replacement=True, **after)
    run(build([desired], deployed={"clicks": deployed_as(spec("clicks", **before))}, deployed_source=LOCK))
    additions = monitor.named(DYN, "dev-fs-clicks-features").inputs
    assert additions["allowReplacement"] is True
    assert StoreSettings.from_json(additions["store"]) == StoreSettings.from_spec(desired)
    assert [w for w in warnings if w.startswith("feature group 'clicks' will be replaced")] == [
        f"feature group 'clicks' will be replaced (allowReplacement: true): the change {words}; its online records "
        "and offline data are deleted"]


@pytest.mark.parametrize("options", [{}, {"online": False}, {"offline": False, "storage_type": "InMemory"},
                                     {"pii": True}, {"table_format": "Glue", "classification": "restricted"}])
def test_unchanged_store_settings_pass(monitor, run, options):
    run(build([spec("clicks", **options)], deployed={"clicks": deployed_as(spec("clicks", **options))},
              deployed_source=LOCK))
    assert len(monitor.by_type(FG)) == 1


def test_schema_and_store_changes_are_refused_in_one_message(monitor, run):
    wider = GroupSchema("id", "ts", GroupSchema.from_spec(STANDARD).features + (Column("country", "String"),))
    deployed = DeployedGroup(wider, StoreSettings.from_spec(STANDARD))
    with pytest.raises(SchemaEvolutionError) as info:
        run(build([spec("clicks", offline=False)], deployed={"clicks": deployed}, deployed_source=LOCK))
    assert str(info.value) == (
        f"feature group 'clicks' ({LOCK}): the change removes country (String); turns the offline store off. "
        "SageMaker cannot do that in place: the group would be replaced, deleting its online records and its offline "
        "store data (the S3 objects and the Glue table). Restore the deployed definition and add new features under "
        "new names, keep the deployed store settings and create a new group under a new name for the new ones, or set "
        "allowReplacement: true in the spec to accept the loss.")


@pytest.mark.parametrize("deployed", [GroupSchema.from_spec(STANDARD), DeployedGroup(GroupSchema.from_spec(STANDARD))])
def test_a_group_without_recorded_store_settings_is_not_store_checked(monitor, run, deployed):
    """A version-1 lock records schemas only: a store change against it is left to the preview's check."""
    run(build([spec("clicks", online=False, pii=True)], deployed={"clicks": deployed}, deployed_source=LOCK))
    assert len(monitor.by_type(FG)) == 1


@pytest.mark.parametrize(("before", "after"), [(before, after) for before, after, _ in STORE_CHANGES
                                               if "offline" not in before and "offline" not in after])
def test_a_group_replaced_for_a_store_change_gets_a_new_glue_table(monitor, run, before, after):
    """SageMaker keeps a deleted group's Glue table: the replacement's table must have another name."""
    def table(run_monitor):
        return run_monitor.named(FG, "dev-fs-clicks").inputs["offlineStoreConfig"]["dataCatalogConfig"]["tableName"]

    run(build([spec("clicks", **before)]))
    deployed = table(monitor)
    replacing = spec("clicks", allow_replacement=True, **after)
    second = install_mocks(project="mlinfra", stack="test")  # a fresh runtime for the second deployment
    run(build([replacing], deployed={"clicks": deployed_as(spec("clicks", **before))}))
    assert table(second) != deployed
    assert table(second).startswith("dev_fs_clicks_")
