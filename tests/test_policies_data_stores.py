"""Data-store rules over the table: each from a compliant store, one field changed to make it fail."""

from __future__ import annotations

import pytest

from policies.rules.data_stores import (
    data_store_backups,
    data_store_customer_managed_key,
    data_store_deletion_protection,
    data_store_encrypted_at_rest,
    data_store_logging,
    data_store_not_public,
    data_store_tls_in_transit,
    stateful_resource_protected,
)
from policy_helpers import UNKNOWN, changed, resource_args, violations

KEY = "arn:aws:kms:us-east-1:123456789012:key/abc"
RDS = "aws:rds/instance:Instance"
DYNAMO = "aws:dynamodb/table:Table"
OPENSEARCH = "aws:opensearch/domain:Domain"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
MSK = "aws:msk/cluster:Cluster"
GLUE_SC = "aws:glue/securityConfiguration:SecurityConfiguration"
ATHENA = "aws:athena/workgroup:Workgroup"
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"

COMPLIANT = {
    RDS: {"storageEncrypted": True, "kmsKeyId": KEY, "publiclyAccessible": False, "deletionProtection": True,
          "backupRetentionPeriod": 14.0},
    DYNAMO: {"serverSideEncryption": {"enabled": True, "kmsKeyArn": KEY}, "deletionProtectionEnabled": True,
             "pointInTimeRecovery": {"enabled": True}},
    OPENSEARCH: {"encryptAtRest": {"enabled": True, "kmsKeyId": KEY}, "nodeToNodeEncryption": {"enabled": True},
                 "domainEndpointOptions": {"enforceHttps": True, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
                 "vpcOptions": {"subnetIds": ["subnet-1"]}},
    REDIS: {"atRestEncryptionEnabled": True, "kmsKeyId": KEY, "transitEncryptionEnabled": True,
            "snapshotRetentionLimit": 7},
    MSK: {"encryptionInfo": {"encryptionAtRestKmsKeyArn": KEY,
                             "encryptionInTransit": {"clientBroker": "TLS", "inCluster": True}}},
    GLUE_SC: {"encryptionConfiguration": {
        "s3Encryption": {"s3EncryptionMode": "SSE-KMS", "kmsKeyArn": KEY},
        "cloudwatchEncryption": {"cloudwatchEncryptionMode": "SSE-KMS", "kmsKeyArn": KEY},
        "jobBookmarksEncryption": {"jobBookmarksEncryptionMode": "CSE-KMS", "kmsKeyArn": KEY}}},
    ATHENA: {"configuration": {"resultConfiguration": {"encryptionConfiguration": {
        "encryptionOption": "SSE_KMS", "kmsKeyArn": KEY}}}},
    FIREHOSE: {"serverSideEncryption": {"enabled": True, "keyType": "CUSTOMER_MANAGED_CMK", "keyArn": KEY}},
}
RULES = [data_store_encrypted_at_rest, data_store_customer_managed_key, data_store_not_public,
         data_store_tls_in_transit, data_store_deletion_protection, data_store_backups]


def found(policy, type_, props, config=None, **kwargs):
    return violations(policy, resource_args(type_, props, config, name="db", **kwargs))


@pytest.mark.parametrize("type_", sorted(COMPLIANT))
@pytest.mark.parametrize("policy", RULES, ids=lambda p: p.name)
def test_compliant_stores_pass_every_rule(type_, policy):
    assert found(policy, type_, COMPLIANT[type_]) == []


@pytest.mark.parametrize("policy, type_, path, value, message", [
    (data_store_encrypted_at_rest, RDS, ("storageEncrypted",), False,
     "RDS DB instance 'db' (aws:rds/instance:Instance) is not encrypted at rest: storageEncrypted is false, "
     "expected true"),
    (data_store_encrypted_at_rest, RDS, ("storageEncrypted",), KeyError,
     "RDS DB instance 'db' (aws:rds/instance:Instance) is not encrypted at rest: storageEncrypted is not set "
     "(defaults to false), expected true"),
    (data_store_encrypted_at_rest, OPENSEARCH, ("encryptAtRest", "enabled"), "false",
     "OpenSearch domain 'db' (aws:opensearch/domain:Domain) is not encrypted at rest: encryptAtRest.enabled is "
     "false, expected true"),
    (data_store_encrypted_at_rest, GLUE_SC, ("encryptionConfiguration", "jobBookmarksEncryption",
                                             "jobBookmarksEncryptionMode"), "DISABLED",
     "Glue security configuration 'db' (aws:glue/securityConfiguration:SecurityConfiguration) is not encrypted at "
     "rest: encryptionConfiguration.jobBookmarksEncryption.jobBookmarksEncryptionMode is DISABLED, expected CSE-KMS"),
    (data_store_customer_managed_key, RDS, ("kmsKeyId",), KeyError,
     "RDS DB instance 'db' (aws:rds/instance:Instance) is not encrypted with a customer-managed key: kmsKeyId is "
     "not set (an AWS-managed or AWS-owned key)"),
    (data_store_customer_managed_key, RDS, ("kmsKeyId",), "alias/aws/rds",
     "RDS DB instance 'db' (aws:rds/instance:Instance) is not encrypted with a customer-managed key: kmsKeyId is "
     "the AWS-managed key alias/aws/rds"),
    (data_store_customer_managed_key, DYNAMO, ("serverSideEncryption", "enabled"), False,
     "DynamoDB table 'db' (aws:dynamodb/table:Table) is not encrypted with a customer-managed key: "
     "serverSideEncryption.enabled is false, expected true"),
    (data_store_customer_managed_key, ATHENA, ("configuration", "resultConfiguration", "encryptionConfiguration",
                                               "encryptionOption"), "SSE_S3",
     "Athena workgroup 'db' (aws:athena/workgroup:Workgroup) is not encrypted with a customer-managed key: "
     "configuration.resultConfiguration.encryptionConfiguration.encryptionOption is SSE_S3, expected SSE_KMS or "
     "CSE_KMS"),
    (data_store_customer_managed_key, FIREHOSE, ("serverSideEncryption", "keyType"), "AWS_OWNED_CMK",
     "Kinesis Data Firehose stream 'db' (aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream) is not "
     "encrypted with a customer-managed key: serverSideEncryption.keyType is AWS_OWNED_CMK, expected "
     "CUSTOMER_MANAGED_CMK"),
    (data_store_not_public, RDS, ("publiclyAccessible",), True,
     "RDS DB instance 'db' (aws:rds/instance:Instance) is publicly accessible: publiclyAccessible is true, expected "
     "false: the instance gets a public DNS name and address"),
    (data_store_not_public, OPENSEARCH, ("vpcOptions",), KeyError,
     "OpenSearch domain 'db' (aws:opensearch/domain:Domain) is publicly accessible: vpcOptions.subnetIds is not "
     "set, expected set: the domain has a public endpoint (no vpcOptions)"),
    (data_store_tls_in_transit, REDIS, ("transitEncryptionEnabled",), KeyError,
     "ElastiCache replication group 'db' (aws:elasticache/replicationGroup:ReplicationGroup) does not require TLS "
     "in transit: transitEncryptionEnabled is not set (defaults to false), expected true"),
    (data_store_tls_in_transit, MSK, ("encryptionInfo", "encryptionInTransit", "clientBroker"), "TLS_PLAINTEXT",
     "MSK cluster 'db' (aws:msk/cluster:Cluster) does not require TLS in transit: "
     "encryptionInfo.encryptionInTransit.clientBroker is TLS_PLAINTEXT, expected TLS"),
    (data_store_tls_in_transit, OPENSEARCH, ("domainEndpointOptions", "tlsSecurityPolicy"),
     "Policy-Min-TLS-1-0-2019-07",
     "OpenSearch domain 'db' (aws:opensearch/domain:Domain) does not require TLS in transit: "
     "domainEndpointOptions.tlsSecurityPolicy is Policy-Min-TLS-1-0-2019-07, expected not "
     "Policy-Min-TLS-1-0-2019-07: TLS 1.0 and 1.1 are allowed"),
    (data_store_deletion_protection, DYNAMO, ("deletionProtectionEnabled",), False,
     "DynamoDB table 'db' (aws:dynamodb/table:Table) has no deletion protection: deletionProtectionEnabled is "
     "false, expected true"),
    (data_store_backups, RDS, ("backupRetentionPeriod",), 1.0,
     "RDS DB instance 'db' (aws:rds/instance:Instance) has too few automated backups: backupRetentionPeriod is 1, "
     "expected at least 7 days"),
    (data_store_backups, DYNAMO, ("pointInTimeRecovery", "enabled"), False,
     "DynamoDB table 'db' (aws:dynamodb/table:Table) has too few automated backups: pointInTimeRecovery.enabled is "
     "false, expected true: no point-in-time recovery"),
])
def test_one_field_changed_fails(policy, type_, path, value, message):
    assert found(policy, type_, changed(COMPLIANT[type_], path, value)) == [message]


def test_unknown_values_are_not_judged():
    for policy in RULES:
        assert found(policy, RDS, {key: UNKNOWN for key in COMPLIANT[RDS]}) == []
    assert found(data_store_not_public, OPENSEARCH, {"vpcOptions": UNKNOWN}) == []


def test_defaults_and_lists():
    # A valkey replication group is encrypted at rest by default; redis is not.
    assert found(data_store_encrypted_at_rest, REDIS, {"engine": "valkey"}) == []
    assert len(found(data_store_encrypted_at_rest, REDIS, {"engine": "redis"})) == 1
    # A block written as a one-element list reads like the object.
    assert found(data_store_encrypted_at_rest, OPENSEARCH, {"encryptAtRest": [{"enabled": True}]}) == []
    # A Firehose stream reading from Kinesis is encrypted by its source stream.
    assert found(data_store_encrypted_at_rest, FIREHOSE, {"kinesisSourceConfiguration": {"kinesisStreamArn": "a"}}) == []


def test_configuration_relaxes_the_prod_only_controls():
    bare = {"storageEncrypted": True, "kmsKeyId": KEY}
    assert len(found(data_store_deletion_protection, RDS, bare)) == 1
    assert found(data_store_deletion_protection, RDS, bare, {"requireDeletionProtection": False}) == []
    assert found(data_store_backups, RDS, bare, {"requireBackups": False}) == []
    assert found(data_store_backups, RDS, {"backupRetentionPeriod": 3.0}, {"minBackupRetentionDays": 3}) == []
    assert found(data_store_customer_managed_key, RDS, {"kmsKeyId": "alias/aws/rds"},
                 {"requireCustomerManagedKey": False}) == []


@pytest.mark.parametrize("type_", ["aws:s3/bucket:Bucket", "aws:kms/key:Key", RDS,
                                   "aws:sagemaker/featureGroup:FeatureGroup",
                                   "aws:sagemaker/modelPackageGroup:ModelPackageGroup"])
def test_stateful_resources_are_protected(type_):
    assert found(stateful_resource_protected, type_, {}, protect=True) == []
    [message] = found(stateful_resource_protected, type_, {}, protect=False)
    assert "is not protected" in message and type_ in message
    assert found(stateful_resource_protected, type_, {}, {"requireProtect": False}, protect=False) == []


def test_messaging_and_settings_need_no_protection():
    for type_ in ("aws:sns/topic:Topic", "aws:sqs/queue:Queue", "aws:cloudtrail/trail:Trail"):
        assert found(stateful_resource_protected, type_, {}, protect=False) == []


def test_logging():
    assert found(data_store_logging, RDS, {"enabledCloudwatchLogsExports": ["postgresql"]}) == []
    assert found(data_store_logging, RDS, {"enabledCloudwatchLogsExports": []}) == [
        "RDS DB instance 'db' (aws:rds/instance:Instance) publishes no logs: enabledCloudwatchLogsExports is empty, "
        "expected set: no logs are published"]
    assert len(found(data_store_logging, MSK, COMPLIANT[MSK])) == 1
    assert found(data_store_logging, MSK, {"loggingInfo": {"brokerLogs": {"cloudwatchLogs": {"enabled": True}}}}) == []
    # Every destination off publishes nothing, as no brokerLogs block does; one of three on is enough.
    off = {"cloudwatchLogs": {"enabled": False, "logGroup": "msk"}, "firehose": {"enabled": False},
           "s3": {"enabled": False, "bucket": "logs"}}
    assert found(data_store_logging, MSK, {"loggingInfo": {"brokerLogs": off}}) == [
        "MSK cluster 'db' (aws:msk/cluster:Cluster) publishes no logs: loggingInfo.brokerLogs.*.enabled is "
        "[false, false, false], expected to include true: no broker logs are published"]
    assert found(data_store_logging, MSK, {"loggingInfo": {"brokerLogs": {**off, "s3": {"enabled": True}}}}) == []
    assert found(data_store_logging, MSK, {"loggingInfo": {"brokerLogs": {**off, "firehose": {"enabled": UNKNOWN}}}}) == []
    assert found(data_store_logging, "aws-native:msk:Cluster",
                 {"loggingInfo": {"brokerLogs": {"cloudWatchLogs": {"enabled": False}}}}) != []
    assert found(data_store_logging, "aws:neptune/cluster:Cluster", {"enableCloudwatchLogsExports": UNKNOWN}) == []


def test_mwaa_logs_each_airflow_component():
    mwaa = "aws:mwaa/environment:Environment"
    every = {module: {"enabled": True, "logLevel": "INFO"} for module in (
        "taskLogs", "schedulerLogs", "webserverLogs", "workerLogs")}
    assert found(data_store_logging, mwaa, {"loggingConfiguration": every}) == []
    # A block that is written but turns the components off publishes no scheduler, web server or worker logs.
    [message] = found(data_store_logging, mwaa, {"loggingConfiguration": {
        "taskLogs": {"enabled": True}, "schedulerLogs": {"enabled": False}, "webserverLogs": {"enabled": False}}})
    assert "loggingConfiguration.schedulerLogs.enabled is false, expected true" in message
    assert "loggingConfiguration.webserverLogs.enabled is false" in message
    assert "loggingConfiguration.workerLogs.enabled is not set (defaults to false)" in message
    assert "taskLogs" not in message
    # Task logs are on unless turned off (pulumi-aws: "Enabled by default with `INFO` log level").
    [message] = found(data_store_logging, mwaa, {"loggingConfiguration": {**every, "taskLogs": {"enabled": False}}})
    assert "loggingConfiguration.taskLogs.enabled is false, expected true: no Airflow task logs" in message
    assert found(data_store_logging, mwaa, {"loggingConfiguration": {**every, "taskLogs": {"logLevel": "INFO"}}}) == []
    assert len(found(data_store_logging, mwaa, {})) == 1
    assert found(data_store_logging, mwaa, {"loggingConfiguration": {
        **every, "workerLogs": {"enabled": UNKNOWN}}}) == []
    assert found(data_store_logging, mwaa, {"loggingConfiguration": UNKNOWN}) == []


def test_a_memcached_cluster_takes_tls_on_itself():
    cluster = "aws:elasticache/cluster:Cluster"
    memcached = {"engine": "memcached", "engineVersion": "1.6.22", "nodeType": "cache.t4g.small", "numCacheNodes": 2}
    [message] = found(data_store_tls_in_transit, cluster, memcached)
    assert "transitEncryptionEnabled is not set (defaults to false)" in message
    assert found(data_store_tls_in_transit, cluster, {**memcached, "transitEncryptionEnabled": True}) == []
    assert found(data_store_tls_in_transit, cluster, {**memcached, "transitEncryptionEnabled": UNKNOWN}) == []
    # A Redis node's TLS is its replication group's, and a member names no engine of its own.
    assert found(data_store_tls_in_transit, cluster, {"engine": "redis", "nodeType": "cache.t4g.small"}) == []
    assert found(data_store_tls_in_transit, cluster, {"replicationGroupId": "sessions"}) == []
