"""Experiment tracking: ``ExperimentTracking`` (a SageMaker managed MLflow tracking server) and its
documents (``documents``, plain functions). The component lives in ``tracking``."""
