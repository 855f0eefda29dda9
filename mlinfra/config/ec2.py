"""The instance types EC2 has, from the EC2 API model botocore ships (its ``InstanceType`` enum).

Source of truth: ``botocore/data/ec2/<latest>/service-2.json``, shape ``InstanceType`` (the values
``RunInstances`` and ``CreateNodegroup``'s launch accept); it grows with each botocore release, so a new
type is known once boto3 is upgraded. Loaded on first use (about 0.2 s) and kept.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def ec2_instance_types() -> frozenset[str]:
    """Every EC2 instance type name (``m7i.xlarge``, ``p5.48xlarge``, ...)."""
    from botocore.loaders import create_loader

    model = create_loader().load_service_model("ec2", "service-2")
    return frozenset(model["shapes"]["InstanceType"]["enum"])
