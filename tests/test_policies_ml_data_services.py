"""The rows the ML and data services audit added to the data-store table (benchmarks/data/ml_data_input_audit.tsv):
each store from a compliant example, one field changed (or removed, to judge the provider's default) to break
exactly one control; an unknown value is not judged. Defaults and values cited in catalog/data_stores.py."""

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
from policies.rules.tags import data_store_classification
from policy_helpers import UNKNOWN, changed, resource_args, violations

KEY = "arn:aws:kms:us-east-1:123456789012:key/abc"
TABLE_BUCKET = "aws:s3tables/tableBucket:TableBucket"
TABLE = "aws:s3tables/table:Table"
INFLUX = "aws:timestreaminfluxdb/dbInstance:DbInstance"
INFLUX_CLUSTER = "aws:timestreaminfluxdb/dbCluster:DbCluster"
PIPELINE = "aws:opensearchingest/pipeline:Pipeline"
DATAZONE = "aws:datazone/domain:Domain"
MEMORYDB_MR = "aws:memorydb/multiRegionCluster:MultiRegionCluster"
CONNECTOR = "aws:mskconnect/connector:Connector"
QUICKSIGHT = "aws:quicksight/dataSource:DataSource"
OBJECT_STORAGE = "aws:datasync/locationObjectStorage:LocationObjectStorage"
COLLABORATION = "aws:cleanrooms/collaboration:Collaboration"
MEMBERSHIP = "aws:cleanrooms/membership:Membership"
NAMESPACE = "aws:redshiftserverless/namespace:Namespace"
EMR = "aws:emr/cluster:Cluster"
STUDIO = "aws:emr/studio:Studio"
JOB_TEMPLATE = "aws:emrcontainers/jobTemplate:JobTemplate"
FLINK = "aws:kinesisanalyticsv2/application:Application"
OS_APP = "aws:opensearch/application:Application"
SCHEDULED_QUERY = "aws:timestreamquery/scheduledQuery:ScheduledQuery"
KNOWLEDGE_BASE = "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase"
EFS_LOCATION = "aws:datasync/efsLocation:EfsLocation"
ATHENA = "aws:athena/workgroup:Workgroup"
CLASSIFIER = "aws:comprehend/documentClassifier:DocumentClassifier"

_INFLUX = {"name": "metrics", "dbInstanceType": "db.influx.medium", "publiclyAccessible": False,
           "vpcSubnetIds": ["subnet-1"], "vpcSecurityGroupIds": ["sg-1"],
           "logDeliveryConfiguration": {"s3Configuration": {"bucketName": "logs", "enabled": True}}}

COMPLIANT = {
    TABLE_BUCKET: {"name": "features", "encryptionConfiguration": {"sseAlgorithm": "aws:kms", "kmsKeyArn": KEY},
                   "forceDestroy": False},
    TABLE: {"name": "events", "namespace": "raw", "tableBucketArn": "arn:aws:s3tables:us-east-1:1:bucket/features",
            "format": "ICEBERG", "encryptionConfiguration": {"sseAlgorithm": "aws:kms", "kmsKeyArn": KEY}},
    INFLUX: _INFLUX,
    INFLUX_CLUSTER: dict(_INFLUX, dbInstanceType="db.influx.large"),
    PIPELINE: {"pipelineName": "ingest", "minUnits": 1, "maxUnits": 2, "pipelineConfigurationBody": "version: 2",
               "vpcOptions": {"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]},
               "bufferOptions": {"persistentBufferEnabled": True},
               "encryptionAtRestOptions": {"kmsKeyArn": KEY},
               "logPublishingOptions": {"isLoggingEnabled": True,
                                        "cloudwatchLogDestination": {"logGroup": "/aws/vendedlogs/ingest"}}},
    DATAZONE: {"name": "catalog", "domainExecutionRole": "arn:aws:iam::1:role/dz", "kmsKeyIdentifier": KEY},
    MEMORYDB_MR: {"multiRegionClusterNameSuffix": "features", "nodeType": "db.r7g.xlarge", "tlsEnabled": True},
    CONNECTOR: {"name": "sink", "kafkaClusterEncryptionInTransit": {"encryptionType": "TLS"},
                "kafkaClusterClientAuthentication": {"authenticationType": "IAM"}},
    QUICKSIGHT: {"dataSourceId": "warehouse", "name": "warehouse", "type": "POSTGRESQL",
                 "sslProperties": {"disableSsl": False}},
    OBJECT_STORAGE: {"serverHostname": "minio.internal", "bucketName": "datasets", "agentArns": ["arn:agent"],
                     "serverProtocol": "HTTPS"},
    COLLABORATION: {"name": "ads", "creatorDisplayName": "us", "creatorMemberAbilities": ["CAN_QUERY"],
                    "description": "-", "queryLogStatus": "ENABLED"},
    MEMBERSHIP: {"collaborationId": "c-1", "queryLogStatus": "ENABLED"},
    NAMESPACE: {"namespaceName": "analytics", "kmsKeyId": KEY, "logExports": ["userlog", "connectionlog"]},
    EMR: {"name": "spark", "releaseLabel": "emr-7.2.0", "securityConfiguration": "sec", "logUri": "s3://logs/emr/",
          "logEncryptionKmsKeyId": KEY},
    STUDIO: {"name": "ds", "authMode": "IAM", "defaultS3Location": "s3://studio/", "encryptionKeyArn": KEY},
    JOB_TEMPLATE: {"name": "etl", "kmsKeyArn": KEY},
    FLINK: {"name": "features", "runtimeEnvironment": "FLINK-1_18",
            "applicationConfiguration": {"applicationEncryptionConfiguration": {"keyType": "CUSTOMER_MANAGED_KEY",
                                                                                "keyId": KEY}},
            "cloudwatchLoggingOptions": {"logStreamArn": "arn:aws:logs:us-east-1:1:log-group:f:log-stream:s"}},
    OS_APP: {"name": "ui", "kmsKeyArn": KEY},
    SCHEDULED_QUERY: {"name": "rollup", "kmsKeyId": KEY},
    KNOWLEDGE_BASE: {"name": "docs", "knowledgeBaseConfiguration": {
        "type": "MANAGED", "managedKnowledgeBaseConfiguration": {"serverSideEncryptionConfiguration": {
            "kmsKeyArn": KEY}}}},
    EFS_LOCATION: {"efsFileSystemArn": "arn:aws:elasticfilesystem:us-east-1:1:file-system/fs-1",
                   "inTransitEncryption": "TLS1_2"},
    ATHENA: {"name": "analysts", "configuration": {
        "resultConfiguration": {"encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKeyArn": KEY}},
        "managedQueryResultsConfiguration": {"enabled": True, "encryptionConfiguration": {"kmsKey": KEY}}}},
    CLASSIFIER: {"name": "tickets", "modelKmsKeyId": KEY, "volumeKmsKeyId": KEY,
                 "outputDataConfig": {"s3Uri": "s3://out/", "kmsKeyId": KEY}},
}
RULES = [data_store_encrypted_at_rest, data_store_customer_managed_key, data_store_not_public,
         data_store_tls_in_transit, data_store_deletion_protection, data_store_backups, data_store_logging]


