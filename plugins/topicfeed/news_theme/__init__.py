"""News theme data: what the theme's pages show that no other plugin computes."""

from .plugin import register

__all__ = ["register"]
