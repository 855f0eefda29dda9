"""Pulumi YAML programs under the offline plan (mlinfra/yaml_program.py), held against pulumi-yaml's own
rules (pulumi/pulumi-yaml v1.38.1: pkg/pulumiyaml/README.md "Token Resolution", run.go, ast/expr.go)
and against the same program written in Python, which must plan byte for byte the same."""

from __future__ import annotations

import json
import random
import re
import textwrap
from pathlib import Path

import pytest
import yaml as yaml_module
from pulumi.runtime.rpc import UNKNOWN

from mlinfra.errors import MlinfraError
from mlinfra.plan import dumps, plan
from mlinfra.review.deployment import resources_from_document
from mlinfra.review.engine import review
from mlinfra.yaml_program import resolve_function, resolve_resource, to_json
from fuzzing import mutated
from test_cli import assert_bad_input, mlinfra

PROGRAMS = Path(__file__).resolve().parent / "yaml_programs"
ROOT = Path(__file__).resolve().parent.parent


def test_a_yaml_program_plans_exactly_as_the_same_python_program():
    """Config (typed, secret, a list), lookups (long and shorthand fn::invoke, with and without
    ``return``), fn::select/split/join/toJSON, interpolations of outputs, an explicit provider, the
    resource options, a ``get``, and pulumi-aws, pulumi-aws-native and pulumi-kubernetes resources."""
    python = dumps(plan(PROGRAMS / "parity" / "python", "dev"))
    yaml = dumps(plan(PROGRAMS / "parity" / "yaml", "dev"))
    assert yaml == python
    resources = {r["urn"].rsplit("::", 1)[1]: r for r in json.loads(yaml)["deployment"]["resources"]}
    # What the comparison covers could have gone wrong on either side: a few of its values by hand.
    assert resources["database"]["inputs"]["password"]["plaintext"] == '"secret-not-decrypted-offline"'
    assert resources["key"]["protect"] is True and resources["key"]["inputs"]["deletionWindowInDays"] == 30
    assert resources["data"]["inputs"]["tags"] == {"account": "123456789012", "team": "ranking", "zone": "east"}
    assert resources["replica-bucket"]["provider"].startswith("urn:pulumi:dev::parity::pulumi:providers:aws::west::")
    assert resources["imported"]["external"] is True


@pytest.mark.parametrize(("written", "token"), [
    # pkg/pulumiyaml/README.md: "foo:mod:Bar will resolve to itself, then foo:mod/bar:Bar"; "foo:Bar ... then
    # foo:index:Bar, then foo:index/bar:Bar"; a full token only to itself; matched ignoring case (packages.go).
    ("aws:s3:Bucket", "aws:s3/bucket:Bucket"),
    ("aws:s3/bucket:Bucket", "aws:s3/bucket:Bucket"),
    ("aws:iam:role", "aws:iam/role:Role"),
    ("aws:wafv2:WebAcl", "aws:wafv2/webAcl:WebAcl"),
    ("aws:lambda:Function", "aws:lambda/function:Function"),
    ("random:RandomPassword", "random:index/randomPassword:RandomPassword"),
    ("eks:Cluster", "eks:index:Cluster"),
    ("aws-native:s3:Bucket", "aws-native:s3:Bucket"),
    ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:Deployment"),
    ("pulumi:providers:aws", "pulumi:providers:aws"),
])
def test_type_tokens_resolve_as_pulumi_yaml_resolves_them(written, token):
    assert resolve_resource(written).token == token
    if not token.startswith("pulumi:providers:"):
        assert resolve_resource(written).load().__name__ == token.rsplit(":", 1)[1]


