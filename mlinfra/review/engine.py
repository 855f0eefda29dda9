"""The review: run every policy pack over a deployment's resources and collect the violations."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Sequence

from mlinfra.errors import MlinfraError
from mlinfra.review.deployment import Resource, stack_of, urn_project
from mlinfra.review.pack_config import config_dir, effective_config, read_pack_config, require_configuration_for_prod
from mlinfra.review.protocol import START_TIMEOUT, PackProcess, _violations, analyze_requests, read_manifest
from mlinfra.review.result import ReviewResult, Violation
from policies.waivers import waivers_path

DEFAULT_PACKS = ("security", "privacy", "compliance")
"""Pack folders under ``policies/`` reviewed when no ``--policy-pack`` is given."""

def default_pack_dirs(project_dir: Path) -> list[Path]:
    return [Path(project_dir) / "policies" / name for name in DEFAULT_PACKS]


def _sort_key(v: Violation) -> tuple:
    return (not v.mandatory, v.pack, v.policy, v.urn, v.message)


def review(resources: Sequence[Resource], packs: Sequence[Path] | None, env: str | None, project_dir: Path, *,
           timeout: float = START_TIMEOUT, protocol: bool = False) -> ReviewResult:
    """Run every pack over ``resources`` and collect the violations.

    ``packs`` None means the default packs, whose environment must have a ``policies/config/<env>/``
    directory with a file per pack; explicit packs without one run on their defaults, unless the
    stack is prod tier (then its configuration is required). ``env`` None means the stack
    named in the URNs. By default each pack that can be loaded in-process is evaluated in this
    process (``mlinfra.review.inprocess``: the arguments the policy SDK builds, without a server);
    with ``protocol``, and for a pack that cannot be loaded, the pack runs as its own process over
    the analyzer protocol, as the engine runs it. Pack processes start, are configured and analyze
    in parallel.
    """
    chosen, env = env is not None, env or stack_of(resources)
    try:
        configs = config_dir(project_dir, env, required=packs is None)
    except MlinfraError as exc:
        if chosen:
            raise
        raise MlinfraError(f"{exc}; that is the stack named in the resources' URNs: choose the configuration "
                           "to review them against with --env ENV") from None
    require_configuration_for_prod(project_dir, env)
    pack_dirs = [Path(p) for p in (packs if packs is not None else default_pack_dirs(project_dir))]
    project = next((urn_project(r.urn) for r in resources if urn_project(r.urn)), "")
    for directory in pack_dirs:  # a folder that is no pack is named as such, before its configuration
        read_manifest(directory)
    user_configs = [read_pack_config(configs, d) for d in pack_dirs]
    # A malformed waivers file is bad input before any pack starts. Without one there is nothing to
    # waive, and the waivers module (pydantic) is not imported: most reviews have none.
    waivers = None
    if env is not None and waivers_path(project_dir, env).is_file():
        from mlinfra.waivers import load_waivers

        waivers = load_waivers(project_dir, env)
    urns = [r.urn for r in resources]
    known_urns = set(urns)
    root = next((r.urn for r in resources if r.type == "pulumi:pulumi:Stack"),
                f"urn:pulumi:{env}::{project}::pulumi:pulumi:Stack::{project}-{env}")
    loaded: list[Any] = []
    for directory in pack_dirs:
        if protocol:
            loaded.append(None)
        else:
            from mlinfra.review.inprocess import load_pack

            loaded.append(load_pack(directory)[0])

    # Leaving the ExitStack stops the packs first, which ends any call still in flight; then the pool joins.
    with ThreadPoolExecutor(max_workers=max(1, len(pack_dirs))) as pool, ExitStack() as stack:
        processes: dict[int, PackProcess] = {}
        for index, directory in enumerate(pack_dirs):
            if loaded[index] is None:
                process = PackProcess(directory, timeout=timeout)
                stack.callback(process.stop)
                process.start()
                processes[index] = process
        requests, stack_request = analyze_requests(resources) if processes else ([], b"")
        infos, configs_by_pack = [], []
        for index, (user_config, source) in enumerate(user_configs):
            if index in processes:
                info, initial = processes[index].connect(), processes[index].initial_config
            else:
                info, initial = loaded[index].info, loaded[index].initial_config
            config = effective_config(info.policies, user_config, initial_config=initial, source=source)
            if index in processes:
                processes[index].configure(config, stack=env or "", project=project)
            infos.append(info)
            configs_by_pack.append(config)
        enforcement = {info.name: {name: entry["enforcementLevel"] for name, entry in config.items()}
                       for info, config in zip(infos, configs_by_pack)}

        def run_pack(process: PackProcess) -> list[Violation]:
            found: list[Violation] = []
            for urn, response in zip(urns, process.analyze_all(requests, urns)):
                # The engine files every Analyze diagnostic under the analyzed resource.
                found.extend(_violations(process.info, response, lambda _, u=urn: u))
            stack_response = process.analyze_stack(stack_request, len(urns))
            found.extend(_violations(process.info, stack_response,
                                     lambda u: u if u in known_urns else root))
            return found

        running = {index: pool.submit(run_pack, process) for index, process in processes.items()}
        in_process = [index for index in range(len(pack_dirs)) if index not in processes]
        per_pack: dict[int, list[Violation]] = {}
        if in_process:
            from mlinfra.review.inprocess import evaluate

            found = evaluate([(loaded[i], configs_by_pack[i]) for i in in_process], resources, root, timeout)
            per_pack.update(zip(in_process, found))
        per_pack.update({index: future.result() for index, future in running.items()})
    found = [v for i in sorted(per_pack) for v in per_pack[i]]
    violations, waived, unused = _apply_waivers(found, waivers, root) if waivers is not None else (found, [], [])
    from mlinfra.coverage import coverage

    return ReviewResult(packs=infos, violations=sorted(violations, key=_sort_key), resources=len(resources),
                        env=env, enforcement=enforcement, waived=waived, unused_waivers=unused,
                        coverage=coverage(resources, infos, enforcement))


def _apply_waivers(found: list[Violation], waivers: Any, root: str) -> tuple[list[Violation], list, list]:
    """Take out the waived violations; an expired waiver becomes a mandatory violation on the stack."""
    from mlinfra.waivers import EXPIRED_POLICY, WAIVER_PACK, apply_waivers, expired_message

    outcome = apply_waivers(found, waivers)
    expired = [Violation(pack=WAIVER_PACK, policy=EXPIRED_POLICY, enforcement_level="mandatory", severity="medium",
                         urn=root, message=expired_message(w, waivers.source)) for w in outcome.expired]
    return outcome.remaining + expired, outcome.waived, outcome.unused