def found(policy, type_, props):
    return violations(policy, resource_args(type_, props, name="s"))


@pytest.mark.parametrize("type_", sorted(COMPLIANT))
@pytest.mark.parametrize("policy", RULES, ids=lambda p: p.name)
def test_compliant_examples_pass_every_data_store_rule(type_, policy):
    assert found(policy, type_, COMPLIANT[type_]) == []


CASES = [
    # An exposure first: a public endpoint or address.
    (data_store_not_public, INFLUX, ("publiclyAccessible",), True,
     "publiclyAccessible is true, expected false: the instance gets a public IP address"),
    (data_store_not_public, INFLUX_CLUSTER, ("publiclyAccessible",), True,
     "publiclyAccessible is true, expected false: the cluster gets a public IP address"),
    (data_store_not_public, PIPELINE, ("vpcOptions",), KeyError,
     "vpcOptions.subnetIds is not set, expected set: the pipeline has a public endpoint (no vpcOptions)"),
    # Keys: the provider's default (absent) is S3-managed / AWS-owned.
    (data_store_customer_managed_key, TABLE_BUCKET, ("encryptionConfiguration",), KeyError,
     "encryptionConfiguration.sseAlgorithm is not set (defaults to AES256), expected aws:kms: tables are encrypted "
     "with S3-managed keys; encryptionConfiguration.kmsKeyArn is not set (an AWS-managed or AWS-owned key)"),
    (data_store_customer_managed_key, TABLE_BUCKET, ("encryptionConfiguration", "sseAlgorithm"), "AES256",
     "encryptionConfiguration.sseAlgorithm is AES256, expected aws:kms: tables are encrypted with S3-managed keys"),
    (data_store_customer_managed_key, TABLE, ("encryptionConfiguration", "sseAlgorithm"), "AES256",
     "encryptionConfiguration.sseAlgorithm is AES256, expected aws:kms: the table is encrypted with S3-managed keys"),
    (data_store_customer_managed_key, PIPELINE, ("encryptionAtRestOptions",), KeyError,
     "encryptionAtRestOptions.kmsKeyArn is not set (an AWS-managed or AWS-owned key)"),
    (data_store_customer_managed_key, DATAZONE, ("kmsKeyIdentifier",), KeyError,
     "kmsKeyIdentifier is not set (an AWS-managed or AWS-owned key)"),
    # TLS in transit.
    (data_store_tls_in_transit, MEMORYDB_MR, ("tlsEnabled",), False, "tlsEnabled is false, expected true"),
    (data_store_tls_in_transit, CONNECTOR, ("kafkaClusterEncryptionInTransit", "encryptionType"), "PLAINTEXT",
     "kafkaClusterEncryptionInTransit.encryptionType is PLAINTEXT, expected TLS: records travel between the "
     "connector and the brokers in plain text"),
    (data_store_tls_in_transit, CONNECTOR, ("kafkaClusterEncryptionInTransit",), KeyError,
     "kafkaClusterEncryptionInTransit.encryptionType is not set (defaults to PLAINTEXT), expected TLS: records "
     "travel between the connector and the brokers in plain text"),
    (data_store_tls_in_transit, QUICKSIGHT, ("sslProperties", "disableSsl"), True,
     "sslProperties.disableSsl is true, expected false: QuickSight reads the database over an unencrypted "
     "connection"),
    (data_store_tls_in_transit, OBJECT_STORAGE, ("serverProtocol",), "HTTP",
     "serverProtocol is HTTP, expected HTTPS: data is copied from the object store over plain HTTP"),
    # Logging.
    (data_store_logging, INFLUX, ("logDeliveryConfiguration", "s3Configuration", "enabled"), False,
     "logDeliveryConfiguration.s3Configuration.enabled is false, expected true: no engine logs are delivered"),
    (data_store_logging, INFLUX, ("logDeliveryConfiguration",), KeyError,
     "logDeliveryConfiguration.s3Configuration.enabled is not set (defaults to false), expected true: no engine "
     "logs are delivered"),
    (data_store_logging, PIPELINE, ("logPublishingOptions", "isLoggingEnabled"), False,
     "logPublishingOptions.isLoggingEnabled is false, expected true: no pipeline logs are published"),
    (data_store_logging, COLLABORATION, ("queryLogStatus",), "DISABLED",
     "queryLogStatus is DISABLED, expected ENABLED: queries are not logged"),
    (data_store_logging, MEMBERSHIP, ("queryLogStatus",), "DISABLED",
     "queryLogStatus is DISABLED, expected ENABLED: queries are not logged"),
    (data_store_logging, NAMESPACE, ("logExports",), KeyError,
     "logExports is not set, expected set: no audit logs are exported"),
    (data_store_logging, EMR, ("logUri",), KeyError,
     "logUri is not set, expected set: no step, node or application logs are kept"),
    (data_store_customer_managed_key, EMR, ("logEncryptionKmsKeyId",), KeyError,
     "logEncryptionKmsKeyId is not set (an AWS-managed or AWS-owned key)"),
    (data_store_customer_managed_key, STUDIO, ("encryptionKeyArn",), KeyError,
     "encryptionKeyArn is not set (an AWS-managed or AWS-owned key)"),
    (data_store_customer_managed_key, JOB_TEMPLATE, ("kmsKeyArn",), "alias/aws/emr-containers",
     "kmsKeyArn is the AWS-managed key alias/aws/emr-containers"),
    (data_store_customer_managed_key, FLINK, ("applicationConfiguration",), KeyError,
     "applicationConfiguration.applicationEncryptionConfiguration.keyType is not set (defaults to AWS_OWNED_KEY), "
     "expected CUSTOMER_MANAGED_KEY: its state and snapshots are encrypted with an AWS-owned key"),
    (data_store_logging, FLINK, ("cloudwatchLoggingOptions",), KeyError,
     "cloudwatchLoggingOptions is not set, expected set: no application logs are published"),
    (data_store_customer_managed_key, OS_APP, ("kmsKeyArn",), KeyError,
     "kmsKeyArn is not set (an AWS-managed or AWS-owned key)"),
    (data_store_customer_managed_key, SCHEDULED_QUERY, ("kmsKeyId",), KeyError,
     "kmsKeyId is not set (an AWS-managed or AWS-owned key)"),
    (data_store_customer_managed_key, KNOWLEDGE_BASE, ("knowledgeBaseConfiguration",
                                                       "managedKnowledgeBaseConfiguration"), KeyError,
     "knowledgeBaseConfiguration.managedKnowledgeBaseConfiguration.serverSideEncryptionConfiguration.kmsKeyArn is "
     "not set (an AWS-managed or AWS-owned key)"),
    (data_store_tls_in_transit, EFS_LOCATION, ("inTransitEncryption",), KeyError,
     "inTransitEncryption is not set (defaults to NONE), expected TLS1_2: data is copied to or from the file system "
     "without TLS"),
    (data_store_customer_managed_key, ATHENA, ("configuration", "managedQueryResultsConfiguration",
                                               "encryptionConfiguration"), KeyError,
     "configuration.managedQueryResultsConfiguration.encryptionConfiguration.kmsKey is not set (an AWS-managed or "
     "AWS-owned key)"),
    (data_store_customer_managed_key, CLASSIFIER, ("outputDataConfig", "kmsKeyId"), KeyError,
     "outputDataConfig.kmsKeyId is not set (an AWS-managed or AWS-owned key)"),
    # Deletion protection (where required).
    (data_store_deletion_protection, TABLE_BUCKET, ("forceDestroy",), True,
     "forceDestroy is true, expected false: a delete removes every table and namespace"),
]


