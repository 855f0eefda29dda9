"""WAFv2 web ACLs inspect requests: an ACL that allows by default has rules, every rule has an action, and
the AWS Known Bad Inputs rule group (Log4Shell, CVE-2021-44228, among them) is on and not counted only.

A web ACL's rules are its inline ``rules`` (pulumi-aws 7 ``aws.wafv2.WebAcl``), the JSON ``ruleJson``
(not parsed: an ACL written that way is not judged), and the separate ``aws.wafv2.WebAclRule`` and
``aws.wafv2.WebAclRuleGroupAssociation`` resources whose ``webAclArn`` points at it.

- ``wafv2-web-acl-has-rules``: an ACL whose ``defaultAction`` is ``allow`` has at least one rule (one
  that blocks by default and has none denies everything, which is not an exposure). Checkov CKV_AWS_175.
- ``wafv2-rules-have-actions``: each inline rule of a web ACL or ``aws.wafv2.RuleGroup``, and each
  ``WebAclRule``, names an ``action`` (allow, block, count, captcha, challenge) or, for a rule group
  statement, an ``overrideAction`` (none, count). Checkov CKV_AWS_342.
- ``wafv2-known-bad-inputs``: the ACL runs ``AWSManagedRulesKnownBadInputsRuleSet`` (vendor AWS) with
  ``overrideAction`` ``none`` (count only records matches) and without overriding its ``Log4JRCE*`` rules to
  count or allow. Checkov CKV_AWS_192.
"""

from __future__ import annotations

from typing import Any, Iterator

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies.rules._declare import applies_to, examines, frameworks
from policies.rules._index import ReferenceIndex, of_type, stack_resources
from policies.rules._props import as_list, describe, get, is_unknown, plain, single

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
RULE_GROUP = "aws:wafv2/ruleGroup:RuleGroup"
WEB_ACL_RULE = "aws:wafv2/webAclRule:WebAclRule"
GROUP_ASSOCIATION = "aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation"
ACTIONS = ("allow", "block", "count", "captcha", "challenge")
OVERRIDES = ("none", "count")
KNOWN_BAD_INPUTS = "AWSManagedRulesKnownBadInputsRuleSet"
GROUP_STATEMENTS = ("managedRuleGroupStatement", "ruleGroupReferenceStatement")


def _has_key(block: Any, keys: tuple[str, ...]) -> Any:
    block = single(block)
    if is_unknown(block):
        return None
    return isinstance(block, dict) and any(block.get(key) is not None for key in keys)


def _rule_has_action(rule: dict[str, Any]) -> Any:
    """True/False whether an inline rule names an action; None if it cannot be told (unknown values)."""
    statement = single(rule.get("statement"))
    if is_unknown(statement):
        return None
    action, override = _has_key(rule.get("action"), ACTIONS), _has_key(rule.get("overrideAction"), OVERRIDES)
    if action is None or override is None:
        return None
    if isinstance(statement, dict) and any(statement.get(key) for key in GROUP_STATEMENTS):
        return override or action
    return action


def _inline_rules(props: Any) -> Any:
    rules = as_list(get(props, "rules"))
    return rules if isinstance(rules, list) else None


def _actions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    rules = [plain(args.props)] if args.resource_type == WEB_ACL_RULE else _inline_rules(args.props)
    for index, rule in enumerate(rules or []):
        if not isinstance(rule, dict) or _rule_has_action(rule) is not False:
            continue
        name = rule.get("name")
        where = f"rule {name!r}" if isinstance(name, str) and name else f"rules[{index}]"
        report(f"{describe(args)}: {where} names no action (action allow/block/count/captcha/challenge, or "
               "overrideAction none/count for a rule group): WAF rejects it or the rule does nothing")


wafv2_rules_have_actions = ResourceValidationPolicy(
    name="wafv2-rules-have-actions",
    description="Every WAFv2 rule (web ACL and rule group rules, aws.wafv2.WebAclRule) names an action, or an override "
                "action for a rule group statement.",
    validate=applies_to((WEB_ACL, RULE_GROUP, WEB_ACL_RULE), _actions),
    severity=Severity.MEDIUM,
    remediation_steps="Give each rule action={'block': {}} (or allow, count, captcha, challenge); a rule whose "
                      "statement is a managed or referenced rule group takes override_action={'none': {}}.",
    **frameworks({"nist-800-53": "SC-7, SI-4", "pci-dss": "6.4.2"}),
)


def _acl_rules(acl: PolicyResource, rule_index: ReferenceIndex, groups: ReferenceIndex) -> Iterator[tuple[str, Any]]:
    """(``"inline"``/``"rule"``/``"group"``, rule) for each rule the web ACL runs."""
    for rule in _inline_rules(acl.props) or []:
        yield "inline", rule
    for resource in rule_index.referrers(acl, ("arn",)):
        yield "rule", plain(resource.props)
    for resource in groups.referrers(acl, ("arn",)):
        yield "group", plain(resource.props)


