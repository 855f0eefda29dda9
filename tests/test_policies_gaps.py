"""The second round of Checkov gaps: data-store rows for images, pipelines and integrations (keys), IAM
database authentication, Performance Insights keys, MySQL audit logs, ElastiCache cluster backups; and
the rules that followed them. Each: a compliant example, one field changed, unknown values."""

from __future__ import annotations

import pytest

from policies.rules.data_stores import (
    data_store_backups,
    data_store_customer_managed_key,
    data_store_encrypted_at_rest,
    data_store_iam_authentication,
    data_store_logging,
)
from foreign import KEY
from policy_helpers import UNKNOWN, resource_args, violations


def found(policy, type_, props, config=None):
    return violations(policy, resource_args(type_, props, config, name="subject"))


AWS_KEY = "alias/aws/s3"

# (type, compliant props, props with the key left out or AWS-managed, a phrase of the violation)
KEYED = [
    ("aws:athena/database:Database",
     {"bucket": "results", "encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKey": KEY}},
     {"bucket": "results", "encryptionConfiguration": {"encryptionOption": "SSE_S3"}},
     "encryptionConfiguration.encryptionOption is SSE_S3, expected SSE_KMS or CSE_KMS"),
    ("aws:imagebuilder/component:Component", {"platform": "Linux", "kmsKeyId": KEY}, {"platform": "Linux"},
     "kmsKeyId is not set"),
    ("aws:imagebuilder/distributionConfiguration:DistributionConfiguration",
     {"distributions": [{"region": "us-east-1", "amiDistributionConfiguration": {"kmsKeyId": KEY}},
                        {"region": "eu-west-1", "containerDistributionConfiguration": {"targetRepository": {}}}]},
     {"distributions": [{"region": "us-east-1", "amiDistributionConfiguration": {"name": "base-{{ imagebuilder:buildDate }}"}}]},
     "distributions[0].amiDistributionConfiguration.kmsKeyId is not set"),
    ("aws:imagebuilder/imageRecipe:ImageRecipe",
     {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY}},
                              {"deviceName": "/dev/sdb", "virtualName": "ephemeral0"}]},
     {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": AWS_KEY}}]},
     "blockDeviceMappings[0].ebs.kmsKeyId is the AWS-managed key"),
    ("aws:codepipeline/pipeline:Pipeline",
     {"artifactStores": [{"location": "artifacts", "type": "S3", "encryptionKey": {"id": KEY, "type": "KMS"}}]},
     {"artifactStores": [{"location": "artifacts", "type": "S3"}]},
     "artifactStores[0].encryptionKey is not set, expected set: artifacts are encrypted with the AWS-managed"),
    ("aws:appflow/flow:Flow", {"kmsArn": KEY}, {"name": "flow"}, "kmsArn is not set"),
    ("aws:appflow/connectorProfile:ConnectorProfile", {"kmsArn": KEY}, {"connectorType": "Salesforce"},
     "kmsArn is not set"),
    ("aws:connect/instanceStorageConfig:InstanceStorageConfig",
     {"resourceType": "CALL_RECORDINGS", "storageConfig": {"storageType": "S3", "s3Config": {
         "bucketName": "calls", "bucketPrefix": "r", "encryptionConfig": {"encryptionType": "KMS", "keyId": KEY}}}},
     {"resourceType": "CALL_RECORDINGS", "storageConfig": {"storageType": "S3", "s3Config": {
         "bucketName": "calls", "bucketPrefix": "r"}}},
     "storageConfig.s3Config.encryptionConfig.keyId is not set"),
    ("aws:memorydb/snapshot:Snapshot", {"clusterName": "c", "kmsKeyArn": KEY}, {"clusterName": "c"},
     "kmsKeyArn is not set"),
    ("aws:dms/endpoint:Endpoint", {"engineName": "postgres", "kmsKeyArn": KEY}, {"engineName": "postgres"},
     "kmsKeyArn is not set"),
    ("aws:dms/s3Endpoint:S3Endpoint",
     {"endpointType": "target", "encryptionMode": "SSE_KMS", "serverSideEncryptionKmsKeyId": KEY},
     {"endpointType": "target", "encryptionMode": "SSE_KMS"},
     "serverSideEncryptionKmsKeyId is not set"),
    ("aws:rds/clusterActivityStream:ClusterActivityStream", {"mode": "async", "kmsKeyId": KEY},
     {"mode": "async", "kmsKeyId": "alias/aws/rds"}, "kmsKeyId is the AWS-managed key alias/aws/rds"),
    ("aws:codegurureviewer/repositoryAssociation:RepositoryAssociation",
     {"kmsKeyDetails": {"encryptionOption": "CUSTOMER_MANAGED_CMK", "kmsKeyId": KEY}}, {"repository": {}},
     "kmsKeyDetails.encryptionOption is not set (defaults to AWS_OWNED_CMK)"),
    ("aws:dlm/lifecyclePolicy:LifecyclePolicy",
     {"policyDetails": {"schedules": [{"name": "daily", "crossRegionCopyRules": [
         {"target": "eu-west-1", "encrypted": True, "cmkArn": KEY}]}]}},
     {"policyDetails": {"schedules": [{"name": "daily", "crossRegionCopyRules": [
         {"target": "eu-west-1", "encrypted": True}]}]}},
     "policyDetails.schedules[0].crossRegionCopyRules[0].cmkArn is not set"),
    ("aws:rds/instance:Instance",
     {**{"kmsKeyId": KEY}, "performanceInsightsEnabled": True, "performanceInsightsKmsKeyId": KEY},
     {"kmsKeyId": KEY, "performanceInsightsEnabled": True}, "performanceInsightsKmsKeyId is not set"),
    ("aws:rds/clusterInstance:ClusterInstance",
     {"performanceInsightsEnabled": True, "performanceInsightsKmsKeyId": KEY},
     {"performanceInsightsEnabled": True, "performanceInsightsKmsKeyId": "alias/aws/rds"},
     "performanceInsightsKmsKeyId is the AWS-managed key"),
]


