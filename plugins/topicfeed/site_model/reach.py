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
  changed, or is new or gone;
- a value the whole site shares that its template read (recorded by the writer's read-tracking,
  ``SiteModel.reads``) differs, as far as the model tells: :func:`shared_values` derives
  each from the items (a topic's stories and their dates, its count, the newest five ...) or
  takes it as the model holds it (each coverage chart and sparkline as drawn,
  ``SiteModel.charts``; the home page's top stories and trending topics, ``SiteModel.home``).
  A page whose reads are not known counts as reading everything.

A changed page that none of these explain reads something the model does not describe:
:func:`unexplained` lists those, which is what step 2 must add.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from topicfeed.template_reads import COUNT

from .records import ItemRecord, PageRecord, SiteModel


class Reach(NamedTuple):
    """Pages (paths relative to the output) by why the model says they change."""

    added_or_removed: frozenset[str]
    other_items: frozenset[str]
    changed_item: frozenset[str]
    changed_link: frozenset[str]
    shared_value: frozenset[str] = frozenset()
    #: Feed files (and the OPML list) new, gone, or showing other stories or changed ones.
    feeds: frozenset[str] = frozenset()
    #: Documents of the JSON API new, gone, showing other items or changed ones.
    api: frozenset[str] = frozenset()
    #: Search bundles (folders, ending with ``/``: every file under one) and their listing.
    search: frozenset[str] = frozenset()
    #: Sitemaps listing other pages or stories, or changed ones.
    sitemaps: frozenset[str] = frozenset()

    @property
    def files(self) -> frozenset[str]:
        """Every output file named: the pages, the feeds, the API's documents, the search
        index's files (a folder ending with ``/`` names every file under it) and the sitemaps."""
        return self.pages | self.feeds | self.api | self.search | self.sitemaps

    def names(self, path: str) -> bool:
        """Whether ``path`` (an output file) is among the files named."""
        return path in self.files or any(path.startswith(f) for f in self.search if f.endswith("/"))

    @property
    def pages(self) -> frozenset[str]:
        return (
            self.added_or_removed
            | self.other_items
            | self.changed_item
            | self.changed_link
            | self.shared_value
        )


#: Shared values the model cannot derive yet: any change of an item may change them.
ANY_ITEM = "any item"


def value_names(read: str, page: PageRecord) -> tuple[str, ...]:
    """The shared values (names of :func:`shared_values`) a page depends on through one read."""
    name, _, part = read.partition("[")
    if read.endswith(("!", "?")):  # only whether it is there, or empty
        return (f"{read[:-1]}?",) if read[:-1] in ("tags", "sources", "articles") else ()
    if name == "coverage_topics":  # a chart as drawn: its counts, axis and title
        return (f"chart:topic:{_key(part)}",) if part else ("charts",)
    if name == "coverage_sources":
        return (f"chart:source:{_key(part)}",) if part else ("charts",)
    if name == "coverage_sparklines":
        return (f"sparkline:{_key(part)}",) if part else ("charts",)
    if read.startswith("articles[:"):
        return (f"newest:{read[len('articles[:') : -1]}",)
    if read in ("articles", "period_archives") or (read == "dates" and not page.items):
        return ("all",)
    if read in ("tags", "popular_topics"):
        return ("topics",)
    if read == "sources":
        return ("sources",)
    if read == "top_stories":
        return ("top_stories",)
    if read == "trending_topics":  # each with its topic's sparkline: its stories' dates
        return ("trending", "topic series")
    if read == "trending_window":
        return ("trending_window",)
    return ()


def _key(part: str) -> str:
    return part.rstrip("]").strip("\"'")


def shared_values(model: SiteModel, records: Sequence[ItemRecord] | None = None) -> dict[str, object]:
    """The values a page may read that the whole site shares, as the items determine them
    (``records``: the model's, when at hand)."""
    records = model.records() if records is None else records
    values: dict[str, object] = {}
    values.update(model.charts)  # each chart and sparkline by what the build draws it from
    values["charts"] = tuple(sorted(model.charts.items()))
    values["all"] = tuple(
        (r.source_path, r.fingerprint, r.timestamp, r.url, r.topics, r.source) for r in records
    )
    values[ANY_ITEM] = values["all"] + tuple(records)  # everything the model knows of the items
    topics: dict[str, list[tuple[str, float]]] = {}
    sources: dict[str, list[tuple[str, float]]] = {}
    for record in records:
        for topic in record.topics:
            topics.setdefault(topic, []).append((record.source_path, record.timestamp))
        if record.source:
            sources.setdefault(record.source, []).append((record.source_path, record.timestamp))
    for slug, found in topics.items():
        values[f"topic:{slug}"] = tuple(found)
    for slug, found in sources.items():
        values[f"source:{slug}"] = tuple(found)
    values["topics"] = tuple(
        sorted((slug, model.topics.get(slug), len(found)) for slug, found in topics.items())
    )
    values["sources"] = tuple(
        sorted((slug, model.sources.get(slug), len(found)) for slug, found in sources.items())
    )
    values["topics?"], values["sources?"], values["articles?"] = bool(topics), bool(sources), bool(records)
    values["topic series"] = tuple(
        sorted((slug, found) for slug, found in values.items() if slug.startswith("topic:"))
    )
    home = model.home
    values["top_stories"] = tuple(
        (records[i].source_path, records[i].fingerprint, records[i].url, more)
        for i, more in home.get("top_stories", ())
    )
    values["trending"] = home.get("trending_topics", ())
    values["trending_window"] = home.get("trending_window", ())
    #: the site's list as ``articles[:n]`` shows its newest n (see :func:`_differs`)
    values["newest"] = tuple((r.source_path, r.fingerprint, r.url) for r in records)
    return values


def _differs(name: str, old: dict[str, object], new: dict[str, object]) -> bool:
    if name.startswith("newest:"):
        size = int(name.partition(":")[2] or 0)
        return old["newest"][:size] != new["newest"][:size]  # type: ignore[index]
    return old.get(name) != new.get(name)


def _by_file(records: Sequence[ItemRecord]) -> dict[str, ItemRecord]:
    return {record.source_path: record for record in records}


def _linking(records: Sequence[ItemRecord], keys: set[str]) -> set[int]:
    """The items (positions) whose page links to one of the stories ``keys`` (related,
    backlinks, more coverage, neighbours): found in one pass, each test in C (a generator over
    each article page's links was 0.3 s at 100,000 items)."""
    if not keys:
        return set()
    disjoint = keys.isdisjoint
    return {
        i
        for i, r in enumerate(records)
        if not (disjoint(r.related) and disjoint(r.backlinks) and disjoint(r.more_coverage))
        or (r.older and r.older in keys)
        or (r.newer and r.newer in keys)
    }


def reach(old: SiteModel, new: SiteModel) -> Reach:
    """The pages of ``new``'s site (and those ``old``'s had) that the models say changed."""
    old_records, new_records = old.records(), new.records()
    old_items, new_items = _by_file(old_records), _by_file(new_records)
    changed_files = {
        path
        for path in old_items.keys() | new_items.keys()
        if old_items.get(path) != new_items.get(path)  # new, gone, or any value differs
    }
    changed_keys = {old_items[p].key for p in changed_files if p in old_items}
    changed_keys |= {new_items[p].key for p in changed_files if p in new_items}
    old_pages: Mapping[str, PageRecord] = {page.path: page for page in old.page_records()}
    new_pages: Mapping[str, PageRecord] = {page.path: page for page in new.page_records()}
    added_or_removed = frozenset(old_pages.keys() ^ new_pages.keys())
    other_items: set[str] = set()
    changed_item: set[str] = set()
    changed_link: set[str] = set()
    shared_value: set[str] = set()
    old_values, new_values = shared_values(old, old_records), shared_values(new, new_records)
    memo: dict[str, bool] = {}

    def changed_value(name: str) -> bool:
        if name not in memo:
            memo[name] = _differs(name, old_values, new_values)
        return memo[name]

    # The shared values a page depends on, once per list of reads (a few dozen lists for ten
    # thousand pages); a read names the same values on every page but for ``dates``.
    names_of: dict[tuple[int, bool], tuple[str, ...]] = {}

    def reads_changed(page: PageRecord) -> bool:
        if page.reads < 0:  # what it read is not known: any change of an item may reach it
            return changed_value(ANY_ITEM)
        key = (page.reads, not page.items)
        names = names_of.get(key)
        if names is None:
            found = (name for read in new.reads[page.reads] for name in value_names(read, page))
            names = names_of[key] = tuple(dict.fromkeys(found))
        return any(changed_value(name) for name in names)

    linking = _linking(new_records, changed_keys)
    old_files = [record.source_path for record in old_records]
    new_files = [record.source_path for record in new_records]
    old_lists, new_lists = _pages_of_lists(old_pages.values()), _pages_of_lists(new_pages.values())
    old_counted, new_counted = _counted(old), _counted(new)
    for path in old_pages.keys() & new_pages.keys():
        before, after = old_pages[path], new_pages[path]
        shown = [new_files[i] for i in after.items]
        if [old_files[i] for i in before.items] != shown or _place(before, old_counted, old_lists) != _place(
            after, new_counted, new_lists
        ):
            other_items.add(path)
        elif changed_files.intersection(shown):
            changed_item.add(path)
        elif after.page_name == "article" and not linking.isdisjoint(after.items):
            changed_link.add(path)
        elif _read_names(before, old) != _read_names(after, new) or reads_changed(after):
            shared_value.add(path)
    return Reach(
        added_or_removed,
        frozenset(other_items),
        frozenset(changed_item),
        frozenset(changed_link),
        frozenset(shared_value),
        _feeds(old, new, old_items, new_items, changed_files),
        _api(old, new, old_items, new_items, changed_files, {new_files[i] for i in linking}),
        _search(old, new, old_items, new_items, changed_files),
        _sitemaps(old, new, old_items, new_items, changed_files),
    )


def _entry(record: ItemRecord | None, model: SiteModel) -> tuple[object, ...] | None:
    """What a feed entry shows of an item: its file's digest (every field of the item), its URL,
    date and topics' names."""
    if record is None:
        return None
    return record.fingerprint, record.url, record.timestamp, tuple(model.topics[s] for s in record.topics)


def _changed(
    entries: tuple[Sequence[tuple[Any, ...]], Sequence[tuple[Any, ...]]],
    stories: int,
    shows: Callable[[ItemRecord | None, SiteModel], object],
    old: SiteModel,
    new: SiteModel,
    items: tuple[Mapping[str, ItemRecord], Mapping[str, ItemRecord]],
    changed_files: set[str],
) -> set[str]:
    """Of files recorded as ``(path, ..., the shown stories' files at index stories, ...)``, the
    ones new, gone, recorded otherwise, or showing a story whose ``shows`` differs.

    ``shows`` reads a story's record and the names of the topics and sources: while those names
    are the same, only the stories in ``changed_files`` (whose records differ) can show
    otherwise, and the others are not looked at (every story of every file was, 0.3 s at 10,000
    items)."""
    before = {entry[0]: entry for entry in entries[0]}
    after = {entry[0]: entry for entry in entries[1]}
    changed = set(before.keys() ^ after.keys())
    old_items, new_items = items
    names_kept = old.topics == new.topics and old.sources == new.sources
    for path in before.keys() & after.keys():
        shown = after[path][stories]
        if before[path] != after[path] or any(
            shows(old_items.get(f), old) != shows(new_items.get(f), new)
            for f in (changed_files.intersection(shown) if names_kept else shown)
        ):
            changed.add(path)
    return changed


def _feeds(
    old: SiteModel,
    new: SiteModel,
    old_items: Mapping[str, ItemRecord],
    new_items: Mapping[str, ItemRecord],
    changed_files: set[str],
) -> frozenset[str]:
    """The feed files whose content the models say changed."""
    return frozenset(
        _changed((old.feeds, new.feeds), 4, _entry, old, new, (old_items, new_items), changed_files)
    )


def _counted(model: SiteModel) -> list[bool]:
    """Whether each list of reads of ``model`` (by its index in ``SiteModel.reads``) reads a
    count: decided once per list, not once per page (every read of every page was looked at:
    the reach took 2.4 s at 100,000 items, one story added, and takes 1.8 s)."""
    return [any(read.endswith(COUNT) for read in reads) for reads in model.reads]


def _place(page: PageRecord, counted: Sequence[bool], pages_of: Mapping[str, int]) -> tuple[Any, ...]:
    """Where the page sits in its list (its number of how many pages, and their size), and how
    many stories the list holds when the page may show that number: it read a count, or what it
    read is not known (``template_reads`` says why a count is a read of its own: the home pages
    before a withdrawn story's place show the same text, as a full build's keys know).
    ``counted``: :func:`_counted` of the page's model."""
    where = (page.list_name, page.number, page.per_page, pages_of.get(page.list_name, 0))
    return (*where, page.count) if page.reads < 0 or counted[page.reads] else where


def _pages_of_lists(pages: Iterable[PageRecord]) -> Counter[str]:
    """How many pages each list has."""
    return Counter(page.list_name for page in pages if page.list_name)


def _read_names(page: PageRecord, model: SiteModel) -> tuple[str, ...] | None:
    return model.reads[page.reads] if page.reads >= 0 else None


def _api(
    old: SiteModel,
    new: SiteModel,
    old_items: Mapping[str, ItemRecord],
    new_items: Mapping[str, ItemRecord],
    changed_files: set[str],
    linking: set[str],
) -> frozenset[str]:
    """The API documents whose content the models say changed: an item's document shows its
    item, its collections' names and the stories it links to (as its page does: ``linking``,
    the files of the items linking to a changed story); a page of a collection shows its
    items' entries (each item's fields and URL) and the collection's name and size; the lists
    and the entry point show the collections."""
    before = {document[0]: document for document in old.api}
    after = {document[0]: document for document in new.api}
    changed = set(before.keys() ^ after.keys())
    for path in before.keys() & after.keys():
        document = after[path]
        if before[path] != document:
            changed.add(path)
        elif document[1] == "item":
            (file,) = document[2]
            if file in changed_files or file in linking:
                changed.add(path)
        elif document[1] == "page" and any(
            _api_entry(old_items.get(f)) != _api_entry(new_items.get(f))
            for f in changed_files.intersection(document[2])  # an entry shows its record only
        ):
            changed.add(path)
    return frozenset(changed)


def _api_entry(record: ItemRecord | None) -> tuple[str, str] | None:
    """What an entry of an API page shows of an item: its file's digest and its URL."""
    return None if record is None else (record.fingerprint, record.url)


def _indexed(record: ItemRecord | None, model: SiteModel) -> tuple[object, ...] | None:
    """What a story's search document shows: its item (digest), URL, date, topics' names and
    its source's name (the one its source's stories use most)."""
    if record is None:
        return None
    topics = tuple(model.topics[s] for s in record.topics)
    return record.fingerprint, record.url, record.timestamp, topics, model.sources.get(record.source, "")


def _search(
    old: SiteModel,
    new: SiteModel,
    old_items: Mapping[str, ItemRecord],
    new_items: Mapping[str, ItemRecord],
    changed_files: set[str],
) -> frozenset[str]:
    """The search bundles whose stories or documents changed, and the listing when any did."""
    items = (old_items, new_items)
    changed = _changed((old.search, new.search), 2, _indexed, old, new, items, changed_files)
    if changed:  # the listing holds each bundle's digest
        changed |= {entry[0] for entry in new.search if entry[1] == "listing"}
    return frozenset(changed)


class _Indexed(NamedTuple):
    """What :func:`_indexed` reads of a story's record, known before its related stories are."""

    fingerprint: str
    url: str
    timestamp: float
    topics: tuple[str, ...]
    source: str


class _Names(NamedTuple):
    """What :func:`_search` reads of the new model besides its items."""

    search: tuple[tuple[Any, ...], ...]
    topics: Mapping[str, str]
    sources: Mapping[str, str]


def search_reach(
    old: SiteModel,
    search: tuple[tuple[Any, ...], ...],
    stories: Sequence[Any],
    topics: Mapping[str, str],
    sources: Mapping[str, str],
) -> frozenset[str]:
    """What :func:`reach` will name of the search index (``Reach.search``), from the new
    model's ``search`` entries, stories (:class:`topicfeed.items.Story`, their sources set),
    topics' and sources' names: all known before the related step, so a rebuild can index the
    bundles while it plans. Equal to :func:`reach`'s by construction: the same comparison, over
    the only fields of the records it reads."""
    new = _Names(search, topics, sources)
    old_items = _by_file(old.records())
    new_items = {
        story.item.source_path: _Indexed(
            story.item.fingerprint, story.url, story.timestamp, story.topics, story.source
        )
        for story in stories
    }
    changed_files = {
        path
        for path in old_items.keys() | new_items.keys()
        if _indexed(old_items.get(path), old) != _indexed(new_items.get(path), new)  # type: ignore[arg-type]
    }
    return _search(old, new, old_items, new_items, changed_files)  # type: ignore[arg-type]


def _sitemaps(
    old: SiteModel,
    new: SiteModel,
    old_items: Mapping[str, ItemRecord],
    new_items: Mapping[str, ItemRecord],
    changed_files: set[str],
) -> frozenset[str]:
    """The sitemaps whose pages or stories changed (a story as a news sitemap shows it: its
    item, URL and date)."""
    items = (old_items, new_items)
    return frozenset(_changed((old.sitemaps, new.sitemaps), 2, _listed, old, new, items, changed_files))


def _listed(record: ItemRecord | None, _model: SiteModel) -> tuple[object, ...] | None:
    return None if record is None else (record.fingerprint, record.url, record.timestamp)


def page_names(*models: SiteModel) -> dict[str, str]:
    """Every page path of the models -> its page name (``article``, ``index``, ``tag/ai`` ...);
    every feed file's path -> ``feed``, every API document's -> ``api``, every search bundle's
    folder (ending with ``/``) and listing -> ``search``, every sitemap -> ``sitemap``."""
    names = {feed[0]: "feed" for model in models for feed in model.feeds}
    names.update({document[0]: "api" for model in models for document in model.api})
    names.update({entry[0]: "search" for model in models for entry in model.search})
    names.update({entry[0]: "sitemap" for model in models for entry in model.sitemaps})
    names.update({page.path: page.page_name for model in models for page in model.page_records()})
    return names


def unexplained(reached: Reach, changed: Iterable[str], names: Mapping[str, str]) -> dict[str, list[str]]:
    """The changed files among ``names`` (:func:`page_names`: pages, feeds, API documents, search
    files, sitemaps; a name ending with ``/`` stands for every file under it) that ``reached`` does not
    name, by name.

    ``changed``: paths of the files whose bytes differ between the two sites; files that are
    none of those (robots.txt, the search page's static files) are left out: no item reaches them.
    """
    folders = [name for name in names if name.endswith("/")]
    found: dict[str, list[str]] = {}
    for path in sorted(changed):
        if reached.names(path):
            continue
        name = names.get(path) or next((names[f] for f in folders if path.startswith(f)), None)
        if name is not None:
            found.setdefault(name, []).append(path)
    return found
