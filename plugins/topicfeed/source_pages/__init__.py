"""Source pages: ``/sources/`` and one paginated page per source (provider domain)."""

from .plugin import register

__all__ = ["register"]
