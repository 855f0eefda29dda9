"""ECR rules: each from a compliant repository or policy, one field changed to make it fail."""

from __future__ import annotations

import json

import pytest

from policies.rules.ecr import (
    REPOSITORY,
    REPOSITORY_POLICY,
    SECURITY,
    ecr_image_tags_immutable,
    ecr_kms_encryption,
    ecr_repository_policy_no_wildcard_principal,
    ecr_scan_on_push,
    tag_immutable,
)
from policy_helpers import UNKNOWN, resource_args, violations

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc"
COMPLIANT = {
    "name": "prod/churn-serving",
    "imageTagMutability": "IMMUTABLE",
    "imageScanningConfiguration": {"scanOnPush": True},
    "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": KEY_ARN}],
}
READERS = {"Version": "2012-10-17", "Statement": [{
    "Sid": "ReaderAccountsPull", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::210987654321:root"]},
    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]}]}


def repo(config=None, **changes):
    props = {**COMPLIANT, **changes}
    return resource_args(REPOSITORY, {k: v for k, v in props.items() if v is not None}, config, name="images")


def test_compliant_repository_passes_every_rule():
    for policy in SECURITY:
        assert violations(policy, repo()) == [], policy.name


def test_rules_are_in_the_security_pack_with_frameworks():
    assert {p.name for p in SECURITY} == {"ecr-image-tags-immutable", "ecr-scan-on-push", "ecr-kms-encryption",
                                          "ecr-repository-policy-no-wildcard-principal"}
    assert all(p.framework is not None and "nist-800-53" in p.tags for p in SECURITY)


@pytest.mark.parametrize("mutability", ["MUTABLE", "MUTABLE_WITH_EXCLUSION", None])
def test_mutable_tags_fail(mutability):
    shown = mutability or "MUTABLE"  # the provider's default when unset
    assert violations(ecr_image_tags_immutable, repo(imageTagMutability=mutability)) == [
        f"aws:ecr/repository:Repository 'images' has imageTagMutability={shown!r}: a pushed tag could later "
        "name different image contents; set it to 'IMMUTABLE' (or 'IMMUTABLE_WITH_EXCLUSION' naming the tags "
        "that may move)"]


def exclusions(*patterns, native=False):
    """Exclusion filters as pulumi-aws (``filter``) or pulumi-aws-native
    (``imageTagMutabilityExclusionFilterValue``) writes them."""
    if native:
        return [{"imageTagMutabilityExclusionFilterType": "WILDCARD", "imageTagMutabilityExclusionFilterValue": p}
                for p in patterns]
    return [{"filterType": "WILDCARD", "filter": p} for p in patterns]


@pytest.mark.parametrize("native", [False, True])
def test_immutable_with_exclusions_passes_unless_a_filter_matches_every_tag(native):
    def judged(*patterns):
        return violations(ecr_image_tags_immutable, repo(
            imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters=exclusions(*patterns, native=native)))
    assert judged("latest", "dev-*") == []
    assert judged("latest", "**") == [
        "aws:ecr/repository:Repository 'images' has imageTagMutability='IMMUTABLE_WITH_EXCLUSION' with the "
        "exclusion filter '**', which matches every tag: every tag can be moved; name only the tags that may "
        "move (for example 'latest')"]


@pytest.mark.parametrize(("mutability", "patterns", "tag", "fixed"), [
    ("IMMUTABLE", [], "v1", True),
    ("MUTABLE", [], "v1", False),
    (None, [], "v1", False),                                        # ECR's default is MUTABLE
    ("IMMUTABLE_WITH_EXCLUSION", ["latest", "dev-*"], "v1", True),
    ("IMMUTABLE_WITH_EXCLUSION", ["latest", "dev-*"], "dev-42", False),
    ("IMMUTABLE_WITH_EXCLUSION", ["*-rc*"], "v2-rc1", False),        # up to two wildcards, anywhere
    ("IMMUTABLE_WITH_EXCLUSION", ["v1.*"], "v10", True),             # "." is literal
    ("MUTABLE_WITH_EXCLUSION", ["release-*"], "release-3", True),
    ("MUTABLE_WITH_EXCLUSION", ["release-*"], "nightly", False),
    ("IMMUTABLE_WITH_EXCLUSION", UNKNOWN, "v1", None),
    ("MUTABLE_WITH_EXCLUSION", [UNKNOWN], "v1", None),
    (UNKNOWN, [], "v1", None),
])
def test_tag_immutable_follows_the_setting_and_its_exclusion_filters(mutability, patterns, tag, fixed):
    props = {"imageTagMutabilityExclusionFilters": patterns if patterns is UNKNOWN else exclusions(*patterns)}
    if mutability is not None:
        props["imageTagMutability"] = mutability
    assert tag_immutable(props, tag) is fixed


