"""The offline plan: run the ``stacks/`` program under Pulumi's mock runtime and export what it declares.

``plan(project_dir, env, out)`` reads ``Pulumi.yaml`` and ``stacks/Pulumi.<env>.yaml``, runs the
program with that configuration against a recording mock monitor, and returns (and optionally
writes) the resource graph in the format of ``pulumi stack export`` (version 3). The same code and
configuration always give a byte-identical file, so plans can be diffed in review. See docs/plan.md.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import heapq
import json
import os
import runpy
import re
import sys
import traceback
import uuid
from collections import Counter
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, Iterator, Mapping

import pulumi
from pulumi.runtime import settings
from pulumi.runtime.stack import massage

from mlinfra.documents import regular_or_absent, write_atomically
from mlinfra.errors import MlinfraError
from mlinfra.event_loops import program_loops
from mlinfra.mocks import SECRET_SIGNATURE, SIGNATURE_KEY, STACK_TYPE, RecordingMonitor, Registration, install_mocks
from mlinfra.project import (
    Project,
    StackConfig,
    load_stack_config,
    missing_config_message,
    read_project,
    shown_path,
)

PROVIDER_PREFIX = "pulumi:providers:"


class ProgramError(MlinfraError):
    """The program stopped: a ``pulumi.RunError`` (its message alone), a package it imports missing,
    invalid Python, or an exception in another project's program (at its file and line)."""


@contextlib.contextmanager
def _program_environment(project: Project, config: StackConfig, region: str) -> Iterator[None]:
    """What the CLI gives a program: ``StackConfig.program_variables``, cwd = the program's folder."""
    variables = config.program_variables(region)
    saved = {key: os.environ.get(key) for key in variables}
    os.environ.update(variables)
    try:
        with contextlib.chdir(project.main):
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_program(project_dir: Path, env: str) -> RecordingMonitor:
    """Run the program (``Project.program``) for stack ``env`` under the mocks; return the monitor once all settled.

    A ``pulumi.RunError`` from the program (a ``ConfigError`` among them) is raised as an
    ``MlinfraError`` carrying the program's message only; other exceptions propagate unchanged.
    """
    return _run(read_project(project_dir), env, load_stack_config(project_dir, env))


@contextlib.contextmanager
def _no_stack_traces() -> Iterator[None]:
    """While the program runs, register resources without the call stack the SDK captures for each.

    ``pulumi.runtime.resource._get_stack_trace`` walks the Python stack (``traceback.extract_stack``,
    reading every source file through ``linecache``) so the engine can show where a resource was
    declared; a plan records no source positions (``pulumi stack export`` has none), so that was
    0.05-0.13 s of a prod plan spent on data the mocks drop. The plan is byte-identical without it.
    """
    from pulumi.runtime import resource
    from pulumi.runtime.proto import source_pb2

    captured = getattr(resource, "_get_stack_trace", None)
    if captured is None:  # a Pulumi release without it: nothing to skip (tests/test_plan.py notices)
        yield
        return
    empty = source_pb2.StackTrace()
    resource._get_stack_trace = lambda: empty
    try:
        yield
    finally:
        resource._get_stack_trace = captured


#: The packages this distribution installs: one of them missing is an installation bug, not input.
_OWN_PACKAGES = frozenset({"mlinfra", "components", "catalog", "policies"})


_CHECKOUT = Path(__file__).resolve().parents[1]
#: This checkout's own programs: an exception in them is our bug, in any other program the program's.
_OUR_PROGRAMS = (_CHECKOUT / "stacks", _CHECKOUT / "bootstrap")
#: Our code an exception may pass through without being ours: what runs the program.
_RUNNER = (Path(__file__).resolve(), Path(__file__).resolve().with_name("event_loops.py"))
_OUR_CODE = tuple(_CHECKOUT / name for name in sorted(_OWN_PACKAGES))


