"""``CostGuardrails``: budgets a GPU fleet cannot quietly exceed, and cost anomaly alerts.

- An environment budget (``aws.budgets.Budget``, COST, MONTHLY) filtered on the environment's
  cost-allocation tag, with ACTUAL and FORECASTED notifications at percentages of the limit, to an
  SNS topic encrypted with a customer-managed key (its policy lets ``budgets.amazonaws.com`` and
  ``costalerts.amazonaws.com`` publish, for this account only) and to optional e-mail addresses.
- One budget per team, filtered on the team cost-allocation tag. AWS Budgets names a user tag
  with the ``user:`` prefix: ``TagKeyValue`` = ``user:<key>$<value>`` (pulumi-aws docs,
  ``aws.budgets.Budget`` "cost filter using resource tags"; botocore budgets ``CostFilters``).
- The cost-allocation tags activated (``aws.costexplorer.CostAllocationTag``, status ``Active``).
- A Cost Anomaly Detection monitor and subscription: IMMEDIATE alerts go to the SNS topic (the ce
  model: e-mail only for DAILY and WEEKLY frequencies), a DAILY summary to the e-mail addresses.
- Optionally a budget action (``APPLY_IAM_POLICY``) that, when actual spend crosses the hard
  limit, attaches a policy denying new GPU capacity (node group creation and scaling, SageMaker
  endpoint creation) to the given roles, run by an execution role that may attach exactly that
  policy to exactly those roles.

Shapes checked against botocore's ``budgets`` (2016-10-20) and ``ce`` (2017-10-25) models.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.common import Classification, child_opts, data_store_tags

BUDGETS_PRINCIPAL = "budgets.amazonaws.com"
ANOMALY_PRINCIPAL = "costalerts.amazonaws.com"
#: The AWS Budgets quotas: 5 notifications per budget; 10 e-mail subscribers (plus one SNS topic) each.
MAX_NOTIFICATIONS = 5
MAX_EMAILS = 10
#: What the hard-limit policy denies: new or bigger node groups and new SageMaker endpoints.
GPU_CAPACITY_ACTIONS = ["eks:CreateNodegroup", "eks:UpdateNodegroupConfig", "sagemaker:CreateEndpoint*",
                        "sagemaker:UpdateEndpointWeightsAndCapacities"]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TAG_KEY = re.compile(r"^[\w .:/=+\-@]{1,128}$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


def check_percent(value: float, what: str = "threshold") -> float:
    """``value`` if it is a percentage of a budget's limit above 0 and at most 100, else ``ValueError``."""
    if not 0 < value <= 100:
        raise ValueError(f"{what} {value:g} % is invalid: a percentage of the budget limit above 0 and at most 100")
    return value


def tag_filter(key: str, value: str) -> dict[str, Any]:
    """A budget cost filter on a user-defined cost-allocation tag: ``TagKeyValue`` ``user:<key>$<value>``."""
    return {"name": "TagKeyValue", "values": [f"user:{key}${value}"]}


@dataclass(frozen=True)
class TeamBudget:
    """A team's monthly budget, filtered on the team tag."""

    team: str
    monthly_limit: float


@dataclass(frozen=True)
class HardLimit:
    """A budget action: at ``threshold_percent`` of actual spend, deny new GPU capacity to ``roles``."""

    #: IAM role names the deny policy is attached to (those that scale node groups or create endpoints).
    roles: Sequence[str]
    threshold_percent: float = 100
    #: ``MANUAL``: someone approves the action in the console; ``AUTOMATIC``: it runs at once.
    approval: Literal["MANUAL", "AUTOMATIC"] = "MANUAL"

    def __post_init__(self) -> None:
        check_percent(self.threshold_percent, "hard limit threshold")
        if not self.roles:
            raise ValueError("a hard limit needs at least one role to attach its deny policy to")
        for role in self.roles:
            if not _ROLE_NAME.match(role):
                raise ValueError(f"role {role!r} is not an IAM role name (the name, not the ARN)")
        if self.approval not in ("MANUAL", "AUTOMATIC"):
            raise ValueError(f"approval {self.approval!r} is invalid: use MANUAL or AUTOMATIC")


