"""Content cache guard: one cache folder per version of the settings and the plugin code."""

from .plugin import register

__all__ = ["register"]