@pytest.mark.parametrize("type_, good, bad, phrase", KEYED, ids=lambda v: v if isinstance(v, str) and ":" in v else "")
def test_keys_of_images_pipelines_and_integrations(type_, good, bad, phrase):
    assert found(data_store_customer_managed_key, type_, good) == []
    messages = found(data_store_customer_managed_key, type_, bad)
    assert any(phrase in message for message in messages), messages
    assert found(data_store_customer_managed_key, type_, bad, {"requireCustomerManagedKey": False}) == []


def test_each_item_of_a_block_and_unknowns():
    recipe = "aws:imagebuilder/imageRecipe:ImageRecipe"
    two = {"blockDeviceMappings": [{"ebs": {"encrypted": "true", "kmsKeyId": KEY}}, {"ebs": {"volumeSize": 100}}]}
    messages = found(data_store_customer_managed_key, recipe, two)
    assert messages == [f"Image Builder image recipe 'subject' ({recipe}) is not encrypted with a customer-managed "
                        "key: blockDeviceMappings[1].ebs.kmsKeyId is not set (an AWS-managed or AWS-owned key)"]
    [message] = found(data_store_encrypted_at_rest, recipe, two)
    assert "blockDeviceMappings[1].ebs.encrypted is not set, expected true" in message
    # A mapping without ebs (an instance-store or removed device) has nothing to encrypt.
    assert found(data_store_encrypted_at_rest, recipe, {"blockDeviceMappings": [{"noDevice": True}]}) == []
    assert found(data_store_customer_managed_key, recipe, {"blockDeviceMappings": UNKNOWN}) == []
    assert found(data_store_customer_managed_key, recipe, {"blockDeviceMappings": [{"ebs": {"kmsKeyId": UNKNOWN}}]}) == []
    distribution = "aws:imagebuilder/distributionConfiguration:DistributionConfiguration"
    containers = {"distributions": [{"region": "us-east-1", "containerDistributionConfiguration": {"targetRepository": {
        "repositoryName": "app", "service": "ECR"}}}]}
    assert found(data_store_customer_managed_key, distribution, containers) == []


def test_dlm_cross_region_copies_are_encrypted():
    policy = "aws:dlm/lifecyclePolicy:LifecyclePolicy"
    event = {"policyDetails": {"policyType": "EVENT_BASED_POLICY", "action": {"name": "copy", "crossRegionCopies": [
        {"target": "eu-west-1", "encryptionConfiguration": {"encrypted": True, "cmkArn": KEY}}]}}}
    assert found(data_store_encrypted_at_rest, policy, event) == []
    assert found(data_store_customer_managed_key, policy, event) == []
    plain = {"policyDetails": {"action": {"name": "copy", "crossRegionCopies": [
        {"target": "eu-west-1", "encryptionConfiguration": {}}]}}}
    [message] = found(data_store_encrypted_at_rest, policy, plain)
    assert "policyDetails.action.crossRegionCopies[0].encryptionConfiguration.encrypted is not set (defaults to false)" \
        in message
    schedule = {"policyDetails": {"schedules": [{"name": "d", "crossRegionCopyRules": [{"target": "eu-west-1",
                                                                                         "encrypted": False}]}]}}
    assert "crossRegionCopyRules[0].encrypted is false" in found(data_store_encrypted_at_rest, policy, schedule)[0]
    assert found(data_store_encrypted_at_rest, policy, {"policyDetails": {"schedules": [{"name": "d"}]}}) == []
    assert found(data_store_encrypted_at_rest, policy, {"policyDetails": {"schedules": [{"name": "d", "crossRegionCopyRules": [
        {"encrypted": UNKNOWN}]}]}}) == []


