"""The instance types EC2 and SageMaker's processing jobs accept, as a versioned table generated from
the API models botocore ships.

Sources of truth: ``botocore/data/ec2/<latest>/service-2.json`` shape ``InstanceType`` (the values
``RunInstances`` and ``CreateNodegroup``'s launch accept) and ``botocore/data/sagemaker/<latest>/
service-2.json`` shape ``ProcessingInstanceType`` (what a monitoring or processing job may run on).
Loading those models in every plan took about 0.1 s, plus botocore's own imports, so the plan
reads ``catalog/data/instance_types.json`` instead. ``python -m catalog.instance_types``
regenerates it from the installed botocore (run it when boto3 is upgraded: new types appear with
new releases); ``tests/test_catalog_instance_types.py`` checks that the table matches it.
"""

from __future__ import annotations

import argparse
import functools
import json
from importlib import metadata
from pathlib import Path
from typing import Iterable, Optional

TABLE = Path(__file__).with_name("data") / "instance_types.json"
#: Table column -> (botocore service, shape whose enum it copies).
SHAPES = {"ec2": ("ec2", "InstanceType"), "sagemaker_processing": ("sagemaker", "ProcessingInstanceType")}


@functools.lru_cache(maxsize=1)
def _table() -> dict:
    return json.loads(TABLE.read_text(encoding="utf-8"))


def table_version() -> str:
    """The botocore release the table was generated from."""
    return _table()["botocore"]


@functools.lru_cache(maxsize=None)
def _column(name: str) -> frozenset[str]:
    return frozenset(_table()[name])


def ec2_instance_types() -> frozenset[str]:
    """Every EC2 instance type name (``m7i.xlarge``, ``p5.48xlarge``, ...)."""
    return _column("ec2")


def processing_instance_types() -> frozenset[str]:
    """The ``ml.`` instance types a SageMaker processing or monitoring job may use."""
    return _column("sagemaker_processing")


def from_botocore() -> dict:
    """The table as the installed botocore's models give it (loads the models: seconds, not for plans)."""
    from botocore.loaders import create_loader

    loader = create_loader()
    table: dict = {"botocore": metadata.version("botocore"),
                   "source": {name: f"botocore/data/{service}/<latest>/service-2.json shape {shape}"
                              for name, (service, shape) in SHAPES.items()}}
    for name, (service, shape) in SHAPES.items():
        table[name] = sorted(loader.load_service_model(service, "service-2")["shapes"][shape]["enum"])
    return table


def main(argv: Optional[Iterable[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m catalog.instance_types",
                                     description="regenerate catalog/data/instance_types.json from the installed "
                                                 "botocore")
    parser.add_argument("--output", type=Path, default=TABLE)
    args = parser.parse_args(list(argv) if argv is not None else None)
    table = from_botocore()
    args.output.write_text(json.dumps(table, indent=0) + "\n", encoding="utf-8")
    print(f"{args.output}: " + ", ".join(f"{len(table[name])} {name}" for name in SHAPES)
          + f" instance types from botocore {table['botocore']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
