"""Render a policy review: for a terminal, as JSON, as SARIF 2.1.0 for code scanning, or as a PR comment."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

from mlinfra.review.result import PackInfo, PolicyInfo, ReviewResult, Violation

FORMATS = ("text", "json", "sarif", "markdown")

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
MARKDOWN_MARKER = "<!-- mlinfra-policy-review -->"
"""First line of the markdown report, so a CI job can find and update its own PR comment."""

_SARIF_LEVEL = {"mandatory": "error", "advisory": "warning", "remediate": "error", "disabled": "none"}
# GitHub code scanning ranks security alerts by this 0-10 score.
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def render(result: ReviewResult, fmt: str) -> str:
    """The report of ``result`` in ``fmt``: one of ``text``, ``json``, ``sarif``, ``markdown``."""
    renderers: dict[str, Callable[[ReviewResult], str]] = {
        "text": render_text, "json": render_json, "sarif": render_sarif, "markdown": render_markdown,
    }
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    return renderers[fmt](result)


def _policy(result: ReviewResult, pack: str, name: str) -> PolicyInfo | None:
    for info in result.packs:
        if info.name == pack:
            return next((p for p in info.policies if p.name == name), None)
    return None


def _detail(v: Violation) -> str:
    """The rule's own message: the engine prefixes the policy description, which reports show apart."""
    if v.description and v.message.startswith(v.description):
        return v.message[len(v.description):].strip() or v.description
    return v.message


def _summary_line(result: ReviewResult) -> str:
    env = f", env {result.env}" if result.env else ""
    waived = f" ({len(result.waived)} more waived)" if result.waived else ""
    return (f"{result.mandatory} mandatory, {result.advisory} advisory "
            f"violation{'s' if len(result.violations) != 1 else ''}{waived} in {result.resources} resources{env}")


def _not_examined_line(coverage: Any) -> str:
    types = len(coverage.not_examined)
    return (f"Not examined by any rule: {types} resource type{'s' if types != 1 else ''} "
            f"({coverage.resources} resource{'s' if coverage.resources != 1 else ''})")


def _unknown_packs_line(coverage: Any) -> str:
    return (f"Pack{'s' if len(coverage.undeclared_packs) != 1 else ''} {', '.join(coverage.undeclared_packs)} "
            "declare no resource types: what they examined is not known and not counted")


def coverage_dict(coverage: Any) -> dict[str, Any]:
    """The coverage as the JSON report shows it."""
    return {"notExamined": [{"type": t, "resources": n} for t, n in coverage.not_examined.items()],
            "undeclaredPacks": list(coverage.undeclared_packs), "crossCuttingRules": list(coverage.cross_cutting)}


def waiver_dict(waiver: Any) -> dict[str, Any]:
    """A waiver (``mlinfra.waivers.Waiver``, or its dict from a JSON report) as the JSON report shows it."""
    if isinstance(waiver, dict):
        return dict(waiver)
    return {"policy": waiver.policy, "resource": waiver.resource, "reason": waiver.reason, "owner": waiver.owner,
            "expires": waiver.expires.isoformat()}


# --------------------------------------------------------------------------------------------- text

def render_text(result: ReviewResult) -> str:
    packs = ", ".join(f"{p.name}@{p.version}" for p in result.packs) or "no packs"
    lines = [f"Policy review with {packs}", ""]
    for v in result.violations:
        lines.append(f"{v.enforcement_level.upper():<9} [{v.severity}] {v.pack}/{v.policy}")
        lines.append(f"    {v.resource_type} {v.resource_name}")
        lines.append(f"    {v.urn}")
        lines.extend(f"    {line}" for line in v.message.splitlines())
        lines.append("")
    for v, waiver in result.waived:
        w = waiver_dict(waiver)
        lines.append(f"WAIVED    [{v.severity}] {v.pack}/{v.policy} ({v.enforcement_level})")
        lines.append(f"    {v.resource_type} {v.resource_name}")
        lines.append(f"    until {w['expires']}, owner {w['owner']}: {w['reason']}")
        lines.append("")
    for waiver in result.unused_waivers:
        w = waiver_dict(waiver)
        lines.append(f"UNUSED WAIVER {w['policy']} on {w['resource']} (owner {w['owner']}) matches nothing: delete it")
        lines.append("")
    coverage = result.coverage
    if coverage is not None and coverage.not_examined:
        lines.append(f"{_not_examined_line(coverage)}; tags and regions rules still apply:")
        width = max(len(t) for t in coverage.not_examined)
        lines.extend(f"    {t:<{width}}  {n}" for t, n in coverage.not_examined.items())
        lines.append("")
    if coverage is not None and coverage.undeclared_packs:
        lines += [_unknown_packs_line(coverage), ""]
    lines.append(_summary_line(result))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------- json

def _violation_dict(v: Violation) -> dict[str, Any]:
    return {"pack": v.pack, "policy": v.policy, "enforcementLevel": v.enforcement_level, "severity": v.severity,
            "urn": v.urn, "resourceType": v.resource_type, "resourceName": v.resource_name, "message": v.message}


