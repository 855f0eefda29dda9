"""The offline plan: stack config as the CLI passes it, the program under the mocks, the v3 export."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from importlib.metadata import version as package_version

from mlinfra.errors import ConfigError, MlinfraError
from mlinfra.plan import ProgramError, default_provider_name, dumps, plan, render_summary
from mlinfra.project import SECRET_PLACEHOLDER, find_project, load_stack_config, read_project

REPO = Path(__file__).resolve().parents[1]
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
AWS_VERSION = package_version("pulumi_aws")
DEFAULT_AWS = "default_" + AWS_VERSION.replace(".", "_")

#: A small program touching what the export must carry: an explicit and a default provider, a
#: component with protected and dependent children, a secret config value, exports.
PROGRAM = '''
import os
import pulumi
import pulumi_aws as aws

config = pulumi.Config("mlinfra")
provider = aws.Provider("aws", region=pulumi.Config("aws").require("region"))


class Store(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("mlinfra:test:Store", name, None, opts)
        self.bucket = aws.s3.Bucket(f"{name}-bucket", opts=pulumi.ResourceOptions(parent=self, protect=True))
        aws.s3.BucketVersioning(f"{name}-versioning", bucket=self.bucket.id,
                                versioning_configuration={"status": "Enabled"},
                                opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"bucket": self.bucket.bucket})


store = Store("store", opts=pulumi.ResourceOptions(providers=[provider]))
key = aws.kms.Key("key", description=config.require_secret("keyDescription"), deletion_window_in_days=7,
                  opts=pulumi.ResourceOptions(additional_secret_outputs=["arn"]))
pulumi.export("bucket", store.bucket.bucket)
pulumi.export("token", pulumi.Output.secret({"user": "plan"}))
pulumi.export("cwd", os.path.basename(os.getcwd()))
'''

STACK_FILE = """\
config:
  aws:region: eu-west-1
  mlinfra:keyDescription:
    secure: v1:c2VjcmV0
"""


def make_project(root: Path, program: str = PROGRAM, stacks: dict[str, str] | None = None) -> Path:
    (root / "stacks").mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: demo\nruntime: python\nmain: stacks/\nstackConfigDir: stacks\n")
    (root / "stacks" / "__main__.py").write_text(program)
    for env, text in (stacks or {"dev": STACK_FILE}).items():
        (root / "stacks" / f"Pulumi.{env}.yaml").write_text(text)
    return root


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict, str]:
    """The demo project planned once for stack dev: (project dir, deployment, file text)."""
    project = make_project(tmp_path_factory.mktemp("demo"))
    out = project / "plan.json"
    deployment = plan(project, "dev", out)
    return project, deployment, out.read_text()


def resources(deployment: dict) -> dict[str, dict]:
    return {r["urn"]: r for r in deployment["deployment"]["resources"]}


URN = "urn:pulumi:dev::demo::"
STACK = URN + "pulumi:pulumi:Stack::demo-dev"
STORE = URN + "mlinfra:test:Store::store"
BUCKET = URN + "mlinfra:test:Store$aws:s3/bucket:Bucket::store-bucket"
VERSIONING = URN + "mlinfra:test:Store$aws:s3/bucketVersioning:BucketVersioning::store-versioning"
PROVIDER = URN + "pulumi:providers:aws::aws"
DEFAULT_PROVIDER = URN + "pulumi:providers:aws::" + DEFAULT_AWS
KEY = URN + "aws:kms/key:Key::key"


# --- the project and the stack file ------------------------------------------------------------

def test_find_project_walks_up_to_pulumi_yaml(tmp_path):
    project = make_project(tmp_path / "repo")
    assert find_project(project / "stacks") == project
    assert find_project(project) == project


def test_find_project_outside_any_project(tmp_path):
    with pytest.raises(MlinfraError) as err:
        find_project(tmp_path)
    assert str(err.value) == f"no Pulumi.yaml in {tmp_path.resolve()} or any parent directory"


def test_read_project_reads_name_main_and_stack_config_dir():
    project = read_project(REPO)
    assert (project.name, project.main, project.stack_config_dir) == ("mlinfra", REPO / "stacks", REPO / "stacks")


def test_stack_config_is_passed_as_the_cli_passes_it(tmp_path):
    project = make_project(tmp_path, stacks={"dev": """\
config:
  aws:region: us-west-2
  mlinfra:tier: dev
  mlinfra:azCount: 3
  mlinfra:protect: true
  mlinfra:allowedRegions: [us-east-1, us-west-2]
  mlinfra:tags: {owner: ml, costCenter: cc-1}
  unqualified: value
  mlinfra:password:
    secure: v1:AAAA
  mlinfra:database:
    host: db
    password:
      secure: v1:BBBB
