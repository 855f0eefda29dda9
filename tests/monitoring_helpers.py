"""What the monitoring tests build a monitor on, inside a program under the mocks: keys, a network, an
artifact bucket and an endpoint that captures (or not) its traffic."""

from __future__ import annotations

import pulumi_aws as aws

from components.common import Classification
from components.inference.args import DataCaptureArgs
from components.inference.endpoint import InferenceEndpoint, InferenceEndpointArgs
from components.inference.sources import ModelSource
from components.network import Network, NetworkArgs
from components.storage import AccessLogBucket, AccessLogBucketArgs, SecureBucket, SecureBucketArgs

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/xgboost-inference:1.7-1"
NAME = "prod-churn"


def monitored_endpoint(capture: bool = True) -> dict:
    """The ``EndpointMonitorArgs`` fields besides the monitoring settings and region (call inside a program)."""
    key = aws.kms.Key("inference-key")
    artifacts_key = aws.kms.Key("artifacts-key")
    logs_key = aws.kms.Key("logs-key")
    network = Network("net", NetworkArgs(cidr="10.30.0.0/16", availability_zones=["us-east-1a", "us-east-1b"],
                                         flow_log_key=logs_key, nat="single"))
    access_logs = AccessLogBucket("access-logs", AccessLogBucketArgs())
    artifacts = SecureBucket("artifacts", SecureBucketArgs(kms_key=artifacts_key, classification=Classification.INTERNAL,
                                                           access_log_bucket=access_logs.bucket))
    endpoint = InferenceEndpoint(NAME, InferenceEndpointArgs(
        model=ModelSource.from_artifact(image=IMAGE, bucket=artifacts, key="models/churn/model.tar.gz",
                                        kms_key=artifacts_key),
        network=network, kms_key=key, logs_key=logs_key, access_log_bucket=access_logs.bucket,
        data_capture=DataCaptureArgs() if capture else None))
    return {"endpoint": endpoint, "network": network, "kms_key": key, "baseline_bucket": artifacts,
            "baseline_key": artifacts_key}
