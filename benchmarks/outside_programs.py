"""Plan and review Pulumi programs nobody here wrote, and print what happened to each as a table.

The reality check behind several planner and rule fixes: other teams' and Pulumi's own example
programs (pulumi/examples, pulumi/pulumi-eks's and pulumi/pulumi-awsx's examples) planned offline
and reviewed by the packs. Every project found under the given directories (a folder with a
``Pulumi.yaml``) is planned with ``mlinfra plan outside --project DIR`` in a fresh process, then
reviewed with ``--env ENV`` (default prod). A row says whether it planned, its resources, its
mandatory and advisory violations, and the first line of the message when it did not plan. What
must hold: no internal error (exit code 70) and no rule that fails on a program ("can't run
policy"); a program that cannot plan offline stops with one line naming why (a package not
installed, a value the program rejects).

Configuration the program requires is filled in: each run that stops on a missing key names it, and
the next run gets a placeholder (``x-<key>``; ``2`` for counts, sizes and ports; ``false`` for flags;
an encrypted ``secure:`` value for a key Pulumi.yaml declares secret).
The placeholders live in ``Pulumi.outside.yaml``, written into the project's stack folder for the run
and removed afterwards (a project that already has one is skipped); it also sets ``aws:region``
(``--region``, default us-west-2), as the programs' own stack files are not read.

Node.js programs need their npm packages where node finds them (the project's or a parent folder's
``node_modules``: one shared folder above many examples works); Python programs need theirs in this
interpreter's environment. Nothing reaches the network.

Usage: ``.venv/bin/python benchmarks/outside_programs.py DIR [DIR ...] [--env prod] [--region us-west-2]
[--keep DIR]`` (``--keep`` writes every plan and review report there, to read the findings rule by rule)
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from mlinfra.errors import MlinfraError
from mlinfra.project import read_project

ROOT = Path(__file__).resolve().parent.parent
MLINFRA = Path(sys.executable).parent / "mlinfra"
STACK = "outside"
#: How the plan names a missing key: Python and Node.js programs (``project.missing_config_message``), keys
#: Pulumi.yaml declares without a default (``project._check_declared``) and a YAML template's own ``config:``
#: (``yaml_program``).
_MISSING = (re.compile(r"configuration key '([^']+)'"),
            re.compile(r"missing configuration values? ((?:'[^']+'(?:, )?)+)"),
            re.compile(r"config '([^']+)' has no value and no default"))
#: A key Pulumi.yaml declares secret must be given encrypted; offline a ``secure:`` value is a placeholder.
_SECRET = re.compile(r"configuration key '([^']+)' must be encrypted")
TRIES = 12


def projects(directories: list[Path]) -> list[Path]:
    """Every folder holding a Pulumi.yaml, in path order, outside node_modules."""
    found = {p.parent for d in directories for p in d.rglob("Pulumi.yaml") if "node_modules" not in p.parts}
    return sorted(found)


def placeholder(key: str) -> object:
    name = key.rsplit(":", 1)[-1].lower()
    if any(word in name for word in ("count", "size", "port", "number", "replicas")):
        return 2
    if name.startswith(("is", "enable", "use")):
        return False
    return f"x-{key.rsplit(':', 1)[-1]}"


def missing_keys(message: str) -> list[str]:
    """The configuration keys a failed plan's message says the stack lacks (none: it failed otherwise)."""
    for pattern in _MISSING:
        if match := pattern.search(message):
            return re.findall(r"'([^']+)'", match.group(1)) if match.re is _MISSING[1] else [match.group(1)]
    return []


def last_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("mlinfra:")] or stderr.splitlines()[-1:]
    return lines[-1][:300] if lines else ""


