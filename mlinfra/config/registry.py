"""The ``mlinfra:modelRegistry`` section: registered models, their serving images, reader accounts.

Example (``stacks/Pulumi.prod.yaml``)::

    mlinfra:modelRegistry:
      readers: ["210987654321"]
      models:
        - name: churn-classifier
          description: Weekly churn propensity
          servingImages: [churn-serving]
          pinnedVersion: 12        # optional: deploy this Approved version, not the newest
"""

from __future__ import annotations

import re
from typing import Literal, Optional

from pydantic import Field, field_validator, model_validator

from components.common import Classification
from components.sections import Section

MODEL_NAME_PATTERN = r"^[a-z0-9](-?[a-z0-9])*$"
#: ECR repository name component: lowercase, digits, single separators.
IMAGE_NAME_PATTERN = r"^[a-z0-9]+([._-][a-z0-9]+)*$"
ACCOUNT_ID_PATTERN = r"^\d{12}$"
#: Same shape as an environment name, so the default prefix (the environment) always fits.
NAME_PREFIX_PATTERN = r"^[a-z][a-z0-9-]{0,31}$"


class RegisteredModelConfig(Section):
    """One model: a model package group and the serving images its versions use."""

    #: Model name; the group is ``<namePrefix>-<name>``. Lowercase letters, digits, single hyphens;
    #: at most 30 characters so that the group name fits SageMaker's 63.
    name: str
    description: str = Field(default="", max_length=1024)
    #: ECR repositories (``<namePrefix>/<image>``) for this model's serving images; may be shared.
    serving_images: list[str] = Field(default_factory=list)
    #: Deploy this Approved version instead of following the newest Approved one.
    pinned_version: Optional[int] = Field(default=None, ge=1)

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        if not re.fullmatch(MODEL_NAME_PATTERN, name) or len(name) > 30:
            raise ValueError("must be 1-30 lowercase letters and digits, optionally separated by single '-'")
        return name

    @field_validator("serving_images")
    @classmethod
    def _images(cls, images: list[str]) -> list[str]:
        for image in images:
            if not re.fullmatch(IMAGE_NAME_PATTERN, image) or len(image) > 200:
                raise ValueError(f"{image!r} is not a valid image repository name: use lowercase letters and "
                                 "digits separated by single '.', '_' or '-' (at most 200 characters)")
        if len(set(images)) != len(images):
            raise ValueError("lists an image more than once")
        return images


class ModelRegistryConfig(Section):
    """The model registry. Tag immutability, scan on push and KMS encryption are not options."""

    models: list[RegisteredModelConfig] = Field(min_length=1)
    #: AWS account ids allowed to read model packages, pull serving images and read artifacts.
    readers: list[str] = Field(default_factory=list)
    #: Prefix of group and repository names; default the environment name.
    name_prefix: Optional[str] = None
    #: Sensitivity of model artifacts, images and package metadata (models can leak training data).
    classification: Classification = Classification.CONFIDENTIAL
    #: Days an untagged image is kept before the lifecycle policy expires it.
    untagged_image_days: int = Field(default=14, ge=1, le=365)
    #: How many tagged images each repository keeps (the oldest beyond this expire).
    tagged_images_kept: int = Field(default=100, ge=1, le=10000)
    #: Where approval events go: an SNS ``topic`` (fan-out) or an SQS ``queue`` (a pipeline polls it).
    notifications: Literal["topic", "queue"] = "topic"

    @field_validator("name_prefix")
    @classmethod
    def _prefix(cls, prefix: Optional[str]) -> Optional[str]:
        if prefix is not None and not re.fullmatch(NAME_PREFIX_PATTERN, prefix):
            raise ValueError("must be 1-32 lowercase letters, digits and '-', starting with a letter")
        return prefix

    @field_validator("readers")
    @classmethod
    def _readers(cls, readers: list[str]) -> list[str]:
        for account in readers:
            if not re.fullmatch(ACCOUNT_ID_PATTERN, account):
                raise ValueError(f"{account!r} is not an AWS account id (12 digits); wildcards are not allowed")
        if len(set(readers)) != len(readers):
            raise ValueError("lists an account more than once")
        return readers

    @model_validator(mode="after")
    def _unique_models(self) -> "ModelRegistryConfig":
        names = [model.name for model in self.models]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"models: {', '.join(duplicates)} listed more than once")
        return self

    def model(self, name: str) -> RegisteredModelConfig:
        """The model called ``name``; ``KeyError`` naming the registered models if there is none."""
        for model in self.models:
            if model.name == name:
                return model
        raise KeyError(f"no registered model {name!r}; registered: {', '.join(m.name for m in self.models)}")
