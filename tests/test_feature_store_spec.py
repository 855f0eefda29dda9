"""FeatureGroupSpec: every bad definition is one clear error naming the file and the field."""

from pathlib import Path

import pytest
import yaml

from components.feature_store.spec import FeatureSpecError, load_specs, parse_spec

REPO = Path(__file__).resolve().parents[1]
SOURCE = "stacks/feature_groups/customers.yaml"

GOOD = {
    "name": "customers",
    "recordIdentifier": "customer_id",
    "eventTime": "event_time",
    "classification": "confidential",
    "features": [
        {"name": "customer_id", "type": "String"},
        {"name": "event_time", "type": "Fractional"},
        {"name": "email", "type": "String", "pii": True},
    ],
    "online": {"ttl": {"value": 30, "unit": "Days"}},
    "offline": {"tableFormat": "Iceberg"},
}


def parse(**changes):
    return parse_spec(yaml.safe_dump({**GOOD, **changes}), SOURCE)


def features(*extra):
    return GOOD["features"] + list(extra)


def test_good_spec_and_its_defaults():
    spec = parse()
    assert spec.online.storage_type == "Standard"
    assert spec.offline.table_format == "Iceberg"
    assert spec.pii_features == ["email"]
    assert spec.restricted is True
    assert spec.allow_replacement is False


def test_group_without_pii_and_below_restricted_is_standard():
    spec = parse(features=GOOD["features"][:2])
    assert spec.restricted is False


@pytest.mark.parametrize(("changes", "expected"), [
    ({"recordIdentifier": "id"},
     f"{SOURCE}: recordIdentifier = 'id': is not one of the features (customer_id, event_time, email)"),
    ({"eventTime": "ts"}, f"{SOURCE}: eventTime = 'ts': is not one of the features"),
    ({"features": features({"name": "email", "type": "String"})}, f"{SOURCE}: features: duplicate names: email"),
    ({"features": features({"name": "age", "type": "Float"})},
     f"{SOURCE}: features.3.type = 'Float': Input should be 'Integral', 'Fractional' or 'String'"),
    ({"online": {}}, f"{SOURCE}: online.ttl is required: PII features (email) must expire from the online store"),
    ({"classification": "internal"},
     f"{SOURCE}: classification = 'internal': PII features (email) need confidential or restricted"),
    ({"features": features({"name": "write_time", "type": "String"})},
     f"{SOURCE}: features.3.name = 'write_time': is reserved by SageMaker"),
    ({"features": features({"name": "bad name", "type": "String"})},
     f"{SOURCE}: features.3.name = 'bad name': String should match pattern"),
    ({"features": features({"name": "tags", "type": "String", "collection": "List"})},
     f"{SOURCE}: online.storageType: collection features (tags) need InMemory"),
    ({"features": features({"name": "emb", "type": "Fractional", "collection": "Vector"}),
      "online": {"storageType": "InMemory", "ttl": {"value": 1}}},
     f"{SOURCE}: features.3: feature 'emb': a Vector needs a dimension (1-8192)"),
    ({"features": features({"name": "emb", "type": "String", "collection": "Vector", "dimension": 8}),
      "online": {"storageType": "InMemory", "ttl": {"value": 1}}},
     "feature 'emb': a Vector holds Fractional values, not String"),
    ({"features": features({"name": "n", "type": "Integral", "dimension": 8})},
     "feature 'n': dimension is only valid for collection: Vector"),
    ({"features": [{"name": "customer_id", "type": "String"}, {"name": "event_time", "type": "Integral"}]},
     f"{SOURCE}: eventTime = 'event_time': must be a String (ISO-8601) or Fractional (Unix seconds) feature"),
    ({"online": None, "offline": {"enabled": False}},
     f"{SOURCE}: online, offline: enable the online store, the offline store or both"),
    ({"online": {"storageType": "InMemory", "ttl": {"value": 1}}},
     f"{SOURCE}: offline: SageMaker does not replicate an InMemory online store to an offline store; "
     "set offline: null (or enabled: false), or use online.storageType: Standard"),
    ({"online": {"storageType": "Fast", "ttl": {"value": 1}}},
     f"{SOURCE}: online.storageType = 'Fast': Input should be 'Standard' or 'InMemory'"),
    ({"online": {"ttl": {"value": 0}}}, f"{SOURCE}: online.ttl.value = 0: Input should be greater than or equal to 1"),
    ({"offline": {"tableFormat": "Parquet"}}, f"{SOURCE}: offline.tableFormat = 'Parquet': Input should be 'Glue' or 'Iceberg'"),
    ({"features": []}, f"{SOURCE}: features = []: List should have at least 1 item"),
    ({"allowReplacment": True}, f"{SOURCE}: allowReplacment is not a known field"),
])
def test_bad_definitions_name_the_file_and_field(changes, expected):
    with pytest.raises(FeatureSpecError) as info:
        parse(**changes)
    assert expected in str(info.value)


