"""Project-level configuration (``config:`` in Pulumi.yaml, Pulumi 3.44+) applied as the CLI applies it
(sdk/go/common/workspace/project.go ``RewriteShorthandConfigValues`` and ``Project.Validate``; config.go
``mergeConfig`` and ``validateStackConfigValue``), and a project with no stack file planned as a new stack."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mlinfra.errors import MlinfraError
from mlinfra.project import load_stack_config, read_project

ROOT = Path(__file__).resolve().parent.parent


def project(root: Path, config: str, stacks: dict[str, str] | None = None) -> Path:
    (root / "Pulumi.yaml").write_text("name: demo\nruntime: python\n" + textwrap.dedent(config))
    for env, text in (stacks or {}).items():
        (root / f"Pulumi.{env}.yaml").write_text(textwrap.dedent(text))
    return root


def failure(root: Path, env: str = "dev") -> str:
    with pytest.raises(MlinfraError) as err:
        load_stack_config(root, env)
    return str(err.value)


DECLARED = """\
config:
  aws:region: us-west-2
  replicas: 2
  zones: [a, b]
  prefix:
    type: string
    default: data
  tags:
    value: {team: ml}
  size:
    type: integer
"""


def test_shorthand_values_and_declarations_apply_where_the_stack_sets_nothing(tmp_path):
    root = project(tmp_path, DECLARED, {"dev": "config:\n  demo:size: 3\n  demo:replicas: 5\n"})
    assert dict(load_stack_config(root, "dev")) == {
        "demo:size": "3",
        "demo:replicas": "5",  # the stack's own value wins over the project's default
        "aws:region": "us-west-2",  # another namespace's shorthand is a value
        "demo:zones": '["a", "b"]',
        "demo:prefix": "data",
        "demo:tags": '{"team": "ml"}',
    }


def test_a_project_with_no_stack_file_is_a_new_stack_with_the_project_configuration(tmp_path):
    root = project(tmp_path, "config:\n  aws:region: eu-west-1\n  replicas: 2\n")
    assert dict(load_stack_config(root, "anything")) == {"aws:region": "eu-west-1", "demo:replicas": "2"}


def test_with_stack_files_an_unknown_environment_is_still_bad_input(tmp_path):
    root = project(tmp_path, "", {"dev": "config: {}\n"})
    assert failure(root, "prdo") == "unknown environment 'prdo': no Pulumi.prdo.yaml (available: dev)"


def test_a_declared_key_with_no_default_must_be_set_by_the_stack(tmp_path):
    root = project(tmp_path, DECLARED, {"dev": "config:\n  aws:region: us-east-1\n"})
    assert failure(root) == ("Pulumi.dev.yaml: stack 'dev' is missing configuration value 'size', which "
                             "Pulumi.yaml declares with no default: add it under config")
    (tmp_path / "fresh").mkdir()
    fresh = project(tmp_path / "fresh", "config:\n  a:\n    type: string\n  b: {}\n")
    assert failure(fresh) == ("a new stack 'dev': stack 'dev' is missing configuration values 'a', 'b', which "
                              "Pulumi.yaml declares with no default: add it under config")


@pytest.mark.parametrize("value, type_, ok", [
    ("3", "integer", True), ("'3'", "integer", True), ("1.5", "integer", False), ("x", "integer", False),
    ("true", "boolean", True), ("'false'", "boolean", True), ("yes please", "boolean", False),
    ("3", "string", True),  # a plain stack value reaches the check as text, as in the CLI
    ("{a: 1}", "object", True), ("x", "object", False),
])
def test_stack_values_are_checked_against_declared_types(tmp_path, value, type_, ok):
    root = project(tmp_path, f"config:\n  v:\n    type: {type_}\n", {"dev": f"config:\n  demo:v: {value}\n"})
    if ok:
        assert "demo:v" in load_stack_config(root, "dev")
    else:
        assert failure(root).startswith(f"Pulumi.dev.yaml: configuration key 'v' must be of type '{type_}' "
                                        "(Pulumi.yaml), not ")


def test_arrays_are_checked_item_by_item(tmp_path):
    declared = "config:\n  ports:\n    type: array\n    items:\n      type: integer\n"
    good = project(tmp_path, declared, {"dev": "config:\n  demo:ports: [80, '443']\n"})
    assert load_stack_config(good, "dev")["demo:ports"] == json.dumps([80, "443"])
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  demo:ports: [80, http]\n")
    assert failure(tmp_path) == ("Pulumi.dev.yaml: configuration key 'ports' must be of type 'array<integer>' "
                                 "(Pulumi.yaml), not [80, \"http\"]")


def test_a_key_declared_secret_must_be_encrypted_in_the_stack(tmp_path):
    root = project(tmp_path, "config:\n  token:\n    type: string\n    secret: true\n",
                   {"dev": "config:\n  demo:token: plain\n"})
    assert failure(root) == ("Pulumi.dev.yaml: configuration key 'token' must be encrypted, as Pulumi.yaml declares "
                             "it secret (pulumi config set --secret token <value>)")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  demo:token:\n    secure: v1:AAAA\n")
    assert load_stack_config(tmp_path, "dev").secret_keys == {"demo:token"}


@pytest.mark.parametrize("config, message", [
    ("config:\n  a:\n    default: 1\n    value: 2\n", "config 'a': give either 'default' or 'value', not both"),
    ("config:\n  aws:region:\n    default: us-east-1\n", "config 'aws:region': a key of another namespace takes a "
                                                          "'value', not a 'default'"),
    ("config:\n  aws:region:\n    type: string\n    value: x\n", "config 'aws:region': a key of another namespace "
                                                                   "takes a 'value', not a type"),
    ("config:\n  aws:region: {}\n", "config 'aws:region': a key of another namespace must give its 'value'"),
    ("config:\n  a:\n    type: array\n", "config 'a': declares an array but not its items' type ('items: {type: ...}')"),
    ("config:\n  a:\n    type: integer\n    default: x\n", "config 'a': the default 'x' is not of type 'integer'"),
    ("config:\n  a:\n    type: float\n", "config 'a': type 'float' is not one of string, integer, boolean, array, "
                                          "object"),
    ("config:\n  a:\n    team: ml\n", "config 'a': 'team' is not an attribute (allowed: type, description, items, "
                                       "default, value, secret; an object value goes under 'value' or 'default')"),
    ("config: [a]\n", "config must be a mapping of keys to values or declarations, not list"),
    ("config: stacks\nstackConfigDir: other\n", "give the stack folder as stackConfigDir only, not also as config"),
])
def test_a_malformed_declaration_is_one_line_naming_the_key(tmp_path, config, message):
    project(tmp_path, config)
    with pytest.raises(MlinfraError) as err:
        read_project(tmp_path)
    assert str(err.value) == f"Pulumi.yaml: {message}"


def test_a_config_string_is_the_older_spelling_of_stack_config_dir(tmp_path):
    (tmp_path / "settings").mkdir()
    project(tmp_path, "config: settings\n")
    (tmp_path / "settings" / "Pulumi.dev.yaml").write_text("config:\n  demo:a: b\n")
    assert read_project(tmp_path).stack_config_dir == tmp_path / "settings"
    assert dict(load_stack_config(tmp_path, "dev")) == {"demo:a": "b"}


def test_a_program_with_only_pulumi_yaml_plans_and_reviews(tmp_path):
    """The shape of `pulumi new aws-python`: the region in Pulumi.yaml, no stack file."""
    project(tmp_path, "config:\n  pulumi:tags:\n    value:\n      pulumi:template: aws-python\n"
                      "  aws:region: us-west-2\n  bucketCount: 2\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent("""\
        import pulumi, pulumi_aws as aws
        for i in range(pulumi.Config().require_int("bucketCount")):
            aws.s3.Bucket(f"data-{i}", acl="public-read")
        pulumi.export("region", pulumi.Config("aws").require("region"))
    """))
    out = tmp_path / "plan.json"
    planned = subprocess.run([sys.executable, "-m", "mlinfra.cli", "plan", "--project", str(tmp_path), "dev",
                              "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert planned.returncode == 0, planned.stderr
    resources = json.loads(out.read_text())["deployment"]["resources"]
    by_type = {r["type"]: r for r in resources}
    assert sum(r["type"] == "aws:s3/bucket:Bucket" for r in resources) == 2
    assert by_type["pulumi:pulumi:Stack"]["outputs"] == {"region": "us-west-2"}
    assert by_type["pulumi:providers:aws"]["inputs"]["region"] == "us-west-2"
    reviewed = subprocess.run([sys.executable, "-m", "mlinfra.cli", "review", "--deployment", str(out), "--env", "prod",
                               "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert reviewed.returncode == 1, reviewed.stderr
    policies = {v["policy"] for v in json.loads(reviewed.stdout)["violations"]}
    # The public ACL, and prod's region list judging the region Pulumi.yaml gave.
    assert {"s3-bucket-acl-not-public", "allowed-regions"} <= policies, sorted(policies)


def test_yaml_scalars_read_as_the_cli_reads_them(tmp_path):
    """gopkg.in/yaml.v3: yes/no/on/off are text, dates stay text; only true/false are booleans."""
    root = project(tmp_path, "config:\n  reasoning:\n    type: string\n    default: off\n",
                   {"dev": "config:\n  demo:answer: yes\n  demo:since: 2026-01-01\n  demo:flag: TRUE\n"})
    assert dict(load_stack_config(root, "dev")) == {
        "demo:answer": "yes", "demo:since": "2026-01-01", "demo:flag": "true", "demo:reasoning": "off"}


def test_a_missing_key_the_stack_may_import_from_pulumi_esc_says_so(tmp_path):
    root = project(tmp_path, "", {"dev": "environment:\n  - ml/aws-dev\nconfig:\n  aws:region: us-east-1\n"})
    (tmp_path / "__main__.py").write_text("import pulumi\npulumi.Config().require('bucketName')\n")
    assert load_stack_config(root, "dev").environments == ("ml/aws-dev",)
    planned = subprocess.run([sys.executable, "-m", "mlinfra.cli", "plan", "--project", str(tmp_path), "dev"],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert planned.returncode == 2
    assert planned.stderr.strip().endswith("; it may come from the Pulumi ESC environment the stack file imports "
                                           "(ml/aws-dev), which a plan cannot read offline"), planned.stderr
    assert len(planned.stderr.strip().splitlines()) == 1
