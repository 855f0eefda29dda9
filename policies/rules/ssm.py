"""Systems Manager: documents are not shared with every AWS account, and parameters whose name says
they hold a secret are SecureStrings.

``aws.ssm.Document`` ``permissions`` is a string map with the Terraform provider's keys ``type``
(``Share``) and ``account_ids`` (comma-separated account ids, or ``All`` for public; the SSM API's
``ModifyDocumentPermission`` ``AccountIdsToAdd`` "can either be a group of account IDs or All").
``aws.ssm.Parameter`` ``type`` is ``String``, ``StringList`` or ``SecureString``; only SecureString
values are encrypted with KMS. Checkov CKV_AWS_303 and CKV2_AWS_34: Checkov wants every parameter
encrypted; here a parameter is judged by its name (the secret-name patterns of
``no-plaintext-secrets-in-environment``) or by a credential in its value, since plain configuration
(an AMI id, a subnet list) is what String parameters are for. SecureStrings name a
customer-managed key in ``keyId`` (absent means the AWS-managed ``alias/aws/ssm``; Checkov CKV_AWS_337).

Session Manager preferences are a document of ``documentType`` ``Session`` whose ``content`` (JSON, or
YAML with ``documentFormat`` ``YAML``) has ``inputs``: ``kmsKeyId`` encrypts session data beyond TLS
(Checkov CKV_AWS_112), ``s3BucketName``/``s3EncryptionEnabled`` and
``cloudWatchLogGroupName``/``cloudWatchEncryptionEnabled`` log sessions (CKV_AWS_113); see the Session
Manager "Session document schema". A document without ``inputs`` is not judged.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import yaml
from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._principals import aws_managed_key_alias, holds_unknown
from policies.rules._props import as_bool, describe, get, is_unknown
from policies.rules.plaintext_secrets import SCHEMA as SECRET_NAMES_SCHEMA, _Names, credential_in

DOCUMENT = "aws:ssm/document:Document"
PARAMETER = "aws:ssm/parameter:Parameter"
#: pulumi-aws-native's AWS::SSM::Parameter: the same ``type``, ``name``, ``value`` (CloudFormation creates no
#: SecureString: a native program's secret parameter is always plain); AWS::SSM::Document: ``documentType``,
#: ``documentFormat`` and ``content``, an object or a string (pulumi-aws-native 1.84 ssm/parameter.py, document.py).
PARAMETERS = (PARAMETER, "aws-native:ssm:Parameter")
DOCUMENTS = (DOCUMENT, "aws-native:ssm:Document")


def _document_public(args: ResourceValidationArgs, report: ReportViolation) -> None:
    permissions = get(args.props, "permissions")
    if not isinstance(permissions, dict):
        return
    accounts = next((permissions.get(key) for key in ("account_ids", "accountIds", "AccountIds")
                     if permissions.get(key) is not None), None)
    if is_unknown(accounts) or not isinstance(accounts, str):
        return
    if any(item.strip().lower() == "all" for item in accounts.split(",")):
        report(f"{describe(args)} is shared with every AWS account (permissions account_ids 'All'): anyone can read "
               "and run it, with whatever it reveals about the environment")


ssm_document_not_public = ResourceValidationPolicy(
    name="ssm-document-not-public",
    description="Systems Manager documents are not shared publicly (with account_ids 'All').",
    validate=applies_to((DOCUMENT,), _document_public),
    severity=Severity.HIGH,
    remediation_steps="List the account ids that may use the document in permissions={'type': 'Share', "
                      "'account_ids': '111111111111,222222222222'} on the aws.ssm.Document, or drop permissions; "
                      "block public sharing account-wide with aws.ssm.ServiceSetting "
                      "(/ssm/documents/console/public-sharing-permission = Disable).",
    **frameworks({"nist-800-53": "AC-3, AC-21", "pci-dss": "7.2.1", "cis-aws": "1.16"}),
)


def _parameter_secure(args: ResourceValidationArgs, report: ReportViolation) -> None:
    kind = get(args.props, "type")
    if is_unknown(kind) or (isinstance(kind, str) and kind.lower() == "securestring"):
        return
    name = get(args.props, "name")
    label = name if isinstance(name, str) and name and not is_unknown(name) else args.name
    value = get(args.props, "insecureValue")
    if value is None:
        value = get(args.props, "value")
    found = credential_in(value) if isinstance(value, str) and not is_unknown(value) else ""
    if found:
        report(f"{describe(args)} stores {found} as a plain {kind or 'String'} parameter; make it a SecureString")
    elif _Names(args).secret_looking(label.rsplit("/", 1)[-1]):
        report(f"{describe(args)} is named like a secret ({label!r}) but is a plain {kind or 'String'} parameter, "
               "stored and shown unencrypted; make it a SecureString")


ssm_parameter_secure_string = ResourceValidationPolicy(
    name="ssm-parameter-secure-string",
    description="SSM parameters that hold secrets (by name, or a credential in the value) are SecureStrings, "
                "encrypted with KMS.",
    validate=applies_to(PARAMETERS, _parameter_secure),
    config_schema=SECRET_NAMES_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Set type='SecureString' (with key_id naming a customer-managed KMS key) on the "
                      "aws.ssm.Parameter and pass the value as a Pulumi secret; readers need kms:Decrypt.",
    **frameworks({"nist-800-53": "SC-28, IA-5(7)", "pci-dss": "8.3.2", "hipaa": "164.312(a)(2)(iv)",
                  "gdpr": "Art. 32(1)(a)"}),
)

CMK_SCHEMA = config_schema(
    requireCustomerManagedKey={
        "type": "boolean", "default": True,
        "description": "Require a customer-managed key on SecureString parameters; false accepts the AWS-managed "
                       "alias/aws/ssm key.",
    },
)


def _parameter_cmk(args: ResourceValidationArgs, report: ReportViolation) -> None:
    kind = get(args.props, "type")
    if not (isinstance(kind, str) and not is_unknown(kind) and kind.lower() == "securestring"):
        return
    if as_bool(policy_config(args, CMK_SCHEMA)["requireCustomerManagedKey"]) is False:
        return
    key = get(args.props, "keyId")
    if is_unknown(key):
        return
    managed = aws_managed_key_alias(key)
    if managed or not (isinstance(key, str) and key):
        report(f"{describe(args)} is encrypted with the AWS-managed key {managed or 'alias/aws/ssm (keyId not set)'}; "
               "name a customer-managed key in keyId")


ssm_parameter_cmk = ResourceValidationPolicy(
    name="ssm-parameter-cmk",
    description="SecureString parameters are encrypted with a customer-managed KMS key (keyId), not aws/ssm.",
    validate=applies_to((PARAMETER,), _parameter_cmk),
    config_schema=CMK_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set key_id=key.arn (a customer-managed aws.kms.Key whose policy lets the readers' roles "
                      "decrypt) on the aws.ssm.Parameter.",
    **frameworks({"nist-800-53": "SC-12, SC-28", "pci-dss": "3.6.1", "hipaa": "164.312(a)(2)(iv)"}),
)

@lru_cache(maxsize=256)
def _parse_session(text: str, yaml_format: bool) -> Any:
    try:
        document = yaml.safe_load(text) if yaml_format else json.loads(text)
    except (ValueError, yaml.YAMLError):
        return None
    inputs = document.get("inputs") if isinstance(document, dict) else None
    return inputs if isinstance(inputs, dict) else None


def session_inputs(props: Any) -> Any:
    """The ``inputs`` of a Session Manager preferences document (``documentType`` ``Session``); None for other
    documents, unknown or unparsable content, or a document without inputs."""
    kind, content, form = get(props, "documentType"), get(props, "content"), get(props, "documentFormat")
    if not isinstance(kind, str) or is_unknown(kind) or kind != "Session":
        return None
    if isinstance(content, dict) and not holds_unknown(content):  # an object (pulumi-aws-native)
        inputs = content.get("inputs")
        return inputs if isinstance(inputs, dict) else None
    if not isinstance(content, str) or is_unknown(content) or is_unknown(form):
        return None
    return _parse_session(str(content), isinstance(form, str) and form.upper() == "YAML")


def _session_key(args: ResourceValidationArgs, report: ReportViolation) -> None:
    inputs = session_inputs(args.props)
    if inputs is None or inputs.get("kmsKeyId"):
        return
    report(f"{describe(args)} does not encrypt Session Manager sessions with a KMS key (inputs.kmsKeyId is not set): "
           "session data is protected by TLS alone")


ssm_session_kms_encryption = ResourceValidationPolicy(
    name="ssm-session-kms-encryption",
    description="Session Manager preferences (SSM documents of type Session) encrypt session data with a KMS key.",
    validate=applies_to(DOCUMENTS, _session_key),
    severity=Severity.MEDIUM,
    remediation_steps="Set inputs.kmsKeyId to a customer-managed key in the Session document's content (and grant "
                      "kms:Decrypt on it to the instance role and the users who start sessions).",
    **frameworks({"nist-800-53": "SC-8, SC-12", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)"}),
)


def _session_logging(args: ResourceValidationArgs, report: ReportViolation) -> None:
    inputs = session_inputs(args.props)
    if inputs is None:
        return
    to_s3 = inputs.get("s3BucketName") and as_bool(inputs.get("s3EncryptionEnabled")) is True
    to_logs = inputs.get("cloudWatchLogGroupName") and as_bool(inputs.get("cloudWatchEncryptionEnabled")) is True
    if not (to_s3 or to_logs):
        report(f"{describe(args)} does not log sessions to an encrypted destination (inputs.s3BucketName with "
               "s3EncryptionEnabled, or cloudWatchLogGroupName with cloudWatchEncryptionEnabled)")


ssm_session_logging = ResourceValidationPolicy(
    name="ssm-session-logging",
    description="Session Manager preferences log sessions to an encrypted S3 bucket or CloudWatch log group.",
    validate=applies_to(DOCUMENTS, _session_logging),
    severity=Severity.MEDIUM,
    remediation_steps="Set inputs.cloudWatchLogGroupName (a KMS-encrypted group) with cloudWatchEncryptionEnabled "
                      "true, or s3BucketName with s3EncryptionEnabled true, in the Session document's content.",
    **frameworks({"nist-800-53": "AU-2, AU-12, AU-9", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)


SECURITY = [ssm_document_not_public, ssm_parameter_secure_string, ssm_parameter_cmk, ssm_session_kms_encryption]
PRIVACY: list = []
COMPLIANCE = [ssm_session_logging]
