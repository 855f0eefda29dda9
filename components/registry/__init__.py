"""Model registry: SageMaker model package groups, hardened serving-image repositories, an artifact
bucket and approval events (``component``), and the promotion lookup endpoints use to deploy only
Approved versions (``promotion``)."""

from components.registry.component import ModelRegistry, ModelRegistryArgs, RegisteredModel
from components.registry.promotion import (
    ModelPackageRef,
    NoApprovedModelPackage,
    latest_approved_model_package,
    resolve_model_package,
)

__all__ = ["ModelRegistry", "ModelRegistryArgs", "RegisteredModel", "ModelPackageRef", "NoApprovedModelPackage",
           "latest_approved_model_package", "resolve_model_package"]
