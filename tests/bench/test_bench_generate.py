"""The generator's items for the runner's "added" and "unpublished" builds, over many set sizes.

Which item they are depends on the size (and the draws for it), so one size proves little: an
extra item dated by its index alone is the newest at some sizes only, and the item to unpublish
spells ``published: true`` at some sizes only unless chosen for it.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from bench import generate

SIZES = range(3, 60)


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(re.search(r"^publishedDateTime: (\S+)$", text, re.M)[1])


def test_extra_item_is_newer_than_every_item_at_every_size() -> None:
    for size in SIZES:
        generator = generate.Generator(size, seed=1)
        items = generator.generate()
        extra = generator.extra()
        assert extra.published is True
        assert extra.story.published_at > max(item.story.published_at for item in items), size
        assert generate.slugify(extra.story.title) not in {generate.slugify(i.story.title) for i in items}


def test_unpublished_item_spells_published_true_at_every_size(tmp_path: Path) -> None:
    for size in SIZES:
        out = tmp_path / str(size)
        manifest = generate.write(size, out, seed=1)
        hidden = manifest["unpublished"]
        assert hidden["news"] != manifest["change"]["news"], size
        news = (out / "news" / hidden["news"]).read_text(encoding="utf-8")
        assert "\npublished: true\n" in news, size
        extra = (out / "extra" / "news" / manifest["added"]["news"]).read_text(encoding="utf-8")
        newest = max(instant(p.read_text(encoding="utf-8")) for p in (out / "news").iterdir())
        assert instant(extra) > newest, size
