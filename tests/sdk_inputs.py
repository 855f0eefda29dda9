"""The installed pulumi-aws SDK (and pulumi-aws-native, for ``aws-native:`` tokens) as the reference for the
inputs rules and the data-store table read: its resource class for a type token, and every camelCase input
name of that class's module. pulumi-aws-native is an optional dependency (the dev extra): a check of an
``aws-native:`` token skips without it."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Sequence

import pytest

#: A getter and its input name; a deprecated input has ``@_utilities.deprecated(...)`` between the two lines.
GETTER = re.compile(r'@pulumi\.getter(?:\(name="(\w+)"\))?\n(?:    @_utilities\.deprecated\(.*\)\n)?    def (\w+)\(self\)')


def resource_class(type_token: str):
    """The SDK class of ``type_token`` (``aws:s3/bucket:Bucket``, ``aws-native:s3:Bucket``), or None."""
    if type_token.startswith("aws-native:"):
        pytest.importorskip("pulumi_aws_native")  # registers the resource modules
    else:
        import pulumi_aws  # noqa: F401  (registers the resource modules)
    from pulumi.runtime import rpc

    package, module, _ = type_token.split(":")
    for resource_module in rpc._RESOURCE_MODULES.get(f"{package}:{module}", []):
        info = getattr(resource_module, "mod_info", {})
        name = info.get("classes", {}).get(type_token)
        if name:
            return getattr(importlib.import_module(info["fqn"]), name)
    return None


def input_names(cls) -> set[str]:
    """Every camelCase input name in the resource's module and its package's _inputs.py."""
    module = importlib.import_module(cls.__module__)
    folder = Path(module.__file__).parent
    inputs = folder / "_inputs.py"  # some pulumi-aws-native modules (kms) have no nested input types
    text = Path(module.__file__).read_text() + (inputs.read_text() if inputs.exists() else "")
    if cls.__module__.startswith("pulumi_aws_native."):
        text += (folder.parent / "_inputs.py").read_text()  # the shared types: TagArgs (key, value), ...
    return {camel or snake for camel, snake in GETTER.findall(text)}


def assert_inputs_in_sdk(type_token: str, path: Sequence[str]) -> None:
    """Fail unless ``type_token`` is a pulumi-aws (pulumi-aws-native) resource and every step of ``path`` one of its inputs."""
    cls = resource_class(type_token)
    assert cls is not None, type_token
    names = input_names(cls)
    for step in path:
        assert step in names, f"{type_token}: {step} is not an input"