def plan(project: Path, out: Path, region: str) -> tuple[int, str, dict]:
    """Plan ``project`` as stack ``outside``, filling required keys; (exit code, message, config used)."""
    try:
        stack_file = read_project(project).stack_config_dir / f"Pulumi.{STACK}.yaml"
    except MlinfraError as exc:  # a Pulumi.yaml the plan would refuse too: its row says why
        return 2, f"mlinfra: error: {exc}", {}
    if stack_file.exists():
        return 2, f"{stack_file} exists: not overwritten", {}
    config: dict[str, object] = {}
    try:
        for _ in range(TRIES):
            values = {"aws:region": region, **config}
            stack_file.write_text("config:\n" + "".join(f"  {k}: {json.dumps(v)}\n" for k, v in values.items()))
            run = subprocess.run([str(MLINFRA), "plan", STACK, "--project", str(project), "--out", str(out)],
                                 capture_output=True, text=True, cwd=ROOT, timeout=600)
            if run.returncode == 2 and (secret := _SECRET.search(run.stderr)):
                config[secret.group(1)] = {"secure": "AAABAPLACEHOLDER"}
                continue
            keys = [k for k in missing_keys(run.stderr) if k not in config] if run.returncode == 2 else []
            if not keys:
                return run.returncode, last_line(run.stderr) if run.returncode else "", config
            config.update({k: placeholder(k) for k in keys})
        return 2, "gave up filling configuration keys", config
    finally:
        stack_file.unlink(missing_ok=True)


def review(deployment: Path, env: str) -> tuple[int, dict]:
    run = subprocess.run([str(MLINFRA), "review", "--deployment", str(deployment), "--env", env, "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    return run.returncode, json.loads(run.stdout) if run.returncode in (0, 1) else {"error": last_line(run.stderr)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directories", nargs="+", type=Path, help="folders searched for Pulumi projects")
    parser.add_argument("--env", default="prod", help="the pack configuration to review with (default prod)")
    parser.add_argument("--region", default="us-west-2", help="the aws:region every program is given")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="write each plan and review report there (<n>-<project>.plan.json, .review.json)")
    args = parser.parse_args()
    rows, rules, problems = [], Counter(), []
    with tempfile.TemporaryDirectory(prefix="mlinfra-outside-") as scratch:
        kept = args.keep or Path(scratch)
        kept.mkdir(parents=True, exist_ok=True)
        for index, project in enumerate(projects([d.resolve() for d in args.directories])):
            out = kept / f"{index}-{project.name}.plan.json"
            code, message, config = plan(project, out, args.region)
            name = project.name
            if code != 0:
                rows.append((name, "no", "", "", "", f"exit {code}: {message}"))
                if code not in (1, 2):
                    problems.append(f"{name}: plan exit {code}: {message}")
                continue
            resources = len(json.loads(out.read_text())["deployment"]["resources"])
            code, report = review(out, args.env)
            if "error" in report:
                rows.append((name, "yes", str(resources), "", "", f"review exit {code}: {report['error']}"))
                problems.append(f"{name}: review exit {code}: {report['error']}")
                continue
            (kept / f"{index}-{project.name}.review.json").write_text(json.dumps(report, indent=1))
            violations = report["violations"]
            broken = [v for v in violations if "can't run policy" in v["message"] or "Traceback" in v["message"]]
            problems += [f"{name}: {v['policy']} failed: {v['message'][:200]}" for v in broken]
            rules.update(v["policy"] for v in violations)
            mandatory = sum(v["enforcementLevel"] == "mandatory" for v in violations)
            filled = f"config filled: {', '.join(config)}" if config else ""
            rows.append((name, "yes", str(resources), str(mandatory), str(len(violations) - mandatory), filled))
    print("| project | planned | resources | mandatory | advisory | note |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    for row in rows:
        print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    planned = sum(row[1] == "yes" for row in rows)
    print(f"\n{planned} of {len(rows)} projects planned; internal errors and failing rules: {len(problems)}")
    for problem in problems:
        print(f"- {problem}")
    print("\nrules reported most often: " + ", ".join(f"{rule} ({n})" for rule, n in rules.most_common(12)))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
