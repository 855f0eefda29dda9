"""Checks that need more than one section of the stack's configuration: the tier, the network, the registry.

A section validates what it alone can know (so the error names its key); these take the whole
``PlatformConfig`` and the stack file's name, and raise ``ConfigError`` with one line per problem.
The program (``stacks/__main__.py``) calls them before it registers any resource.
"""

from __future__ import annotations

from typing import Optional, Union

from components.common import Tier
from components.training import validation
from components.monitoring.args import MonitoringArgs
from mlinfra.config.inference import endpoint_error, endpoint_image
from mlinfra.config.monitoring import MONITORING_TIER_DEFAULTS
from mlinfra.config.platform import PlatformConfig
from mlinfra.config.registry import RegisteredModelConfig
from mlinfra.config.training import TrainingConfig
from mlinfra.errors import ConfigError


def check_training(cfg: PlatformConfig, *, source: str) -> Optional[TrainingConfig]:
    """Checks that need the tier or the network; ``ConfigError`` with one line per problem.

    Only dev may have a public endpoint; a private-only cluster needs a deployer path
    (``deployerAccess``); dev GPU groups must scale to zero; a group's zones must be zones of the network.
    """
    training = cfg.training
    if training is None:
        return None
    key = "mlinfra:training"
    problems = []
    if training.public_access_cidrs and not training.endpoint_public_access:
        problems.append(f"{key}.publicAccessCidrs = {training.public_access_cidrs!r}: set but endpointPublicAccess "
                        "is false; remove it or enable public access")
    if cfg.tier is not Tier.DEV and training.endpoint_public_access:
        problems.append(f"{key}.endpointPublicAccess = True: only a dev cluster may have a public API endpoint; "
                        f"reach a {cfg.tier.value} cluster's private endpoint through {key}.deployerAccess")
    access = training.deployer_access
    try:
        validation.check_deployer_path(public=training.endpoint_public_access, cidrs=access.cidrs,
                                       security_groups=access.security_group_ids)
    except ValueError as exc:
        problems.append(f"{key}.{exc}")
    for index, group in enumerate(training.gpu_node_groups):
        where = f"{key}.gpuNodeGroups.{index}"
        if cfg.tier is Tier.DEV and group.min_size != 0:
            problems.append(f"{where}.minSize = {group.min_size}: dev GPU groups must scale to zero (minSize 0)")
        for zone in group.availability_zones or []:
            if zone not in cfg.network.availability_zones:
                problems.append(f"{where}.availabilityZones = {zone!r}: not one of the network's zones "
                                f"({', '.join(cfg.network.availability_zones)})")
    if problems:
        raise ConfigError("\n".join(f"{source}: {line}" for line in problems))
    return training


def registry_group_name(config: PlatformConfig, model: RegisteredModelConfig) -> str:
    """The SageMaker model package group of one of this stack's registry models: ``<prefix>-<model>``."""
    # components.registry's package imports pulumi_aws; validating a stack file should not.
    from components.registry.documents import group_name

    return group_name(config.model_registry.name_prefix or config.environment, model.name)


def _registry_model(config: PlatformConfig, group: str) -> Optional[RegisteredModelConfig]:
    registry = config.model_registry
    models = {} if registry is None else {model.name: model for model in registry.models}
    groups = {registry_group_name(config, model): model for model in models.values()}
    return models.get(group) or groups.get(group)


def variant_models(config: PlatformConfig, *, source: str) -> dict[tuple[str, str], RegisteredModelConfig]:
    """Per registry-backed variant or shadow, keyed by (endpoint name, variant name): the registry
    model it deploys from (its own ``modelPackageGroup``, else the endpoint's). ``ConfigError``
    naming the key for a group this stack's registry does not manage."""
    result: dict[tuple[str, str], RegisteredModelConfig] = {}
    for index, endpoint in enumerate(config.inference.endpoints if config.inference else ()):
        if endpoint.model_package_group is None:
            continue
        others = [*((f"variants.{i}", v) for i, v in enumerate(endpoint.variants)),
                  *([("shadow", endpoint.shadow)] if endpoint.shadow else [])]
        for key, variant in others:
            group = variant.model_package_group or endpoint.model_package_group
            model = _registry_model(config, group)
            if model is None:
                raise endpoint_error(source, index, f"{key}.modelPackageGroup", group,
                                   "is not a model or model package group of this stack's registry")
            result[(endpoint.name, variant.name)] = model
    return result


def registered_model(config: PlatformConfig, index: int, *, source: str) -> RegisteredModelConfig:
    """The ``modelRegistry`` model an endpoint deploys from. ``modelPackageGroup`` names it by its
    model name (``churn-classifier``, the same in every environment, so a stack file can be copied)
    or by its full group name (``prod-churn-classifier``). The endpoint's role may read only that
    registry's artifacts and that model's serving images, so anything the stack's registry does not
    manage is a ``ConfigError`` listing what it does."""
    endpoint = config.inference.endpoints[index]
    registry = config.model_registry
    models = {} if registry is None else {model.name: model for model in registry.models}
    groups = {registry_group_name(config, model): model for model in models.values()}
    found = models.get(endpoint.model_package_group) or groups.get(endpoint.model_package_group)
    if found is None:
        known = (f"models: {', '.join(sorted(models))}; groups: {', '.join(sorted(groups))}" if models
                 else "none: mlinfra:modelRegistry is not configured")
        raise endpoint_error(source, index, "modelPackageGroup", endpoint.model_package_group,
                           f"is not a model or model package group of this stack's registry ({known})")
    return found


