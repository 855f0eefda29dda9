"""SageMaker inference endpoints: ``InferenceEndpoint`` and its pure parts.

``args`` imports no Pulumi provider code, so configuration validation can use it cheaply; the
instance-type and framework-image tables are in ``catalog`` (``catalog.inference_instances``,
``catalog.images``). The component itself lives in ``endpoint``
(``from components.inference.endpoint import InferenceEndpoint, InferenceEndpointArgs``).
"""
