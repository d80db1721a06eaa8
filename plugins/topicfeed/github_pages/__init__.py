"""GitHub Pages files: ``.nojekyll`` and an optional ``CNAME`` in the published output."""

from .plugin import register

__all__ = ["register"]
