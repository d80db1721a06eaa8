"""JSON API: the exporter's static API (same paths and shapes) plus links, counts and schemas."""

from .plugin import register

__all__ = ["register"]
