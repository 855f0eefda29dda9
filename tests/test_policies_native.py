"""pulumi-aws-native (AWS Cloud Control: CloudFormation shapes, camelCase) resources judged by the same
controls as their pulumi-aws twins: for each type a compliant example passes, one field changed breaks
exactly the control it belongs to, and an unknown value (preview) is not judged.

The rules themselves need no pulumi-aws-native; only ``test_every_input_read_is_in_the_pulumi_aws_native_sdk``
checks the names against the installed SDK (an optional dependency), and skips without it."""

from __future__ import annotations

import copy

import pytest
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from policies.rules import PACKS, collect
from policies.rules.data_stores import (
    data_store_backups,
    data_store_customer_managed_key,
    data_store_deletion_protection,
    data_store_encrypted_at_rest,
    data_store_iam_authentication,
    data_store_logging,
    data_store_not_public,
    data_store_tls_in_transit,
    stateful_resource_protected,
)
from policy_helpers import UNKNOWN, resource_args, violations

KEY = "arn:aws:kms:us-east-1:123456789012:key/0f0e"
ACCOUNT_ROOT = "arn:aws:iam::123456789012:root"

DATA_STORE_RULES = [data_store_encrypted_at_rest, data_store_customer_managed_key, data_store_not_public,
                    data_store_tls_in_transit, data_store_iam_authentication, data_store_deletion_protection,
                    data_store_backups, data_store_logging]


def rules_of(*modules):
    """The resource rules of ``modules`` (their stack rules are tested with stacks below)."""
    return [policy for module in modules for policy in (*module.SECURITY, *module.PRIVACY, *module.COMPLIANCE)
            if isinstance(policy, ResourceValidationPolicy)]


def broken(policies, type_, props, config=None, protect=True):
    """``{rule name: violations}`` for every rule of ``policies`` that ``props`` breaks."""
    args = lambda: resource_args(type_, props, config, name="subject", protect=protect)  # noqa: E731
    return {p.name: found for p in policies if (found := violations(p, args()))}


def changed(props, path, value):
    """A copy of ``props`` with the value at ``path`` (keys and list indexes) replaced; ``...`` removes it."""
    props = copy.deepcopy(props)
    node = props
    for step in path[:-1]:
        node = node[step]
    if value is ...:
        node.pop(path[-1])
    else:
        node[path[-1]] = value
    return props


# --------------------------------------------------------------------------------------------------
# Data stores: rows of the data-store table


DB_INSTANCE = "aws-native:rds:DbInstance"
DB_CLUSTER = "aws-native:rds:DbCluster"
TABLE = "aws-native:dynamodb:Table"
SECRET = "aws-native:secretsmanager:Secret"
SEARCH = "aws-native:opensearchservice:Domain"

DATA_STORES = {
    DB_INSTANCE: {"engine": "postgres", "dbInstanceClass": "db.m6g.large", "storageEncrypted": True, "kmsKeyId": KEY,
                  "publiclyAccessible": False, "deletionProtection": True, "backupRetentionPeriod": 14.0,
                  "enableCloudwatchLogsExports": ["postgresql"], "enableIamDatabaseAuthentication": True,
                  "enablePerformanceInsights": True, "performanceInsightsKmsKeyId": KEY},
    DB_CLUSTER: {"engine": "aurora-mysql", "storageEncrypted": True, "kmsKeyId": KEY, "deletionProtection": True,
                 "backupRetentionPeriod": 7.0, "enableCloudwatchLogsExports": ["audit", "error"],
                 "enableIamDatabaseAuthentication": True},
    TABLE: {"keySchema": [{"attributeName": "id", "keyType": "HASH"}],
            "sseSpecification": {"sseEnabled": True, "sseType": "KMS", "kmsMasterKeyId": KEY},
            "deletionProtectionEnabled": True,
            "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True}},
    SECRET: {"name": "db", "kmsKeyId": KEY},
    "aws-native:efs:FileSystem": {"encrypted": True, "kmsKeyId": KEY},
    "aws-native:kinesis:Stream": {"streamEncryption": {"encryptionType": "KMS", "keyId": KEY}},
    SEARCH: {"encryptionAtRestOptions": {"enabled": True, "kmsKeyId": KEY},
             "nodeToNodeEncryptionOptions": {"enabled": True},
             "domainEndpointOptions": {"enforceHttps": True, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"},
             "vpcOptions": {"subnetIds": ["subnet-1"]}},
    "aws-native:dynamodb:GlobalTable": {
        "keySchema": [{"attributeName": "id", "keyType": "HASH"}], "sseSpecification": {"sseEnabled": True, "sseType": "KMS"},
        "replicas": [{"region": "us-east-1", "deletionProtectionEnabled": True,
                      "sseSpecification": {"kmsMasterKeyId": KEY},
                      "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True}},
                     {"region": "eu-west-1", "deletionProtectionEnabled": True,
                      "sseSpecification": {"kmsMasterKeyId": KEY},
                      "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True}}]},
    "aws-native:neptune:DbCluster": {"storageEncrypted": True, "kmsKeyId": KEY, "deletionProtection": True,
                                     "backupRetentionPeriod": 7.0, "enableCloudwatchLogsExports": ["audit"],
                                     "iamAuthEnabled": True},
    "aws-native:msk:Cluster": {"clusterName": "events", "encryptionInfo": {
        "encryptionAtRest": {"dataVolumeKmsKeyId": KEY},
        "encryptionInTransit": {"clientBroker": "TLS", "inCluster": True}},
        "loggingInfo": {"brokerLogs": {"cloudWatchLogs": {"enabled": True, "logGroup": "/msk"}}}},
    "aws-native:elasticache:ServerlessCache": {"engine": "valkey", "kmsKeyId": KEY, "snapshotRetentionLimit": 7.0},
    "aws-native:ec2:Volume": {"availabilityZone": "us-east-1a", "encrypted": True, "kmsKeyId": KEY},
    "aws-native:backup:BackupVault": {"backupVaultName": "vault", "encryptionKeyArn": KEY},
    "aws-native:cloudtrail:Trail": {"isLogging": True, "s3BucketName": "trail", "kmsKeyId": KEY},
    "aws-native:elasticache:ReplicationGroup": {
        "engine": "valkey", "atRestEncryptionEnabled": True, "kmsKeyId": KEY, "transitEncryptionEnabled": True,
        "snapshotRetentionLimit": 7.0, "logDeliveryConfigurations": [{"logType": "slow-log"}]},
}

# (type, path, value, the rule that breaks)
DATA_STORE_CHANGES = [
    (DB_INSTANCE, ("storageEncrypted",), False, "data-store-encrypted-at-rest"),
    (DB_INSTANCE, ("kmsKeyId",), ..., "data-store-customer-managed-key"),
    (DB_INSTANCE, ("kmsKeyId",), "alias/aws/rds", "data-store-customer-managed-key"),
    (DB_INSTANCE, ("performanceInsightsKmsKeyId",), ..., "data-store-customer-managed-key"),
    (DB_INSTANCE, ("publiclyAccessible",), True, "data-store-not-public"),
    (DB_INSTANCE, ("deletionProtection",), ..., "data-store-deletion-protection"),
    (DB_INSTANCE, ("backupRetentionPeriod",), ..., "data-store-backups"),  # CloudFormation's default: 1 day
    (DB_INSTANCE, ("enableCloudwatchLogsExports",), [], "data-store-logging"),
    (DB_INSTANCE, ("enableIamDatabaseAuthentication",), False, "data-store-iam-authentication"),
    (DB_INSTANCE, ("autoMinorVersionUpgrade",), False, "data-store-auto-minor-version-upgrade"),
    (DB_CLUSTER, ("storageEncrypted",), ..., "data-store-encrypted-at-rest"),
    (DB_CLUSTER, ("kmsKeyId",), "arn:aws:kms:us-east-1:123456789012:alias/aws/rds", "data-store-customer-managed-key"),
    (DB_CLUSTER, ("publiclyAccessible",), True, "data-store-not-public"),
    (DB_CLUSTER, ("deletionProtection",), False, "data-store-deletion-protection"),
    (DB_CLUSTER, ("backupRetentionPeriod",), 3.0, "data-store-backups"),
    (DB_CLUSTER, ("enableCloudwatchLogsExports",), ["error"], "data-store-logging"),  # no audit log (MySQL)
    (DB_CLUSTER, ("enableIamDatabaseAuthentication",), ..., "data-store-iam-authentication"),
    (TABLE, ("sseSpecification", "sseEnabled"), False, "data-store-customer-managed-key"),
    (TABLE, ("sseSpecification", "kmsMasterKeyId"), ..., "data-store-customer-managed-key"),
    (TABLE, ("deletionProtectionEnabled",), ..., "data-store-deletion-protection"),
    (TABLE, ("pointInTimeRecoverySpecification", "pointInTimeRecoveryEnabled"), False, "data-store-backups"),
    (SECRET, ("kmsKeyId",), "alias/aws/secretsmanager", "data-store-customer-managed-key"),
    ("aws-native:efs:FileSystem", ("encrypted",), ..., "data-store-encrypted-at-rest"),
    ("aws-native:kinesis:Stream", ("streamEncryption", "encryptionType"), ..., "data-store-encrypted-at-rest"),
    (SEARCH, ("vpcOptions",), ..., "data-store-not-public"),
    (SEARCH, ("domainEndpointOptions", "tlsSecurityPolicy"), "Policy-Min-TLS-1-0-2019-07", "data-store-tls-in-transit"),
    (SEARCH, ("encryptionAtRestOptions", "enabled"), False, "data-store-encrypted-at-rest"),
    ("aws-native:elasticache:ReplicationGroup", ("transitEncryptionEnabled",), ..., "data-store-tls-in-transit"),
    ("aws-native:dynamodb:GlobalTable", ("replicas", 1, "sseSpecification"), ..., "data-store-customer-managed-key"),
    ("aws-native:dynamodb:GlobalTable", ("replicas", 1, "pointInTimeRecoverySpecification"), ..., "data-store-backups"),
    ("aws-native:dynamodb:GlobalTable", ("replicas", 0, "deletionProtectionEnabled"), False,
     "data-store-deletion-protection"),
    ("aws-native:neptune:DbCluster", ("storageEncrypted",), ..., "data-store-encrypted-at-rest"),
    ("aws-native:neptune:DbCluster", ("iamAuthEnabled",), ..., "data-store-iam-authentication"),
    ("aws-native:neptune:DbCluster", ("backupRetentionPeriod",), ..., "data-store-backups"),
    ("aws-native:msk:Cluster", ("encryptionInfo", "encryptionInTransit", "clientBroker"), "TLS_PLAINTEXT",
     "data-store-tls-in-transit"),
    ("aws-native:msk:Cluster", ("encryptionInfo", "encryptionAtRest"), ..., "data-store-customer-managed-key"),
    ("aws-native:msk:Cluster", ("loggingInfo",), ..., "data-store-logging"),
    ("aws-native:elasticache:ServerlessCache", ("snapshotRetentionLimit",), ..., "data-store-backups"),
    ("aws-native:ec2:Volume", ("encrypted",), False, "data-store-encrypted-at-rest"),
    ("aws-native:backup:BackupVault", ("encryptionKeyArn",), ..., "data-store-customer-managed-key"),
    ("aws-native:cloudtrail:Trail", ("kmsKeyId",), ..., "data-store-customer-managed-key"),
    ("aws-native:cloudtrail:Trail", ("isLogging",), False, "data-store-logging"),
]
PROD = {"requireDeletionProtection": True, "requireBackups": True}
ALL_DATA_STORE_RULES = DATA_STORE_RULES + [rule for rule in rules_of(__import__("policies.rules.data_stores",
                                                                                fromlist=["x"]))
                                           if rule not in DATA_STORE_RULES and rule is not stateful_resource_protected]


@pytest.mark.parametrize("type_", sorted(DATA_STORES))
def test_compliant_native_data_stores_pass(type_):
    assert broken(ALL_DATA_STORE_RULES, type_, DATA_STORES[type_]) == {}


@pytest.mark.parametrize("type_, path, value, rule", DATA_STORE_CHANGES,
                         ids=[f"{t.split(':', 1)[1]}:{'.'.join(map(str, p))}={v!r}" for t, p, v, _ in DATA_STORE_CHANGES])
def test_one_field_changed_breaks_its_control(type_, path, value, rule):
    found = broken(ALL_DATA_STORE_RULES, type_, changed(DATA_STORES[type_], path, value))
    assert list(found) == [rule] and len(found[rule]) == 1, found


@pytest.mark.parametrize("type_, path, value, rule", DATA_STORE_CHANGES,
                         ids=[f"{t.split(':', 1)[1]}:{'.'.join(map(str, p))}" for t, p, _, _ in DATA_STORE_CHANGES])
def test_an_unknown_value_is_not_judged(type_, path, value, rule):
    assert broken(ALL_DATA_STORE_RULES, type_, changed(DATA_STORES[type_], path, UNKNOWN)) == {}


def test_an_aurora_instance_is_judged_by_its_cluster():
    # Storage encryption, backups, deletion protection and log exports of an Aurora DBInstance are the
    # cluster's ("Not applicable" in AWS::RDS::DBInstance): only its own settings are judged.
    aurora = {"engine": "aurora-postgresql", "dbClusterIdentifier": "ml", "dbInstanceClass": "db.r6g.large"}
    assert broken(ALL_DATA_STORE_RULES, DB_INSTANCE, aurora) == {}
    assert list(broken(ALL_DATA_STORE_RULES, DB_INSTANCE, {**aurora, "publiclyAccessible": True})) == [
        "data-store-not-public"]


def test_a_bare_native_instance_breaks_the_controls_with_insecure_defaults():
    found = broken(ALL_DATA_STORE_RULES, DB_INSTANCE, {"engine": "mysql"})
    assert set(found) == {"data-store-encrypted-at-rest", "data-store-customer-managed-key",
                          "data-store-deletion-protection", "data-store-backups", "data-store-logging",
                          "data-store-iam-authentication"}
    assert "backupRetentionPeriod is not set (defaults to 1), expected at least 7 days" in found["data-store-backups"][0]


def test_deletion_protection_and_backups_follow_the_configuration():
    props = changed(DATA_STORES[TABLE], ("deletionProtectionEnabled",), False)
    assert broken([data_store_deletion_protection], TABLE, props, {"requireDeletionProtection": False}) == {}
    assert broken([data_store_deletion_protection], TABLE, props, PROD) != {}


def test_native_stateful_types_must_be_protected():
    for type_ in ("aws-native:s3:Bucket", "aws-native:kms:Key", DB_CLUSTER, TABLE, "aws-native:ecr:Repository"):
        assert list(broken([stateful_resource_protected], type_, {}, protect=False)) == ["stateful-resource-protected"]
        assert broken([stateful_resource_protected], type_, {}, protect=True) == {}
    assert broken([stateful_resource_protected], "aws-native:sqs:Queue", {}, protect=False) == {}


def test_ecr_empty_on_delete_is_force_delete():
    found = broken([data_store_deletion_protection], "aws-native:ecr:Repository", {"emptyOnDelete": True})
    assert "emptyOnDelete is true" in found["data-store-deletion-protection"][0]


# --------------------------------------------------------------------------------------------------
# KMS keys, ECR repositories, SNS topics and SQS queues, log groups


from policies.rules import ecr, kms, logs, messaging  # noqa: E402

KEY_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ACCOUNT_ROOT}, "Action": "kms:*", "Resource": "*"}]}
PUBLIC_STATEMENT = {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
REPOSITORY_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Pull", "Effect": "Allow", "Principal": {"AWS": ACCOUNT_ROOT}, "Action": ["ecr:BatchGetImage"]}]}
QUEUE_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Events", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
     "Resource": "arn:aws:sqs:us-east-1:123456789012:q",
     "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/r"}}}]}