@pytest.mark.parametrize(("written", "message"), [
    ("aws:s3:Buckett", "package 'aws' (pulumi_aws) has no such resource"),
    ("aws:Provider", "package 'aws' (pulumi_aws) has no such resource"),  # a provider is pulumi:providers:aws
    ("gcp:storage:Bucket", "the Python SDK of package 'gcp' (pulumi_gcp) is not installed"),
    ("Bucket", "is not a type token"),
    ("aws:s3:x:Bucket", "is not a type token"),
])
def test_unknown_type_tokens_are_named(written, message):
    with pytest.raises(MlinfraError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve_resource(written)


def test_functions_resolve_to_the_token_their_sdk_invokes():
    assert resolve_function("aws:iam:getPolicyDocument") == ("aws:iam/getPolicyDocument:getPolicyDocument",
                                                             "pulumi_aws.iam")
    assert resolve_function("aws:getCallerIdentity") == ("aws:index/getCallerIdentity:getCallerIdentity", "pulumi_aws")
    assert resolve_function("aws:lambda:getFunction") == ("aws:lambda/getFunction:getFunction", "pulumi_aws.lambda_")
    assert resolve_function("aws-native:s3:getBucket") == ("aws-native:s3:getBucket", "pulumi_aws_native.s3")
    with pytest.raises(MlinfraError, match="has no such function"):
        resolve_function("aws:iam:getPolicyDokument")


def test_to_json_is_go_json_marshal():
    """run.go evaluateBuiltinToJSON: encoding/json's Marshal sorts map keys, writes no spaces and
    escapes <, > and & for HTML."""
    assert to_json({"b": [1, True, None], "a": "x<y&z>"}) == '{"a":"x\\u003cy\\u0026z\\u003e","b":[1,true,null]}'
    assert json.loads(to_json({"b": "<&>", "a": {"d": 1.5}})) == {"a": {"d": 1.5}, "b": "<&>"}


def _project(tmp_path: Path, body: str, stack: str = "config:\n  aws:region: us-east-1\n") -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: yamltest\nruntime: yaml\n" + textwrap.dedent(body))
    (tmp_path / "Pulumi.dev.yaml").write_text(stack)
    return tmp_path


def _inputs(project: Path) -> dict[str, dict]:
    return {r["urn"].rsplit("::", 1)[1]: r.get("inputs", {}) for r in plan(project, "dev")["deployment"]["resources"]}


def test_interpolation_escapes_accessors_and_whole_values(tmp_path):
    project = _project(tmp_path, """
        variables:
          settings:
            ports: [443, 8443]
            names: {first: alpha}
            on: true
          port: ${settings.ports[1]}
        resources:
          group:
            type: aws:ec2:SecurityGroup
            properties:
              description: 'literal $${x}, ${settings.names["first"]}, ${settings.on}, ${port}'
              tags:
                letters:
                  fn::join: ["|", {fn::split: ["", "abc"]}]
              ingress:
                - protocol: tcp
                  fromPort: ${port}
                  toPort: ${settings.ports[1]}
                  cidrBlocks: ["10.0.0.0/8"]
        """)
    group = _inputs(project)["group"]
    assert group["tags"] == {"letters": "a|b|c"}  # fn::split with "" splits after each character, as Go's
    assert group["description"] == "literal ${x}, alpha, true, 8443"
    assert group["ingress"][0]["fromPort"] == 8443  # "${x}" alone keeps the value's type
    assert group["ingress"][0]["toPort"] == 8443


def test_main_yaml_is_the_template_when_present_and_its_config_defaults_apply(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: yamltest\nruntime: yaml\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  yamltest:size: '50'\n")
    (tmp_path / "Main.yaml").write_text(textwrap.dedent("""
        config:
          size: {type: Integer}
          zone: {default: us-east-1a}
        resources:
          volume:
            type: aws:ebs:Volume
            properties: {size: "${size}", availabilityZone: "${zone}", encrypted: true}
        """))
    assert _inputs(tmp_path)["volume"] == {"availabilityZone": "us-east-1a", "encrypted": True, "size": 50}


def test_config_types_of_pulumi_yaml_and_of_the_cli(tmp_path):
    project = _project(tmp_path, """
        config:
          zones: {type: array, items: {type: string}}
          sizes: {type: List<Integer>}
          ratio: {type: Number}
          spot: {type: boolean}
        resources:
          group:
            type: aws:autoscaling:Group
            properties:
              availabilityZones: ${zones}
              maxSize: ${sizes[1]}
              minSize: ${sizes[0]}
              tags:
                - {key: ratio, value: "${ratio}", propagateAtLaunch: "${spot}"}
        """, stack="config:\n  yamltest:zones: [us-east-1a]\n  yamltest:sizes: [1, 3]\n  yamltest:ratio: 0.5\n"
                  "  yamltest:spot: true\n")
    group = _inputs(project)["group"]
    assert (group["availabilityZones"], group["minSize"], group["maxSize"]) == (["us-east-1a"], 1, 3)
    assert group["tags"] == [{"key": "ratio", "propagateAtLaunch": True, "value": 0.5}]  # "${x}" alone: typed
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  yamltest:zones: [us-east-1a]\n  yamltest:sizes: {a: 1}\n"
                                              "  yamltest:ratio: 0.5\n  yamltest:spot: true\n")
    with pytest.raises(MlinfraError, match="'sizes' must be of type 'array<integer>'"):
        plan(project, "dev")


def test_a_key_missing_from_a_stack_that_imports_esc_says_where_it_may_come_from(tmp_path):
    # pulumi/workshops' langchain chatbot reads ${db-password} from the ESC environment its stack file imports.
    project = _project(tmp_path, """
        resources:
          b:
            type: aws:s3:Bucket
            properties: {bucket: '${db-name}'}
        """, stack="environment:\n  - chatbot-secrets\nconfig:\n  aws:region: us-east-1\n")
    with pytest.raises(MlinfraError) as error:
        plan(project, "dev")
    assert str(error.value) == (
        "Pulumi.yaml: resources.b.properties: 'db-name' is not a resource, variable or config key of this program; it "
        "may come from the Pulumi ESC environment the stack file imports (chatbot-secrets), which a plan cannot read "
        "offline")
    # Set in the stack file without a declaration in Pulumi.yaml, as Pulumi YAML reads it, it plans.
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n  yamltest:db-name: features\n")
    assert _inputs(project)["b"]["bucket"] == "features"


def test_a_planned_yaml_program_is_reviewed_like_any_other(tmp_path):
    project = _project(tmp_path, """
        resources:
          open:
            type: aws:ec2:SecurityGroup
            properties:
              ingress:
                - {protocol: tcp, fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"]}
        """)
    resources = resources_from_document(plan(project, "dev"), "plan")
    found = {v.policy for v in review(resources, None, "prod", ROOT).violations}
    assert "security-group-no-public-admin-ingress" in found


@pytest.mark.parametrize(("body", "message"), [
    ("resources:\n  b:\n    type: aws:s3:Bucket\n    properties: {versionin: {enabled: true}}\n",
     "resources.b.properties: 'versionin' is not a property of aws:s3/bucket:Bucket (it takes: "),
    ("resources:\n  b:\n    type: aws:s3:Buckett\n", "resources.b: type 'aws:s3:Buckett': package 'aws'"),
    ("resources:\n  b:\n    type: aws:s3:Bucket\n    properties: {bucket: '${c.id}'}\n",
     "resources.b.properties: 'c' is not a resource, variable or config key of this program"),
    ("resources:\n  b:\n    type: aws:s3:Bucket\n    properties: {bucket: '${b.arnn}'}\n",
     "a cycle of references: b -> b"),
    ("resources:\n  a:\n    type: aws:s3:Bucket\n  b:\n    type: aws:s3:Bucket\n    properties: {bucket: '${a.arnn}'}\n",
     "${a.arnn}: aws:s3/bucket:Bucket has no output 'arnn' (it has: "),
    ("variables:\n  v:\n    fn::joinn: [',', [a]]\n", "variables.v: fn::joinn is not a builtin function of Pulumi YAML"),
    ("variables:\n  v: '${w'\n", "unterminated interpolation"),
    ("variables:\n  v:\n    fn::invoke: {function: aws:iam:getPolicyDokument}\n", "has no such function"),
    ("resources:\n  b:\n    type: aws:s3:Bucket\n    options: {dependsOn: [not-a-resource]}\n",
     "dependsOn takes resources"),
    # A builtin's argument checked once known, and named where it was written (run.go's messages):
    ("variables:\n  parts:\n    fn::split: [',', '${b.arn}']\n  pick:\n    fn::select: [5, '${parts}']\n"
     "resources:\n  b: {type: aws:s3:Bucket}\n  c: {type: aws:s3:Bucket, properties: {bucket: '${pick}'}}\n",
     "Pulumi.yaml: variables.pick: fn::select: index 5 is out of range of a list of 1"),
    ("variables:\n  v: {fn::fromBase64: '!!x'}\n", "variables.v: fn::fromBase64: cannot decode '!!x'"),
    ("variables:\n  v: {fn::join: [',', 'abc']}\n", "fn::join: the second argument must be a list, not a string"),
    ("variables:\n  v: {fn::join: [',', [a, 1]]}\n", "fn::join: item 1 must be a string, not a number"),
    ("variables:\n  v: {fn::toBase64: 5}\n", "fn::toBase64: the argument must be a string, not a number"),
    ("variables:\n  v: {fn::length: 5}\n", "fn::length: takes a list, an object or a string, not a number"),
    ("variables:\n  v: {fn::readFile: missing.txt}\n", "variables.v: missing.txt: no such file"),
    ("resources:\n  b: {type: aws:s3:Bucket, options: {provider: '${c}'}}\n  c: {type: aws:s3:Bucket}\n",
     "provider takes providers (a pulumi:providers:<package> resource of this program, as ${name}), not "
     "aws:s3/bucket:Bucket"),
    ("resources:\n  b: {type: aws:s3:Bucket, get: {id: 5}}\n", "resources.b.get: id must be a string"),
    ("variables:\n  v:\n    fn::aws:iam:getPolicyDocument: {statements: true}\n",
     "aws:iam/getPolicyDocument: statements must be a list of objects, not true"),
    ("variables:\n  v:\n    fn::aws:iam:getPolicyDocument: {statements: [{actions: s3:GetObject}]}\n",
     "aws:iam/getPolicyDocument: statements[0].actions must be a list of strings"),
    ("variables:\n  v:\n    fn::invoke: {function: aws:getCallerIdentity, return: [a]}\n",
     "fn::invoke: return must be the name of one result (a string), not a list"),
    ("resources:\n  b: {type: aws:s3:Bucket, options: {additionalSecretOutputs: [[a]]}}\n",
     "resources.b.options: additionalSecretOutputs must be a list of strings, not a list"),
    ("resources:\n  b: {type: aws:s3:Bucket, options: {protect: 'yes'}}\n",
     "resources.b.options: protect must be a boolean, not a string"),
    ("config:\n  size: {type: Integer}\n", "stack 'dev' is missing configuration value 'size'"),
    ("config:\n  size: {type: Integr}\n", "type 'Integr' is not one of String, Integer, Number"),
    ("resources:\n  b:\n    type: aws:iam:RolePolicy\n    properties: {policy: '{}'}\n",
     "resources.b.properties: Missing required property 'role'"),
])
def test_bad_templates_are_one_clear_message(tmp_path, body, message):
    project = _project(tmp_path, body)
    with pytest.raises(MlinfraError) as error:
        plan(project, "dev")
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_a_bad_template_on_the_command_line_exits_2_and_writes_no_plan(tmp_path):
    project = _project(tmp_path, "resources:\n  b:\n    type: aws:s3:Bucket\n    properties: {acll: private}\n")
    out = tmp_path / "plan.json"
    assert_bad_input(mlinfra("plan", "dev", "--project", str(project), "--out", str(out)),
                     "Pulumi.yaml: resources.b.properties: 'acll' is not a property of aws:s3/bucket:Bucket")
    assert not out.exists()


def test_stack_references_components_and_a_whole_properties_expression(tmp_path):
    project = _project(tmp_path, """
        config:
          inputs:
            type: Object
            default: {instanceType: t3.micro, ami: ami-0abcdef1234567890}
        resources:
          network:
            type: pulumi:pulumi:StackReference
            properties: {name: acme/network/prod}
          service:
            type: awsx:ecs:FargateService
            properties:
              networkConfiguration:
                subnets: ['${network.outputs["privateSubnetId"]}']
                assignPublicIp: true
          box:
            type: aws:ec2:Instance
            properties: ${inputs}
        """)
    resources = {r["urn"].rsplit("::", 1)[1]: r for r in plan(project, "dev")["deployment"]["resources"]}
    assert resources["box"]["inputs"] == {"ami": "ami-0abcdef1234567890", "instanceType": "t3.micro"}
    assert resources["network"]["type"] == "pulumi:pulumi:StackReference"
    service = resources["service"]
    assert service["type"] == "awsx:ecs:FargateService" and service["custom"] is False
    # Another stack's output is unknown offline, as under a preview that cannot read that stack.
    assert service["inputs"]["networkConfiguration"]["subnets"] == [UNKNOWN]


def test_fields_match_in_any_case_and_unknown_ones_are_ignored_with_a_warning(tmp_path, capsys):
    """ast/template.go parseRecord: a record's keys match its fields with strings.EqualFold, and a key
    that matches none is a warning (noMatchWarning); the invoke fields likewise (ast/expr.go)."""
    project = _project(tmp_path, """
        Resources:
          my-bucket:
            Type: aws:s3:Bucket
            Properties: {tags: {team: ml}}
            Options: {Protect: true, protekt: false}
            propertys: {acl: public-read}
          reader:
            type: aws:iam:Policy
            properties:
              policy: ${doc.json}
              description: reads ${["my-bucket"].bucket}
        variables:
          doc:
            fn::invoke:
              Function: aws:iam:getPolicyDocument
              Arguments:
                statements: [{actions: ["s3:GetObject"], resources: ['${["my-bucket"].arn}/*']}]
        """)
    resources = {r["urn"].rsplit("::", 1)[1]: r for r in plan(project, "dev")["deployment"]["resources"]}
    assert resources["my-bucket"]["inputs"] == {"tags": {"team": "ml"}} and resources["my-bucket"]["protect"] is True
    bucket = resources["my-bucket"]["outputs"]["bucket"]
    assert resources["reader"]["inputs"]["description"] == f"reads {bucket}"
    assert f'"Resource": "arn:aws:s3:::{bucket}/*"' in resources["reader"]["inputs"]["policy"]
    warnings = capsys.readouterr().err
    assert "mlinfra: warning: Pulumi.yaml: resources.my-bucket: 'propertys' is not a field of a resource" in warnings
    assert "resources.my-bucket.options: 'protekt' is not a field of resource options" in warnings


def test_only_the_first_yaml_document_is_the_program(tmp_path):
    """run.go LoadYAMLBytes decodes one document (yaml.v3 Decoder.Decode once), as the CLI's yaml.Unmarshal
    reads Pulumi.yaml: what follows a second ``---`` is not read."""
    project = _project(tmp_path, """
        resources:
          first: {type: aws:sqs:Queue}
        ---
        resources:
          second: {type: aws:sqs:Queue}
        """)
    assert "first" in _inputs(project) and "second" not in _inputs(project)


EXAMPLES = ROOT / "tests" / "data" / "pulumi_yaml_examples"  # pulumi/pulumi-yaml v1.38.1 examples/


def _example(name: str) -> dict[str, dict]:
    return {r["urn"].rsplit("::", 1)[1]: r for r in plan(EXAMPLES / name, "dev")["deployment"]["resources"]}


def test_pulumi_yaml_examples_plan_as_written():
    """Programs nobody here wrote (tests/data/SOURCES.json): each plans, and what it says is in the plan."""
    web = _example("webserver")
    assert web["WebSecGrp"]["inputs"]["ingress"][0]["fromPort"] == 80
    assert web["WebServer"]["inputs"]["instanceType"] == "t3.micro"  # the config default
    # A resource as a value is sent as a resource reference (its URN and id), as the SDKs send it.
    assert [r["id"] for r in web["WebServer"]["inputs"]["vpcSecurityGroupIds"]] == [web["WebSecGrp"]["id"]]
    assert web["MyBucket"]["provider"].startswith("urn:pulumi:dev::webserver::pulumi:providers:aws::UsEast2Provider::")
    assert "WebSecGrp" in _example("webserver-json")  # Main.json is the template when present
    site = _example("getting-started")
    assert site["index.html"]["inputs"]["acl"] == "public-read"
    assert site["publicAccessBlock"]["inputs"]["bucket"]["id"] == site["my-bucket"]["id"]
    k8s = _example("kubernetes")
    namespace = k8s["nginx-demo"]["outputs"]["metadata"]["name"]
    assert k8s["app"]["inputs"]["metadata"]["namespace"] == namespace
    assert k8s["ingress"]["inputs"]["spec"]["rules"][0]["host"] == "example.com"
    password = _example("random")["randomPassword"]
    assert password["inputs"]["length"] == 16 and "result" in password["additionalSecretOutputs"]
    assert _example("awsx-fargate")["nginx"]["type"] == "awsx:ecs:FargateService"


def test_pulumi_yaml_examples_outputs():
    stack = _example("pulumi-variable")["pulumi-reserved-variable-dev"]["outputs"]
    assert {k: stack[k] for k in ("stack", "project", "organization")} == {
        "stack": "dev", "project": "pulumi-reserved-variable", "organization": "organization"}  # a DIY backend's
    assert stack["cwd"] == str(EXAMPLES / "pulumi-variable" / "working-dir")  # main: ./working-dir
    readme = _example("readme")["random-dev"]["outputs"]
    assert readme["readme"] == (EXAMPLES / "readme" / "Pulumi.README.md").read_text()
    assert readme["arrVar"] == ["fizz", "buzz"]


def test_a_compiled_template_is_refused():
    with pytest.raises(MlinfraError, match=r"runtime.options.compiler: the template is the output of `cue export`"):
        plan(EXAMPLES / "cue-random", "dev")


def test_the_getting_started_example_is_reviewed_as_a_public_website_bucket():
    found = {v.policy for v in review(resources_from_document(plan(EXAMPLES / "getting-started", "dev"), "plan"),
                                      None, "prod", ROOT).violations if v.mandatory}
    assert {"s3-bucket-public-access-block", "s3-bucket-acl-not-public", "s3-bucket-acls-disabled"} <= found


def test_mutated_templates_plan_or_fail_with_one_clear_message(tmp_path):
    """The parity template with one to three values swapped for odd ones, anywhere (tests/fuzzing.py):
    every run plans or stops with bad input, never an internal error (found: the mocks' policy documents,
    option and invoke shapes, an empty split delimiter)."""
    template = yaml_module.safe_load((PROGRAMS / "parity" / "yaml" / "Pulumi.yaml").read_text())
    odd = [None, "", "${nowhere}", "${data}", "${data.arn}", 0, -1, 3.5, True, [], {}, [1, "x"], {"fn::join": 5},
           {"fn::invoke": {"function": 7}}, {"fn::select": ["a", []]}, "$${", "${", "${data[0]}",
           {"fn::toJSON": "${key}"}, {"fn::split": [1, 2]}, "${pulumi.stack}", {"fn::readFile": "/nonexistent"}]
    rng = random.Random(20261204)
    outcomes = {"planned": 0, "refused": 0}
    for case in range(60):
        project = tmp_path / str(case)
        project.mkdir()
        (project / "Pulumi.yaml").write_text(yaml_module.safe_dump(mutated(template, rng, odd), sort_keys=False))
        (project / "Pulumi.dev.yaml").write_text((PROGRAMS / "parity" / "yaml" / "Pulumi.dev.yaml").read_text())
        try:
            plan(project, "dev")
            outcomes["planned"] += 1
        except MlinfraError as exc:
            assert "\n" not in str(exc), str(exc)
            outcomes["refused"] += 1
    assert outcomes["planned"] and outcomes["refused"]  # both kinds of mutation were met


CONVERTER_CASES = ROOT / "tests" / "data" / "pulumi_yaml_testdata"  # pkg/pulumiyaml/testing/test/testdata


def test_pulumi_yamls_own_test_programs_plan_and_review_or_stop_with_one_clear_message(tmp_path):
    """pulumi-yaml's converter test programs (53, v1.38.1; tests/data/SOURCES.json), AWS, Kubernetes,
    Azure and test packages among them: each plans and reviews, or stops with one line of bad input (an
    SDK not installed, a function pulumi-aws 7 no longer has, PCL's ``range`` that YAML lacks) and never
    with an internal error."""
    planned, stopped = [], {}
    for case in sorted(CONVERTER_CASES.iterdir()):
        project = tmp_path / case.name
        project.mkdir()
        (project / "Pulumi.yaml").write_text(f"name: {re.sub('[^A-Za-z0-9-]', '-', case.name)}\nruntime: yaml\n")
        (project / "Main.yaml").write_bytes((case / "Main.yaml").read_bytes())
        try:
            document = plan(project, "dev")
        except MlinfraError as exc:
            assert "\n" not in str(exc), (case.name, str(exc))
            stopped[case.name] = str(exc)
            continue
        review(resources_from_document(document, "plan"), None, "prod", ROOT)  # no rule raises
        planned.append(case.name)
    assert len(planned) >= 26, stopped
    assert {"aws-iam-policy-pp", "aws-lambda-pp", "aws-resource-options-pp", "kubernetes-operator-pp",
            "assets-archives-pp", "output-funcs-aws-pp", "retain-on-delete-pp"} <= set(planned)
    assert "is not installed in this environment" in stopped["azure-native-pp"]