"""})
    config = load_stack_config(project, "dev")
    assert dict(config) == {
        "aws:region": "us-west-2",
        "mlinfra:tier": "dev",
        "mlinfra:azCount": "3",
        "mlinfra:protect": "true",
        "mlinfra:allowedRegions": '["us-east-1", "us-west-2"]',
        "mlinfra:tags": '{"owner": "ml", "costCenter": "cc-1"}',
        "demo:unqualified": "value",
        "mlinfra:password": SECRET_PLACEHOLDER,
        "mlinfra:database": json.dumps({"host": "db", "password": SECRET_PLACEHOLDER}),
    }
    assert config.secret_keys == {"mlinfra:password", "mlinfra:database"}


def test_empty_stack_file_is_empty_config(tmp_path):
    assert load_stack_config(make_project(tmp_path, stacks={"dev": ""}), "dev") == {}


def test_unknown_environment_names_the_file_and_the_available_ones():
    with pytest.raises(MlinfraError) as err:
        load_stack_config(REPO, "qa")
    assert str(err.value) == "unknown environment 'qa': no stacks/Pulumi.qa.yaml (available: dev, prod, staging)"


def test_environment_names_cannot_leave_the_stack_folder(tmp_path):
    project = make_project(tmp_path)
    with pytest.raises(MlinfraError) as err:
        plan(project, "../dev", None)
    assert str(err.value) == ("unknown environment '../dev': a stack name has only letters, digits, "
                              "'-', '_' and '.' (available: dev)")


def test_malformed_yaml_names_the_file_and_line(tmp_path):
    project = make_project(tmp_path, stacks={"dev": "config:\n  aws:region: us-east-1\n  mlinfra:tags: [a, b\n"})
    with pytest.raises(MlinfraError) as err:
        load_stack_config(project, "dev")
    assert str(err.value) == "stacks/Pulumi.dev.yaml: line 4: invalid YAML: expected ',' or ']', but got '<stream end>'"


def test_config_that_is_not_a_mapping(tmp_path):
    project = make_project(tmp_path, stacks={"dev": "config:\n  - aws:region\n"})
    with pytest.raises(MlinfraError) as err:
        load_stack_config(project, "dev")
    assert str(err.value) == "stacks/Pulumi.dev.yaml: 'config:' must be a mapping of keys to values, not list"


def test_stack_file_that_is_not_a_mapping(tmp_path):
    project = make_project(tmp_path, stacks={"dev": "just text\n"})
    with pytest.raises(MlinfraError) as err:
        load_stack_config(project, "dev")
    assert str(err.value) == "stacks/Pulumi.dev.yaml: must be a mapping with a 'config:' section, not str"


# --- running the program -----------------------------------------------------------------------

CONFIG_PROGRAM = "from mlinfra.config import load_platform_config\nload_platform_config()\n"


def test_config_error_surfaces_with_the_programs_message_only(tmp_path):
    project = make_project(tmp_path, CONFIG_PROGRAM, stacks={"dev": """\
config:
  aws:region: us-east-1
  mlinfra:tier: gold
  mlinfra:tags: {owner: ml-platform, costCenter: cc-1}