def _indexes(resources: list[PolicyResource]) -> tuple[ReferenceIndex, ReferenceIndex]:
    return (ReferenceIndex(resources, (WEB_ACL_RULE,), "webAclArn"),
            ReferenceIndex(resources, (GROUP_ASSOCIATION,), "webAclArn"))


def _unjudgeable(acl: PolicyResource) -> bool:
    """Rules written as JSON, or not known yet."""
    return get(acl.props, "ruleJson") not in (None, "") or is_unknown(get(acl.props, "rules"))


def _has_rules(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = stack_resources(args)
    acls = of_type(resources, WEB_ACL)
    if not acls:
        return
    rule_index, groups = _indexes(resources)
    for acl in acls:
        if _unjudgeable(acl) or _has_key(get(acl.props, "defaultAction"), ("allow",)) is not True:
            continue
        if next(_acl_rules(acl, rule_index, groups), None) is None:
            report(f"{WEB_ACL} {acl.name!r} allows every request by default and has no rules: it inspects nothing",
                   acl.urn)


wafv2_web_acl_has_rules = StackValidationPolicy(
    name="wafv2-web-acl-has-rules",
    description="A WAFv2 web ACL that allows requests by default has rules (inline, aws.wafv2.WebAclRule or a rule "
                "group association).",
    validate=examines((WEB_ACL, WEB_ACL_RULE, GROUP_ASSOCIATION), _has_rules),
    severity=Severity.MEDIUM,
    remediation_steps="Add rules: at least the AWS managed rule groups AWSManagedRulesCommonRuleSet and "
                      "AWSManagedRulesKnownBadInputsRuleSet (override_action none), and rate-based rules.",
    **frameworks({"nist-800-53": "SC-7, SI-4", "pci-dss": "6.4.2"}),
)


def _overridden_log4j(overrides: Any) -> bool:
    for override in as_list(overrides) if not is_unknown(overrides) else []:
        if not isinstance(override, dict) or not str(override.get("name", "")).startswith("Log4JRCE"):
            continue
        if _has_key(override.get("actionToUse"), ("count", "allow")):
            return True
    return False


def _runs_known_bad_inputs(kind: str, rule: Any) -> Any:
    """True if the rule runs the Known Bad Inputs group in blocking mode; None if it cannot be told."""
    if not isinstance(rule, dict):
        return False
    if kind == "group":
        group = single(rule.get("managedRuleGroup"))
        override = rule.get("overrideAction")
        blocking = override in (None, "") or (isinstance(override, str) and override.lower() == "none")
    else:
        statement = single(rule.get("statement"))
        if is_unknown(statement):
            return None
        group = single(statement.get("managedRuleGroupStatement")) if isinstance(statement, dict) else None
        blocking = not _has_key(rule.get("overrideAction"), ("count",))
    if is_unknown(group) or not isinstance(group, dict):
        return None if is_unknown(group) else False
    name = group.get("name")
    if is_unknown(name):
        return None
    if name != KNOWN_BAD_INPUTS or str(group.get("vendorName", "AWS")) != "AWS":
        return False
    return blocking and not _overridden_log4j(group.get("ruleActionOverrides"))


def _known_bad_inputs(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = stack_resources(args)
    acls = of_type(resources, WEB_ACL)
    if not acls:
        return
    rule_index, groups = _indexes(resources)
    for acl in acls:
        if _unjudgeable(acl):
            continue
        results = [_runs_known_bad_inputs(kind, rule) for kind, rule in _acl_rules(acl, rule_index, groups)]
        if True in results or None in results:
            continue
        report(f"{WEB_ACL} {acl.name!r} does not block known bad inputs (no {KNOWN_BAD_INPUTS} rule with "
               "override_action none, Log4JRCE not counted): Log4Shell (CVE-2021-44228) payloads pass", acl.urn)


wafv2_known_bad_inputs = StackValidationPolicy(
    name="wafv2-known-bad-inputs",
    description="WAFv2 web ACLs run the AWS Known Bad Inputs managed rule group (Log4Shell among them) in blocking "
                "mode.",
    validate=examines((WEB_ACL, WEB_ACL_RULE, GROUP_ASSOCIATION), _known_bad_inputs),
    severity=Severity.HIGH,
    remediation_steps="Add a rule with statement.managed_rule_group_statement={'name': "
                      "'AWSManagedRulesKnownBadInputsRuleSet', 'vendor_name': 'AWS'} and override_action={'none': {}}, "
                      "without rule_action_overrides that count or allow Log4JRCE.",
    **frameworks({"nist-800-53": "SI-10, SC-7, RA-5", "pci-dss": "6.4.2"}),
)

SECURITY = [wafv2_web_acl_has_rules, wafv2_rules_have_actions, wafv2_known_bad_inputs]
PRIVACY: list = []
COMPLIANCE: list = []
