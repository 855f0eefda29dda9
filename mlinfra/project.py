"""A Pulumi project as the CLI reads it: ``Pulumi.yaml`` and the stack files' configuration.

No Pulumi import: the reviewer reads a project's stack configuration (which tier an environment is)
without loading the SDK; ``mlinfra.plan`` runs the program with what this module reads.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
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
    #: The language runtime (``runtime`` or ``runtime.name``): ``python`` or ``yaml`` for the programs mlinfra plans.
    runtime: str = "python"
    #: Project-level configuration (``config:``, Pulumi 3.44+), each key namespaced and in full form:
    #: ``{"type": ..., "items": ..., "default": ..., "value": ..., "secret": ...}`` (what was given).
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: What the language host runs in ``main``: ``__main__.py`` of the folder by default, or the file
    #: ``main`` names (``main: app.py``: the folder is the file's), or ``runtime.options.module``.
    program_file: str = "__main__.py"
    module: str | None = None
    #: ``runtime.options.compiler`` of a Pulumi YAML project: a command (``cue export``) whose output is
    #: the template, which a plan cannot run.
    compiler: str | None = None
    #: ``runtime.options.typescript`` of a Node.js project (the language host's default: on).
    typescript: bool | None = None

    @property
    def program(self) -> Path:
        """The program's file: ``main``'s ``__main__.py``, the file ``main`` names, or the module's (a
        package's ``__main__.py``, else the module's own file)."""
        if self.module is None:
            return self.main / self.program_file
        base = self.main.joinpath(*self.module.split("."))
        return base / "__main__.py" if base.is_dir() else base.with_suffix(".py")


class StackConfig(dict[str, str]):
    """A stack's configuration as the CLI hands it to the program; ``secret_keys`` were ``secure:``;
    ``environments`` are the Pulumi ESC environments the stack file imports (``environment:``), whose
    values only Pulumi Cloud has."""

    def __init__(self, values: Mapping[str, str], secret_keys: frozenset[str] = frozenset(),
                 environments: tuple[str, ...] = ()) -> None:
        super().__init__(values)
        self.secret_keys = secret_keys
        self.environments = environments

    def esc_note(self) -> str:
        """For a key the stack lacks: where the stack file imports ESC environments, that it may be one of theirs."""
        imported = ", ".join(self.environments)
        return (f"; it may come from the Pulumi ESC environment the stack file imports ({imported}), which a plan "
                "cannot read offline" if imported else "")

    def program_variables(self, region: str) -> dict[str, str]:
        """The environment the CLI gives the program: the config in ``PULUMI_CONFIG`` and its secret keys; and,
        where neither config (``aws:region``) nor the environment (``AWS_REGION``, ``AWS_DEFAULT_REGION``)
        names a region, ``AWS_REGION`` = ``region``, the one the mocks answer for: pulumi-aws reads its
        ``region`` setting from those (``aws.config.region`` was None in Python, ``requireRegion()`` failed
        in Node.js, while lookups answered ``region``)."""
        variables = {"PULUMI_CONFIG": json.dumps(dict(self), sort_keys=True),
                     "PULUMI_CONFIG_SECRET_KEYS": json.dumps(sorted(self.secret_keys))}
        if "aws:region" not in self and not {"AWS_REGION", "AWS_DEFAULT_REGION"} & os.environ.keys():
            variables["AWS_REGION"] = region
        return variables


def find_project(start: Path) -> Path:
    """The nearest directory at or above ``start`` that holds ``Pulumi.yaml``."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / "Pulumi.yaml").is_file():
            return directory
    raise MlinfraError(f"no Pulumi.yaml in {start} or any parent directory")


def _read_yaml(path: Path, shown: str) -> Any:
    return parse_yaml(read_text(path, shown), shown, first_document=True)


