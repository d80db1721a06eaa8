"""Which pages a change of content reaches, as far as two site models can tell.

Step 2 of docs/rebuild-plan.md is a planner: from a change and the last model, the pages to
redo. Before one is written, this answers the question it depends on: given the model before a
change and the model a full build made after it, do the model's values explain every page whose
bytes changed? A page is *explained* when

- it is new or gone;
- the items it shows are other items, or in another order (a list page whose slice moved);
- an item it shows changed (its file's digest, or any value recorded for it: date, URL,
  topics, source, its links);
- for an article page, a story it links to (related, backlinks, more coverage, neighbours)
  changed, or is new or gone.

A changed page that none of these explain reads something the model does not hold (a count, a
chart, the home ranking): :func:`reach` reports those apart, which is the list of what step 2
must add to the model or take from the render manifest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from .records import ItemRecord, PageRecord, SiteModel


class Reach(NamedTuple):
    """Pages (paths relative to the output) by why the model says they change."""

    added_or_removed: frozenset[str]
    other_items: frozenset[str]
    changed_item: frozenset[str]
    changed_link: frozenset[str]

    @property
    def pages(self) -> frozenset[str]:
        return self.added_or_removed | self.other_items | self.changed_item | self.changed_link


def _by_file(model: SiteModel) -> dict[str, ItemRecord]:
    return {record.source_path: record for record in model.records()}


def _shown(page: PageRecord, records: list[ItemRecord]) -> tuple[str, ...]:
    return tuple(records[i].source_path for i in page.items)


def _links(record: ItemRecord) -> Iterable[str]:
    yield from record.related
    yield from record.backlinks
    yield from record.more_coverage
    if record.older:
        yield record.older
    if record.newer:
        yield record.newer


def reach(old: SiteModel, new: SiteModel) -> Reach:
    """The pages of ``new``'s site (and those ``old``'s had) that the models say changed."""
    old_items, new_items = _by_file(old), _by_file(new)
    changed_files = {
        path
        for path in old_items.keys() | new_items.keys()
        if old_items.get(path) != new_items.get(path)  # new, gone, or any value differs
    }
    changed_keys = {old_items[p].key for p in changed_files if p in old_items}
    changed_keys |= {new_items[p].key for p in changed_files if p in new_items}
    old_records, new_records = old.records(), new.records()
    old_pages: Mapping[str, PageRecord] = {page.path: page for page in old.page_records()}
    new_pages: Mapping[str, PageRecord] = {page.path: page for page in new.page_records()}
    added_or_removed = frozenset(old_pages.keys() ^ new_pages.keys())
    other_items: set[str] = set()
    changed_item: set[str] = set()
    changed_link: set[str] = set()
    for path in old_pages.keys() & new_pages.keys():
        before, after = old_pages[path], new_pages[path]
        shown = _shown(after, new_records)
        if _shown(before, old_records) != shown or before[3:] != after[3:]:
            other_items.add(path)
        elif changed_files.intersection(shown):
            changed_item.add(path)
        elif after.page_name == "article" and any(
            key in changed_keys for i in after.items for key in _links(new_records[i])
        ):
            changed_link.add(path)
    return Reach(added_or_removed, frozenset(other_items), frozenset(changed_item), frozenset(changed_link))


def page_names(*models: SiteModel) -> dict[str, str]:
    """Every page path of the models -> its page name (``article``, ``index``, ``tag/ai`` ...)."""
    return {page.path: page.page_name for model in models for page in model.page_records()}


def unexplained(reached: Reach, changed: Iterable[str], names: Mapping[str, str]) -> dict[str, list[str]]:
    """The changed pages among ``names`` that ``reached`` does not name, by page name.

    ``changed``: paths of the files whose bytes differ between the two sites; files that are
    not pages (feeds, API, search) are left out, as the model does not record them yet.
    """
    found: dict[str, list[str]] = {}
    for path in sorted(set(changed) - reached.pages):
        if path in names:
            found.setdefault(names[path], []).append(path)
    return found
