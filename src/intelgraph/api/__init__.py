"""HTTP API (FastAPI). The GraphQL API lands on top of this app."""

from intelgraph.api.app import create_app

__all__ = ["create_app"]
