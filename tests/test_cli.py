"""The command line as a user runs it: a subprocess, its exit code, one line on stderr, no traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def mlinfra(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlinfra.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's program and dev stack file, to break one thing in."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "policies" / "config", tmp_path / "policies" / "config")
    return tmp_path


def assert_bad_input(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert result.stderr.startswith("mlinfra: error: ")


def test_plan_writes_the_deployment_and_prints_the_tree(tmp_path):
    out = tmp_path / "dev.json"
    result = mlinfra("plan", "dev", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "mlinfra:network:Network" in result.stdout
    assert out.read_text().startswith('{\n  "version": 3,')


def test_plan_unknown_environment():
    assert_bad_input(mlinfra("plan", "qa"), "unknown environment 'qa': no stacks/Pulumi.qa.yaml (available: dev, prod, staging)")


def test_plan_malformed_stack_file(project):
    (project / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  mlinfra:tier: [dev\n")
    assert_bad_input(mlinfra("plan", "dev", cwd=project), "stacks/Pulumi.dev.yaml")


def test_plan_bad_config_value_names_file_key_value_and_allowed(project, tmp_path):
    stack = project / "stacks" / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text().replace("cidr: 10.10.0.0/16", "cidr: 10.0.0.0/8"))
    out = tmp_path / "never.json"
    result = mlinfra("plan", "dev", "--out", str(out), cwd=project)
    assert_bad_input(result, "stacks/Pulumi.dev.yaml: mlinfra:network.cidr = '10.0.0.0/8': "
                             "prefix length must be between /16 and /20")
    assert not out.exists(), "nothing half-written"


def test_no_project_found(tmp_path):
    assert_bad_input(mlinfra("plan", "dev", cwd=tmp_path), "Pulumi.yaml")


FOREIGN_PROGRAM = """\
import pulumi_aws as aws