@pytest.mark.parametrize("policy, type_, path, value, phrase", CASES,
                         ids=[f"{case[0].name}-{case[1].split(':')[-1]}-{'.'.join(case[2])}" for case in CASES])
def test_one_field_changed_breaks_exactly_one_control(policy, type_, path, value, phrase):
    props = changed(COMPLIANT[type_], path, value)
    [message] = found(policy, type_, props)
    assert message.endswith(phrase), message
    assert f"'s' ({type_})" in message
    for other in RULES:
        if other is not policy:
            assert found(other, type_, props) == [], other.name


@pytest.mark.parametrize("policy, type_, path, value, phrase", CASES,
                         ids=[f"{case[0].name}-{case[1].split(':')[-1]}-{'.'.join(case[2])}" for case in CASES])
def test_an_unknown_value_is_not_judged(policy, type_, path, value, phrase):
    assert found(policy, type_, changed(COMPLIANT[type_], path, UNKNOWN)) == []


def test_a_table_without_its_own_encryption_takes_the_buckets():
    # Absent, the table bucket's default applies ("unless overridden at the table level"): not judged on the table.
    assert found(data_store_customer_managed_key, TABLE, changed(COMPLIANT[TABLE], ("encryptionConfiguration",),
                                                                 KeyError)) == []


