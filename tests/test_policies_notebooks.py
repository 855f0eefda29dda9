"""SageMaker notebook and Studio rules: each from a compliant notebook or domain, one field changed."""

from __future__ import annotations

import pytest

from policies.rules.notebooks import (
    DOMAIN,
    NOTEBOOK,
    SECURITY,
    cloud9_no_ingress,
    sagemaker_notebook_imdsv2,
    sagemaker_notebook_no_root_access,
    sagemaker_notebook_supported_platform,
    sagemaker_notebook_vpc_only,
)
from policies.rules.sagemaker import sagemaker_volume_cmk
from policy_helpers import UNKNOWN, resource_args, violations
from sdk_inputs import assert_inputs_in_sdk

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc"
NOTEBOOK_PROPS = {
    "instanceType": "ml.t3.medium", "roleArn": "arn:aws:iam::123456789012:role/notebook",
    "directInternetAccess": "Disabled", "subnetId": "subnet-0123", "securityGroups": ["sg-0123"],
    "rootAccess": "Disabled", "kmsKeyId": KEY_ARN,
    "instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "2"},
    "platformIdentifier": "notebook-al2023-v1",
}
DOMAIN_PROPS = {"domainName": "ml", "authMode": "IAM", "vpcId": "vpc-0123", "subnetIds": ["subnet-0123"],
                "appNetworkAccessType": "VpcOnly", "kmsKeyId": KEY_ARN}
RULES = [*SECURITY, sagemaker_volume_cmk]


def notebook(**changes):
    props = {**NOTEBOOK_PROPS, **changes}
    return resource_args(NOTEBOOK, {k: v for k, v in props.items() if v is not None}, name="research")


def domain(**changes):
    props = {**DOMAIN_PROPS, **changes}
    return resource_args(DOMAIN, {k: v for k, v in props.items() if v is not None}, name="studio")


def broken(args):
    return {policy.name: found for policy in RULES if (found := violations(policy, args))}


def test_compliant_notebook_and_domain_pass_every_rule():
    assert broken(notebook()) == {}
    assert broken(domain()) == {}


@pytest.mark.parametrize("access", [None, "Enabled"])
def test_direct_internet_access_fails_including_the_default(access):
    shown = access or "Enabled"
    assert broken(notebook(directInternetAccess=access)) == {"sagemaker-notebook-vpc-only": [
        f"{NOTEBOOK} 'research' has direct internet access ({shown!r}): set directInternetAccess 'Disabled' and "
        "subnetId to a private subnet, so traffic goes through the VPC and its endpoints"]}


def test_no_internet_without_a_subnet_fails():
    assert violations(sagemaker_notebook_vpc_only, notebook(subnetId=None)) == [
        f"{NOTEBOOK} 'research' disables direct internet access but names no subnetId: it would have no network at "
        "all; set subnetId to a private subnet"]


@pytest.mark.parametrize("mode", [None, "PublicInternetOnly"])
def test_studio_with_public_internet_fails_including_the_default(mode):
    assert violations(sagemaker_notebook_vpc_only, domain(appNetworkAccessType=mode)) == [
        f"{DOMAIN} 'studio' uses appNetworkAccessType 'PublicInternetOnly': Studio apps reach the internet "
        "directly; set it to 'VpcOnly' with subnetIds in private subnets"]


@pytest.mark.parametrize("key, used", [(None, "the AWS-managed key"),
                                       ("alias/aws/sagemaker", "the AWS-managed key alias/aws/sagemaker")])
def test_missing_or_aws_managed_keys_fail(key, used):
    assert broken(notebook(kmsKeyId=key)) == {"sagemaker-volume-cmk": [
        f"{NOTEBOOK} 'research': encrypts its ML storage volumes with {used}; set kmsKeyId to a customer-managed KMS "
        "key"]}
    assert broken(domain(kmsKeyId=key)) == {"sagemaker-volume-cmk": [
        f"{DOMAIN} 'studio': encrypts its ML storage volumes with {used}; set kmsKeyId to a customer-managed KMS key"]}


