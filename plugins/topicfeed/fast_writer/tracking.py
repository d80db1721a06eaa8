"""Which context names a template reads, recorded while it renders.

Jinja resolves every top-level name a template (and its blocks, imports and includes) uses
through ``Context.resolve_or_missing``; a context class that notes those names tells us what a
page depends on. Jinja resolves the names of a whole template up front, branches not taken
included, so the recorded set covers every path the template could take with those values.
"""

from __future__ import annotations

from typing import Any

from jinja2.runtime import Context

_reads: set[str] | None = None


class TrackingContext(Context):
    def resolve_or_missing(self, key: str) -> Any:
        if _reads is not None:
            _reads.add(key)
        return super().resolve_or_missing(key)


def render_tracked(template: Any, context: dict[str, Any]) -> tuple[str, frozenset[str]]:
    """Render ``template`` and return the output with the names it read."""
    global _reads
    _reads = set()
    try:
        return template.render(context), frozenset(_reads)
    finally:
        _reads = None


def install(generator: Any) -> None:
    """Make a generator's Jinja environment record what its templates read."""
    env = getattr(generator, "env", None)
    if env is not None and not issubclass(env.context_class, TrackingContext):
        env.context_class = type(
            "Tracking" + env.context_class.__name__, (TrackingContext, env.context_class), {}
        )