def as_dict(result: ReviewResult) -> dict[str, Any]:
    """The JSON report: packs, violations, waived violations, unused waivers, coverage (the types no rule
    examined) and summary, with exactly the documented keys."""
    report = {
        "packs": [{"name": p.name, "version": p.version} for p in result.packs],
        "violations": [_violation_dict(v) for v in result.violations],
        "waived": [{**_violation_dict(v), "waiver": waiver_dict(w)} for v, w in result.waived],
        "unusedWaivers": [waiver_dict(w) for w in result.unused_waivers],
        "summary": {"resources": result.resources, "mandatory": result.mandatory, "advisory": result.advisory,
                    "waived": len(result.waived)},
    }
    if result.coverage is not None:
        report["coverage"] = coverage_dict(result.coverage)
        report["summary"]["notExamined"] = result.coverage.resources
    return report


def render_json(result: ReviewResult) -> str:
    return json.dumps(as_dict(result), indent=2) + "\n"


# -------------------------------------------------------------------------------------------- sarif

def _sarif_rule(pack: PackInfo, policy: PolicyInfo, level: str) -> dict[str, Any]:
    help_text = policy.remediation_steps or policy.description
    properties: dict[str, Any] = {"tags": sorted({*policy.tags, "policy", pack.name}),
                                  "severity": policy.severity, "policyType": policy.policy_type}
    if policy.severity in _SECURITY_SEVERITY:
        properties["security-severity"] = _SECURITY_SEVERITY[policy.severity]
    if policy.framework:
        properties["framework"] = dict(policy.framework)
    rule: dict[str, Any] = {
        "id": policy.name,
        "name": policy.display_name or policy.name,
        "shortDescription": {"text": policy.description},
        "fullDescription": {"text": policy.description},
        "help": {"text": help_text, "markdown": help_text},
        "defaultConfiguration": {"level": _SARIF_LEVEL[level], "enabled": level != "disabled"},
        "properties": properties,
    }
    if policy.url:
        rule["helpUri"] = policy.url
    return rule


def _sarif_result(v: Violation, rule_index: dict[str, int], source: str | None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [{"fullyQualifiedName": v.urn, "name": v.resource_name, "kind": "resource"}],
        "message": {"text": f"{v.resource_type} {v.resource_name}"},
    }
    if source:
        # Code scanning needs a file; the reviewed deployment (or the stack's config) is the closest one.
        location["physicalLocation"] = {"artifactLocation": {"uri": source, "uriBaseId": "%SRCROOT%"},
                                        "region": {"startLine": 1}}
    result: dict[str, Any] = {
        "ruleId": v.policy,
        "level": _SARIF_LEVEL[v.enforcement_level],
        "message": {"text": f"{_detail(v)} ({v.resource_type} {v.resource_name})"},
        "locations": [location],
        "partialFingerprints": {
            "mlinfraPolicyViolation/v1": hashlib.sha256(f"{v.pack}\0{v.policy}\0{v.urn}".encode()).hexdigest(),
        },
        "properties": {"enforcementLevel": v.enforcement_level, "severity": v.severity, "urn": v.urn},
    }
    if v.policy in rule_index:
        result["ruleIndex"] = rule_index[v.policy]
    return result


def _suppressed(v: Violation, waiver: Any, rule_index: dict[str, int], source: str | None) -> dict[str, Any]:
    """A waived violation: a result with an external suppression (code scanning shows it dismissed)."""
    w = waiver_dict(waiver)
    item = _sarif_result(v, rule_index, source)
    item["suppressions"] = [{"kind": "external", "status": "accepted",
                             "justification": f"{w['reason']} (owner {w['owner']}, expires {w['expires']})"}]
    return item