def _foreign_failure(project: Project, exc: BaseException) -> str | None:
    """Where ``exc`` stopped the program of another project: ``file:line`` of its deepest frame in
    the program, else the program's file (an ``apply`` callback or an ``Output`` the SDK evaluates
    failed on a value missing offline). ``None`` for our own programs and for exceptions raised in
    our own code (the mocks, a component): those are bugs."""
    main = project.main.resolve()
    if any(main.is_relative_to(ours) for ours in _OUR_PROGRAMS):
        return None
    files = [(Path(frame.filename).resolve(), frame.lineno) for frame in traceback.extract_tb(exc.__traceback__)]
    if any(path not in _RUNNER and any(path.is_relative_to(p) for p in _OUR_CODE) for path, _ in files):
        return None
    inside = [(path, line) for path, line in files if path.is_relative_to(main)]
    if inside:
        return f"{shown_path(project, inside[-1][0])}:{inside[-1][1]}"
    if project.runtime == "yaml":  # the SDK failed on a value the template gave it
        from mlinfra.yaml_program import template_path

        return shown_path(project, template_path(project) or project.main)
    return shown_path(project, project.program)


def _local_modules(folder: Path) -> set[str]:
    """The top-level modules a program's folder provides: ``name.py`` and packages (``name/__init__.py``).

    (A folder without ``__init__.py`` is a namespace portion, which a regular package of that name
    elsewhere on ``sys.path`` beats: importlib's PathFinder, ``_bootstrap_external.PathFinder._get_spec``.)
    """
    names = set()
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if entry.suffix == ".py" and entry.stem.isidentifier() and entry.stem != "__main__":
                names.add(entry.stem)
            elif entry.is_dir() and entry.name.isidentifier() and (entry / "__init__.py").is_file():
                names.add(entry.name)
    return names


def _top(name: str) -> str:
    return name.partition(".")[0]


@contextlib.contextmanager
def _fresh_modules(project: Project) -> Iterator[None]:
    """The program imports its own modules as in a process of its own.

    The CLI starts a new Python process per run (the language host's ``pulumi-language-python-exec``
    calls ``runpy.run_path`` on the program's folder, which puts that folder first on ``sys.path``:
    pulumi/pulumi sdk/python/cmd/pulumi-language-python-exec). Here one process plans many programs,
    and ``sys.modules`` remembers: a second program's ``infra/`` package would be the first one's, and
    a program's own ``components/`` or ``catalog/`` package would be this distribution's (which mlinfra
    imports). So modules of those names are set aside while the program runs, and whatever the program
    imported from its project's folder is forgotten afterwards; the modules set aside come back.
    """
    local = _local_modules(project.main)
    saved = {name: module for name, module in sys.modules.items() if _top(name) in local}
    for name in saved:
        del sys.modules[name]
    before = set(sys.modules)
    folder, environment = project.main.resolve(), Path(sys.prefix).resolve()

    @functools.lru_cache(maxsize=None)  # a plan imports about a thousand modules from a few hundred folders
    def in_program(directory: str) -> bool:
        resolved = Path(directory).resolve()
        return resolved.is_relative_to(folder) and not resolved.is_relative_to(environment)  # a venv inside it

    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            where = getattr(sys.modules.get(name), "__file__", None)
            if _top(name) in local or (where is not None and in_program(os.path.dirname(where))):
                del sys.modules[name]
        sys.modules.update(saved)


