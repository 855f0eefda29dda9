"""The EC2 GPU instance types a training node group may use, and what each one offers.

A plain table (no Pulumi, no AWS calls) so that config validation, the component and the policy
rules agree on one source. Figures are per node: GPU count, memory per GPU (GiB), vCPUs, and the
maximum number of EFA interfaces (0: no EFA). They come from the EC2 accelerated-computing
instance pages; to add a type, append a row and a test in ``tests/test_training_tables.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping


@dataclass(frozen=True)
class GpuInstanceType:
    """One GPU instance size."""

    name: str
    gpu_model: str
    gpus: int
    gpu_memory_gib: int
    vcpus: int
    max_efa_interfaces: int = 0

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def supports_efa(self) -> bool:
        return self.max_efa_interfaces > 0


def _rows(family: str, model: str, memory: int, sizes: Iterable[tuple[str, int, int, int]]) -> list[GpuInstanceType]:
    return [GpuInstanceType(f"{family}.{size}", model, gpus, memory, vcpus, efa) for size, gpus, vcpus, efa in sizes]


# (size, GPUs, vCPUs, max EFA interfaces)
_TABLE: list[GpuInstanceType] = [
    *_rows("g4dn", "NVIDIA T4", 16, [
        ("xlarge", 1, 4, 0), ("2xlarge", 1, 8, 0), ("4xlarge", 1, 16, 0), ("8xlarge", 1, 32, 1),
        ("16xlarge", 1, 64, 1), ("12xlarge", 4, 48, 1), ("metal", 8, 96, 1)]),
    *_rows("g5", "NVIDIA A10G", 24, [
        ("xlarge", 1, 4, 0), ("2xlarge", 1, 8, 0), ("4xlarge", 1, 16, 0), ("8xlarge", 1, 32, 1),
        ("16xlarge", 1, 64, 1), ("12xlarge", 4, 48, 1), ("24xlarge", 4, 96, 1), ("48xlarge", 8, 192, 1)]),
    *_rows("g6", "NVIDIA L4", 24, [
        ("xlarge", 1, 4, 0), ("2xlarge", 1, 8, 0), ("4xlarge", 1, 16, 0), ("8xlarge", 1, 32, 1),
        ("16xlarge", 1, 64, 1), ("12xlarge", 4, 48, 1), ("24xlarge", 4, 96, 1), ("48xlarge", 8, 192, 1)]),
    *_rows("g6e", "NVIDIA L40S", 48, [
        ("xlarge", 1, 4, 0), ("2xlarge", 1, 8, 0), ("4xlarge", 1, 16, 0), ("8xlarge", 1, 32, 1),
        ("16xlarge", 1, 64, 1), ("12xlarge", 4, 48, 1), ("24xlarge", 4, 96, 2), ("48xlarge", 8, 192, 4)]),
    *_rows("gr6", "NVIDIA L4", 24, [("4xlarge", 1, 16, 0), ("8xlarge", 1, 32, 1)]),
    *_rows("p3", "NVIDIA V100", 16, [("2xlarge", 1, 8, 0), ("8xlarge", 4, 32, 0), ("16xlarge", 8, 64, 0)]),
    *_rows("p3dn", "NVIDIA V100", 32, [("24xlarge", 8, 96, 1)]),
    *_rows("p4d", "NVIDIA A100", 40, [("24xlarge", 8, 96, 4)]),
    *_rows("p4de", "NVIDIA A100", 80, [("24xlarge", 8, 96, 4)]),
    *_rows("p5", "NVIDIA H100", 80, [("48xlarge", 8, 192, 32)]),
    *_rows("p5e", "NVIDIA H200", 141, [("48xlarge", 8, 192, 32)]),
    *_rows("p5en", "NVIDIA H200", 141, [("48xlarge", 8, 192, 16)]),
]

GPU_INSTANCE_TYPES: Mapping[str, GpuInstanceType] = {row.name: row for row in _TABLE}
GPU_FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(row.family for row in _TABLE))


class UnknownGpuInstanceType(ValueError):
    """An instance type that is not a GPU type this platform knows."""


def gpu_instance(name: str) -> GpuInstanceType:
    """The table row for ``name``; ``UnknownGpuInstanceType`` naming the known families otherwise."""
    try:
        return GPU_INSTANCE_TYPES[name]
    except KeyError:
        raise UnknownGpuInstanceType(
            f"{name!r} is not a GPU instance type; known GPU families: {', '.join(GPU_FAMILIES)}"
        ) from None


def efa_types(family: str) -> list[str]:
    """Sizes of ``family`` that support EFA, smallest first (for error messages)."""
    return [row.name for row in _TABLE if row.family == family and row.supports_efa]
