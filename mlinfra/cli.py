"""The ``mlinfra`` command line: plan and review environments offline, estimate their monthly cost,
preflight them against AWS, and record the deployed feature groups after ``pulumi up``.

Exit codes: 0 success, 1 something blocks (a mandatory violation, a failed preflight check), 2 bad
input or a run that cannot start, reported as ``mlinfra: error: <message>`` on stderr, never as a
traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn, Sequence

from mlinfra.errors import MlinfraError

FORMATS = ("text", "json", "sarif", "markdown")


def _project_dir() -> Path:
    from mlinfra.plan import find_project

    return find_project(Path.cwd())


def _program_dir(args: argparse.Namespace) -> Path:
    """The Pulumi project to plan: ``--project DIR`` (e.g. bootstrap), else the repository's."""
    if args.project is None:
        return _project_dir()
    if not (args.project / "Pulumi.yaml").is_file():
        raise MlinfraError(f"--project {args.project}: no Pulumi.yaml in that directory")
    return args.project.resolve()


def _cmd_plan(args: argparse.Namespace) -> int:
    from mlinfra.plan import plan, render_summary

    deployment = plan(_program_dir(args), args.env, out=args.out)
    print(render_summary(deployment))
    if args.out:
        print(f"wrote {args.out}")
    return 0


def _cmd_review(args: argparse.Namespace) -> int:
    from mlinfra.review import run_review

    if args.env_positional is None and args.deployment is None:
        raise MlinfraError("give an environment to plan and review (mlinfra review dev) or --deployment FILE")
    if args.env_positional is not None and args.deployment is not None:
        raise MlinfraError("give an environment (mlinfra review dev) or --deployment FILE, not both")
    if args.project is not None and args.deployment is not None:
        raise MlinfraError("--project chooses the program to plan; a --deployment FILE is reviewed as it is")
    return run_review(
        project_dir=_project_dir(),
        env=args.env or args.env_positional,
        plan_env=args.env_positional,
        program_dir=_program_dir(args) if args.project is not None else None,
        deployment=args.deployment,
        packs=args.policy_pack or None,
        fmt=args.format,
        output=args.output,
    )


def _cmd_cost(args: argparse.Namespace) -> int:
    from mlinfra.cost import run_cost

    if (args.env is None) == (args.deployment is None):
        raise MlinfraError("give an environment to plan and estimate (mlinfra cost dev) or --deployment FILE"
                           if args.env is None else "give an environment or --deployment FILE, not both")
    return run_cost(project_dir=_project_dir(), env=args.env, deployment=args.deployment, prices=args.prices,
                    fmt=args.format, output=args.output)


def _cmd_preflight(args: argparse.Namespace) -> int:
    from mlinfra.preflight import run_preflight

    return run_preflight(project_dir=_project_dir(), env=args.env, endpoint_url=args.endpoint_url, fmt=args.format)


def _cmd_feature_lock(args: argparse.Namespace) -> int:
    from components.feature_store.lock import lock_path, write_lock
    from mlinfra.plan import load_stack_config, read_project

    project_dir = _project_dir()
    load_stack_config(project_dir, args.env)  # an unknown environment is bad input, as for plan
    if args.input is None:
        text, source = sys.stdin.read(), "standard input"
    else:
        try:
            text, source = args.input.read_text(encoding="utf-8"), str(args.input)
        except FileNotFoundError:
            raise MlinfraError(f"{args.input}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise MlinfraError(f"{args.input}: cannot read: {exc}") from None
    # The program reads the lock next to its feature-group specs (stacks/feature_groups/).
    path = lock_path(read_project(project_dir).main / "feature_groups", args.env)
    count = write_lock(path, text, source=source)
    print(f"wrote {path.relative_to(project_dir)} ({count} feature groups); commit it")
    return 0


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, ``mlinfra: error: ...`` with exit code 2, like all bad input."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"mlinfra: error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mlinfra",
        description="Plan and review ML platform environments offline, before `pulumi up`.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    plan = commands.add_parser("plan", help="run the stacks/ program offline and write the planned deployment")
    plan.add_argument("env", help="environment: the stack name of stacks/Pulumi.<env>.yaml")
    plan.add_argument("--out", type=Path, help="write the deployment (pulumi stack export format) to FILE")
    plan.add_argument("--project", type=Path, metavar="DIR",
                      help="plan the Pulumi project in DIR (e.g. bootstrap) instead of the repository's")
    plan.set_defaults(func=_cmd_plan)

    review = commands.add_parser("review", help="review a deployment against the policy packs")
    review.add_argument("env_positional", nargs="?", metavar="ENV", help="plan this environment, then review it")
    review.add_argument("--deployment", type=Path, metavar="FILE",
                        help="a `pulumi stack export` or `pulumi preview --json` file (or an mlinfra plan)")
    review.add_argument("--env", help="environment whose pack configuration applies (default: ENV, else the stack "
                                      "in the URNs)")
    review.add_argument("--project", type=Path, metavar="DIR",
                        help="plan ENV of the Pulumi project in DIR (e.g. bootstrap, with --env prod); the packs and "
                             "their configuration stay the repository's")
    review.add_argument("--policy-pack", type=Path, action="append", metavar="DIR",
                        help="policy pack directory (repeatable; default: the packs under policies/)")
    review.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    review.add_argument("--output", type=Path, metavar="FILE", help="write the report to FILE instead of stdout")
    review.set_defaults(func=_cmd_review)

    cost = commands.add_parser("cost", help="estimate the monthly cost of what a plan declares (offline)")
    cost.add_argument("env", nargs="?", metavar="ENV", help="plan this environment, then estimate it")
    cost.add_argument("--deployment", type=Path, metavar="FILE",
                      help="estimate a `pulumi stack export` or `pulumi preview --json` file (or an mlinfra plan)")
    cost.add_argument("--prices", type=Path, metavar="FILE",
                      help="prices replacing the repository's (catalog/data/aws-prices-us-east-1.json), key by key")
    cost.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                      help="output format (default: text)")
    cost.add_argument("--output", type=Path, metavar="FILE", help="write the estimate to FILE instead of stdout")
    cost.set_defaults(func=_cmd_cost)

    preflight = commands.add_parser("preflight", help="read-only AWS checks of capacity, quotas and references")
    preflight.add_argument("env", help="environment to plan and check")
    preflight.add_argument("--endpoint-url", metavar="URL", help="send every AWS call to URL (a local emulator)")
    preflight.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    preflight.set_defaults(func=_cmd_preflight)

    lock = commands.add_parser(
        "feature-lock", help="record the deployed feature groups (the featureStoreSchemas stack output) as the "
                             "lock the next plan checks changes against")
    lock.add_argument("env", help="environment whose lock to write: stacks/feature_groups/<env>.lock.json")
    lock.add_argument("--input", type=Path, metavar="FILE",
                      help="the output of `pulumi stack output featureStoreSchemas --json` (default: stdin)")
    lock.set_defaults(func=_cmd_feature_lock)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except MlinfraError as exc:
        print(f"mlinfra: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mlinfra: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