def _run(project: Project, env: str, config: StackConfig) -> RecordingMonitor:
    if project.runtime not in ("python", "yaml", "nodejs"):
        # The mocks run a Python program in this process (a YAML template through the Python SDKs, a
        # Node.js program in node against the same monitor); other languages cannot be planned here.
        raise MlinfraError(f"Pulumi.yaml: runtime {project.runtime!r}: mlinfra plans Python, YAML and Node.js programs "
                           f"only; review a {project.runtime} program's `pulumi preview --json` (or `pulumi stack "
                           "export`) output with --deployment FILE")
    # The other languages' modules are imported only for their programs (a Python plan is timed against its floor).
    if project.runtime == "yaml":
        from mlinfra import yaml_program

        yaml_program.read_template(project)  # a missing or malformed template is bad input before the run
    elif project.runtime == "python" and not project.program.is_file():
        raise MlinfraError(f"{shown_path(project, project.program)}: no such program")
    # As a preview (dry run): an output the mocks leave out (a Kubernetes Service's status) is
    # unknown and callbacks on it are skipped, as the engine does, rather than a known None. A Node.js
    # program registers its own stack, so Python's is left out.
    region = config.get("aws:region", "us-east-1")
    monitor = install_mocks(project=project.name, stack=env, region=region, preview=True,
                            root_stack=project.runtime != "nodejs")
    if project.runtime == "nodejs":
        from mlinfra.node_program import run_node_program

        run_node_program(project, config, env, monitor)
        return monitor
    pulumi.runtime.set_all_config(dict(config), sorted(config.secret_keys))

    def program() -> None:
        if project.runtime == "yaml":
            yaml_program.run_template(project, config, env)
        elif project.module is None:
            runpy.run_path(str(project.main if project.program_file == "__main__.py" else project.program),
                           run_name="__main__")
        else:  # ``python -m``: the module is found from the working directory, first on sys.path
            sys.path.insert(0, str(project.main))
            try:
                runpy.run_module(project.module, run_name="__main__", alter_sys=True)
            finally:
                with contextlib.suppress(ValueError):
                    sys.path.remove(str(project.main))
        # What ``pulumi.runtime.stack.Stack._finish`` does at the end of a real run: under the
        # mocks the root stack was finished before the program ran, so its exports were never sent.
        stack = settings.get_root_resource()
        stack.register_outputs(massage(stack.outputs, []))

    with _program_environment(project, config, region), _fresh_modules(project), _no_stack_traces(), program_loops():
        try:
            pulumi.runtime.test(program)()
        except MlinfraError:
            raise
        except pulumi.ConfigMissingError as exc:
            raise ProgramError(missing_config_message(project, env, config, exc.key, exc.secret)) from None
        except pulumi.RunError as exc:
            raise ProgramError(str(exc)) from None
        except ModuleNotFoundError as exc:
            # A package the program imports and this environment lacks (pulumi_random, say) is the
            # environment's problem, not a bug of ours; one of our own packages missing is.
            missing = (exc.name or "").partition(".")[0]
            if not missing or missing in _OWN_PACKAGES:
                raise
            raise ProgramError(f"{shown_path(project, project.program)}: the program imports {exc.name}, "
                               f"which is not installed in this Python environment ({sys.executable}): install the "
                               "program's dependencies (its requirements.txt) there and plan again") from None
        except SyntaxError as exc:
            where = Path(exc.filename or project.program)
            raise ProgramError(f"{shown_path(project, where)}:{exc.lineno}: the program is not valid Python: "
                               f"{exc.msg}") from None
        except Exception as exc:
            where = _foreign_failure(project, exc)
            if where is None:
                raise
            # A None where the program expected a value is most often an optional key the stack file lacks
            # (pulumi/examples' aws-py-ec2-provisioners: config.get("publicKey")) or one only AWS knows:
            # say so. (Not a type named in the SDK's own messages: "Output[NoneType]" is no missing value.)
            missing = re.search(r"\bNone\b|'NoneType' object", str(exc)) or "Missing required property" in str(exc)
            hint = (" (a configuration key the program reads with get() and the stack file does not set, or a value "
                    "only the cloud knows, such as a lookup's result, missing offline: set the key, or review the "
                    "program's `pulumi preview --json` output with --deployment FILE instead)" if missing else "")
            # One line: the SDK's type checks write a message per level ("While processing input: ...").
            message = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            raise ProgramError(f"{where}: the program failed under the offline plan: {type(exc).__name__}: {message}"
                               f"{hint}") from None
    return monitor


