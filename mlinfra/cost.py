"""The offline monthly cost estimate of a deployment: what the plan declares, priced per hour.

``estimate(deployment, prices)`` reads a deployment (a ``pulumi stack export`` v3 or ``pulumi
preview --json`` document, an mlinfra plan, or resources already read) and prices, per month of
``HOURS_PER_MONTH`` hours:

- EKS managed node groups: instance-hours at the group's minimum and at its maximum size, GPU and
  CPU groups apart (the first instance type listed, else the launch template's; a spot group at the
  on-demand price, as a ceiling);
- SageMaker real-time endpoints: each production (and shadow) variant's instances, at the
  autoscaling target's minimum and maximum capacity when there is one, else its initial instance
  count;
- NAT gateways, interface VPC endpoints (one hourly charge per subnet, i.e. per zone) and EKS
  control planes (standard support);
- SageMaker monitoring schedules: runs per month from the schedule expression times the job's
  instances and its maximum runtime (``stoppingCondition.maxRuntimeInSeconds``, else one hour).

Hourly charges only: data processed, requests, storage and transfer are not in the estimate. A
price the table does not know is shown as unknown and left out of the totals, which then say so;
it is never counted as zero. The result is JSON-able (``Estimate.as_dict``) and has a total, so a
pull request can compare two plans (``compare``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

from catalog.prices import PriceFileError, PriceTable, prices_with
from catalog.gpu import GPU_INSTANCE_TYPES
from mlinfra.errors import MlinfraError

HOURS_PER_MONTH = 730
#: Runtime assumed for a monitoring job whose definition gives no maximum (SageMaker's default is 1 hour).
DEFAULT_MONITORING_RUNTIME_SECONDS = 3600
FORMATS = ("text", "json", "markdown")
MARKDOWN_MARKER = "<!-- mlinfra-cost-estimate -->"

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
SCALING_TARGET = "aws:appautoscaling/target:Target"
MONITORING_SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
#: Monitoring job definitions a schedule names (pulumi-aws's, and aws-native's CloudFormation-shaped
#: ones, which name themselves ``jobDefinitionName``/``jobDefinitionArn``).
JOB_DEFINITION_TYPES = ("aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
                        "aws-native:sagemaker:DataQualityJobDefinition",
                        "aws-native:sagemaker:ModelQualityJobDefinition",
                        "aws-native:sagemaker:ModelBiasJobDefinition",
                        "aws-native:sagemaker:ModelExplainabilityJobDefinition")
_GPU_FAMILY = re.compile(r"^(p\d+[a-z0-9-]*|g\d+[a-z]*|gr\d+)\.")

#: Categories in report order, with their heading.
CATEGORIES = {
    "gpu-node-group": "GPU node groups", "cpu-node-group": "CPU node groups", "endpoint": "Inference endpoints",
    "monitoring-schedule": "Monitoring schedules", "nat-gateway": "NAT gateways",
    "interface-endpoint": "Interface endpoints", "eks-control-plane": "EKS control planes",
}


class CostError(MlinfraError):
    """A prices file or deployment the estimate cannot use (one line, exit code 2)."""


@dataclass(frozen=True)
class Line:
    """One priced item: ``units_min``..``units_max`` of ``item`` for ``hours`` hours each per month."""

    category: str
    resource: str
    item: str
    hourly: Optional[float]
    units_min: float
    units_max: float
    hours: float = HOURS_PER_MONTH
    note: str = ""

    @property
    def known(self) -> bool:
        return self.hourly is not None

    @property
    def monthly_min(self) -> Optional[float]:
        return None if self.hourly is None else round(self.hourly * self.units_min * self.hours, 2)

    @property
    def monthly_max(self) -> Optional[float]:
        return None if self.hourly is None else round(self.hourly * self.units_max * self.hours, 2)

    def as_dict(self) -> dict[str, Any]:
        return {"category": self.category, "resource": self.resource, "item": self.item,
                "hourlyPrice": self.hourly, "unitsMin": self.units_min, "unitsMax": self.units_max,
                "hoursPerMonth": self.hours, "monthlyMin": self.monthly_min, "monthlyMax": self.monthly_max,
                "note": self.note}


@dataclass(frozen=True)
class Estimate:
    """The monthly estimate: its lines, totals over the known prices, and the assumptions behind them."""

    lines: tuple[Line, ...]
    currency: str
    price_region: str
    deployment_regions: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]
    hours_per_month: int = HOURS_PER_MONTH
    assumptions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total_min(self) -> float:
        return round(sum(line.monthly_min or 0.0 for line in self.lines if line.known), 2)

    @property
    def total_max(self) -> float:
        return round(sum(line.monthly_max or 0.0 for line in self.lines if line.known), 2)

    @property
    def unknown(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if not line.known)

    @property
    def complete(self) -> bool:
        """True when every line has a price, so the totals are the whole estimate."""
        return not self.unknown

    def category_totals(self) -> dict[str, dict[str, Any]]:
        totals: dict[str, dict[str, Any]] = {}
        for line in self.lines:
            entry = totals.setdefault(line.category, {"monthlyMin": 0.0, "monthlyMax": 0.0, "unknown": 0})
            if line.known:
                entry["monthlyMin"] = round(entry["monthlyMin"] + (line.monthly_min or 0.0), 2)
                entry["monthlyMax"] = round(entry["monthlyMax"] + (line.monthly_max or 0.0), 2)
            else:
                entry["unknown"] += 1
        return {c: totals[c] for c in CATEGORIES if c in totals}

    def as_dict(self) -> dict[str, Any]:
        """The JSON report: totals, per-category totals, lines, assumptions and price sources."""
        return {
            "currency": self.currency,
            "total": {"monthlyMin": self.total_min, "monthlyMax": self.total_max, "complete": self.complete,
                      "unknownPrices": len(self.unknown)},
            "categories": self.category_totals(),
            "lines": [line.as_dict() for line in self.lines],
            "assumptions": {"hoursPerMonth": self.hours_per_month, "priceRegion": self.price_region,
                            "deploymentRegions": list(self.deployment_regions), "notes": list(self.assumptions)},
            "prices": [{"source": source, "asOf": as_of} for source, as_of in self.sources],
        }


# --------------------------------------------------------------------------------------------- input

def _get(props: Any, *path: Any) -> Any:
    for key in path:
        if isinstance(props, Mapping):
            props = props.get(key)
        elif isinstance(props, list) and isinstance(key, int) and -len(props) <= key < len(props):
            props = props[key]
        else:
            return None
    return props


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _number(value: Any) -> Optional[float]:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _lookup(table: Mapping[str, Any], key: Any) -> Any:
    """``table[key]`` for a string key, else None (odd values never raise)."""
    return table.get(key) if isinstance(key, str) else None


def _props(resource: Any) -> dict[str, Any]:
    """Outputs over inputs: a real export's outputs hold resolved values the inputs may lack."""
    return {**(resource.outputs or {}), **(resource.inputs or {})}


