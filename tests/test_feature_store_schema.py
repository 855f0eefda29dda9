"""Schema evolution rules and the lock of deployed schemas."""

import json

import pytest

from components.feature_store.lock import lock_path, lock_text, read_lock, render_lock
from components.feature_store.schema import (Column, DeployedGroup, GroupSchema, SchemaEvolutionError, StoreSettings,
                                             check_evolution, check_retired, schema_change, store_change,
                                             table_fingerprint)
from components.feature_store.spec import is_restricted, parse_spec, restricted_by_tags
from mlinfra.errors import ConfigError, MlinfraError

DEPLOYED = GroupSchema("id", "ts", (Column("id", "String"), Column("ts", "Fractional"), Column("age", "Integral"),
                                    Column("zip", "String")))


def desired(*features: Column, record: str = "id", event: str = "ts") -> GroupSchema:
    return GroupSchema(record, event, features)


ID, TS, AGE, ZIP = DEPLOYED.features


def test_addition_is_not_destructive():
    change = schema_change(DEPLOYED, desired(ID, TS, AGE, ZIP, Column("segment", "String")))
    assert [c.name for c in change.added] == ["segment"]
    assert not change.destructive


def test_reordering_is_no_change():
    assert schema_change(DEPLOYED, desired(ZIP, AGE, TS, ID)).empty


@pytest.mark.parametrize(("new", "words"), [
    (desired(ID, TS, ZIP), "removes age (Integral)"),
    (desired(ID, TS), "removes age (Integral), zip (String)"),
    (desired(ID, TS, Column("age", "Fractional"), ZIP), "changes the type of age (Integral -> Fractional)"),
    (desired(ID, TS, AGE, Column("zip", "String", "Set")), "zip (String -> Set<String>)"),
    (desired(ID, TS, AGE, ZIP, record="zip"), "changes recordIdentifier from id to zip"),
])
def test_destructive_changes_are_refused_with_what_is_lost(new, words):
    with pytest.raises(SchemaEvolutionError) as info:
        check_evolution("customers", DEPLOYED, new, allow_replacement=False,
                        source="stacks/feature_groups/prod.lock.json")
    message = str(info.value)
    assert message.startswith("feature group 'customers' (stacks/feature_groups/prod.lock.json): the change ")
    assert words in message
    assert "deleting its online records and its offline store data" in message
    assert "set allowReplacement: true" in message


def test_schema_errors_are_config_errors_reported_as_one_line():
    assert issubclass(SchemaEvolutionError, ConfigError)


def test_allow_replacement_accepts_the_destructive_change():
    change = check_evolution("customers", DEPLOYED, desired(ID, TS), allow_replacement=True)
    assert change.destructive
    assert change.describe_loss() == "removes age (Integral), zip (String)"


def test_a_group_never_deployed_is_all_additions():
    change = check_evolution("customers", None, desired(ID, TS), allow_replacement=False)
    assert change.added == (ID, TS) and not change.destructive


def test_dropping_a_deployed_group_from_the_environment_is_refused():
    with pytest.raises(SchemaEvolutionError, match=r"feature groups 'old' are deployed \(dev.lock.json\) but no "
                                                   r"longer enabled: .*remove their entries from dev.lock.json"):
        check_retired(["old", "kept"], ["kept", "new"], lock_source="dev.lock.json")
    check_retired(["kept"], ["kept", "new"], lock_source="dev.lock.json")


def test_fingerprint_ignores_order_and_follows_columns():
    assert desired(ZIP, AGE, TS, ID).fingerprint == DEPLOYED.fingerprint
    assert desired(ID, TS, AGE, ZIP, Column("segment", "String")).fingerprint != DEPLOYED.fingerprint
    assert desired(ID, TS, AGE, ZIP, event="zip").fingerprint != DEPLOYED.fingerprint
    assert len(DEPLOYED.fingerprint) == 8


def test_sagemaker_definitions_round_trip():
    vector = Column("emb", "Fractional", "Vector", 16)
    assert vector.to_sagemaker() == {"FeatureName": "emb", "FeatureType": "Fractional", "CollectionType": "Vector",
                                     "CollectionConfig": {"VectorConfig": {"Dimension": 16}}}
    assert Column.from_sagemaker(vector.to_sagemaker()) == vector
    assert Column.from_json({"name": "emb", "type": "Fractional", "collection": "Vector", "dimension": 16.0}) == vector


STORE = StoreSettings(online_storage_type="Standard", offline_table_format="Iceberg", restricted=True)


