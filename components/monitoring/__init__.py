"""Model monitoring of inference endpoints: ``EndpointMonitor`` and its pure parts.

``args`` and ``documents`` import no Pulumi provider code (nor does the analyzer image table,
``catalog.monitor_images``), so configuration validation can use them cheaply; the component lives
in ``monitor`` (``from components.monitoring.monitor import EndpointMonitor, EndpointMonitorArgs``).
"""