def _name(resource: Any) -> str:
    return resource.urn.split("::", 3)[-1]


def resources_of(deployment: Any) -> list[Any]:
    """The resources of a deployment document (export v3, preview JSON) or of a list already read."""
    from mlinfra.review import Resource, resources_from_document

    if isinstance(deployment, Sequence) and not isinstance(deployment, (str, bytes)):
        if all(isinstance(r, Resource) for r in deployment):
            return list(deployment)
    return resources_from_document(deployment, "deployment")


def is_gpu_type(instance_type: Any) -> bool:
    return isinstance(instance_type, str) and (instance_type in GPU_INSTANCE_TYPES
                                               or bool(_GPU_FAMILY.match(instance_type)))


# ------------------------------------------------------------------------------------------ pricing

def _node_group_lines(resources: list[Any], prices: PriceTable) -> list[Line]:
    templates = {}
    for template in (r for r in resources if r.type == LAUNCH_TEMPLATE):
        props = _props(template)
        for key in ("id", "name"):
            if isinstance(props.get(key), str):
                templates[props[key]] = props
    lines = []
    for group in (r for r in resources if r.type == NODE_GROUP):
        props = _props(group)
        types = [t for t in _list(props.get("instanceTypes")) if isinstance(t, str)]
        template = _lookup(templates, _get(props, "launchTemplate", "id")) or _lookup(
            templates, _get(props, "launchTemplate", "name")) or {}
        if not types:
            types = [t for t in [template.get("instanceType")] if isinstance(t, str)]
        item = types[0] if types else "(instance type not known)"
        low = _number(_get(props, "scalingConfig", "minSize"))
        high = _number(_get(props, "scalingConfig", "maxSize"))
        notes = []
        if _get(template, "capacityReservationSpecification", "capacityReservationTarget"):
            notes.append("launches into a capacity reservation, which is billed whether used or not")
        if len(types) > 1:
            notes.append(f"priced as {types[0]}, the first of {', '.join(types)}")
        if str(props.get("capacityType", "")).upper() == "SPOT":
            notes.append("spot: on-demand price shown as a ceiling")
        if low is None or high is None:
            notes.append("scaling sizes not known")
        ami = props.get("amiType") if isinstance(props.get("amiType"), str) else ""
        gpu = is_gpu_type(item) or "NVIDIA" in ami or "GPU" in ami
        lines.append(Line("gpu-node-group" if gpu else "cpu-node-group", _name(group), item,
                          prices.hourly("ec2", item) if types and low is not None and high is not None else None,
                          low or 0.0, high if high is not None else (low or 0.0), note="; ".join(notes)))
    return lines


