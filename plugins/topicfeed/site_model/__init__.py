"""Site model: a file of plain values beside the output that describes the site just built."""

from .plugin import register

__all__ = ["register"]
