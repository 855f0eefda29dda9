"""The lock of deployed feature-group schemas: ``<spec dir>/<env>.lock.json``, committed.

The program compares each spec with the lock before it registers anything, so a destructive
change is refused at plan time, offline as well as under ``pulumi preview``. The lock is written
from what SageMaker reports after a deployment (the stack output ``featureStoreSchemas``, which the
dynamic resource fills from ``DescribeFeatureGroup``), never from the specs::

    pulumi stack output featureStoreSchemas --json -s dev \\
        | .venv/bin/python -m components.feature_store.lock stacks/feature_groups/dev.lock.json

No lock file means nothing was deployed yet. The dynamic resource re-checks against the stack's
recorded state during ``pulumi preview``, so a stale lock cannot let a destructive change through.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Mapping

from components.feature_store.schema import GroupSchema
from mlinfra.errors import ConfigError

LOCK_VERSION = 1


def lock_path(spec_dir: Path, environment: str) -> Path:
    """Where an environment's lock lives: next to the specs, ``<env>.lock.json``."""
    return spec_dir / f"{environment}.lock.json"


def read_lock(path: Path) -> dict[str, GroupSchema]:
    """Deployed schemas by group (spec) name; empty if the file does not exist."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
        if data.get("version") != LOCK_VERSION:
            raise ValueError(f"version must be {LOCK_VERSION}")
        return {name: GroupSchema.from_json(schema) for name, schema in data["groups"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{path}: not a valid feature-group lock ({exc}); regenerate it from the stack output "
                          "featureStoreSchemas (python -m components.feature_store.lock)") from None


def render_lock(schemas: Mapping[str, Mapping[str, Any]]) -> str:
    """Lock file text for schemas in their JSON form (as in the stack output), stable for diffs."""
    groups = {name: GroupSchema.from_json(schemas[name]).to_json() for name in sorted(schemas)}
    return json.dumps({"version": LOCK_VERSION, "groups": groups}, indent=2) + "\n"


def main(argv: list[str]) -> int:
    """``python -m components.feature_store.lock LOCK_FILE [STACK_OUTPUT_JSON]`` (default: stdin)."""
    if len(argv) not in (1, 2):
        print(main.__doc__, file=sys.stderr)
        return 2
    source = Path(argv[1]).read_text() if len(argv) == 2 else sys.stdin.read()
    try:
        schemas = json.loads(source)
        text = render_lock(schemas)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        print(f"not the featureStoreSchemas stack output ({exc})", file=sys.stderr)
        return 2
    Path(argv[0]).write_text(text)
    print(f"wrote {argv[0]} ({len(schemas)} feature groups)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