#: The longest child resource name an endpoint derives (``<env>-<name>-execution``) plus the 8
#: characters of Pulumi's auto-name suffix must fit IAM's 64-character role names (S3's 63 for
#: ``<env>-<name>-capture`` then fits too); pulumi-aws refuses a longer auto-name at preview time.
_LONGEST_CHILD_SUFFIX = len("-execution") + 8
_IAM_NAME_LIMIT = 64
_SAGEMAKER_NAME_LIMIT = 63
_AUTO_NAME_SUFFIX = 8


def check_name_lengths(config: PlatformConfig, *, source: str) -> None:
    """``ConfigError`` when an endpoint's children would get names longer than AWS allows."""
    for index, endpoint in enumerate(config.inference.endpoints if config.inference else ()):
        length = len(f"{config.environment}-{endpoint.name}") + _LONGEST_CHILD_SUFFIX
        if length > _IAM_NAME_LIMIT:
            allowed = _IAM_NAME_LIMIT - _LONGEST_CHILD_SUFFIX - len(config.environment) - 1
            raise endpoint_error(source, index, "name", endpoint.name,
                               f"is too long for environment {config.environment!r}: its execution role would "
                               f"be named {length} characters, IAM allows {_IAM_NAME_LIMIT}; use at most "
                               f"{allowed} characters")
        base = f"{config.environment}-{endpoint.name}"
        # SageMaker names (models, job definitions) are at most 63 characters, Pulumi's suffix included.
        children = [(f"variants.{i}.name" if i is not None else "shadow.name", v.name, f"{base}-{v.name}", "model")
                    for i, v in [*enumerate(endpoint.variants), *([(None, endpoint.shadow)] if endpoint.shadow else [])]]
        if endpoint.monitoring is not None:
            # The monitor's job definition and its retraining role (IAM: 64) are the longest it names.
            children += [("name", endpoint.name, f"{base}-data-quality", "data-quality job definition")]
            if endpoint.monitoring.model_quality is not None:
                children += [("name", endpoint.name, f"{base}-model-quality", "model-quality job definition"),
                             ("name", endpoint.name, f"{base}-model-quality", "model-quality role")]
            if endpoint.monitoring.retraining_pipeline_arn:
                children += [("name", endpoint.name, f"{base}-retraining", "retraining role")]
        for key, value, child, what in children:
            limit = _IAM_NAME_LIMIT if what.endswith("role") else _SAGEMAKER_NAME_LIMIT
            if len(child) + _AUTO_NAME_SUFFIX > limit:
                raise endpoint_error(source, index, key, value,
                                     f"is too long for environment {config.environment!r}: the {what} {child!r} "
                                     f"plus Pulumi's {_AUTO_NAME_SUFFIX}-character suffix exceeds {limit} characters")


def resolve_models(config: PlatformConfig, *, source: str) -> list[Union[RegisteredModelConfig, str]]:
    """Per endpoint, in order: the registry model it deploys from (``modelPackageGroup``) or its
    serving image URI. The program calls this before it registers any resource, so a group the
    registry does not manage, a framework with no image in the region or a name too long for its
    children's AWS names stops it with nothing created."""
    if config.inference is None:
        return []
    check_name_lengths(config, source=source)
    return [registered_model(config, index, source=source) if endpoint.model_package_group
            else endpoint_image(endpoint, index, region=config.region, source=source)
            for index, endpoint in enumerate(config.inference.endpoints)]


def endpoint_monitoring(config: PlatformConfig, *, source: str) -> dict[str, MonitoringArgs]:
    """Per monitored endpoint (by its name in the stack file), the component's settings with the
    tier's defaults. ``ConfigError`` naming the key when a tier default does not fit what the file
    sets (a run longer than the default schedule's interval), the region has no analyzer image, or a
    model-quality monitor is configured without the ``pulumi-aws-native`` package (imported only then)."""
    from catalog.monitor_images import monitor_image_uri
    from components.monitoring.native import load_aws_native

    result: dict[str, MonitoringArgs] = {}
    for index, endpoint in enumerate(config.inference.endpoints if config.inference else ()):
        if endpoint.monitoring is None:
            continue
        key = f"mlinfra:inference.endpoints.{index}.monitoring"
        try:
            monitor_image_uri(config.region)
        except ValueError as exc:
            raise ConfigError(f"{source}: {key}: {exc}") from None
        default_schedule = MONITORING_TIER_DEFAULTS[config.tier].schedule
        for section, settings in (("dataQuality", endpoint.monitoring.data_quality),
                                  ("modelQuality", endpoint.monitoring.model_quality)):
            try:
                if settings is not None:
                    settings.to_args(default_schedule)
            except ValueError as exc:
                raise ConfigError(f"{source}: {key}.{section} = {settings.model_dump(by_alias=True, exclude_none=True)!r}"
                                  f": {exc} (the {config.tier.value} tier's default schedule is "
                                  f"{default_schedule})") from None
        if endpoint.monitoring.model_quality is not None:
            load_aws_native(f"{source}: {key}.modelQuality")  # not installed: one line naming the extra
        result[endpoint.name] = endpoint.monitoring.to_args(config.tier)
    return result


def automatic_model_registration(config: PlatformConfig, *, source: str) -> bool:
    """Whether the tracking server registers models: the file's choice, else on in dev only.
    ``ConfigError`` when a staging or prod file turns it on."""
    experiments = config.experiments
    if experiments is None:
        return False
    if experiments.automatic_model_registration and config.tier != Tier.DEV:
        raise ConfigError(f"{source}: mlinfra:experiments.automaticModelRegistration = True: only dev registers "
                          f"MLflow models automatically; in {config.tier.value} models enter the registry through "
                          "the approval workflow (set it to false or leave it out)")
    if experiments.automatic_model_registration is None:
        return config.tier == Tier.DEV
    return experiments.automatic_model_registration
