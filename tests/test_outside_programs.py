"""benchmarks/outside_programs.py fills the configuration a program requires from the plan's own message:
its parsing, against the messages mlinfra writes for the three ways a key can be missing."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest

from mlinfra.errors import MlinfraError
from mlinfra.plan import plan

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "outside_programs.py"
spec = importlib.util.spec_from_file_location("outside_programs", SCRIPT)
outside = importlib.util.module_from_spec(spec)
spec.loader.exec_module(outside)


def _message(tmp_path: Path, pulumi_yaml: str, program: str | None = None) -> str:
    (tmp_path / "Pulumi.yaml").write_text(textwrap.dedent(pulumi_yaml))
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    if program is not None:
        (tmp_path / "__main__.py").write_text(textwrap.dedent(program))
    with pytest.raises(MlinfraError) as error:
        plan(tmp_path, "dev")
    return str(error.value)


def test_a_key_the_program_requires(tmp_path):
    message = _message(tmp_path, "name: theirs\nruntime: python\n",
                       "import pulumi\npulumi.Config().require('bucketName')\n")
    assert outside.missing_keys(message) == ["theirs:bucketName"]


def test_keys_pulumi_yaml_declares_without_a_default(tmp_path):
    message = _message(tmp_path, """
        name: theirs
        runtime: python
        config:
          dbPassword: {type: string}
          keyPath: {type: string}
        """, "")
    assert outside.missing_keys(message) == ["dbPassword", "keyPath"]


def test_a_yaml_templates_own_key(tmp_path):
    message = _message(tmp_path, """
        name: theirs
        runtime: yaml
        configuration:
          frontendPort: {type: Number}
        resources:
          b:
            type: aws:s3:Bucket
            properties: {bucket: "b-${frontendPort}"}
        """)
    assert outside.missing_keys(message) == ["frontendPort"]
    assert outside.placeholder("theirs:frontendPort") == 2


def test_other_failures_name_no_key():
    assert outside.missing_keys("mlinfra: error: __main__.py: the program imports pulumi_mysql, which is not "
                                "installed") == []