"""})
    out = tmp_path / "plan.json"
    with pytest.raises(ConfigError) as err:
        plan(project, "dev", out)
    assert str(err.value) == (
        "stacks/Pulumi.dev.yaml: mlinfra:tier = 'gold': Input should be 'dev', 'staging' or 'prod'")
    assert isinstance(err.value, MlinfraError) and err.value.__cause__ is None
    assert not out.exists()


def test_run_error_becomes_a_one_line_program_error(tmp_path):
    project = make_project(tmp_path, "import pulumi\nraise pulumi.RunError('the network needs 2 zones')\n")
    with pytest.raises(ProgramError) as err:
        plan(project, "dev", None)
    assert str(err.value) == "the network needs 2 zones"
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_a_missing_required_configuration_key_is_one_line_naming_the_stack_file(tmp_path):
    # The SDK's ConfigMissingError is two lines, the second tab-indented; Pulumi's examples need keys.
    project = make_project(tmp_path, "import pulumi\npulumi.Config().require_secret('dbPassword')\n")
    with pytest.raises(ProgramError) as err:
        plan(project, "dev")
    assert str(err.value) == ("stacks/Pulumi.dev.yaml: the program requires the configuration key 'demo:dbPassword', "
                              "which is not set: add it under config (or run `pulumi config set --secret "
                              "demo:dbPassword <value>`)")


def test_a_package_the_program_needs_and_this_environment_lacks_is_named(tmp_path):
    project = make_project(tmp_path, "import pulumi\nimport pulumi_nosuchprovider.sub\n")
    with pytest.raises(ProgramError) as err:
        plan(project, "dev", None)
    assert str(err.value) == (
        "stacks/__main__.py: the program imports pulumi_nosuchprovider, which is not installed in this Python "
        f"environment ({sys.executable}): install the program's dependencies (its requirements.txt) there and "
        "plan again")
    assert err.value.__cause__ is None


def test_one_of_our_own_packages_missing_stays_an_internal_error(tmp_path):
    project = make_project(tmp_path, "import components.nosuchmodule\n")
    with pytest.raises(ModuleNotFoundError):
        plan(project, "dev", None)


def test_another_programs_exception_is_its_failure_at_its_line(tmp_path):
    project = make_project(tmp_path, "import pulumi\n\nraise ZeroDivisionError('a bug in the program')\n")
    with pytest.raises(ProgramError, match=r"^stacks/__main__.py:3: the program failed under the offline plan: "
                                           r"ZeroDivisionError: a bug in the program$"):
        plan(project, "dev", None)


def test_a_type_error_naming_nonetype_gets_no_hint_about_values_only_the_cloud_knows(tmp_path):
    # The Python SDK rejects a typed PolicyDocumentArgs whose action is a list (its Union input types):
    # a failure of the program under any engine, whose message names `NoneType`, not a missing value.
    project = make_project(tmp_path, "import pulumi_aws as aws\n\naws.iam.RolePolicy('p', role='r', "
                           "policy=aws.iam.PolicyDocumentArgs(version='2012-10-17', statement=["
                           "aws.iam.PolicyStatementArgs(effect='Allow', action=['s3:GetObject'], resource=['*'])]))\n")
    with pytest.raises(ProgramError) as err:
        plan(project, "dev", None)
    assert "Unexpected type. Expected 'list'" in str(err.value) and "NoneType" in str(err.value)
    assert "only the cloud knows" not in str(err.value)


def test_an_optional_key_the_stack_file_lacks_gets_the_hint(tmp_path):
    # pulumi/examples' aws-py-ec2-provisioners: public_key = config.get("publicKey"), then aws.ec2.KeyPair(...).
    project = make_project(tmp_path, "import pulumi, pulumi_aws as aws\n\n"
                           "aws.ec2.KeyPair('key', public_key=pulumi.Config().get('publicKey'))\n")
    with pytest.raises(ProgramError, match="Missing required property 'public_key' .a configuration key the program "
                                           "reads with get.. and the stack file does not set"):
        plan(project, "dev", None)


def test_a_value_missing_offline_gets_the_hint(tmp_path):
    project = make_project(tmp_path, "import pulumi_aws as aws\n\nprint(aws.ec2.get_vpc(default=True).cidr_block.split('.'))\n")
    with pytest.raises(ProgramError, match="'NoneType' object has no attribute 'split'.*only the cloud knows"):
        plan(project, "dev", None)

def test_a_program_that_is_not_valid_python_is_named_at_its_line(tmp_path):
    project = make_project(tmp_path, "import pulumi\n  x = 1\n")
    with pytest.raises(ProgramError, match=r"^stacks/__main__.py:2: the program is not valid Python: unexpected indent$"):
        plan(project, "dev", None)


def test_our_own_code_failing_under_another_program_is_still_a_bug(tmp_path, monkeypatch):
    from mlinfra.mocks import PlatformMocks

    def broken(self, args):
        raise KeyError("a bug in the mocks")

    monkeypatch.setattr(PlatformMocks, "new_resource", broken)
    project = make_project(tmp_path, "import pulumi_aws as aws\n\naws.s3.BucketV2('b')\n")
    with pytest.raises(KeyError, match="a bug in the mocks"):
        plan(project, "dev", None)


def test_outputs_the_cloud_computes_are_unknown_as_in_a_preview(tmp_path):
    # Pulumi's Kubernetes examples read a Service's status (its load balancer's address), which only
    # the cluster sets. A preview leaves it unknown and skips the callback; known as None, it failed
    # the plan (AttributeError on None). The autonamed Deployment's name is known, as in a preview.
    project = make_project(tmp_path, """
import pulumi
from pulumi_kubernetes.apps.v1 import Deployment
from pulumi_kubernetes.core.v1 import Service

