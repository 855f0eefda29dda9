"""Cost guardrails: every stack has an environment budget that notifies someone, and GPU capacity
(EKS node groups with GPU instances, SageMaker endpoints on GPU instances) carries the team tag
that team budgets filter on. Provider ``defaultTags`` count as the resource's tags."""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from policies.rules._declare import config_schema, examines, frameworks, policy_config
from policies.rules._index import LAUNCH_TEMPLATE, LaunchTemplateIndex, ReferenceIndex, launch_templates, of_type, stack_resources
from policies.rules._props import as_list, get, is_aws, is_unknown, resource_tags
from policies.rules.gpu import is_gpu_type

BUDGET = "aws:budgets/budget:Budget"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"

# --------------------------------------------------------------------------------------------------
# Every stack has an environment budget with notifications

BUDGET_SCHEMA = config_schema(
    budgetType={"type": "string", "default": "COST",
                "description": "The budget type that counts as the environment budget (AWS Budgets BudgetType)."},
    minNotifications={"type": "integer", "minimum": 1, "default": 1,
                      "description": "Notifications (each with an SNS topic or e-mail subscriber) the budget needs."},
)


def _subscribed(notification: Any) -> bool:
    if not isinstance(notification, dict):
        return False
    for key in ("subscriberSnsTopicArns", "subscriberEmailAddresses"):
        value = notification.get(key)
        if is_unknown(value) or (isinstance(as_list(value), list) and as_list(value)):
            return True
    return False


#: Besides pulumi-aws and pulumi-aws-native resources (``is_aws``), what makes a stack an AWS environment
#: whose spend a budget watches: pulumi-eks's and awsx's components, which build AWS resources. A stack
#: of Kubernetes objects alone runs on capacity another stack pays for and budgets.
AWS_COMPONENT_PACKAGES = ("eks:", "awsx:")


def _validate_environment_budget(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    if not any(is_aws(r.resource_type) or r.resource_type.startswith(AWS_COMPONENT_PACKAGES) for r in args.resources):
        return
    config = policy_config(args, BUDGET_SCHEMA)
    budgets = of_type(args.resources, BUDGET)
    candidates = [b for b in budgets if is_unknown(get(b.props, "budgetType"))
                  or get(b.props, "budgetType") == config["budgetType"]]
    if not candidates:
        report_violation(f"The stack has no AWS Budgets budget of type {config['budgetType']}: nobody is told when "
                         "the environment's spend runs over.")
        return
    for budget in candidates:
        notifications = as_list(get(budget.props, "notifications"))
        if is_unknown(notifications):
            return
        subscribed = [n for n in (notifications if isinstance(notifications, list) else []) if _subscribed(n)]
        if len(subscribed) >= config["minNotifications"]:
            return
    report_violation(f"No {config['budgetType']} budget of the stack has {config['minNotifications']} or more "
                     "notifications with a subscriber (an SNS topic or e-mail address).", candidates[0].urn)


environment_budget = StackValidationPolicy(
    name="environment-budget",
    description="Every stack that declares AWS resources has an AWS Budgets cost budget whose notifications reach a "
                "subscriber (an SNS topic or e-mail addresses).",
    validate=examines((BUDGET,), _validate_environment_budget),
    config_schema=BUDGET_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Add an aws.budgets.Budget (budget_type COST, time_unit MONTHLY, a limit) with notifications "
                      "(ACTUAL and FORECASTED, threshold_type PERCENTAGE) to subscriber_sns_topic_arns or "
                      "subscriber_email_addresses; mlinfra stacks: set mlinfra:budgets (components.budgets).",
    **frameworks({"nist-800-53": "SA-2, PM-3"}),
)


# --------------------------------------------------------------------------------------------------
# GPU capacity carries the team tag

TEAM_TAG_SCHEMA = config_schema(
    tagKey={"type": "string", "default": "team",
            "description": "The cost-allocation tag that names the team a GPU node group or endpoint belongs to."},
)


def _group_is_gpu(group: Any, templates: LaunchTemplateIndex) -> bool:
    types = as_list(get(group.props, "instanceTypes"))
    if not types and not is_unknown(types):
        template = next(iter(templates.of(group)), None)
        types = [get(template.props, "instanceType")] if template is not None else []
    ami = get(group.props, "amiType", default="")
    return (isinstance(types, list) and any(is_gpu_type(t) for t in types)) or (
        isinstance(ami, str) and ("NVIDIA" in ami or "GPU" in ami))


def _config_is_gpu(config: Any) -> bool:
    variants = as_list(get(config.props, "productionVariants"))
    shadows = as_list(get(config.props, "shadowProductionVariants"))
    found = []
    for group in (variants, shadows):
        if isinstance(group, list):
            found += [v.get("instanceType") for v in group if isinstance(v, dict)]
    return any(isinstance(t, str) and is_gpu_type(t.removeprefix("ml.")) for t in found)


def _untagged(resource: Any, key: str) -> bool:
    tags = resource_tags(resource)
    if is_unknown(tags):
        return False
    value = tags.get(key)
    return not (is_unknown(value) or (isinstance(value, str) and value.strip()))


def _validate_team_tag(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    key = policy_config(args, TEAM_TAG_SCHEMA)["tagKey"]
    resources = stack_resources(args)
    templates = launch_templates(resources)
    for group in of_type(resources, NODE_GROUP):
        if _group_is_gpu(group, templates) and _untagged(group, key):
            report_violation(f"GPU node group {group.name!r} has no {key!r} tag: its instance-hours count against "
                             "no team budget.", group.urn)
    endpoints = ReferenceIndex(resources, (ENDPOINT,), "endpointConfigName")
    for config in of_type(resources, ENDPOINT_CONFIG):
        if not _config_is_gpu(config):
            continue
        if _untagged(config, key):
            report_violation(f"GPU endpoint configuration {config.name!r} has no {key!r} tag.", config.urn)
        for endpoint in endpoints.referrers(config, ("name", "id", "arn")):
            if _untagged(endpoint, key):
                report_violation(f"Endpoint {endpoint.name!r} runs on GPU instances and has no {key!r} tag: its "
                                 "hosting hours count against no team budget.", endpoint.urn)


gpu_capacity_team_tag = StackValidationPolicy(
    name="gpu-capacity-team-tag",
    description="EKS node groups with GPU instances, and SageMaker endpoints (and their configurations) on GPU "
                "instances, carry the team cost-allocation tag that team budgets filter on.",
    validate=examines((NODE_GROUP, LAUNCH_TEMPLATE, ENDPOINT_CONFIG, ENDPOINT), _validate_team_tag),
    config_schema=TEAM_TAG_SCHEMA,
    severity=Severity.LOW,
    remediation_steps="Tag the node group (and its launch template's instances) and the endpoint with the team "
                      "tag, e.g. team=research, and activate it as a cost-allocation tag; mlinfra stacks: set "
                      "`team` on mlinfra:training.gpuNodeGroups[] and mlinfra:inference.endpoints[].",
    **frameworks({"nist-800-53": "CM-8, PM-3"}),
)


SECURITY: list = []
PRIVACY: list = []
COMPLIANCE = [environment_budget, gpu_capacity_team_tag]
