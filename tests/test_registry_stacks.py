"""The registry as the stacks build it: per-environment names, the registry key, protection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlinfra.plan import run_program

PROJECT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("env", "protected", "classification"), [("dev", False, "confidential"),
                                                                 ("prod", True, "restricted")])
def test_stack_builds_the_registry_of_its_environment(env, protected, classification):
    monitor = run_program(PROJECT, env)
    group = monitor.named("aws:sagemaker/modelPackageGroup:ModelPackageGroup", f"{env}-registry-churn-classifier")
    assert group.inputs["modelPackageGroupName"] == f"{env}-churn-classifier"
    assert group.protect is protected
    assert group.inputs["tags"]["data-classification"] == classification
    repo = monitor.named("aws:ecr/repository:Repository", f"{env}-registry-churn-serving")
    assert repo.inputs["name"] == f"{env}/churn-serving"
    assert repo.protect is protected

    key = monitor.named("aws:kms/key:Key", f"{env}-keys-registry")
    assert repo.inputs["encryptionConfigurations"][0]["kmsKey"] == key.outputs["arn"]
    statements = json.loads(key.inputs["policy"])["Statement"]
    assert any(s["Principal"] == {"Service": "events.amazonaws.com"} for s in statements)
    topic = monitor.named("aws:sns/topic:Topic", f"{env}-registry-approvals")
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"]

    stack = next(r for r in monitor.registrations.values() if r.type == "pulumi:pulumi:Stack")
    assert stack.outputs["modelPackageGroups"] == {"churn-classifier": f"{env}-churn-classifier"}
    assert stack.outputs["modelApprovalEvents"] == topic.outputs["arn"]