def read_project(project_dir: Path) -> Project:
    """Read ``Pulumi.yaml``: ``name``, ``runtime``, ``main`` (default: the project folder), ``stackConfigDir``
    and the project-level ``config`` (a string there is the older spelling of ``stackConfigDir``)."""
    project_dir = Path(project_dir).resolve()
    data = _read_yaml(project_dir / "Pulumi.yaml", "Pulumi.yaml")
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise MlinfraError("Pulumi.yaml: must be a mapping with a 'name'")
    runtime = data.get("runtime")
    runtime = runtime.get("name") if isinstance(runtime, dict) else runtime
    config, stack_config_dir = data.get("config"), data.get("stackConfigDir")
    if isinstance(config, str):  # RewriteConfigPathIntoStackConfigDir (sdk/go/common/workspace/project.go)
        if stack_config_dir is not None:
            raise MlinfraError("Pulumi.yaml: give the stack folder as stackConfigDir only, not also as config")
        config, stack_config_dir = None, config
    main = (project_dir / str(data.get("main") or ".")).resolve()
    # The Python host runs ``main`` with runpy.run_path: a folder's __main__.py, or the file itself from
    # its folder (pulumi/pulumi sdk/python/cmd/pulumi-language-python-exec; pull request 12086 added the
    # ``module`` option, run as ``__main__`` from ``main``: python -m).
    program_file = "__main__.py"
    if main.suffix == ".py" and main.is_file():
        main, program_file = main.parent, main.name
    options = data["runtime"].get("options") if isinstance(data.get("runtime"), dict) else None
    module = options.get("module") if isinstance(options, dict) else None
    if module is not None and (not isinstance(module, str) or not all(
            part.isidentifier() for part in module.split("."))):
        raise MlinfraError(f"Pulumi.yaml: runtime.options.module: {module!r} is not a Python module name "
                           "(dotted identifiers, such as infra or infra.app)")
    return Project(
        runtime=runtime if isinstance(runtime, str) else "python",
        directory=project_dir,
        name=data["name"],
        main=main,
        program_file=program_file,
        module=module,
        compiler=str(options["compiler"]) if isinstance(options, dict) and options.get("compiler") else None,
        typescript=options.get("typescript") if isinstance(options, dict) and isinstance(options.get("typescript"),
                                                                                         bool) else None,
        stack_config_dir=(project_dir / str(stack_config_dir or ".")).resolve(),
        config=_project_config(config, data["name"], yaml=runtime == "yaml"),
    )


_CONFIG_ATTRIBUTES = ("type", "description", "items", "default", "value", "secret")
_CONFIG_TYPES = ("string", "integer", "boolean", "array", "object")


def _namespaced(project_name: str, key: str) -> str:
    return key if ":" in key else f"{project_name}:{key}"


def yaml_config_type(declared: dict[str, Any], where: str) -> dict[str, Any]:
    """A Pulumi YAML program's declaration with its type in the CLI's spelling: the YAML host reads
    ``String``, ``Integer``/``Int``, ``Boolean``/``Bool``, ``Number``, ``Object`` and ``List<T>`` in any
    case (pulumi/pulumi-yaml pkg/pulumiyaml/config/config.go ``Parse``)."""
    type_ = declared.get("type")
    if type_ is None or declared.get("items") is not None:
        return declared
    kind = str(type_).strip().lower()
    inner = re.fullmatch(r"list<\s*(\w+)\s*>", kind)
    names = {"string": "string", "int": "integer", "integer": "integer", "bool": "boolean", "boolean": "boolean",
             "number": "number", "object": "object", "array": "array"}
    if inner and inner.group(1) in names:
        return {**declared, "type": "array", "items": {"type": names[inner.group(1)]}}
    if kind not in names:
        raise MlinfraError(f"{where}: type {type_!r} is not one of String, Integer, Number, Boolean, Object, List<T>")
    return {**declared, "type": names[kind]}


