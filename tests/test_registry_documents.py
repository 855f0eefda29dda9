"""The registry's pure logic: names, resource policies, lifecycle policy and event pattern."""

from __future__ import annotations

import re

import pytest

from components.registry import documents

GROUP_ARN = "arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/prod-churn"


def test_names():
    assert documents.group_name("prod", "churn") == "prod-churn"
    assert documents.repository_name("prod", "churn-serving") == "prod/churn-serving"
    with pytest.raises(ValueError, match="model package group name '.*' is invalid: at most 63"):
        documents.group_name("p" * 32, "m" * 31)


def test_account_principals_refuse_wildcards_and_non_accounts():
    assert documents.account_principals(["210987654321"], "aws-us-gov") == ["arn:aws-us-gov:iam::210987654321:root"]
    for bad in ("*", "arn:aws:iam::210987654321:root", "21098765432"):
        with pytest.raises(ValueError, match=re.escape(f"reader account {bad!r} is not a 12-digit AWS account id")):
            documents.account_principals([bad])


def test_group_read_policy_covers_the_group_and_its_versions_only():
    policy = documents.group_read_policy(GROUP_ARN, ["210987654321", "111122223333"])
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"AWS": ["arn:aws:iam::210987654321:root", "arn:aws:iam::111122223333:root"]}
    assert statement["Resource"] == [GROUP_ARN, "arn:aws:sagemaker:eu-west-1:123456789012:model-package/prod-churn/*"]
    assert not any("Update" in a or "Create" in a or "Delete" in a for a in statement["Action"])
    with pytest.raises(ValueError, match="is not a model package group ARN"):
        documents.model_package_arn_pattern("arn:aws:sagemaker:eu-west-1:123456789012:model/x")


def test_lifecycle_policy_rules_and_bounds():
    rules = documents.lifecycle_policy(untagged_days=7, tagged_kept=30)["rules"]
    assert [r["rulePriority"] for r in rules] == [1, 2]
    assert rules[0]["selection"]["tagStatus"] == "untagged" and rules[0]["selection"]["countNumber"] == 7
    assert rules[1]["selection"]["tagPatternList"] == ["*"] and rules[1]["selection"]["countNumber"] == 30
    assert all(r["action"] == {"type": "expire"} for r in rules)
    with pytest.raises(ValueError, match="tagged_kept=0 must both be at least 1"):
        documents.lifecycle_policy(untagged_days=7, tagged_kept=0)


def test_event_pattern_filters_to_the_registry_groups():
    assert documents.approval_event_pattern(["b", "a"])["detail"] == {"ModelPackageGroupName": ["a", "b"]}
    with pytest.raises(ValueError, match="needs at least one model package group"):
        documents.approval_event_pattern([])
