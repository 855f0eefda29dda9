"""Framework serving images, resolved offline from the ``sagemaker-core`` distribution's bundled JSON.

``framework: pytorch, frameworkVersion: "2.6"`` becomes the AWS Deep Learning Container URI for the
region and processor (``763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.6-gpu-py312``)
without anyone copying an ECR URI. Listing and checking frameworks and versions reads the JSON files
directly; only ``framework_image_uri`` imports ``sagemaker.core.image_uris``, which takes one to
three seconds to import (``sagemaker.core`` pulls in pandas and scipy), so a stack with no framework
endpoint never pays for it, and a URI once resolved is kept in a small cache file (``cache_file``)
that later plans read instead of importing the library again.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from importlib import metadata
from pathlib import Path
from typing import Any, Optional

from catalog.cache import cache_dir, read_entries, write_entries
from catalog.inference_instances import family_of

#: Frameworks whose inference images need arguments this component does not model
#: (``huggingface`` needs a base PyTorch/TensorFlow version; use ``huggingface-llm`` or an image).
UNSUPPORTED = frozenset({"huggingface", "sagemaker-base-python"})

#: Serverless endpoints run on CPU x86 capacity: their image is the one for a CPU instance.
SERVERLESS_IMAGE_INSTANCE_TYPE = "ml.m5.large"

_ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repository>[a-z0-9][a-z0-9._/-]*)(?::[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$"
)


def _config_dir() -> Path:
    # Located through the distribution's metadata: importing ``sagemaker.core`` to find it would
    # cost the import this module exists to avoid.
    return Path(metadata.distribution("sagemaker-core").locate_file("sagemaker/core/image_uri_config"))


@functools.lru_cache(maxsize=None)
def _inference_config(framework: str) -> Optional[dict[str, Any]]:
    """The inference part of a framework's bundled config, or None if it has none."""
    try:
        config = json.loads((_config_dir() / f"{framework}.json").read_text())
    except (OSError, ValueError):
        return None
    if "versions" in config:
        return config if "inference" in config.get("scope", ["inference"]) else None
    scoped = config.get("inference")
    return scoped if isinstance(scoped, dict) and "versions" in scoped else None


@functools.lru_cache(maxsize=1)
def available_frameworks() -> tuple[str, ...]:
    """Frameworks with bundled inference images, sorted."""
    names = (path.stem for path in _config_dir().glob("*.json"))
    return tuple(sorted(n for n in names if n not in UNSUPPORTED and _inference_config(n) is not None))


def _version_key(version: str) -> tuple:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.-]", version))


def available_versions(framework: str) -> list[str]:
    """Versions (and aliases such as ``2.6`` for ``2.6.0``) of a framework's inference images."""
    config = _inference_config(framework) if framework not in UNSUPPORTED else None
    if config is None:
        raise ValueError(f"unknown framework {framework!r}; available: {', '.join(available_frameworks())}")
    return sorted({*config["versions"], *config.get("version_aliases", {})}, key=_version_key)


def _version_config(framework: str, version: str) -> dict[str, Any]:
    config = _inference_config(framework)
    assert config is not None
    return config["versions"][config.get("version_aliases", {}).get(version, version)]


def available_py_versions(framework: str, version: str) -> list[str]:
    """Python versions of one framework version's images (empty when the image has none)."""
    return list(_version_config(framework, version).get("py_versions", []))


#: The image ``processors`` (in sagemaker-core's bundled image configs) that serve each accelerator.
_PROCESSORS_FOR: dict[str, set[str]] = {"cpu": {"cpu"}, "gpu": {"gpu"}, "neuron": {"inf", "inf2", "neuronx"}}


def check_framework(framework: str, version: str, py_version: Optional[str] = None,
                    instance_type: Optional[str] = None) -> None:
    """Raise ``ValueError`` listing what is available if the framework, version, Python version
    or processor (CPU/GPU of ``instance_type``; None means serverless, which is CPU) has no image."""
    versions = available_versions(framework)
    if version not in versions:
        raise ValueError(f"{framework} has no inference image version {version!r}; available: {', '.join(versions)}")
    py_versions = available_py_versions(framework, version)
    if py_version is not None and py_version not in py_versions:
        offered = ", ".join(py_versions) or "none (the image takes no Python version)"
        raise ValueError(f"{framework} {version} has no image for Python {py_version!r}; available: {offered}")
    processors = _inference_config(framework).get("processors") or _version_config(framework, version).get("processors")
    accelerator = family_of(instance_type).accelerator if instance_type else "cpu"
    if processors and not set(processors) & _PROCESSORS_FOR.get(accelerator, set()):
        where = instance_type or "a serverless endpoint (CPU)"
        hint = ("; Inferentia and Trainium need a Neuron framework (e.g. huggingface-neuronx) or an image"
                if accelerator == "neuron" else "")
        raise ValueError(f"{framework} {version} has images for {', '.join(processors)} only, "
                         f"not for {where}{hint}")


def framework_image_uri(framework: str, version: str, region: str, instance_type: Optional[str] = None,
                        py_version: Optional[str] = None) -> str:
    """The inference image URI for a framework version in ``region``; ``instance_type`` None means
    serverless. ``py_version`` defaults to the newest the version offers. ``ValueError`` if none.

    The URI is sagemaker-core's ``image_uris.retrieve``; one it resolved before, with the same
    arguments and the same sagemaker-core version, is read from ``cache_file()`` instead."""
    check_framework(framework, version, py_version, instance_type)
    if py_version is None:
        py_version = (available_py_versions(framework, version) or [None])[-1]
    instance_type = instance_type or SERVERLESS_IMAGE_INSTANCE_TYPE
    key = json.dumps([framework, version, region, instance_type, py_version])
    cached = {key: uri for key, uri in read_entries(_cache_name()).items()
              if isinstance(uri, str) and _ECR_IMAGE.match(uri)}
    if key in cached:
        return cached[key]
    from sagemaker.core import image_uris  # deliberately late: see the module docstring

    # The SDK logs every defaulted argument at INFO/WARNING; a plan's output is not the place.
    logging.getLogger(image_uris.__name__).setLevel(logging.ERROR)
    uri = image_uris.retrieve(framework=framework, region=region, version=version, py_version=py_version,
                              instance_type=instance_type, image_scope="inference")
    write_entries(_cache_name(), {**cached, key: uri})
    return uri


def cache_file() -> Path:
    """Where resolved framework image URIs are kept (``catalog.cache``): one file per sagemaker-core
    version, so an upgrade of the library resolves every URI afresh."""
    return cache_dir() / _cache_name()


def _cache_name() -> str:
    return f"framework-images-{metadata.version('sagemaker-core')}.json"


def parse_ecr_image(image: str) -> dict[str, str]:
    """``account``, ``region`` and ``repository`` of an ECR image URI (tag or digest required);
    ``ValueError`` for anything else: SageMaker pulls models' images from ECR only."""
    match = _ECR_IMAGE.match(image)
    if match is None:
        raise ValueError("must be an ECR image URI with a tag or digest, such as "
                         "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-model:1.0")
    return match.groupdict()


def ecr_repository_arn(image: str, partition: str = "aws") -> str:
    """The ARN of the ECR repository an image URI points into (for a least-privilege pull grant)."""
    parts = parse_ecr_image(image)
    return f"arn:{partition}:ecr:{parts['region']}:{parts['account']}:repository/{parts['repository']}"
