"""Kubernetes storage on EKS: the EBS volumes a StorageClass provisions for claims (training data, checkpoints,
feature caches) are encrypted.

A ``StorageClass`` of the EBS CSI driver (``provisioner`` ``ebs.csi.aws.com``) or of the retired in-tree plugin
(``kubernetes.io/aws-ebs``) passes its ``parameters`` to CreateVolume: ``encrypted`` "Whether the volume should be
encrypted or not. Valid values are "true" or "false"", default ``false``; ``kmsKeyId`` "If not specified, AWS will
use the default KMS key" (``aws/ebs``); "all parameters are case insensitive" (kubernetes-sigs/aws-ebs-csi-driver
``docs/parameters.md``). A class that leaves ``encrypted`` out provisions plain volumes unless the account encrypts
every new volume, so a stack that declares ``aws.ebs.EncryptionByDefault`` enabled (its default) passes.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from policies.rules._declare import examines, frameworks
from policies.rules._index import of_type, stack_resources
from policies.rules._props import as_bool, describe, get, is_unknown

STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
EBS_PROVISIONERS = ("ebs.csi.aws.com", "kubernetes.io/aws-ebs")
ENCRYPTION_BY_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"


def _parameter(parameters: Any, name: str) -> Any:
    """A StorageClass parameter by case-insensitive name; None when absent."""
    if not isinstance(parameters, dict):
        return None
    return next((value for key, value in parameters.items() if isinstance(key, str) and key.lower() == name), None)


def _encrypted_classes(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = stack_resources(args)
    classes = of_type(resources, STORAGE_CLASS)
    if not classes:
        return
    for setting in of_type(resources, ENCRYPTION_BY_DEFAULT):
        enabled = get(setting.props, "enabled", default=True)
        if is_unknown(enabled) or as_bool(enabled) is not False:
            return  # the account encrypts every new volume (or may: not known yet)
    for storage_class in classes:
        provisioner, parameters = get(storage_class.props, "provisioner"), get(storage_class.props, "parameters")
        if is_unknown(provisioner) or provisioner not in EBS_PROVISIONERS or is_unknown(parameters):
            continue
        encrypted = _parameter(parameters, "encrypted")
        if is_unknown(encrypted) or as_bool(encrypted) is True:
            continue
        shown = "leaves parameters.encrypted out (default false)" if encrypted is None else \
            f"sets parameters.encrypted {encrypted!r}"
        report(f"{describe(storage_class)} ({provisioner}) {shown}: the EBS volumes it provisions for claims are not "
               "encrypted, and the stack does not turn on aws.ebs.EncryptionByDefault", storage_class.urn)


k8s_storage_class_encrypted = StackValidationPolicy(
    name="k8s-storage-class-encrypted",
    description="StorageClasses of the EBS CSI driver (or the in-tree aws-ebs plugin) provision encrypted volumes "
                "(parameters.encrypted 'true'), unless the stack turns on EBS encryption by default.",
    validate=examines((STORAGE_CLASS, ENCRYPTION_BY_DEFAULT), _encrypted_classes),
    severity=Severity.HIGH,
    remediation_steps="Set parameters={'type': 'gp3', 'encrypted': 'true', 'kmsKeyId': key.arn} on the StorageClass "
                      "(or declare aws.ebs.EncryptionByDefault(enabled=True) for the account and region).",
    **frameworks({"nist-800-53": "SC-28", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)"}),
)


SECURITY = [k8s_storage_class_encrypted]
PRIVACY: list = []
COMPLIANCE: list = []
