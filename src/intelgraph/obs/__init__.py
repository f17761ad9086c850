"""Observability: structured logging (metrics and tracing land with the API issue)."""

from intelgraph.obs.logging import configure_logging, get_logger

__all__ = ["configure_logging", "get_logger"]
