"""Related stories: cross-links, backlinks, computed related stories, story clusters and the home
page ranking, computed once all published articles are known."""

from .plugin import register

__all__ = ["register"]