TOPIC_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Events", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish",
     "Resource": "arn:aws:sns:us-east-1:123456789012:t"}]}

SERVICES = {
    "aws-native:kms:Key": {"keyPolicy": KEY_POLICY, "enableKeyRotation": True, "rotationPeriodInDays": 365.0},
    "aws-native:ecr:Repository": {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True},
                                  "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": KEY},
                                  "repositoryPolicyText": REPOSITORY_POLICY},
    "aws-native:sns:Topic": {"kmsMasterKeyId": KEY},
    "aws-native:sqs:Queue": {"kmsMasterKeyId": KEY},
    "aws-native:sqs:QueueInlinePolicy": {"queue": "https://sqs/q", "policyDocument": QUEUE_POLICY},
    "aws-native:sns:TopicPolicy": {"topics": ["arn:aws:sns:us-east-1:123456789012:t"], "policyDocument": TOPIC_POLICY},
    "aws-native:sns:TopicInlinePolicy": {"topicArn": "arn:aws:sns:us-east-1:123456789012:t",
                                         "policyDocument": TOPIC_POLICY},
    "aws-native:logs:LogGroup": {"kmsKeyId": KEY, "retentionInDays": 400.0},
}
SERVICE_RULES = rules_of(ecr, kms, logs, messaging)
SERVICE_CHANGES = [
    ("aws-native:kms:Key", ("enableKeyRotation",), ..., "kms-key-rotation"),
    ("aws-native:kms:Key", ("rotationPeriodInDays",), 730.0, "kms-key-rotation"),
    ("aws-native:kms:Key", ("keyPolicy", "Statement", 1), PUBLIC_STATEMENT, "kms-key-policy-no-public-principal"),
    ("aws-native:ecr:Repository", ("imageTagMutability",), ..., "ecr-image-tags-immutable"),
    ("aws-native:ecr:Repository", ("imageScanningConfiguration", "scanOnPush"), False, "ecr-scan-on-push"),
    ("aws-native:ecr:Repository", ("encryptionConfiguration",), ..., "ecr-kms-encryption"),
    ("aws-native:ecr:Repository", ("encryptionConfiguration", "kmsKey"), ..., "ecr-kms-encryption"),
    ("aws-native:ecr:Repository", ("repositoryPolicyText", "Statement", 0, "Principal"), "*",
     "ecr-repository-policy-no-wildcard-principal"),
    ("aws-native:sns:Topic", ("kmsMasterKeyId",), "alias/aws/sns", "sns-sqs-kms-encryption"),
    ("aws-native:sqs:Queue", ("kmsMasterKeyId",), ..., "sns-sqs-kms-encryption"),
    ("aws-native:sqs:QueueInlinePolicy", ("policyDocument", "Statement", 0, "Action"), "sqs:*",
     "sqs-policy-no-wildcard-action"),
    ("aws-native:sqs:QueueInlinePolicy", ("policyDocument", "Statement", 0, "Principal"), "*",
     "sns-sqs-policy-no-public-principal"),  # once its aws:SourceArn condition is gone (see below)
    ("aws-native:sns:TopicInlinePolicy", ("policyDocument", "Statement", 0, "Principal"),
     {"AWS": "arn:aws:iam::999999999999:root"}, "sns-topic-policy-no-cross-account"),
    ("aws-native:logs:LogGroup", ("kmsKeyId",), ..., "log-group-kms-encryption"),
    ("aws-native:logs:LogGroup", ("retentionInDays",), ..., "log-group-retention"),
]


@pytest.mark.parametrize("type_", sorted(SERVICES))
def test_compliant_native_services_pass(type_):
    assert broken(SERVICE_RULES, type_, SERVICES[type_]) == {}


@pytest.mark.parametrize("type_, path, value, rule", SERVICE_CHANGES,
                         ids=[f"{t.split(':', 1)[1]}:{'.'.join(map(str, p))}" for t, p, _, _ in SERVICE_CHANGES])
def test_one_service_field_changed_breaks_its_control(type_, path, value, rule):
    props = changed(SERVICES[type_], path, value) if path[-1] != 1 else copy.deepcopy(SERVICES[type_])
    if path[-1] == 1:  # append a statement
        props["keyPolicy"]["Statement"].append(value)
    found = broken(SERVICE_RULES, type_, props)
    if rule == "sns-sqs-policy-no-public-principal":
        # Principal '*' with an aws:SourceArn condition naming our account's rule is restricted: not public.
        assert found == {}
        props["policyDocument"]["Statement"][0].pop("Condition")
        found = broken(SERVICE_RULES, type_, props)
    assert list(found) == [rule] and len(found[rule]) == 1, found


@pytest.mark.parametrize("type_, path, value, rule", SERVICE_CHANGES,
                         ids=[f"{t.split(':', 1)[1]}:{'.'.join(map(str, p))}" for t, p, _, _ in SERVICE_CHANGES])
def test_an_unknown_service_value_is_not_judged(type_, path, value, rule):
    if path[-1] == 1:
        path = ("keyPolicy",)
    assert broken(SERVICE_RULES, type_, changed(SERVICES[type_], path, UNKNOWN)) == {}


def test_key_policies_may_be_json_strings_too():
    import json
    props = {**SERVICES["aws-native:kms:Key"],
             "keyPolicy": json.dumps({"Statement": [KEY_POLICY["Statement"][0], PUBLIC_STATEMENT]})}
    assert list(broken(SERVICE_RULES, "aws-native:kms:Key", props)) == ["kms-key-policy-no-public-principal"]


def test_asymmetric_native_keys_do_not_rotate():
    props = {"keySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY", "keyPolicy": KEY_POLICY}
    assert broken(SERVICE_RULES, "aws-native:kms:Key", props) == {}
    assert broken(SERVICE_RULES, "aws-native:kms:ReplicaKey", {"keyPolicy": KEY_POLICY}) == {}


def test_sqs_managed_encryption_is_accepted_only_when_configured():
    props = {"sqsManagedSseEnabled": True}
    assert list(broken(SERVICE_RULES, "aws-native:sqs:Queue", props)) == ["sns-sqs-kms-encryption"]
    assert broken(SERVICE_RULES, "aws-native:sqs:Queue", props, {"requireCustomerManagedKey": False}) == {}


# --------------------------------------------------------------------------------------------------
# SageMaker notebook instances, Studio domains, endpoint configurations, endpoints and models


from policies.rules import inference, notebooks, sagemaker  # noqa: E402

