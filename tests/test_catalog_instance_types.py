"""The instance-type table (``catalog/data/instance_types.json``) against the installed botocore's
API models, which it is generated from."""

from __future__ import annotations

import json

from catalog import instance_types


def test_the_table_matches_the_installed_botocore(tmp_path):
    from importlib import metadata

    assert instance_types.table_version() == metadata.version("botocore"), \
        "regenerate it: python -m catalog.instance_types"
    assert json.loads(instance_types.TABLE.read_text()) == instance_types.from_botocore()
    out = tmp_path / "table.json"
    assert instance_types.main(["--output", str(out)]) == 0
    assert out.read_text() == instance_types.TABLE.read_text()


def test_the_columns_hold_the_types_plans_are_judged_by():
    ec2 = instance_types.ec2_instance_types()
    assert {"m7i.xlarge", "m7i.large", "p5.48xlarge", "g6.xlarge"} <= ec2 and "zz9.huge" not in ec2
    processing = instance_types.processing_instance_types()
    assert {"ml.m5.xlarge", "ml.c5.xlarge", "ml.t3.medium"} <= processing
    assert not processing & ec2 and all(name.startswith("ml.") for name in processing)
