"""DatasetStore under mocks: Object Lock at creation, default retention, no noncurrent expiry, the
producer role, the DVC remote output; the datasets configuration per tier and its bad inputs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import botocore
import pulumi_aws as aws
import pytest

from components.common import Classification
from components.datasets import (DATASET_TAG, PRODUCER_DENIED_ACTIONS, DatasetStore, DatasetStoreArgs,
                                 producer_policy)
from components.storage import AccessLogBucket, ObjectLockArgs
from mlinfra.config import platform_config_from
from mlinfra.errors import ConfigError

BUCKET = "aws:s3/bucket:Bucket"
LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
PRODUCER = "arn:aws:iam::123456789012:role/ml-data-pipeline"


def _build(run, **kw):
    def program():
        logs = AccessLogBucket("logs")
        DatasetStore("data", DatasetStoreArgs(kms_key=aws.kms.Key("data-key"), classification=Classification.RESTRICTED,
                                              access_log_bucket=logs.bucket, region="us-east-1", **kw))

    run(program)


def test_object_lock_is_enabled_at_creation_with_a_default_retention(monitor, run):
    _build(run, object_lock=ObjectLockArgs("GOVERNANCE", 30))
    bucket = monitor.named(BUCKET, "data")
    assert bucket.inputs["objectLockEnabled"] is True
    assert bucket.inputs["tags"][DATASET_TAG[0]] == DATASET_TAG[1]
    lock = monitor.named(LOCK, "data-object-lock")
    assert lock.inputs["bucket"] == bucket.id
    assert lock.inputs["objectLockEnabled"] == "Enabled"
    assert lock.inputs["rule"] == {"defaultRetention": {"mode": "GOVERNANCE", "days": 30}}
    assert monitor.named(VERSIONING, "data-versioning").urn in lock.dependencies


def test_noncurrent_versions_never_expire(monitor, run):
    _build(run)
    rules = monitor.named(LIFECYCLE, "data-lifecycle").inputs["rules"]
    assert [r["id"] for r in rules] == ["abort-incomplete-multipart-uploads"]
    assert not any("noncurrentVersionExpiration" in r for r in rules)


def test_the_producer_role_writes_and_reads_versions_but_never_deletes_or_bypasses(monitor, run):
    _build(run, producer_principals=[PRODUCER])
    role = monitor.named("aws:iam/role:Role", "data-producer")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust == [{"Sid": "DataProducersAssume", "Effect": "Allow", "Principal": {"AWS": [PRODUCER]},
                      "Action": "sts:AssumeRole"}]
    statements = json.loads(monitor.named("aws:iam/rolePolicy:RolePolicy", "data-producer-policy").inputs["policy"])[
        "Statement"]
    allowed = {a for s in statements if s["Effect"] == "Allow" for a in s["Action"]}
    assert {"s3:PutObject", "s3:GetObjectVersion", "s3:ListBucketVersions"} <= allowed
    assert not allowed & {"s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:DeleteObject", "s3:*"}
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert {"s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"} <= set(deny["Action"])


def test_no_producer_role_without_principals(monitor, run):
    _build(run)
    assert not any(r.name == "data-producer" for r in monitor.by_type("aws:iam/role:Role"))


def test_the_dvc_remote_output(monitor, run):
    _build(run, dvc_prefix="dvc")
    bucket = monitor.named(BUCKET, "data").outputs["bucket"]
    outputs = monitor.named("mlinfra:datasets:DatasetStore", "data").outputs
    assert outputs["dvcRemote"] == {"url": f"s3://{bucket}/dvc", "version_aware": True, "region": "us-east-1"}


def test_the_s3_model_knows_the_lock_shapes():
    model = json.loads(gzip.open(Path(botocore.__file__).parent / "data/s3/2006-03-01/service-2.json.gz").read())
    shapes = model["shapes"]
    assert set(shapes["ObjectLockRetentionMode"]["enum"]) == {"GOVERNANCE", "COMPLIANCE"}
    assert set(shapes["DefaultRetention"]["members"]) >= {"Mode", "Days", "Years"}
    assert shapes["CreateBucketRequest"]["members"]["ObjectLockEnabledForBucket"]["locationName"] == \
        "x-amz-bucket-object-lock-enabled"
    assert "s3:BypassGovernanceRetention" in PRODUCER_DENIED_ACTIONS
    assert producer_policy("arn:aws:s3:::b", "arn:aws:kms:us-east-1:1:key/k")["Statement"][0]["Resource"] == \
        "arn:aws:s3:::b/*"


def test_bad_component_inputs():
    with pytest.raises(ValueError, match="object lock mode 'LEGAL' is invalid"):
        ObjectLockArgs("LEGAL")
    with pytest.raises(ValueError, match="producer principal '\\*' is invalid"):
        DatasetStoreArgs(kms_key=None, classification=Classification.INTERNAL, access_log_bucket=None,
                         region="us-east-1", producer_principals=["*"])


def _config(tier: str, datasets: dict | None = None):
    config = {"mlinfra:tier": tier, "aws:region": "us-east-1",
              "mlinfra:tags": json.dumps({"owner": "ml-platform", "costCenter": "cc-1"})}
    if datasets is not None:
        config["mlinfra:datasets"] = json.dumps(datasets)
    return platform_config_from(config, environment=tier, source=f"stacks/Pulumi.{tier}.yaml")


@pytest.mark.parametrize("tier, days", [("dev", 1), ("staging", 30), ("prod", 90)])
def test_default_retention_per_tier_is_governance(tier, days):
    cfg = _config(tier)
    assert cfg.datasets.object_lock.to_args(cfg.tier) == ObjectLockArgs("GOVERNANCE", days)


def test_compliance_only_where_the_stack_file_asks_and_the_tier_allows():
    cfg = _config("prod", {"objectLock": {"mode": "COMPLIANCE", "retentionDays": 365}})
    assert cfg.datasets.object_lock.to_args(cfg.tier) == ObjectLockArgs("COMPLIANCE", 365)


@pytest.mark.parametrize("tier", ["dev", "staging"])
def test_compliance_is_refused_where_the_tier_does_not_allow_it(tier):
    with pytest.raises(ConfigError) as exc:
        _config(tier, {"objectLock": {"mode": "COMPLIANCE"}})
    assert str(exc.value) == (f"stacks/Pulumi.{tier}.yaml: mlinfra:datasets.objectLock.mode = 'COMPLIANCE': the "
                              f"{tier} tier allows GOVERNANCE only (compliance-mode retention cannot be shortened or "
                              "lifted, not even by the account root); use GOVERNANCE")


def test_object_lock_stays_on_outside_dev():
    assert _config("dev", {"objectLock": {"enabled": False}}).datasets.object_lock.to_args(_config("dev").tier) is None
    with pytest.raises(ConfigError, match="mlinfra:datasets.objectLock.enabled = False: dataset versions must be "
                                          "locked in a staging tier"):
        _config("staging", {"objectLock": {"enabled": False}})


def test_an_unknown_lock_mode_names_the_allowed_ones():
    with pytest.raises(ConfigError, match=r"mlinfra:datasets.objectLock.mode = 'LEGAL': Input should be "
                                          r"'GOVERNANCE' or 'COMPLIANCE'"):
        _config("dev", {"objectLock": {"mode": "LEGAL"}})


def test_the_stacks_lock_their_dataset_buckets_and_export_the_dvc_remote(stack_deployments):
    for env, days in (("dev", 1), ("staging", 30), ("prod", 90)):
        resources = stack_deployments[env]["deployment"]["resources"]
        (lock,) = [r for r in resources if r["type"] == LOCK]
        assert lock["inputs"]["rule"]["defaultRetention"] == {"days": days, "mode": "GOVERNANCE"}
        stack = next(r for r in resources if r["type"] == "pulumi:pulumi:Stack")
        remote = stack["outputs"]["datasetsDvcRemote"]
        assert remote["version_aware"] is True and remote["url"].startswith("s3://") and remote["region"] == "us-east-1"


def test_the_provider_takes_object_lock_at_bucket_creation_and_a_separate_configuration():
    import inspect

    assert "object_lock_enabled" in inspect.signature(aws.s3.BucketArgs.__init__).parameters
    from pulumi_aws.s3 import bucket_object_lock_configuration as resource

    # The resource's own args (the provider names them ...InitArgs; ...Args is the legacy inline block).
    lock = inspect.signature(resource.BucketObjectLockConfigurationInitArgs.__init__).parameters
    assert {"bucket", "object_lock_enabled", "rule"} <= set(lock)
    retention = inspect.signature(aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs.__init__).parameters
    assert {"mode", "days", "years"} <= set(retention)
