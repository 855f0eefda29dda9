"""ECR repositories hold the images endpoints and training jobs run: tags must be immutable (a tag
always names the same bits), every push scanned, images encrypted with a customer-managed key,
and no repository policy open to every principal."""

from __future__ import annotations

import re
from typing import Any, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._components import as_built
from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._principals import no_wildcard_principal
from policies.rules._props import as_list, describe, get, is_unknown

REPOSITORY = "aws:ecr/repository:Repository"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
#: pulumi-aws-native's AWS::ECR::Repository: the same ImageTagMutability (default MUTABLE) and
#: ImageScanningConfiguration.ScanOnPush; one ``encryptionConfiguration`` object (pulumi-aws: a list of one),
#: and the repository policy inline as ``repositoryPolicyText``, an object (pulumi-aws-native 1.84
#: ecr/repository.py).
NATIVE_REPOSITORY = "aws-native:ecr:Repository"
REPOSITORIES = (REPOSITORY, NATIVE_REPOSITORY)


#: ImageTagMutability (botocore ecr 2015-09-21): the two ``*_WITH_EXCLUSION`` settings apply the opposite
#: setting to tags matching one of up to five ``imageTagMutabilityExclusionFilters`` (pulumi-aws ``filter``,
#: pulumi-aws-native ``imageTagMutabilityExclusionFilterValue``: ``[0-9a-zA-Z._*-]``, ``*`` any run of characters).
EXCLUSION_SETTINGS = ("IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION")
FILTER_FIELDS = ("filter", "imageTagMutabilityExclusionFilterValue")


def exclusion_filters(props: Any) -> Optional[list[str]]:
    """The repository's exclusion filter patterns, ``None`` when any is unknown."""
    filters = as_list(get(props, "imageTagMutabilityExclusionFilters"))
    if is_unknown(filters) or any(is_unknown(f) for f in filters):
        return None
    patterns = [next((f[k] for k in FILTER_FIELDS if k in f), None) for f in filters if isinstance(f, dict)]
    return None if any(not isinstance(p, str) or is_unknown(p) for p in patterns) else patterns


def _matches(pattern: str, tag: str) -> bool:
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), tag) is not None


def tag_immutable(props: Any, tag: str) -> Optional[bool]:
    """Whether ECR refuses to move ``tag`` in a repository with ``props`` (absent setting: MUTABLE);
    ``None`` when the setting or its filters are unknown."""
    mutability = get(props, "imageTagMutability", default="MUTABLE")
    if is_unknown(mutability):
        return None
    if mutability not in EXCLUSION_SETTINGS:
        return mutability == "IMMUTABLE"
    filters = exclusion_filters(props)
    if filters is None:
        return None
    excluded = any(_matches(pattern, tag) for pattern in filters)
    return excluded != (mutability == "IMMUTABLE_WITH_EXCLUSION")


def _immutable_tags(args: ResourceValidationArgs, report: ReportViolation) -> None:
    mutability = get(args.props, "imageTagMutability", default="MUTABLE")
    if is_unknown(mutability) or mutability == "IMMUTABLE":
        return
    if mutability == "IMMUTABLE_WITH_EXCLUSION":
        # The tags the filters name (``latest``, ``dev-*``) stay movable by choice; a filter of wildcards
        # alone names every tag.
        everything = [p for p in exclusion_filters(args.props) or () if not p.strip("*")]
        if everything:
            report(f"{describe(args)} has imageTagMutability='IMMUTABLE_WITH_EXCLUSION' with the exclusion filter "
                   f"{everything[0]!r}, which matches every tag: every tag can be moved; name only the tags that "
                   "may move (for example 'latest')")
        return
    report(f"{describe(args)} has imageTagMutability={mutability!r}: a pushed tag could later name different "
           "image contents; set it to 'IMMUTABLE' (or 'IMMUTABLE_WITH_EXCLUSION' naming the tags that may move)")


