"""The data-store table against the installed pulumi-aws SDK (the upstream source of its names): every
type token is a pulumi-aws resource and every input path names inputs the SDK's Args classes have."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from catalog.data_stores import BY_TYPE, DATA_STORES, HOLDS_DATA, STATEFUL, Days, Setting, data_store, types_with
from sdk_inputs import GETTER, input_names, resource_class


@pytest.mark.parametrize("row", DATA_STORES, ids=lambda row: row.type)
def test_every_type_and_input_is_in_the_pulumi_aws_sdk(row):
    if row.type.startswith("aws-native:"):
        pytest.importorskip("pulumi_aws_native")  # an optional dependency (the model-quality extra)
    cls = resource_class(row.type)
    assert cls is not None, f"{row.type} is not a pulumi-aws (pulumi-aws-native) resource type"
    names = input_names(cls)
    top_level = {camel or snake for camel, snake in GETTER.findall(Path(importlib.import_module(cls.__module__)
                                                                          .__file__).read_text())}
    settings = [*row.encryption, *row.cmk, *row.private, *row.in_transit, *row.deletion_protection, *row.backup,
                *row.logging, *row.patching, *row.iam_auth, *(when for when, _ in row.keys_when)]
    paths = [s.path for s in settings] + list(row.keys) + list(row.encryption_not_applicable_with)
    paths += [s.when[0] for s in settings if s.when] + [path for _, path in row.keys_when]
    if isinstance(row.backup_days, Days):
        paths.append(row.backup_days.path)
        paths += [row.backup_days.when[0]] if row.backup_days.when else []
    for path in paths:
        assert path[0] in top_level, f"{row.type}: {path[0]} is not an input"
        for step in path[1:]:
            # "*" ("**") is each item (value) of the block before it (see the catalog's docstring), not an input name; a key of a
            # map input is the service's own name (Glue connectionProperties' JDBC_ENFORCE_SSL, botocore glue
            # ConnectionPropertyKey).
            assert step in ("*", "**") or step in names or step in MAP_KEYS.get(row.type, ()), \
                f"{row.type}: {'.'.join(map(str, path))} names {step}, which no input type has"


def _glue_connection_keys() -> tuple[str, ...]:
    import glob
    import gzip
    import json

    import botocore

    [model] = glob.glob(str(Path(botocore.__file__).parent / "data" / "glue" / "*" / "service-2.json*"))
    opened = gzip.open(model) if model.endswith(".gz") else open(model)
    with opened as handle:
        return tuple(json.load(handle)["shapes"]["ConnectionPropertyKey"]["enum"])


#: The map inputs whose keys rows read, and the keys the service defines.
MAP_KEYS = {"aws:glue/connection:Connection": _glue_connection_keys()}


def test_lookups_and_sets():
    assert data_store("aws:rds/instance:Instance").label == "RDS DB instance"
    assert data_store("aws:ec2/instance:Instance") is None
    assert len(BY_TYPE) == len(DATA_STORES)  # one row per type
    assert "aws:sns/topic:Topic" in HOLDS_DATA and "aws:sns/topic:Topic" not in STATEFUL
    assert "aws:ebs/encryptionByDefault:EncryptionByDefault" not in HOLDS_DATA
    assert "aws:s3/bucket:Bucket" in STATEFUL and "aws:sagemaker/featureGroup:FeatureGroup" in STATEFUL
    assert "aws:dynamodb/table:Table" in types_with("backup") and "aws:dynamodb/table:Table" not in types_with("encryption")
    assert all(isinstance(s, Setting) for row in DATA_STORES for s in row.encryption)
