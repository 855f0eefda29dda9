"""PlatformConfig: tier defaults and the one-line-per-problem error messages."""

import json

import pytest

from mlinfra.config import platform_config_from
from mlinfra.errors import ConfigError

BASE = {
    "aws:region": "eu-west-1",
    "mlinfra:tier": "dev",
    "mlinfra:tags": json.dumps({"owner": "ml-platform", "costCenter": "cc-1"}),
}


def load(**overrides):
    return platform_config_from({**BASE, **overrides}, environment="dev", source="stacks/Pulumi.dev.yaml")


def test_dev_defaults_are_cheap():
    cfg = load()
    assert cfg.network.az_count == 2
    assert cfg.network.availability_zones == ["eu-west-1a", "eu-west-1b"]
    assert cfg.network.nat == "single"
    assert cfg.protect_stateful is False
    assert cfg.key_deletion_window_days == 7


def test_prod_defaults_are_resilient():
    cfg = load(**{"mlinfra:tier": "prod"})
    assert cfg.network.az_count == 3
    assert cfg.network.nat == "per-az"
    assert cfg.protect_stateful is True
    assert cfg.log_retention_days == 365
    assert cfg.key_deletion_window_days == 30


def test_explicit_values_override_tier():
    cfg = load(**{"mlinfra:tier": "prod", "mlinfra:logRetentionDays": "90",
                  "mlinfra:network": json.dumps({"nat": "single"})})
    assert cfg.log_retention_days == 90
    assert cfg.network.nat == "single"


def test_resource_tags_carry_owner_cost_center_environment():
    tags = load().resource_tags
    assert tags["owner"] == "ml-platform"
    assert tags["cost-center"] == "cc-1"
    assert tags["environment"] == "dev"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"mlinfra:network": json.dumps({"cidr": "10.0.0.0/33"})},
         "stacks/Pulumi.dev.yaml: mlinfra:network.cidr = '10.0.0.0/33': must be an IPv4 network"),
        ({"mlinfra:network": json.dumps({"cidr": "8.8.0.0/16"})},
         "mlinfra:network.cidr = '8.8.0.0/16': must lie in a private (RFC 1918) range: 10.0.0.0/8, "
         "172.16.0.0/12 or 192.168.0.0/16"),
        # Python's is_private admits these; AWS VPCs and RFC 1918 do not.
        ({"mlinfra:network": json.dumps({"cidr": "169.254.0.0/16"})},
         "mlinfra:network.cidr = '169.254.0.0/16': must lie in a private (RFC 1918) range"),
        ({"mlinfra:network": json.dumps({"cidr": "127.0.0.0/16"})},
         "mlinfra:network.cidr = '127.0.0.0/16': must lie in a private (RFC 1918) range"),
        ({"mlinfra:network": json.dumps({"cidr": "198.18.0.0/16"})},
         "mlinfra:network.cidr = '198.18.0.0/16': must lie in a private (RFC 1918) range"),
        ({"mlinfra:tier": "production"}, "mlinfra:tier = 'production': Input should be 'dev', 'staging' or 'prod'"),
        ({"aws:region": "mars-1"}, "aws:region = 'mars-1': must be an AWS region name"),
        ({"mlinfra:logRetentionDays": "45"}, "mlinfra:logRetentionDays = '45': must be one of CloudWatch's"),
        ({"mlinfra:netwrok": "{}"}, "mlinfra:netwrok is not a known setting"),
        ({"mlinfra:network": json.dumps({"availabilityZones": ["us-east-1a", "us-east-1b"]})},
         "stacks/Pulumi.dev.yaml: mlinfra:network.availabilityZones: 'us-east-1a' is not a zone of region eu-west-1"),
        ({"mlinfra:network": json.dumps({"azCount": 3, "availabilityZones": ["eu-west-1a", "eu-west-1b"]})},
         "stacks/Pulumi.dev.yaml: mlinfra:network.availabilityZones = ['eu-west-1a', 'eu-west-1b']: must list 3 "
         "distinct zones (mlinfra:network.azCount)"),
        ({"mlinfra:allowedRegions": json.dumps(["us-east-1"])},
         "stacks/Pulumi.dev.yaml: aws:region = 'eu-west-1': not one of mlinfra:allowedRegions (us-east-1)"),
    ],
)
def test_bad_values_name_file_key_value_and_what_is_allowed(overrides, expected):
    with pytest.raises(ConfigError) as info:
        load(**overrides)
    assert expected in str(info.value)
    assert str(info.value).startswith("stacks/Pulumi.dev.yaml: ")


def test_missing_tags_is_reported():
    config = {k: v for k, v in BASE.items() if k != "mlinfra:tags"}
    with pytest.raises(ConfigError, match="mlinfra:tags is required"):
        platform_config_from(config, environment="dev", source="stacks/Pulumi.dev.yaml")


def test_error_keys_are_stack_file_keys_even_for_snake_case_locations():
    from mlinfra.config.load import _key_name

    assert _key_name(("network", "az_count")) == "mlinfra:network.azCount"
    assert _key_name(("storage", "noncurrent_version_days")) == "mlinfra:storage.noncurrentVersionDays"
    assert _key_name(("region",)) == "aws:region"
    # map keys the user chose stay as written
    assert _key_name(("tags", "extra", "data_owner")) == "mlinfra:tags.extra.data_owner"
