"""The app factory server workers import (``intelgraph serve --workers N``).

uvicorn starts worker processes from an import string; each builds its own
platform from the settings the parent put in its environment, and closes it
when the worker stops.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from intelgraph.config import from_environment

SETTINGS_ENVIRONMENT = "INTELGRAPH_SERVE_SETTINGS"


def app_from_environment() -> FastAPI:
    from intelgraph.api.app import create_app
    from intelgraph.platform import Platform

    settings = from_environment(os.environ[SETTINGS_ENVIRONMENT])
    platform = Platform.open(settings, upgrade=False)
    return create_app(platform, owns_platform=True)


__all__ = ["SETTINGS_ENVIRONMENT", "app_from_environment"]
