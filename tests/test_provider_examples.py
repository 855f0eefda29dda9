"""Programs nobody here wrote: the Python examples in pulumi-aws's and pulumi-kubernetes's own
documentation (the docstrings of the installed SDKs' resource classes; pulumi-aws's generated from the
Terraform provider's docs) are planned offline and reviewed by every pack.

Many are fragments (they name resources defined elsewhere, or need values only AWS has); those
must stop with one clear message (``MlinfraError``: the program's failure at its line, a package it
needs), never with an internal error. Every example that plans must review without a rule raising.
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pulumi_aws
import pulumi_kubernetes
import pytest

from mlinfra.errors import MlinfraError
from mlinfra.plan import plan
from mlinfra.review.deployment import resources_from_document
from mlinfra.review.engine import review

ROOT = Path(__file__).resolve().parent.parent
SDK = Path(pulumi_aws.__file__).parent
#: The services an ML platform's programs use most (the ones our components and rules are about).
SERVICES = ("s3", "iam", "kms", "sagemaker", "eks", "ec2", "lambda_", "ecs", "lb", "rds", "dynamodb", "ecr", "efs",
            "secretsmanager", "sns", "sqs", "bedrock", "opensearch", "cloudtrail")


def _examples(sdk: Path, services: tuple[str, ...] | None = None) -> dict[str, str]:
    """``{code: "service/module.py"}`` for each distinct ```python block of the resource docs of
    ``sdk``'s ``services`` (every module when None)."""
    found: dict[str, str] = {}
    paths = (sorted(path for service in services for path in (sdk / service).glob("*.py")) if services
             else sorted(sdk.rglob("*.py")))
    for path in paths:
        if path.name.startswith(("_", "get_")):  # data sources and internals: no resource examples
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                for code in re.findall(r"```python\n(.*?)```", ast.get_docstring(node) or "", re.S):
                    found.setdefault(textwrap.dedent(code), str(path.relative_to(sdk)))
    return found


EXAMPLES = _examples(SDK, SERVICES)
#: pulumi-kubernetes's own examples: workloads, Services, Ingresses, Helm releases, YAML and Kustomize.
KUBERNETES_EXAMPLES = _examples(Path(pulumi_kubernetes.__file__).parent)


def _outcomes(examples: dict[str, str], tmp_path_factory, stack_file: str) -> dict[str, str]:
    """What happened to each example: "reviewed", or the one-line message it stopped with."""
    results = {}
    for index, code in enumerate(examples):
        project = tmp_path_factory.mktemp(f"example{index}")
        (project / "Pulumi.yaml").write_text("name: example\nruntime: python\n")
        (project / "Pulumi.dev.yaml").write_text(stack_file)
        (project / "__main__.py").write_text(code)
        try:
            document = plan(project, "dev")
        except MlinfraError as exc:
            results[code] = str(exc)
            continue
        result = review(resources_from_document(document, "plan"), None, "prod", ROOT)
        assert all(v.message.strip() for v in result.violations), examples[code]
        results[code] = "reviewed"
    return results


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, str]:
    return _outcomes(EXAMPLES, tmp_path_factory, "config:\n  aws:region: us-east-1\n")


def test_the_corpus_is_the_providers_documentation():
    assert len(EXAMPLES) > 500
    assert any("aws.sagemaker.Domain(" in code for code in EXAMPLES)


def test_every_example_plans_and_reviews_or_stops_with_one_clear_message(outcomes):
    # Reaching here means no example raised anything but MlinfraError, and no rule raised on any plan.
    reviewed = sum(outcome == "reviewed" for outcome in outcomes.values())
    assert reviewed >= 0.5 * len(EXAMPLES), f"only {reviewed} of {len(EXAMPLES)} examples planned"
    for code, outcome in outcomes.items():
        if outcome != "reviewed":
            assert "\n" not in outcome.strip(), (EXAMPLES[code], outcome)
            assert "Traceback" not in outcome


def test_kubernetes_examples_plan_and_review_or_stop_with_one_clear_message(tmp_path_factory):
    # Reaching the end means no rule raised on any of them (Kubernetes objects autonamed as the
    # provider names them, a Service's status unknown as in a preview).
    assert len(KUBERNETES_EXAMPLES) > 40
    outcomes = _outcomes(KUBERNETES_EXAMPLES, tmp_path_factory, "config: {}\n")
    reviewed = sum(outcome == "reviewed" for outcome in outcomes.values())
    # Examples whose manifests or kustomizations are files the docs do not ship stop with one line naming
    # the missing file (they planned with no children, unjudged, before kustomize directories were built).
    assert reviewed >= 0.75 * len(KUBERNETES_EXAMPLES), f"only {reviewed} of {len(KUBERNETES_EXAMPLES)} planned"
    for code, outcome in outcomes.items():
        if outcome != "reviewed":
            assert "\n" not in outcome.strip() and "Traceback" not in outcome, (KUBERNETES_EXAMPLES[code], outcome)
