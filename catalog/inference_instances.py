"""The ``ml.`` instance types SageMaker offers for real-time inference, and what each family is.

The table mirrors SageMaker's ``ProductionVariantInstanceType`` (a test compares it with botocore's
service model, so a new botocore release that adds or retires types shows up as a failing test, not
as a silently stale list). Each family records its accelerator and whether it has local NVMe
instance storage: SageMaker refuses a KMS key on an endpoint configuration whose variants run on
instance-storage types, because those volumes are encrypted by the instance's hardware module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Accelerator = Literal["cpu", "gpu", "neuron", "gaudi"]

_SIZES_8 = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
_SIZES_6 = ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge")
_SIZES_C5 = ("large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "18xlarge")
_SIZES_G = ("xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge")
_SIZES_G7 = ("2xlarge", "4xlarge", "8xlarge", "12xlarge", "24xlarge", "48xlarge")
_SIZES_I6 = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge")
_SIZES_I7 = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge")
_SIZES_G8 = ("medium", *_SIZES_I7)


@dataclass(frozen=True)
class Family:
    """One instance family: its sizes, accelerator, CPU architecture and local storage."""

    sizes: tuple[str, ...]
    accelerator: Accelerator = "cpu"
    #: Graviton (arm64): framework images come from the ``inference_graviton`` scope.
    arm64: bool = False
    #: Local NVMe instance storage, hardware-encrypted: the endpoint configuration takes no KMS key.
    local_storage: bool = False


FAMILIES: dict[str, Family] = {
    # general purpose and compute/memory optimised, x86
    "t2": Family(("medium", "large", "xlarge", "2xlarge")),
    "m4": Family(("xlarge", "2xlarge", "4xlarge", "10xlarge", "16xlarge")),
    "m5": Family(_SIZES_6),
    "m5d": Family(_SIZES_6, local_storage=True),
    "m6i": Family(_SIZES_I6),
    "m7i": Family(_SIZES_I7),
    "c4": Family(("large", "xlarge", "2xlarge", "4xlarge", "8xlarge")),
    "c5": Family(_SIZES_C5),
    "c5d": Family(_SIZES_C5, local_storage=True),
    "c6i": Family(_SIZES_I6),
    "c6in": Family(_SIZES_I6),
    "c7i": Family(_SIZES_I7),
    "r5": Family(_SIZES_6),
    "r5d": Family(_SIZES_6, local_storage=True),
    "r6i": Family(_SIZES_I6),
    "r7i": Family(_SIZES_I7),
    # Graviton
    "m6g": Family(_SIZES_8, arm64=True),
    "m6gd": Family(_SIZES_8, arm64=True, local_storage=True),
    "m8g": Family(_SIZES_G8, arm64=True),
    "c6g": Family(_SIZES_8, arm64=True),
    "c6gd": Family(_SIZES_8, arm64=True, local_storage=True),
    "c6gn": Family(_SIZES_8, arm64=True),
    "c7g": Family(_SIZES_8, arm64=True),
    "c8g": Family(_SIZES_G8, arm64=True),
    "r6g": Family(_SIZES_8, arm64=True),
    "r6gd": Family(_SIZES_8, arm64=True, local_storage=True),
    "r7gd": Family(("medium", *_SIZES_8), arm64=True, local_storage=True),
    "r8g": Family(_SIZES_G8, arm64=True),
    # NVIDIA GPUs
    "p2": Family(("xlarge", "8xlarge", "16xlarge"), accelerator="gpu"),
    "p3": Family(("2xlarge", "8xlarge", "16xlarge"), accelerator="gpu"),
    "p4d": Family(("24xlarge",), accelerator="gpu", local_storage=True),
    "p4de": Family(("24xlarge",), accelerator="gpu", local_storage=True),
    "p5": Family(("4xlarge", "48xlarge"), accelerator="gpu", local_storage=True),
    "p5e": Family(("48xlarge",), accelerator="gpu", local_storage=True),
    "p5en": Family(("48xlarge",), accelerator="gpu", local_storage=True),
    "p6-b200": Family(("48xlarge",), accelerator="gpu", local_storage=True),
    "p6-b300": Family(("48xlarge",), accelerator="gpu", local_storage=True),
    "p6e-gb200": Family(("36xlarge",), accelerator="gpu", local_storage=True),
    "g4dn": Family(("xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"), accelerator="gpu",
                   local_storage=True),
    "g5": Family(_SIZES_G, accelerator="gpu", local_storage=True),
    "g6": Family(_SIZES_G, accelerator="gpu", local_storage=True),
    "g6e": Family(_SIZES_G, accelerator="gpu", local_storage=True),
    "g7": Family(_SIZES_G7, accelerator="gpu", local_storage=True),
    "g7e": Family(_SIZES_G7, accelerator="gpu", local_storage=True),
    # AWS Inferentia / Trainium, Habana Gaudi
    "inf1": Family(("xlarge", "2xlarge", "6xlarge", "24xlarge"), accelerator="neuron"),
    "inf2": Family(("xlarge", "8xlarge", "24xlarge", "48xlarge"), accelerator="neuron"),
    "trn1": Family(("2xlarge", "32xlarge"), accelerator="neuron", local_storage=True),
    "trn1n": Family(("32xlarge",), accelerator="neuron", local_storage=True),
    "trn2": Family(("48xlarge",), accelerator="neuron", local_storage=True),
    "dl1": Family(("24xlarge",), accelerator="gaudi", local_storage=True),
}

#: Every ``ml.<family>.<size>`` SageMaker accepts for a real-time production variant.
INFERENCE_INSTANCE_TYPES: frozenset[str] = frozenset(
    f"ml.{name}.{size}" for name, family in FAMILIES.items() for size in family.sizes
)


def family_of(instance_type: str) -> Family:
    """The family of a valid instance type; ``ValueError`` (see ``check_instance_type``) otherwise."""
    check_instance_type(instance_type)
    return FAMILIES[instance_type.split(".")[1]]


def check_instance_type(instance_type: str) -> str:
    """Return ``instance_type`` if SageMaker offers it for real-time inference, else raise ``ValueError``.

    The message says what is wrong: not an ``ml.`` type at all (an EC2 type such as ``m5.large``),
    an unknown family (listing the families), or an unknown size (listing the family's sizes).
    """
    parts = instance_type.split(".")
    if len(parts) != 3 or parts[0] != "ml":
        hint = f" (did you mean ml.{instance_type}?)" if len(parts) == 2 and parts[0] in FAMILIES else ""
        raise ValueError(f"must be a SageMaker instance type of the form ml.<family>.<size>{hint}")
    family = FAMILIES.get(parts[1])
    if family is None:
        raise ValueError(f"SageMaker offers no {parts[1]!r} instances for real-time inference; "
                         f"families: {', '.join(sorted(FAMILIES))}")
    if parts[2] not in family.sizes:
        raise ValueError(f"SageMaker offers ml.{parts[1]} for inference in sizes {', '.join(family.sizes)}")
    return instance_type


def takes_kms_key(instance_type: str) -> bool:
    """Whether an endpoint configuration on this type may (and so must) name a KMS volume key."""
    return not family_of(instance_type).local_storage
