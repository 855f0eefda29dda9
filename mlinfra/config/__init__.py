"""Stack configuration: one pydantic model per environment, loaded from Pulumi config."""

from mlinfra.config.load import load_platform_config, platform_config_from
from mlinfra.config.platform import TIER_DEFAULTS, PlatformConfig

__all__ = ["PlatformConfig", "TIER_DEFAULTS", "load_platform_config", "platform_config_from"]
