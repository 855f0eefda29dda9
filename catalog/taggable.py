"""Which AWS resource types take tags: a versioned table generated from the pulumi-aws SDK.

The pulumi-aws Python SDK is generated from the provider schema: a type takes tags when its resource
class accepts a ``tags`` argument. Reading that from the installed SDK means importing its service
modules (seconds of imports in every policy pack), so the answer is a table instead,
``catalog/data/pulumi_aws_taggable.json``, generated from the SDK's source files without importing
them. ``python -m catalog.taggable`` regenerates it for the installed pulumi-aws (run it when the pin
changes); ``tests/test_catalog_taggable.py`` checks that the table matches the installed SDK.

pulumi-aws-native (an optional dependency) has its own table, ``catalog/data/pulumi_aws_native_taggable.json``,
generated the same way (its SDK has the same layout): ``python -m catalog.taggable --native``.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
from pathlib import Path
from typing import Iterable, Optional

TABLE = Path(__file__).with_name("data") / "pulumi_aws_taggable.json"
NATIVE_TABLE = Path(__file__).with_name("data") / "pulumi_aws_native_taggable.json"

_REGISTRY = re.compile(r'resource_modules="""(.*?)"""', re.S)
_INTERNAL_INIT = re.compile(r"\n    def _internal_init\(__self__,(.*?)\):\n", re.S)
_CLASS = re.compile(r"^class (\w+)\(pulumi\.CustomResource\):", re.M)


@functools.lru_cache(maxsize=2)
def _table(native: bool = False) -> tuple[str, frozenset[str]]:
    data = json.loads((NATIVE_TABLE if native else TABLE).read_text(encoding="utf-8"))
    return data["pulumi_aws_native" if native else "pulumi_aws"], frozenset(data["taggable"])


def table_version(native: bool = False) -> str:
    """The pulumi-aws (with ``native``, pulumi-aws-native) version the table was generated from."""
    return _table(native)[0]


def takes_tags(resource_type: str) -> bool:
    """True when the pulumi-aws (pulumi-aws-native, for an ``aws-native:`` token) resource class of
    ``resource_type`` accepts ``tags`` (per the tables)."""
    return resource_type in _table(resource_type.startswith("aws-native:"))[1]


def taggable_in_sdk(sdk_root: Path) -> tuple[list[str], int]:
    """The taggable type tokens of the pulumi-aws SDK installed at ``sdk_root`` (read as text, not
    imported) and how many resource types it has: every registered resource class whose
    ``_internal_init`` takes a ``tags`` argument."""
    registry = _REGISTRY.search((sdk_root / "__init__.py").read_text(encoding="utf-8"))
    if registry is None:
        raise ValueError(f"{sdk_root}/__init__.py: no resource module registry")
    taggable, total = [], 0
    by_directory: dict[Path, dict[str, bool]] = {}
    for module in json.loads(registry.group(1)):
        directory = sdk_root.joinpath(*module["fqn"].split(".")[1:])
        if directory not in by_directory:
            by_directory[directory] = _classes_taking_tags(directory)
        for token, name in module["classes"].items():
            total += 1
            if by_directory[directory].get(name):
                taggable.append(token)
    return sorted(taggable), total


def _classes_taking_tags(directory: Path) -> dict[str, bool]:
    """Per resource class defined in the module directory: whether its ``_internal_init`` takes ``tags``."""
    classes: dict[str, bool] = {}
    for path in sorted(directory.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        starts = [(m.start(), m.group(1)) for m in _CLASS.finditer(text)] + [(len(text), "")]
        for (start, name), (end, _) in zip(starts, starts[1:]):
            init = _INTERNAL_INIT.search(text, start, end)
            classes[name] = bool(init and re.search(r"\n\s+tags:", init.group(1)))
    return classes


def installed_sdk(native: bool = False) -> tuple[Path, str]:
    """Where the installed pulumi-aws (pulumi-aws-native) lives, and its version (found without importing it)."""
    from importlib import metadata, util  # the generator's only: a review reads the tables

    module, distribution = ("pulumi_aws_native", "pulumi-aws-native") if native else ("pulumi_aws", "pulumi-aws")
    spec = util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ValueError(f"{distribution} is not installed")
    return Path(spec.origin).parent, metadata.version(distribution)


def main(argv: Optional[Iterable[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m catalog.taggable",
                                     description="regenerate catalog/data/pulumi_aws_taggable.json from the "
                                                 "installed pulumi-aws (with --native, "
                                                 "pulumi_aws_native_taggable.json from pulumi-aws-native)")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--native", action="store_true", help="read the installed pulumi-aws-native instead")
    args = parser.parse_args(list(argv) if argv is not None else None)
    root, version = installed_sdk(args.native)
    taggable, total = taggable_in_sdk(root)
    package = "pulumi_aws_native" if args.native else "pulumi_aws"
    output = args.output or (NATIVE_TABLE if args.native else TABLE)
    output.write_text(json.dumps({package: version, "source": f"{package}/<module>/<resource>.py "
                                  "_internal_init(tags=...)", "resource_types": total,
                                  "taggable": taggable}, indent=0) + "\n", encoding="utf-8")
    print(f"{output}: {len(taggable)} of {total} {package.replace('_', '-')} {version} resource types take tags")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
