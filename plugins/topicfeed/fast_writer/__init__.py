"""Fast writer: pages rendered on every core, and only the pages whose inputs changed."""

from .plugin import register

__all__ = ["register"]
