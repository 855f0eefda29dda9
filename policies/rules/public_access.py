"""Account- and access-point-level public access settings: S3 access points keep their public access
block, and EMR's account-wide block public access stays on.

``aws.s3.AccessPoint`` ``publicAccessBlockConfiguration`` (``blockPublicAcls``, ``blockPublicPolicy``,
``ignorePublicAcls``, ``restrictPublicBuckets``): each defaults to true (S3 Control
``CreateAccessPoint``; pulumi-aws s3/_inputs.py), so only an explicit false is a violation; an
access point with a ``vpcConfiguration`` accepts requests from that VPC only and is not judged.
``aws.emr.BlockPublicAccessConfiguration`` ``blockPublicSecurityGroupRules`` (EMR
``BlockPublicAccessConfiguration``): false lets clusters start with security groups open to the
internet. ``aws.s3.BucketOwnershipControls`` ``rule.objectOwnership`` other than
``BucketOwnerEnforced`` (``BucketOwnerPreferred``, ``ObjectWriter``) turns ACLs back on; a bucket
without ownership controls enforces them (the S3 default since April 2023). Checkov CKV_AWS_392,
CKV_AWS_390, CKV2_AWS_65.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._props import as_bool, as_list, describe, get, is_unknown, single

ACCESS_POINT = "aws:s3/accessPoint:AccessPoint"
#: pulumi-aws-native's AWS::S3::AccessPoint: the same publicAccessBlockConfiguration and vpcConfiguration; an
#: AWS::S3::Bucket's inline ``ownershipControls.rules[].objectOwnership`` (pulumi-aws-native 1.84 s3/*.py).
NATIVE_ACCESS_POINT = "aws-native:s3:AccessPoint"
NATIVE_BUCKET = "aws-native:s3:Bucket"
EMR_BLOCK = "aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration"
BLOCK_SETTINGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _access_point(args: ResourceValidationArgs, report: ReportViolation) -> None:
    vpc = get(args.props, "vpcConfiguration")
    if is_unknown(vpc) or vpc:
        return
    block = get(args.props, "publicAccessBlockConfiguration")
    block = single(block)
    if not isinstance(block, dict):
        return  # absent: all four default to true
    off = [name for name in BLOCK_SETTINGS if as_bool(block.get(name)) is False]
    if off:
        report(f"{describe(args)} turns off its public access block ({', '.join(off)} false): a policy or ACL can "
               "make the bucket's data public through it")


s3_access_point_public_access_block = ResourceValidationPolicy(
    name="s3-access-point-public-access-block",
    description="S3 access points keep all four public access block settings on.",
    validate=applies_to((ACCESS_POINT, NATIVE_ACCESS_POINT), _access_point),
    severity=Severity.HIGH,
    remediation_steps="Remove public_access_block_configuration from the aws.s3.AccessPoint (every setting "
                      "defaults to true) or set all four to True; give internal consumers a VPC access point "
                      "(vpc_configuration).",
    **frameworks({"nist-800-53": "AC-3, AC-22", "cis-aws": "2.1.4", "hipaa": "164.312(a)(1)", "gdpr": "Art. 32(1)(b)"}),
)


def _emr_block(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if as_bool(get(args.props, "blockPublicSecurityGroupRules")) is False:
        report(f"{describe(args)} turns off EMR block public access (blockPublicSecurityGroupRules false): clusters "
               "may start with security groups open to 0.0.0.0/0")


emr_block_public_access = ResourceValidationPolicy(
    name="emr-block-public-access",
    description="EMR block public access stays on for the account and region.",
    validate=applies_to((EMR_BLOCK,), _emr_block),
    severity=Severity.HIGH,
    remediation_steps="Set block_public_security_group_rules=True on the aws.emr.BlockPublicAccessConfiguration, "
                      "listing only port 22 (or nothing) in permitted_public_security_group_rule_ranges.",
    **frameworks({"nist-800-53": "SC-7, AC-4", "pci-dss": "1.3.1", "hipaa": "164.312(e)(1)"}),
)

OWNERSHIP_CONTROLS = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"


def _acls_disabled(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == NATIVE_BUCKET:
        rules = as_list(get(args.props, "ownershipControls", "rules"))
        for item in rules if isinstance(rules, list) else []:
            ownership = item.get("objectOwnership") if isinstance(item, dict) else None
            if isinstance(ownership, str) and not is_unknown(ownership) and ownership != "BucketOwnerEnforced":
                report(f"{describe(args)} turns ACLs back on (ownershipControls objectOwnership {ownership!r}): "
                       "objects can be shared by ACL, outside the bucket policy")
        return
    rule = get(args.props, "rule")
    rule = single(rule)
    ownership = rule.get("objectOwnership") if isinstance(rule, dict) else None
    if isinstance(ownership, str) and not is_unknown(ownership) and ownership != "BucketOwnerEnforced":
        report(f"{describe(args)} turns ACLs back on (rule.objectOwnership {ownership!r}): objects can be shared by "
               "ACL, outside the bucket policy")


s3_bucket_acls_disabled = ResourceValidationPolicy(
    name="s3-bucket-acls-disabled",
    description="S3 bucket ownership controls keep ACLs disabled (BucketOwnerEnforced, the default for new buckets).",
    validate=applies_to((OWNERSHIP_CONTROLS, NATIVE_BUCKET), _acls_disabled),
    severity=Severity.MEDIUM,
    remediation_steps="Set rule={'object_ownership': 'BucketOwnerEnforced'} on the aws.s3.BucketOwnershipControls "
                      "(or drop it: new buckets enforce it) and grant access with the bucket policy; deliver "
                      "CloudFront logs with standard logging v2 (CloudWatch log delivery), which needs no ACLs.",
    **frameworks({"nist-800-53": "AC-3, AC-6", "cis-aws": "2.1.4", "pci-dss": "7.2.1", "gdpr": "Art. 32(1)(b)"}),
)

SECURITY = [s3_access_point_public_access_block, emr_block_public_access, s3_bucket_acls_disabled]
PRIVACY: list = []
COMPLIANCE: list = []
