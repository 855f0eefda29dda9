"""The Model Monitor analyzer image (``sagemaker-model-monitor-analyzer``), resolved offline per region
from the ``sagemaker-core`` distribution's bundled ``model-monitor.json``, as serving images are
(``catalog.images``). Reading the JSON directly costs no import of
``sagemaker.core.image_uris`` (over a second: it pulls in pandas), and the file is the SDK's own
source for ``image_uris.retrieve("model-monitor", region)``; a test keeps the two identical.
"""

from __future__ import annotations

import functools
import json
from importlib import metadata
from pathlib import Path

MONITOR_FRAMEWORK = "model-monitor"


def _config_file() -> Path:
    return Path(metadata.distribution("sagemaker-core").locate_file(
        f"sagemaker/core/image_uri_config/{MONITOR_FRAMEWORK}.json"))


#: Partitions whose ECR domain this module knows; the isolated (us-iso*) regions' domains differ
#: per region and are left out rather than guessed.
_DOMAINS = {"cn-": "amazonaws.com.cn", "": "amazonaws.com"}


@functools.lru_cache(maxsize=1)
def _registry() -> tuple[dict[str, str], str]:
    config = json.loads(_config_file().read_text())
    version = config["versions"][""]
    registries = {region: account for region, account in version["registries"].items()
                  if not region.startswith("us-iso")}
    return registries, version["repository"]


def monitor_regions() -> list[str]:
    """Regions with a Model Monitor analyzer image, sorted."""
    return sorted(_registry()[0])


def monitor_image_uri(region: str) -> str:
    """``<account>.dkr.ecr.<region>.amazonaws.com[.cn]/sagemaker-model-monitor-analyzer`` for
    ``region``; ``ValueError`` listing the regions that have one otherwise."""
    registries, repository = _registry()
    account = registries.get(region)
    if account is None:
        raise ValueError(f"SageMaker Model Monitor has no analyzer image in {region!r}; "
                         f"regions with one: {', '.join(monitor_regions())}")
    domain = next(d for prefix, d in _DOMAINS.items() if region.startswith(prefix))
    return f"{account}.dkr.ecr.{region}.{domain}/{repository}"


def monitor_repository_arn(region: str, partition: str = "aws") -> str:
    """The ECR repository ARN of the analyzer image (for a least-privilege pull grant)."""
    registries, repository = _registry()
    monitor_image_uri(region)  # the same error for an unknown region
    return f"arn:{partition}:ecr:{region}:{registries[region]}:repository/{repository}"