labels = {"app": "web"}
web = Deployment("web", spec={"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels},
                 "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}})
front = Service("web", spec={"type": "LoadBalancer", "selector": labels, "ports": [{"port": 80}]})
pulumi.export("name", web.metadata.apply(lambda m: m.name))
pulumi.export("address", front.status.apply(lambda s: s.load_balancer.ingress[0].hostname))
""")
    resources = plan(project, "dev")["deployment"]["resources"]
    stack = resources[0]
    assert stack["outputs"]["name"].startswith("web-")
    assert stack["outputs"]["address"] == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown
    # Policies analyze the inputs the provider's Check returns, which carry the name it gave
    # (pkg/resource/deploy/step_generator.go): the plan's inputs do too; a given name is untouched.
    deployment = next(r for r in resources if r["type"] == "kubernetes:apps/v1:Deployment")
    assert deployment["inputs"]["metadata"] == deployment["outputs"]["metadata"]
    assert deployment["inputs"]["metadata"]["annotations"] == {"pulumi.com/autonamed": "true"}


def test_a_resource_method_result_is_unknown_as_in_a_preview(tmp_path):
    # pulumi-eks's examples (aws-profile-role-py) read a kubeconfig from Cluster.get_kubeconfig(), a method the eks
    # provider computes (ResourceMonitor.Call), and hand it to a Kubernetes provider; Pulumi's mock monitor has
    # no Call, and the plan failed ("'RecordingMonitor' object has no attribute 'Call'").
    project = make_project(tmp_path, """
import pulumi, pulumi_eks as eks, pulumi_kubernetes as k8s
cluster = eks.Cluster("cluster")
kubeconfig = cluster.get_kubeconfig(role_arn="arn:aws:iam::123456789012:role/admin")
k8s.Provider("k8s", kubeconfig=kubeconfig)
pulumi.export("kubeconfig", kubeconfig)
""")
    resources = plan(project, "dev")["deployment"]["resources"]
    [provider] = [r for r in resources if r["type"] == "pulumi:providers:kubernetes"]
    assert provider["inputs"]["kubeconfig"] == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown
    assert resources[0]["outputs"]["kubeconfig"] == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def test_a_failed_programs_leftover_errors_are_not_reported_when_collected(tmp_path, caplog):
    """A failed program leaves rejected futures no one awaits; asyncio's default handler would log each when freed,
    formatting a traceback, which parses source (CPython 3.11) and, from inside another ast.parse, broke it
    ("AST constructor recursion depth mismatch" in tests/test_layout.py). Other reports still reach the default."""
    import asyncio
    import gc

    project = make_project(tmp_path, 'import pulumi_kubernetes as k8s\n'
                                     'k8s.yaml.v2.ConfigFile("f", file="missing.yaml")\n')
    with pytest.raises(MlinfraError, match="missing.yaml"):
        plan(project, "dev")
    loop = asyncio.get_event_loop_policy().get_event_loop()
    future = loop.create_future()
    future.set_exception(RuntimeError("left over"))
    with caplog.at_level("ERROR", logger="asyncio"):
        del future
        gc.collect()
        loop.call_exception_handler({"message": "something else"})
    assert [record.getMessage() for record in caplog.records] == ["something else"]


def test_a_lookup_given_an_unknown_value_is_unknown_as_in_a_preview(tmp_path):
    # The SDK skips an invoke with unknown arguments but misses one inside a list of strings (a policy
    # document naming a key only the provider generates); the mocks failed on it (Unknown not JSON).
    project = make_project(tmp_path, """
import pulumi_aws as aws
import pulumi_tls as tls

key = tls.PrivateKey("k", algorithm="RSA")
document = aws.iam.get_policy_document_output(statements=[{"actions": ["s3:GetObject"],
                                                           "resources": ["arn:aws:s3:::data/*", key.public_key_pem]}])
aws.iam.Policy("known-later", policy=document.json)
aws.iam.Policy("known", policy=aws.iam.get_policy_document_output(
    statements=[{"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::data/*"]}]).json)
""")
    policies = {r["urn"].rsplit("::", 1)[1]: r["inputs"]["policy"] for r in plan(project, "dev")["deployment"]["resources"]
                if r["type"] == "aws:iam/policy:Policy"}
    assert policies["known-later"] == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    assert json.loads(policies["known"])["Statement"][0]["Resource"] == "arn:aws:s3:::data/*"


def test_failed_plan_leaves_an_existing_file_untouched_and_no_temp_files(tmp_path):
    project = make_project(tmp_path, "import pulumi, pulumi_aws as aws\naws.s3.Bucket('b')\n"
                                     "raise pulumi.RunError('stop')\n")
    out = tmp_path / "out" / "plan.json"
    out.parent.mkdir()
    out.write_text("previous plan\n")
    with pytest.raises(ProgramError):
        plan(project, "dev", out)
    assert out.read_text() == "previous plan\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["plan.json"]


def test_missing_program(tmp_path):
    project = make_project(tmp_path)
    (project / "stacks" / "__main__.py").unlink()
    with pytest.raises(MlinfraError) as err:
        plan(project, "dev", None)
    assert str(err.value) == "stacks/__main__.py: no such program"


def test_program_runs_in_its_folder_and_the_environment_is_restored(demo, monkeypatch):
    project, deployment, _ = demo
    assert resources(deployment)[STACK]["outputs"]["cwd"] == "stacks"
    monkeypatch.setenv("PULUMI_CONFIG", '{"mlinfra:tier": "prod"}')
    plan(project, "dev", None)
    assert os.environ["PULUMI_CONFIG"] == '{"mlinfra:tier": "prod"}'
    assert "PULUMI_CONFIG_SECRET_KEYS" not in os.environ
    assert Path.cwd() != project / "stacks"



@pytest.mark.parametrize("stack_file, environment, seen", [
    ("config: {}\n", {}, "us-east-1"),  # no region anywhere: the mocks' own, as lookups answer
    ("config:\n  aws:region: eu-west-1\n", {}, "eu-west-1"),
    ("config: {}\n", {"AWS_DEFAULT_REGION": "ap-south-1"}, "ap-south-1"),
])
def test_the_program_sees_the_region_pulumi_aws_would_read(tmp_path, monkeypatch, stack_file, environment, seen):
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    project = make_project(tmp_path, "import pulumi, pulumi_aws as aws\n"
                                     "pulumi.export('region', aws.config.region)\n", {"dev": stack_file})
    [stack] = [r for r in plan(project, "dev", None)["deployment"]["resources"] if r["type"] == "pulumi:pulumi:Stack"]
    assert stack["outputs"]["region"] == seen
    assert "AWS_REGION" not in os.environ


# --- the deployment ----------------------------------------------------------------------------

def test_deployment_is_stack_export_version_3(demo):
    _, deployment, text = demo
    assert list(deployment) == ["version", "deployment"] and deployment["version"] == 3
    assert deployment["deployment"]["manifest"]["time"] == "1970-01-01T00:00:00Z"
    for resource in deployment["deployment"]["resources"]:
        assert {"urn", "type", "custom", "parent", "provider", "dependencies", "propertyDependencies",
                "inputs", "outputs", "protect"} <= set(resource)
        assert ("id" in resource) == resource["custom"]
    assert json.loads(text) == deployment and text == dumps(deployment) and text.endswith("}\n")


def test_manifest_magic_is_what_the_engine_checks(demo):
    import hashlib

    manifest = demo[1]["deployment"]["manifest"]
    assert manifest["version"] == "v" + package_version("pulumi")
    assert manifest["magic"] == hashlib.sha256(manifest["version"].encode()).hexdigest()


def test_urns_carry_the_stack_and_project(demo):
    urns = list(resources(demo[1]))
    assert urns and all(urn.startswith(URN) for urn in urns)
    assert set(urns) == {STACK, STORE, BUCKET, VERSIONING, PROVIDER, DEFAULT_PROVIDER, KEY}


def test_stack_resource_holds_the_exports(demo):
    stack = resources(demo[1])[STACK]
    assert (stack["type"], stack["custom"], stack["parent"]) == ("pulumi:pulumi:Stack", False, "")
    assert stack["outputs"] == {"bucket": resources(demo[1])[BUCKET]["outputs"]["bucket"], "cwd": "stacks",
                                "token": {**SECRET, "plaintext": '{"user":"plan"}'}}


def test_parents_and_explicit_provider(demo):
    by_urn = resources(demo[1])
    provider = by_urn[PROVIDER]
    assert (provider["type"], provider["parent"], provider["inputs"]["region"]) == (
        "pulumi:providers:aws", STACK, "eu-west-1")
    assert by_urn[STORE]["parent"] == STACK and by_urn[STORE]["custom"] is False
    assert by_urn[STORE]["outputs"] == {"bucket": by_urn[BUCKET]["outputs"]["bucket"]}
    for urn in (BUCKET, VERSIONING):
        assert by_urn[urn]["parent"] == STORE
        assert by_urn[urn]["provider"] == f"{PROVIDER}::{provider['id']}"


def test_default_provider_is_added_like_the_engine_does(demo):
    by_urn = resources(demo[1])
    default = by_urn[DEFAULT_PROVIDER]
    assert default["type"] == "pulumi:providers:aws" and default["custom"] is True
    assert default["inputs"] == {"region": "eu-west-1", "version": AWS_VERSION}
    assert default["parent"] == ""
    assert by_urn[KEY]["provider"] == f"{DEFAULT_PROVIDER}::{default['id']}"


def test_dependencies_and_property_dependencies(demo):
    versioning = resources(demo[1])[VERSIONING]
    assert versioning["dependencies"] == [BUCKET]
    assert versioning["propertyDependencies"] == {"bucket": [BUCKET], "versioningConfiguration": []}
    assert versioning["inputs"]["bucket"] == resources(demo[1])[BUCKET]["outputs"]["bucket"]


def test_protect_is_recorded(demo):
    by_urn = resources(demo[1])
    assert by_urn[BUCKET]["protect"] is True
    assert by_urn[VERSIONING]["protect"] is False


def test_lifecycle_options_are_recorded_as_the_engine_exports_them(tmp_path):
    # apitype.ResourceV3 (sdk/go/common/apitype/core.go): importID, retainOnDelete, deletedWith, ignoreChanges and
    # replaceOnChanges, each omitted when empty, in that order.
    project = make_project(tmp_path, '''
import pulumi, pulumi_aws as aws
vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
aws.s3.Bucket("kept", opts=pulumi.ResourceOptions(retain_on_delete=True, deleted_with=vpc, import_="kept-bucket",
                                                  ignore_changes=["tags"], replace_on_changes=["bucket"]))
aws.s3.Bucket("plain")
''')
    by_name = {r["urn"].rsplit("::", 1)[1]: r for r in plan(project, "dev", None)["deployment"]["resources"]}
    kept = by_name["kept"]
    assert [k for k in kept if k in ("importID", "retainOnDelete", "deletedWith", "ignoreChanges",
                                     "replaceOnChanges")] == [
        "importID", "retainOnDelete", "deletedWith", "ignoreChanges", "replaceOnChanges"]
    assert (kept["importID"], kept["retainOnDelete"], kept["deletedWith"], kept["replaceOnChanges"]) == (
        "kept-bucket", True, by_name["vpc"]["urn"], ["bucket"])
    assert not {"importID", "retainOnDelete", "deletedWith", "replaceOnChanges"} & set(by_name["plain"])


def test_secrets_in_show_secrets_form_and_whole_numbers_as_integers(demo):
    key = resources(demo[1])[KEY]
    assert key["inputs"]["description"] == {**SECRET, "plaintext": json.dumps(SECRET_PLACEHOLDER)}
    assert key["outputs"]["description"] == key["inputs"]["description"]
    # additionalSecretOutputs: the engine stores those outputs as secrets.
    assert key["outputs"]["arn"] == {**SECRET, "plaintext": json.dumps(
        f"arn:aws:kms:eu-west-1:123456789012:key/{key['id']}")}
    assert key["additionalSecretOutputs"] == ["arn"]
    assert key["inputs"]["deletionWindowInDays"] == 7 and isinstance(key["inputs"]["deletionWindowInDays"], int)
    assert '"deletionWindowInDays": 7,' in demo[2]


def test_order_is_topological_with_the_stack_first(demo):
    order = [r["urn"] for r in demo[1]["deployment"]["resources"]]
    # Whatever is ready next goes in URN order: the component, then the explicit provider, which
    # frees the bucket, then its versioning; the default provider and its key come last by URN.
    assert order == [STACK, STORE, PROVIDER, BUCKET, VERSIONING, DEFAULT_PROVIDER, KEY]


def test_order_follows_dependencies_not_urns(tmp_path):
    # "a-..." sorts before "b-..." but depends on it; "z-..." is parented to the component "y".
    project = make_project(tmp_path, '''
import pulumi, pulumi_aws as aws
b = aws.s3.Bucket("b-bucket")
aws.s3.BucketVersioning("a-versioning", bucket=b.id, versioning_configuration={"status": "Enabled"})
parent = pulumi.ComponentResource("test:index:Group", "y")
aws.s3.Bucket("z-bucket", opts=pulumi.ResourceOptions(parent=parent, depends_on=[b]))
''')
    deployment = plan(project, "dev", None)
    position = {r["urn"].rsplit("::", 1)[1]: i for i, r in enumerate(deployment["deployment"]["resources"])}
    assert position["demo-dev"] == 0
    assert position[DEFAULT_AWS] < position["b-bucket"] < position["a-versioning"]
    assert position["y"] < position["z-bucket"] and position["b-bucket"] < position["z-bucket"]


def test_same_code_and_config_give_byte_identical_plans(demo, tmp_path):
    project, _, first = demo
    again = tmp_path / "again.json"
    plan(project, "dev", again)
    assert again.read_text() == first
    umask = os.umask(0)
    os.umask(umask)
    assert again.stat().st_mode & 0o777 == 0o666 & ~umask  # a plain file, not mkstemp's 0600


def test_skipping_the_sdks_stack_traces_changes_nothing_in_the_plan(demo, tmp_path, monkeypatch):
    from pulumi.runtime import resource

    from mlinfra import plan as planning

    project, _, first = demo
    captured = resource._get_stack_trace  # the hook the plan swaps: renamed in a Pulumi release, this fails
    monkeypatch.setattr(planning, "_no_stack_traces", contextlib.nullcontext)
    with_traces = tmp_path / "with-traces.json"
    plan(project, "dev", with_traces)
    assert with_traces.read_text() == first
    assert resource._get_stack_trace is captured  # put back after every plan


def test_byte_identical_across_processes_with_different_hash_seeds(tmp_path):
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"prod-{seed}.json"
        code = f"from pathlib import Path; from mlinfra.plan import plan; plan(Path({str(REPO)!r}), 'prod', Path({str(out)!r}))"
        subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONHASHSEED": seed},
                       timeout=120)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["deployment"]["resources"]


def test_summary_shows_components_and_counts(demo):
    assert render_summary(demo[1]) == """\
demo-dev  pulumi:pulumi:Stack  (3 resources)
└─ store  mlinfra:test:Store  (2 resources)

Resources by type:
  1  aws:kms/key:Key
  1  aws:s3/bucket:Bucket
  1  aws:s3/bucketVersioning:BucketVersioning
  2  pulumi:providers:aws
  5  total (2 components incl. the stack)"""


# --- the real stacks ---------------------------------------------------------------------------

@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_real_stacks_plan(env, tmp_path):
    out = tmp_path / f"{env}.json"
    deployment = plan(REPO, env, out)
    listed = deployment["deployment"]["resources"]
    urns = [r["urn"] for r in listed]
    assert all(urn.startswith(f"urn:pulumi:{env}::mlinfra::") for urn in urns)
    assert listed[0]["type"] == "pulumi:pulumi:Stack" and listed[0]["outputs"]["environment"] == env
    seen: set[str] = set()
    for resource in listed:
        required = {resource["parent"], resource["provider"].rsplit("::", 1)[0], *resource["dependencies"]} - {""}
        assert required <= seen, resource["urn"]
        seen.add(resource["urn"])
    buckets = [r for r in listed if r["type"] == "aws:s3/bucket:Bucket"]
    assert buckets and all(r["protect"] is (env == "prod") for r in buckets)
    assert all(r["provider"] for r in listed if r["custom"] and not r["type"].startswith("pulumi:providers:"))
    assert render_summary(deployment).startswith(f"mlinfra-{env}  pulumi:pulumi:Stack")
    assert out.read_text() == dumps(deployment)


@pytest.mark.parametrize("version, name", [
    ("7.51.1", "default_7_51_1"),
    ("", "default"),
    ("1.2.3-beta.1", "default_1_2_3_beta_1"),
    ("1.2.3+exp.sha.5114f85", "default_1_2_3_exp_sha_5114f85"),
    ("1.2.3-rc.2+build.7", "default_1_2_3_rc_2_build_7"),
])
def test_default_provider_names_follow_the_engine(version, name):
    # pkg/resource/deploy/providers: "default" + _major_minor_patch, then each pre-release and build identifier.
    assert default_provider_name(version) == name


def test_a_command_runs_nothing_offline_and_its_output_is_unknown(tmp_path):
    # pulumi-command comes with mlinfra: programs provision hosts and run scripts with it.
    project = make_project(tmp_path, """
import pulumi
from pulumi_command import local
hello = local.Command("hello", create="echo hi")
pulumi.export("out", hello.stdout)
""")
    resources = plan(project, "dev")["deployment"]["resources"]
    command = next(r for r in resources if r["type"] == "command:local:Command")
    assert command["inputs"] == {"create": "echo hi"} and "stdout" not in command["outputs"]
    assert resources[0]["outputs"]["out"] == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown


def _packaged_project(root: Path, package: str, value: str) -> Path:
    """A program that imports its own local package ``package`` (as other teams split programs up)."""
    project = make_project(root, f"import pulumi\nfrom {package}.naming import PREFIX\npulumi.export('prefix', PREFIX)\n",
                           stacks={"dev": ""})
    (project / "stacks" / package).mkdir()
    (project / "stacks" / package / "__init__.py").write_text("")
    (project / "stacks" / package / "naming.py").write_text(f"PREFIX = {value!r}\n")
    return project


def _exports(document: dict) -> dict:
    stack = next(r for r in document["deployment"]["resources"] if r["type"] == "pulumi:pulumi:Stack")
    return stack["outputs"]


def test_each_program_imports_its_own_local_package_as_in_a_fresh_process(tmp_path):
    # The CLI runs each program in a new process; one process planning two programs that both have an
    # ``infra`` package must not give the second the first one's modules.
    first = _packaged_project(tmp_path / "first", "infra", "vision")
    second = _packaged_project(tmp_path / "second", "infra", "speech")
    assert _exports(plan(first, "dev"))["prefix"] == "vision"
    assert _exports(plan(second, "dev"))["prefix"] == "speech"
    assert not any(name == "infra" or name.startswith("infra.") for name in sys.modules)


def test_a_local_package_named_like_one_of_ours_is_the_programs(tmp_path):
    # mlinfra itself imports this distribution's ``components`` package; a program's own
    # ``components/`` comes first on its sys.path, as under the CLI. Ours is back afterwards.
    import components

    project = _packaged_project(tmp_path, "components", "theirs")
    assert _exports(plan(project, "dev"))["prefix"] == "theirs"
    assert sys.modules["components"] is components
    assert "components.naming" not in sys.modules


TRANSFORMS_PROGRAM = '''
import pulumi
import pulumi_aws as aws


def mark(label):
    def transform(args):
        if not args.custom:
            return None
        props = dict(args.props)
        props["tags"] = {**(props.get("tags") or {}), "order": (props.get("tags") or {}).get("order", "") + label}
        return pulumi.ResourceTransformResult(props, args.opts)
    return transform


def strip_encryption(args):
    if args.type_ != "aws:ebs/volume:Volume":
        return None
    props = {k: v for k, v in args.props.items() if k != "kmsKeyId"}
    props["encrypted"] = False
    return pulumi.ResourceTransformResult(props, pulumi.ResourceOptions.merge(
        args.opts, pulumi.ResourceOptions(protect=False, ignore_changes=["tags"])))


before = aws.ebs.Volume("before", availability_zone="us-east-1a", size=8, encrypted=True)
pulumi.runtime.register_resource_transform(mark("stack;"))


class Disks(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("acme:storage:Disks", name, None, opts)
        inner = pulumi.ComponentResource("acme:storage:Inner", f"{name}-inner", None,
                                         pulumi.ResourceOptions(parent=self, transforms=[mark("inner;")]))
        aws.ebs.Volume(f"{name}-data", availability_zone="us-east-1a", size=8, encrypted=True,
                       kms_key_id="arn:aws:kms:us-east-1:123456789012:key/k",
                       opts=pulumi.ResourceOptions(parent=inner, protect=True, transforms=[mark("own;")]))
        self.register_outputs({})


Disks("disks", opts=pulumi.ResourceOptions(transforms=[strip_encryption, mark("outer;")]))
'''


def test_transforms_run_as_the_engine_runs_them(tmp_path):
    # Pulumi's mock monitor does not run `transforms`; the engine does, before anything else
    # (pkg/resource/deploy/source_eval.go RegisterResource): the resource's own, then each ancestor's
    # nearest first, then the stack's, each on what the previous returned. The plan shows the result.
    document = plan(make_project(tmp_path, TRANSFORMS_PROGRAM, stacks={"dev": ""}), "dev")
    volumes = {r["urn"].rsplit("::", 1)[1]: r for r in document["deployment"]["resources"]
               if r["type"] == "aws:ebs/volume:Volume"}
    data = volumes["disks-data"]
    assert data["inputs"]["encrypted"] is False and "kmsKeyId" not in data["inputs"]
    assert data["inputs"]["tags"] == {"order": "own;inner;outer;stack;"}
    assert data["outputs"]["encrypted"] is False  # what the mocks answered was the transformed request
    assert data["protect"] is False and data["ignoreChanges"] == ["tags"]
    # A stack transform applies to what is registered after it, not before.
    assert volumes["before"]["inputs"] == {"availabilityZone": "us-east-1a", "encrypted": True, "size": 8}


def test_a_failing_transform_is_the_programs_error_at_its_line(tmp_path):
    program = ("import pulumi, pulumi_aws as aws\n\ndef broken(args):\n    return args.props['missing']\n\n"
               "aws.s3.Bucket('b', opts=pulumi.ResourceOptions(transforms=[broken]))\n")
    with pytest.raises(MlinfraError) as err:
        plan(make_project(tmp_path, program, stacks={"dev": ""}), "dev")
    assert str(err.value) == "a transform of aws:s3/bucket:Bucket 'b' failed (__main__.py:4): KeyError: 'missing'"


def test_invoke_transforms_run_as_the_engine_runs_them(tmp_path):
    # register_invoke_transform: the engine runs the stack's invoke transforms on a function's arguments
    # before it calls the provider (source_eval.go Invoke); Pulumi's mock monitor does not.
    program = '''
import pulumi
import pulumi_aws as aws


def widen(args):
    if args.token != "aws:iam/getPolicyDocument:getPolicyDocument":
        return None
    statements = [{**s, "resources": ["*"]} for s in args.args.get("statements", [])]
    return pulumi.InvokeTransformResult({**args.args, "statements": statements}, args.opts)


pulumi.runtime.register_invoke_transform(widen)
document = aws.iam.get_policy_document(statements=[{"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"]}])
aws.iam.Policy("read", policy=document.json)
'''
    document = plan(make_project(tmp_path, program, stacks={"dev": ""}), "dev")
    [policy] = [r for r in document["deployment"]["resources"] if r["type"] == "aws:iam/policy:Policy"]
    assert json.loads(policy["inputs"]["policy"])["Statement"] == [
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": "*"}]


BUCKET_PROGRAM = "import pulumi, pulumi_aws as aws\nbucket = aws.s3.Bucket('models')\npulumi.export('id', bucket.id)\n"


def _types(document: dict) -> list[str]:
    return [r["type"] for r in document["deployment"]["resources"]]


@pytest.mark.parametrize("main, path", [("infra.py", "infra.py"), ("deploy/app.py", "deploy/app.py")])
def test_main_may_name_the_program_file(tmp_path, main, path):
    # The Python host hands ``main`` to runpy.run_path, which runs a file as well as a folder's __main__.py;
    # the working directory is the file's folder (pulumi-language-python-exec; pulumi/pulumi#12086).
    (tmp_path / "Pulumi.yaml").write_text(f"name: demo\nruntime: python\nmain: {main}\n")
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(BUCKET_PROGRAM + "import os\npulumi.export('cwd', os.path.basename(os.getcwd()))\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    document = plan(tmp_path, "dev")
    assert "aws:s3/bucket:Bucket" in _types(document)
    assert _exports(document)["cwd"] == (tmp_path / path).parent.name


def test_the_module_option_runs_a_package_from_the_project(tmp_path):
    # runtime.options.module: run as ``python -m infra`` from main (the project folder by default), so the
    # package imports its siblings.
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime:\n  name: python\n  options:\n    module: infra\n")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "__init__.py").write_text("")
    (tmp_path / "infra" / "__main__.py").write_text("from helpers import NAME\n" + BUCKET_PROGRAM.replace(
        "'models'", "NAME"))
    (tmp_path / "helpers.py").write_text("NAME = 'features'\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    document = plan(tmp_path, "dev")
    assert any(r["urn"].endswith("::features") for r in document["deployment"]["resources"])
    assert not any(name == "infra" or name.startswith("infra.") or name == "helpers" for name in sys.modules)
    assert str(tmp_path) not in sys.path


def test_a_module_option_that_is_no_module_name_is_bad_input(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime:\n  name: python\n  options:\n    module: infra/app\n")
    with pytest.raises(MlinfraError, match=r"runtime.options.module: 'infra/app' is not a Python module name"):
        plan(tmp_path, "dev")
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime:\n  name: python\n  options:\n    module: infra\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    with pytest.raises(MlinfraError, match=r"^infra\.py: no such program$"):
        plan(tmp_path, "dev")