def test_a_pipeline_without_a_persistent_buffer_needs_no_key():
    props = changed(changed(COMPLIANT[PIPELINE], ("bufferOptions",), KeyError), ("encryptionAtRestOptions",), KeyError)
    assert found(data_store_customer_managed_key, PIPELINE, props) == []


def test_keys_judged_only_where_their_feature_is_on():
    # EMR writes no logs without logUri (then logging, not the key, is the finding); a knowledge base over the team's
    # own vector store, and Athena results in the team's bucket, have no managed store to key.
    assert found(data_store_customer_managed_key, EMR, changed(changed(COMPLIANT[EMR], ("logUri",), KeyError),
                                                                ("logEncryptionKmsKeyId",), KeyError)) == []
    vector = {"name": "docs", "knowledgeBaseConfiguration": {"type": "VECTOR", "vectorKnowledgeBaseConfiguration": {
        "embeddingModelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"}}}
    assert found(data_store_customer_managed_key, KNOWLEDGE_BASE, vector) == []
    bucket_only = changed(COMPLIANT[ATHENA], ("configuration", "managedQueryResultsConfiguration"), KeyError)
    assert found(data_store_customer_managed_key, ATHENA, bucket_only) == []
    # Comprehend's output block is optional: absent, nothing to judge.
    assert found(data_store_customer_managed_key, CLASSIFIER, changed(COMPLIANT[CLASSIFIER], ("outputDataConfig",),
                                                                       KeyError)) == []


def test_the_providers_defaults_pass_where_aws_defaults_to_the_secure_value():
    # publiclyAccessible absent (no public IP), tlsEnabled absent (MemoryDB's TLS), disableSsl and serverProtocol
    # absent (SSL, HTTPS).
    for type_, path in ((INFLUX, ("publiclyAccessible",)), (MEMORYDB_MR, ("tlsEnabled",)),
                        (QUICKSIGHT, ("sslProperties",)), (OBJECT_STORAGE, ("serverProtocol",))):
        for policy in RULES:
            assert found(policy, type_, changed(COMPLIANT[type_], path, KeyError)) == [], (type_, policy.name)


def test_the_table_bucket_holds_data_the_other_rows_settings_do_not():
    config = {"requireProtect": True}
    assert len(violations(stateful_resource_protected, resource_args(TABLE_BUCKET, COMPLIANT[TABLE_BUCKET], config,
                                                                    name="s"))) == 1
    assert violations(stateful_resource_protected, resource_args(TABLE_BUCKET, COMPLIANT[TABLE_BUCKET], config,
                                                                name="s", protect=True)) == []
    for type_ in (TABLE_BUCKET, INFLUX, INFLUX_CLUSTER):  # data stores: a classification tag
        assert len(found(data_store_classification, type_, COMPLIANT[type_])) == 1, type_
        assert found(data_store_classification, type_, dict(COMPLIANT[type_], tags={"data-classification": "internal"})) \
            == [], type_
    for type_ in (TABLE, PIPELINE, DATAZONE, CONNECTOR, QUICKSIGHT, OBJECT_STORAGE, COLLABORATION, MEMBERSHIP):
        assert found(data_store_classification, type_, COMPLIANT[type_]) == [], type_


# --------------------------------------------------------------------------------------------------
# Kafka client authentication, Redshift Serverless routing, Comprehend training in the VPC, resource policies

from policies.rules.databases import msk_client_authentication, redshift_enhanced_vpc_routing  # noqa: E402
from policies.rules.ml_network import ml_workload_in_vpc  # noqa: E402
from policies.rules.resource_policies import POLICY_INPUTS  # noqa: E402
from sdk_inputs import assert_inputs_in_sdk  # noqa: E402

MSK = "aws:msk/cluster:Cluster"
NATIVE_MSK = "aws-native:msk:Cluster"
IAM_AUTH = {"clusterName": "events", "kafkaVersion": "3.6.0", "numberOfBrokerNodes": 3,
            "clientAuthentication": {"sasl": {"iam": True, "scram": False}, "unauthenticated": False}}


@pytest.mark.parametrize("type_, path", [
    (MSK, ("clientAuthentication", "sasl", "iam", "scram", "tls", "certificateAuthorityArns", "unauthenticated")),
    (NATIVE_MSK, ("clientAuthentication", "sasl", "iam", "scram", "enabled", "tls", "certificateAuthorityArnList",
                  "unauthenticated")),
    ("aws:redshiftserverless/workgroup:Workgroup", ("enhancedVpcRouting",)),
    ("aws-native:redshiftserverless:Workgroup", ("enhancedVpcRouting",)),
    ("aws:comprehend/documentClassifier:DocumentClassifier", ("vpcConfig", "subnets", "securityGroupIds")),
    ("aws:comprehend/entityRecognizer:EntityRecognizer", ("vpcConfig", "subnets", "securityGroupIds")),
])
def test_the_inputs_read_are_the_sdks(type_, path):
    assert_inputs_in_sdk(type_, path)


