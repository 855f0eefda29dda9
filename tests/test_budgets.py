"""CostGuardrails under mocks: budgets, filters, notifications, topic and key policies, anomaly alerts,
the hard-limit action; the budgets configuration and its bad inputs; shapes against botocore's models."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import botocore
import pulumi_aws as aws
import pytest

from components.budgets import (ANOMALY_PRINCIPAL, BUDGETS_PRINCIPAL, GPU_CAPACITY_ACTIONS, CostGuardrails,
                                CostGuardrailsArgs, HardLimit, TeamBudget, deny_gpu_capacity_policy, tag_filter)
from components.encryption import KeySpec, key_policy
from mlinfra.config import platform_config_from
from mlinfra.errors import ConfigError
from mlinfra.mocks import ACCOUNT_ID

BUDGET = "aws:budgets/budget:Budget"
ACTION = "aws:budgets/budgetAction:BudgetAction"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
TAG = "aws:costexplorer/costAllocationTag:CostAllocationTag"
MONITOR = "aws:costexplorer/anomalyMonitor:AnomalyMonitor"
SUBSCRIPTION = "aws:costexplorer/anomalySubscription:AnomalySubscription"
MODELS = Path(botocore.__file__).parent / "data"


def _model(service: str, version: str) -> dict:
    return json.loads(gzip.open(MODELS / service / version / "service-2.json.gz").read())


def _build(run, **kw):
    def program():
        key = aws.kms.Key("budgets-key")
        CostGuardrails("dev-budgets", CostGuardrailsArgs(
            environment="dev", monthly_limit=3000, kms_key=key, emails=["finops@example.com"],
            teams=[TeamBudget("research", 2500)], **kw))

    run(program)


def test_environment_budget_filters_on_the_environment_tag_and_notifies_topic_and_emails(monitor, run):
    _build(run)
    budget = monitor.named(BUDGET, "dev-budgets-monthly").inputs
    assert (budget["budgetType"], budget["timeUnit"], budget["limitAmount"], budget["limitUnit"]) == \
        ("COST", "MONTHLY", "3000.00", "USD")
    assert budget["costFilters"] == [{"name": "TagKeyValue", "values": ["user:environment$dev"]}]
    topic_arn = monitor.named(TOPIC, "dev-budgets-alerts").outputs["arn"]
    kinds = [(n["notificationType"], n["threshold"]) for n in budget["notifications"]]
    assert kinds == [("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100)]
    for notification in budget["notifications"]:
        assert notification["comparisonOperator"] == "GREATER_THAN"
        assert notification["thresholdType"] == "PERCENTAGE"
        assert notification["subscriberSnsTopicArns"] == [topic_arn]
        assert notification["subscriberEmailAddresses"] == ["finops@example.com"]
    assert monitor.named(TOPIC_POLICY, "dev-budgets-alerts-policy").urn in \
        monitor.named(BUDGET, "dev-budgets-monthly").dependencies


def test_team_budget_uses_the_user_prefixed_team_tag(monitor, run):
    _build(run)
    team = monitor.named(BUDGET, "dev-budgets-team-research").inputs
    assert team["name"] == "dev-team-research"
    assert team["costFilters"] == [{"name": "TagKeyValue", "values": ["user:team$research"]}]
    assert team["limitAmount"] == "2500.00"


def test_topic_is_encrypted_and_only_budgets_and_anomaly_detection_of_this_account_publish(monitor, run):
    _build(run)
    topic = monitor.named(TOPIC, "dev-budgets-alerts")
    assert topic.inputs["kmsMasterKeyId"] == monitor.named("aws:kms/key:Key", "budgets-key").outputs["arn"]
    policy = json.loads(monitor.named(TOPIC_POLICY, "dev-budgets-alerts-policy").inputs["policy"])
    principals = {s["Principal"]["Service"]: s for s in policy["Statement"]}
    assert set(principals) == {BUDGETS_PRINCIPAL, ANOMALY_PRINCIPAL}
    for statement in principals.values():
        assert statement["Action"] == "SNS:Publish" and statement["Resource"] == topic.outputs["arn"]
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT_ID}
    assert principals[BUDGETS_PRINCIPAL]["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:budgets::{ACCOUNT_ID}:*"}


def test_the_alert_key_lets_both_publishers_use_it():
    spec = KeySpec("budgets", service_principals=[BUDGETS_PRINCIPAL, ANOMALY_PRINCIPAL])
    statements = key_policy(spec, account_id=ACCOUNT_ID, region="us-east-1")["Statement"]
    for principal in (BUDGETS_PRINCIPAL, ANOMALY_PRINCIPAL):
        statement = next(s for s in statements if s["Principal"] == {"Service": principal})
        assert {"kms:GenerateDataKey*", "kms:Decrypt"} <= set(statement["Action"])


def test_cost_allocation_tags_are_activated(monitor, run):
    _build(run)
    assert sorted((t.inputs["tagKey"], t.inputs["status"]) for t in monitor.by_type(TAG)) == [
        ("cost-center", "Active"), ("environment", "Active"), ("team", "Active")]


def test_anomaly_monitor_over_the_environment_immediate_to_sns_daily_to_email(monitor, run):
    _build(run)
    monitor_inputs = monitor.named(MONITOR, "dev-budgets-anomalies").inputs
    assert monitor_inputs["monitorType"] == "CUSTOM"
    assert json.loads(monitor_inputs["monitorSpecification"])["Tags"] == {
        "Key": "environment", "MatchOptions": None, "Values": ["dev"]}
    immediate = monitor.named(SUBSCRIPTION, "dev-budgets-anomalies-immediate").inputs
    daily = monitor.named(SUBSCRIPTION, "dev-budgets-anomalies-daily").inputs
    assert immediate["frequency"] == "IMMEDIATE" and [s["type"] for s in immediate["subscribers"]] == ["SNS"]
    assert daily["frequency"] == "DAILY" and daily["subscribers"] == [{"type": "EMAIL", "address": "finops@example.com"}]
    assert immediate["thresholdExpression"]["dimension"] == {
        "key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE", "matchOptions": ["GREATER_THAN_OR_EQUAL"], "values": ["100"]}


def test_account_scope_uses_the_services_monitor_and_none_creates_no_monitor(monitor, run):
    _build(run, anomaly_monitor="account")
    inputs = monitor.named(MONITOR, "dev-budgets-anomalies").inputs
    assert (inputs["monitorType"], inputs["monitorDimension"]) == ("DIMENSIONAL", "SERVICE")


def test_no_monitor(monitor, run):
    _build(run, anomaly_monitor="none")
    assert monitor.by_type(MONITOR) == [] and monitor.by_type(SUBSCRIPTION) == []


def test_hard_limit_action_denies_new_gpu_capacity_to_the_roles(monitor, run):
    _build(run, hard_limit=HardLimit(roles=["ml-engineers"], threshold_percent=100, approval="AUTOMATIC"))
    action = monitor.named(ACTION, "dev-budgets-hard-limit-action")
    inputs = action.inputs
    assert (inputs["actionType"], inputs["approvalModel"], inputs["notificationType"]) == \
        ("APPLY_IAM_POLICY", "AUTOMATIC", "ACTUAL")
    assert inputs["actionThreshold"] == {"actionThresholdType": "PERCENTAGE", "actionThresholdValue": 100}
    deny = monitor.named("aws:iam/policy:Policy", "dev-budgets-hard-limit")
    assert inputs["definition"]["iamActionDefinition"] == {"policyArn": deny.outputs["arn"], "roles": ["ml-engineers"]}
    (statement,) = json.loads(deny.inputs["policy"])["Statement"]
    assert statement["Effect"] == "Deny"
    assert {"eks:UpdateNodegroupConfig", "sagemaker:CreateEndpoint*"} <= set(statement["Action"])
    role = monitor.named("aws:iam/role:Role", "dev-budgets-hard-limit-execution")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": BUDGETS_PRINCIPAL}
    (allow,) = json.loads(monitor.named("aws:iam/rolePolicy:RolePolicy",
                                        "dev-budgets-hard-limit-execution-policy").inputs["policy"])["Statement"]
    assert allow["Resource"] == [f"arn:aws:iam::{ACCOUNT_ID}:role/ml-engineers"]
    assert allow["Condition"] == {"ArnEquals": {"iam:PolicyARN": deny.outputs["arn"]}}
    assert inputs["budgetName"] == monitor.named(BUDGET, "dev-budgets-monthly").outputs["name"]
    assert {s["subscriptionType"] for s in inputs["subscribers"]} == {"SNS", "EMAIL"}


def test_shapes_match_the_budgets_and_ce_models():
    budgets = _model("budgets", "2016-10-20")["shapes"]
    assert {"ACTUAL", "FORECASTED"} == set(budgets["NotificationType"]["enum"])
    assert "GREATER_THAN" in budgets["ComparisonOperator"]["enum"]
    assert "PERCENTAGE" in budgets["ThresholdType"]["enum"]
    assert "APPLY_IAM_POLICY" in budgets["ActionType"]["enum"]
    assert set(budgets["ApprovalModel"]["enum"]) == {"MANUAL", "AUTOMATIC"}
    assert budgets["Subscribers"]["max"] == 11  # 10 e-mail addresses and the topic
    assert "COST" in budgets["BudgetType"]["enum"] and "MONTHLY" in budgets["TimeUnit"]["enum"]
    ce = _model("ce", "2017-10-25")["shapes"]
    assert set(ce["MonitorType"]["enum"]) == {"DIMENSIONAL", "CUSTOM"}
    assert "SERVICE" in ce["MonitorDimension"]["enum"]
    assert {"IMMEDIATE", "DAILY"} <= set(ce["AnomalySubscriptionFrequency"]["enum"])
    assert "e-mail" not in ce["AnomalySubscription"]["members"]["Frequency"]["documentation"]
    assert "SNS (for IMMEDIATE frequency)" in ce["AnomalySubscription"]["members"]["Frequency"]["documentation"]
    assert set(ce["CostAllocationTagStatus"]["enum"]) == {"Active", "Inactive"}
    assert tag_filter("team", "research") == {"name": "TagKeyValue", "values": ["user:team$research"]}
    assert set(GPU_CAPACITY_ACTIONS) <= set(deny_gpu_capacity_policy()["Statement"][0]["Action"])


@pytest.mark.parametrize("kw, message", [
    ({"actual_thresholds": (80, 120)}, "threshold 120 % is invalid: a percentage of the budget limit above 0 and at most 100"),
    ({"actual_thresholds": (10, 20, 30, 40), "forecasted_thresholds": (50, 60)}, "6 notifications"),
    ({"emails": ["not-an-address"]}, "'not-an-address' is not an e-mail address"),
    ({"monthly_limit": 0}, "monthly_limit=0 is invalid"),
])
def test_bad_component_args(kw, message):
    args = {"environment": "dev", "monthly_limit": 100, "kms_key": None, **kw}
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        CostGuardrailsArgs(**args)


def test_hard_limit_needs_role_names_not_arns():
    with pytest.raises(ValueError, match="is not an IAM role name"):
        HardLimit(roles=["arn:aws:iam::123456789012:role/x"])


BASE = {"mlinfra:tier": "dev", "aws:region": "us-east-1",
        "mlinfra:tags": json.dumps({"owner": "ml-platform", "costCenter": "cc-1"}),
        "mlinfra:training": json.dumps({
            "adminPrincipals": ["arn:aws:iam::123456789012:role/admin"], "maxGpus": 8,
            "gpuNodeGroups": [{"name": "l4", "instanceTypes": ["g6.xlarge"], "maxSize": 2}],
            "teams": [{"name": "research", "gpus": 4}]})}


def _config(**overrides):
    return platform_config_from({**BASE, **{k: json.dumps(v) for k, v in overrides.items()}}, environment="dev",
                                source="stacks/Pulumi.dev.yaml")


def test_budgets_config_builds_the_component_args():
    cfg = _config(**{"mlinfra:budgets": {"monthlyLimit": 3000, "teams": [{"name": "research", "monthlyLimit": 1000}],
                                         "hardLimit": {"roles": ["ml-engineers"]}}})
    args = cfg.budgets.to_args(environment="dev", kms_key=None)
    assert args.teams == (TeamBudget("research", 1000),)
    assert args.hard_limit == HardLimit(roles=("ml-engineers",))
    assert cfg.known_teams == ["research", "ml-platform"]
    assert cfg.team_tags(None) == {"team": "ml-platform"}


@pytest.mark.parametrize("budgets, message", [
    ({"monthlyLimit": 3000, "actualThresholds": [80, 120]},
     "stacks/Pulumi.dev.yaml: mlinfra:budgets.actualThresholds = [80, 120]: threshold 120 % is invalid: a "
     "percentage of the budget limit above 0 and at most 100"),
    ({"monthlyLimit": 3000, "teams": [{"name": "reserch", "monthlyLimit": 10}]},
     "stacks/Pulumi.dev.yaml: mlinfra:budgets.teams.0.name = 'reserch': unknown team; use one of research, "
     "ml-platform (mlinfra:training.teams, or mlinfra:budgets.defaultTeam)"),
    ({"monthlyLimit": 3000, "hardLimit": {"roles": ["ml-engineers"], "thresholdPercent": 150}},
     "stacks/Pulumi.dev.yaml: mlinfra:budgets.hardLimit.thresholdPercent = 150: threshold 150 % is invalid"),
    ({"monthlyLimit": -5}, "stacks/Pulumi.dev.yaml: mlinfra:budgets.monthlyLimit = -5: Input should be greater than 0"),
])
def test_bad_budgets_config_is_one_clear_message(budgets, message):
    with pytest.raises(ConfigError) as exc:
        _config(**{"mlinfra:budgets": budgets})
    assert str(exc.value) == message or str(exc.value).startswith(message)
    assert len(str(exc.value).splitlines()) == 1


def test_an_unknown_team_on_a_gpu_node_group_is_refused():
    training = json.loads(BASE["mlinfra:training"])
    training["gpuNodeGroups"][0]["team"] = "vision"
    with pytest.raises(ConfigError, match=r"mlinfra:training.gpuNodeGroups.0.team = 'vision': unknown team"):
        _config(**{"mlinfra:training": training})


def test_the_stacks_have_budgets_and_team_tags_on_gpu_capacity(stack_deployments):
    for env, doc in stack_deployments.items():
        resources = doc["deployment"]["resources"]
        budgets = [r for r in resources if r["type"] == BUDGET]
        assert any(r["inputs"]["costFilters"] == [tag_filter("environment", env)] for r in budgets), env
        for group in (r for r in resources if r["type"] == "aws:eks/nodeGroup:NodeGroup"):
            if "system" not in group["urn"]:
                assert group["inputs"]["tags"]["team"] in ("research", "applied-ml"), group["urn"]


@pytest.mark.parametrize("old, new, message", [
    ("    monthlyLimit: 3000\n", "    monthlyLimit: 3000\n    actualThresholds: [80, 120]\n",
     "stacks/Pulumi.dev.yaml: mlinfra:budgets.actualThresholds = [80, 120]: threshold 120 % is invalid"),
    ("      - {name: research, monthlyLimit: 2500}", "      - {name: vision, monthlyLimit: 2500}",
     "stacks/Pulumi.dev.yaml: mlinfra:budgets.teams.0.name = 'vision': unknown team"),
    ("    objectLock: {mode: GOVERNANCE}", "    objectLock: {mode: COMPLIANCE}",
     "stacks/Pulumi.dev.yaml: mlinfra:datasets.objectLock.mode = 'COMPLIANCE': the dev tier allows GOVERNANCE only"),
])
def test_the_cli_refuses_bad_cost_settings_in_one_line(tmp_path, old, new, message):
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    shutil.copy(root / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(root / "stacks", tmp_path / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
    stack = tmp_path / "stacks" / "Pulumi.dev.yaml"
    assert old in stack.read_text()
    stack.write_text(stack.read_text().replace(old, new))
    result = subprocess.run([sys.executable, "-m", "mlinfra.cli", "cost", "dev"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"mlinfra: error: {message}")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