def _plain(value: Any) -> Any:
    """A property value as the engine writes it: map keys sorted, whole numbers as integers,
    secrets in the ``--show-secrets`` form (``plaintext`` holds the value as JSON text)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        if value.get(SIGNATURE_KEY) == SECRET_SIGNATURE and "value" in value:
            return _secret(_plain(value["value"]))
        return {k: _plain(value[k]) for k in sorted(value)}
    return value


def _secret(plain_value: Any) -> dict[str, str]:
    plaintext = json.dumps(plain_value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {SIGNATURE_KEY: SECRET_SIGNATURE, "plaintext": plaintext}


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIGNATURE_KEY) == SECRET_SIGNATURE


def _outputs(registration: Registration) -> dict[str, Any]:
    outputs = _plain(registration.outputs)
    # The engine stores outputs named in additionalSecretOutputs as secrets.
    for key in registration.additional_secret_outputs:
        if key in outputs and not _is_secret(outputs[key]):
            outputs[key] = _secret(outputs[key])
    return outputs


def _provider_urn(reference: str) -> str:
    # A provider reference is "<urn>::<id>"; URNs themselves contain "::".
    return reference.rsplit("::", 1)[0] if reference else ""


def default_provider_name(version: str) -> str:
    """The engine's name for a default provider of ``version`` (``ProviderRequest.DefaultName``).

    ``default_7_51_0`` for 7.51.0; pre-release and build identifiers follow, each after an ``_``
    (``1.2.3-beta.1+exp.7`` gives ``default_1_2_3_beta_1_exp_7``); ``default`` without a version.
    """
    if not version:
        return "default"
    core, _, build = version.partition("+")
    core, _, pre = core.partition("-")
    identifiers = core.split(".") + (pre.split(".") if pre else []) + (build.split(".") if build else [])
    return "default_" + "_".join(identifiers)


def _default_providers(monitor: RecordingMonitor, project: str, stack: str,
                       config: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The default providers the engine would create for custom resources given no provider.

    Named like the engine's (``default_7_51_0`` for version 7.51.0), their inputs are the package's
    configuration (``aws:region`` -> ``region``) and ``version``; keyed by package and version.
    """
    providers: dict[str, dict[str, Any]] = {}
    for registration in monitor.registrations.values():
        if not registration.custom or registration.provider or registration.type.startswith(PROVIDER_PREFIX):
            continue
        package = registration.type.split(":")[0]
        key = f"{package}@{registration.version}"
        if key in providers:
            continue
        name = default_provider_name(registration.version)
        urn = f"urn:pulumi:{stack}::{project}::{PROVIDER_PREFIX}{package}::{name}"
        inputs = {k.split(":", 1)[1]: v for k, v in config.items() if k.startswith(package + ":")}
        if registration.version:
            inputs["version"] = registration.version
        provider_id = str(uuid.uuid5(uuid.NAMESPACE_URL, urn))
        providers[key] = {
            "urn": urn, "custom": True, "id": provider_id, "type": PROVIDER_PREFIX + package,
            "inputs": _plain(inputs), "outputs": _plain(inputs), "parent": "", "protect": False,
            "dependencies": [], "provider": "", "propertyDependencies": {},
        }
    return providers


def _resource(registration: Registration, provider: str) -> dict[str, Any]:
    # Field order follows the engine's ResourceV3, as `pulumi stack export` writes it.
    resource: dict[str, Any] = {"urn": registration.urn, "custom": registration.custom}
    if registration.custom:
        resource["id"] = registration.id
    resource.update({
        "type": registration.type,
        "inputs": _plain(registration.inputs),
        "outputs": _outputs(registration),
        "parent": registration.parent,
        "protect": registration.protect,
    })
    if registration.external:
        resource["external"] = True
    resource.update({
        "dependencies": list(registration.dependencies),
        "provider": provider,
        "propertyDependencies": {k: list(v) for k, v in sorted(registration.property_dependencies.items())},
    })
    if registration.additional_secret_outputs:
        resource["additionalSecretOutputs"] = sorted(registration.additional_secret_outputs)
    if registration.import_id:
        resource["importID"] = registration.import_id
    if registration.retain_on_delete:
        resource["retainOnDelete"] = True
    if registration.deleted_with:
        resource["deletedWith"] = registration.deleted_with
    if registration.ignore_changes:
        resource["ignoreChanges"] = sorted(registration.ignore_changes)
    if registration.replace_on_changes:
        resource["replaceOnChanges"] = sorted(registration.replace_on_changes)
    return resource


