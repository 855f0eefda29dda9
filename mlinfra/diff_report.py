"""Render ``mlinfra diff``: for a terminal, as JSON, as a pull-request comment (markdown), as SARIF.

The markdown is meant to be read in a minute: protected resources that would be deleted first,
one summary line per environment (resources, violations, monthly cost change), then per
environment the details folded (``<details>``): a Mermaid diagram of the components the change
touches with each new violation, the new, fixed and waived violations, and the resources.
SARIF carries only the new violations, so code scanning shows what the pull request brings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from mlinfra.diff import FORMATS, MARKDOWN_MARKER, EnvDiff
from mlinfra.errors import MlinfraError
from mlinfra.graph import change_graph, to_mermaid
from mlinfra.review import ReviewResult, Violation

#: Rows per table in the markdown before the rest is summarised.
MAX_ROWS = 50


def parse_report_option(text: str) -> tuple[str, Path]:
    """``FORMAT=FILE`` of ``--report``."""
    fmt, eq, path = text.partition("=")
    if not eq or not path or fmt not in FORMATS:
        raise MlinfraError(f"--report {text!r}: give FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}")
    return fmt, Path(path)


def render(diffs: Sequence[EnvDiff], fmt: str) -> str:
    renderers = {"text": render_text, "json": render_json, "markdown": render_markdown, "sarif": render_sarif}
    return renderers[fmt](diffs)


def _env(d: EnvDiff) -> str:
    return d.env or "(no environment)"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _detail(v: Violation) -> str:
    if v.description and v.message.startswith(v.description):
        return v.message[len(v.description):].strip() or v.description
    lines = v.message.splitlines()
    return lines[-1] if len(lines) > 1 else v.message


def _waiver_dict(waiver: Any) -> dict[str, Any]:
    if isinstance(waiver, dict):
        return dict(waiver)
    return {"policy": waiver.policy, "resource": waiver.resource, "reason": waiver.reason, "owner": waiver.owner,
            "expires": waiver.expires.isoformat()}


def _money(value: float, currency: str) -> str:
    symbol = "$" if currency == "USD" else f"{currency} "
    sign = "+" if value > 0 else ("-" if value < 0 else "±")
    return f"{sign}{symbol}{abs(value):,.2f}"


def cost_text(d: EnvDiff) -> str:
    """``+$12.00/month`` (or a range when the minimum and maximum differ); empty without an estimate."""
    if not d.cost:
        return ""
    low, high, currency = d.cost["delta"]["monthlyMin"], d.cost["delta"]["monthlyMax"], d.cost["currency"]
    text = _money(low, currency) if low == high else f"{_money(low, currency)} to {_money(high, currency)}"
    incomplete = "" if d.cost["base"]["complete"] and d.cost["head"]["complete"] else " (some prices unknown)"
    return f"{text}/month{incomplete}"


def summary_line(d: EnvDiff) -> str:
    resources = (f"+{len(d.added)} ~{len(d.changed)} -{len(d.removed)} resources"
                 if d.added or d.changed or d.removed else "no resource changes")
    violations = (f"{len(d.new)} new ({d.new_mandatory} mandatory), {len(d.fixed)} fixed, "
                  f"{len(d.unchanged)} unchanged, {len(d.waived)} waived violations")
    cost = cost_text(d)
    return "; ".join(filter(None, [resources, violations, f"cost {cost}" if cost else ""]))


# --------------------------------------------------------------------------------------------- text

def _violation_lines(label: str, v: Violation) -> list[str]:
    return [f"  {label:<10} {v.enforcement_level.upper():<9} [{v.severity}] {v.pack}/{v.policy}",
            f"             {v.resource_type} {v.resource_name}", f"             {_detail(v)}"]


def render_text(diffs: Sequence[EnvDiff]) -> str:
    lines: list[str] = []
    for d in diffs:
        lines.append(f"Diff of {_env(d)}: {d.base.label} -> {d.head.label}")
        for r in d.protected_deletes:
            lines.append(f"  !! PROTECTED RESOURCE WOULD BE DELETED: {r.type} {r.name} ({r.urn})")
        for r in d.added:
            lines.append(f"  + {r.type} {r.name}")
        for c in d.changed:
            lines.append(f"  ~ {c.type} {c.name}: {', '.join(c.paths)}")
        for r in d.removed:
            lines.append(f"  - {r.type} {r.name}")
        for v in d.new:
            lines += _violation_lines("NEW", v)
        for v in d.fixed:
            lines += _violation_lines("FIXED", v)
        for v, waiver in d.waived:
            w = _waiver_dict(waiver)
            lines += _violation_lines("WAIVED", v)
            lines.append(f"             waived until {w.get('expires')} by {w.get('owner')}: {w.get('reason')}")
        for waiver in d.unused_waivers:
            w = _waiver_dict(waiver)
            lines.append(f"  UNUSED WAIVER {w['policy']} on {w['resource']} (owner {w['owner']}): delete it")
        lines.append(f"  {summary_line(d)}")
        lines.append("")
    total = sum(d.new_mandatory for d in diffs)
    lines.append(f"{_plural(total, 'new mandatory violation')} in {_plural(len(diffs), 'environment')}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------- json

def _v(v: Violation) -> dict[str, Any]:
    return {"pack": v.pack, "policy": v.policy, "enforcementLevel": v.enforcement_level, "severity": v.severity,
            "urn": v.urn, "resourceType": v.resource_type, "resourceName": v.resource_name, "message": v.message}


def _r(r: Any) -> dict[str, Any]:
    return {"urn": r.urn, "type": r.type, "name": r.name, "protect": r.protect}


def as_dict(diffs: Sequence[EnvDiff]) -> dict[str, Any]:
    environments = []
    for d in diffs:
        item: dict[str, Any] = {
            "env": d.env, "base": d.base.label, "head": d.head.label,
            "resources": {"protectedDeletes": [_r(r) for r in d.protected_deletes], "added": [_r(r) for r in d.added],
                          "changed": [{"urn": c.urn, "type": c.type, "name": c.name, "paths": c.paths}
                                      for c in d.changed],
                          "removed": [_r(r) for r in d.removed]},
            "violations": {"new": [_v(v) for v in d.new], "fixed": [_v(v) for v in d.fixed],
                           "unchanged": [_v(v) for v in d.unchanged],
                           "waived": [{**_v(v), "waiver": _waiver_dict(w)} for v, w in d.waived]},
            "unusedWaivers": [_waiver_dict(w) for w in d.unused_waivers],
            "summary": {"added": len(d.added), "changed": len(d.changed), "removed": len(d.removed),
                        "protectedDeletes": len(d.protected_deletes), "new": len(d.new),
                        "newMandatory": d.new_mandatory, "fixed": len(d.fixed), "unchanged": len(d.unchanged),
                        "waived": len(d.waived)},
        }
        if d.cost:
            item["cost"] = d.cost
        environments.append(item)
    return {"environments": environments,
            "summary": {"newMandatory": sum(d.new_mandatory for d in diffs),
                        "new": sum(len(d.new) for d in diffs), "fixed": sum(len(d.fixed) for d in diffs),
                        "protectedDeletes": sum(len(d.protected_deletes) for d in diffs)}}


def render_json(diffs: Sequence[EnvDiff]) -> str:
    return json.dumps(as_dict(diffs), indent=2) + "\n"


# ----------------------------------------------------------------------------------------- markdown

def _cell(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def _table(header: Sequence[str], rows: list[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows[:MAX_ROWS]]
    if len(rows) > MAX_ROWS:
        lines.append(f"| … and {len(rows) - MAX_ROWS} more |" + " |" * (len(header) - 1))
    return lines + [""]


def _violation_rows(violations: Sequence[Violation]) -> list[Sequence[str]]:
    return [(v.enforcement_level, v.severity, f"`{v.pack}/{v.policy}`", f"`{v.resource_type}` `{v.resource_name}`",
             _detail(v)) for v in violations]


def diagram(d: EnvDiff) -> str:
    """The Mermaid diagram of the components ``d`` touches, with its new violations."""
    labels = [(f"{'⛔' if v.mandatory else '⚠️'} {v.policy}\n{v.resource_name}", v.urn) for v in d.new]
    return to_mermaid(change_graph(d.base.resources, d.head.resources, d.statuses, labels))


def _status(diffs: Sequence[EnvDiff]) -> str:
    if any(d.new_mandatory or d.protected_deletes for d in diffs):
        return "❌"
    return "⚠️" if any(d.new for d in diffs) else "✅"


def render_markdown(diffs: Sequence[EnvDiff]) -> str:
    total = sum(d.new_mandatory for d in diffs)
    lines = [MARKDOWN_MARKER,
             f"### {_status(diffs)} Plan diff: {_plural(total, 'new mandatory violation')}, "
             f"{_plural(sum(len(d.fixed) for d in diffs), 'fixed violation')}", ""]
    deletes = [(d, r) for d in diffs for r in d.protected_deletes]
    if deletes:
        lines.append(f"> [!CAUTION]\n> **{_plural(len(deletes), 'protected resource')} would be deleted** "
                     "(`pulumi up` refuses until `protect` is removed):")
        lines += [f"> - {_env(d)}: `{r.type}` `{r.name}`" for d, r in deletes]
        lines.append("")
    lines += [f"- **{_env(d)}**: {summary_line(d)}" for d in diffs]
    lines.append("")
    for d in diffs:
        lines += [f"<details><summary><b>{_env(d)}</b>: {_cell(d.base.label)} → {_cell(d.head.label)}</summary>", ""]
        if d.statuses or d.new:
            lines += ["```mermaid", diagram(d).rstrip("\n"), "```", ""]
        if d.new:
            lines += [f"**New violations ({len(d.new)})**", ""]
            lines += _table(("Level", "Severity", "Policy", "Resource", "Message"), _violation_rows(d.new))
        if d.fixed:
            lines += [f"**Fixed violations ({len(d.fixed)})**", ""]
            lines += _table(("Level", "Severity", "Policy", "Resource", "Message"), _violation_rows(d.fixed))
        if d.waived:
            lines += [f"**Waived violations ({len(d.waived)})**", ""]
            lines += _table(("Policy", "Resource", "Owner", "Expires", "Reason"), [
                (f"`{v.pack}/{v.policy}`", f"`{v.resource_type}` `{v.resource_name}`", w.get("owner", ""),
                 str(w.get("expires", "")), w.get("reason", "")) for v, w in
                ((v, _waiver_dict(w)) for v, w in d.waived)])
        if d.unused_waivers:
            lines += [f"**Waivers that match nothing ({len(d.unused_waivers)}): delete them**", ""]
            lines += _table(("Policy", "Resource", "Owner", "Expires"), [
                (w["policy"], f"`{w['resource']}`", w["owner"], str(w["expires"]))
                for w in map(_waiver_dict, d.unused_waivers)])
        rows = ([("added", f"`{r.type}`", f"`{r.name}`", "") for r in d.added]
                + [("changed", f"`{c.type}`", f"`{c.name}`", ", ".join(f"`{p}`" for p in c.paths)) for c in d.changed]
                + [("removed" + (" (protected)" if r.protect else ""), f"`{r.type}`", f"`{r.name}`", "")
                   for r in d.removed])
        if rows:
            lines += [f"**Resources ({len(rows)})**", ""]
            lines += _table(("Change", "Type", "Name", "Changed inputs"), rows)
        if not (rows or d.new or d.fixed or d.waived or d.unused_waivers):
            lines += ["No change.", ""]
        lines += ["</details>", ""]
    return "\n".join(lines).rstrip() + "\n"


# -------------------------------------------------------------------------------------------- sarif

def as_sarif(diffs: Sequence[EnvDiff]) -> dict[str, Any]:
    """SARIF 2.1.0 of the new violations only: per environment, one run per pack of the head review."""
    from mlinfra.report import SARIF_SCHEMA
    from mlinfra.report import as_sarif as review_sarif

    runs = []
    for d in diffs:
        head = d.head.result
        result = ReviewResult(packs=head.packs, violations=list(d.new), resources=head.resources, env=d.env,
                              enforcement=head.enforcement)
        result.source = _source(d)
        for run in review_sarif(result)["runs"]:
            run["automationDetails"]["id"] = run["automationDetails"]["id"].replace("mlinfra-review/", "mlinfra-diff/")
            runs.append(run)
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": runs}


def _source(d: EnvDiff) -> str:
    # Code scanning needs a file of the repository for every result: the environment's stack file.
    if d.env:
        return f"stacks/Pulumi.{d.env}.yaml"
    return d.head.result.source or d.head.label


def render_sarif(diffs: Sequence[EnvDiff]) -> str:
    return json.dumps(as_sarif(diffs), indent=2) + "\n"