def as_sarif(result: ReviewResult) -> dict[str, Any]:
    """SARIF 2.1.0: one run per pack, its policies as ``tool.driver.rules``, violations as results;
    waived violations as suppressed results; violations of no pack that ran (an expired waiver) in a
    run of their own."""
    runs = []
    named = {p.name for p in result.packs}
    extra = sorted({v.pack for v in result.violations} - named)
    for name in extra:
        policies = sorted({v.policy for v in result.violations if v.pack == name})
        rule_index = {p: i for i, p in enumerate(policies)}
        runs.append({
            "tool": {"driver": {"name": name, "rules": [
                {"id": p, "name": p, "shortDescription": {"text": p},
                 "defaultConfiguration": {"level": "error", "enabled": True}} for p in policies]}},
            "automationDetails": {"id": f"mlinfra-review/{name}/{result.env or 'default'}/"},
            "invocations": [{"executionSuccessful": True}],
            "results": [_sarif_result(v, rule_index, result.source) for v in result.violations if v.pack == name],
        })
    for pack in result.packs:
        levels = result.enforcement.get(pack.name, {})
        rules = [_sarif_rule(pack, p, levels.get(p.name, p.enforcement_level)) for p in pack.policies]
        rule_index = {p.name: i for i, p in enumerate(pack.policies)}
        driver: dict[str, Any] = {"name": pack.name, "version": pack.version, "rules": rules}
        if pack.description:
            driver["fullDescription"] = {"text": pack.description}
        runs.append({
            "tool": {"driver": driver},
            "automationDetails": {"id": f"mlinfra-review/{pack.name}/{result.env or 'default'}/"},
            "invocations": [{"executionSuccessful": True}],
            "results": [_sarif_result(v, rule_index, result.source) for v in result.violations if v.pack == pack.name]
                       + [_suppressed(v, w, rule_index, result.source) for v, w in result.waived if v.pack == pack.name],
        })
    log: dict[str, Any] = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": runs}
    if result.coverage is not None:
        # SARIF has no place for what was not analyzed; every object may carry a property bag (3.8), and
        # each run says it in a tool notification that viewers show.
        log["properties"] = {"mlinfra": coverage_dict(result.coverage)}
        if result.coverage.not_examined or result.coverage.undeclared_packs:
            text = "; ".join(
                ([f"{_not_examined_line(result.coverage)}: " + ", ".join(
                    f"{t} ({n})" for t, n in result.coverage.not_examined.items())] if result.coverage.not_examined
                 else []) + ([_unknown_packs_line(result.coverage)] if result.coverage.undeclared_packs else []))
            for run in runs:
                run["invocations"][0]["toolExecutionNotifications"] = [{"level": "note", "message": {"text": text}}]
    return log


def render_sarif(result: ReviewResult) -> str:
    return json.dumps(as_sarif(result), indent=2) + "\n"


# ----------------------------------------------------------------------------------------- markdown

def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def render_markdown(result: ReviewResult) -> str:
    """A pull-request comment: a summary line, a table per enforcement level, collapsible details."""
    status = "❌" if result.mandatory else ("⚠️" if result.violations else "✅")
    packs = ", ".join(f"`{p.name}` {p.version}" for p in result.packs) or "none"
    lines = [MARKDOWN_MARKER, f"### {status} Policy review: {_summary_line(result)}", "", f"Packs: {packs}", ""]
    if not result.violations:
        lines.append("No policy violations." if not result.waived else "No policy violations that are not waived.")
    for level in ("mandatory", "advisory"):
        found = [v for v in result.violations if v.enforcement_level == level]
        if not found:
            continue
        lines += [f"#### {level.capitalize()} ({len(found)})", "",
                  "| Policy | Severity | Resource | Message |", "| --- | --- | --- | --- |"]
        lines += [f"| `{v.pack}/{v.policy}` | {v.severity} | `{v.resource_type}` `{_cell(v.resource_name)}` "
                  f"| {_cell(_detail(v))} |" for v in found]
        lines += ["", f"<details><summary>Details of the {len(found)} {level} violation"
                      f"{'s' if len(found) != 1 else ''}</summary>", ""]
        for v in found:
            policy = _policy(result, v.pack, v.policy)
            lines.append(f"- **{v.pack}/{v.policy}** on `{v.urn}`  ")
            lines.append(f"  {_cell(v.message)}  ")
            if policy and policy.remediation_steps:
                lines.append(f"  Remediation: {_cell(policy.remediation_steps)}")
        lines += ["", "</details>", ""]
    if result.waived:
        lines += [f"#### Waived ({len(result.waived)})", "",
                  "| Policy | Level | Resource | Owner | Expires | Reason |", "| --- | --- | --- | --- | --- | --- |"]
        for v, waiver in result.waived:
            w = waiver_dict(waiver)
            lines.append(f"| `{v.pack}/{v.policy}` | {v.enforcement_level} | `{v.resource_type}` "
                         f"`{_cell(v.resource_name)}` | {_cell(w['owner'])} | {w['expires']} | {_cell(w['reason'])} |")
        lines.append("")
    if result.unused_waivers:
        lines += [f"#### Waivers that match nothing ({len(result.unused_waivers)}): delete them", ""]
        lines += [f"- `{w['policy']}` on `{w['resource']}` (owner {_cell(w['owner'])}, expires {w['expires']})"
                  for w in map(waiver_dict, result.unused_waivers)]
        lines.append("")
    coverage = result.coverage
    if coverage is not None and coverage.not_examined:
        lines += [f"<details><summary>{_not_examined_line(coverage)}</summary>", "",
                  "No rule judges these resources' own settings (tags and regions rules still apply).", "",
                  "| Resource type | Resources |", "| --- | --- |"]
        lines += [f"| `{t}` | {n} |" for t, n in coverage.not_examined.items()]
        lines += ["", "</details>", ""]
    if coverage is not None and coverage.undeclared_packs:
        lines += [_unknown_packs_line(coverage) + ".", ""]
    return "\n".join(lines).rstrip() + "\n"
