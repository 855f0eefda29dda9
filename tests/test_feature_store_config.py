"""The featureStore section: errors carry the stack file and the key."""

import json

import pytest

from mlinfra.config import platform_config_from
from mlinfra.errors import ConfigError

BASE = {
    "aws:region": "us-east-1",
    "mlinfra:tier": "dev",
    "mlinfra:tags": json.dumps({"owner": "ml-platform", "costCenter": "cc-1"}),
}


def load(section):
    return platform_config_from({**BASE, "mlinfra:featureStore": json.dumps(section)}, environment="dev",
                                source="stacks/Pulumi.dev.yaml")


def test_section_is_optional_and_defaults_to_every_spec():
    assert platform_config_from(BASE, environment="dev", source="x").feature_store is None
    section = load({}).feature_store
    assert section.groups is None
    assert section.athena_workgroup == "primary"
    assert section.noncurrent_version_days is None


def test_groups_and_workgroup_are_read():
    section = load({"groups": ["customer-profile"], "athenaWorkgroup": "ml-training"}).feature_store
    assert section.groups == ["customer-profile"]
    assert section.athena_workgroup == "ml-training"


@pytest.mark.parametrize(("section", "expected"), [
    ({"groups": []}, "mlinfra:featureStore.groups = []: list at least one spec name, or leave groups out"),
    ({"groups": ["a b"]}, "mlinfra:featureStore.groups = ['a b']: 'a b': spec names are letters, digits"),
    ({"groups": ["a", "a"]}, "mlinfra:featureStore.groups = ['a', 'a']: listed more than once: a"),
    ({"athenaWorkgroup": "no spaces"}, "mlinfra:featureStore.athenaWorkgroup = 'no spaces': String should match"),
    ({"noncurrentVersionDays": 0}, "mlinfra:featureStore.noncurrentVersionDays = 0: Input should be greater than"),
    ({"group": ["a"]}, "mlinfra:featureStore.group is not a known setting"),
])
def test_bad_values_name_file_and_key(section, expected):
    with pytest.raises(ConfigError) as info:
        load(section)
    assert str(info.value).startswith("stacks/Pulumi.dev.yaml: ")
    assert expected in str(info.value)
