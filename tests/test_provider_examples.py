"""Programs nobody here wrote: the Python examples in pulumi-aws's own documentation (the docstrings
of the installed SDK's resource classes, generated from the Terraform provider's docs) are planned
offline and reviewed by every pack.

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


def _examples() -> dict[str, str]:
    """``{code: "service/module.py"}`` for each distinct ```python block of the services' resource docs."""
    found: dict[str, str] = {}
    for service in SERVICES:
        for path in sorted((SDK / service).glob("*.py")):
            if path.name.startswith(("_", "get_")):  # data sources and internals: no resource examples
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                    for code in re.findall(r"```python\n(.*?)```", ast.get_docstring(node) or "", re.S):
                        found.setdefault(textwrap.dedent(code), f"{service}/{path.name}")
    return found


EXAMPLES = _examples()


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, str]:
    """What happened to each example: "reviewed", or the one-line message it stopped with."""
    results = {}
    for index, code in enumerate(EXAMPLES):
        project = tmp_path_factory.mktemp(f"example{index}")
        (project / "Pulumi.yaml").write_text("name: example\nruntime: python\n")
        (project / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
        (project / "__main__.py").write_text(code)
        try:
            document = plan(project, "dev")
        except MlinfraError as exc:
            results[code] = str(exc)
            continue
        result = review(resources_from_document(document, "plan"), None, "prod", ROOT)
        assert all(v.message.strip() for v in result.violations), EXAMPLES[code]
        results[code] = "reviewed"
    return results


def test_the_corpus_is_the_providers_documentation():
    assert len(EXAMPLES) > 500
    assert any("aws.sagemaker.Domain(" in code for code in EXAMPLES)


def test_every_example_plans_and_reviews_or_stops_with_one_clear_message(outcomes):
    # Reaching here means no example raised anything but MlinfraError, and no rule raised on any plan.
    reviewed = sum(outcome == "reviewed" for outcome in outcomes.values())
    assert reviewed >= 0.45 * len(EXAMPLES), f"only {reviewed} of {len(EXAMPLES)} examples planned"
    for code, outcome in outcomes.items():
        if outcome != "reviewed":
            assert "\n" not in outcome.strip() or "Missing required configuration" in outcome, (EXAMPLES[code], outcome)
            assert "Traceback" not in outcome