def _endpoint_lines(resources: list[Any], prices: PriceTable) -> list[Line]:
    configs: dict[str, dict[str, Any]] = {}
    for config in (r for r in resources if r.type == ENDPOINT_CONFIG):
        props = _props(config)
        for key in ("name", "id", "arn", "jobDefinitionName", "jobDefinitionArn"):
            if isinstance(props.get(key), str):
                configs[props[key]] = props
    targets: dict[str, dict[str, Any]] = {}
    for target in (r for r in resources if r.type == SCALING_TARGET):
        props = _props(target)
        if props.get("serviceNamespace", "sagemaker") == "sagemaker" and isinstance(props.get("resourceId"), str):
            targets[props["resourceId"]] = props
    lines = []
    for endpoint in (r for r in resources if r.type == ENDPOINT):
        props = _props(endpoint)
        name = props.get("name") if isinstance(props.get("name"), str) else _name(endpoint)
        config = _lookup(configs, props.get("endpointConfigName"))
        if config is None:
            lines.append(Line("endpoint", _name(endpoint), "(endpoint configuration not in the deployment)",
                              None, 0, 0))
            continue
        variants = [(v, "") for v in _list(config.get("productionVariants"))]
        variants += [(v, "shadow variant; ") for v in _list(config.get("shadowProductionVariants"))]
        for variant, kind in variants:
            if not isinstance(variant, Mapping):
                continue
            instance_type = variant.get("instanceType")
            variant_name = variant.get("variantName", "")
            if variant.get("serverlessConfig") or not isinstance(instance_type, str):
                lines.append(Line("endpoint", f"{_name(endpoint)}/{variant_name}", "(serverless: per-request price)",
                                  None, 0, 0, note="serverless inference is billed per request and duration"))
                continue
            initial = _number(variant.get("initialInstanceCount")) or 1.0
            target = targets.get(f"endpoint/{name}/variant/{variant_name}")
            instance_type = instance_type if isinstance(instance_type, str) else "(instance type not known)"
            low = _number(_get(target, "minCapacity")) if target else None
            high = _number(_get(target, "maxCapacity")) if target else None
            note = kind + ("autoscaling min..max" if target else "no autoscaling: initial instance count")
            lines.append(Line("endpoint", f"{_name(endpoint)}/{variant_name}", instance_type,
                              prices.hourly("sagemakerHosting", instance_type),
                              low if low is not None else initial, high if high is not None else initial, note=note))
    return lines