def test_a_gpu_notebook_still_needs_its_volume_key():
    assert broken(notebook(instanceType="ml.g5.xlarge", kmsKeyId=None))


def test_root_access_and_imdsv1_each_break_one_rule_including_the_defaults():
    assert broken(notebook(rootAccess=None)) == {"sagemaker-notebook-no-root-access": [
        f"{NOTEBOOK} 'research' gives its users root access ('Enabled'): set rootAccess 'Disabled'"]}
    assert broken(notebook(instanceMetadataServiceConfiguration=None)) == {"sagemaker-notebook-imdsv2": [
        f"{NOTEBOOK} 'research' allows IMDSv1 (minimum version '1'): set "
        "instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion '2'"]}
    assert violations(sagemaker_notebook_no_root_access, domain()) == []  # Studio has neither setting
    assert violations(sagemaker_notebook_imdsv2, domain()) == []


def test_unknown_values_are_not_judged():
    assert violations(sagemaker_notebook_vpc_only, notebook(directInternetAccess=UNKNOWN)) == []
    assert violations(sagemaker_notebook_vpc_only, domain(appNetworkAccessType=UNKNOWN)) == []
    assert violations(sagemaker_volume_cmk, notebook(kmsKeyId=UNKNOWN)) == []
    assert violations(sagemaker_notebook_no_root_access, notebook(rootAccess=UNKNOWN)) == []
    assert violations(sagemaker_notebook_imdsv2, notebook(
        instanceMetadataServiceConfiguration={"minimumInstanceMetadataServiceVersion": UNKNOWN})) == []


@pytest.mark.parametrize("platform", ["notebook-al1-v1", "notebook-al2-v1", "notebook-al2-v2"])
def test_a_deprecated_platform_breaks_one_rule(platform):
    assert broken(notebook(platformIdentifier=platform)) == {"sagemaker-notebook-supported-platform": [
        f"{NOTEBOOK} 'research' runs on platform {platform!r}, which is deprecated: its operating system and "
        "JupyterLab no longer get security updates; set platformIdentifier 'notebook-al2023-v1'"]}


def test_supported_absent_and_unknown_platforms_pass_and_the_list_is_configurable():
    for platform in ("notebook-al2-v3", "notebook-al2023-v1", None, UNKNOWN):
        assert violations(sagemaker_notebook_supported_platform, notebook(platformIdentifier=platform)) == []
    retired = resource_args(NOTEBOOK, {**NOTEBOOK_PROPS, "platformIdentifier": "notebook-al2-v3"}, name="research",
                            config={"deprecatedPlatforms": ["notebook-al2-v3"]})
    assert len(violations(sagemaker_notebook_supported_platform, retired)) == 1
    assert violations(sagemaker_notebook_supported_platform, domain(platformIdentifier="notebook-al1-v1")) == []


def test_a_cloud9_environment_takes_no_inbound_ssh():
    cloud9 = "aws:cloud9/environmentEC2:EnvironmentEC2"
    assert_inputs_in_sdk(cloud9, ("connectionType",))
    base = {"instanceType": "t3.small", "imageId": "amazonlinux-2023-x86_64", "subnetId": "subnet-0123"}
    ssm = resource_args(cloud9, {**base, "connectionType": "CONNECT_SSM"}, name="ide")
    assert violations(cloud9_no_ingress, ssm) == []
    assert violations(cloud9_no_ingress, resource_args(cloud9, base, name="ide")) == [
        f"{cloud9} 'ide' is reached over inbound SSH (connectionType 'CONNECT_SSH'): set connectionType 'CONNECT_SSM' "
        "for a no-ingress instance reached through Systems Manager"]
    assert violations(cloud9_no_ingress, resource_args(cloud9, {**base, "connectionType": UNKNOWN}, name="ide")) == []
    native = "aws-native:cloud9:EnvironmentEc2"
    assert len(violations(cloud9_no_ingress, resource_args(native, {**base, "connectionType": "CONNECT_SSH"}))) == 1
    # Not a notebook rule: a notebook or domain is not judged by it.
    assert violations(cloud9_no_ingress, notebook()) == []
