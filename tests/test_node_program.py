"""Pulumi Node.js programs under the offline plan (mlinfra/node_program.py, mlinfra/node_runner.js): run in
Node.js with the SDKs of tests/node_programs/package-lock.json (make test installs them), against the same
monitor and mocks as a Python program."""

from __future__ import annotations

import json
import os
import re
import textwrap
from pathlib import Path

import pytest

from mlinfra.errors import MlinfraError
from mlinfra.plan import dumps, plan
from mlinfra.review.deployment import resources_from_document
from mlinfra.review.engine import review
from test_cli import assert_bad_input, mlinfra
from test_foreign_programs import EXPECTED, ORG_POLICY

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = Path(__file__).resolve().parent / "node_programs"
NODE_MODULES = PROGRAMS / "node_modules"


def _normalized(deployment: dict) -> str:
    """The plan with the aws provider's version and id (the Node.js and Python SDKs pin different releases,
    and the default provider's id is derived from its inputs) written as placeholders."""
    text = dumps(deployment)
    [provider] = [r for r in deployment["deployment"]["resources"] if r["type"] == "pulumi:providers:aws"]
    version = provider["inputs"]["version"]
    return (text.replace(provider["id"], "PROVIDER-ID").replace(version, "VERSION")
            .replace(version.replace(".", "_"), "VERSION"))


def test_a_typescript_program_plans_as_the_same_python_program():
    """Config (a secret among it), a lookup and a policy document through Outputs, `pulumi.interpolate`,
    options (protect, dependsOn), stack outputs: the two plans differ only in the provider's release."""
    typescript = plan(PROGRAMS / "parity" / "typescript", "dev")
    python = plan(PROGRAMS / "parity" / "python", "dev")
    assert _normalized(typescript) == _normalized(python)
    resources = {r["urn"].rsplit("::", 1)[1]: r for r in typescript["deployment"]["resources"]}
    assert resources["key"]["protect"] is True
    assert resources["database"]["inputs"]["password"]["plaintext"] == '"secret-not-decrypted-offline"'
    assert '"Resource": "arn:aws:s3:::' in resources["read"]["inputs"]["policy"]
    assert resources["node-parity-dev"]["outputs"]["bucket"] == resources["data"]["outputs"]["bucket"]


def test_a_typescript_kubernetes_program_plans_byte_for_byte_as_the_python_one():
    """Both SDKs pin pulumi-kubernetes 4.34.2, so nothing differs: the objects, their autonames, the
    namespace read from another object's output, the options."""
    typescript = plan(PROGRAMS / "kubernetes" / "typescript", "dev")
    assert dumps(typescript) == dumps(plan(PROGRAMS / "kubernetes" / "python", "dev"))
    found = {v.policy for v in review(resources_from_document(typescript, "plan"), None, "prod", ROOT).violations}
    assert {"k8s-no-privileged-containers", "k8s-no-privilege-escalation"} <= found


