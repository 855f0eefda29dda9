"""Pulumi YAML programs (``runtime: yaml``) under the offline plan.

The template (``Main.json``, else ``Main.yaml``, else ``Pulumi.yaml`` itself, in the program's folder:
``LoadDir`` in pulumi/pulumi-yaml v1.38.1 pkg/pulumiyaml/run.go) is evaluated as the YAML language host
evaluates it: its config, variables and resources in dependency order, ``${...}`` interpolations,
the ``fn::`` builtins and the resource options. Each resource is declared through its package's
Python SDK class (``pulumi_aws.s3.Bucket`` for ``aws:s3:Bucket``), so the mocks, the secrets the SDK
marks and the plan are those of a Python program declaring the same resources; a property the class
does not take is bad input, as the engine's check would be.

What the YAML host does that a plan cannot: ``components:`` (YAML component packages) and
``fn::method`` are refused with a message; a lookup (``fn::invoke``) answers from the mocks.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import importlib
import importlib.util
import json
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Mapping

import pulumi
from pulumi import _types

from mlinfra.documents import parse_yaml, read_text
from mlinfra.errors import MlinfraError
from mlinfra.mocks import words
from mlinfra.project import Project, StackConfig, shown_path, yaml_config_type

#: The template files the YAML host reads from the program's folder, the first found (run.go ``LoadDir``).
TEMPLATE_FILES = ("Main.json", "Main.yaml", "Pulumi.yaml")
_RESOURCE_FIELDS = ("type", "name", "defaultProvider", "properties", "options", "get")
_INVOKE_FIELDS = ("function", "arguments", "options", "return")
_CONFIG_FIELDS = ("type", "name", "secret", "default", "items", "description", "value")
#: ``options:`` of a resource (ast/template.go ``ResourceOptionsDecl``) and the SDK's name for each.
_OPTIONS = {
    "additionalSecretOutputs": "additional_secret_outputs", "aliases": "aliases",
    "customTimeouts": "custom_timeouts", "deleteBeforeReplace": "delete_before_replace",
    "deletedWith": "deleted_with", "dependsOn": "depends_on", "hideDiffs": "hide_diffs",
    "ignoreChanges": "ignore_changes", "import": "import_", "parent": "parent",
    "pluginDownloadURL": "plugin_download_url", "protect": "protect", "provider": "provider",
    "providers": "providers", "replaceOnChanges": "replace_on_changes", "replaceWith": "replace_with",
    "retainOnDelete": "retain_on_delete", "version": "version",
}
#: The options whose values are plain: ``ResourceOptionsDecl``'s ``*BooleanExpr``, ``*StringExpr`` and
#: ``*StringListDecl`` fields (ast/template.go).
_OPTION_KINDS = {
    "protect": "a boolean", "deleteBeforeReplace": "a boolean", "retainOnDelete": "a boolean",
    "version": "a string", "pluginDownloadURL": "a string", "import": "a string",
    "additionalSecretOutputs": "a list of strings", "ignoreChanges": "a list of strings",
    "replaceOnChanges": "a list of strings", "hideDiffs": "a list of strings",
}
_INVOKE_OPTIONS = {"parent": "parent", "provider": "provider", "version": "version",
                   "pluginDownloadURL": "plugin_download_url", "dependsOn": "depends_on"}
#: ``${name.prop[0]["key"]}``: a root name (resource, variable or config key, which may hold ``:`` and
#: ``-``), then ``.name``, ``[index]`` or ``["key"]`` accessors (ast/interpolation.go).
_ROOT = re.compile(r"[^.\[\]{}$]+|\[\"((?:[^\"\\]|\\.)*)\"\]")
_ACCESSOR = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\[\"((?:[^\"\\]|\\.)*)\"\]")
#: ``fn::aws:ec2:getAmi`` is ``fn::invoke`` of that function (ast/expr.go ``fnInvokeRegex``).
_SHORTHAND_INVOKE = re.compile(r"^fn::[^:]+:[^:]+(:[^:]+)?$", re.IGNORECASE)


class YamlProgramError(MlinfraError):
    """The template is not a program the YAML host would run (named at the section and key)."""


def template_path(project: Project) -> Path | None:
    """The template the YAML host reads for ``project``: the first of ``TEMPLATE_FILES`` in its folder."""
    return next((project.main / name for name in TEMPLATE_FILES if (project.main / name).is_file()), None)


# --- type tokens -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ResourceClass:
    """A resource type as its Python SDK declares it."""

    token: str  #: the canonical token (``aws:s3/bucket:Bucket``)
    module: str  #: the SDK module that defines the class (``pulumi_aws.s3``)
    name: str  #: the class (``Bucket``)

    def load(self) -> type:
        return getattr(importlib.import_module(self.module), self.name)


def sdk_package(package: str) -> str:
    """The Python SDK of a Pulumi package: ``aws-native`` -> ``pulumi_aws_native``."""
    return "pulumi_" + package.replace("-", "_")


@cache
def _sdk_file(package: str) -> Path | None:
    """The installed SDK's ``__init__.py`` for ``package``, found without importing it; ``None`` if absent."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", package):
        return None
    spec = importlib.util.find_spec(sdk_package(package))
    return Path(spec.origin) if spec is not None and spec.origin is not None else None


