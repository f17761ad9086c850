"""Readiness checks of outside services (cheap, bounded in time)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 2.0


async def nats_readiness(url: str) -> str:
    """``ok`` when the NATS server at ``url`` answers its INFO greeting in time."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 4222
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port), TIMEOUT_SECONDS
        )
    except (OSError, TimeoutError):
        return "unreachable"
    try:
        greeting = await asyncio.wait_for(reader.readline(), TIMEOUT_SECONDS)
    except (OSError, TimeoutError):
        return "unreachable"
    finally:
        writer.close()
    return "ok" if greeting.startswith(b"INFO ") else "not_nats"


__all__ = ["nats_readiness"]
