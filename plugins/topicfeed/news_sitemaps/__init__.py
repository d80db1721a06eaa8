"""News sitemaps: the Google News sitemap and robots.txt (sitemap.xml is pelican-sitemap's)."""

from .plugin import register

__all__ = ["register"]