def test_msk_clusters_authenticate_their_clients():
    assert found(msk_client_authentication, MSK, IAM_AUTH) == []
    scram = changed(IAM_AUTH, ("clientAuthentication", "sasl"), {"scram": True})
    assert found(msk_client_authentication, MSK, scram) == []
    mtls = changed(IAM_AUTH, ("clientAuthentication", "sasl"), KeyError)
    mtls["clientAuthentication"]["tls"] = {"certificateAuthorityArns": ["arn:aws:acm-pca:us-east-1:1:ca/x"]}
    assert found(msk_client_authentication, MSK, mtls) == []
    # Absent, no client authentication is configured: the brokers admit any client.
    [message] = found(msk_client_authentication, MSK, changed(IAM_AUTH, ("clientAuthentication",), KeyError))
    assert message.endswith("has no clientAuthentication: its brokers admit any client that reaches them, "
                            "unauthenticated")
    [message] = found(msk_client_authentication, MSK, changed(IAM_AUTH, ("clientAuthentication", "unauthenticated"),
                                                              True))
    assert "allows unauthenticated access (clientAuthentication.unauthenticated)" in message
    [message] = found(msk_client_authentication, MSK, changed(IAM_AUTH, ("clientAuthentication", "sasl", "iam"),
                                                              False))
    assert "turns on no client authentication mode" in message
    no_cas = changed(mtls, ("clientAuthentication", "tls", "certificateAuthorityArns"), [])
    assert len(found(msk_client_authentication, MSK, no_cas)) == 1
    # Unknown values are not judged.
    for path in (("clientAuthentication",), ("clientAuthentication", "unauthenticated"),
                 ("clientAuthentication", "sasl", "iam")):
        assert found(msk_client_authentication, MSK, changed(IAM_AUTH, path, UNKNOWN)) == [], path
    assert found(msk_client_authentication, MSK, changed(IAM_AUTH, ("clientAuthentication", "sasl", "iam"), "true")) \
        == []


def test_native_msk_clusters_authenticate_their_clients():
    native = {"clusterName": "events", "clientAuthentication": {"sasl": {"iam": {"enabled": True}},
                                                                "unauthenticated": {"enabled": False}}}
    assert found(msk_client_authentication, NATIVE_MSK, native) == []
    assert len(found(msk_client_authentication, NATIVE_MSK, changed(native, ("clientAuthentication", "sasl", "iam",
                                                                             "enabled"), False))) == 1
    assert len(found(msk_client_authentication, NATIVE_MSK, changed(native, ("clientAuthentication", "unauthenticated",
                                                                             "enabled"), True))) == 1
    mtls = {"clientAuthentication": {"tls": {"enabled": True, "certificateAuthorityArnList": ["arn:ca"]}}}
    assert found(msk_client_authentication, NATIVE_MSK, mtls) == []
    assert len(found(msk_client_authentication, NATIVE_MSK, changed(mtls, ("clientAuthentication", "tls", "enabled"),
                                                                    False))) == 1


@pytest.mark.parametrize("type_", ["aws:redshiftserverless/workgroup:Workgroup",
                                   "aws-native:redshiftserverless:Workgroup"])
def test_redshift_serverless_workgroups_route_through_the_vpc(type_):
    workgroup = {"namespaceName": "analytics", "workgroupName": "etl", "enhancedVpcRouting": True}
    assert found(redshift_enhanced_vpc_routing, type_, workgroup) == []
    assert "not set (false)" in found(redshift_enhanced_vpc_routing, type_, changed(workgroup, ("enhancedVpcRouting",),
                                                                                    KeyError))[0]
    assert len(found(redshift_enhanced_vpc_routing, type_, changed(workgroup, ("enhancedVpcRouting",), False))) == 1
    assert found(redshift_enhanced_vpc_routing, type_, changed(workgroup, ("enhancedVpcRouting",), UNKNOWN)) == []


@pytest.mark.parametrize("type_", ["aws:comprehend/documentClassifier:DocumentClassifier",
                                   "aws:comprehend/entityRecognizer:EntityRecognizer"])
