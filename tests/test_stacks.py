"""The three environments end to end: plan offline, review through the real pack processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parent.parent
ENVS = ("dev", "staging", "prod")
STATEFUL = ("aws:s3/bucket:Bucket", "aws:kms/key:Key")


@pytest.fixture(scope="module")
def deployments(stack_deployments) -> dict[str, list[dict]]:
    return {env: stack_deployments[env]["deployment"]["resources"] for env in ENVS}


@pytest.mark.parametrize("env", ENVS)
def test_environment_reviews_with_no_mandatory_violation(env):
    result = subprocess.run([sys.executable, "-m", "mlinfra.cli", "review", env, "--format", "json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert {p["name"] for p in report["packs"]} == {"mlinfra-security", "mlinfra-privacy", "mlinfra-compliance"}
    assert report["summary"]["mandatory"] == 0
    assert report["summary"]["resources"] > 50


def test_prod_protects_stateful_resources_and_dev_does_not(deployments):
    for env, protected in (("prod", True), ("dev", False)):
        stateful = [r for r in deployments[env] if r["type"] in STATEFUL]
        assert stateful
        assert {r.get("protect", False) for r in stateful} == {protected}, env


def test_prod_spreads_over_three_zones_with_a_nat_gateway_each(deployments):
    def zones(env):
        return {r["inputs"]["availabilityZone"] for r in deployments[env] if r["type"] == "aws:ec2/subnet:Subnet"}

    def nats(env):
        return sum(r["type"] == "aws:ec2/natGateway:NatGateway" for r in deployments[env])

    assert (len(zones("prod")), nats("prod")) == (3, 3)
    assert (len(zones("dev")), nats("dev")) == (2, 1)


@pytest.mark.parametrize("env", ENVS)
def test_every_aws_resource_uses_the_tagged_explicit_provider(deployments, env):
    providers = [r for r in deployments[env] if r["type"] == "pulumi:providers:aws"]
    assert [p["urn"].rsplit("::", 1)[-1] for p in providers] == ["aws"]
    default_tags = json.loads(providers[0]["inputs"]["defaultTags"])["tags"]
    assert {"owner", "cost-center", "environment"} <= default_tags.keys()
    assert default_tags["environment"] == env
    aws = [r for r in deployments[env] if r["custom"] and r["type"].startswith("aws:")]
    assert {r["provider"].rsplit("::", 1)[0] for r in aws} == {providers[0]["urn"]}
