"""Build report: every input file with its fate, problems, pages written, time per stage."""

from .plugin import register

__all__ = ["register"]
