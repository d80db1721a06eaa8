"""Site search: a Pagefind index of the published article pages, built after every build."""

from .plugin import register

__all__ = ["register"]