def runs_per_month(expression: Any, hours_per_month: int = HOURS_PER_MONTH) -> Optional[float]:
    """Runs per month of a SageMaker monitoring ``cron(...)`` expression (hourly or daily forms); None if
    the expression is not one of those (SageMaker accepts ``cron(0 * ? * * *)``, ``cron(0 H ? * * *)``,
    ``cron(0 H/N ? * * *)`` and lists of hours)."""
    match = re.fullmatch(r"\s*cron\((.*)\)\s*", expression) if isinstance(expression, str) else None
    if not match:
        return None
    fields = match.group(1).split()
    if len(fields) != 6 or any(f not in ("*", "?") for f in fields[2:]):
        return None
    minute, hour = fields[0], fields[1]
    if not minute.isdigit():
        return None
    days = hours_per_month / 24
    if hour == "*":
        return float(hours_per_month)
    if re.fullmatch(r"(\d+|\*)/\d+", hour):
        start, step = (0 if p == "*" else int(p) for p in hour.split("/"))
        return days * len(range(start, 24, step)) if step > 0 else None
    if re.fullmatch(r"\d+(,\d+)*", hour):
        return days * len(set(hour.split(",")))
    return None


def _monitoring_lines(resources: list[Any], prices: PriceTable, hours: int) -> list[Line]:
    definitions: dict[str, dict[str, Any]] = {}
    for definition in (r for r in resources if r.type in JOB_DEFINITION_TYPES):
        props = _props(definition)
        for key in ("name", "id", "arn", "jobDefinitionName", "jobDefinitionArn"):
            if isinstance(props.get(key), str):
                definitions[props[key]] = props
    lines = []
    for schedule in (r for r in resources if r.type == MONITORING_SCHEDULE):
        config = _get(_props(schedule), "monitoringScheduleConfig") or {}
        runs = runs_per_month(_get(config, "scheduleConfig", "scheduleExpression"), hours)
        definition = _lookup(definitions, _get(config, "monitoringJobDefinitionName"))
        cluster = _get(definition, "jobResources", "clusterConfig") or {}
        instance_type = cluster.get("instanceType") if isinstance(cluster, Mapping) else None
        count = _number(_get(cluster, "instanceCount")) or 1.0
        runtime = _number(_get(definition, "stoppingCondition", "maxRuntimeInSeconds"))
        notes = [f"{runs:g} runs a month" if runs is not None else "schedule not understood",
                 f"{(runtime or DEFAULT_MONITORING_RUNTIME_SECONDS) / 3600:g} h a run"
                 + ("" if runtime else " (assumed)")]
        known = runs is not None and isinstance(instance_type, str)
        run_hours = (runs or 0.0) * (runtime or DEFAULT_MONITORING_RUNTIME_SECONDS) / 3600
        lines.append(Line("monitoring-schedule", _name(schedule),
                          instance_type if isinstance(instance_type, str) else "(job definition not in the deployment)",
                          prices.hourly("sagemakerProcessing", instance_type) if known else None,
                          count, count, hours=round(run_hours, 2), note="; ".join(notes)))
    return lines


