"""The feature store as the stacks build it, and the lock check through the real program."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlinfra.errors import MlinfraError
from mlinfra.plan import run_program

PROJECT = Path(__file__).resolve().parents[1]
FG = "aws:sagemaker/featureGroup:FeatureGroup"


@pytest.mark.parametrize(("env", "groups", "protected"), [
    ("dev", {"customer-profile", "transaction-aggregates"}, False),
    ("prod", {"customer-profile", "transaction-aggregates", "item-embeddings"}, True),
])
def test_stack_builds_the_groups_its_environment_enables(env, groups, protected):
    monitor = run_program(PROJECT, env)
    built = {r.inputs["tags"]["feature-group"]: r for r in monitor.by_type(FG)}
    assert set(built) == groups
    assert all(r.protect is protected for r in built.values())
    profile = built["customer-profile"]
    assert profile.inputs["featureGroupName"] == f"{env}-feature-store-customer-profile"
    key = monitor.named("aws:kms/key:Key", f"{env}-feature-store-keys-feature-store-restricted")
    assert profile.inputs["onlineStoreConfig"]["securityConfig"]["kmsKeyId"] == key.outputs["arn"]
    stack = next(r for r in monitor.registrations.values() if r.type == "pulumi:pulumi:Stack")
    assert set(stack.outputs["featureStoreSchemas"]) == groups
    assert set(stack.outputs["featureServingPolicies"]) == groups


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The project's program and stack files in a scratch directory, to add a lock to."""
    shutil.copy(PROJECT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(PROJECT / "stacks", tmp_path / "stacks", ignore=shutil.ignore_patterns("*.lock.json"))
    return tmp_path


def write_lock(project: Path, env: str, groups: dict, version: int = 1) -> None:
    (project / "stacks" / "feature_groups" / f"{env}.lock.json").write_text(
        json.dumps({"version": version, "groups": groups}))


PROFILE_DEPLOYED = {
    "recordIdentifier": "customer_id", "eventTime": "event_time",
    "features": [{"name": n, "type": t} for n, t in [
        ("customer_id", "String"), ("event_time", "Fractional"), ("email", "String"), ("postcode", "String"),
        ("tenure_days", "Integral"), ("lifetime_value", "Fractional"), ("segment", "String"),
        ("date_of_birth", "String")]],
}


def test_program_refuses_a_removed_feature_against_the_lock(project_copy):
    write_lock(project_copy, "dev", {"customer-profile": PROFILE_DEPLOYED})
    with pytest.raises(MlinfraError) as info:
        run_program(project_copy, "dev")
    message = str(info.value)
    assert "feature group 'customer-profile' (stacks/feature_groups/dev.lock.json)" in message
    assert "removes date_of_birth (String)" in message
    assert "set allowReplacement: true" in message


def test_program_accepts_additions_against_the_lock(project_copy):
    deployed = dict(PROFILE_DEPLOYED, features=PROFILE_DEPLOYED["features"][:5])
    write_lock(project_copy, "dev", {"customer-profile": deployed})
    monitor = run_program(project_copy, "dev")
    assert len(monitor.by_type(FG)) == 2


#: customer-profile as deployed: online Standard, offline Iceberg, restricted (it has PII).
PROFILE_STORE = {"onlineStore": True, "storageType": "Standard", "offlineStore": True, "tableFormat": "Iceberg",
                 "restricted": True}


def test_program_accepts_a_version_2_lock_with_the_deployed_store(project_copy):
    deployed = dict(PROFILE_DEPLOYED, features=PROFILE_DEPLOYED["features"][:7], store=PROFILE_STORE)
    write_lock(project_copy, "dev", {"customer-profile": deployed}, version=2)
    monitor = run_program(project_copy, "dev")
    stack = next(r for r in monitor.registrations.values() if r.type == "pulumi:pulumi:Stack")
    assert stack.outputs["featureStoreSchemas"]["customer-profile"]["store"] == PROFILE_STORE


def test_program_refuses_a_store_change_against_a_version_2_lock(project_copy):
    deployed = dict(PROFILE_DEPLOYED, features=PROFILE_DEPLOYED["features"][:7],
                    store=dict(PROFILE_STORE, tableFormat="Glue"))
    write_lock(project_copy, "dev", {"customer-profile": deployed}, version=2)
    with pytest.raises(MlinfraError) as info:
        run_program(project_copy, "dev")
    message = str(info.value)
    assert ("feature group 'customer-profile' (stacks/feature_groups/dev.lock.json): the change changes the offline "
            "table format from Glue to Iceberg. SageMaker cannot do that in place") in message
    assert "set allowReplacement: true" in message


def test_program_refuses_dropping_a_deployed_group(project_copy):
    write_lock(project_copy, "dev", {"item-embeddings": {"recordIdentifier": "item_id", "eventTime": "event_time",
                                                         "features": []}})
    with pytest.raises(MlinfraError, match="feature groups 'item-embeddings' are deployed"):
        run_program(project_copy, "dev")


def test_bad_spec_stops_the_program_naming_the_file(project_copy):
    spec = project_copy / "stacks" / "feature_groups" / "transaction-aggregates.yaml"
    spec.write_text(spec.read_text().replace("recordIdentifier: customer_id", "recordIdentifier: account_id"))
    with pytest.raises(MlinfraError, match=r"stacks/feature_groups/transaction-aggregates.yaml: recordIdentifier = "
                                           r"'account_id': is not one of the features"):
        run_program(project_copy, "dev")