def test_athena_database_encryption():
    database = "aws:athena/database:Database"
    assert found(data_store_encrypted_at_rest, database, {"encryptionConfiguration": {"encryptionOption": "SSE_S3"}}) == []
    assert "encryptionConfiguration.encryptionOption is not set" in found(data_store_encrypted_at_rest, database,
                                                                           {"bucket": "results"})[0]
    assert found(data_store_encrypted_at_rest, database, {"encryptionConfiguration": UNKNOWN}) == []


def test_performance_insights_key_only_while_it_is_on():
    instance = "aws:rds/instance:Instance"
    assert found(data_store_customer_managed_key, instance, {"kmsKeyId": KEY}) == []
    assert found(data_store_customer_managed_key, instance, {"kmsKeyId": KEY, "performanceInsightsEnabled": False}) == []
    assert found(data_store_customer_managed_key, instance, {"kmsKeyId": KEY, "performanceInsightsEnabled": UNKNOWN}) == []


def test_dms_s3_source_endpoints_have_no_key():
    endpoint = "aws:dms/s3Endpoint:S3Endpoint"
    assert found(data_store_customer_managed_key, endpoint, {"endpointType": "source"}) == []
    [message] = found(data_store_customer_managed_key, endpoint, {"endpointType": "target"})
    assert "encryptionMode is not set (defaults to SSE_S3)" in message and "serverSideEncryptionKmsKeyId" in message


IAM_AUTH = [
    ("aws:rds/instance:Instance", {"engine": "postgres"}),
    ("aws:rds/instance:Instance", {"engine": "mysql"}),
    ("aws:rds/cluster:Cluster", {"engine": "aurora-postgresql"}),
    ("aws:neptune/cluster:Cluster", {"engine": "neptune"}),
]


@pytest.mark.parametrize("type_, props", IAM_AUTH)
def test_iam_database_authentication(type_, props):
    assert found(data_store_iam_authentication, type_, {**props, "iamDatabaseAuthenticationEnabled": True}) == []
    [message] = found(data_store_iam_authentication, type_, props)
    assert "does not allow IAM database authentication: iamDatabaseAuthenticationEnabled is not set" in message
    assert len(found(data_store_iam_authentication, type_, {**props, "iamDatabaseAuthenticationEnabled": False})) == 1
    assert found(data_store_iam_authentication, type_, {**props, "iamDatabaseAuthenticationEnabled": UNKNOWN}) == []
    assert found(data_store_iam_authentication, type_, props, {"requireIamAuthentication": False}) == []


def test_iam_authentication_only_for_engines_that_have_it():
    instance = "aws:rds/instance:Instance"
    for engine in ("sqlserver-se", "oracle-ee", "aurora-mysql", UNKNOWN):  # Aurora's is the cluster's
        assert found(data_store_iam_authentication, instance, {"engine": engine}) == []
    assert found(data_store_iam_authentication, instance, {"replicateSourceDb": "primary"}) == []


def test_mysql_clusters_export_the_audit_log():
    cluster = "aws:rds/cluster:Cluster"
    assert found(data_store_logging, cluster, {"engine": "aurora-mysql",
                                               "enabledCloudwatchLogsExports": ["audit", "error", "slowquery"]}) == []
    [message] = found(data_store_logging, cluster, {"engine": "aurora-mysql",
                                                    "enabledCloudwatchLogsExports": ["error", "slowquery"]})
    assert "enabledCloudwatchLogsExports is [error, slowquery], expected to include audit: no audit log" in message
    assert found(data_store_logging, cluster, {"engine": "aurora-postgresql",
                                               "enabledCloudwatchLogsExports": ["postgresql"]}) == []
    assert found(data_store_logging, cluster, {"engine": "mysql", "enabledCloudwatchLogsExports": UNKNOWN}) == []
    assert found(data_store_logging, cluster, {"engine": "mysql", "enabledCloudwatchLogsExports": [UNKNOWN]}) == []


def test_elasticache_cluster_backups():
    cluster = "aws:elasticache/cluster:Cluster"
    assert found(data_store_backups, cluster, {"engine": "redis", "snapshotRetentionLimit": 7}) == []
    [message] = found(data_store_backups, cluster, {"engine": "redis"})
    assert "snapshotRetentionLimit is not set (defaults to 0), expected at least 7 days" in message
    assert len(found(data_store_backups, cluster, {"engine": "valkey", "snapshotRetentionLimit": 0})) == 1
    assert found(data_store_backups, cluster, {"engine": "memcached"}) == []  # no snapshots
    assert found(data_store_backups, cluster, {"replicationGroupId": "group"}) == []  # the group's
    assert found(data_store_backups, cluster, {"engine": "redis", "snapshotRetentionLimit": UNKNOWN}) == []
    assert found(data_store_backups, cluster, {"engine": "redis"}, {"requireBackups": False}) == []
