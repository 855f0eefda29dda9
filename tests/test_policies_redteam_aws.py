"""Rules added after red-teaming the packs with foreign ML-platform programs (tests/foreign_programs):
each from a compliant example with one thing changed."""

from __future__ import annotations

import json

import pytest

from policies.rules.build import codepipeline_webhook_authenticated
from policies.rules.data_stores import (
    data_store_customer_managed_key,
    data_store_encrypted_at_rest,
    data_store_not_public,
    data_store_tls_in_transit,
)
from policies.rules.lake_formation import lakeformation_no_iam_allowed_principals
from policies.rules.plaintext_secrets import no_plaintext_credential_inputs
from policies.rules.s3 import s3_account_public_access_block
from policies.rules.vector_stores import opensearch_serverless_access_least_privilege
from policy_helpers import UNKNOWN, found
from sdk_inputs import assert_inputs_in_sdk

ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
ACCESS_POLICY = "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy"
SETTINGS = "aws:lakeformation/dataLakeSettings:DataLakeSettings"
PERMISSIONS = "aws:lakeformation/permissions:Permissions"
ROLE = "arn:aws:iam::123456789012:role/analyst"
ALL_ON = {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True}


@pytest.mark.parametrize("type_, path", [
    *((ACCOUNT_PAB, (key,)) for key in ALL_ON),
    (SETTINGS, ("createDatabaseDefaultPermissions", "principal")), (SETTINGS, ("createTableDefaultPermissions", "principal")),
    (PERMISSIONS, ("principal",)),
])
def test_every_input_read_is_in_the_pulumi_aws_sdk(type_, path):
    assert_inputs_in_sdk(type_, path)


def test_an_account_public_access_block_turns_all_four_on():
    assert found(s3_account_public_access_block, ACCOUNT_PAB, ALL_ON) == []
    [message] = found(s3_account_public_access_block, ACCOUNT_PAB, {**ALL_ON, "blockPublicPolicy": False})
    assert "does not set blockPublicPolicy to true" in message
    # Omitted settings default to false (pulumi-aws's docstrings); unknown ones are not judged.
    [message] = found(s3_account_public_access_block, ACCOUNT_PAB, {"blockPublicAcls": True})
    assert "blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets" in message
    assert found(s3_account_public_access_block, ACCOUNT_PAB, {**ALL_ON, "restrictPublicBuckets": UNKNOWN}) == []


def test_a_data_access_policy_does_not_grant_everything_on_every_collection():
    scoped = [{"Rules": [{"ResourceType": "index", "Resource": ["index/rag/*"], "Permission": ["aoss:*"]},
                         {"ResourceType": "collection", "Resource": ["collection/rag"],
                          "Permission": ["aoss:DescribeCollectionItems"]}],
               "Principal": [ROLE]}]
    assert found(opensearch_serverless_access_least_privilege, ACCESS_POLICY,
                 {"type": "data", "policy": json.dumps(scoped)}) == []
    named_permissions_everywhere = [{**scoped[0], "Rules": [
        {"ResourceType": "index", "Resource": ["index/*/*"], "Permission": ["aoss:ReadDocument"]}]}]
    assert found(opensearch_serverless_access_least_privilege, ACCESS_POLICY,
                 {"type": "data", "policy": json.dumps(named_permissions_everywhere)}) == []
    broad = [{**scoped[0], "Rules": [{"ResourceType": "index", "Resource": ["index/*/*"], "Permission": ["aoss:*"]}]}]
    [message] = found(opensearch_serverless_access_least_privilege, ACCESS_POLICY,
                      {"type": "data", "policy": json.dumps(broad)})
    assert "grants every permission (aoss:*) on index/*/*" in message
    for props in ({"type": "network", "policy": json.dumps(broad)}, {"type": "data", "policy": UNKNOWN}):
        assert found(opensearch_serverless_access_least_privilege, ACCESS_POLICY, props) == []


