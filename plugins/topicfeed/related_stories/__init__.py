"""Related stories: cross-links, backlinks, computed related, story clusters, topic and source
indexes and the home page ranking, computed once all published articles are known."""

from .plugin import register

__all__ = ["register"]
