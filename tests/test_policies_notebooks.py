"""SageMaker notebook and Studio rules: each from a compliant notebook or domain, one field changed."""

from __future__ import annotations

import pytest

from policies.rules.notebooks import (
    DOMAIN,
    NOTEBOOK,
    SECURITY,
    sagemaker_notebook_hardened,
    sagemaker_notebook_kms,
    sagemaker_notebook_vpc_only,
)
from policy_helpers import UNKNOWN, resource_args, violations

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc"
NOTEBOOK_PROPS = {
    "instanceType": "ml.t3.medium", "roleArn": "arn:aws:iam::123456789012:role/notebook",
    "directInternetAccess": "Disabled", "subnetId": "subnet-0123", "securityGroups": ["sg-0123"],
    "rootAccess": "Disabled", "kmsKeyId": KEY_ARN,
    "instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "2"},
}
DOMAIN_PROPS = {"domainName": "ml", "authMode": "IAM", "vpcId": "vpc-0123", "subnetIds": ["subnet-0123"],
                "appNetworkAccessType": "VpcOnly", "kmsKeyId": KEY_ARN}


def notebook(**changes):
    props = {**NOTEBOOK_PROPS, **changes}
    return resource_args(NOTEBOOK, {k: v for k, v in props.items() if v is not None}, name="research")


def domain(**changes):
    props = {**DOMAIN_PROPS, **changes}
    return resource_args(DOMAIN, {k: v for k, v in props.items() if v is not None}, name="studio")


def test_compliant_notebook_and_domain_pass_every_rule():
    for policy in SECURITY:
        assert violations(policy, notebook()) == [], policy.name
        assert violations(policy, domain()) == [], policy.name


@pytest.mark.parametrize("access", [None, "Enabled"])
def test_direct_internet_access_fails_including_the_default(access):
    shown = access or "Enabled"
    assert violations(sagemaker_notebook_vpc_only, notebook(directInternetAccess=access)) == [
        f"{NOTEBOOK} 'research' has direct internet access ({shown!r}): set directInternetAccess 'Disabled' and "
        "subnetId to a private subnet, so traffic goes through the VPC and its endpoints"]


def test_no_internet_without_a_subnet_fails():
    assert violations(sagemaker_notebook_vpc_only, notebook(subnetId=None)) == [
        f"{NOTEBOOK} 'research' disables direct internet access but names no subnetId: it would have no network at "
        "all; set subnetId to a private subnet"]


@pytest.mark.parametrize("mode", [None, "PublicInternetOnly"])
def test_studio_with_public_internet_fails_including_the_default(mode):
    assert violations(sagemaker_notebook_vpc_only, domain(appNetworkAccessType=mode)) == [
        f"{DOMAIN} 'studio' uses appNetworkAccessType 'PublicInternetOnly': Studio apps reach the internet "
        "directly; set it to 'VpcOnly' with subnetIds in private subnets"]


@pytest.mark.parametrize("key", [None, "alias/aws/sagemaker"])
def test_missing_or_aws_managed_keys_fail(key):
    assert violations(sagemaker_notebook_kms, notebook(kmsKeyId=key)) == [
        f"{NOTEBOOK} 'research' encrypts its ML storage volume with the AWS-managed key: set kmsKeyId to a "
        "customer-managed key"]
    assert violations(sagemaker_notebook_kms, domain(kmsKeyId=key)) == [
        f"{DOMAIN} 'studio' encrypts the Studio home directories (EFS) with the AWS-managed key: set kmsKeyId to a "
        "customer-managed key"]


def test_root_access_and_imdsv1_fail_including_the_defaults():
    assert violations(sagemaker_notebook_hardened, notebook(rootAccess=None, instanceMetadataServiceConfiguration=None)) == [
        f"{NOTEBOOK} 'research' gives its users root access ('Enabled'): set rootAccess 'Disabled'",
        f"{NOTEBOOK} 'research' allows IMDSv1 (minimum version '1'): set "
        "instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion '2'"]
    assert violations(sagemaker_notebook_hardened, domain()) == []  # Studio has neither setting


def test_unknown_values_are_not_judged():
    assert violations(sagemaker_notebook_vpc_only, notebook(directInternetAccess=UNKNOWN)) == []
    assert violations(sagemaker_notebook_vpc_only, domain(appNetworkAccessType=UNKNOWN)) == []
    assert violations(sagemaker_notebook_kms, notebook(kmsKeyId=UNKNOWN)) == []
    assert violations(sagemaker_notebook_hardened, notebook(
        rootAccess=UNKNOWN, instanceMetadataServiceConfiguration={"minimumInstanceMetadataServiceVersion": UNKNOWN})) == []
