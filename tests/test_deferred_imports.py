"""The SDK packages a review defers (mlinfra.deferred_imports) stay unimported until used, and work when used.
Each case runs in a fresh interpreter: in this one the SDK is long imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_policy_sdk_imports_without_the_deferred_packages():
    out = run("""
        import sys
        from mlinfra.deferred_imports import UNUSED_BY_REVIEW, defer_unused_sdk_modules
        assert defer_unused_sdk_modules()
        import pulumi_policy, pulumi
        loaded = sorted(m for m in sys.modules if m.startswith(UNUSED_BY_REVIEW) and
                        type(sys.modules[m]).__name__ != "_Deferred")
        print(loaded, type(pulumi.automation).__name__)
    """)
    assert out == "[] _Deferred"


def test_a_deferred_package_imports_on_first_use_every_way():
    out = run("""
        import sys
        from mlinfra.deferred_imports import defer_unused_sdk_modules
        defer_unused_sdk_modules()
        import pulumi
        from pulumi.automation import LocalWorkspace       # from-import
        import pulumi.automation.events                     # a submodule
        provider = pulumi.dynamic.ResourceProvider          # attribute through the package
        real = sys.modules["pulumi.automation"]
        print(type(real).__name__, real.LocalWorkspace is LocalWorkspace, provider.__name__,
              type(sys.modules["pulumi.dynamic"]).__name__, hasattr(pulumi.automation.events, "EngineEvent"))
    """)
    assert out == "module True ResourceProvider module True"


def test_nothing_is_deferred_once_the_sdk_is_imported():
    out = run("""
        import sys, pulumi
        from mlinfra.deferred_imports import defer_unused_sdk_modules
        print(defer_unused_sdk_modules(), type(sys.modules["pulumi.automation"]).__name__)
    """)
    assert out == "False module"


def test_tracing_is_deferred_unless_the_cli_traces():
    # pulumi/__init__.py imports pulumi.runtime._instrumentation for its side effect: tracing when TRACEPARENT
    # is set. Without it the OpenTelemetry SDK stays unimported; with it the module runs as the SDK means.
    code = """
        import sys
        from mlinfra.deferred_imports import TRACING, defer_unused_sdk_modules
        defer_unused_sdk_modules()
        import pulumi_policy
        print(type(sys.modules[TRACING]).__name__, "opentelemetry.sdk.trace" in sys.modules)
    """
    import os

    environment = {k: v for k, v in os.environ.items() if k != "TRACEPARENT"}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120,
                          env=environment)
    assert done.stdout.strip() == "_Deferred False", done.stderr
    traced = {**environment, "TRACEPARENT": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120,
                          env=traced)
    assert done.stdout.strip() == "module True", done.stderr