def test_lake_formation_never_hands_access_control_back_to_iam():
    lake = {"admins": [ROLE], "createDatabaseDefaultPermissions": [], "createTableDefaultPermissions": []}
    assert found(lakeformation_no_iam_allowed_principals, SETTINGS, lake) == []
    assert found(lakeformation_no_iam_allowed_principals, SETTINGS, {"admins": [ROLE]}) == []  # omitted: LF permissions
    iam_only = {**lake, "createTableDefaultPermissions": [{"principal": "IAM_ALLOWED_PRINCIPALS", "permissions": ["ALL"]}]}
    [message] = found(lakeformation_no_iam_allowed_principals, SETTINGS, iam_only)
    assert "IAM_ALLOWED_PRINCIPALS in createTableDefaultPermissions: new tables use only IAM access control" in message
    grant = {"principal": ROLE, "permissions": ["SELECT"], "table": {"databaseName": "features", "wildcard": True}}
    assert found(lakeformation_no_iam_allowed_principals, PERMISSIONS, grant) == []
    assert found(lakeformation_no_iam_allowed_principals, PERMISSIONS, {**grant, "principal": UNKNOWN}) == []
    [message] = found(lakeformation_no_iam_allowed_principals, PERMISSIONS, {**grant, "principal": "IAM_ALLOWED_PRINCIPALS"})
    assert "bypassing Lake Formation's permissions" in message
    native = {"principal": {"dataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"}, "permissions": ["ALL"]}
    assert found(lakeformation_no_iam_allowed_principals, "aws-native:lakeformation:PrincipalPermissions", native)


def test_a_training_job_uses_only_the_allowed_gpu_types():
    from policies.rules.gpu import gpu_instance_types_allowed

    job = "aws:sagemaker/trainingJob:TrainingJob"
    allowed = {"allowedGpuInstanceTypes": ["g5.*", "p5.48xlarge"]}
    ok = {"resourceConfig": {"instanceType": "ml.g5.12xlarge", "instanceCount": 2}}
    assert found(gpu_instance_types_allowed, job, ok, allowed) == []
    assert found(gpu_instance_types_allowed, job, {"resourceConfig": {"instanceType": "ml.m5.xlarge"}}, allowed) == []
    [message] = found(gpu_instance_types_allowed, job, {"resourceConfig": {"instanceType": "ml.p3.16xlarge"}}, allowed)
    assert "uses GPU instance type p3.16xlarge" in message
    groups = {"resourceConfig": {"instanceGroups": [{"instanceType": "ml.p5.48xlarge", "instanceGroupName": "a"},
                                                    {"instanceType": "ml.p4d.24xlarge", "instanceGroupName": "b"}]}}
    [message] = found(gpu_instance_types_allowed, job, groups, allowed)
    assert "p4d.24xlarge" in message
    for unknown in ({"resourceConfig": UNKNOWN}, {"resourceConfig": {"instanceType": UNKNOWN}}, {}):
        assert found(gpu_instance_types_allowed, job, unknown, allowed) == []


@pytest.mark.parametrize("path", [("resourceConfig", "instanceType"), ("resourceConfig", "instanceGroups", "instanceType")])
def test_training_job_inputs_are_the_sdks(path):
    assert_inputs_in_sdk("aws:sagemaker/trainingJob:TrainingJob", path)


# --------------------------------------------------------------------------------------------------
# ML CI/CD (tests/foreign_programs/ml_cicd)

PROJECT = "aws:codebuild/project:Project"
REPORT_GROUP = "aws:codebuild/reportGroup:ReportGroup"
WEBHOOK = "aws:codepipeline/webhook:Webhook"
CMK = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BUILD = {"serviceRole": "arn:aws:iam::123456789012:role/build", "artifacts": {"type": "CODEPIPELINE"},
         "environment": {"computeType": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
                         "type": "LINUX_CONTAINER"},
         "source": {"type": "GITHUB", "location": "https://github.com/acme/model.git"}, "encryptionKey": CMK}