@pytest.mark.parametrize("scanning", [{"scanOnPush": False}, {}, None])
def test_no_scan_on_push_fails(scanning):
    assert violations(ecr_scan_on_push, repo(imageScanningConfiguration=scanning)) == [
        "aws:ecr/repository:Repository 'images' does not scan images on push: vulnerable images would reach "
        "endpoints unnoticed"]


@pytest.mark.parametrize(("encryption", "message"), [
    (None, "is encrypted with AES256, not KMS"),
    ([{"encryptionType": "AES256"}], "is encrypted with AES256, not KMS"),
    ([{"encryptionType": "KMS"}], "uses KMS with the AWS-managed key: name a customer-managed key in kmsKey"),
])
def test_without_a_customer_managed_key_fails(encryption, message):
    (found,) = violations(ecr_kms_encryption, repo(encryptionConfigurations=encryption))
    assert message in found


def test_aws_managed_kms_key_can_be_allowed_by_config():
    args = repo({"requireCustomerManagedKey": False}, encryptionConfigurations=[{"encryptionType": "KMS"}])
    assert violations(ecr_kms_encryption, args) == []
    args = repo({"requireCustomerManagedKey": False}, encryptionConfigurations=[{"encryptionType": "AES256"}])
    assert violations(ecr_kms_encryption, args) != []


def test_unknown_values_during_preview_are_not_judged():
    unknown = repo(imageTagMutability=UNKNOWN, imageScanningConfiguration={"scanOnPush": UNKNOWN},
                   encryptionConfigurations=[{"encryptionType": "KMS", "kmsKey": UNKNOWN}])
    for policy in SECURITY:
        assert violations(policy, unknown) == [], policy.name
    assert violations(ecr_kms_encryption, repo(encryptionConfigurations=UNKNOWN)) == []


def test_rules_ignore_other_resource_types():
    other = resource_args("aws:s3/bucket:Bucket", {"imageTagMutability": "MUTABLE", "policy": "*"})
    for policy in SECURITY:
        assert violations(policy, other) == []


def repo_policy(document):
    policy = document if isinstance(document, str) else json.dumps(document)
    return resource_args(REPOSITORY_POLICY, {"repository": "prod/churn-serving", "policy": policy}, name="pull")


def test_reader_account_pull_policy_passes():
    assert violations(ecr_repository_policy_no_wildcard_principal, repo_policy(READERS)) == []


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::210987654321:root", "*"]}])
def test_wildcard_principal_fails(principal):
    document = json.loads(json.dumps(READERS))
    document["Statement"][0]["Principal"] = principal
    assert violations(ecr_repository_policy_no_wildcard_principal, repo_policy(document)) == [
        "aws:ecr/repositoryPolicy:RepositoryPolicy 'pull': statement 'ReaderAccountsPull' allows principal '*' "
        "(ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability); name the accounts "
        "that may pull"]


def test_wildcard_deny_is_fine_and_bad_json_is_reported():
    document = json.loads(json.dumps(READERS))
    document["Statement"].append({"Sid": "DenyAll", "Effect": "Deny", "Principal": "*", "Action": "ecr:Delete*"})
    assert violations(ecr_repository_policy_no_wildcard_principal, repo_policy(document)) == []
    assert violations(ecr_repository_policy_no_wildcard_principal, repo_policy("{not json")) == [
        "aws:ecr/repositoryPolicy:RepositoryPolicy 'pull' has a policy that is not valid JSON"]
    assert violations(ecr_repository_policy_no_wildcard_principal, repo_policy(UNKNOWN)) == []
