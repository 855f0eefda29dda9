"""The GitHub Actions pipeline (.github/workflows/): linted with actionlint, and what must hold asserted."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
#: ``owner/repo[/path]@<40 hex> # vX.Y.Z``: the commit a release tag points to, and that tag.
PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$")
#: The commits the release tags point to (``git show-ref --tags``, peeled, in each action's repository).
RELEASES = {
    "actions/checkout": ("v7.0.1", "3d3c42e5aac5ba805825da76410c181273ba90b1"),
    "actions/setup-python": ("v7.0.0", "5fda3b95a4ea91299a34e894583c3862153e4b97"),
    "aws-actions/configure-aws-credentials": ("v6.2.3", "e6de054238d6b7531b4efff3b6587d9aade6a06c"),
    "github/codeql-action/upload-sarif": ("v4.36.2", "8aad20d150bbac5944a9f9d289da16a4b0d87c1e"),
    "actions/github-script": ("v8.0.0", "ed597411d8f924073f98dfc5c65a23a2325f34cd"),
    "pulumi/actions": ("v7.0.0", "8e5e406f4007fca908480587cb9893c07090f58d"),
}


def _load(path: Path) -> dict:
    # YAML 1.1 reads the key `on` as True; the workflow's triggers are under either.
    return yaml.safe_load(path.read_text())


def _actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    assert Path(found).is_file(), "actionlint is not installed: pip install -e '.[dev]'"
    return found


def _steps(workflow: dict):
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield name, job, step


def test_expected_workflows_exist():
    assert [p.name for p in FILES] == ["deploy-environment.yml", "deploy.yml", "pull-request.yml"]


def test_actionlint_passes_every_workflow():
    result = subprocess.run([_actionlint(), "-no-color", *map(str, FILES)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_actionlint_finds_a_real_mistake(tmp_path):
    # The linter is not a no-op here: a job needing one that does not exist and an unknown context.
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    needs: missing\n"
                   "    steps:\n      - run: echo ${{ secret.X }}\n")
    result = subprocess.run([_actionlint(), "-no-color", str(bad)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1
    assert "missing" in result.stdout and "secret" in result.stdout


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_release_commit(path):
    text = path.read_text()
    uses = re.findall(r"uses:\s*(\S+)(?:\s*#\s*(\S+))?", text)
    assert uses
    for ref, tag in uses:
        if ref.startswith("./"):
            continue  # a workflow of this repository, at the same commit
        assert PINNED.match(ref), f"{path.name}: {ref} is not pinned to a full commit SHA"
        action, sha = ref.split("@")
        assert (tag, sha) == RELEASES[action], f"{path.name}: {ref} # {tag}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_workflows_default_to_read_only_and_hold_no_long_lived_keys(path):
    workflow = _load(path)
    assert workflow["permissions"] == {"contents": "read"}
    text = path.read_text()
    for forbidden in ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "aws-access-key-id", "aws-secret-access-key",
                      "secrets.AWS", "PULUMI_ACCESS_TOKEN", "pull_request_target"):
        assert forbidden not in text, f"{path.name} mentions {forbidden}"


def test_deploy_jobs_assume_their_role_through_oidc_in_their_environment():
    workflow = _load(WORKFLOWS / "deploy-environment.yml")
    [(name, job)] = workflow["jobs"].items()
    assert job["environment"] == "${{ inputs.environment }}"
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert job["env"]["MLINFRA_PACK_WAIVERS"] == "on"  # the packs honour the waivers in preview and up
    [aws] = [s for _, _, s in _steps(workflow) if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]
    assert aws["with"]["role-to-assume"] == (
        "arn:aws:iam::${{ vars.AWS_ACCOUNT_ID }}:role/mlinfra-deploy-${{ inputs.environment }}")
    names = [s.get("name", s.get("uses", "")) for _, _, s in _steps(workflow)]
    order = [next(i for i, n in enumerate(names) if n.startswith(prefix))
             for prefix in ("Assume the deploy role", "Preflight", "Preview with the policy packs", "Deploy")]
    assert order == sorted(order)
    scripts = {s.get("name"): s.get("run", "") for _, _, s in _steps(workflow)}
    for step in ("Preview with the policy packs", "Deploy"):
        for pack in ("security", "privacy", "compliance"):
            assert f"--policy-pack policies/{pack} --policy-pack-config \"policies/config/$STACK/{pack}.json\"" \
                   in scripts[step]


def test_promotion_runs_dev_then_staging_then_prod():
    workflow = _load(WORKFLOWS / "deploy.yml")
    assert workflow[True] == {"push": {"branches": ["main"]}}
    jobs = workflow["jobs"]
    assert set(jobs) == {"dev", "staging", "prod"}
    assert "needs" not in jobs["dev"]
    assert jobs["staging"]["needs"] == "dev"
    assert jobs["prod"]["needs"] == "staging"  # prod cannot run without the staging job
    for env, job in jobs.items():
        assert job["uses"] == "./.github/workflows/deploy-environment.yml"
        assert job["with"] == {"environment": env}
        assert job["permissions"]["id-token"] == "write"
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_pull_request_reviews_diffs_uploads_and_comments_without_credentials():
    workflow = _load(WORKFLOWS / "pull-request.yml")
    assert workflow[True] == {"pull_request": {"branches": ["main"]}}
    review = workflow["jobs"]["review"]
    assert review["permissions"] == {"contents": "read", "security-events": "write", "pull-requests": "write"}
    assert "id-token" not in str(workflow)
    steps = review["steps"]
    run = "\n".join(s.get("run", "") for s in steps)
    assert "mlinfra review --deployment" in run
    assert 'mlinfra diff "${sides[@]}" --format markdown --output diff.md' in run
    assert "--report sarif=diff.sarif" in run
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "diff.sarif"
    assert any(s.get("uses", "").startswith("actions/github-script@") for s in steps)
    checkout = steps[0]
    assert checkout["with"]["fetch-depth"] == 0
