"""Two published files carrying one story: both get pages, but the editor should know.

One rule for a build (the reader's ``warn_duplicate_stories``, over the articles) and for a
rebuild from the site model (the ``news-items`` derivation, over the items it places), so both
say the same warnings, in the same order, and the build report lists the same.
"""

from __future__ import annotations

from collections.abc import Iterable

from topicfeed.model import NewsItem, Problem


def duplicate_stories(items: Iterable[NewsItem]) -> list[Problem]:
    """A warning for each published item whose story an earlier one carries (by date, then
    file), naming that one."""
    first_seen: dict[str, str] = {}
    problems = []
    for item in sorted(items, key=lambda item: (item.published_at, item.source_path)):
        if item.key in first_seen:
            message = f"same story as {first_seen[item.key]} ({item.url}); both are published"
            problems.append(Problem(item.source_path, "webUrl", message))
        else:
            first_seen[item.key] = item.source_path
    return problems
