"""In a real build the cyclic collector is off from reading until the articles are final.

The steps on the articles after reading make millions of long-lived objects at 100,000 items
and no cyclic garbage; full collections there cost 7.7 s of a one-item rebuild and found
nothing. The collector must be back on before the pages are written (their steps do make
garbage), and stay on after the build.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from pelican import signals
from support.build import CORPUS, build_in_process


def test_the_collector_is_off_while_the_articles_are_made_and_on_for_the_pages(tmp_path: Path) -> None:
    seen: dict[str, bool] = {}

    def articles_done(generator: Any) -> None:
        seen.setdefault("article steps", gc.isenabled())

    def page_written(path: str, context: Any) -> None:
        seen.setdefault("pages", gc.isenabled())

    signals.article_generator_finalized.connect(articles_done)
    signals.content_written.connect(page_written)
    try:
        assert gc.isenabled()
        build_in_process(CORPUS, tmp_path / "site")
    finally:
        signals.article_generator_finalized.disconnect(articles_done)
        signals.content_written.disconnect(page_written)
        gc.unfreeze()
    assert seen == {"article steps": False, "pages": True}
    assert gc.isenabled()
