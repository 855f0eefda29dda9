"""The offline cost estimate: prices file parsing, what each resource kind costs, unknowns, formats, CLI."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.prices import DEFAULT_PRICES, PriceFileError, default_prices, load_prices, parse_prices
from mlinfra.cost import (HOURS_PER_MONTH, compare, estimate, render, render_markdown, render_text,
                          runs_per_month)

ROOT = Path(__file__).resolve().parent.parent

PRICES = parse_prices({"schema": 1, "region": "us-east-1", "currency": "USD", "asOf": "2025-07", "source": "test",
                       "ec2": {"m7i.large": 0.1, "g6.xlarge": 1.0},
                       "sagemakerHosting": {"ml.m5.large": 0.2},
                       "sagemakerProcessing": {"ml.m5.xlarge": 0.5},
                       "services": {"eksControlPlane": 0.1, "natGateway": 0.05, "interfaceEndpointPerAz": 0.01}},
                      "test-prices")


def _state(type_: str, name: str, inputs: dict, outputs: dict | None = None) -> dict:
    return {"urn": f"urn:pulumi:dev::mlinfra::{type_}::{name}", "type": type_, "custom": True,
            "inputs": inputs, "outputs": outputs or {}}


def _doc(*states: dict) -> dict:
    return {"version": 3, "deployment": {"resources": list(states)}}


def _group(name, types, low, high, **extra):
    return _state("aws:eks/nodeGroup:NodeGroup", name,
                  {"instanceTypes": types, "scalingConfig": {"minSize": low, "maxSize": high}, **extra})


def test_the_repository_prices_parse_and_name_their_source_and_date():
    prices = default_prices()
    assert prices.region == "us-east-1" and prices.currency == "USD"
    ((source, as_of),) = prices.sources
    assert source.startswith(f"catalog/data/{DEFAULT_PRICES.name}: AWS public on-demand list prices")
    assert as_of == "2026-01"
    assert prices.hourly("services", "eksControlPlane") == 0.10
    assert prices.hourly("ec2", "no-such.type") is None
    # Checked against a public AWS Price List extract (tsaol/aws-gpu data/p4d_instances.js and
    # p5_family_all.js, from instances.vantage.sh, 2026-01-21): p4d after the June 2025 cut, to the
    # Price List's precision, and p5 at $55.04 (not its pre-cut $98.32).
    assert prices.hourly("ec2", "p4d.24xlarge") == 21.957642
    assert prices.hourly("ec2", "p5.48xlarge") == 55.04


def test_gpu_and_cpu_node_groups_at_min_and_max():
    est = estimate(_doc(_group("gpu", ["g6.xlarge", "g6.2xlarge"], 0, 4, capacityType="SPOT"),
                        _group("sys", ["m7i.large"], 2, 3)), PRICES)
    gpu, cpu = est.lines
    assert (gpu.category, gpu.item, gpu.monthly_min, gpu.monthly_max) == ("gpu-node-group", "g6.xlarge", 0, 4 * 730)
    assert "first of g6.xlarge, g6.2xlarge" in gpu.note and "spot" in gpu.note
    assert (cpu.category, cpu.monthly_min, cpu.monthly_max) == ("cpu-node-group", 146.0, 219.0)
    assert (est.total_min, est.total_max) == (146.0, 3139.0)
    assert est.complete


def test_a_node_group_takes_its_launch_templates_instance_type():
    template = _state("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"instanceType": "g6.xlarge"}, {"id": "lt-1"})
    group = _state("aws:eks/nodeGroup:NodeGroup", "ng", {"launchTemplate": {"id": "lt-1", "version": "1"},
                                                         "scalingConfig": {"minSize": 1, "maxSize": 1}})
    (line,) = estimate(_doc(template, group), PRICES).lines
    assert (line.category, line.item, line.monthly_max) == ("gpu-node-group", "g6.xlarge", 730.0)


def test_unknown_prices_are_unknown_never_zero():
    est = estimate(_doc(_group("gpu", ["p5.48xlarge"], 0, 2), _group("sys", ["m7i.large"], 1, 1)), PRICES)
    unknown = next(line for line in est.lines if line.item == "p5.48xlarge")
    assert unknown.hourly is None and unknown.monthly_max is None
    assert not est.complete and len(est.unknown) == 1
    assert est.total_max == 73.0
    assert "$73.00 + 1 unknown price" in render_text(est)
    assert est.as_dict()["lines"][0]["monthlyMax"] is None
    assert "| GPU node groups | $0.00 | $0.00 | 1 |" in render_markdown(est)


def test_endpoints_at_autoscaling_min_and_max_else_initial_count():
    config = _state("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "cfg", {
        "productionVariants": [{"variantName": "primary", "instanceType": "ml.m5.large", "initialInstanceCount": 2}]},
        {"name": "cfg-123"})
    endpoint = _state("aws:sagemaker/endpoint:Endpoint", "churn", {"name": "churn", "endpointConfigName": "cfg-123"})
    target = _state("aws:appautoscaling/target:Target", "t", {"resourceId": "endpoint/churn/variant/primary",
                                                            "serviceNamespace": "sagemaker",
                                                            "minCapacity": 2, "maxCapacity": 8})
    (scaled,) = estimate(_doc(config, endpoint, target), PRICES).lines
    assert (scaled.units_min, scaled.units_max, scaled.monthly_max) == (2, 8, 0.2 * 8 * 730)
    (fixed,) = estimate(_doc(config, endpoint), PRICES).lines
    assert (fixed.units_min, fixed.units_max) == (2, 2)
    shadowed = copy.deepcopy(config)
    shadowed["inputs"]["shadowProductionVariants"] = [
        {"variantName": "candidate", "instanceType": "ml.m5.large", "initialInstanceCount": 1}]
    shadow = next(l for l in estimate(_doc(shadowed, endpoint), PRICES).lines if l.resource.endswith("candidate"))
    assert (shadow.resource, shadow.units_max, shadow.note) == (
        "churn/candidate", 1, "shadow variant; no autoscaling: initial instance count")
    # A configuration no endpoint uses costs nothing; an endpoint without its configuration is unknown.
    assert estimate(_doc(config), PRICES).lines == ()
    (missing,) = estimate(_doc(endpoint), PRICES).lines
    assert missing.hourly is None


def test_nat_gateways_interface_endpoints_per_zone_and_eks_control_plane():
    est = estimate(_doc(
        _state("aws:ec2/natGateway:NatGateway", "nat", {}),
        _state("aws:ec2/natGateway:NatGateway", "private-nat", {"connectivityType": "private"}),
        _state("aws:ec2/vpcEndpoint:VpcEndpoint", "sts", {"vpcEndpointType": "Interface", "subnetIds": ["a", "b", "c"]}),
        _state("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {"vpcEndpointType": "Gateway"}),
        _state("aws:eks/cluster:Cluster", "eks", {"version": "1.34"})), PRICES)
    by_category = {line.category: line for line in est.lines}
    assert set(by_category) == {"nat-gateway", "interface-endpoint", "eks-control-plane"}
    assert by_category["nat-gateway"].monthly_max == 36.5
    assert by_category["interface-endpoint"].monthly_max == round(0.01 * 3 * 730, 2)
    assert by_category["eks-control-plane"].monthly_max == 73.0


@pytest.mark.parametrize("expression, runs", [
    ("cron(0 * ? * * *)", 730), ("cron(0 0 ? * * *)", 730 / 24), ("cron(0 */6 ? * * *)", 4 * 730 / 24), ("cron(0 0/12 ? * * *)", 2 * 730 / 24),
    ("cron(0 1,13 ? * * *)", 2 * 730 / 24), ("cron(0 0 ? * MON *)", None), ("NOW", None), (None, None)])
def test_monitoring_schedule_runs_per_month(expression, runs):
    assert runs_per_month(expression) == (None if runs is None else pytest.approx(runs))


def test_monitoring_schedule_priced_by_runs_instances_and_runtime():
    definition = _state("aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition", "dq", {
        "name": "dq", "jobResources": {"clusterConfig": {"instanceCount": 2, "instanceType": "ml.m5.xlarge"}},
        "stoppingCondition": {"maxRuntimeInSeconds": 1800}})
    schedule = _state("aws:sagemaker/monitoringSchedule:MonitoringSchedule", "daily", {"monitoringScheduleConfig": {
        "monitoringJobDefinitionName": "dq", "monitoringType": "DataQuality",
        "scheduleConfig": {"scheduleExpression": "cron(0 0 ? * * *)"}}})
    (line,) = estimate(_doc(definition, schedule), PRICES).lines
    assert line.category == "monitoring-schedule"
    assert line.monthly_max == round(0.5 * 2 * (730 / 24 * 0.5), 2)


def test_the_stacks_estimates_show_assumptions_sources_and_json(stack_deployments):
    est = estimate(stack_deployments["prod"], default_prices())
    data = json.loads(render(est, "json"))
    assert data["assumptions"]["hoursPerMonth"] == HOURS_PER_MONTH
    assert data["prices"][0]["asOf"] == "2026-01"
    assert data["total"]["complete"] is True
    categories = set(data["categories"])
    assert {"gpu-node-group", "cpu-node-group", "endpoint", "nat-gateway", "interface-endpoint",
            "eks-control-plane"} <= categories
    assert len([l for l in est.lines if l.category == "nat-gateway"]) == 3  # prod: one NAT gateway per zone
    h100 = next(l for l in est.lines if l.resource == "prod-training-h100")
    assert "capacity reservation" in h100.note
    assert "730 hours a month" in render_text(est)
    dev = estimate(stack_deployments["dev"], default_prices())
    delta = compare(dev, est)
    assert delta["delta"]["monthlyMax"] == round(est.total_max - dev.total_max, 2) > 0


def test_a_foreign_region_is_named_in_the_assumptions():
    provider = _state("pulumi:providers:aws", "aws", {"region": "eu-west-1"})
    est = estimate(_doc(provider, _group("sys", ["m7i.large"], 1, 1)), PRICES)
    assert any("prices are for us-east-1; the deployment is in eu-west-1" in a for a in est.assumptions)


@pytest.mark.parametrize("doc, message", [
    ({"ec2": {"m7i.large": -1}}, "f.json: ec2.m7i.large = -1: a price cannot be negative"),
    ({"ec2": {"m7i.large": "cheap"}}, "f.json: ec2.m7i.large = 'cheap': must be a price per hour"),
    ({"ec2": []}, "f.json: ec2 must be an object"),
    ({"services": {"natGatway": 1}}, "f.json: services.natGatway is not a known service price"),
    ({"gpu": {}}, "f.json: gpu is not a known key"),
    ({"schema": 2}, "f.json: schema = 2: only schema 1 is supported"),
    ([], "f.json: must be a JSON object"),
])
def test_bad_prices_are_one_clear_message(doc, message):
    with pytest.raises(PriceFileError) as exc:
        parse_prices(doc, "f.json", partial=True)
    assert str(exc.value).startswith(message)


def test_a_full_prices_file_needs_its_region_and_date():
    with pytest.raises(PriceFileError, match="f.json: region is required"):
        parse_prices({"currency": "USD", "asOf": "2025-07"}, "f.json")


def test_malformed_json_file(tmp_path):
    path = tmp_path / "p.json"
    path.write_text("{nope")
    with pytest.raises(PriceFileError, match=r"p.json: not valid JSON: .* at line 1 column 2"):
        load_prices(path)


def _mlinfra(*args):
    return subprocess.run([sys.executable, "-m", "mlinfra.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_cli_cost_with_override_prices_and_deployment(tmp_path):
    plan = tmp_path / "dev.json"
    assert _mlinfra("plan", "dev", "--out", str(plan)).returncode == 0
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"source": "our negotiated rates", "currency": "USD",
                                  "ec2": {"g6.xlarge": None, "m7i.large": 0.05}}))
    result = _mlinfra("cost", "--deployment", str(plan), "--prices", str(prices), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    lines = {line["resource"]: line for line in data["lines"]}
    assert lines["dev-training-l4"]["hourlyPrice"] is None  # set to null: unknown, not zero
    assert lines["dev-training-system"]["hourlyPrice"] == 0.05
    assert data["total"]["complete"] is False
    assert [p["source"].split(":")[0] for p in data["prices"]] == ["catalog/data/aws-prices-us-east-1.json",
                                                                    str(prices)]


@pytest.mark.parametrize("content, message", [
    ('{"ec2": {"m7i.large": -0.1}}', "ec2.m7i.large = -0.1: a price cannot be negative"),
    ("{not json", "not valid JSON"),
])
def test_cli_bad_prices_file_is_one_line_exit_2(tmp_path, content, message):
    prices = tmp_path / "prices.json"
    prices.write_text(content)
    result = _mlinfra("cost", "dev", "--prices", str(prices))
    assert result.returncode == 2
    assert result.stderr.startswith(f"mlinfra: error: {prices}: ") and message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_cli_cost_needs_an_environment_or_a_deployment():
    result = _mlinfra("cost")
    assert result.returncode == 2
    assert "give an environment to plan and estimate (mlinfra cost dev) or --deployment FILE" in result.stderr


def test_the_review_markdown_ends_with_the_cost_section(stack_deployments, tmp_path):
    from mlinfra.review.command import run_review

    plan = tmp_path / "staging.json"
    plan.write_text(json.dumps(stack_deployments["staging"]))
    out = tmp_path / "review.md"
    run_review(project_dir=ROOT, env="staging", deployment=plan, packs=None, fmt="markdown", output=out)
    text = out.read_text()
    review, cost = text.split("<!-- mlinfra-cost-estimate -->")
    assert review.startswith("<!-- mlinfra-policy-review -->")
    total = estimate(stack_deployments["staging"], default_prices())
    assert f"#### Monthly cost estimate: ${total.total_min:,.2f} - ${total.total_max:,.2f}" in cost
    assert "| GPU node groups |" in cost and "730 hours a month" in cost


def test_odd_values_never_crash_the_estimate(stack_deployments):
    import random

    from fuzzing import mutated
    from mlinfra.errors import MlinfraError

    rng = random.Random(14)
    odd = [None, 7, -1, 1.5, "", "x", [], {}, [1, "a"], {"a": 1}, True]
    priced = [r for r in stack_deployments["staging"]["deployment"]["resources"]
              if r["type"].startswith(("aws:eks/", "aws:sagemaker/", "aws:ec2/natGateway", "aws:ec2/vpcEndpoint",
                                       "aws:appautoscaling/", "aws:ec2/launchTemplate"))]
    for _ in range(300):
        doc = {"version": 3, "deployment": {"resources": mutated(priced, rng, odd)}}
        try:
            est = estimate(doc, PRICES)
        except MlinfraError:
            continue  # a malformed resource entry: one-line bad input from the deployment reader
        json.dumps(est.as_dict())
        render_text(est)
        render_markdown(est)
