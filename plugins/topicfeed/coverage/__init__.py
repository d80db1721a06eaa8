"""Coverage over time: items per topic and source per week or month, drawn as inline SVG charts,
and the trending topics of the home page."""

from .plugin import register

__all__ = ["register"]