def _topological(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parents, providers and dependencies before their dependents; ties by URN, the stack first."""
    by_urn = {r["urn"]: r for r in resources}
    needs: dict[str, set[str]] = {}
    for r in resources:
        edges = {r["parent"], _provider_urn(r["provider"]), *r["dependencies"],
                 *(u for urns in r["propertyDependencies"].values() for u in urns)}
        needs[r["urn"]] = {u for u in edges if u in by_urn and u != r["urn"]}
    dependents: dict[str, list[str]] = {urn: [] for urn in by_urn}
    for urn, required in needs.items():
        for dependency in required:
            dependents[dependency].append(urn)
    key = {urn: (by_urn[urn]["type"] != STACK_TYPE, urn) for urn in by_urn}
    ready = [key[urn] for urn, required in needs.items() if not required]
    heapq.heapify(ready)
    ordered: list[dict[str, Any]] = []
    while ready:
        _, urn = heapq.heappop(ready)
        ordered.append(by_urn[urn])
        for dependent in dependents[urn]:
            needs[dependent].discard(urn)
            if not needs[dependent]:
                heapq.heappush(ready, key[dependent])
    if len(ordered) != len(resources):
        stuck = sorted(set(by_urn) - {r["urn"] for r in ordered})
        raise MlinfraError(f"dependency cycle among {len(stuck)} resources, starting at {stuck[0]}")
    return ordered


def _manifest() -> dict[str, str]:
    # Fixed values, not the clock: the same code and config must give a byte-identical plan.
    # ``magic`` is the engine's magic cookie for such a manifest: the SHA-256 of ``version``.
    cli_version = "v" + package_version("pulumi")
    magic = hashlib.sha256(cli_version.encode()).hexdigest()
    return {"time": "1970-01-01T00:00:00Z", "magic": magic, "version": cli_version}


def to_deployment(monitor: RecordingMonitor, project: str, stack: str,
                  config: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The recorded registrations as a ``pulumi stack export`` (version 3) document.

    Includes the stack, explicit providers and the default providers the engine would add
    (their inputs from ``config``); resources in a deterministic topological order.
    """
    defaults = _default_providers(monitor, project, stack, config or {})
    resources = list(defaults.values())
    for registration in monitor.registrations.values():
        provider = registration.provider
        if registration.custom and not provider and not registration.type.startswith(PROVIDER_PREFIX):
            default = defaults[f"{registration.type.split(':')[0]}@{registration.version}"]
            provider = f"{default['urn']}::{default['id']}"
        resources.append(_resource(registration, provider))
    return {"version": 3, "deployment": {"manifest": _manifest(), "resources": _topological(resources)}}


def dumps(deployment: Mapping[str, Any]) -> str:
    """The deployment as written to disk: indented by two, keys in the order built, final newline."""
    return json.dumps(deployment, indent=2, ensure_ascii=False) + "\n"


def plan(project_dir: Path, env: str, out: Path | None = None) -> dict[str, Any]:
    """Plan ``env`` offline; write the deployment to ``out`` (only if the program succeeds); return it."""
    project = read_project(project_dir)
    config = load_stack_config(project_dir, env)
    if out is not None:
        regular_or_absent(Path(out))  # before the run: a refusal costs nothing
    deployment = to_deployment(_run(project, env, config), project.name, env, config)
    if out is not None:
        write_atomically(Path(out), dumps(deployment), what="the plan")
    return deployment


def _label(resource: Mapping[str, Any]) -> str:
    return f"{resource['urn'].rsplit('::', 1)[1]}  {resource['type']}"


def render_summary(deployment: Mapping[str, Any]) -> str:
    """For the terminal: the tree of the stack and its components, each with the number of custom
    resources directly under it, then the number of resources of each type."""
    resources = deployment["deployment"]["resources"]
    stack = next((r for r in resources if r["type"] == STACK_TYPE), None)
    root = stack["urn"] if stack else ""
    components = {r["urn"]: r for r in resources if not r["custom"]}
    children: dict[str, list[str]] = {urn: [] for urn in components}
    owned: Counter[str] = Counter()
    for r in resources:
        # Resources without a parent (default providers) are shown under the stack.
        parent = r["parent"] if r["parent"] in components else root
        if r["custom"]:
            owned[parent] += 1
        elif r["urn"] != root and parent in children:
            children[parent].append(r["urn"])

    lines: list[str] = []

    def draw(urn: str, prefix: str, connector: str, below: str) -> None:
        count = owned[urn]
        lines.append(f"{prefix}{connector}{_label(components[urn])}  ({count} resource{'s' * (count != 1)})")
        kids = sorted(children[urn])
        for index, kid in enumerate(kids):
            last = index == len(kids) - 1
            draw(kid, prefix + below, "└─ " if last else "├─ ", "   " if last else "│  ")

    if stack:
        draw(root, "", "", "")
    by_type = Counter(r["type"] for r in resources if r["custom"])
    width = len(str(sum(by_type.values())))
    lines.append("")
    lines.append("Resources by type:")
    lines.extend(f"  {count:>{width}}  {type_}" for type_, count in sorted(by_type.items()))
    lines.append(f"  {sum(by_type.values()):>{width}}  total ({len(components)} components incl. the stack)")
    return "\n".join(lines)
