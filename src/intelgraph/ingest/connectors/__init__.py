"""Connectors: where records come from (files, folders, S3, HTTP, NATS)."""
