"""The ``mlinfra`` command line: plan and review environments offline, estimate their monthly cost,
preflight them against AWS, and record the deployed feature groups after ``pulumi up``.

Exit codes, the same for every command:

- 0: pass (no mandatory violation, every preflight check passed, the file was written)
- 1: blocked: mandatory policy violations (``review``), new ones (``diff``) or failed checks (``preflight``)
- 2: bad input, or a run that cannot start: one line ``mlinfra: error: <message>`` on stderr
- 70: internal error, a bug in mlinfra (``EX_SOFTWARE`` of sysexits.h): one line
  ``mlinfra: internal error: ...`` saying where to report it; the traceback only with
  ``MLINFRA_DEBUG=1``
- 128 + N: stopped by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP) after stopping the policy
  packs and removing temporary files: one line ``mlinfra: interrupted by SIG...``

Nothing else reaches stderr: never a traceback unless ``MLINFRA_DEBUG`` is set.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import NoReturn, Sequence

# Nothing heavy at import (no Pulumi): the stop signals are handled as soon as console() starts.
from mlinfra import interrupts
from mlinfra.errors import MlinfraError

EXIT_OK = 0
EXIT_BLOCKED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70
"""``EX_SOFTWARE``: an internal error, never a verdict about the reviewed change."""

REPORT_TO = "README.md, 'Reporting a problem'"
"""Where an internal error tells the user to report it."""

FORMATS = ("text", "json", "sarif", "markdown")


def _project_dir() -> Path:
    from mlinfra.project import find_project

    return find_project(Path.cwd())


def _review_home(args: argparse.Namespace) -> Path:
    """Where a review finds its policy packs and their configuration (``policies/``): the project
    around the working directory when it has them, else the checkout this mlinfra runs from, so a
    review started in another project's folder (or anywhere) still applies the packs. With
    ``--policy-pack``, the packs are the ones named, configured from the working directory's project."""
    if args.policy_pack:
        return _project_dir()
    try:
        project: Path | None = _project_dir()
    except MlinfraError:
        project = None
    if project is not None and (project / "policies" / "config").is_dir():
        return project
    own = Path(__file__).resolve().parents[1]
    if (own / "policies" / "config").is_dir():
        return own
    return project if project is not None else _project_dir()


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
    if args.deployment is not None:  # no program runs here: only policy packs, which rarely need these
        from mlinfra.deferred_imports import defer_unused_sdk_modules

        defer_unused_sdk_modules()
    from mlinfra.review.command import run_review

    if args.env_positional is None and args.deployment is None:
        raise MlinfraError("give an environment to plan and review (mlinfra review dev) or --deployment FILE")
    if args.env_positional is not None and args.deployment is not None:
        raise MlinfraError("give an environment (mlinfra review dev) or --deployment FILE, not both")
    if args.project is not None and args.deployment is not None:
        raise MlinfraError("--project chooses the program to plan; a --deployment FILE is reviewed as it is")
    return run_review(
        project_dir=_review_home(args),
        env=args.env or args.env_positional,
        plan_env=args.env_positional,
        program_dir=_program_dir(args) if args.env_positional is not None else None,
        deployment=args.deployment,
        packs=args.policy_pack or None,
        fmt=args.format,
        output=args.output,
        protocol=args.protocol,
    )


def _cmd_cost(args: argparse.Namespace) -> int:
    from mlinfra.cost import run_cost

    if (args.env is None) == (args.deployment is None):
        raise MlinfraError("give an environment to plan and estimate (mlinfra cost dev) or --deployment FILE"
                           if args.env is None else "give an environment or --deployment FILE, not both")
    return run_cost(project_dir=_project_dir(), env=args.env, deployment=args.deployment, prices=args.prices,
                    fmt=args.format, output=args.output)


def _cmd_diff(args: argparse.Namespace) -> int:
    from mlinfra.diff_command import run_diff

    return run_diff(project_dir=_project_dir(), sides=args.sides, env=args.env, packs=args.policy_pack or None,
                    fmt=args.format, output=args.output, reports=args.report or ())


