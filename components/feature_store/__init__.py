"""SageMaker Feature Store: feature groups declared as YAML specs, with safe schema evolution.

See docs/components/feature-store.md for the spec format, the lock of deployed schemas and store
settings, and what is refused.
"""

from components.feature_store.component import PII_TAG, FeatureStore, FeatureStoreArgs, group_name
from components.feature_store.lock import lock_path, read_lock
from components.feature_store.provider import FeatureAdditions, FeatureAdditionsProvider
from components.feature_store.schema import (DeployedGroup, GroupSchema, SchemaEvolutionError, StoreSettings,
                                             check_evolution, schema_change, store_change)
from components.feature_store.spec import FeatureGroupSpec, FeatureSpecError, load_specs, parse_spec

__all__ = [
    "DeployedGroup", "FeatureAdditions", "FeatureAdditionsProvider", "FeatureGroupSpec", "FeatureSpecError",
    "FeatureStore", "FeatureStoreArgs", "GroupSchema", "PII_TAG", "SchemaEvolutionError", "StoreSettings",
    "check_evolution", "group_name", "load_specs", "lock_path", "parse_spec", "read_lock", "schema_change",
    "store_change",
]
