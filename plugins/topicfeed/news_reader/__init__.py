"""News reader: exporter items (YAML front matter) become Pelican articles, published only (all but
rejected ones in the editors' preview, ``PREVIEW``)."""

from .plugin import register

__all__ = ["register"]
