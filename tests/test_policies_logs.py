"""Log group rules: KMS encryption and minimum retention, from a compliant log group."""

from __future__ import annotations

from policies.rules import logs
from policy_helpers import UNKNOWN, resource_args, violations

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc"


def group(**changes) -> dict:
    return {"name": "/mlinfra/app", "kmsKeyId": KEY_ARN, "retentionInDays": 365.0, **changes}


def test_compliant_log_group_passes():
    args = resource_args(LOG_GROUP, group())
    assert violations(logs.log_group_kms_encryption, args) == []
    assert violations(logs.log_group_retention, args) == []


def test_missing_kms_key_fails():
    args = resource_args(LOG_GROUP, {k: v for k, v in group().items() if k != "kmsKeyId"})
    assert violations(logs.log_group_kms_encryption, args) == [
        "The log group is not encrypted with a KMS key (kmsKeyId is not set)."]


def test_unknown_kms_key_is_not_judged():
    assert violations(logs.log_group_kms_encryption, resource_args(LOG_GROUP, group(kmsKeyId=UNKNOWN))) == []


def test_retention_below_default_minimum_fails():
    assert violations(logs.log_group_retention, resource_args(LOG_GROUP, group(retentionInDays=30.0))) == [
        "retentionInDays is 30; at least 365 days are required."]


def test_retention_minimum_comes_from_config_as_the_cli_sends_it():
    args = resource_args(LOG_GROUP, group(retentionInDays=30.0), config={"minRetentionDays": 30.0})
    assert violations(logs.log_group_retention, args) == []
    args = resource_args(LOG_GROUP, group(retentionInDays=14.0), config={"minRetentionDays": 30.0})
    assert violations(logs.log_group_retention, args) == ["retentionInDays is 14; at least 30 days are required."]


def test_never_expiring_log_group_fails():
    for props in (group(retentionInDays=0.0), {k: v for k, v in group().items() if k != "retentionInDays"}):
        assert violations(logs.log_group_retention, resource_args(LOG_GROUP, props)) == [
            "retentionInDays is not set: logs would be kept forever. Set at least 365 days."]


def test_other_types_are_ignored():
    assert violations(logs.log_group_kms_encryption, resource_args("aws:s3/bucket:Bucket", {})) == []
