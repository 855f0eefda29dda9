"""Rules added after red-teaming the packs with foreign ML-platform programs (tests/foreign_programs):
each from a compliant example with one thing changed."""

from __future__ import annotations

import json

import pytest

from policies.rules.lake_formation import lakeformation_no_iam_allowed_principals
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
