"""Signed export bundles."""
