"""A Pulumi project as the CLI reads it: ``Pulumi.yaml`` and the stack files' configuration.

No Pulumi import: the reviewer reads a project's stack configuration (which tier an environment is)
without loading the SDK; ``mlinfra.plan`` runs the program with what this module reads.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from mlinfra.documents import parse_yaml, read_text
from mlinfra.errors import MlinfraError

#: What a ``secure:`` config value becomes offline, where it cannot be decrypted: letters and hyphens
#: only, so it passes validators of names, tags and free text (a secret tag value plans offline);
#: a number, CIDR or enum cannot be secret offline, and the error then shows this value under its key.
SECRET_PLACEHOLDER = "secret-not-decrypted-offline"
_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class Project:
    """What ``Pulumi.yaml`` says: the project name, the program's folder and the stack files' folder."""

    directory: Path
    name: str
    main: Path
    stack_config_dir: Path
    #: The language runtime (``runtime`` or ``runtime.name``): ``python`` for the programs mlinfra plans.
    runtime: str = "python"


class StackConfig(dict[str, str]):
    """A stack's configuration as the CLI hands it to the program; ``secret_keys`` were ``secure:``."""

    def __init__(self, values: Mapping[str, str], secret_keys: frozenset[str] = frozenset()) -> None:
        super().__init__(values)
        self.secret_keys = secret_keys


def find_project(start: Path) -> Path:
    """The nearest directory at or above ``start`` that holds ``Pulumi.yaml``."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / "Pulumi.yaml").is_file():
            return directory
    raise MlinfraError(f"no Pulumi.yaml in {start} or any parent directory")


def _read_yaml(path: Path, shown: str) -> Any:
    return parse_yaml(read_text(path, shown), shown)


def read_project(project_dir: Path) -> Project:
    """Read ``Pulumi.yaml``: ``name``, ``runtime``, ``main`` (default: the project folder), ``stackConfigDir``."""
    project_dir = Path(project_dir).resolve()
    data = _read_yaml(project_dir / "Pulumi.yaml", "Pulumi.yaml")
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise MlinfraError("Pulumi.yaml: must be a mapping with a 'name'")
    runtime = data.get("runtime")
    runtime = runtime.get("name") if isinstance(runtime, dict) else runtime
    return Project(
        runtime=runtime if isinstance(runtime, str) else "python",
        directory=project_dir,
        name=data["name"],
        main=(project_dir / str(data.get("main") or ".")).resolve(),
        stack_config_dir=(project_dir / str(data.get("stackConfigDir") or ".")).resolve(),
    )


def stack_file(project: Project, env: str) -> Path:
    """The stack file of ``env``: ``Pulumi.<env>.yaml`` in the project's stack folder."""
    return project.stack_config_dir / f"Pulumi.{env}.yaml"


def shown_path(project: Project, path: Path) -> str:
    """``path`` as messages show it: relative to the project folder."""
    return Path(os.path.relpath(path, project.directory)).as_posix()


def _environments(project: Project) -> list[str]:
    return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in project.stack_config_dir.glob("Pulumi.*.yaml")
                  if p.is_file())


def _contains_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_contains_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secure(v) for v in value)
    return False


def _without_secure(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        return {k: _without_secure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_secure(v) for v in value]
    return value


def _as_cli_passes(value: Any) -> str:
    # Strings stay as they are; everything else (numbers, booleans, lists, maps) as JSON text.
    return value if isinstance(value, str) else json.dumps(value, default=str)


def load_stack_config(project_dir: Path, env: str) -> StackConfig:
    """The ``config:`` of ``stacks/Pulumi.<env>.yaml`` as the CLI passes it to the program.

    Keys without a namespace get the project's; ``secure:`` values become ``SECRET_PLACEHOLDER`` and
    their keys are listed in ``secret_keys``.
    """
    project = read_project(project_dir)
    path = stack_file(project, env)
    available = ", ".join(_environments(project)) or "none"
    if not _STACK_NAME.match(env):
        raise MlinfraError(f"unknown environment '{env}': a stack name has only letters, digits, "
                           f"'-', '_' and '.' (available: {available})")
    if path.is_dir():
        raise MlinfraError(f"{shown_path(project, path)}: is a directory, not a stack file (available: {available})")
    if not path.exists():
        raise MlinfraError(f"unknown environment '{env}': no {shown_path(project, path)} (available: {available})")
    shown = shown_path(project, path)
    document = _read_yaml(path, shown)
    if document is None:
        return StackConfig({})
    if not isinstance(document, dict):
        raise MlinfraError(f"{shown}: must be a mapping with a 'config:' section, not {type(document).__name__}")
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise MlinfraError(f"{shown}: 'config:' must be a mapping of keys to values, not {type(config).__name__}")
    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    for key, value in config.items():
        key = str(key) if ":" in str(key) else f"{project.name}:{key}"
        if _contains_secure(value):
            secret_keys.add(key)
            value = _without_secure(value)
        values[key] = _as_cli_passes(value)
    return StackConfig(values, frozenset(secret_keys))
