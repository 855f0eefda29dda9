"""Foreign pulumi-aws-native programs through the review (every pack, prod configuration): each case is one
resource written the way a CloudFormation-minded program declares it, with ONE wrong setting; the rule
named must catch it, not its compliant twin, and no rule may raise on them. The cases are kept apart from
``tests/foreign.py``, whose pulumi-aws cases the Checkov comparison also reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from foreign import _DELETE, KEY, Case, _set, case_urns, deployment
from mlinfra.review import resources_from_document, review

ROOT = Path(__file__).resolve().parent.parent
TAGS = [{"key": key, "value": value} for key, value in
        {"owner": "data", "cost-center": "42", "environment": "prod", "data-classification": "internal"}.items()]
ROOT_ARN = "arn:aws:iam::123456789012:root"


def document(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


READ = {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data-1/*"}
TRUST = {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}
DB_INSTANCE = {"engine": "postgres", "dbInstanceClass": "db.m6g.large", "allocatedStorage": "20",
               "storageEncrypted": True, "kmsKeyId": KEY, "publiclyAccessible": False, "deletionProtection": True,
               "backupRetentionPeriod": 14, "enableCloudwatchLogsExports": ["postgresql"],
               "enableIamDatabaseAuthentication": True, "manageMasterUserPassword": True, "tags": TAGS}
DB_CLUSTER = {"engine": "aurora-postgresql", "storageEncrypted": True, "kmsKeyId": KEY, "deletionProtection": True,
              "backupRetentionPeriod": 14, "enableCloudwatchLogsExports": ["postgresql"],
              "enableIamDatabaseAuthentication": True, "manageMasterUserPassword": True, "tags": TAGS}
TABLE = {"keySchema": [{"attributeName": "id", "keyType": "HASH"}], "billingMode": "PAY_PER_REQUEST",
         "sseSpecification": {"sseEnabled": True, "sseType": "KMS", "kmsMasterKeyId": KEY},
         "deletionProtectionEnabled": True, "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True},
         "tags": TAGS}
KMS_KEY = {"keyPolicy": document({"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ROOT_ARN},
                                  "Action": "kms:*", "Resource": "*"}),
           "enableKeyRotation": True, "tags": TAGS}
NOTEBOOK = {"instanceType": "ml.t3.medium", "roleArn": "arn:aws:iam::123456789012:role/nb", "kmsKeyId": KEY,
            "directInternetAccess": "Disabled", "subnetId": "subnet-1", "securityGroupIds": ["sg-1"],
            "rootAccess": "Disabled", "instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "2"},
            "tags": TAGS}
DOMAIN = {"domainName": "ml", "authMode": "IAM", "appNetworkAccessType": "VpcOnly", "kmsKeyId": KEY,
          "vpcId": "vpc-1", "subnetIds": ["subnet-1"],
          "defaultUserSettings": {"executionRole": "arn:aws:iam::123456789012:role/studio"}, "tags": TAGS}
ENDPOINT_CONFIG = {"kmsKeyId": KEY, "productionVariants": [
    {"variantName": "main", "modelName": "m", "instanceType": "ml.m5.large", "initialInstanceCount": 2}],
    "dataCaptureConfig": {"enableCapture": True, "kmsKeyId": KEY, "initialSamplingPercentage": 10,
                          "destinationS3Uri": "s3://capture/m", "captureOptions": [{"captureMode": "Input"}]},
    "tags": TAGS}
MODEL = {"executionRoleArn": "arn:aws:iam::123456789012:role/m", "enableNetworkIsolation": True,
         "vpcConfig": {"subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]},
         "primaryContainer": {"modelPackageName": "arn:aws:sagemaker:us-east-1:123456789012:model-package/m/1"},
         "tags": TAGS}
SECURITY_GROUP = {"groupDescription": "db", "vpcId": "vpc-1",
                  "securityGroupIngress": [{"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432,
                                            "cidrIp": "10.0.0.0/16"}],
                  "securityGroupEgress": [{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                                           "cidrIp": "10.0.0.0/16"}], "tags": TAGS}
ROLE = {"roleName": "train", "assumeRolePolicyDocument": document(TRUST),
        "policies": [{"policyName": "read", "policyDocument": document(READ)}], "tags": TAGS}
REPOSITORY = {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True},
              "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": KEY}, "tags": TAGS}
CLUSTER = {"roleArn": "arn:aws:iam::123456789012:role/eks", "version": "1.33",
           "resourcesVpcConfig": {"subnetIds": ["subnet-1"], "endpointPublicAccess": False,
                                  "endpointPrivateAccess": True},
           "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": KEY}}],
           "logging": {"clusterLogging": {"enabledTypes": [{"type": t} for t in
                                                           ("api", "audit", "authenticator", "controllerManager",
                                                            "scheduler")]}},
           "accessConfig": {"authenticationMode": "API"}, "tags": TAGS}
BUCKET = {"bucketName": "data-1",
          "bucketEncryption": {"serverSideEncryptionConfiguration": [
              {"serverSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY}}]},
          "publicAccessBlockConfiguration": {"blockPublicAcls": True, "blockPublicPolicy": True,
                                             "ignorePublicAcls": True, "restrictPublicBuckets": True},
          "versioningConfiguration": {"status": "Enabled"},
          "loggingConfiguration": {"destinationBucketName": "logs-1"}, "tags": TAGS}
BUCKET_POLICY = {"bucket": "data-1", "policyDocument": document(
    {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::data-1", "arn:aws:s3:::data-1/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}})}

N = "aws-native:"
CASES = [
    Case("native-rds-public", "data-store-not-public", [("n-orders-db", N + "rds:DbInstance", DB_INSTANCE)],
         _set("publiclyAccessible", value=True)),
    Case("native-rds-unencrypted", "data-store-encrypted-at-rest", [("n-ledger-db", N + "rds:DbInstance", DB_INSTANCE)],
         _set("storageEncrypted", value=_DELETE)),
    Case("native-rds-no-backups", "data-store-backups", [("n-audit-db", N + "rds:DbInstance", DB_INSTANCE)],
         _set("backupRetentionPeriod", value=_DELETE)),
    Case("native-aurora-no-deletion-protection", "data-store-deletion-protection",
         [("n-aurora", N + "rds:DbCluster", DB_CLUSTER)], _set("deletionProtection", value=_DELETE)),
    Case("native-dynamodb-aws-owned-key", "data-store-customer-managed-key", [("n-carts", N + "dynamodb:Table", TABLE)],
         _set("sseSpecification", value=_DELETE)),
    Case("native-dynamodb-no-pitr", "data-store-backups", [("n-sessions", N + "dynamodb:Table", TABLE)],
         _set("pointInTimeRecoverySpecification", value=_DELETE)),
    Case("native-kms-no-rotation", "kms-key-rotation", [("n-key", N + "kms:Key", KMS_KEY)],
         _set("enableKeyRotation", value=_DELETE)),
    Case("native-kms-public-policy", "kms-key-policy-no-public-principal", [("n-open-key", N + "kms:Key", KMS_KEY)],
         _set("keyPolicy", "Statement", 0, "Principal", value="*")),
    Case("native-notebook-internet", "sagemaker-notebook-vpc-only",
         [("n-notebook", N + "sagemaker:NotebookInstance", NOTEBOOK)], _set("directInternetAccess", value="Enabled")),
    Case("native-notebook-root", "sagemaker-notebook-no-root-access",
         [("n-root-notebook", N + "sagemaker:NotebookInstance", NOTEBOOK)], _set("rootAccess", value=_DELETE)),
    Case("native-domain-public", "sagemaker-notebook-vpc-only", [("n-studio", N + "sagemaker:Domain", DOMAIN)],
         _set("appNetworkAccessType", value=_DELETE)),
    Case("native-domain-aws-key", "sagemaker-volume-cmk", [("n-studio-key", N + "sagemaker:Domain", DOMAIN)],
         _set("kmsKeyId", value=_DELETE)),
    Case("native-endpoint-config-no-key", "sagemaker-endpoint-config-cmk",
         [("n-endpoint-config", N + "sagemaker:EndpointConfig", ENDPOINT_CONFIG)], _set("kmsKeyId", value=_DELETE)),
    Case("native-model-not-isolated", "sagemaker-network-isolation", [("n-model", N + "sagemaker:Model", MODEL)],
         _set("enableNetworkIsolation", value=False)),
    Case("native-model-no-vpc", "sagemaker-vpc-config", [("n-model-vpc", N + "sagemaker:Model", MODEL)],
         _set("vpcConfig", value=_DELETE)),
    Case("native-sg-public-ssh", "security-group-no-public-admin-ingress",
         [("n-sg", N + "ec2:SecurityGroup", SECURITY_GROUP)],
         _set("securityGroupIngress", 0, value={"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
                                                "cidrIp": "0.0.0.0/0"})),
    Case("native-sg-default-egress", "security-group-no-unrestricted-egress",
         [("n-sg-egress", N + "ec2:SecurityGroup", SECURITY_GROUP)], _set("securityGroupEgress", value=_DELETE)),
    Case("native-role-admin", "iam-no-full-admin-policy", [("n-role", N + "iam:Role", ROLE)],
         _set("policies", 0, "policyDocument", "Statement", 0,
              value={"Effect": "Allow", "Action": "*", "Resource": "*"})),
    Case("native-role-open-trust", "iam-trust-policy-no-wildcard-principal", [("n-open-role", N + "iam:Role", ROLE)],
         _set("assumeRolePolicyDocument", "Statement", 0, "Principal", value={"AWS": "*"})),
    Case("native-managed-policy-wildcard", "iam-no-wildcard-action",
         [("n-policy", N + "iam:ManagedPolicy", {"policyDocument": document(READ)})],
         _set("policyDocument", "Statement", 0, "Action", value="*")),
    Case("native-ecr-mutable", "ecr-image-tags-immutable", [("n-repo", N + "ecr:Repository", REPOSITORY)],
         _set("imageTagMutability", value="MUTABLE")),
    Case("native-ecr-no-scan", "ecr-scan-on-push", [("n-repo-scan", N + "ecr:Repository", REPOSITORY)],
         _set("imageScanningConfiguration", value=_DELETE)),
    Case("native-secret-aws-key", "data-store-customer-managed-key",
         [("n-secret", N + "secretsmanager:Secret", {"name": "db", "kmsKeyId": KEY, "tags": TAGS}),
          ("n-secret-rotation", N + "secretsmanager:RotationSchedule",
           {"secretId": "n-secret-id", "rotationRules": {"automaticallyAfterDays": 30}})],
         _set("kmsKeyId", value=_DELETE)),
    Case("native-queue-unencrypted", "sns-sqs-kms-encryption",
         [("n-queue", N + "sqs:Queue", {"kmsMasterKeyId": KEY, "tags": TAGS})], _set("kmsMasterKeyId", value=_DELETE)),
    Case("native-log-group-forever", "log-group-retention",
         [("n-logs", N + "logs:LogGroup", {"kmsKeyId": KEY, "retentionInDays": 400, "tags": TAGS})],
         _set("retentionInDays", value=_DELETE)),
    Case("native-eks-public", "eks-endpoint-access", [("n-eks", N + "eks:Cluster", CLUSTER)],
         _set("resourcesVpcConfig", "endpointPublicAccess", value=True)),
    Case("native-eks-no-secrets-key", "eks-secrets-encryption", [("n-eks-key", N + "eks:Cluster", CLUSTER)],
         _set("encryptionConfig", value=_DELETE)),
    Case("native-bucket-no-versioning", "s3-bucket-versioning",
         [("n-bucket", N + "s3:Bucket", BUCKET), ("n-bucket-policy", N + "s3:BucketPolicy", BUCKET_POLICY)],
         _set("versioningConfiguration", value=_DELETE)),
    Case("native-bucket-public", "s3-bucket-public-access-block",
         [("n-bucket-pab", N + "s3:Bucket", BUCKET), ("n-bucket-pab-policy", N + "s3:BucketPolicy", BUCKET_POLICY)],
         _set("publicAccessBlockConfiguration", "blockPublicPolicy", value=False)),
    Case("native-bucket-no-tls", "s3-bucket-tls-only",
         [("n-tls-policy", N + "s3:BucketPolicy", {**BUCKET_POLICY, "bucket": "data-2"}),
          ("n-tls-bucket", N + "s3:Bucket", {**BUCKET, "bucketName": "data-2"})],
         _set("policyDocument", "Statement", 0, "Condition", "Bool", "aws:SecureTransport", value="true")),
    Case("native-agent-runtime-public", "ml-workload-in-vpc",
         [("n-runtime", N + "bedrockagentcore:Runtime", {
             "agentRuntimeName": "support", "roleArn": "arn:aws:iam::123456789012:role/agent",
             "agentRuntimeArtifact": {"containerConfiguration": {"containerUri": "123456789012.dkr.ecr.us-east-1"
                                                                                 ".amazonaws.com/agent:1"}},
             "networkConfiguration": {"networkMode": "VPC", "networkModeConfig": {
                 "subnets": ["subnet-0a1b2c3d"], "securityGroups": ["sg-0a1b2c3d"]}},
             "tags": {"owner": "data", "cost-center": "42", "environment": "prod", "data-classification": "internal"}})],
         _set("networkConfiguration", "networkMode", value="PUBLIC")),
    Case("native-guardrail-detect-only", "bedrock-guardrail-prompt-attack-filter",
         [("n-guardrail", N + "bedrock:Guardrail", {
             "name": "support", "blockedInputMessaging": "Blocked.", "blockedOutputsMessaging": "Blocked.",
             "kmsKeyArn": KEY, "tags": TAGS,
             "contentPolicyConfig": {"filtersConfig": [
                 {"type": "PROMPT_ATTACK", "inputStrength": "HIGH", "outputStrength": "NONE"}]},
             "sensitiveInformationPolicyConfig": {"piiEntitiesConfig": [{"type": "EMAIL", "action": "ANONYMIZE"}]}}),
          # CloudFormation has no invocation-logging resource: the account's pulumi-aws one (bedrock-invocation-logging).
          ("n-invocation-logs", "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration",
           {"loggingConfig": {"s3Config": {"bucketName": "invocation-logs"}, "textDataDeliveryEnabled": True}})],
         _set("contentPolicyConfig", "filtersConfig", 0, "inputAction", value="NONE")),
]


@pytest.fixture(scope="module")
def results():
    return {kind: review(resources_from_document(deployment(kind == "misconfigured", CASES), kind), None, "prod", ROOT)
            for kind in ("misconfigured", "compliant")}


def _found(result, case) -> set[str]:
    urns = set(case_urns(case))
    return {v.policy for v in result.violations if v.urn in urns}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_each_native_misconfiguration_is_caught_by_its_rule_and_its_twin_passes(results, case):
    assert case.rule in _found(results["misconfigured"], case)
    assert case.rule not in _found(results["compliant"], case)


def test_the_compliant_twins_break_no_mandatory_rule(results):
    urns = {urn for case in CASES for urn in case_urns(case)}
    assert [(v.policy, v.urn) for v in results["compliant"].violations
            if v.enforcement_level == "mandatory" and v.urn in urns] == []


def test_no_rule_raises_on_native_programs(results):
    for result in results.values():
        assert not [v for v in result.violations if "can't run policy" in v.message or "Traceback" in v.message]