def _project_config(config: Any, project_name: str, *, yaml: bool = False) -> dict[str, dict[str, Any]]:
    """``config:`` of Pulumi.yaml in full form, checked as the CLI checks it (``RewriteShorthandConfigValues``
    and ``Project.Validate``, sdk/go/common/workspace/project.go): a plain value or list is the default of a
    project key and the value of another namespace's key (``aws:region: us-east-1``); a mapping is a
    declaration with the attributes above."""
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise MlinfraError(f"Pulumi.yaml: config must be a mapping of keys to values or declarations, "
                           f"not {type(config).__name__}")
    result: dict[str, dict[str, Any]] = {}
    for raw_key, declared in config.items():
        key = str(raw_key)
        own = ":" not in key or key.startswith(f"{project_name}:")
        where = f"Pulumi.yaml: config {key!r}"
        if not isinstance(declared, dict):
            declared = {"default" if own else "value": declared}
        # A Pulumi YAML declaration may also rename the key it reads (``name``, ast/template.go ConfigParamDecl).
        unknown = sorted(set(map(str, declared)) - set(_CONFIG_ATTRIBUTES) - ({"name"} if yaml else set()))
        if unknown:
            raise MlinfraError(f"{where}: {unknown[0]!r} is not an attribute (allowed: {', '.join(_CONFIG_ATTRIBUTES)}; "
                               "an object value goes under 'value' or 'default')")
        if declared.get("default") is not None and declared.get("value") is not None:
            raise MlinfraError(f"{where}: give either 'default' or 'value', not both")
        if yaml and own:
            declared = yaml_config_type(declared, where)
        type_ = declared.get("type")
        if own:
            if type_ is not None and type_ not in _CONFIG_TYPES + (("number",) if yaml else ()):
                raise MlinfraError(f"{where}: type {type_!r} is not one of {', '.join(_CONFIG_TYPES)}")
            if type_ == "array" and not isinstance(declared.get("items"), dict):
                raise MlinfraError(f"{where}: declares an array but not its items' type ('items: {{type: ...}}')")
            default = declared.get("default")
            if type_ is not None and default is not None and not _of_type(default, type_, declared.get("items")):
                raise MlinfraError(f"{where}: the default {default!r} is not of type {_type_name(declared)!r}")
        else:
            if type_ is not None:
                raise MlinfraError(f"{where}: a key of another namespace takes a 'value', not a type")
            if declared.get("default") is not None:
                raise MlinfraError(f"{where}: a key of another namespace takes a 'value', not a 'default'")
            if declared.get("value") is None:
                raise MlinfraError(f"{where}: a key of another namespace must give its 'value'")
        result[_namespaced(project_name, key)] = dict(declared)
    return result


def _type_name(declared: Mapping[str, Any]) -> str:
    """``string``, ``array<integer>``, ... as the CLI names a declared type (``InferFullTypeName``)."""
    items = declared.get("items")
    return f"array<{_type_name(items)}>" if isinstance(items, dict) else str(declared.get("type"))


