"""S3 buckets: customer-managed-key encryption, public access block, TLS only, no public grants, no policy
that locks everyone out, versioning and server access logging.

In pulumi-aws 7 a bucket's settings are separate resources (``BucketServerSideEncryptionConfiguration``,
``BucketPublicAccessBlock``, ``BucketPolicy``, ``BucketVersioning``, ``BucketLogging``...), so "this
bucket has X" is a stack rule: each setting is joined to its bucket through its ``bucket`` input
(equal to the bucket's id or name, or depending on the bucket's URN in a preview). Settings a bucket
declares inline (the legacy ``serverSideEncryptionConfiguration``, ``versioning``, ``logging``,
``policy``, ``acl`` inputs, and a BucketV2's ``serverSideEncryptionConfigurations``, ``versionings``,
``loggings`` lists) count too. A bucket that receives other buckets' server access logs must
use SSE-S3 (S3 cannot deliver access logs to an SSE-KMS bucket) and needs no access logging itself.

A pulumi-aws-native bucket (AWS::S3::Bucket) declares all of it inline: ``bucketEncryption``,
``publicAccessBlockConfiguration``, ``versioningConfiguration``, ``loggingConfiguration`` (without a
``destinationBucketName`` it logs into itself), ``accessControl``; its policy is an
``aws-native:s3:BucketPolicy`` (``bucket``, ``policyDocument`` as an object). ``bucket_views`` reads
both providers into the same ``BucketView``, so each control is one rule for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies.rules._declare import applies_to, examines, frameworks
from policies.rules._index import ReferenceIndex, of_type, per_stack, stack_resources
from policies.rules._principals import action_matches, aws_managed_key_alias, first_set, parse_policy, wildcard_allows
from policies.rules._props import as_bool, as_list, get, is_unknown

BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
BUCKET_TYPES = ("aws:s3/bucket:Bucket", BUCKET_V2)
ENCRYPTION_TYPES = ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
PUBLIC_ACCESS_BLOCK_TYPES = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPES = ("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",)
POLICY_TYPES = ("aws:s3/bucketPolicy:BucketPolicy",)
ACL_TYPES = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
VERSIONING_TYPES = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
LOGGING_TYPES = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
#: Objects a program writes; each takes a canned ``acl`` (ObjectCopy ``grants`` too), pulumi-aws 7.
OBJECT_TYPES = ("aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject",
                "aws:s3/objectCopy:ObjectCopy")
#: pulumi-aws-native (pulumi-aws-native 1.84 s3/bucket.py, s3/bucket_policy.py; CloudFormation AWS::S3::Bucket).
NATIVE_BUCKET = "aws-native:s3:Bucket"
NATIVE_POLICY = "aws-native:s3:BucketPolicy"
ALL_BUCKET_TYPES = BUCKET_TYPES + (NATIVE_BUCKET,)
ALL_POLICY_TYPES = POLICY_TYPES + (NATIVE_POLICY,)
#: Where a bucket policy keeps its document: ``policy`` (pulumi-aws), ``policyDocument`` (pulumi-aws-native).
POLICY_PROPS = ("policy", "policyDocument")
#: AWS::S3::Bucket AccessControl canned ACLs that grant everyone (or every AWS account) access.
NATIVE_PUBLIC_ACLS = ("PublicRead", "PublicReadWrite", "AuthenticatedRead")

#: What a bucket's settings use to name it: its name (``bucket`` output, equal to ``id``; ``bucketName`` in
#: pulumi-aws-native) or ARN.
BUCKET_KEYS = ("id", "bucket", "arn", "bucketName")
PUBLIC_ACCESS_SETTINGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
PUBLIC_CANNED_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GROUP_URIS = ("http://acs.amazonaws.com/groups/global/AllUsers",
                     "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


@dataclass
class BucketView:
    """A bucket and the settings that apply to it, from separate resources and inline inputs."""

    bucket: PolicyResource
    encryption_rules: list[dict[str, Any]] = field(default_factory=list)
    #: True when some encryption configuration's rules are not known yet (preview).
    encryption_unknown: bool = False
    public_access_blocks: list[Any] = field(default_factory=list)  # PolicyResource or InlineSetting
    policy_documents: list[Any] = field(default_factory=list)
    versioning_statuses: list[Any] = field(default_factory=list)
    logs_to: list[Any] = field(default_factory=list)
    #: Resources that deliver server access logs into this bucket.
    log_sources: list[PolicyResource] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.bucket.name


def _inline_logging_target(resource: PolicyResource) -> Any:
    target = get(resource.props, "logging", "targetBucket")
    if target is not None:
        return target
    # pulumi-aws 6's BucketV2 (deprecated in 7, still served): ``loggings``, a list of BucketV2LoggingArgs.
    loggings = as_list(get(resource.props, "loggings"))
    if is_unknown(loggings):
        return loggings
    return next((item.get("targetBucket") for item in loggings if isinstance(item, dict)
                 and item.get("targetBucket") is not None), None)


def _v2_settings(view: "BucketView") -> None:
    """Fill ``view`` from a BucketV2's inline lists (pulumi-aws 7 s3/bucket_v2.py, s3/_inputs.py
    BucketV2*Args): ``serverSideEncryptionConfigurations[].rules[]`` whose defaults are a list,
    ``applyServerSideEncryptionByDefaults``, and ``versionings[].enabled``. (Programs written for
    pulumi-aws 6, where BucketV2 was the bucket to use, set them.)"""
    props = view.bucket.props
    configurations = as_list(get(props, "serverSideEncryptionConfigurations"))
    if is_unknown(configurations):
        view.encryption_unknown = True
        configurations = []
    for configuration in configurations:
        rules = as_list(configuration.get("rules")) if isinstance(configuration, dict) else []
        if is_unknown(rules):
            view.encryption_unknown = True
            continue
        for rule in rules:
            if not isinstance(rule, dict):
                continue
            defaults = as_list(rule.get("applyServerSideEncryptionByDefaults"))
            default = defaults if is_unknown(defaults) else next(iter(defaults), None)
            view.encryption_rules.append({"applyServerSideEncryptionByDefault": default,
                                          "bucketKeyEnabled": rule.get("bucketKeyEnabled")})
    versionings = as_list(get(props, "versionings"))
    if is_unknown(versionings):
        view.versioning_statuses.append(versionings)
        return
    for versioning in versionings:
        enabled = as_bool(versioning.get("enabled")) if isinstance(versioning, dict) else None
        if enabled is not None:
            view.versioning_statuses.append("Enabled" if enabled is True else enabled)


def _native_logging_target(resource: PolicyResource) -> Any:
    return get(resource.props, "loggingConfiguration", "destinationBucketName")


@dataclass(frozen=True)
class InlineSetting:
    """A setting a bucket declares inline (pulumi-aws-native's ``publicAccessBlockConfiguration``), read where
    the rules read a separate setting resource: its ``props``, a ``name`` and the bucket's ``urn``."""

    props: Any
    name: str
    urn: str


def _native_settings(view: "BucketView") -> None:
    """Fill ``view`` from a pulumi-aws-native bucket's inline settings (CloudFormation's shapes)."""
    bucket, props = view.bucket, view.bucket.props
    rules = as_list(get(props, "bucketEncryption", "serverSideEncryptionConfiguration"))
    if is_unknown(rules):
        view.encryption_unknown = True
    else:
        # ServerSideEncryptionRule.ServerSideEncryptionByDefault is pulumi-aws's applyServerSideEncryptionByDefault.
        view.encryption_rules.extend(
            {"applyServerSideEncryptionByDefault": rule.get("serverSideEncryptionByDefault"),
             "bucketKeyEnabled": rule.get("bucketKeyEnabled")} for rule in rules if isinstance(rule, dict))
    block = get(props, "publicAccessBlockConfiguration")
    if block is not None:
        view.public_access_blocks.append(InlineSetting(block, f"{bucket.name}.publicAccessBlockConfiguration",
                                                       bucket.urn))
    status = get(props, "versioningConfiguration", "status")
    if status is not None:
        view.versioning_statuses.append(status)
    logging = get(props, "loggingConfiguration")
    if is_unknown(logging):
        view.logs_to.append(logging)
    elif isinstance(logging, dict):
        # "If DestinationBucketName is not specified, logs are delivered to the bucket itself" (LoggingConfiguration).
        view.logs_to.append(logging.get("destinationBucketName") or bucket.name)


@per_stack
def bucket_views(all_resources: list[PolicyResource]) -> list[BucketView]:
    """One ``BucketView`` per bucket in the stack, in stack order (built once per resource list and
    shared by the S3 stack rules: read them, do not change them)."""
    # Only S3 resources can be a bucket's settings: narrow the stack once, and index each kind of
    # setting by the bucket it points at once, so the rule stays linear in the number of buckets.
    resources = [r for r in all_resources if r.resource_type.startswith(("aws:s3/", "aws-native:s3:"))]
    buckets = of_type(resources, *ALL_BUCKET_TYPES)
    encryptions = ReferenceIndex(resources, ENCRYPTION_TYPES, "bucket")
    access_blocks = ReferenceIndex(resources, PUBLIC_ACCESS_BLOCK_TYPES, "bucket")
    policies = ReferenceIndex(resources, ALL_POLICY_TYPES, "bucket")
    versionings = ReferenceIndex(resources, VERSIONING_TYPES, "bucket")
    loggings = ReferenceIndex(resources, LOGGING_TYPES, "bucket")
    log_targets = ReferenceIndex(resources, LOGGING_TYPES, "targetBucket")
    inline_log_targets = ReferenceIndex(buckets, BUCKET_TYPES[:1], "logging", value=_inline_logging_target)
    v2_log_targets = ReferenceIndex(buckets, (BUCKET_V2,), "loggings", value=_inline_logging_target)
    native_log_targets = ReferenceIndex(buckets, (NATIVE_BUCKET,), "loggingConfiguration", value=_native_logging_target)
    # Each setting read once, by URN: where buckets share names (copies of a stack under new URNs),
    # every bucket of a name meets every setting of it, and reading them per bucket went quadratic.
    encryption_rules = {r.urn: as_list(get(r.props, "rules")) for r in of_type(resources, *ENCRYPTION_TYPES)}
    policy_documents = {r.urn: first_set(r.props, POLICY_PROPS) for r in of_type(resources, *ALL_POLICY_TYPES)}
    versioning_statuses = {r.urn: get(r.props, "versioningConfiguration", "status")
                           for r in of_type(resources, *VERSIONING_TYPES)}
    log_destinations = {r.urn: get(r.props, "targetBucket") for r in of_type(resources, *LOGGING_TYPES)}
    views = []
    for bucket in buckets:
        view = BucketView(bucket)
        props = bucket.props
        inline_rule = get(props, "serverSideEncryptionConfiguration", "rule")
        if isinstance(inline_rule, dict):
            view.encryption_rules.append(inline_rule)
        for resource in encryptions.referrers(bucket, BUCKET_KEYS):
            rules = encryption_rules[resource.urn]
            if is_unknown(rules):
                view.encryption_unknown = True
            else:
                view.encryption_rules.extend(rule for rule in rules if isinstance(rule, dict))
        view.public_access_blocks = access_blocks.referrers(bucket, BUCKET_KEYS)
        if get(props, "policy") is not None:
            view.policy_documents.append(get(props, "policy"))
        view.policy_documents += [policy_documents[r.urn] for r in policies.referrers(bucket, BUCKET_KEYS)]
        inline_versioning = as_bool(get(props, "versioning", "enabled"))
        if inline_versioning is not None:
            view.versioning_statuses.append("Enabled" if inline_versioning is True else inline_versioning)
        view.versioning_statuses += [versioning_statuses[r.urn] for r in versionings.referrers(bucket, BUCKET_KEYS)]
        if _inline_logging_target(bucket) is not None:
            view.logs_to.append(_inline_logging_target(bucket))
        view.logs_to += [log_destinations[r.urn] for r in loggings.referrers(bucket, BUCKET_KEYS)]
        view.log_sources = log_targets.referrers(bucket, BUCKET_KEYS) + [
            other for index in (inline_log_targets, v2_log_targets, native_log_targets)
            for other in index.referrers(bucket, BUCKET_KEYS) if other is not bucket]
        if bucket.resource_type == NATIVE_BUCKET:
            _native_settings(view)
        elif bucket.resource_type == BUCKET_V2:
            _v2_settings(view)
        views.append(view)
    return views


def _sse(rule: dict[str, Any]) -> tuple[Any, Any]:
    default = rule.get("applyServerSideEncryptionByDefault")
    if is_unknown(default):
        return default, default
    default = default if isinstance(default, dict) else {}
    return default.get("sseAlgorithm"), default.get("kmsMasterKeyId")


def _is_customer_managed(key_id: Any) -> bool:
    if is_unknown(key_id):
        return True
    return isinstance(key_id, str) and bool(key_id) and aws_managed_key_alias(key_id) is None


# --------------------------------------------------------------------------------------------------
# Encryption with a customer-managed KMS key


def _validate_encryption(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for view in bucket_views(stack_resources(args)):
        settings = [_sse(rule) for rule in view.encryption_rules]
        if view.encryption_unknown or any(is_unknown(algorithm) for algorithm, _ in settings):
            continue
        uses_kms = [key for algorithm, key in settings if isinstance(algorithm, str) and algorithm.startswith("aws:kms")]
        if view.log_sources:
            if uses_kms:
                report_violation(
                    f"Bucket {view.name!r} receives server access logs but uses SSE-KMS; S3 cannot deliver "
                    "access logs to an SSE-KMS bucket: use SSE-S3 (AES256) for log buckets.", view.bucket.urn)
            continue
        if not settings:
            report_violation(f"Bucket {view.name!r} has no server-side encryption configuration.", view.bucket.urn)
        elif not uses_kms:
            report_violation(f"Bucket {view.name!r} is encrypted with SSE-S3 (AES256), not a customer-managed "
                             "KMS key.", view.bucket.urn)
        elif not all(_is_customer_managed(key) for key in uses_kms):
            report_violation(f"Bucket {view.name!r} uses SSE-KMS with the AWS-managed key (aws/s3), not a "
                             "customer-managed key.", view.bucket.urn)


s3_bucket_encryption_cmk = StackValidationPolicy(
    name="s3-bucket-encryption-cmk",
    description="S3 buckets are encrypted by default with a customer-managed KMS key (SSE-KMS); buckets that "
                "receive server access logs use SSE-S3 instead.",
    validate=examines(ALL_BUCKET_TYPES + ENCRYPTION_TYPES + LOGGING_TYPES, _validate_encryption),
    severity=Severity.HIGH,
    remediation_steps="Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket with "
                      "sse_algorithm 'aws:kms' and kms_master_key_id set to your own aws.kms.Key (bucket_key_enabled "
                      "to cut KMS costs). For an access-log target bucket use sse_algorithm 'AES256'.",
    **frameworks({"nist-800-53": "SC-28, SC-12", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)",
                  "gdpr": "Art. 32(1)(a)"}),
)


# --------------------------------------------------------------------------------------------------
# Public access block


def _blocks_everything(resource: PolicyResource) -> bool:
    values = [as_bool(get(resource.props, key)) for key in PUBLIC_ACCESS_SETTINGS]
    return all(value is True or is_unknown(value) for value in values)


def _validate_public_access_block(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = stack_resources(args)
    if any(_blocks_everything(r) for r in of_type(resources, *ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPES)):
        return
    judged: dict[str, list[str]] = {}  # a block's settings that are off, by its URN (a block may serve many buckets)
    for view in bucket_views(resources):
        if not view.public_access_blocks:
            report_violation(f"Bucket {view.name!r} has no public access block.", view.bucket.urn)
            continue
        for block in view.public_access_blocks:
            if block.urn not in judged:
                judged[block.urn] = _settings_off(block)
            missing = judged[block.urn]
            if missing:
                report_violation(f"Bucket {view.name!r}: public access block {block.name!r} does not set "
                                 f"{', '.join(missing)} to true.", block.urn)
    # A block for a bucket the program does not declare (one it reads with `get` or names by its name,
    # which the engine does not hand to policies) still opens that bucket when it turns a setting off.
    for block in of_type(resources, *PUBLIC_ACCESS_BLOCK_TYPES):
        missing = [] if block.urn in judged else _settings_off(block)
        if missing:
            bucket = get(block.props, "bucket")
            named = f" for bucket {bucket!r}" if isinstance(bucket, str) and not is_unknown(bucket) else ""
            report_violation(f"Public access block {block.name!r}{named} does not set {', '.join(missing)} "
                             "to true.", block.urn)


def _settings_off(block: PolicyResource) -> list[str]:
    """The settings of a bucket's public access block that are not on (unknown ones count as on)."""
    return [key for key in PUBLIC_ACCESS_SETTINGS
            if not (as_bool(get(block.props, key)) is True or is_unknown(get(block.props, key)))]


s3_bucket_public_access_block = StackValidationPolicy(
    name="s3-bucket-public-access-block",
    description="Every S3 bucket has a public access block with all four settings on (or the account has one).",
    validate=examines(ALL_BUCKET_TYPES + PUBLIC_ACCESS_BLOCK_TYPES + ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPES,
                      _validate_public_access_block),
    severity=Severity.HIGH,
    remediation_steps="Add an aws.s3.BucketPublicAccessBlock for the bucket with block_public_acls, "
                      "block_public_policy, ignore_public_acls and restrict_public_buckets all true.",
    **frameworks({"cis-aws": "2.1.4", "nist-800-53": "AC-3, AC-22", "hipaa": "164.312(a)(1)",
                  "gdpr": "Art. 32(1)(b)"}),
)


def _validate_account_public_access_block(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    # Every setting is optional and "Defaults to `false`" (pulumi-aws 7 s3/account_public_access_block.py
    # docstrings), so an omitted one leaves the account's guardrail open. Unknown values are not judged.
    off = [key for key in PUBLIC_ACCESS_SETTINGS
           if not is_unknown(get(args.props, key)) and as_bool(get(args.props, key)) is not True]
    if off:
        report_violation(f"Account public access block {args.name!r} does not set {', '.join(off)} to true: the "
                         "account-wide guardrail lets a bucket policy or ACL make a bucket public.")


s3_account_public_access_block = ResourceValidationPolicy(
    name="s3-account-public-access-block",
    description="A declared account-level S3 public access block turns all four settings on.",
    validate=applies_to(ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPES, _validate_account_public_access_block),
    severity=Severity.HIGH,
    remediation_steps="Set block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets "
                      "to true on the aws.s3.AccountPublicAccessBlock (each defaults to false).",
    **frameworks({"cis-aws": "2.1.4", "nist-800-53": "AC-3, AC-22", "hipaa": "164.312(a)(1)",
                  "gdpr": "Art. 32(1)(b)"}),
)


# --------------------------------------------------------------------------------------------------
# TLS only


def _condition_values(condition: dict[str, Any], operators: tuple[str, ...], key: str) -> list[Any]:
    values: list[Any] = []
    for operator, clauses in condition.items():
        if str(operator).lower() not in operators or not isinstance(clauses, dict):
            continue
        for clause_key, value in clauses.items():
            items = as_list(value)
            if str(clause_key).lower() == key.lower() and isinstance(items, list):
                values += items
    return values


def denies_insecure_transport(statements: list[Any]) -> bool:
    """True if a statement denies every principal all S3 actions when ``aws:SecureTransport`` is false."""
    for statement in statements:
        if not (statement.denies and statement.has_wildcard_principal):
            continue
        if not any(action_matches(action, "s3:GetObject") and action_matches(action, "s3:PutObject")
                   for action in statement.actions):
            continue
        if "Condition" in statement.unknown:
            return True  # a condition known only at deployment (an object document, in part): not judged
        values = _condition_values(statement.condition, ("bool", "boolifexists"), "aws:SecureTransport")
        if any(as_bool(value) is False for value in values):
            return True
    return False


def _validate_tls_only(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for view in bucket_views(stack_resources(args)):
        parsed = [parse_policy(document) for document in view.policy_documents]
        if any(is_unknown(statements) for statements in parsed):
            continue
        statements = [statement for group in parsed if group for statement in group]
        if not denies_insecure_transport(statements):
            report_violation(f"Bucket {view.name!r} has no bucket policy denying requests without TLS "
                             "(aws:SecureTransport false).", view.bucket.urn)


s3_bucket_tls_only = StackValidationPolicy(
    name="s3-bucket-tls-only",
    description="Every S3 bucket's policy denies requests that do not use TLS.",
    validate=examines(ALL_BUCKET_TYPES + ALL_POLICY_TYPES, _validate_tls_only),
    severity=Severity.HIGH,
    remediation_steps="Add to the bucket policy a statement: Effect Deny, Principal '*', Action 's3:*', "
                      "Resource the bucket and its objects, Condition {\"Bool\": {\"aws:SecureTransport\": \"false\"}}.",
    **frameworks({"cis-aws": "2.1.1", "nist-800-53": "SC-8", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)",
                  "gdpr": "Art. 32(1)(a)"}),
)


# --------------------------------------------------------------------------------------------------
# No public grants (bucket policy or ACL)


def public_policy_statements(document: Any) -> list[str]:
    """Sids (or ``#index``) of statements that allow any principal without a condition restricting the caller."""
    statements = parse_policy(document)
    if is_unknown(statements) or not statements:
        return []
    return [statement.sid or f"#{index}" for index, statement in wildcard_allows(statements, unless_restricted=True)]


def public_acl_grants(props: Any) -> list[str]:
    """Descriptions of the ACL settings in ``props`` (Bucket or BucketAcl) that grant everyone access."""
    found = []
    acl = get(props, "acl")
    if isinstance(acl, str) and acl in PUBLIC_CANNED_ACLS:
        found.append(f"canned ACL {acl!r}")
    native_acl = get(props, "accessControl")  # pulumi-aws-native: AWS::S3::Bucket AccessControl
    if isinstance(native_acl, str) and native_acl in NATIVE_PUBLIC_ACLS:
        found.append(f"canned ACL {native_acl!r} (accessControl)")
    grants = as_list(get(props, "grants"))
    acp_grants = as_list(get(props, "accessControlPolicy", "grants"))
    for grant in (grants if isinstance(grants, list) else []) + (acp_grants if isinstance(acp_grants, list) else []):
        if not isinstance(grant, dict):
            continue
        grantee = grant.get("grantee") if isinstance(grant.get("grantee"), dict) else grant
        uri = grantee.get("uri")
        if uri in PUBLIC_GROUP_URIS:
            found.append(f"grant to {uri.rsplit('/', 1)[-1]}")
    return found


def _validate_policy_not_public(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    sids = public_policy_statements(first_set(args.props, POLICY_PROPS))
    if sids:
        report_violation(f"Bucket policy statement(s) {', '.join(sids)} allow any principal ('*') without a "
                         "condition that restricts the caller (such as aws:PrincipalOrgID or aws:SourceVpce): "
                         "the data is public.")


def _validate_acl_not_public(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    grants = public_acl_grants(args.props)
    if grants:
        what = "object" if args.resource_type in OBJECT_TYPES else "bucket"
        report_violation(f"ACL makes the {what} public: {', '.join(grants)}.")


_PUBLIC_FRAMEWORKS = {"gdpr": "Art. 5(1)(f), Art. 32", "nist-800-53": "AC-3, AC-22", "pci-dss": "7.2.1",
                      "hipaa": "164.312(a)(1)"}

s3_bucket_policy_no_public_principal = ResourceValidationPolicy(
    name="s3-bucket-policy-no-public-principal",
    description="No S3 bucket policy (BucketPolicy or inline) allows any principal ('*') without a condition that "
                "restricts the caller.",
    validate=applies_to(BUCKET_TYPES + ALL_POLICY_TYPES, _validate_policy_not_public),
    severity=Severity.CRITICAL,
    remediation_steps="Name the principals in the bucket policy, or restrict a '*' statement with a condition such "
                      "as aws:PrincipalOrgID or aws:SourceVpce.",
    **frameworks(_PUBLIC_FRAMEWORKS),
)

s3_bucket_acl_not_public = ResourceValidationPolicy(
    name="s3-bucket-acl-not-public",
    description="No S3 bucket or object ACL (BucketAcl, inline, or an uploaded or copied object's) is public-read, "
                "public-read-write or authenticated-read, or grants to the AllUsers or AuthenticatedUsers groups.",
    validate=applies_to(ALL_BUCKET_TYPES + ACL_TYPES + OBJECT_TYPES, _validate_acl_not_public),
    severity=Severity.CRITICAL,
    remediation_steps="Use the 'private' ACL, or disable ACLs with aws.s3.BucketOwnershipControls object_ownership "
                      "'BucketOwnerEnforced'.",
    **frameworks(_PUBLIC_FRAMEWORKS),
)


# --------------------------------------------------------------------------------------------------
# Versioning and access logging


def _validate_versioning(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for view in bucket_views(stack_resources(args)):
        if any(is_unknown(status) for status in view.versioning_statuses):
            continue
        if "Enabled" not in view.versioning_statuses:
            report_violation(f"Bucket {view.name!r} does not have versioning enabled.", view.bucket.urn)


s3_bucket_versioning = StackValidationPolicy(
    name="s3-bucket-versioning",
    description="Every S3 bucket has versioning enabled, so overwritten or deleted objects can be recovered.",
    validate=examines(ALL_BUCKET_TYPES + VERSIONING_TYPES, _validate_versioning),
    severity=Severity.MEDIUM,
    remediation_steps="Add an aws.s3.BucketVersioning for the bucket with versioning_configuration status "
                      "'Enabled' (and a lifecycle rule expiring noncurrent versions).",
    **frameworks({"nist-800-53": "CP-9, SI-12", "hipaa": "164.312(c)(1)"}),
)


def _validate_access_logging(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for view in bucket_views(stack_resources(args)):
        if view.log_sources:
            continue
        if not view.logs_to:
            report_violation(f"Bucket {view.name!r} has no server access logging.", view.bucket.urn)


s3_bucket_access_logging = StackValidationPolicy(
    name="s3-bucket-access-logging",
    description="Every S3 bucket, except one that receives access logs, has server access logging to a log bucket.",
    validate=examines(ALL_BUCKET_TYPES + LOGGING_TYPES, _validate_access_logging),
    severity=Severity.MEDIUM,
    remediation_steps="Add an aws.s3.BucketLogging for the bucket whose target_bucket is an SSE-S3 encrypted "
                      "access-log bucket (e.g. components.storage.AccessLogBucket).",
    **frameworks({"nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)


# --------------------------------------------------------------------------------------------------
# No lockout: a bucket policy that denies everyone (Principal "*", no condition, no NotPrincipal) the right
# to change the policy leaves only the account root able to repair it (Checkov CKV_AWS_93).


def lockout_statements(document: Any) -> list[str]:
    """The Sid (or index) of each Deny statement that denies every principal, unconditionally, the right to
    change the bucket policy (s3:PutBucketPolicy, by name or wildcard)."""
    statements = parse_policy(document)
    if not isinstance(statements, list):
        return []
    found = []
    for index, statement in enumerate(statements):
        if (not statement.denies or statement.condition or statement.not_principals or statement.not_actions
                or not statement.has_wildcard_principal or "Condition" in statement.unknown):
            continue
        if any(action_matches(action, "s3:PutBucketPolicy") for action in statement.actions):
            found.append(statement.sid or f"#{index}")
    return found


def _validate_no_lockout(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    sids = lockout_statements(first_set(args.props, POLICY_PROPS))
    if sids:
        report_violation(f"Bucket policy statement(s) {', '.join(sids)} deny every principal, without a condition or "
                         "NotPrincipal, the right to change the policy (s3:PutBucketPolicy): only the account root "
                         "user can repair it.")


s3_bucket_policy_no_lockout = ResourceValidationPolicy(
    name="s3-bucket-policy-no-lockout",
    description="No S3 bucket policy denies every principal, unconditionally, the right to change the policy.",
    validate=applies_to(BUCKET_TYPES + ALL_POLICY_TYPES, _validate_no_lockout),
    severity=Severity.MEDIUM,
    remediation_steps="Scope the Deny: add a condition (aws:PrincipalArn not the admin role, aws:SecureTransport "
                      "false, ...) or use NotPrincipal/NotAction so the team's admin role keeps s3:PutBucketPolicy.",
    **frameworks({"nist-800-53": "AC-3, CP-2", "pci-dss": "7.2.1"}),
)

SECURITY = [s3_bucket_encryption_cmk, s3_bucket_public_access_block, s3_account_public_access_block, s3_bucket_tls_only,
            s3_bucket_policy_no_lockout]
PRIVACY = [s3_bucket_policy_no_public_principal, s3_bucket_acl_not_public]
COMPLIANCE = [s3_bucket_versioning, s3_bucket_access_logging]
