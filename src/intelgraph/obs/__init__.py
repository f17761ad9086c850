"""Observability: structured logging and Prometheus metrics (tracing lands with the API issue)."""

from intelgraph.obs.logging import configure_logging, get_logger

__all__ = ["configure_logging", "get_logger"]