_REGISTER = re.compile(r'_utilities\.register\(\s*resource_modules="""(.*?)"""', re.DOTALL)


@cache
def _resource_index(package: str) -> dict[str, ResourceClass] | None:
    """Every resource token of ``package`` by its lower-cased spelling, read from the SDK's
    ``__init__.py`` (the ``_utilities.register(resource_modules=...)`` table every generated Python SDK
    carries) without importing the package. ``None`` if the SDK is not installed."""
    init = _sdk_file(package)
    if init is None:
        return None
    match = _REGISTER.search(init.read_text(encoding="utf-8"))
    index: dict[str, ResourceClass] = {}
    for module in json.loads(match.group(1)) if match else ():
        for token, name in module["classes"].items():
            index[token.lower()] = ResourceClass(token, module["fqn"], name)
    return index


def _module_name(token: str) -> str:
    """``aws:s3/bucket:Bucket`` -> ``s3``; ``eks:index:Cluster`` -> ``index``."""
    return token.split(":")[1].split("/")[0]


@cache
def _module_fqn(package: str, module: str) -> str | None:
    """The SDK module of a package module (``aws``, ``lambda`` -> ``pulumi_aws.lambda_``; ``index`` -> the
    package), as the SDK's resource table names it; ``None`` if the SDK or the module is not there."""
    index = _resource_index(package)
    if index is None:
        return None
    if module == "index":
        return sdk_package(package)
    return next((entry.module for entry in index.values() if _module_name(entry.token) == module), None)


def resolve_resource(type_: str) -> ResourceClass:
    """The resource class a template's ``type`` names, found as the YAML host finds it
    (pkg/pulumiyaml/README.md, "Token Resolution"; packages.go ``resolveToken``): the token itself, then
    ``pkg:index:T`` for ``pkg:T``, then ``pkg:mod/t:T`` for ``pkg:mod:T``, each matched ignoring case;
    ``pulumi:providers:pkg`` is the package's provider."""
    parts = type_.split(":")
    if len(parts) not in (2, 3) or not all(parts):
        raise YamlProgramError(f"type {type_!r} is not a type token (package:module:Type, such as aws:s3:Bucket)")
    if parts[:2] == ["pulumi", "providers"]:
        package = parts[2]
        if _sdk_file(package) is None:
            raise YamlProgramError(_not_installed(f"type {type_!r}", package))
        return ResourceClass(type_, sdk_package(package), "Provider")
    if type_ == "pulumi:pulumi:StackReference":
        return ResourceClass(type_, "pulumi", "StackReference")
    package = parts[0]
    index = _resource_index(package)
    if index is None:
        raise YamlProgramError(_not_installed(f"type {type_!r}", package))
    candidates = [type_]
    if len(parts) == 2:
        parts = [package, "index", parts[1]]
        candidates.append(":".join(parts))
    if "/" not in parts[1]:
        candidates.append(f"{parts[0]}:{parts[1]}/{parts[2].lower()}:{parts[2]}")
    for candidate in candidates:
        if candidate.lower() in index:
            return index[candidate.lower()]
    raise YamlProgramError(f"type {type_!r}: package {package!r} ({sdk_package(package)}) has no such resource "
                           "(tokens are pkg:module:Type or pkg:module/type:Type, as in the package's API docs)")


def _not_installed(named: str, package: str) -> str:
    return (f"{named}: the Python SDK of package {package!r} ({sdk_package(package)}) is not installed in this "
            "environment: install it (pip install " + sdk_package(package).replace("_", "-") + ") and plan again")


_INVOKED = re.compile(r"pulumi\.runtime\.invoke(?:_output)?\(\s*'([^']+)'")


def resolve_function(function: str) -> tuple[str, str]:
    """A function a template invokes, as ``(token, SDK module)``: the token its Python SDK invokes
    (``aws:iam:getPolicyDocument`` -> ``aws:iam/getPolicyDocument:getPolicyDocument``, the classic
    providers' module-qualified spelling; ``aws-native:s3:getBucket`` stays as it is), read from the
    function's own SDK file, and the module that holds it (imported as a Python program would import
    it: the mocks read the function's result class from there)."""
    parts = function.split(":")
    if len(parts) not in (2, 3) or not all(parts):
        raise YamlProgramError(f"function {function!r} is not a function token (package:module:function, such as "
                               "aws:iam:getPolicyDocument)")
    if len(parts) == 2:
        parts = [parts[0], "index", parts[1]]
    package, module, name = parts[0], parts[1].split("/")[0], parts[2]
    init = _sdk_file(package)
    if init is None:
        raise YamlProgramError(_not_installed(f"function {function!r}", package))
    fqn = _module_fqn(package, module) or f"{sdk_package(package)}.{module.replace('.', '_')}"
    source = init.parent.joinpath(*fqn.split(".")[1:], f"{words(name, '_')}.py")
    invoked = _INVOKED.search(source.read_text(encoding="utf-8")) if source.is_file() else None
    if invoked is None:
        raise YamlProgramError(f"function {function!r}: package {package!r} ({sdk_package(package)}) has no such "
                               "function (tokens are pkg:module:function, as in the package's API docs)")
    return invoked.group(1), fqn