def test_comprehend_models_train_in_the_vpc(type_):
    model = {"name": "tickets", "languageCode": "en", "dataAccessRoleArn": "arn:aws:iam::1:role/c",
             "vpcConfig": {"subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]}}
    assert found(ml_workload_in_vpc, type_, model) == []
    [message] = found(ml_workload_in_vpc, type_, changed(model, ("vpcConfig",), KeyError))
    assert "has no vpcConfig with subnets and securityGroupIds" in message
    assert len(found(ml_workload_in_vpc, type_, changed(model, ("vpcConfig", "subnets"), []))) == 1
    assert found(ml_workload_in_vpc, type_, changed(model, ("vpcConfig", "subnets"), UNKNOWN)) == []


NEW_POLICY_TYPES = ("aws:kinesis/resourcePolicy:ResourcePolicy", "aws:msk/clusterPolicy:ClusterPolicy",
                    "aws:s3tables/tableBucketPolicy:TableBucketPolicy", "aws:s3tables/tablePolicy:TablePolicy",
                    "aws:redshiftserverless/resourcePolicy:ResourcePolicy",
                    "aws:opensearchingest/resourcePolicy:ResourcePolicy",
                    "aws:bedrock/agentcoreResourcePolicy:AgentcoreResourcePolicy")


@pytest.mark.parametrize("type_", NEW_POLICY_TYPES)
def test_data_service_resource_policies_are_judged(type_):
    # tests/test_policies_breadth.py runs every POLICY_INPUTS type through the rule (open, org-restricted, absent,
    # unknown, invalid JSON) and checks the input in the SDK; this pins that the audit's types are among them.
    assert type_ in POLICY_INPUTS
    assert_inputs_in_sdk(type_, (POLICY_INPUTS[type_],))


# --------------------------------------------------------------------------------------------------
# Data services' credentials as literals; OpenSearch anonymous access

from policies.rules.databases import opensearch_fine_grained_access_control  # noqa: E402
from policies.rules.plaintext_secrets import no_plaintext_credential_inputs  # noqa: E402

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
CREDENTIALED = [  # (type, props with a literal credential, the path of the literal, the same props without it)
    ("aws:glue/connection:Connection",
     {"name": "warehouse", "connectionProperties": {"JDBC_CONNECTION_URL": "jdbc:postgresql://db:5432/dw",
                                                    "USERNAME": "etl", "PASSWORD": "hunter2-Hunter2"}},
     ("connectionProperties", "PASSWORD"), {"SECRET_ID": "db-creds"}),
    ("aws:glue/connection:Connection",
     {"name": "api", "connectionType": "SALESFORCE", "authenticationConfiguration": {
         "authenticationType": "BASIC", "basicAuthenticationCredentials": {"username": "u", "password": "p4ssw0rd!"}}},
     ("authenticationConfiguration", "basicAuthenticationCredentials", "password"), None),
    ("aws:glue/job:Job", {"name": "etl", "roleArn": "arn:aws:iam::1:role/glue", "sourceControlDetails": {
        "provider": "GITHUB", "repository": "etl", "authStrategy": "PERSONAL_ACCESS_TOKEN",
        "authToken": "ghp_0123456789abcdefghijABCDEFGHIJ012345"}}, ("sourceControlDetails", "authToken"), None),
    (INFLUX, dict(_INFLUX, username="admin", password="InfluxAdmin-2024"), ("password",), None),
    (INFLUX_CLUSTER, dict(_INFLUX, username="admin", password="InfluxAdmin-2024"), ("password",), None),
    (EMR, dict(COMPLIANT[EMR], kerberosAttributes={"realm": "EC2.INTERNAL", "kdcAdminPassword": "Kdc-Admin-1"}),
     ("kerberosAttributes", "kdcAdminPassword"), None),
    (QUICKSIGHT, dict(COMPLIANT[QUICKSIGHT], credentials={"credentialPair": {"username": "qs", "password": "Qs-2024!"}}),
     ("credentials", "credentialPair", "password"), {"secretArn": SECRET_ARN}),
    (NAMESPACE, dict(COMPLIANT[NAMESPACE], adminUsername="admin", adminUserPassword="Redshift-Admin-1"),
     ("adminUserPassword",), None),
    ("aws:datasync/locationSmb:LocationSmb", {"serverHostname": "fs", "subdirectory": "/d", "user": "svc",
                                              "password": "Smb-Pass-1", "agentArns": ["arn:agent"]}, ("password",), None),
    (OBJECT_STORAGE, dict(COMPLIANT[OBJECT_STORAGE], accessKey="minio", secretKey="minio-secret-key-1"),
     ("secretKey",), None),
    ("aws:datasync/locationAzureBlob:LocationAzureBlob", {
        "authenticationType": "SAS", "containerUrl": "https://acct.blob.core.windows.net/c",
        "sasConfiguration": {"token": "sp=r&st=2024-01-01&sig=abc123"}}, ("sasConfiguration", "token"), None),
    ("aws:memorydb/user:User", {"userName": "app", "accessString": "on ~* +@all", "authenticationMode": {
        "type": "password", "passwords": ["Memorydb-Password-1234"]}}, ("authenticationMode", "passwords"), None),
    ("aws:appflow/connectorProfile:ConnectorProfile", {"name": "crm", "connectionMode": "Public", "connectorType":
        "Salesforce", "connectorProfileConfig": {"connectorProfileCredentials": {"salesforce": {
            "accessToken": "00Dxx0000001gPL!AQ4AQFpl"}}}},
     ("connectorProfileConfig", "connectorProfileCredentials", "salesforce", "accessToken"), None),
    ("aws:appflow/connectorProfile:ConnectorProfile", {"name": "sap", "connectionMode": "Public", "connectorType":
        "SAPOData", "connectorProfileConfig": {"connectorProfileCredentials": {"sapoData": {
            "basicAuthCredentials": {"username": "u", "password": "Sap-Pass-1"}}}}},
     ("connectorProfileConfig", "connectorProfileCredentials", "sapoData", "basicAuthCredentials", "password"), None),
]


@pytest.mark.parametrize("type_, props, path, instead", CREDENTIALED,
                         ids=[f"{case[0].split(':')[-1]}-{case[2][-1]}" for case in CREDENTIALED])
def test_data_service_credentials_are_not_literals(type_, props, path, instead):
    assert_inputs_in_sdk(type_, [step for step in path if step not in ("PASSWORD", "salesforce", "sapoData")])
    [message] = found(no_plaintext_credential_inputs, type_, props)
    assert f"{'.'.join(path)}" in message and "is a literal in the program" in message, message
    # The same value as a Pulumi secret, unknown, or replaced by a Secrets Manager reference, passes.
    for value in (UNKNOWN, SECRET_ARN, "{{resolve:secretsmanager:db-creds}}"):
        assert found(no_plaintext_credential_inputs, type_, changed(props, path, value)) == [], value
    removed = changed(props, path, KeyError)
    if instead:
        target = removed
        for step in path[:-2]:
            target = target[step]
        (target[path[-2]] if len(path) > 1 else target).update(instead)
    assert found(no_plaintext_credential_inputs, type_, removed) == []


def test_memorydb_users_passwords_each_judged():
    user = {"userName": "app", "authenticationMode": {"type": "password",
                                                      "passwords": ["Memorydb-Password-1234", "Memorydb-Password-5678"]}}
    assert len(found(no_plaintext_credential_inputs, "aws:memorydb/user:User", user)) == 2
    iam = {"userName": "app", "authenticationMode": {"type": "iam"}}
    assert found(no_plaintext_credential_inputs, "aws:memorydb/user:User", iam) == []


def test_a_credential_passed_as_a_pulumi_secret_passes():
    # The engine's wrapping of a secret in a plan (its signature key and value).
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "InfluxAdmin-2024"}
    assert found(no_plaintext_credential_inputs, INFLUX, dict(_INFLUX, password=secret)) == []


def test_opensearch_domains_admit_no_anonymous_users():
    domain = {"advancedSecurityOptions": {"enabled": True, "internalUserDatabaseEnabled": False,
                                          "anonymousAuthEnabled": False}}
    assert_inputs_in_sdk("aws:opensearch/domain:Domain", ("advancedSecurityOptions", "anonymousAuthEnabled"))
    assert found(opensearch_fine_grained_access_control, "aws:opensearch/domain:Domain", domain) == []
    [message] = found(opensearch_fine_grained_access_control, "aws:opensearch/domain:Domain",
                      changed(domain, ("advancedSecurityOptions", "anonymousAuthEnabled"), True))
    assert "allows anonymous access (advancedSecurityOptions.anonymousAuthEnabled)" in message
    assert found(opensearch_fine_grained_access_control, "aws:opensearch/domain:Domain",
                 changed(domain, ("advancedSecurityOptions", "anonymousAuthEnabled"), UNKNOWN)) == []


HARNESS = "aws:bedrock/agentcoreHarness:AgentcoreHarness"


def test_agentcore_harness_runtime_environments_in_the_vpc():
    environment = {"agentcoreRuntimeEnvironments": [{"networkConfigurations": [{
        "networkMode": "VPC", "networkModeConfigs": [{"subnets": ["subnet-1"], "securityGroups": ["sg-1"]}]}]}]}
    harness = {"harnessName": "support", "environments": [environment]}
    assert_inputs_in_sdk(HARNESS, ("environments", "agentcoreRuntimeEnvironments", "networkConfigurations",
                                   "networkMode"))
    assert found(ml_workload_in_vpc, HARNESS, harness) == []
    public = changed(harness, ("environments",), [{"agentcoreRuntimeEnvironments": [{"networkConfigurations": [
        {"networkMode": "PUBLIC"}]}]}])
    [message] = found(ml_workload_in_vpc, HARNESS, public)
    assert "environments[0].agentcoreRuntimeEnvironments[0].networkConfigurations[0].networkMode is PUBLIC" in message
    # Blocks written as one object, not a list of one, are read the same.
    assert len(found(ml_workload_in_vpc, HARNESS, {"environments": {"agentcoreRuntimeEnvironments": {
        "networkConfigurations": {"networkMode": "PUBLIC"}}}})) == 1
    assert found(ml_workload_in_vpc, HARNESS, {"harnessName": "support"}) == []  # not written: not judged
    assert found(ml_workload_in_vpc, HARNESS, changed(public, ("environments",), UNKNOWN)) == []


def test_agentcore_harness_managed_memory_key():
    harness = {"harnessName": "support", "memory": {"managedMemoryConfiguration": {"encryptionKeyArn": KEY}}}
    assert found(data_store_customer_managed_key, HARNESS, harness) == []
    assert len(found(data_store_customer_managed_key, HARNESS, changed(
        harness, ("memory", "managedMemoryConfiguration", "encryptionKeyArn"), KeyError))) == 1
    assert found(data_store_customer_managed_key, HARNESS, {"harnessName": "support"}) == []


def test_transfer_as2_connectors_use_no_weak_cipher():
    connector = "aws:transfer/connector:Connector"
    as2 = {"url": "https://partner.example.com/as2", "accessRole": "arn:aws:iam::1:role/t", "as2Config": {
        "compression": "DISABLED", "encryptionAlgorithm": "AES256_CBC", "localProfileId": "p-1",
        "mdnResponse": "NONE", "partnerProfileId": "p-2", "signingAlgorithm": "SHA256"}}
    assert found(data_store_tls_in_transit, connector, as2) == []
    [message] = found(data_store_tls_in_transit, connector, changed(as2, ("as2Config", "encryptionAlgorithm"),
                                                                    "DES_EDE3_CBC"))
    assert message.endswith("as2Config.encryptionAlgorithm is DES_EDE3_CBC, expected not DES_EDE3_CBC: AS2 messages "
                            "are encrypted with a weak cipher")
    sftp = {"url": "sftp://partner.example.com", "accessRole": "arn:aws:iam::1:role/t",
            "sftpConfig": {"userSecretId": "s"}}
    assert found(data_store_tls_in_transit, connector, sftp) == []


GLUE_CONNECTION = "aws:glue/connection:Connection"


def test_glue_jdbc_and_kafka_connections_use_tls():
    jdbc = {"name": "warehouse", "connectionProperties": {"JDBC_CONNECTION_URL": "jdbc:postgresql://db:5432/dw",
                                                          "JDBC_ENFORCE_SSL": "true", "SECRET_ID": "db-creds"}}
    assert found(data_store_tls_in_transit, GLUE_CONNECTION, jdbc) == []
    # connectionType absent is JDBC (the provider's default); JDBC_ENFORCE_SSL absent is false (botocore's).
    [message] = found(data_store_tls_in_transit, GLUE_CONNECTION, changed(jdbc, ("connectionProperties",
                                                                                  "JDBC_ENFORCE_SSL"), KeyError))
    assert message.endswith("connectionProperties.JDBC_ENFORCE_SSL is not set (defaults to false), expected true: Glue "
                            "jobs may read the database over an unencrypted connection")
    explicit = dict(jdbc, connectionType="JDBC")
    assert len(found(data_store_tls_in_transit, GLUE_CONNECTION, changed(explicit, ("connectionProperties",
                                                                                    "JDBC_ENFORCE_SSL"), "false"))) == 1
    assert found(data_store_tls_in_transit, GLUE_CONNECTION, changed(jdbc, ("connectionProperties", "JDBC_ENFORCE_SSL"),
                                                                     UNKNOWN)) == []
    kafka = {"name": "events", "connectionType": "KAFKA",
             "connectionProperties": {"KAFKA_BOOTSTRAP_SERVERS": "b-1.msk:9094"}}
    assert found(data_store_tls_in_transit, GLUE_CONNECTION, kafka) == []  # KAFKA_SSL_ENABLED defaults to true
    assert len(found(data_store_tls_in_transit, GLUE_CONNECTION, changed(kafka, ("connectionProperties",
                                                                                 "KAFKA_SSL_ENABLED"), "false"))) == 1
    network = {"name": "vpc", "connectionType": "NETWORK", "physicalConnectionRequirements": {"subnetId": "subnet-1"}}
    assert found(data_store_tls_in_transit, GLUE_CONNECTION, network) == []
    assert found(data_store_tls_in_transit, GLUE_CONNECTION, dict(jdbc, connectionType=UNKNOWN)) == []


def test_athena_managed_query_results_need_no_bucket_encryption():
    # Results kept in Athena-owned storage (always encrypted) have no resultConfiguration to judge.
    managed = {"name": "analysts", "configuration": {
        "managedQueryResultsConfiguration": {"enabled": True, "encryptionConfiguration": {"kmsKey": KEY}}}}
    for policy in (data_store_encrypted_at_rest, data_store_customer_managed_key):
        assert found(policy, ATHENA, managed) == [], policy.name
    # Off (explicitly, or absent: the default), the bucket's result encryption is judged.
    off = changed(managed, ("configuration", "managedQueryResultsConfiguration", "enabled"), False)
    assert len(found(data_store_encrypted_at_rest, ATHENA, off)) == 1
    assert len(found(data_store_encrypted_at_rest, ATHENA, {"name": "analysts", "configuration": {}})) == 1
    unknown = changed(managed, ("configuration", "managedQueryResultsConfiguration", "enabled"), UNKNOWN)
    assert found(data_store_encrypted_at_rest, ATHENA, unknown) == []


# --------------------------------------------------------------------------------------------------
# Lake Formation: a Glue database's or catalog's defaults are not IAM-only either

from policies.rules.lake_formation import lakeformation_no_iam_allowed_principals  # noqa: E402

GLUE_DATABASE = "aws:glue/catalogDatabase:CatalogDatabase"
GLUE_CATALOG = "aws:glue/catalog:Catalog"
ANALYST = "arn:aws:iam::123456789012:role/analyst"


@pytest.mark.parametrize("type_, name", [(GLUE_DATABASE, "createTableDefaultPermissions"),
                                         (GLUE_CATALOG, "createDatabaseDefaultPermissions"),
                                         (GLUE_CATALOG, "createTableDefaultPermissions")])
def test_glue_default_permissions_are_not_iam_only(type_, name):
    assert_inputs_in_sdk(type_, (name, "permissions", "principal", "dataLakePrincipalIdentifier"))
    named = {"name": "features", name: [{"permissions": ["SELECT"], "principal": {
        "dataLakePrincipalIdentifier": ANALYST}}]}
    assert found(lakeformation_no_iam_allowed_principals, type_, named) == []
    iam_only = changed(named, (name,), [{"permissions": ["ALL"], "principal": [
        {"dataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"}]}])
    [message] = found(lakeformation_no_iam_allowed_principals, type_, iam_only)
    assert f"grants IAM_ALLOWED_PRINCIPALS in {name}" in message
    assert found(lakeformation_no_iam_allowed_principals, type_, {"name": "features"}) == []  # the account's defaults
    assert found(lakeformation_no_iam_allowed_principals, type_, {"name": "features", name: UNKNOWN}) == []
    assert found(lakeformation_no_iam_allowed_principals, type_, changed(named, (name,), [{"principal": {
        "dataLakePrincipalIdentifier": UNKNOWN}}])) == []
