"""Pulumi SDK packages a review of a deployment file never runs, imported on first use instead of at start.

``pulumi/__init__.py`` ends with ``from . import runtime, dynamic, policy, automation`` (pulumi 3.x), so
every process that imports the SDK, as the policy SDK and every pack do, also imports the Automation
API (``pulumi.automation``: its workspaces, YAML, semver, urllib) and dynamic providers
(``pulumi.dynamic``: dill). A review evaluates policies and uses neither: together they are about 90
modules and 25 ms of a review's 0.3 s start. ``defer_unused_sdk_modules`` puts a stand-in for each in
``sys.modules`` before the SDK is first imported; the first attribute anything reads from a stand-in
(``pulumi.automation.LocalWorkspace``, ``from pulumi.automation import ...``, a submodule import)
imports the real package, which then replaces it, so a pack that does use them works unchanged.

``pulumi.runtime._instrumentation`` is the third (pulumi 3.2xx): ``pulumi/__init__.py`` imports it first
for its side effect, OpenTelemetry tracing set up when ``TRACEPARENT`` is in the environment (the CLI
sets it when it traces), and it imports the OpenTelemetry SDK whether or not it traces: 45 ms. Without
``TRACEPARENT`` the import does nothing else, so it is deferred too; with it, it runs as the SDK means.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import sys
import types

#: The SDK packages nothing in a review of a deployment file runs.
UNUSED_BY_REVIEW = ("pulumi.automation", "pulumi.dynamic")
#: Imported by the SDK for tracing only (see the module docstring).
TRACING = "pulumi.runtime._instrumentation"


class _Deferred(types.ModuleType):
    """Stands in for a package until an attribute is read from it, then imports it and answers from it."""

    def __getattr__(self, attr: str):
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        return getattr(importlib.import_module(name), attr)


def defer_unused_sdk_modules(names: tuple[str, ...] = UNUSED_BY_REVIEW) -> bool:
    """Install the stand-ins; False (and nothing done) when the SDK is already imported, where they
    could no longer keep anything from being imported."""
    if "pulumi" in sys.modules:
        return False
    if "TRACEPARENT" not in os.environ:
        names = (*names, TRACING)
    for name in names:
        stand_in = _Deferred(name)
        stand_in.__spec__ = importlib.machinery.ModuleSpec(name, None)  # what the import system checks
        sys.modules[name] = stand_in
    return True