def import_sdk_module(token: str) -> None:
    """Import the Python SDK module that declares ``token`` (a resource or a function), as a Python program
    declaring it would: the mocks read a type's outputs and a function's results from there. Tokens of
    packages without an installed SDK (and ``pulumi:`` ones) import nothing."""
    parts = token.split(":")
    if len(parts) != 3 or parts[0] == "pulumi":
        return
    fqn = _module_fqn(parts[0], parts[1].split("/")[0])
    if fqn is not None:
        module = importlib.import_module(fqn)
        # pulumi-aws's service modules are lazy (pulumi._utils.lazy_import): one runs, importing its
        # submodules, on the first read of an attribute that is not __spec__, __file__ and the like, and the
        # mocks look a function's result class up among those submodules (sys.modules).
        getattr(module, "__all__", None)


# --- names: the template's camelCase, the SDK's snake_case --------------------------------------

@cache
def _argument_names(cls: type, state: bool = False) -> dict[str, str]:
    """The properties a resource class takes, Pulumi name -> Python keyword (from its ``...Args`` input
    type, or ``_...State`` for a ``get``)."""
    module = importlib.import_module(cls.__module__)
    # ``BucketServerSideEncryptionConfigurationInitArgs`` where ``...Args`` names a nested input type
    # of the same module: the one the class's own file defines.
    candidates = [f"_{cls.__name__}State"] if state else [f"{cls.__name__}Args", f"{cls.__name__}InitArgs"]
    args = next((found for found in (getattr(module, name, None) for name in candidates)
                 if found is not None and found.__module__ == module.__name__), None)
    if args is None:
        return {}
    return {pulumi_name: python_name for python_name, pulumi_name in _types.input_type_py_to_pulumi_names(args).items()}


@cache
def _output_names(cls: type) -> dict[str, str]:
    """The outputs of a resource class, Pulumi name -> attribute."""
    names = {}
    for klass in reversed(cls.__mro__):
        for attribute, value in vars(klass).items():
            pulumi_name = getattr(getattr(value, "fget", None), "_pulumi_name", None)
            if pulumi_name:
                names[pulumi_name] = attribute
    return names


# --- the evaluator -------------------------------------------------------------------------------