@dataclass
class CostGuardrailsArgs:
    """Budgets and anomaly alerts. Defaults: alerts at 80 % and 100 % actual and 100 % forecasted
    spend, tags team/environment/cost-center activated, an anomaly monitor over the environment's
    tag alerting at USD 100 of impact, no hard limit."""

    environment: str
    #: Monthly limit of the environment budget, in USD.
    monthly_limit: float
    #: The customer-managed key of the alert topic (its policy must let the two publishers use it).
    kms_key: aws.kms.Key
    actual_thresholds: Sequence[float] = (80, 100)
    forecasted_thresholds: Sequence[float] = (100,)
    emails: Sequence[str] = ()
    #: The cost-allocation tag keys of the environment and of the team.
    environment_tag: str = "environment"
    team_tag: str = "team"
    teams: Sequence[TeamBudget] = ()
    #: Tag keys to activate for cost allocation (each must have appeared on a billed resource).
    cost_allocation_tags: Sequence[str] = ("team", "environment", "cost-center")
    #: ``environment``: a CUSTOM monitor over the environment tag; ``account``: the account's one
    #: AWS-services monitor (only one stack per account may own it); ``none``.
    anomaly_monitor: Literal["environment", "account", "none"] = "environment"
    anomaly_threshold_usd: float = 100
    hard_limit: Optional[HardLimit] = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.monthly_limit > 0:
            raise ValueError(f"monthly_limit={self.monthly_limit} is invalid: must be above 0 (USD)")
        for value in (*self.actual_thresholds, *self.forecasted_thresholds):
            check_percent(value)
        count = len(self.actual_thresholds) + len(self.forecasted_thresholds)
        if count == 0 or count > MAX_NOTIFICATIONS:
            raise ValueError(f"{count} notifications: a budget has 1 to {MAX_NOTIFICATIONS} (actual plus forecasted "
                             "thresholds)")
        if len(self.emails) > MAX_EMAILS:
            raise ValueError(f"{len(self.emails)} e-mail addresses: a budget notification takes at most {MAX_EMAILS}")
        for email in self.emails:
            if not _EMAIL.match(email):
                raise ValueError(f"{email!r} is not an e-mail address")
        for key in (self.environment_tag, self.team_tag, *self.cost_allocation_tags):
            if not _TAG_KEY.match(key) or key.startswith("aws:"):
                raise ValueError(f"tag key {key!r} is invalid for cost allocation")
        names = [t.team for t in self.teams]
        if len(set(names)) != len(names):
            raise ValueError(f"team budgets must name each team once (got {', '.join(names)})")
        for team in self.teams:
            if not team.monthly_limit > 0:
                raise ValueError(f"team {team.team!r}: monthly_limit must be above 0 (USD)")
        if self.anomaly_monitor not in ("environment", "account", "none"):
            raise ValueError(f"anomaly_monitor {self.anomaly_monitor!r} is invalid: environment, account or none")
        if not self.anomaly_threshold_usd > 0:
            raise ValueError("anomaly_threshold_usd must be above 0")


def topic_policy(topic_arn: str, account_id: str, partition: str = "aws") -> dict[str, Any]:
    """Budgets and Cost Anomaly Detection may publish to the topic, on behalf of this account only."""
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "AWSBudgetsPublish", "Effect": "Allow", "Principal": {"Service": BUDGETS_PRINCIPAL},
         "Action": "SNS:Publish", "Resource": topic_arn,
         "Condition": {"StringEquals": {"aws:SourceAccount": account_id},
                       "ArnLike": {"aws:SourceArn": f"arn:{partition}:budgets::{account_id}:*"}}},
        {"Sid": "AWSAnomalyDetectionPublish", "Effect": "Allow", "Principal": {"Service": ANOMALY_PRINCIPAL},
         "Action": "SNS:Publish", "Resource": topic_arn,
         "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}},
    ]}


