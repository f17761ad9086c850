"""The project's one root exception and its stable error codes.

Every error that can reach a user carries a stable ``code``, a message that says
what went wrong and, where possible, a ``hint`` that says what to do next.
Driver and library exceptions are translated into these at module boundaries.
"""

from __future__ import annotations

from typing import Any


class IntelGraphError(Exception):
    """Root of every error the product raises on purpose."""

    code: str = "internal"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        details: dict[str, Any] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details or {}
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, Any]:
        """The API error shape ``{code, message, hint?, details?}``."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        if self.details:
            out["details"] = self.details
        return out

    def __str__(self) -> str:
        return f"{self.message} (hint: {self.hint})" if self.hint else self.message


class ConfigError(IntelGraphError):
    code = "config_invalid"


class OntologyError(IntelGraphError):
    """The catalog is broken or a name is not in it."""

    code = "ontology_error"


class InvalidValue(IntelGraphError):
    """A property value failed validation for its type."""

    code = "invalid_value"


class StoreError(IntelGraphError):
    """The store failed; the driver's message is kept out of user-facing text."""

    code = "store_error"


class NotFound(IntelGraphError):
    code = "not_found"


class InvalidInput(IntelGraphError):
    code = "invalid_input"


class Conflict(IntelGraphError):
    """The change collides with what is stored (a taken name, a stale version)."""

    code = "conflict"


__all__ = [
    "ConfigError",
    "Conflict",
    "IntelGraphError",
    "InvalidInput",
    "InvalidValue",
    "NotFound",
    "OntologyError",
    "StoreError",
]