def _program(tmp_path: Path, source: str, *, name: str = "index.ts", options: str = "", region: bool = True) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Pulumi.yaml").write_text(f"name: theirs\nruntime:\n  name: nodejs\n{options}")
    if region:
        (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (tmp_path / "package.json").write_text('{"name": "theirs", "main": "%s"}' % name)
    (tmp_path / name).write_text(textwrap.dedent(source))
    (tmp_path / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    return tmp_path


def test_a_javascript_program_plans_and_is_reviewed(tmp_path):
    project = _program(tmp_path, """
        const aws = require("@pulumi/aws");
        new aws.ec2.SecurityGroup("open", {
            ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
        });
        """, name="index.js", options="  options:\n    typescript: false\n")
    document = plan(project, "dev")
    [group] = [r for r in document["deployment"]["resources"] if r["type"] == "aws:ec2/securityGroup:SecurityGroup"]
    assert group["inputs"]["ingress"][0]["cidrBlocks"] == ["0.0.0.0/0"]
    assert group["parent"] == "urn:pulumi:dev::theirs::pulumi:pulumi:Stack::theirs-dev"
    found = {v.policy for v in review(resources_from_document(document, "plan"), None, "prod", ROOT).violations}
    assert "security-group-no-public-admin-ingress" in found


def test_an_exception_in_the_program_is_its_failure_at_its_line(tmp_path):
    project = _program(tmp_path, """
        import * as aws from "@pulumi/aws";
        const bucket = new aws.s3.Bucket("data");
        throw new Error("the team forgot\\nsomething");
        """)
    with pytest.raises(MlinfraError) as error:
        plan(project, "dev")
    message = str(error.value)
    assert message.startswith(".: the program failed under the offline plan (")
    assert re.search(r"index\.ts:4:\d+\)?\): Error: the team forgot something$", message), message


def test_an_exception_in_an_apply_stops_the_plan_in_one_line(tmp_path):
    """Left unhandled, it is logged by the SDK's own handler and the language host would end the program; under
    the plan it once left node spinning, with its last line never written."""
    project = _program(tmp_path, """
        import * as aws from "@pulumi/aws";
        const bucket = new aws.s3.Bucket("data");
        export const name = bucket.arn.apply((arn) => { throw new Error(`no use for ${arn}`); });
        """)
    out = tmp_path / "plan.json"
    result = mlinfra("plan", "dev", "--project", str(project), "--out", str(out))
    assert_bad_input(result, ".: the program failed under the offline plan (")
    assert re.search(r"index\.ts:4:\d+\)?\): Error: no use for arn:aws:s3:::data-\w+$",
                     result.stderr.strip()), result.stderr
    assert not out.exists()


def test_a_lookup_answers_with_the_ids_a_python_programs_would_get(tmp_path):
    """pulumi-aws's Python service modules load lazily; the mocks read a function's result type from them
    (getVpc's id), so they are loaded for a Node.js program's lookups too."""
    project = _program(tmp_path, """
        import * as aws from "@pulumi/aws";
        const vpc = aws.ec2.getVpcOutput({ default: true });
        new aws.ec2.SecurityGroup("group", { vpcId: vpc.id });
        """)
    [group] = [r for r in plan(project, "dev")["deployment"]["resources"]
               if r["type"] == "aws:ec2/securityGroup:SecurityGroup"]
    assert re.fullmatch(r"vpc-\w+", group["inputs"]["vpcId"]), group["inputs"]


def test_a_resource_method_result_is_unknown_as_in_a_preview(tmp_path):
    """A component's method (@pulumi/eks's cluster.getKubeconfig() in pulumi-eks's examples) is a Call to its
    provider, which the plan does not run: the runner's monitor had no call ("monitor.call is not a function")."""
    project = _program(tmp_path, """
        import * as pulumi from "@pulumi/pulumi";
        import * as k8s from "@pulumi/kubernetes";
        const cluster = new pulumi.ComponentResource("eks:index:Cluster", "cluster", {}, {});
        const kubeconfig = pulumi.runtime.call<{ result: string }>("eks:index:Cluster/getKubeconfig",
            { "__self__": cluster }, cluster).apply((r) => r.result);
        new k8s.Provider("k8s", { kubeconfig });
        export const config = kubeconfig;
        """)
    resources = plan(project, "dev")["deployment"]["resources"]
    [provider] = [r for r in resources if r["type"] == "pulumi:providers:kubernetes"]
    assert provider["inputs"]["kubeconfig"] == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown
    assert resources[0]["outputs"]["config"] == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def test_without_a_configured_region_the_program_sees_the_mocks_region(tmp_path, monkeypatch):
    """No stack file: pulumi-aws's requireRegion() reads AWS_REGION, set to the region the mocks answer for."""
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    project = _program(tmp_path, """
        import * as aws from "@pulumi/aws";
        new aws.s3.Bucket("data", { tags: { region: aws.config.requireRegion() } });
        """, region=False)
    [bucket] = [r for r in plan(project, "dev")["deployment"]["resources"] if r["type"] == "aws:s3/bucket:Bucket"]
    assert bucket["inputs"]["tags"] == {"region": "us-east-1"}


def test_a_program_that_stops_with_requests_unanswered_reports_its_own_error(tmp_path):
    """Node ends at its first unhandled error while registrations are still on their way: answering one of
    them found the pipe closed (BrokenPipeError, an internal error), and the last line was never read."""
    project = _program(tmp_path, """
        import * as aws from "@pulumi/aws";
        const first = new aws.s3.Bucket("first");
        for (let i = 0; i < 300; i++) { new aws.s3.Bucket(`data-${i}`); }
        first.id.apply(() => { throw new Error("stopped early"); });
        """)
    with pytest.raises(MlinfraError, match=r"the program failed under the offline plan.*: Error: stopped early$"):
        plan(project, "dev")


def test_answers_are_written_whole_and_dropped_once_node_has_gone():
    import queue
    import threading

    import mlinfra.node_program as node_program

    read, write = os.pipe()
    answers = queue.SimpleQueue()
    for data in (b"x" * 100_000 + b"\n", b"y\n", None):  # the first more than a pipe holds
        answers.put(data)
    writer = threading.Thread(target=node_program._write_answers, args=(write, answers))
    writer.start()
    with os.fdopen(read, "rb") as reader:
        assert reader.readline() == b"x" * 100_000 + b"\n" and reader.readline() == b"y\n"
        writer.join()
        os.close(write)
        assert reader.read() == b""
    read, write = os.pipe()
    os.close(read)
    for data in (b"answer\n", b"another\n", None):
        answers.put(data)
    try:
        node_program._write_answers(write, answers)  # no BrokenPipeError: it returns at None
    finally:
        os.close(write)
    assert answers.empty()


def test_when_the_sdk_gives_up_itself_its_own_words_are_the_message(tmp_path):
    """No package.json and no index.ts: run() says so on stderr and calls process.exit(32) itself."""
    project = _program(tmp_path, "export const x = 1;\n")
    (project / "index.ts").unlink()
    (project / "package.json").unlink()
    with pytest.raises(MlinfraError, match=r"ended without a result \(exit code 32\): We failed to locate the entry "
                                           r"point for your program"):
        plan(project, "dev")


def test_a_main_file_that_does_not_exist_is_named_as_such(tmp_path):
    project = _program(tmp_path, "export const x = 1;\n")
    (project / "index.ts").unlink()
    with pytest.raises(MlinfraError, match=r"^\.: the program's file index\.ts does not exist$"):
        plan(project, "dev")


def test_node_is_stopped_when_the_plan_stops_before_its_last_line(tmp_path, monkeypatch):
    import mlinfra.node_program as node_program

    started = []
    popen = node_program.subprocess.Popen
    monkeypatch.setattr(node_program.subprocess, "Popen", lambda *a, **k: started.append(popen(*a, **k)) or started[-1])

    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(node_program, "_answer", interrupted)
    project = _program(tmp_path, 'import * as aws from "@pulumi/aws";\nnew aws.s3.Bucket("data");\n')
    with pytest.raises(KeyboardInterrupt):
        plan(project, "dev")
    assert started and started[0].returncode is not None


def test_a_required_configuration_key_missing_is_worded_as_for_a_python_program(tmp_path):
    node = _program(tmp_path / "node", """
        import * as pulumi from "@pulumi/pulumi";
        new pulumi.Config().requireSecret("dbPassword");
        """)
    python = tmp_path / "python"
    python.mkdir()
    (python / "Pulumi.yaml").write_text("name: theirs\nruntime: python\n")
    (python / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (python / "__main__.py").write_text("import pulumi\npulumi.Config().require_secret('dbPassword')\n")
    messages = []
    for project in (node, python):
        with pytest.raises(MlinfraError) as error:
            plan(project, "dev")
        messages.append(str(error.value))
    assert messages[0] == messages[1] == (
        "Pulumi.dev.yaml: the program requires the configuration key 'theirs:dbPassword', which is not set: add it "
        "under config (or run `pulumi config set --secret theirs:dbPassword <value>`)")


def test_an_es_module_program_is_transpiled_only_and_a_non_error_rejection_is_described(tmp_path):
    """ts-node's ESM hooks get none of run()'s options (cmd/run/hooks.js registers before initialize()): a type
    error stopped an ES module program that plans under CommonJS. What a worker thread throws is a plain object."""
    project = _program(tmp_path, """
        import * as aws from "@pulumi/aws";
        const count: number = "two";
        new aws.s3.Bucket("data", { tags: { count: String(count) } });
        Promise.reject(Object.assign(Object.create(null), { reason: "from a worker" }));
        """)
    (project / "package.json").write_text('{"name": "theirs", "main": "index.ts", "type": "module"}')
    (project / "tsconfig.json").write_text('{"compilerOptions": {"strict": true, "module": "nodenext"}}')
    with pytest.raises(MlinfraError) as error:
        plan(project, "dev")
    assert str(error.value).endswith("[Object: null prototype] { reason: 'from a worker' }"), str(error.value)


def test_a_package_the_program_needs_and_lacks_is_named(tmp_path):
    project = _program(tmp_path, """
        import * as gcp from "@pulumi/gcp";
        new gcp.storage.Bucket("data", { location: "EU" });
        """)
    out = tmp_path / "plan.json"
    assert_bad_input(mlinfra("plan", "dev", "--project", str(project), "--out", str(out)),
                     ".: the program needs @pulumi/gcp, which is not installed for it: install the program's "
                     "dependencies (npm install in its folder)")
    assert not out.exists()


def test_without_node_the_message_says_what_to_install(tmp_path, monkeypatch):
    project = _program(tmp_path, "export const x = 1;\n")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(MlinfraError, match=r"runtime 'nodejs': Node.js is not installed \(no node on PATH\)"):
        plan(project, "dev")


def test_the_lockfile_pins_the_sdks_the_tests_ran_with():
    lock = json.loads((PROGRAMS / "package-lock.json").read_text())
    pinned = {name.removeprefix("node_modules/"): entry["version"] for name, entry in lock["packages"].items()
              if name in ("node_modules/@pulumi/pulumi", "node_modules/@pulumi/aws", "node_modules/@pulumi/kubernetes")}
    installed = {name: json.loads((NODE_MODULES / name / "package.json").read_text())["version"] for name in pinned}
    assert pinned == installed == {"@pulumi/pulumi": "3.276.0", "@pulumi/aws": "7.48.0", "@pulumi/kubernetes": "4.34.2"}


@pytest.mark.parametrize("variant", ["compliant", "vulnerable"])
def test_a_foreign_typescript_program_is_judged_as_its_python_twin(variant):
    """tests/foreign_programs/sagemaker_endpoint in TypeScript (a ComponentResource class, pulumi.jsonStringify,
    pulumi.interpolate): the compliant variant breaks only this organisation's choices, the vulnerable one
    reports the seeds its Python twin must report."""
    document = plan(PROGRAMS / "foreign" / "sagemaker_endpoint" / variant, "prod")
    found = {v.policy for v in review(resources_from_document(document, "plan"), None, "prod", ROOT).violations
             if v.mandatory}
    if variant == "compliant":
        assert found - ORG_POLICY == set()
    else:
        assert EXPECTED["sagemaker_endpoint"] <= found