def notifications(actual: Sequence[float], forecasted: Sequence[float], topic_arn: Any,
                  emails: Sequence[str]) -> list[dict[str, Any]]:
    """Budget notifications (pulumi-aws input shape): GREATER_THAN each percentage, to the topic and e-mails."""
    found = []
    for kind, thresholds in (("ACTUAL", actual), ("FORECASTED", forecasted)):
        for threshold in thresholds:
            entry: dict[str, Any] = {"notification_type": kind, "comparison_operator": "GREATER_THAN",
                                     "threshold": float(threshold), "threshold_type": "PERCENTAGE",
                                     "subscriber_sns_topic_arns": [topic_arn]}
            if emails:
                entry["subscriber_email_addresses"] = list(emails)
            found.append(entry)
    return found


def deny_gpu_capacity_policy() -> dict[str, Any]:
    """What the hard limit attaches: no new or bigger node groups, no new or rescaled endpoints."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "BudgetHardLimitDeniesNewGpuCapacity", "Effect": "Deny", "Action": GPU_CAPACITY_ACTIONS,
        "Resource": "*"}]}


def action_execution_policy(policy_arn: str, role_arns: Sequence[str]) -> dict[str, Any]:
    """The execution role may attach and detach exactly ``policy_arn``, to and from exactly ``role_arns``."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "AttachTheHardLimitPolicy", "Effect": "Allow",
        "Action": ["iam:AttachRolePolicy", "iam:DetachRolePolicy"], "Resource": list(role_arns),
        "Condition": {"ArnEquals": {"iam:PolicyARN": policy_arn}}}]}


def anomaly_specification(tag_key: str, value: str) -> str:
    """A CUSTOM monitor's specification (ce ``Expression``) over one tag value."""
    return json.dumps({"And": None, "CostCategories": None, "Dimensions": None, "Not": None, "Or": None,
                       "Tags": {"Key": tag_key, "MatchOptions": None, "Values": [value]}})


