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


# --------------------------------------------------------------------------------------------------
# Model portal (tests/foreign_programs/model_portal)

BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
DISTRIBUTION = "arn:aws:cloudfront::456789012345:distribution/E2QWRUHAPOMQZL"


def _document(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


CLOUDFRONT_READ = {"Sid": "AllowCloudFrontRead", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
                   "Action": "s3:GetObject", "Resource": "arn:aws:s3:::models/*"}


@pytest.mark.parametrize("type_, prop", [
    (BUCKET_POLICY, "policy"), ("aws:s3/bucket:Bucket", "policy"), ("aws:sqs/queuePolicy:QueuePolicy", "policy"),
    ("aws:sqs/queue:Queue", "policy"),
    ("aws-native:s3:BucketPolicy", "policyDocument"), ("aws:efs/fileSystemPolicy:FileSystemPolicy", "policy"),
])
def test_service_policy_inputs_are_the_sdks(type_, prop):
    from policies.rules.resource_policies import SERVICE_POLICY_INPUTS

    assert SERVICE_POLICY_INPUTS[type_] == prop
    assert_inputs_in_sdk(type_, (prop,))


def test_a_service_principal_in_a_resource_policy_names_its_source():
    from policies.rules.resource_policies import resource_policy_service_principal_scoped as rule

    scoped = {**CLOUDFRONT_READ, "Condition": {"StringEquals": {"AWS:SourceArn": DISTRIBUTION}}}
    assert found(rule, BUCKET_POLICY, {"bucket": "models", "policy": _document(scoped)}) == []
    for condition in ({"StringEquals": {"aws:SourceAccount": "456789012345"}},
                      {"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:456789012345:requests"}},
                      {"ForAnyValue:StringEquals": {"aws:SourceOrgID": "o-a1b2c3d4e5"}},
                      {"StringEquals": {"aws:SourceArn": UNKNOWN}}):
        assert found(rule, BUCKET_POLICY, {"policy": _document({**CLOUDFRONT_READ, "Condition": condition})}) == []
    [message] = found(rule, BUCKET_POLICY, {"bucket": "models", "policy": _document(CLOUDFRONT_READ)})
    assert "statement AllowCloudFrontRead allows cloudfront.amazonaws.com (s3:GetObject)" in message
    # a condition that does not name the source, a negated operator or a wildcard value leaves any source in
    for condition in ({"Bool": {"aws:SecureTransport": "true"}},
                      {"StringNotEquals": {"aws:SourceAccount": "111111111111"}},
                      {"StringLike": {"aws:SourceArn": "*"}},
                      {"StringEqualsIfExists": {"aws:SourceAccount": "456789012345"}}):
        assert found(rule, BUCKET_POLICY, {"policy": _document({**CLOUDFRONT_READ, "Condition": condition})}), condition
    # Deny statements, account principals and wildcard principals (another rule's) are not judged
    deny = {**CLOUDFRONT_READ, "Effect": "Deny"}
    account = {**CLOUDFRONT_READ, "Principal": {"AWS": "arn:aws:iam::456789012345:root"}}
    assert found(rule, BUCKET_POLICY, {"policy": _document(deny, account)}) == []
    # the queue an SNS topic feeds, and the inline policy of a bucket
    send = {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": "arn:aws:sqs:us-east-1:456789012345:requests"}
    assert found(rule, "aws:sqs/queuePolicy:QueuePolicy", {"policy": _document(send)})
    assert found(rule, "aws:s3/bucket:Bucket", {"policy": _document(CLOUDFRONT_READ)})
    # topic policies are not judged (AWS's EventBridge topic policy names no source; publishing reads nothing)
    publish = {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish",
               "Resource": "arn:aws:sns:us-east-1:456789012345:alerts"}
    assert found(rule, "aws:sns/topicPolicy:TopicPolicy", {"policy": _document(publish)}) == []
    assert found(rule, "aws-native:s3:BucketPolicy", {"policyDocument": {"Statement": [CLOUDFRONT_READ]}})
    # an unknown document or condition, or none, is not judged
    assert found(rule, BUCKET_POLICY, {"policy": UNKNOWN}) == []
    assert found(rule, BUCKET_POLICY, {"policy": _document({**CLOUDFRONT_READ, "Condition": UNKNOWN})}) == []
    assert found(rule, "aws:sqs/queue:Queue", {"name": "q"}) == []


USER_POOL = "aws:cognito/userPool:UserPool"
STRONG = {"minimumLength": 12, "requireLowercase": True, "requireUppercase": True, "requireNumbers": True,
          "requireSymbols": True, "temporaryPasswordValidityDays": 3}


@pytest.mark.parametrize("type_, path", [
    (USER_POOL, ("mfaConfiguration",)), (USER_POOL, ("deletionProtection",)),
    *((USER_POOL, ("passwordPolicy", key)) for key in STRONG),
    ("aws-native:cognito:UserPool", ("mfaConfiguration",)), ("aws-native:cognito:UserPool", ("deletionProtection",)),
    ("aws-native:cognito:UserPool", ("policies", "passwordPolicy")),
    ("aws:cognito/userPoolClient:UserPoolClient", ("allowedOauthFlows",)),
    ("aws-native:cognito:UserPoolClient", ("allowedOAuthFlows",)),
])
def test_cognito_inputs_read_are_the_sdks(type_, path):
    assert_inputs_in_sdk(type_, path)


def test_a_user_pools_written_password_policy_is_strong():
    from policies.rules.identity import cognito_user_pool_password_policy as rule

    assert found(rule, USER_POOL, {"passwordPolicy": STRONG}) == []
    assert found(rule, USER_POOL, {"name": "partners"}) == []  # Cognito's default policy
    [message] = found(rule, USER_POOL, {"passwordPolicy": {**STRONG, "minimumLength": 6}})
    assert "minimumLength is 6, expected at least 8" in message
    # an omitted class in a written block is false (the provider sends every field of the block)
    [message] = found(rule, USER_POOL, {"passwordPolicy": {"minimumLength": 12, "requireLowercase": True,
                                                           "requireUppercase": True, "requireNumbers": True}})
    assert "requireSymbols is not true" in message and "requireNumbers" not in message
    [message] = found(rule, USER_POOL, {"passwordPolicy": {**STRONG, "temporaryPasswordValidityDays": 30}})
    assert "temporaryPasswordValidityDays is 30, expected at most 7" in message
    assert found(rule, USER_POOL, {"passwordPolicy": [{**STRONG, "minimumLength": 6}]})  # a list of one block
    assert found(rule, USER_POOL, {"passwordPolicy": {**STRONG, "minimumLength": 6}}, {"minPasswordLength": 6}) == []
    assert found(rule, USER_POOL, {"passwordPolicy": {**STRONG, "requireSymbols": UNKNOWN}}) == []
    assert found(rule, USER_POOL, {"passwordPolicy": UNKNOWN}) == []
    native = "aws-native:cognito:UserPool"
    assert found(rule, native, {"policies": {"passwordPolicy": STRONG}}) == []
    assert found(rule, native, {"policies": {"passwordPolicy": {**STRONG, "requireUppercase": False}}})


def test_a_user_pool_enforces_threat_protection():
    from policies.rules.identity import cognito_user_pool_threat_protection as rule

    enforced = {"userPoolTier": "PLUS", "userPoolAddOns": {"advancedSecurityMode": "ENFORCED"}}
    assert found(rule, USER_POOL, enforced) == []
    assert found(rule, USER_POOL, {"userPoolAddOns": [{"advancedSecurityMode": "enforced"}]}) == []  # a list of one
    assert found(rule, USER_POOL, {"userPoolAddOns": {"advancedSecurityMode": UNKNOWN}}) == []
    assert found(rule, USER_POOL, {"userPoolAddOns": UNKNOWN}) == []
    [message] = found(rule, USER_POOL, {"userPoolAddOns": {"advancedSecurityMode": "AUDIT"}})
    assert "advancedSecurityMode is AUDIT" in message
    [message] = found(rule, USER_POOL, {"mfaConfiguration": "ON"})
    assert "is not set (OFF)" in message
    native = "aws-native:cognito:UserPool"
    assert found(rule, native, {"userPoolAddOns": {"advancedSecurityMode": "OFF"}})
    assert found(rule, native, enforced) == []


def test_a_user_pool_offers_mfa_and_resists_deletion():
    from policies.rules.identity import cognito_user_pool_mfa as rule
    from policies.rules.data_stores import data_store_deletion_protection

    for mode in ("ON", "OPTIONAL", UNKNOWN):
        assert found(rule, USER_POOL, {"mfaConfiguration": mode}) == []
    [message] = found(rule, USER_POOL, {"mfaConfiguration": "OFF"})
    assert "mfaConfiguration is OFF" in message
    [message] = found(rule, USER_POOL, {"name": "partners"})
    assert "not set (OFF)" in message
    assert found(rule, "aws-native:cognito:UserPool", {"mfaConfiguration": "OFF"})

    prod = {"requireDeletionProtection": True}
    assert found(data_store_deletion_protection, USER_POOL, {"deletionProtection": "ACTIVE"}, prod) == []
    [message] = found(data_store_deletion_protection, USER_POOL, {"deletionProtection": "INACTIVE"}, prod)
    assert "deletionProtection" in message
    assert found(data_store_deletion_protection, USER_POOL, {}, prod)  # INACTIVE by default
    assert found(data_store_deletion_protection, "aws-native:cognito:UserPool", {}, prod)


def test_a_user_pool_client_uses_no_implicit_grant():
    from policies.rules.identity import cognito_user_pool_client_no_implicit_grant as rule

    client = "aws:cognito/userPoolClient:UserPoolClient"
    assert found(rule, client, {"allowedOauthFlows": ["code"], "allowedOauthFlowsUserPoolClient": True}) == []
    assert found(rule, client, {"explicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]}) == []
    [message] = found(rule, client, {"allowedOauthFlows": ["code", "implicit"]})
    assert "implicit grant" in message
    assert found(rule, client, {"allowedOauthFlows": UNKNOWN}) == []
    assert found(rule, "aws-native:cognito:UserPoolClient", {"allowedOAuthFlows": ["implicit"]})


def test_a_log_delivery_statement_scoped_to_an_accounts_log_path_needs_no_condition():
    from policies.rules.resource_policies import resource_policy_service_principal_scoped as rule

    elb = {"Effect": "Allow", "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
           "Action": "s3:PutObject", "Resource": "arn:aws:s3:::central-logs/alb/AWSLogs/456789012345/*"}
    assert found(rule, BUCKET_POLICY, {"policy": _document(elb)}) == []
    # the whole bucket, or another path, is open to every account's load balancers
    assert found(rule, BUCKET_POLICY, {"policy": _document({**elb, "Resource": "arn:aws:s3:::central-logs/*"})})
    assert found(rule, BUCKET_POLICY, {"policy": _document(
        {**elb, "Resource": ["arn:aws:s3:::central-logs/alb/AWSLogs/456789012345/*", "arn:aws:s3:::central-logs/*"]})})
    assert found(rule, BUCKET_POLICY, {"policy": _document({**elb, "Resource": "arn:aws:s3:::central-logs/AWSLogs/*"})})


# --------------------------------------------------------------------------------------------------
# Analytics lakehouse (tests/foreign_programs/analytics_lakehouse)

def test_a_redshift_serverless_workgroup_does_not_turn_tls_off():
    from policies.rules.databases import db_parameter_group_tls_not_disabled as rule

    workgroup = "aws:redshiftserverless/workgroup:Workgroup"
    assert_inputs_in_sdk(workgroup, ("configParameters", "parameterKey", "parameterValue"))
    assert_inputs_in_sdk("aws-native:redshiftserverless:Workgroup", ("configParameters",))
    good = {"namespaceName": "evaluation", "workgroupName": "evaluation",
            "configParameters": [{"parameterKey": "require_ssl", "parameterValue": "true"},
                                 {"parameterKey": "enable_user_activity_logging", "parameterValue": "true"}]}
    assert found(rule, workgroup, good) == []
    assert found(rule, workgroup, {"workgroupName": "evaluation"}) == []  # the default requires TLS
    [message] = found(rule, workgroup, {**good, "configParameters": [
        {"parameterKey": "require_ssl", "parameterValue": "false"}]})
    assert "parameter require_ssl is 'false'" in message
    assert found(rule, workgroup, {"configParameters": [{"parameterKey": "require_ssl", "parameterValue": UNKNOWN}]}) == []
    assert found(rule, "aws-native:redshiftserverless:Workgroup",
                 {"configParameters": [{"parameterKey": "require_ssl", "parameterValue": "false"}]})


# --------------------------------------------------------------------------------------------------
# ETL (a Glue job's parameters)

def test_a_glue_jobs_arguments_hold_no_literal_credential():
    from policies.rules._secrets import SECRET_SIG, SIG_KEY
    from policies.rules.plaintext_secrets import no_plaintext_secrets_in_environment as rule

    job = "aws:glue/job:Job"
    assert_inputs_in_sdk(job, ("defaultArguments", "nonOverridableArguments"))
    assert_inputs_in_sdk("aws-native:glue:Job", ("defaultArguments", "nonOverridableArguments"))
    good = {"roleArn": "arn:aws:iam::123456789012:role/glue", "command": {"scriptLocation": "s3://etl/job.py"},
            "defaultArguments": {"--enable-continuous-cloudwatch-log": "true", "--TempDir": "s3://etl-tmp/",
                                 "--secret-id": "prod/warehouse", "--db-password-secret-arn":
                                     "arn:aws:secretsmanager:us-east-1:123456789012:secret:warehouse-AbCdEf",
                                 "--DB_PASSWORD": {SIG_KEY: SECRET_SIG, "value": "Etl-Passw0rd-2024"}}}
    assert found(rule, job, good) == []
    [message] = found(rule, job, {**good, "defaultArguments": {"--DB_PASSWORD": "Etl-Passw0rd-2024"}})
    assert "defaultArguments '--DB_PASSWORD' holds a literal value under a secret-looking name" in message
    assert found(rule, job, {**good, "nonOverridableArguments": {"--api-token": "tok_live_0123456789abcdef"}})
    assert found(rule, job, {**good, "defaultArguments": {"--conf": "spark.jdbc.url=postgresql://etl:hunter22@db:5432/dw"}})
    assert found(rule, job, {**good, "defaultArguments": UNKNOWN}) == []
    assert found(rule, "aws-native:glue:Job", {"defaultArguments": {"--DB_PASSWORD": "Etl-Passw0rd-2024"}})