def _cmd_graph(args: argparse.Namespace) -> int:
    from mlinfra.graph import render, stack_graph
    from mlinfra.review import load_resources, resources_from_document

    if (args.env is None) == (args.deployment is None):
        raise MlinfraError("give an environment to plan (mlinfra graph dev) or --deployment FILE")
    if args.deployment is not None:
        resources, name = load_resources(args.deployment), str(args.deployment)
    else:
        from mlinfra.plan import plan

        resources = resources_from_document(plan(_program_dir(args), args.env), f"plan of {args.env}")
        name = args.env
    text = render(stack_graph(resources, include_resources=args.resources), args.format, name)
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise MlinfraError(f"{args.output}: cannot write the graph: {exc.strerror or exc}") from None
    return 0


def _cmd_preflight(args: argparse.Namespace) -> int:
    from mlinfra.preflight import run_preflight

    return run_preflight(project_dir=_project_dir(), env=args.env, endpoint_url=args.endpoint_url, fmt=args.format)


def _cmd_feature_lock(args: argparse.Namespace) -> int:
    from components.feature_store.lock import lock_path, lock_text
    from mlinfra.documents import decode, parse_json, read_text, write_atomically
    from mlinfra.project import load_stack_config, read_project

    project_dir = _project_dir()
    load_stack_config(project_dir, args.env)  # an unknown environment is bad input, as for plan
    if args.input is None:
        source = "standard input"
        text = decode(sys.stdin.buffer.read(), source)
    else:
        source = str(args.input)
        text = read_text(args.input, source)
    parse_json(text, source)  # encoding, nesting and numbers as for every document; the shape below
    # The program reads the lock next to its feature-group specs (stacks/feature_groups/).
    path = lock_path(read_project(project_dir).main / "feature_groups", args.env)
    lock, count = lock_text(text, source=source)
    write_atomically(path, lock, what="the lock")
    print(f"wrote {path.relative_to(project_dir)} ({count} feature groups); commit it")
    return 0


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, ``mlinfra: error: ...`` with exit code 2, like all bad input."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"mlinfra: error: {self.prog}: {message} (see {self.prog} --help)\n")