VPC = {"subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]}
SAGEMAKER = {
    "aws-native:sagemaker:NotebookInstance": {
        "instanceType": "ml.t3.medium", "roleArn": "arn:aws:iam::123456789012:role/nb", "kmsKeyId": KEY,
        "directInternetAccess": "Disabled", "subnetId": "subnet-1", "securityGroupIds": ["sg-1"],
        "rootAccess": "Disabled", "instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "2"}},
    "aws-native:sagemaker:Domain": {"domainName": "ml", "authMode": "IAM", "appNetworkAccessType": "VpcOnly",
                                    "kmsKeyId": KEY, "subnetIds": ["subnet-1"], "vpcId": "vpc-1",
                                    "defaultUserSettings": {"executionRole": "arn:aws:iam::123456789012:role/s"}},
    "aws-native:sagemaker:EndpointConfig": {
        "kmsKeyId": KEY,
        "productionVariants": [{"variantName": "main", "instanceType": "ml.m5.large", "initialInstanceCount": 2.0,
                                "modelName": "m"}],
        "dataCaptureConfig": {"enableCapture": True, "kmsKeyId": KEY, "initialSamplingPercentage": 10.0,
                              "destinationS3Uri": "s3://capture", "captureOptions": [{"captureMode": "Input"}]}},
    "aws-native:sagemaker:Endpoint": {
        "endpointConfigName": "c",
        "deploymentConfig": {"blueGreenUpdatePolicy": {"trafficRoutingConfiguration": {"type": "ALL_AT_ONCE"}},
                             "autoRollbackConfiguration": {"alarms": [{"alarmName": "errors"}]}}},
    "aws-native:sagemaker:Model": {"executionRoleArn": "arn:aws:iam::123456789012:role/m",
                                   "enableNetworkIsolation": True, "vpcConfig": VPC},
}
SAGEMAKER_RULES = [rule for rule in rules_of(inference, notebooks, sagemaker)]
SAGEMAKER_PROD = {"requireDataCapture": True, "requireAutoRollback": True, "minInstanceCount": 2}
SAGEMAKER_CHANGES = [
    ("aws-native:sagemaker:NotebookInstance", ("directInternetAccess",), ..., "sagemaker-notebook-vpc-only"),
    ("aws-native:sagemaker:NotebookInstance", ("rootAccess",), "Enabled", "sagemaker-notebook-no-root-access"),
    ("aws-native:sagemaker:NotebookInstance", ("instanceMetadataServiceConfiguration",), ...,
     "sagemaker-notebook-imdsv2"),
    ("aws-native:sagemaker:NotebookInstance", ("kmsKeyId",), ..., "sagemaker-volume-cmk"),
    ("aws-native:sagemaker:NotebookInstance", ("platformIdentifier",), "notebook-al2-v1",
     "sagemaker-notebook-supported-platform"),
    ("aws-native:sagemaker:Domain", ("appNetworkAccessType",), "PublicInternetOnly", "sagemaker-notebook-vpc-only"),
    ("aws-native:sagemaker:Domain", ("kmsKeyId",), ..., "sagemaker-volume-cmk"),
    ("aws-native:sagemaker:Domain", ("defaultUserSettings", "sharingSettings"), {"notebookOutputOption": "Allowed"},
     "sagemaker-output-cmk"),
    ("aws-native:sagemaker:EndpointConfig", ("kmsKeyId",), ..., "sagemaker-endpoint-config-cmk"),
    ("aws-native:sagemaker:EndpointConfig", ("productionVariants", 0, "enableSsmAccess"), True,
     "sagemaker-endpoint-no-ssm-access"),
    ("aws-native:sagemaker:EndpointConfig", ("dataCaptureConfig", "kmsKeyId"), ..., "sagemaker-data-capture-encrypted"),
    ("aws-native:sagemaker:EndpointConfig", ("dataCaptureConfig",), ..., "sagemaker-data-capture-enabled"),
    ("aws-native:sagemaker:EndpointConfig", ("productionVariants", 0, "initialInstanceCount"), 1.0,
     "sagemaker-endpoint-min-instances"),
    ("aws-native:sagemaker:EndpointConfig", ("asyncInferenceConfig",), {"outputConfig": {"s3OutputPath": "s3://a"}},
     "sagemaker-output-cmk"),
    ("aws-native:sagemaker:Endpoint", ("deploymentConfig", "autoRollbackConfiguration"), ...,
     "sagemaker-endpoint-auto-rollback"),
    ("aws-native:sagemaker:Model", ("enableNetworkIsolation",), False, "sagemaker-network-isolation"),
    ("aws-native:sagemaker:Model", ("vpcConfig",), ..., "sagemaker-vpc-config"),
]


@pytest.mark.parametrize("type_", sorted(SAGEMAKER))
def test_compliant_native_sagemaker_resources_pass(type_):
    assert broken(SAGEMAKER_RULES, type_, SAGEMAKER[type_], SAGEMAKER_PROD) == {}


@pytest.mark.parametrize("type_, path, value, rule", SAGEMAKER_CHANGES,
                         ids=[f"{t.split(':')[-1]}:{'.'.join(map(str, p))}" for t, p, _, _ in SAGEMAKER_CHANGES])
def test_one_sagemaker_field_changed_breaks_its_control(type_, path, value, rule):
    found = broken(SAGEMAKER_RULES, type_, changed(SAGEMAKER[type_], path, value), SAGEMAKER_PROD)
    assert list(found) == [rule] and len(found[rule]) == 1, found


@pytest.mark.parametrize("type_, path, value, rule", SAGEMAKER_CHANGES,
                         ids=[f"{t.split(':')[-1]}:{'.'.join(map(str, p))}" for t, p, _, _ in SAGEMAKER_CHANGES])
def test_an_unknown_sagemaker_value_is_not_judged(type_, path, value, rule):
    assert broken(SAGEMAKER_RULES, type_, changed(SAGEMAKER[type_], path, UNKNOWN), SAGEMAKER_PROD) == {}


def test_the_endpoint_config_message_names_the_native_key_input():
    props = changed(SAGEMAKER["aws-native:sagemaker:EndpointConfig"], ("kmsKeyId",), ...)
    [message] = broken(SAGEMAKER_RULES, "aws-native:sagemaker:EndpointConfig", props)["sagemaker-endpoint-config-cmk"]
    assert message.endswith("set kmsKeyId")


# --------------------------------------------------------------------------------------------------
# S3: a native data bucket (inline settings) logging to a native log bucket, each with a BucketPolicy


from policies.rules import s3  # noqa: E402
from policy_helpers import stack_args, stack_resource, urn_for  # noqa: E402

NATIVE_BUCKET, NATIVE_BUCKET_POLICY = "aws-native:s3:Bucket", "aws-native:s3:BucketPolicy"
BLOCK_ALL = {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
             "restrictPublicBuckets": True}


def tls_document(bucket):
    arn = f"arn:aws:s3:::{bucket}"
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}


def s3_stack():
    """name -> (type, props) of a compliant pulumi-aws-native data bucket and its access-log bucket."""
    return {
        "data": (NATIVE_BUCKET, {
            "bucketName": "data-1", "arn": "arn:aws:s3:::data-1",
            "bucketEncryption": {"serverSideEncryptionConfiguration": [
                {"serverSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY},
                 "bucketKeyEnabled": True}]},
            "publicAccessBlockConfiguration": dict(BLOCK_ALL),
            "versioningConfiguration": {"status": "Enabled"},
            "loggingConfiguration": {"destinationBucketName": "logs-1", "logFilePrefix": "data/"}}),
        "data-policy": (NATIVE_BUCKET_POLICY, {"bucket": "data-1", "policyDocument": tls_document("data-1")}),
        "logs": (NATIVE_BUCKET, {
            "bucketName": "logs-1", "arn": "arn:aws:s3:::logs-1",
            "bucketEncryption": {"serverSideEncryptionConfiguration": [
                {"serverSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]},
            "publicAccessBlockConfiguration": dict(BLOCK_ALL),
            "versioningConfiguration": {"status": "Enabled"}}),
        "logs-policy": (NATIVE_BUCKET_POLICY, {"bucket": "logs-1", "policyDocument": tls_document("logs-1")}),
    }


S3_RULES = [*s3.SECURITY, *s3.PRIVACY, *s3.COMPLIANCE]


def s3_found(spec, deps=None):
    resources = [stack_resource(type_, props, name=name, property_dependencies=(deps or {}).get(name))
                 for name, (type_, props) in spec.items()]
    found = {}
    for policy in S3_RULES:
        if isinstance(policy, StackValidationPolicy):
            messages = violations(policy, stack_args(resources))
        else:
            messages = [m for name, (type_, props) in spec.items()
                        for m in violations(policy, resource_args(type_, props, name=name))]
        if messages:
            found[policy.name] = messages
    return found


S3_CHANGES = [
    ("data", ("bucketEncryption",), ..., "s3-bucket-encryption-cmk"),
    ("data", ("bucketEncryption", "serverSideEncryptionConfiguration", 0, "serverSideEncryptionByDefault"),
     {"sseAlgorithm": "aws:kms"}, "s3-bucket-encryption-cmk"),  # the AWS-managed aws/s3 key
    ("logs", ("bucketEncryption", "serverSideEncryptionConfiguration", 0, "serverSideEncryptionByDefault"),
     {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY}, "s3-bucket-encryption-cmk"),  # a log bucket on SSE-KMS
    ("data", ("publicAccessBlockConfiguration",), ..., "s3-bucket-public-access-block"),
    ("data", ("publicAccessBlockConfiguration", "restrictPublicBuckets"), False, "s3-bucket-public-access-block"),
    ("data", ("versioningConfiguration", "status"), "Suspended", "s3-bucket-versioning"),
    # Without it the log bucket receives no logs: then it too must log, and it may use a customer key.
    ("data", ("loggingConfiguration",), ..., ("s3-bucket-access-logging", "s3-bucket-encryption-cmk")),
    ("data", ("accessControl",), "PublicRead", "s3-bucket-acl-not-public"),
    # An unconditional Deny to everyone: a lockout, and no longer a TLS-only statement.
    ("data-policy", ("policyDocument", "Statement", 0, "Condition"), ...,
     ("s3-bucket-policy-no-lockout", "s3-bucket-tls-only")),
    ("data-policy", ("policyDocument", "Statement", 0, "Effect"), "Allow", "s3-bucket-tls-only"),
    ("data-policy", ("bucket",), "elsewhere", "s3-bucket-tls-only"),
]


def test_a_compliant_native_bucket_pair_passes_every_s3_rule():
    assert s3_found(s3_stack()) == {}


@pytest.mark.parametrize("name, path, value, rule", S3_CHANGES,
                         ids=[f"{n}:{'.'.join(map(str, p))}" for n, p, _, _ in S3_CHANGES])
def test_one_native_bucket_field_changed_breaks_its_control(name, path, value, rule):
    spec = s3_stack()
    spec[name] = (spec[name][0], changed(spec[name][1], path, value))
    found = s3_found(spec)
    if rule == "s3-bucket-tls-only" and path[-1] == "Effect":
        # An Allow to '*' under aws:SecureTransport false is also a public grant.
        assert set(found) == {rule, "s3-bucket-policy-no-public-principal"}, found
        return
    assert set(found) == ({rule} if isinstance(rule, str) else set(rule)), found


#: In a preview an unknown pointer still names where it came from (the engine's property dependencies).
PREVIEW_DEPENDENCIES = {"data-policy": {"bucket": [urn_for(NATIVE_BUCKET, "data")]},
                        "logs-policy": {"bucket": [urn_for(NATIVE_BUCKET, "logs")]},
                        "data": {"loggingConfiguration": [urn_for(NATIVE_BUCKET, "logs")]}}


@pytest.mark.parametrize("name, path, value, rule", S3_CHANGES,
                         ids=[f"{n}:{'.'.join(map(str, p))}" for n, p, _, _ in S3_CHANGES])
def test_an_unknown_native_bucket_value_is_not_judged(name, path, value, rule):
    spec = s3_stack()
    spec[name] = (spec[name][0], changed(spec[name][1], path[:2] if name == "data" else path[:1], UNKNOWN))
    assert s3_found(spec, PREVIEW_DEPENDENCIES) == {}


def test_a_bucket_policy_joins_its_bucket_by_dependency_in_a_preview():
    spec = s3_stack()
    spec["data-policy"] = (NATIVE_BUCKET_POLICY, {**spec["data-policy"][1], "bucket": UNKNOWN})
    deps = {"data-policy": {"bucket": [urn_for(NATIVE_BUCKET, "data")]}}
    assert s3_found(spec, deps) == {}


def test_a_native_bucket_without_a_destination_logs_into_itself():
    spec = s3_stack()
    spec["data"] = (NATIVE_BUCKET, changed(spec["data"][1], ("loggingConfiguration",), {"logFilePrefix": "self/"}))
    assert s3_found(spec)["s3-bucket-access-logging"] == ["Bucket 'logs' has no server access logging."]


# --------------------------------------------------------------------------------------------------
# IAM: policy documents as objects (CloudFormation's PolicyDocument)


from policies.rules import ci_trust, iam, iam_scope, iam_validity  # noqa: E402

READ_BUCKET = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::data-1/*"}]}
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
GITHUB_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Sid": "GitHub", "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
     "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
     "Condition": {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:example-org/ml:ref:refs/heads/main",
                                    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}]}
ADMIN_STATEMENT = {"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"}
IAM_EXAMPLES = {
    "aws-native:iam:Role": {"roleName": "train", "assumeRolePolicyDocument": TRUST,
                            "policies": [{"policyName": "read", "policyDocument": READ_BUCKET}],
                            "managedPolicyArns": ["arn:aws:iam::aws:policy/AmazonSageMakerReadOnly"]},
    "aws-native:iam:ManagedPolicy": {"managedPolicyName": "read", "policyDocument": READ_BUCKET, "roles": ["train"]},
    "aws-native:iam:RolePolicy": {"roleName": "train", "policyName": "read", "policyDocument": READ_BUCKET},
    "aws-native:iam:GroupPolicy": {"groupName": "ml", "policyName": "read", "policyDocument": READ_BUCKET},
    "aws-native:iam:Group": {"groupName": "ml", "policies": [{"policyName": "read", "policyDocument": READ_BUCKET}]},
    "aws-native:iam:User": {"userName": "alice", "groups": ["ml"]},
}
IAM_RULES = rules_of(ci_trust, iam, iam_scope, iam_validity)
IAM_CHANGES = [
    ("aws-native:iam:Role", ("policies", 0, "policyDocument", "Statement", 0), ADMIN_STATEMENT,
     {"iam-no-full-admin-policy", "iam-no-wildcard-action", "iam-no-wildcard-resource", "iam-no-unscoped-write",
      "iam-no-unscoped-permissions-management", "iam-no-credentials-exposure", "iam-no-data-exfiltration"}),
    ("aws-native:iam:ManagedPolicy", ("policyDocument", "Statement", 0),
     {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}, {"iam-no-pass-role-on-all-roles"}),
    ("aws-native:iam:RolePolicy", ("policyDocument", "Statement", 0),
     {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"iam-no-data-service-wildcard"}),
    ("aws-native:iam:GroupPolicy", ("policyDocument", "Statement", 0, "Action"), "s3:GetObjekt", {"iam-actions-exist"}),
    ("aws-native:iam:Group", ("policies", 0, "policyDocument", "Statement", 0, "Action"), "*",
     {"iam-no-wildcard-action"}),
    ("aws-native:iam:Role", ("assumeRolePolicyDocument", "Statement", 0, "Principal"), {"AWS": "*"},
     {"iam-trust-policy-no-wildcard-principal"}),
    ("aws-native:iam:Role", ("managedPolicyArns", 0), "arn:aws:iam::aws:policy/AdministratorAccess",
     {"iam-no-administrator-access"}),
    ("aws-native:iam:User", ("policies",), [{"policyName": "read", "policyDocument": READ_BUCKET}],
     {"iam-user-no-direct-policies"}),
    ("aws-native:iam:ManagedPolicy", ("users",), ["alice"], {"iam-user-no-direct-policies"}),
]


@pytest.mark.parametrize("type_", sorted(IAM_EXAMPLES))
def test_compliant_native_iam_resources_pass(type_):
    assert broken(IAM_RULES, type_, IAM_EXAMPLES[type_]) == {}


@pytest.mark.parametrize("type_, path, value, rules", IAM_CHANGES,
                         ids=[f"{t.split(':')[-1]}:{'.'.join(map(str, p))}" for t, p, _, _ in IAM_CHANGES])
def test_one_native_iam_field_changed_breaks_its_controls(type_, path, value, rules):
    found = broken(IAM_RULES, type_, changed(IAM_EXAMPLES[type_], path, value))
    assert rules <= set(found) and all(name.startswith("iam-") for name in found), found


@pytest.mark.parametrize("type_, path, value, rules", IAM_CHANGES,
                         ids=[f"{t.split(':')[-1]}:{'.'.join(map(str, p))}" for t, p, _, _ in IAM_CHANGES])
def test_an_unknown_native_iam_value_is_not_judged(type_, path, value, rules):
    assert broken(IAM_RULES, type_, changed(IAM_EXAMPLES[type_], path[:1], UNKNOWN)) == {}
    if len(path) > 2:
        assert broken(IAM_RULES, type_, changed(IAM_EXAMPLES[type_], path, UNKNOWN)) == {}


def test_native_documents_may_be_json_strings():
    import json
    role = changed(IAM_EXAMPLES["aws-native:iam:Role"], ("policies", 0, "policyDocument"),
                   json.dumps({"Statement": [ADMIN_STATEMENT]}))
    assert "iam-no-full-admin-policy" in broken(IAM_RULES, "aws-native:iam:Role", role)


def test_a_native_github_trust_must_name_the_repository():
    role = {**IAM_EXAMPLES["aws-native:iam:Role"], "assumeRolePolicyDocument": GITHUB_TRUST}
    assert broken(IAM_RULES, "aws-native:iam:Role", role) == {}
    loose = changed(role, ("assumeRolePolicyDocument", "Statement", 0, "Condition", "StringEquals",
                           "token.actions.githubusercontent.com:sub"), "repo:*")
    assert list(broken(IAM_RULES, "aws-native:iam:Role", loose)) == ["iam-github-oidc-trust-scoped"]


# --------------------------------------------------------------------------------------------------
# Security groups, EKS clusters, Lambda functions (and environment secrets)


from policies.rules import eks, lambda_functions, network, plaintext_secrets  # noqa: E402

COMPUTE = {
    "aws-native:ec2:SecurityGroup": {
        "groupDescription": "web", "vpcId": "vpc-1",
        "securityGroupIngress": [{"ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrIp": "0.0.0.0/0"},
                                 {"ipProtocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrIp": "10.0.0.0/8"}],
        "securityGroupEgress": [{"ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrIp": "0.0.0.0/0"}]},
    "aws-native:ec2:SecurityGroupIngress": {"groupId": "sg-1", "ipProtocol": "tcp", "fromPort": 5432.0,
                                            "toPort": 5432.0, "sourceSecurityGroupId": "sg-2"},
    "aws-native:ec2:SecurityGroupEgress": {"groupId": "sg-1", "ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0,
                                           "cidrIp": "10.0.0.0/8"},
    "aws-native:eks:Cluster": {
        "roleArn": "arn:aws:iam::123456789012:role/eks", "version": eks.SUPPORTED_VERSIONS[-1],
        "resourcesVpcConfig": {"subnetIds": ["subnet-1"], "endpointPublicAccess": False, "endpointPrivateAccess": True},
        "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": KEY}}],
        "logging": {"clusterLogging": {"enabledTypes": [{"type": t} for t in eks.LOG_TYPES]}},
        "accessConfig": {"authenticationMode": "API"}},
    "aws-native:lambda:Function": {
        "role": "arn:aws:iam::123456789012:role/fn", "runtime": "python3.12", "handler": "app.handler",
        "code": {"s3Bucket": "code", "s3Key": "fn.zip"}, "kmsKeyArn": KEY,
        "environment": {"variables": {"STAGE": "prod"}},
        "vpcConfig": {"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]},
        "codeSigningConfigArn": "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-1"},
}
COMPUTE_RULES = rules_of(eks, lambda_functions, network, plaintext_secrets)
COMPUTE_CHANGES = [
    ("aws-native:ec2:SecurityGroup", ("securityGroupIngress", 1, "cidrIp"), "0.0.0.0/0",
     {"security-group-no-public-admin-ingress", "security-group-public-ingress-web-only"}),
    ("aws-native:ec2:SecurityGroup", ("securityGroupIngress", 0), {"ipProtocol": "-1", "cidrIpv6": "::/0"},
     {"security-group-no-public-admin-ingress", "security-group-public-ingress-web-only"}),
    ("aws-native:ec2:SecurityGroup", ("securityGroupEgress", 0, "ipProtocol"), "-1",
     {"security-group-no-unrestricted-egress"}),
    ("aws-native:ec2:SecurityGroup", ("securityGroupEgress",), ..., {"security-group-no-unrestricted-egress"}),
    ("aws-native:ec2:SecurityGroupIngress", ("sourceSecurityGroupId",), ..., set()),  # no source: nothing open
    ("aws-native:ec2:SecurityGroupIngress", ("cidrIp",), "0.0.0.0/0", {"security-group-public-ingress-web-only"}),
    ("aws-native:ec2:SecurityGroupIngress", ("cidrIpv6",), "::/0", {"security-group-public-ingress-web-only"}),
    ("aws-native:ec2:SecurityGroupEgress", ("ipProtocol",), "-1", set()),  # to 10.0.0.0/8 only
    ("aws-native:ec2:SecurityGroupEgress", ("cidrIp",), "0.0.0.0/0", set()),  # tcp 443 only
    ("aws-native:eks:Cluster", ("resourcesVpcConfig", "endpointPublicAccess"), ..., {"eks-endpoint-access"}),
    ("aws-native:eks:Cluster", ("encryptionConfig",), ..., {"eks-secrets-encryption"}),
    ("aws-native:eks:Cluster", ("encryptionConfig", 0, "provider"), ..., {"eks-secrets-encryption"}),
    ("aws-native:eks:Cluster", ("logging", "clusterLogging", "enabledTypes", 1), ..., {"eks-control-plane-logging"}),
    ("aws-native:eks:Cluster", ("accessConfig",), ..., {"eks-access-entries"}),
    ("aws-native:eks:Cluster", ("version",), "1.20", {"eks-supported-version"}),
    ("aws-native:lambda:Function", ("kmsKeyArn",), ..., {"lambda-environment-cmk"}),
    ("aws-native:lambda:Function", ("runtime",), "python3.8", {"lambda-supported-runtime"}),
    ("aws-native:lambda:Function", ("codeSigningConfigArn",), ..., {"lambda-code-signing"}),
    ("aws-native:lambda:Function", ("environment", "variables", "AWS_SECRET_ACCESS_KEY"),
     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", {"no-plaintext-secrets-in-environment"}),
]


@pytest.mark.parametrize("type_", sorted(COMPUTE))
def test_compliant_native_compute_passes(type_):
    assert broken(COMPUTE_RULES, type_, COMPUTE[type_]) == {}


@pytest.mark.parametrize("type_, path, value, rules", COMPUTE_CHANGES,
                         ids=[f"{t.split(':')[-1]}:{'.'.join(map(str, p))}={v!r}" for t, p, v, _ in COMPUTE_CHANGES])
def test_one_native_compute_field_changed_breaks_its_controls(type_, path, value, rules):
    assert set(broken(COMPUTE_RULES, type_, changed(COMPUTE[type_], path, value))) == rules


@pytest.mark.parametrize("type_, path, value, rules", COMPUTE_CHANGES,
                         ids=[f"{t.split(':')[-1]}:{'.'.join(map(str, p))}" for t, p, _, _ in COMPUTE_CHANGES])
def test_an_unknown_native_compute_value_is_not_judged(type_, path, value, rules):
    assert broken(COMPUTE_RULES, type_, changed(COMPUTE[type_], path, UNKNOWN)) == {}
    if len(path) > 1 and not isinstance(path[1], int):
        assert broken(COMPUTE_RULES, type_, changed(COMPUTE[type_], path[:1], UNKNOWN)) == {}


def test_a_native_ingress_resource_open_to_ssh():
    props = {"groupId": "sg-1", "ipProtocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrIp": "0.0.0.0/0"}
    assert set(broken(COMPUTE_RULES, "aws-native:ec2:SecurityGroupIngress", props)) == {
        "security-group-no-public-admin-ingress", "security-group-public-ingress-web-only"}


def test_a_native_group_without_egress_gets_cloudformations_allow_all():
    props = changed(COMPUTE["aws-native:ec2:SecurityGroup"], ("securityGroupEgress",), ...)
    [message] = broken(COMPUTE_RULES, "aws-native:ec2:SecurityGroup", props)["security-group-no-unrestricted-egress"]
    assert "securityGroupEgress is not set, so CloudFormation adds its allow-all rule" in message


def test_a_public_native_eks_endpoint_must_list_cidrs_where_allowed():
    props = changed(COMPUTE["aws-native:eks:Cluster"], ("resourcesVpcConfig", "endpointPublicAccess"), True)
    allowed = {"allowPublicEndpoint": True}
    assert broken([eks.eks_endpoint_access], "aws-native:eks:Cluster", props, allowed) != {}
    props["resourcesVpcConfig"]["publicAccessCidrs"] = ["203.0.113.0/24"]
    assert broken([eks.eks_endpoint_access], "aws-native:eks:Cluster", props, allowed) == {}


def test_a_native_lambda_reaching_a_native_database_runs_in_its_vpc():
    database = stack_resource(DB_INSTANCE, DATA_STORES[DB_INSTANCE], name="db")
    props = changed(COMPUTE["aws-native:lambda:Function"], ("vpcConfig",), ...)
    function = stack_resource("aws-native:lambda:Function", props, name="fn",
                              property_dependencies={"environment": [database.urn]})
    [message] = violations(lambda_functions.lambda_in_vpc_when_reaching_data, stack_args([database, function]))
    assert "reaches the RDS DB instance 'db'" in message


def test_native_task_definitions_and_models_are_searched_for_secrets():
    secret = {"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
    task = {"containerDefinitions": [{"name": "app", "image": "app:1", "environment": [secret]}]}
    model = {"primaryContainer": {"image": "model:1", "environment": {secret["name"]: secret["value"]}}}
    for type_, props in (("aws-native:ecs:TaskDefinition", task), ("aws-native:sagemaker:Model", model)):
        assert list(broken([plaintext_secrets.no_plaintext_secrets_in_environment], type_, props)) == [
            "no-plaintext-secrets-in-environment"]


def test_native_inference_components_own_containers_are_searched_for_secrets():
    environment = {"HF_TOKEN": "hf_" + "a1B2c3D4e5" * 4, "MODEL_ID": "llama-3-8b"}
    rule = plaintext_secrets.no_plaintext_secrets_in_environment
    single = {"endpointName": "llm", "specification": {"container": {"image": "tgi:2", "environment": environment}}}
    [message] = violations(rule, resource_args(sagemaker.INFERENCE_COMPONENT, single))
    assert "specification.container.environment" in message and "HF_TOKEN" in message
    per_type = {"endpointName": "llm", "specifications": [
        {"instanceType": "ml.g5.2xlarge", "container": {"image": "tgi:2", "environment": {"MODEL_ID": "x"}}},
        {"instanceType": "ml.g6.2xlarge", "container": {"image": "tgi:2", "environment": environment}}]}
    [message] = violations(rule, resource_args(sagemaker.INFERENCE_COMPONENT, per_type))
    assert "specifications[1].container.environment" in message
    named = {"endpointName": "llm", "specification": {"modelName": "llm-model"}}
    assert violations(rule, resource_args(sagemaker.INFERENCE_COMPONENT, named)) == []


def test_inference_component_inputs_are_the_sdks():
    from sdk_inputs import assert_inputs_in_sdk
    assert_inputs_in_sdk(sagemaker.INFERENCE_COMPONENT, ["specification", "specifications", "container", "image",
                                                         "environment", "modelName"])


# --------------------------------------------------------------------------------------------------
# Feature groups, model registries, resource policies, function URLs and permissions, tags


from policies.rules import feature_store, model_registry, resource_policies, tags  # noqa: E402

OPEN_STATEMENT = {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
NAMED_STATEMENT = {"Sid": "Reader", "Effect": "Allow", "Principal": {"AWS": ACCOUNT_ROOT},
                   "Action": "sagemaker:DescribeModelPackage", "Resource": "*"}
CLASSIFIED = [{"key": "data-classification", "value": "confidential"}]
MORE = {
    "aws-native:sagemaker:FeatureGroup": {
        "featureGroupName": "users", "recordIdentifierFeatureName": "id", "eventTimeFeatureName": "ts",
        "onlineStoreConfig": {"enableOnlineStore": True, "securityConfig": {"kmsKeyId": KEY},
                              "ttlDuration": {"unit": "Days", "value": 30.0}},
        "offlineStoreConfig": {"s3StorageConfig": {"s3Uri": "s3://offline/users", "kmsKeyId": KEY}},
        "tags": [{"key": "contains-pii", "value": "true"}, *CLASSIFIED]},
    "aws-native:sagemaker:ModelPackageGroup": {
        "modelPackageGroupName": "churn", "tags": CLASSIFIED,
        "modelPackageGroupPolicy": {"Version": "2012-10-17", "Statement": [NAMED_STATEMENT]}},
    "aws-native:secretsmanager:ResourcePolicy": {
        "secretId": "db", "resourcePolicy": {"Version": "2012-10-17", "Statement": [NAMED_STATEMENT]}},
    "aws-native:efs:FileSystem": {"encrypted": True, "kmsKeyId": KEY, "fileSystemTags": CLASSIFIED,
                                  "fileSystemPolicy": {"Version": "2012-10-17", "Statement": [NAMED_STATEMENT]}},
    "aws-native:lambda:Url": {"targetFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
                              "authType": "AWS_IAM", "cors": {"allowOrigins": ["https://app.example.com"],
                                                              "allowMethods": ["*"]}},
    "aws-native:lambda:Permission": {"functionName": "f", "action": "lambda:InvokeFunction",
                                     "principal": "s3.amazonaws.com", "sourceAccount": "123456789012"},
}
MORE_RULES = rules_of(feature_store, model_registry, resource_policies, lambda_functions, tags)
MORE_CONFIG = {"requireModelPackages": False, "requiredTags": []}
MORE_CHANGES = [
    ("aws-native:sagemaker:FeatureGroup", ("onlineStoreConfig", "securityConfig"), ...,
     {"feature-group-online-store-cmk"}),
    ("aws-native:sagemaker:FeatureGroup", ("offlineStoreConfig", "s3StorageConfig", "kmsKeyId"), "alias/aws/s3",
     {"feature-group-offline-store-cmk"}),
    ("aws-native:sagemaker:FeatureGroup", ("onlineStoreConfig", "ttlDuration"), ...,
     {"feature-group-pii-online-ttl"}),
    ("aws-native:sagemaker:FeatureGroup", ("tags", 0), {"key": "team", "value": "ml"}, {"feature-group-pii-declared"}),
    ("aws-native:sagemaker:ModelPackageGroup", ("modelPackageGroupPolicy", "Statement", 0, "Principal"), "*",
     {"model-package-group-policy-no-wildcard-principal"}),
    ("aws-native:sagemaker:ModelPackageGroup", ("tags",), ..., {"data-store-classification"}),
    ("aws-native:secretsmanager:ResourcePolicy", ("resourcePolicy", "Statement", 0), OPEN_STATEMENT,
     {"resource-policy-no-public-principal"}),
    ("aws-native:efs:FileSystem", ("fileSystemPolicy", "Statement", 0), OPEN_STATEMENT,
     {"resource-policy-no-public-principal"}),
    ("aws-native:efs:FileSystem", ("fileSystemTags",), ..., {"data-store-classification"}),
    ("aws-native:lambda:Url", ("authType",), "NONE", {"lambda-function-url-auth"}),
    ("aws-native:lambda:Url", ("cors", "allowOrigins"), ["*"], {"lambda-function-url-cors-restricted"}),
    ("aws-native:lambda:Permission", ("sourceAccount",), ..., {"lambda-permission-restricted"}),
]


@pytest.mark.parametrize("type_", sorted(MORE))
def test_more_compliant_native_resources_pass(type_):
    assert broken(MORE_RULES, type_, MORE[type_], MORE_CONFIG) == {}


@pytest.mark.parametrize("type_, path, value, rules", MORE_CHANGES,
                         ids=[f"{t.split(':')[-1]}:{'.'.join(map(str, p))}" for t, p, _, _ in MORE_CHANGES])
def test_one_more_native_field_changed_breaks_its_control(type_, path, value, rules):
    assert set(broken(MORE_RULES, type_, changed(MORE[type_], path, value), MORE_CONFIG)) == rules


@pytest.mark.parametrize("type_, path, value, rules", MORE_CHANGES,
                         ids=[f"{t.split(':')[-1]}:{'.'.join(map(str, p))}" for t, p, _, _ in MORE_CHANGES])
def test_an_unknown_more_native_value_is_not_judged(type_, path, value, rules):
    assert broken(MORE_RULES, type_, changed(MORE[type_], path, UNKNOWN), MORE_CONFIG) == {}


def test_a_native_model_must_deploy_a_model_package_where_required():
    model = SAGEMAKER["aws-native:sagemaker:Model"]
    config = {**MORE_CONFIG, "requireModelPackages": True}
    raw = {**model, "primaryContainer": {"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1"}}
    assert list(broken(MORE_RULES, "aws-native:sagemaker:Model", raw, config)) == ["sagemaker-model-uses-model-package"]
    packaged = {**model, "primaryContainer": {"modelPackageName": "arn:aws:sagemaker:us-east-1:123456789012:"
                                                                  "model-package/churn/1"}}
    assert broken(MORE_RULES, "aws-native:sagemaker:Model", packaged, config) == {}


# --------------------------------------------------------------------------------------------------
# Launch templates and node groups, VPC flow logs


LAUNCH_TEMPLATE = {"launchTemplateName": "nodes", "launchTemplateData": {
    "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1.0, "httpEndpoint": "enabled"},
    "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": True, "kmsKeyId": KEY,
                                                                "volumeType": "gp3"}}]}}
TEMPLATE_CHANGES = [
    (("launchTemplateData", "metadataOptions", "httpTokens"), "optional", {"launch-template-imdsv2"}),
    (("launchTemplateData", "metadataOptions", "httpPutResponseHopLimit"), 2.0, {"launch-template-metadata-hop-limit"}),
    (("launchTemplateData", "blockDeviceMappings", 0, "ebs", "encrypted"), False, {"launch-template-encrypted-volumes"}),
    (("launchTemplateData", "blockDeviceMappings", 0, "ebs", "kmsKeyId"), ..., {"launch-template-volumes-cmk"}),
    (("launchTemplateData", "blockDeviceMappings"), ..., {"launch-template-encrypted-volumes"}),
]


def test_a_compliant_native_launch_template_passes():
    assert broken(COMPUTE_RULES, "aws-native:ec2:LaunchTemplate", LAUNCH_TEMPLATE) == {}


@pytest.mark.parametrize("path, value, rules", TEMPLATE_CHANGES, ids=lambda v: ".".join(map(str, v))
                         if isinstance(v, tuple) else None)
def test_one_native_launch_template_field_changed(path, value, rules):
    assert set(broken(COMPUTE_RULES, "aws-native:ec2:LaunchTemplate", changed(LAUNCH_TEMPLATE, path, value))) == rules
    assert broken(COMPUTE_RULES, "aws-native:ec2:LaunchTemplate", changed(LAUNCH_TEMPLATE, path, UNKNOWN)) == {}
    assert broken(COMPUTE_RULES, "aws-native:ec2:LaunchTemplate", changed(LAUNCH_TEMPLATE, path[:1], UNKNOWN)) == {}


def test_native_node_groups_allow_no_ssh():
    template = stack_resource("aws-native:ec2:LaunchTemplate", {**LAUNCH_TEMPLATE, "launchTemplateId": "lt-1"},
                              name="nodes")
    group = {"clusterName": "ml", "nodeRole": "arn:aws:iam::123456789012:role/node", "subnets": ["subnet-1"],
             "launchTemplate": {"id": "lt-1"}}
    check = lambda *resources: violations(eks.eks_node_group_no_ssh, stack_args(list(resources)))  # noqa: E731
    assert check(template, stack_resource("aws-native:eks:Nodegroup", group, name="g")) == []
    ssh = stack_resource("aws-native:eks:Nodegroup", {**group, "remoteAccess": {"ec2SshKey": "ops"}}, name="g")
    assert len(check(template, ssh)) == 1
    keyed = stack_resource("aws-native:ec2:LaunchTemplate", changed(
        {**LAUNCH_TEMPLATE, "launchTemplateId": "lt-1"}, ("launchTemplateData", "keyName"), "ops"), name="nodes")
    [message] = check(keyed, stack_resource("aws-native:eks:Nodegroup", group, name="g"))
    assert "sets key pair 'ops'" in message


def test_native_vpcs_have_flow_logs():
    vpc = stack_resource("aws-native:ec2:Vpc", {"cidrBlock": "10.0.0.0/16", "vpcId": "vpc-1"}, name="main")
    flow = stack_resource("aws-native:ec2:FlowLog", {"resourceId": "vpc-1", "resourceType": "VPC",
                                                     "trafficType": "ALL", "logDestinationType": "s3",
                                                     "logDestination": "arn:aws:s3:::flow-logs"}, name="flow")
    assert violations(network.vpc_flow_logs, stack_args([vpc, flow])) == []
    assert violations(network.vpc_flow_logs, stack_args([vpc])) == ["VPC 'main' has no flow log."]
    preview = stack_resource("aws-native:ec2:FlowLog", {"resourceId": UNKNOWN, "resourceType": "VPC"}, name="flow",
                             property_dependencies={"resourceId": [vpc.urn]})
    assert violations(network.vpc_flow_logs, stack_args([vpc, preview])) == []


# --------------------------------------------------------------------------------------------------
# ECS, EC2 instances, tracing, trails and secret rotation


from policies.rules import audit, compute, ecs  # noqa: E402

WORKLOADS = {
    "aws-native:ecs:TaskDefinition": {
        "family": "serve", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
        "executionRoleArn": "arn:aws:iam::123456789012:role/exec", "taskRoleArn": "arn:aws:iam::123456789012:role/task",
        "containerDefinitions": [{"name": "app", "image": "app:1", "user": "1000", "readonlyRootFilesystem": True,
                                  "privileged": False, "logConfiguration": {"logDriver": "awslogs"}}],
        "volumes": [{"name": "models", "efsVolumeConfiguration": {"filesystemId": "fs-1",
                                                                   "transitEncryption": "ENABLED"}}]},
    "aws-native:ecs:Service": {"cluster": "ml", "networkConfiguration": {"awsvpcConfiguration": {
        "subnets": ["subnet-1"], "assignPublicIp": "DISABLED"}}},
    "aws-native:ec2:Instance": {
        "imageId": "ami-1", "instanceType": "m5.large", "subnetId": "subnet-1",
        "metadataOptions": {"httpTokens": "required", "httpEndpoint": "enabled"},
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": True, "kmsKeyId": KEY}}]},
    "aws-native:cloudtrail:Trail": {"isLogging": True, "s3BucketName": "trail", "kmsKeyId": KEY,
                                    "cloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:t:*"},
    "aws-native:secretsmanager:RotationSchedule": {"secretId": "db", "rotationRules": {"automaticallyAfterDays": 30.0}},
    "aws-native:apigateway:Stage": {"restApiId": "api", "stageName": "prod", "tracingEnabled": True},
    "aws-native:stepfunctions:StateMachine": {"roleArn": "arn:aws:iam::123456789012:role/sfn",
                                              "tracingConfiguration": {"enabled": True}},
}
WORKLOAD_RULES = rules_of(audit, compute, ecs)
WORKLOAD_CHANGES = [
    ("aws-native:ecs:TaskDefinition", ("containerDefinitions", 0, "privileged"), True,
     {"ecs-task-no-privileged-containers"}),
    ("aws-native:ecs:TaskDefinition", ("containerDefinitions", 0, "user"), "root", {"ecs-task-non-root-user"}),
    ("aws-native:ecs:TaskDefinition", ("containerDefinitions", 0, "readonlyRootFilesystem"), ...,
     {"ecs-task-read-only-root-filesystem"}),
    ("aws-native:ecs:TaskDefinition", ("networkMode",), "host", {"ecs-task-no-host-network"}),
    ("aws-native:ecs:TaskDefinition", ("pidMode",), "host", {"ecs-task-no-host-pid-ipc"}),
    ("aws-native:ecs:TaskDefinition", ("volumes", 0, "efsVolumeConfiguration", "transitEncryption"), ...,
     {"ecs-task-efs-transit-encryption"}),
    ("aws-native:ecs:TaskDefinition", ("taskRoleArn",), "arn:aws:iam::123456789012:role/exec",
     {"ecs-task-separate-execution-role"}),
    ("aws-native:ecs:Service", ("networkConfiguration", "awsvpcConfiguration", "assignPublicIp"), "ENABLED",
     {"ecs-service-no-public-ip"}),
    ("aws-native:ec2:Instance", ("metadataOptions", "httpTokens"), "optional", {"ec2-imdsv2-required"}),
    ("aws-native:ec2:Instance", ("blockDeviceMappings", 0, "ebs", "encrypted"), ..., {"ec2-volumes-encrypted"}),
    ("aws-native:ec2:Instance", ("networkInterfaces",), [{"deviceIndex": "0", "associatePublicIpAddress": True}],
     {"ec2-no-public-ip"}),
    ("aws-native:cloudtrail:Trail", ("cloudWatchLogsLogGroupArn",), ..., {"cloudtrail-cloudwatch-logs"}),
    ("aws-native:secretsmanager:RotationSchedule", ("rotationRules",), {"scheduleExpression": "rate(180 days)"},
     {"secret-rotation-interval"}),
    ("aws-native:apigateway:Stage", ("tracingEnabled",), ..., {"xray-tracing-enabled"}),
    ("aws-native:stepfunctions:StateMachine", ("tracingConfiguration", "enabled"), False, {"xray-tracing-enabled"}),
]


@pytest.mark.parametrize("type_", sorted(WORKLOADS))
def test_compliant_native_workloads_pass(type_):
    assert broken(WORKLOAD_RULES, type_, WORKLOADS[type_]) == {}


@pytest.mark.parametrize("type_, path, value, rules", WORKLOAD_CHANGES,
                         ids=[f"{t.split(':')[-1]}:{'.'.join(map(str, p))}" for t, p, _, _ in WORKLOAD_CHANGES])
def test_one_native_workload_field_changed_breaks_its_control(type_, path, value, rules):
    assert set(broken(WORKLOAD_RULES, type_, changed(WORKLOADS[type_], path, value))) == rules


@pytest.mark.parametrize("type_, path, value, rules", WORKLOAD_CHANGES,
                         ids=[f"{t.split(':')[-1]}:{'.'.join(map(str, p))}" for t, p, _, _ in WORKLOAD_CHANGES])
def test_an_unknown_native_workload_value_is_not_judged(type_, path, value, rules):
    assert broken(WORKLOAD_RULES, type_, changed(WORKLOADS[type_], path, UNKNOWN)) == {}


def test_a_native_instance_from_a_launch_template_takes_its_settings():
    props = {"launchTemplate": {"launchTemplateId": "lt-1", "version": "1"}, "subnetId": "subnet-1"}
    assert broken(WORKLOAD_RULES, "aws-native:ec2:Instance", props) == {}
    assert set(broken(WORKLOAD_RULES, "aws-native:ec2:Instance", {"imageId": "ami-1"})) == {
        "ec2-imdsv2-required", "ec2-volumes-encrypted"}


def test_a_native_launch_template_asking_for_a_public_ip():
    props = changed(LAUNCH_TEMPLATE, ("launchTemplateData", "networkInterfaces"),
                    [{"deviceIndex": 0.0, "associatePublicIpAddress": True}])
    [message] = broken(WORKLOAD_RULES, "aws-native:ec2:LaunchTemplate", props)["ec2-no-public-ip"]
    assert "launchTemplateData.networkInterfaces[0].associatePublicIpAddress is true" in message


# --------------------------------------------------------------------------------------------------
# Load balancers


from policies.rules import load_balancers  # noqa: E402

LB = "aws-native:elasticloadbalancingv2:LoadBalancer"
LISTENER = "aws-native:elasticloadbalancingv2:Listener"
BALANCING = {
    LB: {"name": "api", "type": "application", "scheme": "internal", "subnets": ["subnet-1", "subnet-2"],
         "loadBalancerAttributes": [{"key": "routing.http.drop_invalid_header_fields.enabled", "value": "true"},
                                    {"key": "access_logs.s3.enabled", "value": "true"},
                                    {"key": "access_logs.s3.bucket", "value": "lb-logs"}]},
    LISTENER: {"loadBalancerArn": "arn:lb", "port": 443.0, "protocol": "HTTPS",
               "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
               "certificates": [{"certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/1"}],
               "defaultActions": [{"type": "forward", "targetGroupArn": "arn:tg"}]},
}
LB_RULES = rules_of(load_balancers)
LB_CHANGES = [
    (LB, ("scheme",), ..., {"lb-internal-unless-declared-public"}),
    (LB, ("loadBalancerAttributes", 0, "value"), "false", {"lb-drop-invalid-headers"}),
    (LB, ("loadBalancerAttributes", 1, "value"), "false", {"lb-access-logs"}),
    (LB, ("loadBalancerAttributes",), ..., {"lb-drop-invalid-headers", "lb-access-logs"}),
    (LISTENER, ("sslPolicy",), ..., {"lb-listener-tls-policy"}),
    (LISTENER, ("protocol",), "HTTP", {"lb-listener-https"}),
]


@pytest.mark.parametrize("type_", sorted(BALANCING))
def test_compliant_native_load_balancing_passes(type_):
    assert broken(LB_RULES, type_, BALANCING[type_]) == {}


@pytest.mark.parametrize("type_, path, value, rules", LB_CHANGES,
                         ids=[f"{t.split(':')[-1]}:{'.'.join(map(str, p))}" for t, p, _, _ in LB_CHANGES])
def test_one_native_load_balancing_field_changed(type_, path, value, rules):
    assert set(broken(LB_RULES, type_, changed(BALANCING[type_], path, value))) == rules
    assert broken(LB_RULES, type_, changed(BALANCING[type_], path, UNKNOWN)) == {}


def test_a_native_http_listener_that_redirects_to_https_passes():
    props = {"loadBalancerArn": "arn:lb", "port": 80.0, "protocol": "HTTP", "defaultActions": [
        {"type": "redirect", "redirectConfig": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}]}
    assert broken(LB_RULES, LISTENER, props) == {}


def test_a_public_native_load_balancer_may_be_declared_public():
    props = {**changed(BALANCING[LB], ("scheme",), "internet-facing"), "tags": [{"key": "public", "value": "true"}]}
    assert broken(LB_RULES, LB, props) == {}


# --------------------------------------------------------------------------------------------------
# GPU node groups


from policies.rules import gpu  # noqa: E402

GPU_GROUP = {"clusterName": "ml", "nodeRole": "arn:aws:iam::123456789012:role/node", "subnets": ["subnet-1"],
             "instanceTypes": ["g5.2xlarge"], "scalingConfig": {"minSize": 0.0, "maxSize": 2.0, "desiredSize": 0.0},
             "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}]}


def test_native_gpu_node_groups_are_tainted_allowed_and_capped():
    group = stack_resource("aws-native:eks:Nodegroup", GPU_GROUP, name="gpu")
    assert violations(gpu.gpu_node_group_tainted, stack_args([group])) == []
    assert violations(gpu.gpu_capacity_cap, stack_args([group]), ) == []
    untainted = stack_resource("aws-native:eks:Nodegroup", changed(GPU_GROUP, ("taints",), []), name="gpu")
    assert len(violations(gpu.gpu_node_group_tainted, stack_args([untainted]))) == 1
    big = stack_resource("aws-native:eks:Nodegroup", changed(GPU_GROUP, ("scalingConfig", "maxSize"), 64.0), name="gpu")
    assert len(violations(gpu.gpu_capacity_cap, stack_args([big]))) == 1
    assert broken([gpu.gpu_instance_types_allowed], "aws-native:eks:Nodegroup", GPU_GROUP) == {}
    assert broken([gpu.gpu_instance_types_allowed], "aws-native:eks:Nodegroup",
                  changed(GPU_GROUP, ("instanceTypes",), ["p5.48xlarge"])) != {}
    template = changed(LAUNCH_TEMPLATE, ("launchTemplateData", "instanceType"), "p4d.24xlarge")
    assert broken([gpu.gpu_instance_types_allowed], "aws-native:ec2:LaunchTemplate", template) != {}
    assert broken([gpu.gpu_instance_types_allowed], "aws-native:ec2:LaunchTemplate",
                  changed(template, ("launchTemplateData",), UNKNOWN)) == {}


# --------------------------------------------------------------------------------------------------
# API Gateway


from policies.rules import apigateway_logging, edge  # noqa: E402

LOG_GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:api"
API = {
    "aws-native:apigateway:Stage": {"restApiId": "api", "stageName": "prod", "tracingEnabled": True,
                                    "accessLogSetting": {"destinationArn": LOG_GROUP_ARN, "format": "$context.requestId"},
                                    "methodSettings": [{"httpMethod": "*", "resourcePath": "/*",
                                                        "loggingLevel": "ERROR", "metricsEnabled": True}]},
    "aws-native:apigatewayv2:Stage": {"apiId": "api", "stageName": "prod",
                                      "accessLogSettings": {"destinationArn": LOG_GROUP_ARN}},
    "aws-native:apigateway:Method": {"restApiId": "api", "resourceId": "r", "httpMethod": "POST",
                                     "authorizationType": "AWS_IAM"},
    "aws-native:apigatewayv2:Route": {"apiId": "api", "routeKey": "POST /predict", "authorizationType": "JWT",
                                      "authorizerId": "a"},
    "aws-native:apigateway:DomainName": {"domainName": "api.example.com", "securityPolicy": "TLS_1_2"},
}
API_RULES = rules_of(edge, audit)
API_CHANGES = [
    ("aws-native:apigateway:Stage", ("accessLogSetting",), ..., {"apigateway-stage-access-logs"}),
    ("aws-native:apigatewayv2:Stage", ("accessLogSettings", "destinationArn"), ..., {"apigateway-stage-access-logs"}),
    ("aws-native:apigateway:Method", ("authorizationType",), ..., {"apigateway-authorization"}),
    ("aws-native:apigatewayv2:Route", ("authorizationType",), "NONE", {"apigateway-authorization"}),
    ("aws-native:apigateway:DomainName", ("securityPolicy",), "TLS_1_0", {"apigateway-domain-tls"}),
]


@pytest.mark.parametrize("type_", sorted(API))
def test_compliant_native_apis_pass(type_):
    assert broken(API_RULES, type_, API[type_]) == {}


@pytest.mark.parametrize("type_, path, value, rules", API_CHANGES,
                         ids=[f"{t.split(':', 1)[1]}:{'.'.join(map(str, p))}" for t, p, _, _ in API_CHANGES])
def test_one_native_api_field_changed(type_, path, value, rules):
    assert set(broken(API_RULES, type_, changed(API[type_], path, value))) == rules
    assert broken(API_RULES, type_, changed(API[type_], path, UNKNOWN)) == {}


def test_native_rest_stages_log_executions_through_their_method_settings():
    check = lambda props: violations(apigateway_logging.apigateway_execution_logging,  # noqa: E731
                                     stack_args([stack_resource("aws-native:apigateway:Stage", props, name="prod")]))
    stage = API["aws-native:apigateway:Stage"]
    assert check(stage) == []
    assert check(changed(stage, ("methodSettings", 0, "loggingLevel"), "OFF")) == [
        "aws-native:apigateway:Stage 'prod' writes no execution logs: its methodSettings log at OFF"]
    assert len(check(changed(stage, ("methodSettings",), ...))) == 1
    assert check(changed(stage, ("methodSettings",), UNKNOWN)) == []
    assert check(changed(stage, ("methodSettings", 0, "loggingLevel"), UNKNOWN)) == []


# --------------------------------------------------------------------------------------------------
# Model monitoring, vector stores, Bedrock agents


import json  # noqa: E402

from policies.rules import bedrock, monitoring, vector_stores  # noqa: E402


def test_a_native_endpoint_that_captures_data_needs_a_data_quality_schedule():
    config = stack_resource("aws-native:sagemaker:EndpointConfig",
                            {**SAGEMAKER["aws-native:sagemaker:EndpointConfig"], "endpointConfigName": "churn-config"},
                            name="config")
    endpoint = stack_resource("aws-native:sagemaker:Endpoint", {"endpointConfigName": "churn-config",
                                                                "endpointName": "churn"}, name="endpoint")
    definition = stack_resource("aws-native:sagemaker:DataQualityJobDefinition", {
        "jobDefinitionName": "churn-dq", "dataQualityJobInput": {"endpointInput": {
            "endpointName": "churn", "localPath": "/opt/ml/processing/input"}}}, name="dq")
    schedule = stack_resource("aws-native:sagemaker:MonitoringSchedule", {"monitoringScheduleConfig": {
        "monitoringJobDefinitionName": "churn-dq", "monitoringType": "DataQuality",
        "scheduleConfig": {"scheduleExpression": "cron(0 * ? * * *)"}}}, name="schedule")
    rule, config_on = monitoring.sagemaker_endpoint_data_quality_monitor, {"requireDataQualityMonitor": True}
    assert violations(rule, stack_args([config, endpoint, definition, schedule], config_on)) == []
    [message] = violations(rule, stack_args([config, endpoint, definition], config_on))
    assert "no data-quality monitoring schedule watches it" in message
    inline = stack_resource("aws-native:sagemaker:MonitoringSchedule", {"monitoringScheduleConfig": {
        "monitoringType": "DataQuality", "monitoringJobDefinition": {"monitoringInputs": [
            {"endpointInput": {"endpointName": "churn", "localPath": "/opt/ml/processing/input"}}]}}}, name="inline")
    assert violations(rule, stack_args([config, endpoint, inline], config_on)) == []


ENCRYPTION_POLICY = {"type": "encryption", "name": "vectors", "policy": json.dumps(
    {"Rules": [{"ResourceType": "collection", "Resource": ["collection/vectors"]}], "AWSOwnedKey": False,
     "KmsARN": KEY})}
NETWORK_POLICY = {"type": "network", "name": "vectors", "policy": json.dumps(
    [{"Rules": [{"ResourceType": "collection", "Resource": ["collection/vectors"]}], "AllowFromPublic": False,
      "SourceServices": ["bedrock.amazonaws.com"]}])}
ACCESS = {"type": "data", "name": "vectors", "policy": json.dumps(
    [{"Rules": [{"ResourceType": "index", "Resource": ["index/vectors/*"], "Permission": ["aoss:ReadDocument"]}],
      "Principal": ["arn:aws:iam::123456789012:role/kb"]}])}


def test_native_opensearch_serverless_policies():
    rules = rules_of(vector_stores)
    for type_, props in (("aws-native:opensearchserverless:SecurityPolicy", ENCRYPTION_POLICY),
                         ("aws-native:opensearchserverless:SecurityPolicy", NETWORK_POLICY),
                         ("aws-native:opensearchserverless:AccessPolicy", ACCESS)):
        assert broken(rules, type_, props) == {}
        assert broken(rules, type_, {**props, "policy": UNKNOWN}) == {}
    owned = {**ENCRYPTION_POLICY, "policy": ENCRYPTION_POLICY["policy"].replace('"AWSOwnedKey": false',
                                                                                '"AWSOwnedKey": true')}
    assert list(broken(rules, "aws-native:opensearchserverless:SecurityPolicy", owned)) == ["opensearch-serverless-cmk"]
    public = {**NETWORK_POLICY, "policy": NETWORK_POLICY["policy"].replace('"AllowFromPublic": false',
                                                                          '"AllowFromPublic": true')}
    assert list(broken(rules, "aws-native:opensearchserverless:SecurityPolicy", public)) == [
        "opensearch-serverless-not-public"]
    everyone = {**ACCESS, "policy": ACCESS["policy"].replace('["arn:aws:iam::123456789012:role/kb"]', '["*"]')}
    assert list(broken(rules, "aws-native:opensearchserverless:AccessPolicy", everyone)) == [
        "opensearch-serverless-access-named-principals"]


def test_a_native_bedrock_agent_has_a_guardrail_and_a_customer_key():
    agent = {"agentName": "support", "foundationModel": "anthropic.claude", "customerEncryptionKeyArn": KEY,
             "guardrailConfiguration": {"guardrailIdentifier": "gr-1", "guardrailVersion": "1"}}
    rules = [bedrock.bedrock_agent_guardrail, data_store_customer_managed_key]
    assert broken(rules, "aws-native:bedrock:Agent", agent) == {}
    assert list(broken(rules, "aws-native:bedrock:Agent", changed(agent, ("guardrailConfiguration",), ...))) == [
        "bedrock-agent-guardrail"]
    assert broken(rules, "aws-native:bedrock:Agent", changed(agent, ("guardrailConfiguration",), UNKNOWN)) == {}
    assert list(broken(rules, "aws-native:bedrock:Agent", changed(agent, ("customerEncryptionKeyArn",), ...))) == [
        "data-store-customer-managed-key"]
    used = stack_resource("aws-native:bedrock:Agent", agent, name="support")
    assert len(violations(bedrock.bedrock_invocation_logging, stack_args([used]))) == 1


# --------------------------------------------------------------------------------------------------
# Database settings, access points and ownership controls, Redshift


from policies.rules import databases, public_access  # noqa: E402

REDSHIFT = {"clusterType": "multi-node", "nodeType": "ra3.xlplus", "dbName": "dw", "masterUsername": "admin",
            "encrypted": True, "kmsKeyId": KEY, "publiclyAccessible": False, "enhancedVpcRouting": True,
            "automatedSnapshotRetentionPeriod": 7.0, "loggingProperties": {"logDestinationType": "cloudwatch",
                                                                         "logExports": ["connectionlog"]}}
SETTINGS = {
    "aws-native:rds:DbParameterGroup": {"family": "postgres16", "description": "tls",
                                        "parameters": {"rds.force_ssl": "1"}},
    "aws-native:rds:DbClusterParameterGroup": {"family": "aurora-mysql8.0", "description": "tls",
                                               "parameters": {"require_secure_transport": "ON"}},
    "aws-native:redshift:ClusterParameterGroup": {"parameterGroupFamily": "redshift-1.0", "description": "tls",
                                                  "parameters": [{"parameterName": "require_ssl",
                                                                  "parameterValue": "true"}]},
    "aws-native:opensearchservice:Domain": {**DATA_STORES[SEARCH], "advancedSecurityOptions": {"enabled": True}},
    "aws-native:elasticache:ReplicationGroup": {**DATA_STORES["aws-native:elasticache:ReplicationGroup"],
                                                "userGroupIds": ["ug-1"]},
    "aws-native:memorydb:Cluster": {"clusterName": "c", "nodeType": "db.r7g.large", "aclName": "app"},
    DB_INSTANCE: {**DATA_STORES[DB_INSTANCE], "caCertificateIdentifier": "rds-ca-rsa2048-g1", "engineVersion": "16.4"},
    "aws-native:redshift:Cluster": REDSHIFT,
    "aws-native:s3:AccessPoint": {"bucket": "data-1", "publicAccessBlockConfiguration": dict(BLOCK_ALL)},
    "aws-native:s3:Bucket": {"ownershipControls": {"rules": [{"objectOwnership": "BucketOwnerEnforced"}]}},
}
SETTINGS_RULES = rules_of(databases, public_access, __import__("policies.rules.data_stores", fromlist=["x"]))
SETTINGS_CHANGES = [
    ("aws-native:rds:DbParameterGroup", ("parameters", "rds.force_ssl"), "0", {"db-parameter-group-tls-not-disabled"}),
    ("aws-native:rds:DbClusterParameterGroup", ("parameters", "require_secure_transport"), "OFF",
     {"db-parameter-group-tls-not-disabled"}),
    ("aws-native:redshift:ClusterParameterGroup", ("parameters", 0, "parameterValue"), "false",
     {"db-parameter-group-tls-not-disabled"}),
    ("aws-native:opensearchservice:Domain", ("advancedSecurityOptions",), ...,
     {"opensearch-fine-grained-access-control"}),
    ("aws-native:elasticache:ReplicationGroup", ("userGroupIds",), ..., {"cache-authentication"}),
    ("aws-native:memorydb:Cluster", ("aclName",), "open-access", {"cache-authentication"}),
    (DB_INSTANCE, ("caCertificateIdentifier",), "rds-ca-2019", {"rds-ca-certificate-current"}),
    (DB_INSTANCE, ("engineVersion",), "13.2", {"rds-postgres-patched-version"}),
    ("aws-native:redshift:Cluster", ("enhancedVpcRouting",), ..., {"redshift-enhanced-vpc-routing"}),
    ("aws-native:redshift:Cluster", ("publiclyAccessible",), True, {"data-store-not-public"}),
    ("aws-native:redshift:Cluster", ("kmsKeyId",), ..., {"data-store-customer-managed-key"}),
    ("aws-native:s3:AccessPoint", ("publicAccessBlockConfiguration", "blockPublicPolicy"), False,
     {"s3-access-point-public-access-block"}),
    ("aws-native:s3:Bucket", ("ownershipControls", "rules", 0, "objectOwnership"), "ObjectWriter",
     {"s3-bucket-acls-disabled"}),
]


@pytest.mark.parametrize("type_", sorted(SETTINGS))
def test_compliant_native_settings_pass(type_):
    assert broken(SETTINGS_RULES, type_, SETTINGS[type_]) == {}


@pytest.mark.parametrize("type_, path, value, rules", SETTINGS_CHANGES,
                         ids=[f"{t.split(':', 1)[1]}:{'.'.join(map(str, p))}" for t, p, _, _ in SETTINGS_CHANGES])
def test_one_native_setting_changed(type_, path, value, rules):
    assert set(broken(SETTINGS_RULES, type_, changed(SETTINGS[type_], path, value))) == rules
    assert broken(SETTINGS_RULES, type_, changed(SETTINGS[type_], path, UNKNOWN)) == {}


def test_native_redshift_clusters_write_audit_logs():
    cluster = lambda props: stack_resource("aws-native:redshift:Cluster", props, name="dw")  # noqa: E731
    assert violations(audit.redshift_audit_logging, stack_args([cluster(REDSHIFT)])) == []
    assert len(violations(audit.redshift_audit_logging,
                          stack_args([cluster(changed(REDSHIFT, ("loggingProperties",), ...))]))) == 1
    assert violations(audit.redshift_audit_logging,
                      stack_args([cluster(changed(REDSHIFT, ("loggingProperties",), UNKNOWN))])) == []



def test_native_subnets_map_public_ips_only_behind_an_internet_gateway():
    gateway = stack_resource("aws-native:ec2:InternetGateway", {"internetGatewayId": "igw-1"}, name="igw")
    table = stack_resource("aws-native:ec2:RouteTable", {"vpcId": "vpc-1", "routeTableId": "rtb-1"}, name="public")
    route = stack_resource("aws-native:ec2:Route", {"routeTableId": "rtb-1", "destinationCidrBlock": "0.0.0.0/0",
                                                    "gatewayId": "igw-1"}, name="default")
    subnet = stack_resource("aws-native:ec2:Subnet", {"vpcId": "vpc-1", "cidrBlock": "10.0.0.0/24",
                                                      "mapPublicIpOnLaunch": True, "subnetId": "subnet-1"}, name="web")
    association = stack_resource("aws-native:ec2:SubnetRouteTableAssociation",
                                 {"subnetId": "subnet-1", "routeTableId": "rtb-1"}, name="web")
    rule = network.subnet_public_ip_only_in_public_subnets
    assert violations(rule, stack_args([gateway, table, route, subnet, association])) == []
    [message] = violations(rule, stack_args([gateway, table, subnet, association]))
    assert "its route table has no route to an internet gateway" in message
    private = stack_resource("aws-native:ec2:Subnet", {"vpcId": "vpc-1", "mapPublicIpOnLaunch": True,
                                                       "subnetId": "subnet-1",
                                                       "tags": [{"key": "Name", "value": "private-a"}]}, name="a")
    [message] = violations(rule, stack_args([gateway, table, route, private, association]))
    assert "its name or tags say 'private'" in message



def test_native_trails_clusters_state_machines_load_balancers_and_secrets_in_the_edge_rules():
    rules = rules_of(edge)
    trail = {"isLogging": True, "s3BucketName": "trail", "isMultiRegionTrail": True, "enableLogFileValidation": True}
    assert broken(rules, "aws-native:cloudtrail:Trail", trail) == {}
    assert set(broken(rules, "aws-native:cloudtrail:Trail", {"isLogging": True, "s3BucketName": "t"})) == {
        "cloudtrail-multi-region", "cloudtrail-log-file-validation"}
    cluster = {"clusterSettings": [{"name": "containerInsights", "value": "enhanced"}]}
    assert broken(rules, "aws-native:ecs:Cluster", cluster) == {}
    assert list(broken(rules, "aws-native:ecs:Cluster", {})) == ["ecs-cluster-container-insights"]
    machine = {"roleArn": "arn:r", "loggingConfiguration": {"level": "ERROR", "destinations": []}}
    assert broken(rules, "aws-native:stepfunctions:StateMachine", machine) == {}
    assert list(broken(rules, "aws-native:stepfunctions:StateMachine", {"roleArn": "arn:r"})) == ["stepfunctions-logging"]
    balancer = changed(BALANCING[LB], ("loadBalancerAttributes",), [{"key": "deletion_protection.enabled",
                                                                      "value": "true"}])
    assert broken([edge.lb_deletion_protection], LB, balancer) == {}
    assert list(broken([edge.lb_deletion_protection], LB, BALANCING[LB])) == ["lb-deletion-protection"]
    secret = stack_resource(SECRET, {"name": "db", "awsId": "arn:aws:secretsmanager:us-east-1:1:secret:db"}, name="db")
    rotation = stack_resource("aws-native:secretsmanager:RotationSchedule", {"secretId": secret.urn}, name="rot",
                              property_dependencies={"secretId": [secret.urn]})
    assert violations(edge.secret_rotation, stack_args([secret, rotation])) == []
    assert len(violations(edge.secret_rotation, stack_args([secret]))) == 1



from policies.rules import edge_protection, response_headers  # noqa: E402

DISTRIBUTION = {"distributionConfig": {
    "enabled": True, "webAclId": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/w/1",
    "defaultCacheBehavior": {"targetOriginId": "api", "viewerProtocolPolicy": "redirect-to-https"},
    "cacheBehaviors": [{"pathPattern": "/models/*", "targetOriginId": "models", "viewerProtocolPolicy": "https-only"}],
    "viewerCertificate": {"acmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/1",
                          "minimumProtocolVersion": "TLSv1.2_2021", "sslSupportMethod": "sni-only"},
    "logging": {"bucket": "cf-logs.s3.amazonaws.com"},
    "origins": [{"id": "api", "domainName": "api.example.com",
                 "customOriginConfig": {"originProtocolPolicy": "https-only", "originSslProtocols": ["TLSv1.2"]}},
                {"id": "models", "domainName": "models.s3.us-east-1.amazonaws.com", "originAccessControlId": "oac-1",
                 "s3OriginConfig": {"originAccessIdentity": ""}}]}}
CLOUDFRONT_CHANGES = [
    (("distributionConfig", "cacheBehaviors", 0, "viewerProtocolPolicy"), "allow-all",
     {"cloudfront-https-only"}),
    (("distributionConfig", "viewerCertificate"), ..., {"cloudfront-tls-policy"}),  # the default certificate
    (("distributionConfig", "viewerCertificate", "minimumProtocolVersion"), "TLSv1", {"cloudfront-tls-policy"}),
    (("distributionConfig", "webAclId"), ..., {"cloudfront-waf"}),
    (("distributionConfig", "origins", 0, "customOriginConfig", "originProtocolPolicy"), "http-only",
     {"cloudfront-origin-tls"}),
    (("distributionConfig", "origins", 1, "originAccessControlId"), ..., {"cloudfront-s3-origin-access"}),
]


def test_native_cloudfront_distributions():
    rules = rules_of(edge, edge_protection)
    native = "aws-native:cloudfront:Distribution"
    assert broken(rules, native, DISTRIBUTION) == {}
    assert broken(rules, native, {"distributionConfig": UNKNOWN}) == {}
    for path, value, expected in CLOUDFRONT_CHANGES:
        found = set(broken(rules, native, changed(DISTRIBUTION, path, value)))
        assert found == expected, (path, found)
        assert broken(rules, native, changed(DISTRIBUTION, path, UNKNOWN)) == {}, path
    logs = lambda props: violations(edge_protection.cloudfront_access_logging,  # noqa: E731
                                    stack_args([stack_resource(native, props, name="cdn")]))
    assert logs(DISTRIBUTION) == []
    assert len(logs(changed(DISTRIBUTION, ("distributionConfig", "logging"), ...))) == 1


def test_a_native_response_headers_policy_sends_hsts():
    policy = {"responseHeadersPolicyConfig": {"name": "hsts", "securityHeadersConfig": {"strictTransportSecurity": {
        "accessControlMaxAgeSec": 63072000.0, "includeSubdomains": True, "override": True, "preload": True}}}}
    rules = [response_headers.cloudfront_hsts]
    native = "aws-native:cloudfront:ResponseHeadersPolicy"
    assert broken(rules, native, policy) == {}
    weak = changed(policy, ("responseHeadersPolicyConfig", "securityHeadersConfig", "strictTransportSecurity",
                            "accessControlMaxAgeSec"), 300.0)
    assert list(broken(rules, native, weak)) == ["cloudfront-hsts"]
    assert broken(rules, native, {"responseHeadersPolicyConfig": UNKNOWN}) == {}



# --------------------------------------------------------------------------------------------------
# Every input these rules read for a pulumi-aws-native type is an input of its SDK


from sdk_inputs import assert_inputs_in_sdk  # noqa: E402


def _paths(value, prefix=()):
    """Every key path of a compliant example (list items stepped into), policy documents left out."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key[:1].isupper() or any(mark in key for mark in "._/"):
                continue  # an IAM policy document's elements (Statement ...), a map's keys (rds.force_ssl ...)
            yield prefix + (key,)
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for item in value:
            yield from _paths(item, prefix)


EXAMPLES = [*DATA_STORES.items(), *SERVICES.items(), *SAGEMAKER.items(), *s3_stack().values(), *IAM_EXAMPLES.items(),
            *COMPUTE.items(), *MORE.items(), ("aws-native:ec2:LaunchTemplate", LAUNCH_TEMPLATE),
            *WORKLOADS.items(), *BALANCING.items(), *API.items(),
            *SETTINGS.items(), ("aws-native:cloudfront:Distribution", DISTRIBUTION)]
READS = sorted({(type_, path) for type_, props in EXAMPLES for path in _paths(props)})


@pytest.mark.parametrize("type_, path", READS, ids=lambda v: ".".join(v) if isinstance(v, tuple) else v)
def test_every_input_read_is_in_the_pulumi_aws_native_sdk(type_, path):
    pytest.importorskip("pulumi_aws_native")
    assert_inputs_in_sdk(type_, path)


def test_the_native_types_are_served_by_the_packs_rules():
    declared = {policy.name for pack in PACKS for policy in collect(pack)}
    assert {"data-store-customer-managed-key", "kms-key-rotation", "sagemaker-notebook-vpc-only"} <= declared


# --------------------------------------------------------------------------------------------------
# Dataset buckets, MLflow artifact stores, experiments


from policies.rules import datasets, experiments  # noqa: E402


def test_native_dataset_buckets_lock_and_keep_their_versions():
    bucket = {**s3_stack()["data"][1], "bucketName": "training-datasets", "objectLockEnabled": True,
              "objectLockConfiguration": {"objectLockEnabled": "Enabled",
                                          "rule": {"defaultRetention": {"mode": "GOVERNANCE", "days": 30.0}}},
              "lifecycleConfiguration": {"rules": [{"id": "multipart", "status": "Enabled",
                                                    "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7.0}}]}}
    check = lambda props, rule: violations(rule, stack_args([stack_resource(NATIVE_BUCKET, props, name="d")]))  # noqa
    for rule in (datasets.dataset_bucket_object_lock, datasets.dataset_noncurrent_versions_kept):
        assert check(bucket, rule) == []
    unlocked = changed(changed(bucket, ("objectLockEnabled",), ...), ("objectLockConfiguration",), ...)
    assert len(check(unlocked, datasets.dataset_bucket_object_lock)) == 1
    no_retention = changed(bucket, ("objectLockConfiguration", "rule"), ...)
    assert "no default retention" in check(no_retention, datasets.dataset_bucket_object_lock)[0]
    assert check(changed(bucket, ("objectLockEnabled",), UNKNOWN), datasets.dataset_bucket_object_lock) == []
    expiring = changed(bucket, ("lifecycleConfiguration", "rules", 0, "noncurrentVersionExpiration"),
                       {"noncurrentDays": 30.0})
    assert len(check(expiring, datasets.dataset_noncurrent_versions_kept)) == 1
    older = changed(bucket, ("lifecycleConfiguration", "rules", 0, "noncurrentVersionExpirationInDays"), 30.0)
    assert len(check(older, datasets.dataset_noncurrent_versions_kept)) == 1
    assert check(changed(bucket, ("lifecycleConfiguration",), UNKNOWN), datasets.dataset_noncurrent_versions_kept) == []


def test_a_native_mlflow_server_keeps_its_artifacts_in_a_private_cmk_bucket():
    spec = s3_stack()
    server = ("aws-native:sagemaker:MlflowTrackingServer", {"trackingServerName": "mlflow",
                                                            "artifactStoreUri": "s3://data-1/mlflow",
                                                            "roleArn": "arn:aws:iam::123456789012:role/mlflow"})
    resources = lambda spec: [stack_resource(t, p, name=n) for n, (t, p) in spec.items()]  # noqa: E731
    rules = (experiments.mlflow_artifact_store_private, experiments.mlflow_artifact_store_cmk)
    assert [m for rule in rules for m in violations(rule, stack_args(resources({**spec, "mlflow": server})))] == []
    spec["data"] = (NATIVE_BUCKET, changed(spec["data"][1], ("bucketEncryption",), ...))
    spec["data"][1].pop("publicAccessBlockConfiguration")
    found = {rule.name for rule in rules if violations(rule, stack_args(resources({**spec, "mlflow": server})))}
    assert found == {"mlflow-artifact-store-private", "mlflow-artifact-store-cmk"}


def test_a_native_experiment_captures_both_directions():
    config = {**SAGEMAKER["aws-native:sagemaker:EndpointConfig"], "shadowProductionVariants": [
        {"variantName": "shadow", "modelName": "m2", "instanceType": "ml.m5.large", "initialInstanceCount": 1.0}]}
    rule = [experiments.sagemaker_experiment_captured]
    assert list(broken(rule, "aws-native:sagemaker:EndpointConfig", config)) == ["sagemaker-experiment-captured"]
    config["dataCaptureConfig"]["captureOptions"].append({"captureMode": "Output"})
    assert broken(rule, "aws-native:sagemaker:EndpointConfig", config) == {}


# --------------------------------------------------------------------------------------------------
# Firehose, Glue, Athena, CodeBuild, Batch


from policies.rules import build  # noqa: E402

PIPELINES = {
    "aws-native:kinesisfirehose:DeliveryStream": {"deliveryStreamEncryptionConfigurationInput": {
        "keyType": "CUSTOMER_MANAGED_CMK", "keyArn": KEY}},
    "aws-native:glue:SecurityConfiguration": {"name": "etl", "encryptionConfiguration": {
        "s3Encryptions": [{"s3EncryptionMode": "SSE-KMS", "kmsKeyArn": KEY}],
        "cloudWatchEncryption": {"cloudWatchEncryptionMode": "SSE-KMS", "kmsKeyArn": KEY},
        "jobBookmarksEncryption": {"jobBookmarksEncryptionMode": "CSE-KMS", "kmsKeyArn": KEY}}},
    "aws-native:athena:WorkGroup": {"name": "analysts", "workGroupConfiguration": {
        "enforceWorkGroupConfiguration": True, "resultConfiguration": {
            "outputLocation": "s3://results/", "encryptionConfiguration": {"encryptionOption": "SSE_KMS",
                                                                           "kmsKey": KEY}}}},
    "aws-native:codebuild:Project": {
        "serviceRole": "arn:aws:iam::123456789012:role/build", "encryptionKey": KEY,
        "source": {"type": "CODEPIPELINE"}, "artifacts": {"type": "CODEPIPELINE"},
        "environment": {"type": "LINUX_CONTAINER", "computeType": "BUILD_GENERAL1_SMALL", "image": "img",
                        "privilegedMode": False, "environmentVariables": [{"name": "STAGE", "value": "prod"}]},
        "logsConfig": {"cloudWatchLogs": {"status": "ENABLED", "groupName": "/build"}}},
    "aws-native:batch:JobDefinition": {"type": "container", "containerProperties": {
        "image": "train:1", "privileged": False, "environment": [{"name": "STAGE", "value": "prod"}]}},
}
PIPELINE_RULES = rules_of(build, plaintext_secrets, __import__("policies.rules.data_stores", fromlist=["x"]))
PIPELINE_CHANGES = [
    ("aws-native:kinesisfirehose:DeliveryStream", ("deliveryStreamEncryptionConfigurationInput",), ...,
     {"data-store-encrypted-at-rest", "data-store-customer-managed-key"}),
    ("aws-native:kinesisfirehose:DeliveryStream", ("deliveryStreamEncryptionConfigurationInput", "keyType"),
     "AWS_OWNED_CMK", {"data-store-customer-managed-key"}),
    ("aws-native:glue:SecurityConfiguration", ("encryptionConfiguration", "s3Encryptions", 0, "s3EncryptionMode"),
     "DISABLED", {"data-store-encrypted-at-rest", "data-store-customer-managed-key"}),
    ("aws-native:glue:SecurityConfiguration", ("encryptionConfiguration", "cloudWatchEncryption"), ...,
     {"data-store-encrypted-at-rest", "data-store-customer-managed-key"}),
    ("aws-native:athena:WorkGroup", ("workGroupConfiguration", "enforceWorkGroupConfiguration"), False,
     {"data-store-encrypted-at-rest"}),
    ("aws-native:athena:WorkGroup", ("workGroupConfiguration", "resultConfiguration", "encryptionConfiguration",
                                     "encryptionOption"), "SSE_S3", {"data-store-customer-managed-key"}),
    ("aws-native:codebuild:Project", ("environment", "privilegedMode"), True, {"codebuild-no-privileged-mode"}),
    ("aws-native:codebuild:Project", ("logsConfig", "cloudWatchLogs", "status"), "DISABLED", {"codebuild-logging"}),
    ("aws-native:codebuild:Project", ("encryptionKey",), ..., {"data-store-customer-managed-key"}),
    ("aws-native:codebuild:Project", ("environment", "environmentVariables", 0, "value"),
     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", set()),  # STAGE is no secret's name
    ("aws-native:batch:JobDefinition", ("containerProperties", "privileged"), True,
     {"batch-job-no-privileged-containers"}),
    ("aws-native:batch:JobDefinition", ("containerProperties", "environment", 0),
     {"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
     {"no-plaintext-secrets-in-environment"}),
]


EXAMPLES.extend(PIPELINES.items())  # for the fuzzing below


@pytest.mark.parametrize("type_, path", sorted({(t, p) for t, props in PIPELINES.items() for p in _paths(props)}),
                         ids=lambda v: ".".join(v) if isinstance(v, tuple) else v)
def test_every_pipeline_input_read_is_in_the_pulumi_aws_native_sdk(type_, path):
    pytest.importorskip("pulumi_aws_native")
    assert_inputs_in_sdk(type_, path)


@pytest.mark.parametrize("type_", sorted(PIPELINES))
def test_compliant_native_pipelines_pass(type_):
    assert broken(PIPELINE_RULES, type_, PIPELINES[type_]) == {}


@pytest.mark.parametrize("type_, path, value, rules", PIPELINE_CHANGES,
                         ids=[f"{t.split(':')[-1]}:{'.'.join(map(str, p))}" for t, p, _, _ in PIPELINE_CHANGES])
def test_one_native_pipeline_field_changed(type_, path, value, rules):
    assert set(broken(PIPELINE_RULES, type_, changed(PIPELINES[type_], path, value))) == rules
    assert broken(PIPELINE_RULES, type_, changed(PIPELINES[type_], path, UNKNOWN)) == {}


# --------------------------------------------------------------------------------------------------
# SSM parameters and Session Manager documents


from policies.rules import ssm  # noqa: E402

SESSION = {"documentType": "Session", "name": "SSM-SessionManagerRunShell", "content": {
    "schemaVersion": "1.0", "sessionType": "Standard_Stream",
    "inputs": {"kmsKeyId": KEY, "cloudWatchLogGroupName": "/ssm/sessions", "cloudWatchEncryptionEnabled": True}}}


def test_native_ssm_parameters_and_session_documents():
    rules = rules_of(ssm)
    assert broken(rules, "aws-native:ssm:Parameter", {"name": "/ml/ami-id", "type": "String", "value": "ami-1"}) == {}
    assert list(broken(rules, "aws-native:ssm:Parameter", {"name": "/ml/db-password", "type": "String",
                                                           "value": "x"})) == ["ssm-parameter-secure-string"]
    assert broken(rules, "aws-native:ssm:Parameter", {"name": "/ml/db-password", "type": UNKNOWN}) == {}
    assert broken(rules, "aws-native:ssm:Document", SESSION) == {}
    bare = changed(SESSION, ("content", "inputs"), {"s3BucketName": "sessions"})
    assert set(broken(rules, "aws-native:ssm:Document", bare)) == {"ssm-session-kms-encryption", "ssm-session-logging"}
    assert broken(rules, "aws-native:ssm:Document", changed(SESSION, ("content", "inputs", "kmsKeyId"), UNKNOWN)) == {}
    import json
    as_text = {**SESSION, "content": json.dumps(bare["content"])}
    assert len(broken(rules, "aws-native:ssm:Document", as_text)) == 2


EXAMPLES.extend([("aws-native:ssm:Document", SESSION)])


def test_a_native_alarm_keeps_its_actions():
    from policies.rules import alarms

    alarm = {"comparisonOperator": "GreaterThanThreshold", "evaluationPeriods": 1.0, "threshold": 5.0,
             "metricName": "Invocation5XXErrors", "namespace": "AWS/SageMaker", "alarmActions": ["arn:sns"]}
    assert broken(rules_of(alarms), "aws-native:cloudwatch:Alarm", alarm) == {}
    assert list(broken(rules_of(alarms), "aws-native:cloudwatch:Alarm", {**alarm, "actionsEnabled": False})) == [
        "cloudwatch-alarm-actions-enabled"]
    assert broken(rules_of(alarms), "aws-native:cloudwatch:Alarm", {**alarm, "actionsEnabled": UNKNOWN}) == {}


# --------------------------------------------------------------------------------------------------
# No rule raises on odd native inputs (the fuzzing of tests/test_policies_fuzz.py, over these examples)


@pytest.mark.parametrize("seed", [7, 8])
def test_rules_never_raise_on_odd_native_inputs(seed):
    import random

    from fuzzing import mutated
    from test_policies_fuzz import ODD_VALUES, RESOURCE_POLICIES, STACK_POLICIES, _run

    rng = random.Random(seed)
    reported = 0
    for _ in range(1200):
        resource_type, props = rng.choice(EXAMPLES)
        props = mutated(props, rng, ODD_VALUES)
        for policy in RESOURCE_POLICIES:
            reported += len(_run(policy, resource_args(resource_type, props)))
    stack = [stack_resource(t, mutated(p, rng, ODD_VALUES), name=f"r{i}") for i, (t, p) in enumerate(EXAMPLES * 2)]
    for policy in STACK_POLICIES:
        reported += len(_run(policy, stack_args(stack)))
    assert reported > 100
