"""News reader: exporter items (YAML front matter) become Pelican articles, published only."""

from .plugin import register

__all__ = ["register"]
