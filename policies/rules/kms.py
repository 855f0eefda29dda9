"""KMS keys: automatic rotation, key policies that do not open the key to any principal, and the key policy
lockout safety check left on."""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._principals import no_wildcard_principal
from policies.rules._props import as_bool, as_int, get, is_unknown

#: pulumi-aws-native's AWS::KMS::Key: the same EnableKeyRotation (default false), RotationPeriodInDays, KeySpec and
#: KeyUsage; its key policy is ``keyPolicy``, an object (pulumi-aws-native 1.84 kms/key.py). A replica key
#: (AWS::KMS::ReplicaKey) rotates with its primary.
NATIVE_KEY = "aws-native:kms:Key"
NATIVE_REPLICA_KEY = "aws-native:kms:ReplicaKey"
ROTATING_KEYS = ("aws:kms/key:Key", NATIVE_KEY)
KEY_TYPES = ("aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey", NATIVE_KEY, NATIVE_REPLICA_KEY)
KEY_POLICY_TYPES = ("aws:kms/keyPolicy:KeyPolicy",)
#: Where each type keeps its key policy: ``policy`` (pulumi-aws), ``keyPolicy`` (pulumi-aws-native).
KEY_POLICY_PROPS = ("policy", "keyPolicy")

# Only symmetric encryption keys support automatic rotation (asymmetric, HMAC and imported keys do not).
ROTATABLE_SPEC = "SYMMETRIC_DEFAULT"
ROTATABLE_USAGE = "ENCRYPT_DECRYPT"

ROTATION_SCHEMA = config_schema(
    maxRotationPeriodDays={
        "type": "integer", "minimum": 90, "maximum": 2560, "default": 365,
        "description": "Longest allowed rotationPeriodInDays (AWS allows 90-2560; rotation defaults to 365).",
    },
)


def _validate_rotation(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    props = args.props
    spec = get(props, "keySpec") or get(props, "customerMasterKeySpec") or ROTATABLE_SPEC
    usage = get(props, "keyUsage") or ROTATABLE_USAGE
    if spec != ROTATABLE_SPEC or usage != ROTATABLE_USAGE or args.resource_type not in ROTATING_KEYS:
        # Replica keys rotate with their primary; unknown spec or usage cannot be judged.
        return
    enabled = as_bool(get(props, "enableKeyRotation"))
    if is_unknown(enabled):
        return
    if enabled is not True:
        report_violation("Automatic key rotation is off (enableKeyRotation is not true).")
        return
    period = as_int(get(props, "rotationPeriodInDays"))
    limit = policy_config(args, ROTATION_SCHEMA)["maxRotationPeriodDays"]
    if isinstance(period, int) and period > limit:
        report_violation(f"rotationPeriodInDays is {period}; at most {limit} days are allowed.")


kms_key_rotation = ResourceValidationPolicy(
    name="kms-key-rotation",
    description="Symmetric KMS keys rotate their key material automatically, at least every maxRotationPeriodDays.",
    validate=applies_to(KEY_TYPES, _validate_rotation),
    config_schema=ROTATION_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set enable_key_rotation=True on the aws.kms.Key (and rotation_period_in_days no longer than "
                      "the configured maximum, 365 by default).",
    **frameworks({"cis-aws": "3.6", "nist-800-53": "SC-12", "pci-dss": "3.7.4", "hipaa": "164.312(a)(2)(iv)"}),
)


_validate_no_public_principal = no_wildcard_principal(
    KEY_POLICY_PROPS,
    invalid="The key policy is not a valid JSON policy document.",
    allowed="Key policy statement {label} allows any principal ('*') without a condition that restricts the "
            "caller (such as aws:PrincipalAccount, aws:PrincipalOrgID or kms:CallerAccount).",
    unless_restricted=True,
)


kms_key_policy_no_public_principal = ResourceValidationPolicy(
    name="kms-key-policy-no-public-principal",
    description="KMS key policies do not allow a wildcard principal ('*') unless a condition restricts the caller.",
    validate=applies_to(KEY_TYPES + KEY_POLICY_TYPES, _validate_no_public_principal),
    severity=Severity.CRITICAL,
    remediation_steps="Name the principals (e.g. the account root 'arn:aws:iam::<account>:root' and specific "
                      "roles or services), or restrict any statement that must use Principal '*' with a Condition on "
                      "the caller: aws:PrincipalAccount, aws:PrincipalOrgID, or kms:CallerAccount (with "
                      "kms:ViaService). aws:SecureTransport or kms:ViaService alone leave every account in.",
    **frameworks({"nist-800-53": "AC-3, AC-6", "pci-dss": "3.6.1, 7.2.1", "hipaa": "164.312(a)(1)",
                  "gdpr": "Art. 32(1)(b)"}),
)


#: Every type whose key policy KMS checks for lockout, and that can skip the check: pulumi-aws 7's keys (customer
#: material imported or not, replicas too) and key policies, and pulumi-aws-native's AWS::KMS::Key
#: (BypassPolicyLockoutSafetyCheck; its ReplicaKey has no such input).
LOCKOUT_CHECKED_TYPES = ("aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey", "aws:kms/externalKey:ExternalKey",
                         "aws:kms/replicaExternalKey:ReplicaExternalKey", *KEY_POLICY_TYPES, NATIVE_KEY)


def _validate_lockout_check(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if as_bool(get(args.props, "bypassPolicyLockoutSafetyCheck")) is True:
        report_violation("bypassPolicyLockoutSafetyCheck is true: KMS skips the check that the key policy lets the "
                         "principal setting it change it again (CreateKey, PutKeyPolicy), so a policy can lock every "
                         "administrator out of the key")


kms_key_policy_lockout_check = ResourceValidationPolicy(
    name="kms-key-policy-lockout-check",
    description="KMS keys and key policies keep KMS's key policy lockout safety check "
                "(bypassPolicyLockoutSafetyCheck is not true).",
    validate=applies_to(LOCKOUT_CHECKED_TYPES, _validate_lockout_check),
    severity=Severity.HIGH,
    remediation_steps="Remove bypass_policy_lockout_safety_check (it defaults to false) and give the key policy a "
                      "statement that lets the account's administrators (or the account root) manage the key. The "
                      "KMS API reference: 'Do not set this value to true indiscriminately'; AWS Control Tower's "
                      "CT.KMS.PV.3 forbids it.",
    **frameworks({"nist-800-53": "AC-6, SC-12", "pci-dss": "3.6.1"}),
)


SECURITY = [kms_key_rotation, kms_key_policy_no_public_principal, kms_key_policy_lockout_check]
PRIVACY: list = []
COMPLIANCE: list = []
