"""The vision team's building blocks: one module per concern, each a ComponentResource."""
from infra.network import TrainingNetwork, TrainingNetworkArgs
from infra.storage import DatasetBucket, DatasetBucketArgs
from infra.compute import TrainingHost, TrainingHostArgs

__all__ = ["TrainingNetwork", "TrainingNetworkArgs", "DatasetBucket", "DatasetBucketArgs",
           "TrainingHost", "TrainingHostArgs"]
