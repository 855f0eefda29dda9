"""Instance-type table and offline framework-image resolution (no Pulumi, no network)."""

from __future__ import annotations

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


def test_framework_images_resolve_offline_per_region_and_processor():
    assert images.framework_image_uri("pytorch", "2.6", "us-east-1", "ml.g5.xlarge") == \
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.6-gpu-py312"
    assert images.framework_image_uri("pytorch", "2.6", "eu-west-1", "ml.c6i.xlarge") == \
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.6-cpu-py312"
    # Serverless (no instance type) is CPU.
    assert images.framework_image_uri("sklearn", "1.2-1", "us-east-1").endswith("sagemaker-scikit-learn:1.2-1-cpu-py3")


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