def _of_type(value: Any, type_: Any, items: Any) -> bool:
    """The CLI's ``ValidateConfigValue``: strings that read as integers or booleans count as such."""
    if type_ == "string":
        return isinstance(value, str)
    if type_ == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return True
        return isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value) is not None
    if type_ == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if type_ == "number":  # a Pulumi YAML program's Number
        if isinstance(value, bool):
            return False
        return isinstance(value, (int, float)) or (isinstance(value, str) and re.fullmatch(
            r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", value) is not None)
    if type_ == "object":
        return isinstance(value, dict)
    return isinstance(value, list) and isinstance(items, dict) and all(
        _of_type(item, items.get("type"), items.get("items")) for item in value)


def missing_config_message(project: Project, env: str, config: StackConfig, key: str, secret: bool) -> str:
    """One line for a configuration key the program requires and the stack lacks (either SDK's
    ``ConfigMissingError``, whose own message is two lines with a tab-indented hint), naming the stack file."""
    return (f"{shown_path(project, stack_file(project, env))}: the program requires the configuration key {key!r}, "
            f"which is not set: add it under config (or run `pulumi config set{' --secret' if secret else ''} {key} "
            f"<value>`){config.esc_note()}")


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
    their keys are listed in ``secret_keys``. The project-level configuration of ``Pulumi.yaml`` is
    applied as the CLI applies it: the stack's own value first, else the declared ``value`` or
    ``default``; a project key declared with neither and missing from the stack is bad input, as is
    a stack value of another type than declared, or a plain value where the key is declared secret.
    A project with no stack file at all is planned as a new stack (``pulumi stack init``) would be:
    with the project-level configuration alone.
    """
    project = read_project(project_dir)
    path = stack_file(project, env)
    environments = _environments(project)
    available = ", ".join(environments) or "none"
    if not _STACK_NAME.match(env):
        raise MlinfraError(f"unknown environment '{env}': a stack name has only letters, digits, "
                           f"'-', '_' and '.' (available: {available})")
    shown = shown_path(project, path)
    if path.is_dir():
        raise MlinfraError(f"{shown}: is a directory, not a stack file (available: {available})")
    if path.exists():
        document, source = _read_yaml(path, shown), shown
    elif not environments:
        document, source = None, f"a new stack {env!r}"
    else:
        raise MlinfraError(f"unknown environment '{env}': no {shown} (available: {available})")
    if document is not None and not isinstance(document, dict):
        raise MlinfraError(f"{shown}: must be a mapping with a 'config:' section, not {type(document).__name__}")
    config = (document or {}).get("config") or {}
    if not isinstance(config, dict):
        raise MlinfraError(f"{shown}: 'config:' must be a mapping of keys to values, not {type(config).__name__}")
    raw: dict[str, Any] = {_namespaced(project.name, str(key)): value for key, value in config.items()}
    _check_declared(project, env, source, raw)
    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    for key, value in raw.items():
        if _contains_secure(value):
            secret_keys.add(key)
            value = _without_secure(value)
        values[key] = _as_cli_passes(value)
    for key, declared in project.config.items():
        given = declared["default"] if declared.get("default") is not None else declared.get("value")
        if key not in values and given is not None:
            values[key] = _as_cli_passes(given)
    imports = (document or {}).get("environment")  # a list of names, or an inline definition's imports
    imports = imports.get("imports") if isinstance(imports, dict) else imports
    imports = imports if isinstance(imports, list) else [imports] if isinstance(imports, str) else []
    return StackConfig(values, frozenset(secret_keys), tuple(str(name) for name in imports))


def _check_declared(project: Project, env: str, shown: str, raw: Mapping[str, Any]) -> None:
    """The CLI's checks of a stack's values against the project-level declarations (``mergeConfig``,
    ``validateStackConfigValue`` in sdk/go/common/workspace/config.go)."""
    missing = sorted(key.partition(":")[2] for key, declared in project.config.items()
                     if key.startswith(f"{project.name}:") and key not in raw
                     and declared.get("default") is None and declared.get("value") is None)
    if missing:
        names = ", ".join(f"'{key}'" for key in missing)
        raise MlinfraError(f"{shown}: stack '{env}' is missing configuration {'values' if len(missing) > 1 else 'value'} "
                           f"{names}, which Pulumi.yaml declares with no default: add it under config")
    for key, declared in project.config.items():
        if key not in raw or not key.startswith(f"{project.name}:"):
            continue
        value = raw[key]
        short = key.partition(":")[2]
        if declared.get("secret") and not _contains_secure(value):
            raise MlinfraError(f"{shown}: configuration key '{short}' must be encrypted, as Pulumi.yaml declares it "
                               f"secret (pulumi config set --secret {short} <value>)")
        if declared.get("type") is not None and not _contains_secure(value):
            plain = value if isinstance(value, (dict, list)) else _as_cli_passes(value)
            if not _of_type(plain, declared["type"], declared.get("items")):
                raise MlinfraError(f"{shown}: configuration key '{short}' must be of type '{_type_name(declared)}' "
                                   f"(Pulumi.yaml), not {json.dumps(value, default=str)}")