def test_missing_record_identifier_field_is_required():
    data = {k: v for k, v in GOOD.items() if k != "recordIdentifier"}
    with pytest.raises(FeatureSpecError, match=f"^{SOURCE}: recordIdentifier is required$"):
        parse_spec(yaml.safe_dump(data), SOURCE)


def test_in_memory_group_without_an_offline_store_is_valid():
    spec = parse(online={"storageType": "InMemory", "ttl": {"value": 1}}, offline=None)
    assert spec.online.storage_type == "InMemory" and not spec.offline_enabled


def test_two_vectors_are_refused():
    vectors = [{"name": f"v{i}", "type": "Fractional", "collection": "Vector", "dimension": 4} for i in range(2)]
    with pytest.raises(FeatureSpecError, match="at most one Vector feature per group"):
        parse(features=features(*vectors), online={"storageType": "InMemory", "ttl": {"value": 1}})


def test_yaml_that_is_not_a_mapping_is_refused():
    with pytest.raises(FeatureSpecError, match=f"^{SOURCE}: must be a mapping"):
        parse_spec("- a\n- b\n", SOURCE)
    with pytest.raises(FeatureSpecError, match=f"^{SOURCE}: not valid YAML"):
        parse_spec("name: [unclosed\n", SOURCE)


def write(directory: Path, name: str, **changes) -> None:
    (directory / f"{name}.yaml").write_text(yaml.safe_dump({**GOOD, "name": name, **changes}))


def test_load_specs_selects_by_name_and_sorts(tmp_path):
    for name in ("b-group", "a-group", "c-group"):
        write(tmp_path, name)
    assert [s.name for s in load_specs(tmp_path)] == ["a-group", "b-group", "c-group"]
    assert [s.name for s in load_specs(tmp_path, ["c-group", "a-group"])] == ["a-group", "c-group"]


def test_unknown_group_names_the_directory_and_what_exists(tmp_path):
    write(tmp_path, "a-group")
    with pytest.raises(FeatureSpecError, match=r"feature groups 'missing' have no spec in .*; available: a-group"):
        load_specs(tmp_path, ["missing"])


def test_file_must_be_named_after_its_group(tmp_path):
    (tmp_path / "wrong.yaml").write_text(yaml.safe_dump(GOOD))
    with pytest.raises(FeatureSpecError, match=r"wrong.yaml: name = 'customers': must match the file name \('wrong'\)"):
        load_specs(tmp_path)


def test_errors_show_paths_relative_to_the_repository():
    with pytest.raises(FeatureSpecError, match="^feature groups 'nope' have no spec in stacks/feature_groups;"):
        load_specs(REPO / "stacks" / "feature_groups", ["nope"], display_root=REPO)


def test_committed_specs_are_valid():
    specs = load_specs(REPO / "stacks" / "feature_groups")
    assert {s.name for s in specs} >= {"customer-profile", "transaction-aggregates"}
    profile = next(s for s in specs if s.name == "customer-profile")
    assert profile.restricted and profile.online.ttl is not None
