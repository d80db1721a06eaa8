"""Preview: the editors' build of unpublished items, kept apart from the published site."""

from .plugin import register

__all__ = ["register"]
