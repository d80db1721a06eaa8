"""Progress bars for long builds: on a terminal only, silent in CI logs."""

from .plugin import register

__all__ = ["register"]
