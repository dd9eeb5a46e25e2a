"""Placeholder until its owner writes it."""

from cleaner.cli import app  # noqa: F401