class CostGuardrails(pulumi.ComponentResource):
    """An environment budget, team budgets, activated cost-allocation tags and anomaly alerts."""

    topic: aws.sns.Topic
    budget: aws.budgets.Budget
    team_budgets: dict[str, aws.budgets.Budget]

    def __init__(self, name: str, args: CostGuardrailsArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("mlinfra:budgets:CostGuardrails", name, None, opts)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=invoke).account_id
        partition = aws.get_partition_output(opts=invoke).partition
        tags = dict(args.tags)

        self.topic = aws.sns.Topic(f"{name}-alerts", kms_master_key_id=args.kms_key.arn,
                                   tags=data_store_tags(Classification.INTERNAL, tags),
                                   opts=child_opts(self))
        topic_policy_resource = aws.sns.TopicPolicy(
            f"{name}-alerts-policy", arn=self.topic.arn,
            policy=pulumi.Output.all(self.topic.arn, account_id, partition).apply(
                lambda v: json.dumps(topic_policy(v[0], v[1], v[2]))),
            opts=child_opts(self))
        # Notifications are sent only once the topic accepts them: budgets after the topic policy.
        after_policy = child_opts(self, depends_on=[topic_policy_resource])

        self.budget = aws.budgets.Budget(
            f"{name}-monthly", name=f"{args.environment}-monthly", budget_type="COST", time_unit="MONTHLY",
            limit_amount=f"{args.monthly_limit:.2f}", limit_unit="USD",
            cost_filters=[tag_filter(args.environment_tag, args.environment)],
            notifications=notifications(args.actual_thresholds, args.forecasted_thresholds, self.topic.arn,
                                        args.emails),
            tags=tags, opts=after_policy)
        self.team_budgets = {}
        for team in args.teams:
            self.team_budgets[team.team] = aws.budgets.Budget(
                f"{name}-team-{team.team}", name=f"{args.environment}-team-{team.team}", budget_type="COST",
                time_unit="MONTHLY", limit_amount=f"{team.monthly_limit:.2f}", limit_unit="USD",
                cost_filters=[tag_filter(args.team_tag, team.team)],
                notifications=notifications(args.actual_thresholds, args.forecasted_thresholds, self.topic.arn,
                                            args.emails),
                tags={**tags, args.team_tag: team.team}, opts=after_policy)

        for key in dict.fromkeys([*args.cost_allocation_tags, args.environment_tag, args.team_tag]):
            aws.costexplorer.CostAllocationTag(f"{name}-tag-{re.sub(r'[^a-z0-9-]', '-', key.lower())}",
                                               tag_key=key, status="Active", opts=child_opts(self))

        self.anomaly_monitor: Optional[aws.costexplorer.AnomalyMonitor] = None
        if args.anomaly_monitor != "none":
            if args.anomaly_monitor == "environment":
                monitor_args: dict[str, Any] = {
                    "monitor_type": "CUSTOM",
                    "monitor_specification": anomaly_specification(args.environment_tag, args.environment)}
            else:
                monitor_args = {"monitor_type": "DIMENSIONAL", "monitor_dimension": "SERVICE"}
            self.anomaly_monitor = aws.costexplorer.AnomalyMonitor(
                f"{name}-anomalies", name=f"{args.environment}-cost-anomalies", tags=tags, opts=child_opts(self),
                **monitor_args)
            threshold = {"dimension": {"key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE", "match_options": ["GREATER_THAN_OR_EQUAL"],
                                       "values": [f"{args.anomaly_threshold_usd:g}"]}}
            aws.costexplorer.AnomalySubscription(
                f"{name}-anomalies-immediate", name=f"{args.environment}-cost-anomalies-immediate",
                frequency="IMMEDIATE", monitor_arn_lists=[self.anomaly_monitor.arn],
                subscribers=[{"type": "SNS", "address": self.topic.arn}], threshold_expression=threshold,
                tags=tags, opts=after_policy)
            if args.emails:
                aws.costexplorer.AnomalySubscription(
                    f"{name}-anomalies-daily", name=f"{args.environment}-cost-anomalies-daily", frequency="DAILY",
                    monitor_arn_lists=[self.anomaly_monitor.arn],
                    subscribers=[{"type": "EMAIL", "address": email} for email in args.emails],
                    threshold_expression=threshold, tags=tags, opts=child_opts(self))

        self.budget_action: Optional[aws.budgets.BudgetAction] = None
        if args.hard_limit:
            self.budget_action = self._hard_limit(name, args, args.hard_limit, account_id, partition, tags)

        self.register_outputs({"topicArn": self.topic.arn, "budgetName": self.budget.name,
                               "teamBudgets": {team: b.name for team, b in self.team_budgets.items()}})

    def _hard_limit(self, name: str, args: CostGuardrailsArgs, limit: HardLimit, account_id: pulumi.Output,
                    partition: pulumi.Output, tags: dict[str, str]) -> aws.budgets.BudgetAction:
        deny = aws.iam.Policy(f"{name}-hard-limit", description="Attached by the budget action at the hard limit: "
                              "no new GPU node groups, scaling or SageMaker endpoints",
                              policy=json.dumps(deny_gpu_capacity_policy()), tags=tags, opts=child_opts(self))
        role_arns = pulumi.Output.all(account_id, partition).apply(
            lambda v: [f"arn:{v[1]}:iam::{v[0]}:role/{role}" for role in limit.roles])
        execution_role = aws.iam.Role(
            f"{name}-hard-limit-execution",
            assume_role_policy=account_id.apply(lambda account: json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": BUDGETS_PRINCIPAL}, "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}}}]})),
            tags=tags, opts=child_opts(self))
        execution_policy = aws.iam.RolePolicy(
            f"{name}-hard-limit-execution-policy", role=execution_role.id,
            policy=pulumi.Output.all(deny.arn, role_arns).apply(
                lambda v: json.dumps(action_execution_policy(v[0], v[1]))),
            opts=child_opts(self))
        subscribers = [{"subscription_type": "SNS", "address": self.topic.arn}]
        subscribers += [{"subscription_type": "EMAIL", "address": email} for email in args.emails]
        return aws.budgets.BudgetAction(
            f"{name}-hard-limit-action", budget_name=self.budget.name, action_type="APPLY_IAM_POLICY",
            approval_model=limit.approval, notification_type="ACTUAL",
            action_threshold={"action_threshold_type": "PERCENTAGE",
                              "action_threshold_value": float(limit.threshold_percent)},
            definition={"iam_action_definition": {"policy_arn": deny.arn, "roles": list(limit.roles)}},
            execution_role_arn=execution_role.arn, subscribers=subscribers, tags=tags,
            opts=child_opts(self, depends_on=[execution_policy]))