aws.s3.BucketV2("data")
"""


@pytest.fixture
def foreign_project(tmp_path: Path) -> Path:
    """A team's own Pulumi project: a program and a stack file, no policy packs of its own."""
    (tmp_path / "Pulumi.yaml").write_text("name: theirs\nruntime:\n  name: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (tmp_path / "__main__.py").write_text(FOREIGN_PROGRAM)
    return tmp_path


def test_review_in_another_projects_folder_plans_it_against_this_checkouts_packs(foreign_project):
    result = mlinfra("review", "dev", "--env", "prod", "--format", "json", cwd=foreign_project)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert {v["urn"].split("::")[-1] for v in report["violations"]} >= {"data"}
    assert "s3-bucket-versioning" in {v["policy"] for v in report["violations"]}
    # The same with --project from anywhere, and a deployment reviewed outside any project.
    out = foreign_project / "plan.json"
    assert mlinfra("plan", "dev", "--out", str(out), cwd=foreign_project).returncode == 0
    elsewhere = foreign_project / "elsewhere"
    elsewhere.mkdir()
    by_file = mlinfra("review", "--deployment", str(out), "--env", "prod", "--format", "json", cwd=elsewhere)
    assert by_file.returncode == 1, by_file.stderr
    assert json.loads(by_file.stdout)["violations"] == report["violations"]


def test_a_foreign_program_failing_offline_is_named_at_its_line_not_an_internal_error(foreign_project):
    (foreign_project / "__main__.py").write_text(
        "import json\nimport pulumi_aws as aws\n\n"
        "secret = aws.secretsmanager.get_secret_version(secret_id='db')\n"
        "password = json.loads(secret.secret_string)['password']\n")
    assert_bad_input(mlinfra("review", "dev", cwd=foreign_project),
                     "__main__.py:5: the program failed under the offline plan: TypeError: the JSON object must be")


def test_lookups_plan_a_foreign_program_that_builds_on_them(foreign_project):
    (foreign_project / "__main__.py").write_text(
        "import pulumi_aws as aws\n\n"
        "vpc = aws.ec2.get_vpc(default=True)\n"
        "for i, subnet in enumerate(aws.ec2.get_subnets(filters=[{'name': 'vpc-id', 'values': [vpc.id]}]).ids):\n"
        "    aws.ec2.Instance(f'web{i}', ami='ami-0123456789abcdef0', instance_type='t3.micro', subnet_id=subnet)\n")
    out = foreign_project / "plan.json"
    result = mlinfra("plan", "dev", "--out", str(out), cwd=foreign_project)
    assert result.returncode == 0, result.stderr
    instances = [r for r in json.loads(out.read_text())["deployment"]["resources"] if r["type"] == "aws:ec2/instance:Instance"]
    assert len(instances) == 2 and all(r["inputs"]["subnetId"].startswith("subnet-") for r in instances)


def test_a_random_password_plans_as_a_secret_into_the_database(foreign_project):
    (foreign_project / "__main__.py").write_text(
        "import pulumi\nimport pulumi_aws as aws\nimport pulumi_random as random\n\n"
        "password = random.RandomPassword('db', length=24, special=False)\n"
        "db = aws.rds.Instance('db', engine='postgres', instance_class='db.t3.micro', allocated_storage=20,\n"
        "                      username='app', password=password.result, skip_final_snapshot=True)\n"
        "pulumi.export('dsn', pulumi.Output.concat('postgres://app:', password.result, '@db'))\n")
    out = foreign_project / "plan.json"
    result = mlinfra("plan", "dev", "--out", str(out), cwd=foreign_project)
    assert result.returncode == 0, result.stderr
    resources = {r["type"]: r for r in json.loads(out.read_text())["deployment"]["resources"]}
    secret = resources["aws:rds/instance:Instance"]["inputs"]["password"]
    # As the engine does with the provider's additionalSecretOutputs: secret wherever it flows.
    assert secret["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"
    assert len(json.loads(secret["plaintext"])) == 24
    assert "plaintext" in resources["pulumi:pulumi:Stack"]["outputs"]["dsn"]


def test_an_output_failing_offline_in_a_foreign_program_is_the_programs_failure(foreign_project):
    # db.allocated_storage is the number 20, and the SDK's concat of it fails in its own code.
    (foreign_project / "__main__.py").write_text(
        "import pulumi\nimport pulumi_aws as aws\n\n"
        "db = aws.rds.Instance('db', engine='postgres', instance_class='db.t3.micro', allocated_storage=20)\n"
        "pulumi.export('size', pulumi.Output.concat('size ', db.allocated_storage))\n")
    assert_bad_input(mlinfra("plan", "dev", cwd=foreign_project),
                     "__main__.py: the program failed under the offline plan: TypeError:")


def prod_findings(project: Path) -> set[tuple[str, str]]:
    """``(policy, resource name)`` of each violation a failing prod review of ``project`` reports."""
    result = mlinfra("review", "dev", "--env", "prod", "--format", "json", cwd=project)
    assert result.returncode == 1, result.stderr
    return {(v["policy"], v["urn"].split("::")[-1]) for v in json.loads(result.stdout)["violations"]}


def test_a_program_on_pulumi_eks_and_awsx_plans_and_its_cluster_and_load_balancer_are_reviewed(foreign_project):
    # The usual EKS program: awsx's VPC, pulumi-eks's Cluster and a managed node group given the
    # cluster itself (a resource passed as an input, which Pulumi's mock monitor could not echo back:
    # "attached to a different loop"). Both are multi-language components, opaque offline, so the
    # cluster controls judge the component's own inputs (pulumi-eks makes the endpoint public).
    (foreign_project / "__main__.py").write_text(
        "import pulumi\nimport pulumi_awsx as awsx\nimport pulumi_eks as eks\n\n"
        "vpc = awsx.ec2.Vpc('vpc', cidr_block='10.0.0.0/16')\n"
        "cluster = eks.Cluster('ml', vpc_id=vpc.vpc_id, private_subnet_ids=vpc.private_subnet_ids,\n"
        "                      instance_type='g5.xlarge', node_associate_public_ip_address=False)\n"
        "eks.ManagedNodeGroup('gpu', cluster=cluster, node_role_arn='arn:aws:iam::123456789012:role/nodes',\n"
        "                     instance_types=['g5.2xlarge'], scaling_config={'desired_size': 1, 'min_size': 0,\n"
        "                                                                   'max_size': 2})\n"
        "awsx.lb.ApplicationLoadBalancer('web', subnet_ids=vpc.public_subnet_ids)\n"
        "pulumi.export('kubeconfig', cluster.kubeconfig)\n")
    found = prod_findings(foreign_project)
    assert {("eks-endpoint-access", "ml"), ("eks-secrets-encryption", "ml"), ("eks-control-plane-logging", "ml"),
            ("lb-listener-https", "web"), ("lb-internal-unless-declared-public", "web")} <= found


def test_a_program_of_pulumi_eks_node_groups_and_awsx_services_is_judged_by_what_they_build(foreign_project):
    # Node groups, an ECS service, a network load balancer and a repository from the two component
    # libraries: opaque offline, so the rules judge what each builds from its inputs and defaults
    # (policies/rules/_components.py).
    (foreign_project / "__main__.py").write_text(
        "import pulumi\nimport pulumi_awsx as awsx\nimport pulumi_eks as eks\n\n"
        "cluster = eks.Cluster('ml', skip_default_node_group=True, authentication_mode='API')\n"
        "eks.NodeGroupV2('cpu', cluster=cluster, instance_type='m6i.large', node_public_key='ssh-ed25519 AAAA',\n"
        "                node_root_volume_encrypted=True, node_associate_public_ip_address=False)\n"
        "eks.ManagedNodeGroup('gpu', cluster=cluster, node_role_arn='arn:aws:iam::123456789012:role/nodes',\n"
        "                     instance_types=['g5.2xlarge'], remote_access={'ec2_ssh_key': 'ops'})\n"
        "awsx.ecs.FargateService('api', cluster='arn:aws:ecs:eu-west-1:123456789012:cluster/c',\n"
        "    network_configuration={'subnets': ['subnet-1'], 'security_groups': ['sg-1'], 'assign_public_ip': True},\n"
        "    task_definition_args={'container': {'name': 'app', 'image': 'nginx', 'privileged': True,\n"
        "                                        'user': '1000', 'readonly_root_filesystem': True}})\n"
        "awsx.lb.NetworkLoadBalancer('edge', subnet_ids=['subnet-1'], internal=True,\n"
        "    access_logs={'bucket': 'logs', 'enabled': True},\n"
        "    listener={'port': 443, 'protocol': 'TLS', 'certificate_arn': 'arn:aws:acm:eu-west-1:1:certificate/c'})\n"
        "awsx.ecr.Repository('images', image_tag_mutability='IMMUTABLE', force_delete=True)\n")
    found = prod_findings(foreign_project)
    assert {("eks-node-group-component-no-ssh", "cpu"), ("eks-node-group-component-no-ssh", "gpu"),
            ("launch-template-imdsv2", "cpu"), ("ecs-service-no-public-ip", "api"),
            ("ecs-task-no-privileged-containers", "api"), ("lb-listener-tls-policy", "edge"),
            ("ecr-scan-on-push", "images"), ("ecr-kms-encryption", "images")} <= found
    # What the inputs make compliant is not reported: encrypted, private nodes; a read-only, non-root
    # container; an internal load balancer with access logs; immutable tags.
    assert not {("launch-template-encrypted-volumes", "cpu"), ("ec2-no-public-ip", "cpu"),
                ("ecs-task-non-root-user", "api"), ("ecs-task-read-only-root-filesystem", "api"),
                ("lb-internal-unless-declared-public", "edge"), ("lb-access-logs", "edge"),
                ("ecr-image-tags-immutable", "images")} & found
    # No default node group: nothing judged as one on the cluster.
    assert not {policy for policy, name in found if name == "ml" and policy.startswith("launch-template")}


def test_a_converted_program_calling_terraforms_functions_plans_and_reviews(foreign_project):
    # `pulumi convert --from terraform` writes std.file(...) and std.cidrsubnet(...) calls.
    (foreign_project / "admin.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}')
    (foreign_project / "__main__.py").write_text(
        "import pulumi_aws as aws\nimport pulumi_std as std\n\n"
        "vpc = aws.ec2.Vpc('main', cidr_block='10.0.0.0/16')\n"
        "for i in range(2):\n"
        "    aws.ec2.Subnet(f'private-{i}', vpc_id=vpc.id,\n"
        "                   cidr_block=std.cidrsubnet(input='10.0.0.0/16', newbits=8, netnum=i).result)\n"
        "aws.iam.Policy('admin', policy=std.file(input='admin.json').result)\n")
    result = mlinfra("review", "dev", "--env", "prod", "--format", "json", cwd=foreign_project)
    assert result.returncode == 1, result.stderr
    assert "iam-no-full-admin-policy" in {v["policy"] for v in json.loads(result.stdout)["violations"]}
    out = foreign_project / "plan.json"
    assert mlinfra("plan", "dev", "--out", str(out), cwd=foreign_project).returncode == 0
    subnets = [r for r in json.loads(out.read_text())["deployment"]["resources"] if r["type"] == "aws:ec2/subnet:Subnet"]
    assert sorted(r["inputs"]["cidrBlock"] for r in subnets) == ["10.0.0.0/24", "10.0.1.0/24"]
    # A file the program reads and does not have: the provider's error, at the program's line.
    (foreign_project / "admin.json").unlink()
    assert_bad_input(mlinfra("plan", "dev", cwd=foreign_project),
                     "__main__.py:8: the program failed under the offline plan: Exception: invoke of std:index:file "
                     "failed: file(admin.json) failed to read the contents because the file does not exist")


def test_a_program_in_another_language_is_bad_input(foreign_project):
    (foreign_project / "Pulumi.yaml").write_text("name: theirs\nruntime: go\n")
    assert_bad_input(mlinfra("review", "dev", "--project", str(foreign_project)),
                     "Pulumi.yaml: runtime 'go': mlinfra plans Python, YAML and Node.js programs only; review a go "
                     "program's `pulumi preview --json`")


def test_review_needs_an_environment_or_a_deployment():
    assert_bad_input(mlinfra("review"), "give an environment")


def test_unknown_command_and_format_are_usage_errors_on_one_line():
    assert_bad_input(mlinfra("deploy"), "argument COMMAND: invalid choice: 'deploy'")
    result = mlinfra("review", "dev", "--format", "html")
    assert_bad_input(result, "mlinfra review: argument --format: invalid choice: 'html'")
    assert result.stderr.count("\n") == 1


FEATURE_OUTPUT = {"customer-profile": {
    "recordIdentifier": "customer_id", "eventTime": "event_time",
    "features": [{"name": "customer_id", "type": "String"}, {"name": "event_time", "type": "Fractional"}],
    "store": {"onlineStore": True, "storageType": "Standard", "offlineStore": True, "tableFormat": "Glue",
              "restricted": True},
}}


def test_feature_lock_records_the_stack_output_next_to_the_specs(project):
    # As after `pulumi up`: the stack output piped in, the lock written where the program reads it.
    result = subprocess.run([sys.executable, "-m", "mlinfra.cli", "feature-lock", "dev"], cwd=project,
                            input=json.dumps(FEATURE_OUTPUT), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrote stacks/feature_groups/dev.lock.json (1 feature groups); commit it\n"
    lock = json.loads((project / "stacks" / "feature_groups" / "dev.lock.json").read_text())
    assert lock["version"] == 2 and lock["groups"]["customer-profile"]["store"]["restricted"] is True
    # Written through a temporary file and a rename: nothing else is left next to it.
    assert sorted(p.name for p in (project / "stacks" / "feature_groups").iterdir() if p.name.startswith(".")) == []
    # The next plan reads it: the spec's Iceberg table would need a new group (the lock says Glue).
    assert_bad_input(mlinfra("plan", "dev", cwd=project),
                     "feature group 'customer-profile' (stacks/feature_groups/dev.lock.json): the change changes "
                     "the offline table format from Glue to Iceberg.")


def test_feature_lock_bad_input(project, tmp_path):
    broken = tmp_path / "output.json"
    broken.write_text('{"customer-profile": {"features": []}}')
    assert_bad_input(mlinfra("feature-lock", "dev", "--input", str(broken), cwd=project),
                     f"{broken}: not the featureStoreSchemas stack output (group 'customer-profile': missing")
    assert_bad_input(mlinfra("feature-lock", "dev", "--input", str(tmp_path / "nope.json"), cwd=project),
                     f"{tmp_path / 'nope.json'}: no such file")
    assert_bad_input(mlinfra("feature-lock", "qa", "--input", str(broken), cwd=project), "unknown environment 'qa'")
    assert not (project / "stacks" / "feature_groups" / "dev.lock.json").exists()


def test_plan_to_a_path_that_cannot_be_written_is_bad_input(tmp_path):
    taken = tmp_path / "dev.json"
    taken.mkdir()  # a folder where the file should go
    assert_bad_input(mlinfra("plan", "dev", "--out", str(taken)), f"{taken}: is a directory; refusing to replace it with a regular file")
    assert [p.name for p in tmp_path.iterdir()] == ["dev.json"]  # no temporary file left behind


def test_review_needs_exactly_one_of_an_environment_and_a_deployment(tmp_path):
    assert_bad_input(mlinfra("review"), "give an environment to plan and review (mlinfra review dev) or "
                                        "--deployment FILE")
    assert_bad_input(mlinfra("review", "dev", "--deployment", str(tmp_path / "x.json")),
                     "give an environment (mlinfra review dev) or --deployment FILE, not both")
