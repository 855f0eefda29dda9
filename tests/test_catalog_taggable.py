"""The taggable-type table against the installed pulumi-aws SDK (its source, read as text)."""

from __future__ import annotations

import inspect
import json

import pytest

from catalog import taggable


def test_the_table_matches_the_installed_pulumi_aws():
    root, version = taggable.installed_sdk()
    assert taggable.table_version() == version, "regenerate it: python -m catalog.taggable"
    found, total = taggable.taggable_in_sdk(root)
    data = json.loads(taggable.TABLE.read_text())
    assert (data["taggable"], data["resource_types"]) == (found, total)
    assert 500 < len(found) < total


@pytest.mark.parametrize("type_, expected", [
    ("aws:s3/bucket:Bucket", True), ("aws:iam/role:Role", True), ("aws:sagemaker/endpoint:Endpoint", True),
    ("aws:s3/bucketPolicy:BucketPolicy", False), ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", False),
    ("aws:ec2/securityGroupRule:SecurityGroupRule", False), ("aws:nosuch/thing:Thing", False),
])
def test_table_rows_agree_with_the_sdk_classes(type_, expected):
    assert taggable.takes_tags(type_) is expected
    if type_ != "aws:nosuch/thing:Thing":  # the class itself, imported: what the table was read from
        import importlib

        package, module, name = type_.split(":")
        service = importlib.import_module(f"pulumi_aws.{module.split('/')[0]}")
        assert ("tags" in inspect.signature(getattr(service, name)._internal_init).parameters) is expected


def test_refresh_writes_the_same_table(tmp_path):
    out = tmp_path / "table.json"
    assert taggable.main(["--output", str(out)]) == 0
    assert json.loads(out.read_text()) == json.loads(taggable.TABLE.read_text())


def test_the_native_table_matches_the_installed_pulumi_aws_native():
    pytest.importorskip("pulumi_aws_native")
    root, version = taggable.installed_sdk(native=True)
    assert taggable.table_version(native=True) == version, "regenerate it: python -m catalog.taggable --native"
    found, total = taggable.taggable_in_sdk(root)
    data = json.loads(taggable.NATIVE_TABLE.read_text())
    assert (data["taggable"], data["resource_types"]) == (found, total)
    assert 500 < len(found) < total


@pytest.mark.parametrize("type_, expected", [
    ("aws-native:s3:Bucket", True), ("aws-native:sagemaker:ModelQualityJobDefinition", True),
    ("aws-native:s3:BucketPolicy", False), ("aws-native:ec2:SecurityGroupIngress", False),
    ("aws-native:efs:FileSystem", False),  # its tags are fileSystemTags
])
def test_native_table_rows(type_, expected):
    assert taggable.takes_tags(type_) is expected
    pytest.importorskip("pulumi_aws_native")
    import importlib

    _, module, name = type_.split(":")
    service = importlib.import_module(f"pulumi_aws_native.{module}")
    assert ("tags" in inspect.signature(getattr(service, name)._internal_init).parameters) is expected


def test_refresh_writes_the_same_native_table(tmp_path):
    pytest.importorskip("pulumi_aws_native")
    out = tmp_path / "table.json"
    assert taggable.main(["--native", "--output", str(out)]) == 0
    assert json.loads(out.read_text()) == json.loads(taggable.NATIVE_TABLE.read_text())