ecr_image_tags_immutable = ResourceValidationPolicy(
    name="ecr-image-tags-immutable",
    description="ECR repositories must make image tags immutable (IMMUTABLE, or IMMUTABLE_WITH_EXCLUSION whose "
                "filters name only the tags that may move), so a deployed tag always names the same image.",
    validate=as_built(REPOSITORIES, _immutable_tags),
    severity=Severity.MEDIUM,
    remediation_steps="Set image_tag_mutability='IMMUTABLE' on the aws.ecr.Repository and publish every build "
                      "under a new tag (for example the commit SHA).",
    **frameworks({"nist-800-53": "SI-7"}),
)


def _scan_on_push(args: ResourceValidationArgs, report: ReportViolation) -> None:
    scan = get(args.props, "imageScanningConfiguration", "scanOnPush", default=False)
    if is_unknown(scan) or scan is True:
        return
    report(f"{describe(args)} does not scan images on push: vulnerable images would reach endpoints unnoticed")


ecr_scan_on_push = ResourceValidationPolicy(
    name="ecr-scan-on-push",
    description="ECR repositories must scan every image for known vulnerabilities when it is pushed.",
    validate=as_built(REPOSITORIES, _scan_on_push),
    severity=Severity.MEDIUM,
    remediation_steps="Set image_scanning_configuration={'scan_on_push': True} on the aws.ecr.Repository.",
    **frameworks({"nist-800-53": "RA-5", "pci-dss": "6.3.1"}),
)

KMS_SCHEMA = config_schema(
    requireCustomerManagedKey={
        "type": "boolean", "default": True,
        "description": "Require a named customer-managed key (kmsKey); false accepts the AWS-managed aws/ecr key.",
    },
)


def _kms_encryption(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config = policy_config(args, KMS_SCHEMA)
    encryption = (get(args.props, "encryptionConfiguration", default={}) if args.resource_type == NATIVE_REPOSITORY
                  else get(args.props, "encryptionConfigurations", 0, default={}))
    if is_unknown(encryption) or not isinstance(encryption, dict):
        return
    kind = encryption.get("encryptionType") or "AES256"
    if is_unknown(kind):
        return
    if kind not in ("KMS", "KMS_DSSE"):
        report(f"{describe(args)} is encrypted with {kind}, not KMS: use a customer-managed KMS key")
        return
    key = encryption.get("kmsKey")
    if config["requireCustomerManagedKey"] and not key:
        report(f"{describe(args)} uses KMS with the AWS-managed key: name a customer-managed key in kmsKey")


ecr_kms_encryption = ResourceValidationPolicy(
    name="ecr-kms-encryption",
    description="ECR repositories must encrypt images with KMS, by default with a customer-managed key.",
    validate=as_built(REPOSITORIES, _kms_encryption),
    config_schema=KMS_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Set encryption_configurations=[{'encryption_type': 'KMS', 'kms_key': key.arn}] on the "
                      "aws.ecr.Repository (encryption can only be chosen when the repository is created).",
    **frameworks({"nist-800-53": "SC-28", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)"}),
)


_no_wildcard_principal = no_wildcard_principal(
    ("policy", "repositoryPolicyText"),
    invalid="{resource} has a policy that is not valid JSON",
    allowed="{resource}: statement {sid!r} allows principal '*' ({actions}); name the accounts that may pull",
)


ecr_repository_policy_no_wildcard_principal = ResourceValidationPolicy(
    name="ecr-repository-policy-no-wildcard-principal",
    description="ECR repository policies must name the principals they allow, never '*'.",
    validate=applies_to([REPOSITORY_POLICY, NATIVE_REPOSITORY], _no_wildcard_principal),
    severity=Severity.HIGH,
    remediation_steps="List the reader accounts as 'arn:aws:iam::<account>:root' principals (pull actions only) "
                      "instead of '*'.",
    **frameworks({"nist-800-53": "AC-3", "pci-dss": "7.2.1"}),
)

SECURITY = [ecr_image_tags_immutable, ecr_scan_on_push, ecr_kms_encryption,
            ecr_repository_policy_no_wildcard_principal]
PRIVACY: list = []
COMPLIANCE: list = []
