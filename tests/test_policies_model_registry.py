"""Model registry rules: group policies name their readers; prod models deploy model packages."""

from __future__ import annotations

import json

import pytest

from policies.rules.model_registry import (
    COMPLIANCE,
    GROUP_POLICY,
    MODEL,
    SECURITY,
    model_package_group_policy_no_wildcard_principal,
    sagemaker_model_uses_model_package,
)
from policy_helpers import UNKNOWN, resource_args, violations

PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/prod-churn/6"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/prod/churn-serving:1.4.0"
READERS = {"Version": "2012-10-17", "Statement": [{
    "Sid": "ReaderAccountsRead", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::210987654321:root"]},
    "Action": ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup", "sagemaker:ListModelPackages"],
    "Resource": ["arn:aws:sagemaker:us-east-1:123456789012:model-package-group/prod-churn"]}]}
PROD = {"requireModelPackages": True}


def group_policy(document):
    policy = document if isinstance(document, str) else json.dumps(document)
    return resource_args(GROUP_POLICY, {"modelPackageGroupName": "prod-churn", "resourcePolicy": policy},
                         name="churn-policy")


def model(config=PROD, **props):
    base = {"executionRoleArn": "arn:aws:iam::123456789012:role/sm", **props}
    return resource_args(MODEL, base, config, name="churn")


def test_packs_and_frameworks():
    assert [p.name for p in SECURITY] == ["model-package-group-policy-no-wildcard-principal"]
    assert [p.name for p in COMPLIANCE] == ["sagemaker-model-uses-model-package"]
    assert sagemaker_model_uses_model_package.config_schema.properties["requireModelPackages"]["default"] is False


def test_reader_account_group_policy_passes():
    assert violations(model_package_group_policy_no_wildcard_principal, group_policy(READERS)) == []


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::210987654321:root", "*"]}])
def test_wildcard_principal_in_group_policy_fails(principal):
    document = json.loads(json.dumps(READERS))
    document["Statement"][0]["Principal"] = principal
    assert violations(model_package_group_policy_no_wildcard_principal, group_policy(document)) == [
        "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy 'churn-policy': statement "
        "'ReaderAccountsRead' allows principal '*' (sagemaker:DescribeModelPackage, "
        "sagemaker:DescribeModelPackageGroup, sagemaker:ListModelPackages); name the reader accounts"]


def test_group_policy_unknown_or_invalid():
    assert violations(model_package_group_policy_no_wildcard_principal, group_policy(UNKNOWN)) == []
    assert violations(model_package_group_policy_no_wildcard_principal, group_policy("[")) == [
        "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy 'churn-policy' has a resourcePolicy that "
        "is not valid JSON"]


def test_model_deploying_a_package_passes_in_prod():
    assert violations(sagemaker_model_uses_model_package, model(primaryContainer={"modelPackageName": PACKAGE})) == []
    assert violations(sagemaker_model_uses_model_package,
                      model(containers=[{"modelPackageName": PACKAGE}, {"modelPackageName": PACKAGE}])) == []


def test_raw_image_and_artifact_fail_in_prod():
    found = violations(sagemaker_model_uses_model_package,
                       model(primaryContainer={"image": IMAGE, "modelDataUrl": "s3://artifacts/churn/model.tar.gz"}))
    assert found == ["aws:sagemaker/model:Model 'churn': primaryContainer deploys image and modelDataUrl instead of "
                     "a modelPackageName; deploy an Approved model package so approval gates what runs"]


def test_each_container_is_checked():
    found = violations(sagemaker_model_uses_model_package,
                       model(containers=[{"modelPackageName": PACKAGE}, {"image": IMAGE}]))
    assert found == ["aws:sagemaker/model:Model 'churn': containers[1] deploys image instead of a modelPackageName; "
                     "deploy an Approved model package so approval gates what runs"]


def test_image_alongside_a_package_fails():
    (found,) = violations(sagemaker_model_uses_model_package,
                          model(primaryContainer={"modelPackageName": PACKAGE, "image": IMAGE}))
    assert "primaryContainer sets image alongside modelPackageName" in found


def test_model_without_containers_fails():
    assert violations(sagemaker_model_uses_model_package, model()) == [
        "aws:sagemaker/model:Model 'churn' declares no container: deploy an approved model package"]


@pytest.mark.parametrize("config", [None, {}, {"requireModelPackages": False}])
def test_raw_images_are_allowed_where_not_required(config):
    assert violations(sagemaker_model_uses_model_package, model(config, primaryContainer={"image": IMAGE})) == []


def test_unknown_package_during_preview_is_not_judged():
    assert violations(sagemaker_model_uses_model_package, model(primaryContainer={"modelPackageName": UNKNOWN})) == []
    assert violations(sagemaker_model_uses_model_package, model(primaryContainer=UNKNOWN)) == []
    assert violations(sagemaker_model_uses_model_package, model(containers=UNKNOWN)) == []


def test_other_types_are_ignored():
    other = resource_args("aws:sagemaker/endpointConfiguration:EndpointConfiguration", {"image": IMAGE}, PROD)
    assert violations(sagemaker_model_uses_model_package, other) == []
    assert violations(model_package_group_policy_no_wildcard_principal, other) == []


@pytest.mark.parametrize(("env", "required"), [("dev", False), ("staging", False), ("prod", True)])
def test_only_prod_requires_model_packages(env, required):
    from pathlib import Path

    config = json.loads((Path(__file__).resolve().parents[1] / f"policies/config/{env}/compliance.json").read_text())
    rule = config.get("sagemaker-model-uses-model-package", {})
    assert rule.get("requireModelPackages", False) is required
    if required:
        assert rule["enforcementLevel"] == "mandatory"