def _service_lines(resources: list[Any], prices: PriceTable) -> list[Line]:
    lines = []
    for resource in resources:
        props = _props(resource)
        if resource.type == NAT_GATEWAY:
            if props.get("connectivityType", "public") == "public":
                lines.append(Line("nat-gateway", _name(resource), "NAT gateway-hour",
                                  prices.hourly("services", "natGateway"), 1, 1))
        elif resource.type == EKS_CLUSTER:
            lines.append(Line("eks-control-plane", _name(resource), "EKS cluster-hour (standard support)",
                              prices.hourly("services", "eksControlPlane"), 1, 1))
        elif resource.type == VPC_ENDPOINT and props.get("vpcEndpointType") == "Interface":
            subnets = props.get("subnetIds") if isinstance(props.get("subnetIds"), list) else []
            zones = max(len(subnets), 1)
            lines.append(Line("interface-endpoint", _name(resource), "interface endpoint-hour per zone",
                              prices.hourly("services", "interfaceEndpointPerAz"), zones, zones,
                              note=f"{zones} zone(s)" if subnets else "subnets not known: 1 zone assumed"))
    return lines


def _regions(resources: list[Any]) -> tuple[str, ...]:
    found = []
    for resource in resources:
        if resource.type == "pulumi:providers:aws":
            region = _props(resource).get("region")
            if isinstance(region, str) and region not in found:
                found.append(region)
    return tuple(found)


def estimate(deployment: Any, prices: PriceTable, *, hours_per_month: int = HOURS_PER_MONTH) -> Estimate:
    """The monthly estimate of what ``deployment`` declares, priced from ``prices`` (see the module doc)."""
    resources = resources_of(deployment)
    lines = [*_node_group_lines(resources, prices), *_endpoint_lines(resources, prices),
             *_monitoring_lines(resources, prices, hours_per_month), *_service_lines(resources, prices)]
    order = list(CATEGORIES)
    lines.sort(key=lambda line: (order.index(line.category), line.resource))
    lines = [line if line.category == "monitoring-schedule" else replace(line, hours=hours_per_month)
             for line in lines]
    regions = _regions(resources)
    assumptions = [f"{hours_per_month} hours a month; on-demand list prices; hourly charges only (no data "
                   "processing, requests, storage or transfer)",
                   "node groups at their minimum and maximum sizes; endpoints at their autoscaling minimum and "
                   "maximum (else their initial instance count)"]
    other = [r for r in regions if prices.region and r != prices.region]
    if other:
        assumptions.append(f"prices are for {prices.region}; the deployment is in {', '.join(other)}: "
                           "give that region's prices with --prices FILE")
    return Estimate(lines=tuple(lines), currency=prices.currency, price_region=prices.region,
                    deployment_regions=regions, sources=prices.sources, hours_per_month=hours_per_month,
                    assumptions=tuple(assumptions))


def load_price_table(path: Optional[Path]) -> PriceTable:
    """The default prices with ``path``'s replacing them; a bad file is ``CostError`` (exit code 2)."""
    try:
        return prices_with(path)
    except PriceFileError as exc:
        raise CostError(str(exc)) from None


def compare(base: Estimate, head: Estimate) -> dict[str, Any]:
    """The change from ``base`` to ``head`` (JSON-able): minimum and maximum totals and their deltas."""
    return {"currency": head.currency,
            "base": {"monthlyMin": base.total_min, "monthlyMax": base.total_max, "complete": base.complete},
            "head": {"monthlyMin": head.total_min, "monthlyMax": head.total_max, "complete": head.complete},
            "delta": {"monthlyMin": round(head.total_min - base.total_min, 2),
                      "monthlyMax": round(head.total_max - base.total_max, 2)}}


# -------------------------------------------------------------------------------------------- render

def money(value: Optional[float], currency: str = "USD") -> str:
    if value is None:
        return "unknown"
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{symbol}{value:,.2f}"


def hourly_money(value: float, currency: str = "USD") -> str:
    """An hourly price with the digits the price list gives (up to 5 decimals)."""
    symbol = "$" if currency == "USD" else f"{currency} "
    digits = f"{value:.5f}".rstrip("0")
    return f"{symbol}{digits}{'0' * max(0, 2 - len(digits.split('.')[1]))}"


def _units(line: Line) -> str:
    low, high = f"{line.units_min:g}", f"{line.units_max:g}"
    return low if low == high else f"{low}-{high}"