@pytest.mark.parametrize("type_, path", [
    (PROJECT, ("projectVisibility",)), (PROJECT, ("source", "insecureSsl")), (PROJECT, ("source", "location")),
    (PROJECT, ("secondarySources", "insecureSsl")), (PROJECT, ("secondarySources", "location")),
    (REPORT_GROUP, ("exportConfig", "s3Destination", "encryptionDisabled")),
    (REPORT_GROUP, ("exportConfig", "s3Destination", "encryptionKey")),
    (WEBHOOK, ("authentication",)), (WEBHOOK, ("authenticationConfiguration", "secretToken")),
])
def test_ci_inputs_read_are_in_the_pulumi_aws_sdk(type_, path):
    assert_inputs_in_sdk(type_, path)


def test_a_codebuild_project_is_private_and_verifies_its_sources_tls():
    assert found(data_store_not_public, PROJECT, BUILD) == []
    assert found(data_store_not_public, PROJECT, {**BUILD, "projectVisibility": "PRIVATE"}) == []
    [message] = found(data_store_not_public, PROJECT, {**BUILD, "projectVisibility": "PUBLIC_READ"})
    assert "projectVisibility" in message and "build logs and artifacts" in message
    assert found(data_store_not_public, PROJECT, {**BUILD, "projectVisibility": UNKNOWN}) == []

    assert found(data_store_tls_in_transit, PROJECT, BUILD) == []
    assert found(data_store_tls_in_transit, PROJECT, {**BUILD, "source": {**BUILD["source"], "insecureSsl": False}}) == []
    [message] = found(data_store_tls_in_transit, PROJECT, {**BUILD, "source": {**BUILD["source"], "insecureSsl": True}})
    assert "source.insecureSsl" in message
    second = {"type": "GITHUB", "sourceIdentifier": "features", "location": "https://github.com/acme/f.git"}
    assert found(data_store_tls_in_transit, PROJECT, {**BUILD, "secondarySources": [second, second]}) == []
    assert len(found(data_store_tls_in_transit, PROJECT,
                     {**BUILD, "secondarySources": [second, {**second, "insecureSsl": True}]})) == 1
    assert found(data_store_tls_in_transit, "aws-native:codebuild:Project",
                 {"source": {"type": "GITHUB", "insecureSsl": True}})
    assert found(data_store_not_public, "aws-native:codebuild:Project", {"visibility": "PUBLIC_READ"})


def test_a_codebuild_source_url_carries_no_credentials():
    assert found(no_plaintext_credential_inputs, PROJECT, BUILD) == []
    secret_url = "https://ci-bot:ATBBx7kQ2mZ9pL4vN8rT1wY6cF3hJ5dS@bitbucket.org/acme/features.git"
    [message] = found(no_plaintext_credential_inputs, PROJECT, {**BUILD, "source": {"type": "BITBUCKET",
                                                                                 "location": secret_url}})
    assert "source.location holds a password in a URL" in message
    one = {"type": "BITBUCKET", "sourceIdentifier": "features", "location": secret_url}
    clean = {**one, "location": "https://bitbucket.org/acme/features.git"}
    # one secondary source (a block) and two or more (a list) are both read
    [message] = found(no_plaintext_credential_inputs, PROJECT, {**BUILD, "secondarySources": [one]})
    assert "secondarySources.location" in message
    assert len(found(no_plaintext_credential_inputs, PROJECT, {**BUILD, "secondarySources": [clean, one]})) == 1
    assert found(no_plaintext_credential_inputs, PROJECT, {**BUILD, "secondarySources": [clean, clean]}) == []
    token_url = "https://ghp_abcdefABCDEF0123456789abcdefABCDEF0123@github.com/acme/model.git"
    assert found(no_plaintext_credential_inputs, PROJECT, {**BUILD, "source": {"type": "GITHUB", "location": token_url}})
    assert found(no_plaintext_credential_inputs, PROJECT, {**BUILD, "source": {"type": "GITHUB", "location": UNKNOWN}}) == []