def _contains_output(value: Any) -> bool:
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, dict):
        return any(_contains_output(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_output(v) for v in value)
    return False


def _lift(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` now, or once the outputs inside ``args`` are known (the host's ``lift``)."""
    if not any(_contains_output(arg) for arg in args):
        return function(*args)
    return pulumi.Output.all(*(pulumi.Output.from_input(arg) for arg in args)).apply(lambda values: function(*values))


def _text(value: Any) -> str:
    """A value inside an interpolation, as Go's ``%v`` prints it (booleans lower-case, whole numbers bare)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def to_json(value: Any) -> str:
    """``fn::toJSON``: Go's ``json.Marshal`` (run.go ``evaluateBuiltinToJSON``): compact, keys sorted, and
    ``<``, ``>``, ``&`` escaped as ``\\u003c``, ``\\u003e``, ``\\u0026``."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=str)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class _Evaluator:
    """One template's evaluation: names resolve on first use (config, variables, resources), so the
    program runs in dependency order; a name met again while it is being evaluated is a cycle."""

    def __init__(self, project: Project, template: Mapping[str, Any], shown: str, config: StackConfig,
                 stack: str) -> None:
        self.project, self.shown, self.stack_config, self.stack = project, shown, config, stack
        #: Fields the YAML host ignores with a warning (an unknown key of a resource, its options, ...).
        self.warnings: list[str] = []
        self.config_decls = _section(template, "config", shown) or _section(template, "configuration", shown)
        self.variables = _section(template, "variables", shown)
        self.resources = _section(template, "resources", shown)
        self.outputs = _section(template, "outputs", shown)
        clash = sorted(set(self.variables) & set(self.resources))
        if clash:
            raise YamlProgramError(f"{shown}: {clash[0]!r} is both a variable and a resource")
        # run.go ensureSetup: the ``pulumi`` variable (the organization as the Python SDK has it offline).
        self.values: dict[str, Any] = {"pulumi": {
            "stack": stack, "project": project.name, "organization": pulumi.get_organization(),
            "cwd": str(project.main), "rootDirectory": str(project.directory)}}
        self.in_progress: list[str] = []
        self.default_providers: dict[str, Any] = {}
        self.where = "the template"

    # errors name the place: "Pulumi.yaml: resources.bucket.properties.acl: ..."
    def fail(self, message: str) -> YamlProgramError:
        return YamlProgramError(f"{self.shown}: {self.where}: {message}")

    def record(self, value: Mapping[str, Any], fields: tuple[str, ...], what: str) -> dict[str, Any]:
        """``value``'s keys matched to ``fields`` ignoring case, as the YAML host's ``parseRecord`` matches
        them (ast/template.go); a key that matches none is ignored with a warning, as there."""
        canonical = {field.lower(): field for field in fields}
        matched = {}
        for key, item in value.items():
            field = canonical.get(str(key).lower())
            if field is None:
                self.warnings.append(f"{self.shown}: {self.where}: {str(key)!r} is not a field of {what} (allowed: "
                                     f"{', '.join(fields)}); ignored, as Pulumi YAML ignores it")
            else:
                matched[field] = item
        return matched

    def run(self) -> None:
        for key in self.config_decls:
            self.lookup(_config_name(key, self.config_decls[key]))
        for name in self.variables:
            self.lookup(name)
        for name in self.resources:
            self.lookup(name)
        for name, expression in self.outputs.items():
            self.where = f"outputs.{name}"
            pulumi.export(str(name), self.evaluate(expression))

    # --- names ---
    def lookup(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        if name in self.in_progress:
            cycle = " -> ".join(self.in_progress[self.in_progress.index(name):] + [name])
            raise YamlProgramError(f"{self.shown}: a cycle of references: {cycle}")
        saved, self.in_progress = self.where, [*self.in_progress, name]
        try:
            if name in self.resources:
                value = self.declare(name, self.resources[name])
            elif name in self.variables:
                self.where = f"variables.{name}"
                value = self.evaluate(self.variables[name])
            else:
                value = self.config_value(name)
        finally:
            self.in_progress, self.where = self.in_progress[:-1], saved
        self.values[name] = value
        return value

    def config_value(self, name: str) -> Any:
        """A config key (``${key}`` for the project's, ``${aws:region}`` for another namespace's): the
        stack's value, else the template's default, typed as declared (config/config.go ``Parse``)."""
        key = name if ":" in name else f"{self.project.name}:{name}"
        short = key.removeprefix(f"{self.project.name}:")
        declared = next((d for k, d in self.config_decls.items() if _config_name(k, d) == short), None)
        declared = _declaration(declared)
        if key in self.stack_config:
            raw: Any = self.stack_config[key]
            value = _typed(raw, declared, self.shown, short)
        elif declared is not None and declared.get("default") is not None:
            value = self.evaluate(declared["default"])
        elif declared is not None:
            raise YamlProgramError(f"{self.shown}: config {short!r} has no value and no default: set it in the stack "
                                   f"file (pulumi config set {short} <value>) or give it a default"
                                   f"{self.stack_config.esc_note()}")
        else:
            raise self.fail(f"{name!r} is not a resource, variable or config key of this program"
                            f"{self.stack_config.esc_note()}")
        secret = key in self.stack_config.secret_keys or bool(declared and declared.get("secret"))
        return pulumi.Output.secret(value) if secret else value

    # --- expressions ---
    def evaluate(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.interpolate(value)
        if isinstance(value, list):
            return [self.evaluate(item) for item in value]
        if isinstance(value, dict):
            builtins = [key for key in value if isinstance(key, str) and key.lower().startswith("fn::")]
            if builtins:
                if len(value) != 1:
                    raise self.fail(f"{builtins[0]} must be the object's only key (found {', '.join(map(str, value))})")
                return self.builtin(builtins[0], value[builtins[0]])
            return {str(key): self.evaluate(item) for key, item in value.items()}
        return value

    def interpolate(self, text: str) -> Any:
        parts: list[Any] = []
        position = 0
        while True:
            start = text.find("$", position)
            if start < 0 or start + 1 >= len(text):
                parts.append(text[position:])
                break
            if text.startswith("$${", start):
                parts.append(text[position:start] + "${")
                position = start + 3
                continue
            if not text.startswith("${", start):
                parts.append(text[position:start + 1])
                position = start + 1
                continue
            end = text.find("}", start)
            if end < 0:
                raise self.fail(f"unterminated interpolation in {text!r} (a '${{' without '}}'; write '$${{' for a "
                                "literal '${')")
            parts.append(text[position:start])
            parts.append(_Access(self.access(text[start + 2:end].strip(), text)))
            position = end + 1
        parts = [part for part in parts if part != ""]
        if len(parts) == 1 and isinstance(parts[0], _Access):
            return parts[0].value  # "${x}" alone is x itself: a resource, list or number stays one
        values = [part.value if isinstance(part, _Access) else part for part in parts]
        return _lift(lambda *known: "".join(map(_text, known)), *values) if values else ""

    def access(self, expression: str, text: str) -> Any:
        root = _ROOT.match(expression)
        if root is None:
            raise self.fail(f"${{{expression}}} in {text!r} does not start with a name")
        accessors, position = [], root.end()
        name = json.loads(f'"{root.group(1)}"') if root.group(1) is not None else root.group(0)
        while position < len(expression):
            match = _ACCESSOR.match(expression, position)
            if match is None:
                raise self.fail(f"${{{expression}}}: cannot read {expression[position:]!r} (write .name, [0] or "
                                "[\"key\"])")
            field, index, key = match.groups()
            accessors.append(int(index) if index is not None else json.loads(f'"{key}"') if key is not None else field)
            position = match.end()
        receiver = self.lookup(name)
        if isinstance(receiver, pulumi.Resource) and accessors:
            receiver, accessors = self.resource_output(receiver, name, accessors[0]), accessors[1:]
        return _lift(lambda known: _walk(known, accessors), receiver) if accessors else receiver

    def resource_output(self, resource: pulumi.Resource, name: str, attribute: Any) -> Any:
        if attribute in ("urn", "id"):
            return getattr(resource, attribute)
        if isinstance(resource, pulumi.StackReference) and attribute == "outputs":
            return resource.outputs
        outputs = _output_names(type(resource))
        if not isinstance(attribute, str) or attribute not in outputs:
            allowed = ", ".join(sorted({"id", "urn", *outputs}))
            raise self.fail(f"${{{name}.{attribute}}}: {resource.pulumi_resource_type} has no output {attribute!r} "
                            f"(it has: {allowed})")
        return getattr(resource, outputs[attribute])

    def builtin(self, key: str, argument: Any) -> Any:
        name = key[4:].lower()
        if _SHORTHAND_INVOKE.match(key):
            return self.invoke({"function": key[4:], "arguments": argument if isinstance(argument, dict) else {}})
        handler = _BUILTINS.get(name)
        if handler is None:
            raise self.fail(f"{key} is not a builtin function of Pulumi YAML (allowed: "
                            + ", ".join(f"fn::{builtin}" for builtin in sorted(_BUILTIN_NAMES.values())) + ")")
        return handler(self, argument)

    def invoke(self, spec: Any) -> Any:
        spec = self.record(spec, _INVOKE_FIELDS, "fn::invoke") if isinstance(spec, dict) else None
        if spec is None or not isinstance(spec.get("function"), str):
            raise self.fail("fn::invoke takes {function: pkg:module:function, arguments: {...}, return: name}")
        try:
            token, module = resolve_function(spec["function"])
        except YamlProgramError as exc:
            raise self.fail(str(exc)) from None
        importlib.import_module(module)
        returned = spec.get("return")
        if returned is not None and not isinstance(returned, str):  # ast/expr.go parseInvoke
            raise self.fail(f"fn::invoke: return must be the name of one result (a string), not {_kind(returned)}")
        arguments = self.evaluate(spec.get("arguments") or {})
        if not isinstance(arguments, dict):
            raise self.fail(f"fn::invoke: arguments must be an object, not {_kind(arguments)}")
        options = spec.get("options") or {}
        if not isinstance(options, dict):
            raise self.fail(f"fn::invoke options take {', '.join(_INVOKE_OPTIONS)}")
        options = self.evaluate(self.record(options, tuple(_INVOKE_OPTIONS), "invoke options"))
        opts = pulumi.InvokeOutputOptions(**{_INVOKE_OPTIONS[k]: v for k, v in options.items()}) if options else None
        result = pulumi.runtime.invoke_output(token, arguments, opts)
        return result.apply(lambda value: (value or {}).get(returned)) if returned else result

    # --- resources ---
    def declare(self, key: str, declaration: Any) -> pulumi.Resource:
        self.where = f"resources.{key}"
        if not isinstance(declaration, dict):
            raise self.fail("must be a mapping with a 'type'")
        declaration = self.record(declaration, _RESOURCE_FIELDS, "a resource")
        if not isinstance(declaration.get("type"), str):
            raise self.fail("has no 'type' (a type token such as aws:s3:Bucket)")
        try:
            found = resolve_resource(declaration["type"])
        except YamlProgramError as exc:
            raise self.fail(str(exc)) from None
        name = declaration.get("name", key)
        if not isinstance(name, str) or not name:
            raise self.fail("'name' must be a non-empty string (the resource's logical name)")
        self.where = f"resources.{key}.properties"
        properties = declaration.get("properties") or {}
        # ``properties: ${inputs}``: an expression for the whole block (pulumi-yaml examples/resource-config)
        inputs = ({str(k): self.evaluate(v) for k, v in properties.items()} if isinstance(properties, dict)
                  else self.evaluate(properties))
        if not isinstance(inputs, dict):
            raise self.fail("must be a mapping of property names to values (or an expression giving one, known "
                            "before the resource is declared)")
        opts = self.options(key, found, declaration.get("options"))
        cls = found.load()
        if found.token == "pulumi:pulumi:StackReference":
            return self.construct(key, lambda: cls(name, stack_name=inputs.get("name"), opts=opts))
        getter = declaration.get("get")
        if getter is not None:
            return self.read(key, cls, found, name, getter, opts)
        keywords = self.keywords(key, cls, found, inputs, state=False)
        resource = self.construct(key, lambda: cls(name, opts=opts, **keywords))
        if declaration.get("defaultProvider") is True and isinstance(resource, pulumi.ProviderResource):
            self.default_providers[found.token.split(":")[2]] = resource
        return resource

    def read(self, key: str, cls: type, found: ResourceClass, name: str, getter: Any,
             opts: pulumi.ResourceOptions) -> pulumi.Resource:
        self.where = f"resources.{key}.get"
        getter = self.record(getter, ("id", "state"), "get") if isinstance(getter, dict) else {}
        if "id" not in getter:
            raise self.fail("takes {id: ..., state: {...}} (the existing resource's id, and what is known of it)")
        state = self.evaluate(getter.get("state") or {})
        keywords = self.keywords(key, cls, found, state, state=True)
        self.where = f"resources.{key}.get"
        identifier = self.evaluate(getter["id"])
        if not isinstance(identifier, (str, pulumi.Output)):
            raise self.fail(f"id must be a string (the existing resource's id), not {_kind(identifier)}")
        return self.construct(key, lambda: cls.get(name, identifier, opts=opts, **keywords))

    def keywords(self, key: str, cls: type, found: ResourceClass, inputs: Mapping[str, Any],
                 *, state: bool) -> dict[str, Any]:
        self.where = f"resources.{key}.{'get.state' if state else 'properties'}"
        names = _argument_names(cls, state)
        unknown = sorted(set(inputs) - set(names))
        if unknown:
            shown = ", ".join(sorted(names)) or "none"
            raise self.fail(f"{unknown[0]!r} is not a property of {found.token} (it takes: {shown})")
        return {names[k]: v for k, v in inputs.items()}

    def construct(self, key: str, create: Callable[[], pulumi.Resource]) -> pulumi.Resource:
        try:
            return create()
        except (TypeError, ValueError) as exc:  # the SDK's own checks: a required property missing, ...
            raise self.fail(str(exc)) from None

    def options(self, key: str, found: ResourceClass, options: Any) -> pulumi.ResourceOptions:
        self.where = f"resources.{key}.options"
        options = options or {}
        if not isinstance(options, dict):
            raise self.fail("must be a mapping of resource options")
        values = {k: self.evaluate(v) for k, v in self.record(options, tuple(_OPTIONS), "resource options").items()}
        if "customTimeouts" in values:
            timeouts = values["customTimeouts"]
            if not isinstance(timeouts, dict):
                raise self.fail("customTimeouts takes create, update and delete (such as 10m)")
            values["customTimeouts"] = pulumi.CustomTimeouts(
                **self.record(timeouts, ("create", "update", "delete"), "customTimeouts"))
        for option, kind in _OPTION_KINDS.items():
            if option in values and not _of_kind(values[option], kind):
                raise self.fail(f"{option} must be {kind}, not {_kind(values[option])}")
        if isinstance(values.get("aliases"), list):
            values["aliases"] = [_alias(alias) for alias in values["aliases"]]
        if isinstance(values.get("dependsOn"), pulumi.Resource):
            values["dependsOn"] = [values["dependsOn"]]
        for option in ("dependsOn", "parent", "provider", "providers", "deletedWith", "replaceWith"):
            self.check_resources(option, values.get(option),
                                 pulumi.ProviderResource if option in ("provider", "providers") else pulumi.Resource)
        package = found.token.split(":")[0]
        if "provider" not in values and package in self.default_providers and found.token.split(":")[:2] != [
                "pulumi", "providers"]:
            values["provider"] = self.default_providers[package]
        return pulumi.ResourceOptions(**{_OPTIONS[k]: v for k, v in values.items()})

    def check_resources(self, option: str, value: Any, kind: type) -> None:
        values = list(value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value])
        wrong = next((item for item in values if not isinstance(item, kind)), None)
        if value is not None and wrong is not None:
            shown = wrong.pulumi_resource_type if isinstance(wrong, pulumi.Resource) else _kind(wrong)
            what = "providers (a pulumi:providers:<package> resource" if kind is pulumi.ProviderResource else (
                "resources (a resource")
            raise self.fail(f"{option} takes {what} of this program, as ${{name}}), not {shown}")


class _Access:
    """A ``${...}`` inside a string, as its value."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _walk(value: Any, accessors: list[Any]) -> Any:
    """``value.a[0]["b"]``; a missing key reads as None, as an output the mocks leave unset."""
    for accessor in accessors:
        if value is None:
            return None
        if isinstance(accessor, int):
            value = value[accessor] if isinstance(value, (list, tuple)) and accessor < len(value) else None
        elif isinstance(value, dict):
            value = value.get(accessor)
        else:
            value = getattr(value, accessor, None)
    return value


def _alias(alias: Any) -> Any:
    if isinstance(alias, dict):
        return pulumi.Alias(**{("type_" if k == "type" else k): v for k, v in alias.items()})
    return alias


def _section(template: Mapping[str, Any], name: str, shown: str) -> dict[str, Any]:
    """A top-level section, its name in any case (``Resources:``), as the YAML host reads it."""
    value = next((item for key, item in template.items() if str(key).lower() == name), None)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise YamlProgramError(f"{shown}: {name} must be a mapping, not {type(value).__name__}")
    return {str(key): item for key, item in value.items()}


def _declaration(declared: Any) -> dict[str, Any] | None:
    """A config entry as a declaration: ``{type: ..., default: ...}`` (its fields in any case), or a plain
    value as its default."""
    if declared is None:
        return None
    if isinstance(declared, dict) and declared and all(str(k).lower() in _CONFIG_FIELDS for k in declared):
        return {str(k).lower(): v for k, v in declared.items()}
    return {"default": declared}


def _config_name(key: str, declared: Any) -> str:
    name = (_declaration(declared) or {}).get("name")
    return name if isinstance(name, str) and name else key


def _typed(raw: str, declared: Mapping[str, Any] | None, shown: str, key: str) -> Any:
    """A stack's config value (text, as the CLI passes it) as its declared type, in either spelling
    (``project.yaml_config_type``: Pulumi YAML's ``Integer``, ``List<T>``, ... or the CLI's ``array`` with
    ``items``); undeclared, the text itself."""
    if declared is None or declared.get("type") is None:
        return raw
    typed = yaml_config_type(dict(declared), f"{shown}: config {key!r}")
    kind = typed["type"]
    try:
        if kind in ("array", "object"):
            value = json.loads(raw)
            if not isinstance(value, list if kind == "array" else dict):
                raise ValueError(raw)
            if kind == "array":
                items = typed.get("items") if isinstance(typed.get("items"), dict) else None
                return [_typed(item if isinstance(item, str) else json.dumps(item), items, shown, key) for item in value]
            return value
        if kind == "integer":
            return int(raw)
        if kind == "number":
            number = float(raw)
            return int(number) if number.is_integer() and re.fullmatch(r"[+-]?\d+", raw.strip()) else number
        if kind == "boolean":
            if raw not in ("true", "false"):
                raise ValueError(raw)
            return raw == "true"
        return raw  # string
    except (ValueError, TypeError):
        raise YamlProgramError(f"{shown}: config {key!r} is declared {declared['type']} but the stack's value is "
                               f"{raw!r}") from None


# --- builtins (ast/expr.go ``parseBuiltin``; run.go ``evaluateBuiltin...``) ----------------------

class _BadArgument(Exception):
    """A builtin's argument of the wrong kind, found once its value is known."""


def _apply(e: _Evaluator, name: str, function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` lifted over outputs; a ``_BadArgument`` it raises, now or once the outputs are
    known, names the builtin where it was written (the host's messages: run.go ``evaluateBuiltin...``)."""
    where = e.where

    def checked(*values: Any) -> Any:
        try:
            return function(*values)
        except _BadArgument as exc:
            raise YamlProgramError(f"{e.shown}: {where}: fn::{name}: {exc}") from None
    return _lift(checked, *args)


def _of_kind(value: Any, kind: str) -> bool:
    if kind == "a boolean":
        return isinstance(value, bool)
    if kind == "a string":
        return isinstance(value, str)
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _kind(value: Any) -> str:
    return {str: "a string", list: "a list", dict: "an object", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise _BadArgument(f"{what} must be a string, not {_kind(value)}")
    return value


def _pair(e: _Evaluator, name: str, argument: Any) -> list[Any]:
    value = e.evaluate(argument)
    if not isinstance(value, list) or len(value) != 2:
        raise e.fail(f"fn::{name} takes a list of two values")
    return value


def _join(e: _Evaluator, argument: Any) -> Any:
    def join(delimiter: Any, items: Any) -> str:
        if not isinstance(items, list):
            raise _BadArgument(f"the second argument must be a list, not {_kind(items)}")
        return _string(delimiter, "the delimiter").join(_string(item, f"item {i}") for i, item in enumerate(items))
    return _apply(e, "join", join, *_pair(e, "join", argument))


def _split(e: _Evaluator, argument: Any) -> Any:
    def split(delimiter: Any, text: Any) -> list[str]:
        # Go's strings.Split: an empty delimiter splits after each character.
        delimiter, text = _string(delimiter, "the delimiter"), _string(text, "the source")
        return text.split(delimiter) if delimiter else list(text)
    return _apply(e, "split", split, *_pair(e, "split", argument))


def _select(e: _Evaluator, argument: Any) -> Any:
    def select(index: Any, items: Any) -> Any:
        if isinstance(index, bool) or not isinstance(index, (int, float)) or index < 0 or int(index) != index:
            raise _BadArgument(f"the index must be a non-negative whole number, not {index!r}")
        if not isinstance(items, list):
            raise _BadArgument(f"the second argument must be a list, not {_kind(items)}")
        if index >= len(items):
            raise _BadArgument(f"index {int(index)} is out of range of a list of {len(items)}")
        return items[int(index)]
    return _apply(e, "select", select, *_pair(e, "select", argument))


def _from_base64(text: Any) -> str:
    try:
        return base64.b64decode(_string(text, "the argument"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _BadArgument(f"cannot decode {text!r}: {exc}") from None


def _length(value: Any) -> int:
    if not isinstance(value, (list, dict, str)):
        raise _BadArgument(f"takes a list, an object or a string, not {_kind(value)}")
    return len(value)


def _single_or_none(items: Any) -> Any:
    if not isinstance(items, list) or len(items) > 1:
        raise _BadArgument("takes a list of at most one item")
    return items[0] if items else None


def _file(e: _Evaluator, argument: Any) -> Path:
    path = e.evaluate(argument)
    if not isinstance(path, str):
        raise e.fail(f"a file's path must be a string, not {_kind(path)}")
    file = e.project.main / path
    if not file.is_file():
        raise e.fail(f"{shown_path(e.project, file)}: no such file")
    return file


def _asset_archive(e: _Evaluator, argument: Any) -> Any:
    value = e.evaluate(argument)
    if not isinstance(value, dict):
        raise e.fail("fn::assetArchive takes a mapping of names to assets and archives")
    return pulumi.AssetArchive(value)


def _lifted(name: str, function: Callable[[Any], Any]) -> Callable[[_Evaluator, Any], Any]:
    return lambda e, argument: _apply(e, name, function, e.evaluate(argument))


def _resource_field(field: str) -> Callable[[_Evaluator, Any], Any]:
    def read(e: _Evaluator, argument: Any) -> Any:
        resource = e.evaluate(argument)
        if not isinstance(resource, pulumi.Resource):
            raise e.fail(f"takes a resource (${{name}}), not {type(resource).__name__}")
        return resource.pulumi_resource_name if field == "name" else resource.pulumi_resource_type
    return read


def _stack_reference(e: _Evaluator, argument: Any) -> Any:
    stack, output = _pair(e, "stackReference", argument)
    key = f"stack-reference:{stack}"
    if key not in e.values:
        e.values[key] = pulumi.StackReference(str(stack))
    return e.values[key].get_output(output)


def _unsupported(name: str) -> Callable[[_Evaluator, Any], Any]:
    def refuse(e: _Evaluator, argument: Any) -> Any:
        raise e.fail(f"fn::{name} is not supported by the offline plan: review the program's `pulumi preview --json` "
                     "output with --deployment FILE instead")
    return refuse


_BUILTINS: dict[str, Callable[[_Evaluator, Any], Any]] = {
    "invoke": lambda e, a: e.invoke(a),
    "join": _join,
    "split": _split,
    "select": _select,
    "tojson": _lifted("toJSON", to_json),
    "tobase64": _lifted("toBase64", lambda text: base64.b64encode(_string(text, "the argument").encode()).decode()),
    "frombase64": _lifted("fromBase64", _from_base64),
    "secret": lambda e, a: pulumi.Output.secret(e.evaluate(a)),
    "unsecret": lambda e, a: pulumi.Output.unsecret(pulumi.Output.from_input(e.evaluate(a))),
    "readfile": lambda e, a: _file(e, a).read_text(encoding="utf-8"),
    "filebase64": lambda e, a: base64.b64encode(_file(e, a).read_bytes()).decode(),
    "filebase64sha256": lambda e, a: base64.b64encode(hashlib.sha256(_file(e, a).read_bytes()).digest()).decode(),
    "sha1": _lifted("sha1", lambda text: hashlib.sha1(_string(text, "the argument").encode()).hexdigest()),  # noqa: S324
    "length": _lifted("length", _length),
    "singleornone": _lifted("singleOrNone", _single_or_none),
    "pulumiresourcename": _resource_field("name"),
    "pulumiresourcetype": _resource_field("type"),
    "stringasset": lambda e, a: pulumi.StringAsset(e.evaluate(a)),
    "fileasset": lambda e, a: pulumi.FileAsset(e.evaluate(a)),
    "remoteasset": lambda e, a: pulumi.RemoteAsset(e.evaluate(a)),
    "filearchive": lambda e, a: pulumi.FileArchive(e.evaluate(a)),
    "remotearchive": lambda e, a: pulumi.RemoteArchive(e.evaluate(a)),
    "assetarchive": _asset_archive,
    "stackreference": _stack_reference,
    "method": _unsupported("method"),
}
_BUILTIN_NAMES = {name.lower(): name for name in (
    "invoke", "join", "split", "select", "toJSON", "toBase64", "fromBase64", "secret", "unsecret", "readFile",
    "filebase64", "filebase64sha256", "sha1", "length", "singleOrNone", "pulumiResourceName", "pulumiResourceType",
    "stringAsset", "fileAsset", "remoteAsset", "fileArchive", "remoteArchive", "assetArchive", "stackReference")}


def read_template(project: Project) -> tuple[dict[str, Any], str]:
    """The program's template and its path as messages show it."""
    if project.compiler is not None:
        raise YamlProgramError(f"Pulumi.yaml: runtime.options.compiler: the template is the output of "
                               f"`{project.compiler}`, which the offline plan does not run: review the program's "
                               "`pulumi preview --json` output with --deployment FILE")
    path = template_path(project)
    if path is None:
        raise YamlProgramError(f"{shown_path(project, project.main)}: no {', '.join(TEMPLATE_FILES[:2])} or Pulumi.yaml "
                               "there: a YAML program's template")
    shown = shown_path(project, path)
    template = parse_yaml(read_text(path, shown), shown, first_document=True)
    if not isinstance(template, dict):
        raise YamlProgramError(f"{shown}: must be a mapping with resources, variables, config and outputs")
    if template.get("components"):
        raise YamlProgramError(f"{shown}: components: YAML component packages are not supported by the offline plan")
    return template, shown


def run_template(project: Project, config: StackConfig, stack: str) -> None:
    """Declare the template's resources and exports (inside ``pulumi.runtime.test``, as a Python program runs)."""
    template, shown = read_template(project)
    evaluator = _Evaluator(project, template, shown, config, stack)
    try:
        evaluator.run()
    finally:
        for warning in dict.fromkeys(evaluator.warnings):
            print(f"mlinfra: warning: {warning}", file=sys.stderr)
