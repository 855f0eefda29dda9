"""The lock of deployed feature groups: ``<spec dir>/<env>.lock.json``, committed.

Per group it records the schema (record identifier, event time, features) and, since version 2,
the store settings SageMaker fixes at creation (``StoreSettings``: online store and storage type,
offline store and table format, restricted key or not). The program compares each spec with the
lock before it registers anything, so a change only a new group can make is refused at plan time,
offline as well as under ``pulumi preview``. The lock is written from what SageMaker reports after a
deployment (the stack output ``featureStoreSchemas``, which the dynamic resource fills from
``DescribeFeatureGroup`` and the group's tags), never from the specs::

    pulumi stack output featureStoreSchemas --json -s dev | mlinfra feature-lock dev

No lock file means nothing was deployed yet. A version-1 lock (schemas only) is still read; its
groups have no store settings, so no store change is checked against it until it is regenerated.
The dynamic resource re-checks against the stack's recorded state during ``pulumi preview``, so a
stale lock cannot let a destructive change through.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Mapping

from components.feature_store.schema import DeployedGroup, GroupSchema
from components.errors import ConfigError, MlinfraError

#: The version written. Version 1 (schemas without store settings) is still read.
LOCK_VERSION = 2
READABLE_VERSIONS = (1, 2)


def lock_path(spec_dir: Path, environment: str) -> Path:
    """Where an environment's lock lives: next to the specs, ``<env>.lock.json``."""
    return spec_dir / f"{environment}.lock.json"


def read_lock(path: Path) -> dict[str, DeployedGroup]:
    """Deployed groups by group (spec) name; empty if the file does not exist.

    Version 2 requires each group's store settings; version 1 has none (``DeployedGroup.store`` is None).
    """
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
        version = data.get("version")
        if version not in READABLE_VERSIONS:
            raise ValueError(f"version must be {' or '.join(map(str, READABLE_VERSIONS))}")
        if version == 1:
            return _groups(data["groups"], lambda group: DeployedGroup(GroupSchema.from_json(group)))
        return _groups(data["groups"], DeployedGroup.from_json)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{path}: not a valid feature-group lock ({exc}); regenerate it from the stack output "
                          "featureStoreSchemas (mlinfra feature-lock <env>)") from None


def _groups(groups: Mapping[str, Any], parse: Callable[[Mapping[str, Any]], DeployedGroup]
            ) -> dict[str, DeployedGroup]:
    """Each group parsed; an error names the group (``ValueError``)."""
    parsed = {}
    for name, group in groups.items():
        try:
            parsed[name] = parse(group)
        except KeyError as exc:
            raise ValueError(f"group {name!r}: missing {exc}") from None
        except (ValueError, TypeError, AttributeError) as exc:
            raise ValueError(f"group {name!r}: {exc}") from None
    return parsed


def render_lock(schemas: Mapping[str, Mapping[str, Any]]) -> str:
    """Lock file text for groups in their JSON form (as in the stack output), stable for diffs.

    Every group must carry its store settings (``store``): a stack whose ``FeatureAdditions`` state
    predates them records them at its next ``pulumi up``.
    """
    deployed = _groups(schemas, DeployedGroup.from_json)
    groups = {name: deployed[name].to_json() for name in sorted(deployed)}
    return json.dumps({"version": LOCK_VERSION, "groups": groups}, indent=2) + "\n"


def lock_text(stack_output: str, *, source: str) -> tuple[str, int]:
    """The lock's text from the ``featureStoreSchemas`` stack output (JSON text from ``source``), and
    its number of groups. Raises ``MlinfraError`` naming ``source`` if the text is not that output.
    The command line writes it (``mlinfra feature-lock``, through a temporary file and a rename)."""
    try:
        schemas = json.loads(stack_output)
        if not isinstance(schemas, Mapping):
            raise TypeError("expected a JSON object of feature groups")
        return render_lock(schemas), len(schemas)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise MlinfraError(f"{source}: not the featureStoreSchemas stack output ({exc}); pipe in "
                           "`pulumi stack output featureStoreSchemas --json -s <env>`") from None
