"""News feeds: Atom, RSS and JSON Feed for the site, each topic and each source; OPML."""

from .plugin import register

__all__ = ["register"]