def test_a_report_groups_export_is_encrypted_with_a_customer_key():
    export = {"type": "S3", "s3Destination": {"bucket": "reports", "encryptionKey": CMK, "packaging": "ZIP"}}
    good = {"type": "TEST", "exportConfig": export}
    assert found(data_store_encrypted_at_rest, REPORT_GROUP, good) == []
    assert found(data_store_customer_managed_key, REPORT_GROUP, good) == []
    disabled = {"type": "TEST", "exportConfig": {**export, "s3Destination": {**export["s3Destination"],
                                                                          "encryptionDisabled": True}}}
    [message] = found(data_store_encrypted_at_rest, REPORT_GROUP, disabled)
    assert "encryptionDisabled" in message
    aws_key = {"type": "TEST", "exportConfig": {**export, "s3Destination": {**export["s3Destination"],
                                                                         "encryptionKey": "alias/aws/s3"}}}
    [message] = found(data_store_customer_managed_key, REPORT_GROUP, aws_key)
    assert "alias/aws/s3" in message
    # a group that does not export has no destination to judge
    assert found(data_store_encrypted_at_rest, REPORT_GROUP, {"type": "TEST", "exportConfig": {"type": "NO_EXPORT"}}) == []
    assert found(data_store_customer_managed_key, REPORT_GROUP,
                 {"type": "TEST", "exportConfig": {"type": "NO_EXPORT"}}) == []


def test_a_pipeline_webhook_authenticates_its_callers():
    hmac = {"authentication": "GITHUB_HMAC", "targetAction": "Source", "targetPipeline": "p",
            "authenticationConfiguration": {"secretToken": UNKNOWN}}
    assert found(codepipeline_webhook_authenticated, WEBHOOK, hmac) == []
    assert found(codepipeline_webhook_authenticated, WEBHOOK,
                 {"authentication": "IP", "authenticationConfiguration": {"allowedIpRange": "192.30.252.0/22"}}) == []
    [message] = found(codepipeline_webhook_authenticated, WEBHOOK, {"authentication": "UNAUTHENTICATED"})
    assert "UNAUTHENTICATED" in message
    assert found(codepipeline_webhook_authenticated, "aws-native:codepipeline:Webhook",
                 {"authentication": "UNAUTHENTICATED"})
    assert found(codepipeline_webhook_authenticated, WEBHOOK, {"authentication": UNKNOWN}) == []


def test_a_webhooks_secret_token_is_not_a_literal():
    from policies.rules._secrets import SECRET_SIG, SIG_KEY

    secret = {SIG_KEY: SECRET_SIG, "value": "hunter2-webhook-token"}
    assert found(no_plaintext_credential_inputs, WEBHOOK,
                 {"authentication": "GITHUB_HMAC", "authenticationConfiguration": {"secretToken": secret}}) == []
    literal = {"authentication": "GITHUB_HMAC", "authenticationConfiguration": {"secretToken": "hunter2-webhook-token"}}
    [message] = found(no_plaintext_credential_inputs, WEBHOOK, literal)
    assert "authenticationConfiguration.secretToken is a literal" in message
    assert found(no_plaintext_credential_inputs, WEBHOOK,
                 {"authentication": "GITHUB_HMAC", "authenticationConfiguration": {"secretToken": UNKNOWN}}) == []


# --------------------------------------------------------------------------------------------------
# Training storage (tests/foreign_programs/training_storage)

def test_an_efs_backup_policy_the_program_writes_keeps_backups_on():
    from policies.rules.data_stores import data_store_backups
    policy = "aws:efs/backupPolicy:BackupPolicy"
    assert_inputs_in_sdk(policy, ("backupPolicy", "status"))
    prod = {"requireBackups": True}
    assert found(data_store_backups, policy, {"fileSystemId": "fs-1", "backupPolicy": {"status": "ENABLED"}},
                      config=prod) == []
    [message] = found(data_store_backups, policy, {"fileSystemId": "fs-1", "backupPolicy": {"status": "DISABLED"}},
                           config=prod)
    assert "backupPolicy.status is DISABLED" in message and "automatic backups are turned off" in message
    assert found(data_store_backups, policy, {"fileSystemId": "fs-1", "backupPolicy": {"status": UNKNOWN}},
                      config=prod) == []
    native = "aws-native:efs:FileSystem"
    assert found(data_store_backups, native, {"encrypted": True, "backupPolicy": {"status": "DISABLED"}},
                      config=prod)
    # a file system without an inline policy is not judged (its backups may come from an AWS Backup plan)
    assert found(data_store_backups, native, {"encrypted": True}, config=prod) == []
