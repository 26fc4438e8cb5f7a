"""Typed, cross-checked plans and site config (pydantic v2)."""
