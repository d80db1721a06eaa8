"""Redirects: a page at every URL an earlier build published for an item that has since moved."""

from .plugin import register

__all__ = ["register"]
