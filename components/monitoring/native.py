"""pulumi-aws-native, imported only where a model-quality monitor is built.

pulumi-aws has no model-quality job definition; pulumi-aws-native (AWS Cloud Control) has
``aws_native.sagemaker.ModelQualityJobDefinition``. The package is an optional extra
(``pip install 'mlinfra[model-quality]'``): about 250 MB installed and 0.6 s to import
(docs/components/monitoring.md), so plans without a model-quality monitor never import it.
"""

from __future__ import annotations

from types import ModuleType
from typing import Mapping, Optional

import pulumi

from components.errors import ConfigError

EXTRA = "model-quality"
REQUIREMENT = "pulumi-aws-native>=1.84,<2"


def load_aws_native(where: str = "a model-quality monitor") -> ModuleType:
    """``pulumi_aws_native`` with its ``sagemaker`` module loaded; ``ConfigError`` (one line, naming
    the extra to install) when the package is not installed."""
    try:
        import pulumi_aws_native
        import pulumi_aws_native.sagemaker  # noqa: F401  (the module the monitor uses)
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("pulumi_aws_native"):
            raise
        raise ConfigError(f"{where}: needs the pulumi-aws-native package, which is not installed: "
                          f"pip install 'mlinfra[{EXTRA}]' (or '{REQUIREMENT}')") from None
    return pulumi_aws_native


def native_provider(name: str, *, region: str, tags: Mapping[str, str],
                    opts: Optional[pulumi.ResourceOptions] = None) -> pulumi.ProviderResource:
    """An explicit aws-native provider for ``region`` whose default tags are ``tags`` (the same
    tags as the stack's pulumi-aws provider), so model-quality resources never depend on ambient
    ``aws-native:region`` configuration. ``pulumi up`` downloads its plugin
    (``pulumi-resource-aws-native``) on first use."""
    aws_native = load_aws_native()
    return aws_native.Provider(name, region=region,
                               default_tags=aws_native.ProviderDefaultTagsArgs(tags=dict(tags)), opts=opts)