def _range(low: Optional[float], high: Optional[float], currency: str) -> str:
    if low is None or high is None:
        return "unknown"
    return money(low, currency) if low == high else f"{money(low, currency)} - {money(high, currency)}"


def _total(est: Estimate) -> str:
    text = _range(est.total_min, est.total_max, est.currency)
    if est.unknown:
        text += f" + {len(est.unknown)} unknown price{'s' if len(est.unknown) != 1 else ''}"
    return text


def render_text(est: Estimate) -> str:
    lines = [f"Monthly cost estimate (min - max): {_total(est)}", ""]
    for category, heading in CATEGORIES.items():
        found = [line for line in est.lines if line.category == category]
        if not found:
            continue
        lines.append(heading)
        for line in found:
            hourly = "unknown" if line.hourly is None else f"{hourly_money(line.hourly, est.currency)}/h"
            note = f"  ({line.note})" if line.note else ""
            lines.append(f"  {line.resource:<40} {line.item:<34} x{_units(line):<6} {hourly:>12}  "
                         f"{_range(line.monthly_min, line.monthly_max, est.currency)}{note}")
        lines.append("")
    lines.append("Assumptions:")
    lines += [f"  - {a}" for a in est.assumptions]
    lines += [f"  - prices: {source} (as of {as_of})" for source, as_of in est.sources]
    return "\n".join(lines) + "\n"


def render_json(est: Estimate) -> str:
    return json.dumps(est.as_dict(), indent=2) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(est: Estimate, *, heading: str = "###") -> str:
    """A pull-request section: totals per category, the unknown prices, then the assumptions."""
    lines = [MARKDOWN_MARKER, f"{heading} Monthly cost estimate: {_total(est)}", "",
             "| Category | Min | Max | Unknown prices |", "| --- | ---: | ---: | ---: |"]
    for category, entry in est.category_totals().items():
        lines.append(f"| {CATEGORIES[category]} | {money(entry['monthlyMin'], est.currency)} "
                     f"| {money(entry['monthlyMax'], est.currency)} | {entry['unknown']} |")
    lines += ["", "<details><summary>Lines and assumptions</summary>", "",
              "| Resource | Item | Units | Price/h | Month | Note |", "| --- | --- | ---: | ---: | ---: | --- |"]
    for line in est.lines:
        hourly = "unknown" if line.hourly is None else hourly_money(line.hourly, est.currency)
        lines.append(f"| `{_cell(line.resource)}` | {_cell(line.item)} | {_units(line)} | {hourly} "
                     f"| {_range(line.monthly_min, line.monthly_max, est.currency)} | {_cell(line.note)} |")
    lines += [""] + [f"- {_cell(a)}" for a in est.assumptions]
    lines += [f"- prices: {_cell(source)} (as of {as_of})" for source, as_of in est.sources]
    lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def markdown_section(deployment: Any) -> str:
    """The cost section of the review's markdown: ``deployment`` at the repository's prices."""
    return render_markdown(estimate(deployment, load_price_table(None)), heading="####")


def render(est: Estimate, fmt: str) -> str:
    renderers = {"text": render_text, "json": render_json, "markdown": render_markdown}
    if fmt not in renderers:
        raise CostError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    return renderers[fmt](est)


def run_cost(*, project_dir: Path, env: Optional[str], deployment: Optional[Path], prices: Optional[Path],
             fmt: str, output: Optional[Path]) -> int:
    """``mlinfra cost``: plan ``env`` (or read ``deployment``), estimate, print or write; returns 0."""
    table = load_price_table(prices)  # a bad prices file fails before the plan runs
    if deployment is not None:
        from mlinfra.review import load_resources

        resources: Iterable[Any] = load_resources(deployment)
    else:
        from mlinfra.plan import plan

        resources = plan(project_dir, env)
    text = render(estimate(resources, table), fmt)
    if output is None:
        print(text, end="")
    else:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CostError(f"{output}: cannot write the estimate: {exc}") from None
    return 0
