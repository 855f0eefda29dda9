"""``mlinfra review``: plan (unless given a deployment), review, and print or write the report."""

from __future__ import annotations

import sys
from pathlib import Path

from mlinfra.documents import write_atomically
from mlinfra.errors import MlinfraError
from mlinfra.report import FORMATS, render
from mlinfra.review.deployment import load_resources, resources_from_document
from mlinfra.review.engine import review
from mlinfra.review.pack_config import config_dir
from mlinfra.review.protocol import START_TIMEOUT
from mlinfra.review.result import exit_code


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def run_review(*, project_dir: Path, env: str | None, deployment: Path | None, packs: list[Path] | None,
               fmt: str, output: Path | None, plan_env: str | None = None,
               timeout: float = START_TIMEOUT, program_dir: Path | None = None, protocol: bool = False) -> int:
    """``mlinfra review``: plan first unless ``deployment`` is given, review, print or write the report.

    ``env`` chooses the pack configuration; ``plan_env`` (default ``env``) the stack to plan, so
    ``mlinfra review dev --env prod`` reviews the dev plan against prod's configuration;
    ``program_dir`` (default ``project_dir``) is the Pulumi project planned; ``protocol`` runs every
    pack as its own process over the analyzer protocol (default: in-process where a pack allows it). Returns the
    exit code (0 no mandatory violation, 1 mandatory violations); bad input raises MlinfraError
    (exit code 2).
    """
    if fmt not in FORMATS:
        raise MlinfraError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if deployment is None:
        plan_env = plan_env or env
        if plan_env is None:
            raise MlinfraError("give an environment to plan and review, or --deployment FILE")
        config_dir(project_dir, env or plan_env, required=packs is None)
        from mlinfra.plan import plan

        resources = resources_from_document(plan(program_dir or project_dir, plan_env), f"plan of {plan_env}")
    else:
        resources = load_resources(deployment)
        if not resources:
            # A gate that judged nothing must not pass: a stack never deployed exports no resources.
            raise MlinfraError(f"{deployment}: no resources to review (an empty stack export or preview); review "
                               "the environment's plan instead (mlinfra review ENV)")
    result = review(resources, packs, env, project_dir, timeout=timeout, protocol=protocol)
    if deployment:
        result.source = _relative(deployment, project_dir)
    else:
        from mlinfra.project import read_project

        program = read_project(program_dir or project_dir)
        result.source = _relative(program.stack_config_dir / f"Pulumi.{plan_env}.yaml", project_dir)
    text = render(result, fmt)
    if fmt == "markdown":  # the PR comment ends with the plan's monthly cost estimate (docs/cost.md)
        from mlinfra.cost import markdown_section

        text = text.rstrip("\n") + "\n\n" + markdown_section(resources)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        write_atomically(Path(output), text, what="the report")
    return exit_code(result)
