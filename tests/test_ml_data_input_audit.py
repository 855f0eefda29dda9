"""benchmarks/data/ml_data_input_audit.tsv, the type-by-type audit of the ML and data services, against the installed
SDK and the packs: every type and input it lists is pulumi-aws's, every rule it names exists and declares the type, a
data-store rule's row has settings for its control, and every type of the audited modules is listed."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest

from catalog.data_stores import BY_TYPE
from policies.rules import PACKS, collect
from policies.rules._declare import declared_types, type_matcher
from sdk_inputs import assert_inputs_in_sdk

AUDIT = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "ml_data_input_audit.tsv"
MODULES = ("appflow athena batch bedrock bedrockmodel cleanrooms comprehend dataexchange datasync datazone emr "
           "emrcontainers emrserverless glue kendra kinesis kinesisanalyticsv2 lakeformation memorydb msk mskconnect "
           "opensearch opensearchingest quicksight redshiftserverless s3tables sagemaker timestreaminfluxdb "
           "timestreamquery timestreamwrite transfer").split()
CONTROLS = {"encryption-at-rest/key", "encryption-in-transit", "network-exposure", "logging", "root-access",
            "deletion-protection", "access-policy", "authentication", "plaintext-credential", "-"}
#: The data-store table's field(s) behind each data-store rule.
FIELDS = {"data-store-encrypted-at-rest": ("encryption",), "data-store-customer-managed-key": ("cmk", "keys", "keys_when"),
          "data-store-not-public": ("private",), "data-store-tls-in-transit": ("in_transit",),
          "data-store-deletion-protection": ("deletion_protection",), "data-store-logging": ("logging",),
          "data-store-backups": ("backup", "backup_days")}
STATUS = re.compile(r"^(judged-by [a-z0-9-]+( [a-z0-9-]+)*(; added [a-z0-9-]+( [a-z0-9-]+)*)?"
                    r"|added [a-z0-9-]+( [a-z0-9-]+)*|skipped: .{20,})$")


def _rows() -> list[list[str]]:
    lines = AUDIT.read_text().splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


ROWS = _rows()
POLICIES = {policy.name: policy for pack in PACKS for policy in collect(pack)}


def _rules(status: str) -> list[str]:
    if status.startswith("skipped:"):
        return []
    return [name for part in status.split("; ") for name in part.split(" ")[1:]]


def test_rows_are_well_formed():
    assert len(ROWS) > 500
    for row in ROWS:
        assert len(row) == 4, row
        type_, path, control, status = row
        assert type_.startswith("aws:") and control in CONTROLS, row
        assert STATUS.match(status), row
    assert len({(row[0], row[1]) for row in ROWS}) == len(ROWS), "a type and input listed twice"


@pytest.mark.parametrize("type_, path", sorted({(row[0], row[1]) for row in ROWS if row[1] != "-"}))
def test_every_input_is_the_sdks(type_, path):
    # <vendor> stands for each vendor block of an AppFlow profile; an upper-case step is a key of a map input (Glue's
    # connectionProperties: PASSWORD, JDBC_ENFORCE_SSL).
    assert_inputs_in_sdk(type_, [step for step in path.split(".") if step != "<vendor>" and not step.isupper()])


@pytest.mark.parametrize("row", [row for row in ROWS if _rules(row[3])], ids=lambda row: f"{row[0]}-{row[1]}")
def test_every_rule_named_judges_the_type(row):
    type_, path, _, status = row
    for name in _rules(status):
        assert name in POLICIES, name
        assert type_matcher(declared_types(POLICIES[name]))(type_), (name, type_)
        if name in FIELDS:
            store = BY_TYPE[type_]
            assert any(getattr(store, field) for field in FIELDS[name]), (name, type_)


def test_every_type_of_the_audited_modules_is_listed():
    import pulumi_aws

    root = Path(pulumi_aws.__file__).parent
    found = {token for module in MODULES for source in (root / module).glob("[!_]*.py") if not source.name.startswith("get_")
             for token in re.findall(r"__init__\(\s*'(aws:[^']+)'", source.read_text())}
    listed = {row[0] for row in ROWS}
    assert listed <= found, sorted(listed - found)  # every listed type exists in the installed SDK
    if metadata.version("pulumi-aws") == "7.51.1":  # the version audited (the file's header)
        assert found <= listed, sorted(found - listed)


def test_the_audits_counts():
    added = [row for row in ROWS if "added " in row[3]]
    judged = [row for row in ROWS if row[3].startswith("judged-by")]
    assert len({row[0] for row in ROWS}) == 276
    assert len(added) >= 80 and len(judged) >= 150
