"""The modelRegistry config section: defaults and one clear message per bad value."""

import json

import pytest

from components.common import Classification
from mlinfra.config import platform_config_from
from mlinfra.errors import ConfigError

BASE = {
    "aws:region": "us-east-1",
    "mlinfra:tier": "prod",
    "mlinfra:tags": json.dumps({"owner": "ml-platform", "costCenter": "cc-1"}),
}
MODEL = {"name": "churn-classifier", "servingImages": ["churn-serving"]}


def load(section):
    return platform_config_from({**BASE, "mlinfra:modelRegistry": json.dumps(section)},
                                environment="prod", source="stacks/Pulumi.prod.yaml")


def test_section_is_optional():
    cfg = platform_config_from(BASE, environment="prod", source="stacks/Pulumi.prod.yaml")
    assert cfg.model_registry is None


def test_defaults_are_secure():
    registry = load({"models": [MODEL]}).model_registry
    assert registry.readers == []
    assert registry.classification is Classification.CONFIDENTIAL
    assert registry.notifications == "topic"
    assert (registry.untagged_image_days, registry.tagged_images_kept) == (14, 100)
    assert registry.name_prefix is None
    assert registry.model("churn-classifier").pinned_version is None


def test_full_section_is_read():
    registry = load({
        "models": [{**MODEL, "description": "Churn", "pinnedVersion": 12}, {"name": "fraud"}],
        "readers": ["210987654321"], "namePrefix": "shared", "classification": "restricted",
        "untaggedImageDays": 3, "taggedImagesKept": 20, "notifications": "queue",
    }).model_registry
    assert registry.model("churn-classifier").pinned_version == 12
    assert registry.model("churn-classifier").serving_images == ["churn-serving"]
    assert registry.readers == ["210987654321"]
    assert registry.classification is Classification.RESTRICTED
    assert registry.notifications == "queue"
    with pytest.raises(KeyError, match="no registered model 'nope'; registered: churn-classifier, fraud"):
        registry.model("nope")


KEY = "stacks/Pulumi.prod.yaml: mlinfra:modelRegistry"


@pytest.mark.parametrize(("section", "expected"), [
    ({"models": []}, f"{KEY}.models = []: List should have at least 1 item"),
    ({}, f"{KEY}.models is required"),
    ({"models": [{"name": "Churn_Model"}]},
     f"{KEY}.models.0.name = 'Churn_Model': must be 1-30 lowercase letters and digits"),
    ({"models": [{"name": "a" * 31}]}, "must be 1-30 lowercase letters"),
    ({"models": [MODEL, MODEL]}, "models: churn-classifier listed more than once"),
    ({"models": [{"name": "m", "servingImages": ["Bad/Image"]}]},
     f"{KEY}.models.0.servingImages = ['Bad/Image']: 'Bad/Image' is not a valid image repository name"),
    ({"models": [{"name": "m", "servingImages": ["x", "x"]}]}, "lists an image more than once"),
    ({"models": [{"name": "m", "pinnedVersion": 0}]},
     f"{KEY}.models.0.pinnedVersion = 0: Input should be greater than or equal to 1"),
    ({"models": [MODEL], "readers": ["*"]},
     f"{KEY}.readers = ['*']: '*' is not an AWS account id (12 digits); wildcards are not allowed"),
    ({"models": [MODEL], "readers": ["210987654321", "210987654321"]}, "lists an account more than once"),
    ({"models": [MODEL], "namePrefix": "Prod"}, f"{KEY}.namePrefix = 'Prod': must be 1-32 lowercase letters"),
    ({"models": [MODEL], "notifications": "email"},
     f"{KEY}.notifications = 'email': Input should be 'topic' or 'queue'"),
    ({"models": [MODEL], "untaggedImageDays": 0}, f"{KEY}.untaggedImageDays = 0: Input should be greater"),
    ({"models": [MODEL], "taggedImagesKept": 10001}, f"{KEY}.taggedImagesKept = 10001: Input should be less"),
    ({"models": [MODEL], "classification": "secret"}, f"{KEY}.classification = 'secret': Input should be"),
    ({"models": [{**MODEL, "scanOnPush": False}]}, f"{KEY}.models.0.scanOnPush is not a known setting"),
    ({"models": [MODEL], "imageTagMutability": "MUTABLE"}, f"{KEY}.imageTagMutability is not a known setting"),
])
def test_bad_values_name_file_key_value_and_what_is_allowed(section, expected):
    with pytest.raises(ConfigError) as info:
        load(section)
    assert expected in str(info.value)