def test_lock_round_trip_through_lock_text(tmp_path):
    output = json.dumps({"customers": DeployedGroup(DEPLOYED, STORE).to_json()})
    lock = lock_path(tmp_path, "dev")
    text, count = lock_text(output, source="output.json")
    assert count == 1
    lock.write_text(text)
    assert read_lock(lock) == {"customers": DeployedGroup(DEPLOYED, STORE)}
    written = json.loads(lock.read_text())
    assert written["version"] == 2
    assert written["groups"]["customers"]["store"] == {"onlineStore": True, "storageType": "Standard",
                                                       "offlineStore": True, "tableFormat": "Iceberg",
                                                       "restricted": True}
    assert lock.read_text() == render_lock({"customers": DeployedGroup(DEPLOYED, STORE).to_json()})


def test_lock_records_a_store_that_is_off_without_its_setting(tmp_path):
    store = StoreSettings(online_storage_type="InMemory", offline_table_format=None, restricted=False)
    text = render_lock({"embeddings": DeployedGroup(DEPLOYED, store).to_json()})
    assert json.loads(text)["groups"]["embeddings"]["store"] == {"onlineStore": True, "storageType": "InMemory",
                                                                  "offlineStore": False, "restricted": False}
    path = tmp_path / "dev.lock.json"
    path.write_text(text)
    assert read_lock(path)["embeddings"].store == store


def test_a_lock_refuses_an_output_without_store_settings():
    with pytest.raises(MlinfraError) as error:
        lock_text(json.dumps({"customers": DEPLOYED.to_json()}), source="output.json")
    assert str(error.value).startswith(
        "output.json: not the featureStoreSchemas stack output (group 'customers': missing 'store')")


def test_version_1_lock_is_read_without_store_settings(tmp_path):
    path = tmp_path / "dev.lock.json"
    path.write_text(json.dumps({"version": 1, "groups": {"customers": DEPLOYED.to_json()}}))
    assert read_lock(path) == {"customers": DeployedGroup(DEPLOYED, store=None)}


@pytest.mark.parametrize("output", ['{"customers": {"features": []}}', "[1, 2]", "{not json"])
def test_a_lock_rejects_other_text(output):
    with pytest.raises(MlinfraError) as error:
        lock_text(output, source="stdin")
    assert str(error.value).startswith("stdin: not the featureStoreSchemas stack output (")
    assert "\n" not in str(error.value)


def test_missing_lock_means_nothing_deployed(tmp_path):
    assert read_lock(tmp_path / "dev.lock.json") == {}


def test_corrupt_lock_is_a_clear_error(tmp_path):
    path = tmp_path / "dev.lock.json"
    path.write_text(json.dumps({"version": 7, "groups": {}}))
    with pytest.raises(ConfigError,
                       match=r"dev.lock.json: not a valid feature-group lock \(version must be 1 or 2\)"):
        read_lock(path)


GOOD_STORE = {"onlineStore": True, "storageType": "Standard", "offlineStore": True, "tableFormat": "Glue",
              "restricted": False}


@pytest.mark.parametrize(("store", "problem"), [
    (None, "group 'customers': missing 'store'"),
    ("Standard", "group 'customers': store settings must be a mapping, not 'Standard'"),
    ({k: v for k, v in GOOD_STORE.items() if k != "restricted"}, "group 'customers': missing 'restricted'"),
    ({**GOOD_STORE, "offlineStore": "yes"}, "group 'customers': store.offlineStore must be true or false, not 'yes'"),
    ({**GOOD_STORE, "storageType": "Fast"},
     "group 'customers': store.storageType must be one of Standard, InMemory, not 'Fast'"),
    ({k: v for k, v in GOOD_STORE.items() if k != "tableFormat"},
     "group 'customers': store.tableFormat must be one of Glue, Iceberg, not None"),
])
def test_malformed_version_2_lock_is_the_one_line_lock_error(tmp_path, store, problem):
    group = DEPLOYED.to_json()
    if store is not None:
        group["store"] = store
    path = tmp_path / "dev.lock.json"
    path.write_text(json.dumps({"version": 2, "groups": {"customers": group}}))
    with pytest.raises(ConfigError) as info:
        read_lock(path)
    assert str(info.value) == (f"{path}: not a valid feature-group lock ({problem}); regenerate it from the stack "
                               "output featureStoreSchemas (mlinfra feature-lock <env>)")
    assert "\n" not in str(info.value)


PLAIN = StoreSettings("Standard", "Glue", False)


