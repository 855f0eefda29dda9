"""Instance-type table and offline framework-image resolution (no Pulumi, no network)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import botocore.session
import pytest

from catalog import images
from catalog.inference_instances import (
    INFERENCE_INSTANCE_TYPES,
    check_instance_type,
    family_of,
    takes_kms_key,
)


def test_table_matches_sagemakers_production_variant_instance_types():
    model = botocore.session.get_session().get_service_model("sagemaker")
    assert INFERENCE_INSTANCE_TYPES == set(model.shape_for("ProductionVariantInstanceType").enum)


@pytest.mark.parametrize(("instance_type", "kms"), [
    ("ml.m5.large", True), ("ml.c6i.xlarge", True), ("ml.inf2.xlarge", True), ("ml.p3.2xlarge", True),
    ("ml.m5d.large", False), ("ml.g5.xlarge", False), ("ml.g4dn.xlarge", False), ("ml.p4d.24xlarge", False),
])
def test_instance_storage_types_take_no_kms_key(instance_type, kms):
    assert takes_kms_key(instance_type) is kms


def test_families_know_their_accelerator_and_architecture():
    assert family_of("ml.g6.xlarge").accelerator == "gpu"
    assert family_of("ml.inf2.xlarge").accelerator == "neuron"
    assert family_of("ml.c7g.large").arm64 and not family_of("ml.c7i.large").arm64


@pytest.mark.parametrize(("value", "message"), [
    ("m5.large", "did you mean ml.m5.large?"),
    ("ml.t3.medium", "SageMaker offers no 't3' instances"),
    ("ml.m5.medium", "ml.m5 for inference in sizes large, xlarge"),
    ("ml.m5", "of the form ml.<family>.<size>"),
])
def test_bad_instance_types(value, message):
    with pytest.raises(ValueError, match=message.replace(".", r"\.").replace("?", r"\?")):
        check_instance_type(value)


ROOT = Path(__file__).resolve().parent.parent


def test_framework_images_resolve_offline_per_region_and_processor(tmp_path, monkeypatch):
    monkeypatch.setenv("MLINFRA_CACHE_DIR", str(tmp_path))  # an empty cache: every URI is sagemaker-core's
    assert images.framework_image_uri("pytorch", "2.6", "us-east-1", "ml.g5.xlarge") == \
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.6-gpu-py312"
    assert images.framework_image_uri("pytorch", "2.6", "eu-west-1", "ml.c6i.xlarge") == \
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.6-cpu-py312"
    # Serverless (no instance type) is CPU.
    assert images.framework_image_uri("sklearn", "1.2-1", "us-east-1").endswith("sagemaker-scikit-learn:1.2-1-cpu-py3")


def _retrieved(framework: str, version: str, region: str, instance_type: str, py_version: str | None) -> str:
    """sagemaker-core's own answer, the reference the cache must give back."""
    from sagemaker.core import image_uris

    return image_uris.retrieve(framework=framework, region=region, version=version, py_version=py_version,
                               instance_type=instance_type, image_scope="inference")


XGBOOST = ("xgboost", "1.7-1", "eu-west-1", "ml.m5.large")


def test_a_resolved_image_is_read_back_by_the_next_process_without_importing_sagemaker(tmp_path, monkeypatch):
    monkeypatch.setenv("MLINFRA_CACHE_DIR", str(tmp_path))
    uri = images.framework_image_uri(*XGBOOST)
    assert uri == _retrieved(*XGBOOST, None)
    assert images.cache_file().parent == tmp_path
    assert json.loads(images.cache_file().read_text()) == {json.dumps([*XGBOOST, None]): uri}
    probe = ("import sys; from catalog import images; "
             f"print(images.framework_image_uri(*{XGBOOST!r})); print('sagemaker.core' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=os.environ, capture_output=True,
                           text=True, check=True).stdout.split()
    assert shown == [uri, "False"]


def test_a_broken_cache_or_another_sagemaker_core_versions_is_not_believed(tmp_path, monkeypatch):
    monkeypatch.setenv("MLINFRA_CACHE_DIR", str(tmp_path))
    key = json.dumps([*XGBOOST, None])
    forged = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/forged:1"
    (tmp_path / "framework-images-0.0.1.json").write_text(json.dumps({key: forged}))
    for content in ("{broken", json.dumps([key]), json.dumps({key: "not an image URI", "other": 1})):
        images.cache_file().write_text(content)
        assert images.framework_image_uri(*XGBOOST) == _retrieved(*XGBOOST, None)
    assert json.loads(images.cache_file().read_text()) == {key: _retrieved(*XGBOOST, None)}


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path, monkeypatch):
    (tmp_path / "home").write_text("a file where the cache directory would be")
    monkeypatch.setenv("MLINFRA_CACHE_DIR", str(tmp_path / "home" / "mlinfra"))
    assert images.framework_image_uri(*XGBOOST) == _retrieved(*XGBOOST, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_the_cache_lives_under_xdg_cache_home_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("MLINFRA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert images.cache_file().parent == tmp_path / "mlinfra"
    assert images.cache_file().name.startswith("framework-images-2.")


def test_unknown_framework_and_version_list_what_is_available():
    with pytest.raises(ValueError) as info:
        images.check_framework("torch", "2.6")
    assert "unknown framework 'torch'; available:" in str(info.value)
    assert "pytorch" in str(info.value) and "xgboost" in str(info.value)
    with pytest.raises(ValueError, match=r"tensorflow has no inference image version '3\.0'; available: .*2\.16"):
        images.check_framework("tensorflow", "3.0")


def test_frameworks_come_from_the_bundled_config():
    frameworks = images.available_frameworks()
    assert {"pytorch", "tensorflow", "xgboost", "sklearn", "huggingface-llm", "djl-lmi"} <= set(frameworks)
    # Needs a base framework version this component does not model: refused, not half-supported.
    assert "huggingface" not in frameworks
    assert "2.6" in images.available_versions("pytorch") and "2.6.0" in images.available_versions("pytorch")


def test_ecr_repository_arn_of_an_image():
    assert images.ecr_repository_arn("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/model@sha256:" + "a" * 64) == \
        "arn:aws:ecr:eu-west-1:123456789012:repository/team/model"
    with pytest.raises(ValueError, match="must be an ECR image URI with a tag or digest"):
        images.parse_ecr_image("123456789012.dkr.ecr.eu-west-1.amazonaws.com/model")


def test_neuron_frameworks_serve_inferentia_and_only_inferentia():
    images.check_framework("huggingface-llm-neuronx", "0.3.0", instance_type="ml.inf2.xlarge")
    with pytest.raises(ValueError, match="has images for inf2 only, not for ml.g5.xlarge"):
        images.check_framework("huggingface-llm-neuronx", "0.3.0", instance_type="ml.g5.xlarge")
