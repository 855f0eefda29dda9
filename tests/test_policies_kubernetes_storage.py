"""EBS StorageClasses provision encrypted volumes, unless the stack encrypts every new volume."""

from __future__ import annotations

from pathlib import Path

from policies.rules.kubernetes_storage import ENCRYPTION_BY_DEFAULT, STORAGE_CLASS, k8s_storage_class_encrypted
from policy_helpers import UNKNOWN, stack_args, stack_resource, violations
from sdk_inputs import assert_inputs_in_sdk


def class_props(parameters, provisioner="ebs.csi.aws.com", name="gp3"):
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name},
            "provisioner": provisioner, "parameters": parameters, "volumeBindingMode": "WaitForFirstConsumer"}


def storage_class(parameters, provisioner="ebs.csi.aws.com", name="gp3"):
    return stack_resource(STORAGE_CLASS, class_props(parameters, provisioner, name), name=name)


def judged(*resources):
    return violations(k8s_storage_class_encrypted, stack_args(list(resources)))


def test_the_fields_read_are_kubernetes_and_pulumi_aws_ones():
    # The StorageClass as a test builds it validates against Kubernetes 1.34's vendored OpenAPI (unknown fields
    # refused), so provisioner and parameters are the API's names.
    from test_kubernetes_conformance import openapi_validator

    validator = openapi_validator("1.34", "io.k8s.api.storage.v1.StorageClass")
    assert list(validator.iter_errors(class_props({"type": "gp3", "encrypted": "true"}))) == []
    assert_inputs_in_sdk(ENCRYPTION_BY_DEFAULT, ("enabled",))


def test_encrypted_classes_pass_and_plain_ones_are_reported():
    assert judged(storage_class({"type": "gp3", "encrypted": "true", "kmsKeyId": "arn:aws:kms:us-east-1:1:key/k"})) == []
    assert judged(storage_class({"type": "gp3", "Encrypted": "TRUE"})) == []  # the driver reads names case-insensitively
    [message] = judged(storage_class({"type": "gp3"}))
    assert message == (f"{STORAGE_CLASS} 'gp3' (ebs.csi.aws.com) leaves parameters.encrypted out (default false): the "
                       "EBS volumes it provisions for claims are not encrypted, and the stack does not turn on "
                       "aws.ebs.EncryptionByDefault")
    [message] = judged(storage_class({"encrypted": "false"}, provisioner="kubernetes.io/aws-ebs", name="legacy"))
    assert "sets parameters.encrypted 'false'" in message
    assert len(judged(storage_class(None))) == 1  # no parameters at all


def test_other_provisioners_and_unknowns_are_not_judged():
    assert judged(storage_class({"provisioningMode": "efs-ap"}, provisioner="efs.csi.aws.com")) == []
    assert judged(storage_class({"encrypted": UNKNOWN})) == []
    assert judged(storage_class(UNKNOWN)) == []
    assert judged(storage_class({"type": "gp3"}, provisioner=UNKNOWN)) == []


def test_encryption_by_default_in_the_stack_covers_every_class():
    plain = storage_class({"type": "gp3"})
    assert judged(plain, stack_resource(ENCRYPTION_BY_DEFAULT, {"enabled": True}, name="ebs")) == []
    assert judged(plain, stack_resource(ENCRYPTION_BY_DEFAULT, {}, name="ebs")) == []  # enabled defaults to true
    assert judged(plain, stack_resource(ENCRYPTION_BY_DEFAULT, {"enabled": UNKNOWN}, name="ebs")) == []
    assert len(judged(plain, stack_resource(ENCRYPTION_BY_DEFAULT, {"enabled": False}, name="ebs"))) == 1


def test_the_docs_describe_the_rule():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "policies.md").read_text()
    assert "| `k8s-storage-class-encrypted` |" in docs