@pytest.mark.parametrize(("desired", "words"), [
    (StoreSettings(None, "Glue", False), "turns the online store off"),
    (StoreSettings("Standard", None, False), "turns the offline store off"),
    (StoreSettings("Standard", "Iceberg", False), "changes the offline table format from Glue to Iceberg"),
    (StoreSettings("InMemory", None, False),
     "changes the online storage type from Standard to InMemory; turns the offline store off"),
    (StoreSettings("Standard", "Glue", True),
     "moves the group to the restricted key (its first PII feature or restricted classification)"),
])
def test_store_changes_are_refused_with_what_changes(desired, words):
    with pytest.raises(SchemaEvolutionError) as info:
        check_evolution("customers", DEPLOYED, DEPLOYED, allow_replacement=False, source="prod.lock.json",
                        deployed_store=PLAIN, desired_store=desired)
    assert str(info.value) == (
        f"feature group 'customers' (prod.lock.json): the change {words}. SageMaker cannot do that in place: the "
        "group would be replaced, deleting its online records and its offline store data (the S3 objects and the "
        "Glue table). Keep the deployed store settings and create a new group under a new name for the new ones, or "
        "set allowReplacement: true in the spec to accept the loss.")


def test_schema_refusal_wording_is_unchanged_by_the_store_checks():
    with pytest.raises(SchemaEvolutionError) as info:
        check_evolution("customers", DEPLOYED, desired(ID, TS, ZIP), allow_replacement=False, source="prod.lock.json",
                        deployed_store=PLAIN, desired_store=PLAIN)
    assert str(info.value) == (
        "feature group 'customers' (prod.lock.json): the change removes age (Integral). SageMaker cannot do that in "
        "place: the group would be replaced, deleting its online records and its offline store data (the S3 objects "
        "and the Glue table). Restore the deployed definition and add new features under new names, or set "
        "allowReplacement: true in the spec to accept the loss.")


def test_allowed_store_change_is_reported_as_destructive():
    change = check_evolution("customers", DEPLOYED, DEPLOYED, allow_replacement=True, deployed_store=PLAIN,
                             desired_store=StoreSettings(None, "Glue", False))
    assert change.destructive and not change.added
    assert change.describe_loss() == "turns the online store off"


def test_unknown_store_settings_are_not_compared():
    assert not store_change(None, PLAIN).replacing
    change = check_evolution("customers", DEPLOYED, DEPLOYED, allow_replacement=False, deployed_store=None,
                             desired_store=StoreSettings("InMemory", None, True))
    assert change.empty


def test_store_settings_of_a_spec_follow_the_spec():
    spec = parse_spec(
        "name: e\nrecordIdentifier: id\neventTime: ts\nfeatures: [{name: id, type: String}, "
        "{name: ts, type: Fractional}, {name: v, type: Fractional, collection: List}]\n"
        "online: {storageType: InMemory}\noffline: null\nclassification: restricted\n", "e.yaml")
    assert StoreSettings.from_spec(spec) == StoreSettings("InMemory", None, True)


@pytest.mark.parametrize(("tags", "restricted"), [
    ({"data-classification": "confidential", "contains-pii": "false"}, False),
    ({"data-classification": "confidential", "contains-pii": "true"}, True),
    ({"data-classification": "restricted", "contains-pii": "false"}, True),
    ({"data-classification": "internal"}, False),
    ({}, False),
])
def test_the_key_tier_is_read_from_the_tags(tags, restricted):
    assert restricted_by_tags(tags) is restricted


@pytest.mark.parametrize(("classification", "pii", "restricted"), [
    ("internal", False, False), ("confidential", False, False), ("confidential", True, True),
    ("restricted", False, True), ("restricted", True, True),
])
def test_the_tags_a_spec_gives_its_group_read_back_as_the_specs_tier(classification, pii, restricted):
    spec = parse_spec(
        f"name: c\nrecordIdentifier: id\neventTime: ts\nclassification: {classification}\nfeatures: "
        f"[{{name: id, type: String}}, {{name: ts, type: Fractional}}, "
        f"{{name: e, type: String, pii: {str(pii).lower()}}}]"
        "\nonline: {ttl: {value: 1}}\n", "c.yaml")
    assert spec.restricted is restricted
    assert is_restricted(classification, pii) is restricted
    assert restricted_by_tags(spec.tier_tags) is restricted


def test_table_fingerprint_changes_with_every_replacement_and_nothing_else():
    stores = [StoreSettings(online, offline, restricted) for online in (None, "Standard", "InMemory")
              for offline in (None, "Glue", "Iceberg") for restricted in (False, True)]
    assert len({table_fingerprint(DEPLOYED, store) for store in stores}) == len(stores)
    assert table_fingerprint(desired(ZIP, AGE, TS, ID), PLAIN) == table_fingerprint(DEPLOYED, PLAIN)
    assert table_fingerprint(desired(ID, TS, AGE), PLAIN) != table_fingerprint(DEPLOYED, PLAIN)
    assert len(table_fingerprint(DEPLOYED, PLAIN)) == 8
