"""Atomic output: build into a temporary folder, replace the output folder only on success."""

from .plugin import register

__all__ = ["register"]