class _VersionAction(argparse.Action):
    """``--version``: the installed version, looked up only when asked (importlib.metadata costs
    tens of milliseconds to import, which every other command would pay)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> NoReturn:
        print(f"mlinfra {_version()}")  # on stdout, as argparse's own version action prints it
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mlinfra",
        description="Plan and review ML platform environments offline, before `pulumi up`.",
        epilog="exit codes: 0 pass, 1 mandatory violations or failed checks, 2 bad input, 70 internal error, "
               "128+N stopped by signal N",
    )
    parser.add_argument("--version", action=_VersionAction)
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
    review.add_argument("--protocol", action="store_true",
                        help="run every pack as its own process over the analyzer protocol, as the Pulumi "
                             "engine does (default: evaluate packs in this process, same results, faster)")
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

    diff = commands.add_parser(
        "diff", help="compare two plans: resources added, changed, removed; violations new, fixed, waived")
    diff.add_argument("sides", nargs="+", metavar="BASE HEAD",
                      help="pairs of sides, each a plan file or ENV@GITREF (planned from a temporary git worktree "
                           "of that ref), e.g. prod@origin/main plans/prod.json; several pairs, one per environment")
    diff.add_argument("--env", help="environment whose pack configuration and waivers apply to plan-file sides "
                                    "(default: the pair's ENV@GITREF, else the stack in the URNs)")
    diff.add_argument("--policy-pack", type=Path, action="append", metavar="DIR",
                      help="policy pack directory for plan-file sides (repeatable; default: the packs under policies/)")
    diff.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    diff.add_argument("--output", type=Path, metavar="FILE", help="write the report to FILE instead of stdout")
    diff.add_argument("--report", action="append", metavar="FORMAT=FILE",
                      help="also write the report in FORMAT to FILE (repeatable), e.g. sarif=diff.sarif")
    diff.set_defaults(func=_cmd_diff)

    graph = commands.add_parser("graph", help="the stack's components as a Mermaid or DOT diagram")
    graph.add_argument("env", nargs="?", help="environment to plan and draw")
    graph.add_argument("--deployment", type=Path, metavar="FILE", help="draw this deployment file instead")
    graph.add_argument("--project", type=Path, metavar="DIR", help="plan the Pulumi project in DIR (e.g. bootstrap)")
    graph.add_argument("--format", choices=("mermaid", "dot"), default="mermaid", help="diagram format (default: "
                                                                                          "mermaid)")
    graph.add_argument("--resources", action="store_true", help="draw every resource, not only the components")
    graph.add_argument("--output", type=Path, metavar="FILE", help="write the diagram to FILE instead of stdout")
    graph.set_defaults(func=_cmd_graph)

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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mlinfra")
    except PackageNotFoundError:  # run from a source tree that was never installed
        from mlinfra import __version__

        return __version__


def _stderr():
    # After a stop signal sys.stderr is a sink (mlinfra.interrupts); our own line goes to the real one.
    return sys.__stderr__ if interrupts.received() is not None else sys.stderr


def _debug() -> bool:
    return bool(os.environ.get("MLINFRA_DEBUG"))


def _internal_error(exc: BaseException) -> int:
    if _debug():
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    detail = " ".join(str(exc).split())
    what = type(exc).__name__ + (f": {detail[:200]}" if detail else "")
    print(f"mlinfra: internal error: {what} (a bug in mlinfra, not in your input; rerun with MLINFRA_DEBUG=1 "
          f"for the traceback and report it: {REPORT_TO})", file=_stderr())
    return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (see the module docstring). Usage errors exit 2 from argparse."""
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
    except BaseException as exc:  # noqa: BLE001 the guard: every outcome becomes one line and an exit code
        interruption = interrupts.as_interruption(exc)
        if interruption is not None:
            print(f"mlinfra: {interruption}", file=_stderr())
            return interruption.exit_code
        if isinstance(exc, MlinfraError):
            print(f"mlinfra: error: {exc}", file=_stderr())
            return exc.exit_code
        if isinstance(exc, SystemExit):
            raise
        return _internal_error(exc)
    signum = interrupts.received()
    if signum is not None:  # the signal landed where nothing raised it (after the work was done)
        interruption = interrupts.Interrupted(signum)
        print(f"mlinfra: {interruption}", file=_stderr())
        return interruption.exit_code
    return code


def console() -> NoReturn:
    """The ``mlinfra`` console script: ``main()`` with the stop signals handled and the event loop closed.

    It ends with ``os._exit`` once stdout and stderr are flushed, skipping the interpreter's
    finalization: that takes about a second after a plan (collecting the modules and objects the
    program built), and restores the default signal handlers first, so a signal landing then would
    kill the process without its line and exit code. Every file was closed and every pack process
    stopped before; nothing is left for finalization to do.

    It also turns the cyclic garbage collector off for the process: a command is one short run whose
    memory the exit returns, and collection passes over the hundreds of thousands of objects the
    Pulumi and provider modules create cost about a fifth of a plan. Only here: ``main()`` (what tests
    call) leaves collection as it is.
    """
    gc.disable()
    interrupts.install()
    try:
        code = main()
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_BAD_INPUT)
    except BaseException as exc:  # noqa: BLE001 a signal between main()'s guard and here
        interruption = interrupts.as_interruption(exc)
        if interruption is None:
            code = _internal_error(exc)
        else:
            print(f"mlinfra: {interruption}", file=_stderr())
            code = interruption.exit_code
    interrupts.stop_raising()  # from here on a signal is only recorded
    try:
        from mlinfra.event_loops import close_main_loop

        close_main_loop()
        sys.stdout.flush()
    except Exception:  # noqa: BLE001 stdout closed by the reader (a pipe to head): the code stands
        pass
    # The last look at the signals: one landing after it (the few instructions to os._exit) changes
    # nothing, as if it came after the exit; the command had finished its work.
    signum = interrupts.received()
    if signum is not None and code < 128:  # the signal landed after main() had finished
        code = 128 + signum
        print(f"mlinfra: {interrupts.Interrupted(signum)}", file=_stderr())
    for stream in (sys.__stderr__, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    os._exit(code)


if __name__ == "__main__":
    console()
