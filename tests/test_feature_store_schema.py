"""Schema evolution rules and the lock of deployed schemas."""

import json

import pytest

from components.feature_store.lock import lock_path, main, read_lock, render_lock
from components.feature_store.schema import (Column, GroupSchema, SchemaEvolutionError, check_evolution,
                                             check_retired, schema_change)
from mlinfra.errors import ConfigError

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


def test_lock_round_trip_through_the_command(tmp_path, capsys):
    output = tmp_path / "output.json"
    output.write_text(json.dumps({"customers": DEPLOYED.to_json()}))
    lock = lock_path(tmp_path, "dev")
    assert main([str(lock), str(output)]) == 0
    assert read_lock(lock) == {"customers": DEPLOYED}
    assert "wrote" in capsys.readouterr().out
    assert lock.read_text() == render_lock({"customers": DEPLOYED.to_json()})


def test_lock_command_rejects_other_json(tmp_path, capsys):
    output = tmp_path / "output.json"
    output.write_text(json.dumps({"customers": {"features": []}}))
    assert main([str(tmp_path / "dev.lock.json"), str(output)]) == 2
    assert "not the featureStoreSchemas stack output" in capsys.readouterr().err
    assert not (tmp_path / "dev.lock.json").exists()


def test_missing_lock_means_nothing_deployed(tmp_path):
    assert read_lock(tmp_path / "dev.lock.json") == {}


def test_corrupt_lock_is_a_clear_error(tmp_path):
    path = tmp_path / "dev.lock.json"
    path.write_text(json.dumps({"version": 7, "groups": {}}))
    with pytest.raises(ConfigError, match=r"dev.lock.json: not a valid feature-group lock \(version must be 1\)"):
        read_lock(path)
