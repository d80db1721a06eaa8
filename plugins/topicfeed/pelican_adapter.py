"""Every touch of Pelican's (and pelican-sitemap's) private internals, in one place.

Pelican has no public hook for several things Topicfeed needs; this module is the only one that
reaches past Pelican's public API to get them, so a Pelican upgrade is checked here and only here
(``tests/pelican_adapter/test_pelican_internals.py`` fails when any internal used below changes:
signatures, attributes, the source of the functions replaced, and their behaviour).

- **The writer** (:class:`HookedWriter`): Pelican's ``Writer`` opens every output file through
  ``_open_w``, makes every feed with ``_create_new_feed`` and adds each entry with
  ``_add_item_to_the_feed``. ``HookedWriter`` turns those three into overridable methods with
  public names (:meth:`~HookedWriter.file_opened`, :meth:`~HookedWriter.create_feed`,
  :meth:`~HookedWriter.add_feed_entry`), and gives the set of written files (``_written_files``)
  a method (:meth:`~HookedWriter.claim`). ``_open_w`` is Pelican's own checks and bookkeeping
  (``_written_files``, ``_overridden_files``, the same errors and messages) followed by the
  open, so that a writer that writes a page later (``file_opened`` returns True) gets a handle
  that discards Pelican's text instead of an empty file created now and written again later.
  ``write_file`` is Pelican's, with each page's folder made by an overridable step
  (:meth:`~HookedWriter.make_folder`: a writer that writes the page later makes it then, and
  Pelican's ``makedirs`` for every page was three system calls finding the folder there).
  ``Writer.write_file`` sends ``content_written`` right after writing;
  :func:`content_written_held` holds that signal back for a writer that writes the file later
  and sends the signal itself once the file is complete.
- **The taxonomy loops** (:func:`make_taxonomy_scans_linear`): ``ArticlesGenerator``'s
  ``generate_tags`` / ``generate_categories`` / ``generate_authors`` build each page's ``dates``
  with ``[a for a in self.dates if a in articles]``: a pass over every article of the site for
  every term, each pass scanning a list, O(N^2). The lists become :class:`IndexedList`
  (membership by identity in O(1)), and the three loops become :func:`linear_taxonomy_pages`,
  Pelican's loop with each page's ``dates`` taken from its own articles (still O(N x terms)
  without it: 170 s at 100,000 items). Order and contents, and so the output, are unchanged.
- **The period archives** (:func:`make_period_archives_linear`): ``_build_period_archives`` finds
  each month's articles with ``[a for a in articles if a in dates]``, a scan of every article per
  period against a list: O(N^2) over a site's months (about 65 s at 100,000 items). The generator
  gets a version that runs Pelican's own method on no articles (for everything else it computes)
  and then fills each period's ``articles`` from one pass, by identity: the same lists, in the
  same order.
- **pelican-sitemap's lastmod** (:func:`pin_sitemap_lastmod`): pages without a date (indexes)
  get ``lastmod`` from ``generator.now``, the time the plugin was imported, so two builds of the
  same content would differ. The adapter sets it to a date the caller chooses.
- **pelican-sitemap's XML** (:func:`sitemap_xml_entries`, :func:`sitemap_xml`,
  :func:`sitemap_pages_queued`): it writes one file whatever the number of pages (the protocol
  allows 50,000 URLs a file); the adapter tells how many pages it holds (``page_queue``) and
  cuts the file into its header, one element per page and its footer (``XML_HEADER``,
  ``XML_URL``, ``XML_FOOTER``), so a caller can write it as several.
- **Skipping a run** (:func:`skip_run`): Pelican has no hook that lets a plugin say "this run
  has nothing to do". ``pelican.main`` (and its autoreload loop) creates the ``Pelican``
  instance, which sends ``initialized``, and then calls ``pelican.run()``; the adapter gives the
  instance a ``run`` that does something else, once.
- **Content caches that keep nothing** (:func:`skip_unkept_file_stamps`, and
  :func:`skip_unkept_stamps_of` for readers made outside a generator): the article
  generator and its ``Readers`` are ``FileStampDataCacher``; each looks a file up
  (``get_cached_data``) and caches it (``cache_data``), and each of the four calls takes the
  file's stamp (a ``stat``, or a hash of its bytes with ``CHECK_MODIFIED_METHOD``), even with
  content caching off (the default), when the look-up can only miss and nothing is kept. A cacher
  that saves nothing and loaded nothing gets a look-up that misses and a cache that keeps
  nothing, without the stamps: the same answers, no file system calls.
- **The default author** (:func:`default_author`): ``Content.__init__`` gives an article without
  an author ``Author(AUTHOR)``, a new object per article, and Pelican slugifies an author's name
  the first time an article's URL is formatted, once per object (0.13 s at 10,000 items). A
  reader can name that author itself, with one object for all its articles: the same article.
- **A content's relative source path** (:func:`make_relative_source_paths_direct`):
  ``Content.get_relative_source_path`` is ``os.path.relpath`` of two ``abspath`` calls, and
  Pelican asks it for every article when it makes the article, formats its URL (each ``url``
  and ``save_as`` before they are frozen) and records its source: 33,600 times, 0.26 s, in a
  rebuild of 10,000 items. For an absolute source path under an absolute content path (what
  Pelican's readers give), the answer is the rest of the normalised path after the normalised
  content path: :func:`relative_source_path` gives that, and Pelican's own answer otherwise.
- **A content's URL fields** (:func:`url_fields`): ``Content.url_format`` is what Pelican formats
  the URL settings with: a copy of the whole metadata, with the source path, slug, language,
  date, author and category put in. Formatting a URL template that names two of those (the
  exporter's dated URLs name ``date`` and ``slug``) needs only those two: :func:`url_fields`
  gives the named entries, each as ``url_format`` would, without the copy.
  :func:`make_url_settings_direct` gives every ``Content`` an ``_expand_settings`` (the URL
  settings formatted: each ``url`` and ``save_as`` before they are frozen, such as Pelican's
  check of every article's ``save_as``) that formats with those entries, through
  :func:`topicfeed.url_templates.format_url`: the same text.
- **An article from its reader's answer** (:func:`article_from_answer`): a rebuild from the site
  model makes the articles of every list page it renders from items it holds, and
  ``Readers.read_file``'s own steps (two ``abspath`` and a ``relpath``, the reader found by
  suffix, the empty-``alt`` search, the path's metadata) were half of each article's cost there.
  The adapter runs Pelican's metadata steps itself, in ``read_file``'s order, for a normalised
  relative path (its own ``relpath``), searching for images only in content with an ``<img``
  and leaving out the file name's and folder's fields when the reader's answer names all they
  could give (it overwrites them); anything else (typogrify, caching readers, an odd path) is
  left to ``read_file``.
- **A story's article as a list shows it** (:func:`listed_values`): a list page reads an
  article's headline, date, ``locale_date``, URL and item (and the plugins' dressings), and a
  rebuild whose new story shifts the home page's list renders every page of it (4,214 at
  100,000 items), which made a Pelican article for every story of the site. ``Content`` sets
  each metadata field as an attribute and formats ``locale_date`` from the date with the
  language's ``DATE_FORMATS`` entry or ``DEFAULT_DATE_FORMAT``; :func:`listed_values` gives
  those attributes from the reader's fields, and says None when the settings could make them
  otherwise (metadata from the settings or the path naming a field a list reads, a locale in a
  date format, typogrify, a receiver of ``content_object_init``).
- **pelican-sitemap's loop** (:func:`write_sitemap`, ``_sitemap_text``): ``_write_out`` asks every
  page for its URL, exclusion, kind, frequency, priority and translations through ``getattr``;
  for index pages and :func:`sitemap_article` stand-ins (which carry none of their own) the
  adapter puts the same text together from the URL and the date, with pelican-sitemap's own
  templates, date format and settings check; any other page goes through ``_write_out``.
- **The ``--fatal`` level** (:func:`fatal_level`): Pelican has no public way to ask which log
  level fails the run. ``pelican.log.init`` stores it on ``FatalLogger.fatal_lvl`` (above
  ``CRITICAL`` when ``--fatal`` is not given), and ``FatalLogger._log`` raises for any line at or
  above it. A plugin that must fail as the full build would (strict mode, a rebuild that cannot
  see what a full build would log) reads it through :func:`fatal_level`.
- **pelican-sitemap's write** (:func:`write_sitemap_now`): it writes ``sitemap.xml`` in its own
  ``finalized`` handler, which runs after Topicfeed's phases (the output may be committed by
  then). The adapter has it write during a phase instead; its own handler then does nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import os
import re
import types
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.request import pathname2url

import pelican as pelican_package
from pelican import readers as pelican_readers
from pelican import signals
from pelican.cache import FileDataCacher, FileStampDataCacher
from pelican.contents import Article, Content
from pelican.generators import ArticlesGenerator, CachingGenerator
from pelican.log import FatalLogger
from pelican.log import init as _pelican_log_init
from pelican.paginator import Paginator
from pelican.readers import Readers
from pelican.urlwrappers import Author
from pelican.utils import file_suffix, get_relative_path, path_to_url, sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from topicfeed.url_templates import field_names, format_url

#: Pelican's writer's logger: the overwrite messages ``_open_w`` gives come from it, as in Pelican.
_pelican_writer_log = logging.getLogger("pelican.writers")
#: Pelican's generators' logger, for the taxonomy loops' messages.
_pelican_generators_log = logging.getLogger("pelican.generators")

# The writer -------------------------------------------------------------------------------------


class HookedWriter(Writer):
    """Pelican's ``Writer`` with its private steps as public, overridable methods.

    Subclasses override the hooks; each defaults to Pelican's own behaviour.
    """

    # Hooks ------------------------------------------------------------------------------------

    def file_opened(self, filename: str, skipped: bool) -> bool:
        """Pelican opens ``filename`` for a page or feed (``skipped``: it writes to devnull).

        Called for every file Pelican's writer opens, after its overwrite checks passed. True:
        this writer writes the file itself later, so nothing is created now and what Pelican
        writes is discarded.
        """
        return False

    def create_feed(self, feed_type: str, feed_title: str | None, context: dict[str, Any]) -> Any | None:
        """The empty feed for the ``write_feed`` call in progress; None makes Pelican's own."""
        return None

    def add_feed_entry(self, feed: Any, item: Any) -> bool:
        """Add ``item`` to ``feed``; False lets Pelican add its own entry."""
        return False

    def make_folder(self, folder: str) -> None:
        """Make the folder of a page ``write_file`` is about to open (Pelican: ``makedirs``).

        A writer that writes the page later can make the folder then, or find it there.
        """
        os.makedirs(folder, exist_ok=True)

    def page_values(
        self, context: dict[str, Any], name: str, kwargs: dict[str, Any], relative_urls: bool
    ) -> dict[str, Any]:
        """What one page of ``write_file`` sets on top of the shared ``context`` (Pelican's
        ``_get_localcontext``, without the copy)."""
        values: dict[str, Any] = {"localsiteurl": context.get("localsiteurl", None)}
        if relative_urls:
            relative_url = path_to_url(get_relative_path(name))
            values["SITEURL"] = relative_url
            values["localsiteurl"] = relative_url
        values["output_file"] = name
        values.update(kwargs)
        return values

    def page_context(self, context: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        """The context a page renders with: a copy of ``context`` updated with its own ``values``.

        A writer that renders later can keep the two apart instead (a copy of the couple of
        hundred shared names for every page).
        """
        localcontext = context.copy()
        localcontext.update(values)
        return localcontext

    # Public views of Pelican's state ----------------------------------------------------------

    @property
    def feed_site_url(self) -> str:
        """``SITEURL`` of the ``write_feed`` call in progress (set by Pelican before the feed)."""
        return self.site_url

    @property
    def current_feed_url(self) -> str:
        """The public URL of the feed being written (``FEED_DOMAIN`` joined with its URL)."""
        return self.feed_url

    def absolute(self, url: str) -> str:
        """A site-relative URL made absolute the way Pelican makes feed links absolute."""
        return self.urljoiner(self.site_url, url)

    def claim(self, path: str) -> bool:
        """Mark ``path`` as written by this build; False when it already was (nothing claimed).

        The same bookkeeping Pelican's own ``_open_w`` does, for a file written another way
        (a feed reused from the previous build).
        """
        if path in self._written_files:
            return False
        self._written_files.add(path)
        return True

    # Pelican's private methods, routed to the hooks ---------------------------------------------

    def write_file(
        self,
        name: Any,
        template: Any,
        context: dict[str, Any],
        relative_urls: bool = False,
        paginated: dict[str, Any] | None = None,
        template_name: str | None = None,
        override_output: bool = False,
        url: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Pelican's ``Writer.write_file``, step for step, with the folder made by :meth:`make_folder`.

        Pelican's version calls ``os.makedirs`` for every page, three system calls that find the
        folder there for almost every page of a rebuild (about 40 µs a page on the build machine).
        """
        if not name:  # Pelican: False, "" or anything else empty writes nothing
            return

        def _write_file(
            template: Any, localcontext: dict[str, Any], output_path: str, name: str, override: bool
        ) -> None:
            if localcontext["localsiteurl"]:
                context["localsiteurl"] = localcontext["localsiteurl"]
            output = template.render(localcontext)
            path = sanitised_join(output_path, name)
            self.make_folder(os.path.dirname(path))
            with self._open_w(path, "utf-8", override=override) as f:
                f.write(output)
            _pelican_writer_log.info('Writing "%s"', path)
            signals.content_written.send(path, context=localcontext)

        if paginated is None:
            paginated = {key: val for key, val in kwargs.items() if key in {"articles", "dates"}}

        if paginated and template_name in self.settings["PAGINATED_TEMPLATES"]:
            per_page = (
                self.settings["PAGINATED_TEMPLATES"][template_name] or self.settings["DEFAULT_PAGINATION"]
            )
            paginators = {
                key: Paginator(name, url, val, self.settings, per_page) for key, val in paginated.items()
            }
            for page_num in range(next(iter(paginators.values())).num_pages):
                paginated_kwargs = kwargs.copy()
                for key, paginator in paginators.items():
                    previous_page = paginator.page(page_num) if page_num > 0 else None
                    page = paginator.page(page_num + 1)
                    next_page = paginator.page(page_num + 2) if page_num + 1 < paginator.num_pages else None
                    paginated_kwargs.update(
                        {
                            f"{key}_paginator": paginator,
                            f"{key}_page": page,
                            f"{key}_previous_page": previous_page,
                            f"{key}_next_page": next_page,
                        }
                    )
                values = self.page_values(context, page.save_as, paginated_kwargs, relative_urls)
                localcontext = self.page_context(context, values)
                _write_file(template, localcontext, self.output_path, page.save_as, override_output)
        else:
            localcontext = self.page_context(context, self.page_values(context, name, kwargs, relative_urls))
            _write_file(template, localcontext, self.output_path, name, override_output)

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        """Pelican's ``Writer._open_w`` (checks, bookkeeping, messages), then the hook, then the open."""
        skipped = False
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" a second time (was previously overwritten)'
                )
            _pelican_writer_log.info('Skipping "%s", not overwriting', filename)
            skipped = True
        elif filename in self._written_files:
            if override:
                _pelican_writer_log.info('Overwriting "%s"', filename)
            else:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" as Pelican has already '
                    "written to it previously (set `override=True` if intended)"
                )
        recorded = os.devnull if skipped else filename  # Pelican records devnull for a skipped file
        if override:
            self._overridden_files.add(recorded)
        self._written_files.add(recorded)
        if self.file_opened(filename, skipped) and not skipped:
            return io.StringIO()  # the page is written later: Pelican's text has nowhere to go
        return open(recorded, "w", encoding=encoding)  # Pelican closes it

    def _create_new_feed(self, feed_type: str, feed_title: str | None, context: dict[str, Any]) -> Any:
        feed = self.create_feed(feed_type, feed_title, context)
        return feed if feed is not None else super()._create_new_feed(feed_type, feed_title, context)

    def _add_item_to_the_feed(self, feed: Any, item: Any) -> None:
        if not self.add_feed_entry(feed, item):
            super()._add_item_to_the_feed(feed, item)


@contextmanager
def content_written_held() -> Iterator[None]:
    """Hold back ``content_written`` while Pelican's ``write_file`` runs.

    ``Writer.write_file`` sends the signal as soon as it has written the rendered text; a writer
    that renders later holds it back here and sends it itself once the file is complete.
    """
    with signals.content_written.muted():
        yield


# The taxonomy loops ------------------------------------------------------------------------------

#: The generator methods whose ``a in articles`` scans :func:`make_taxonomy_scans_linear` speeds up.
TAXONOMY_LOOPS = (
    ArticlesGenerator.generate_tags,
    ArticlesGenerator.generate_categories,
    ArticlesGenerator.generate_authors,
)


class IndexedList(list):
    """A list with O(1) membership by identity (Pelican's content objects compare by identity)."""

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self._ids = {id(item) for item in self}

    def __contains__(self, item: object) -> bool:
        return id(item) in self._ids

    def append(self, item: Any) -> None:
        super().append(item)
        self._ids.add(id(item))


def make_taxonomy_scans_linear(generator: ArticlesGenerator) -> None:
    """Replace the article lists of every tag, category and author with :class:`IndexedList`,
    and the three page loops with :func:`linear_taxonomy_pages`.

    Call at ``article_generator_finalized``: the lists are complete, the pages not yet written.
    The template context gets the same lists (Pelican copied them there already).
    """
    for tag, articles in list(generator.tags.items()):
        generator.tags[tag] = IndexedList(articles)
    generator.categories = [(category, IndexedList(articles)) for category, articles in generator.categories]
    generator.authors = [(author, IndexedList(articles)) for author, articles in generator.authors]
    generator.context["tags"] = list(generator.tags.items())
    generator.context["categories"] = generator.categories
    generator.context["authors"] = generator.authors
    for kind in TAXONOMY_KINDS:
        method = types.MethodType(functools.partial(linear_taxonomy_pages, kind=kind), generator)
        setattr(generator, f"generate_{kind.plural}", method)


@dataclass(frozen=True)
class TaxonomyKind:
    """One of Pelican's three taxonomy page loops, as ``generate_<plural>`` writes it."""

    plural: str  # generate_tags, generate_categories, generate_authors
    name: str  # the template, template_name and keyword of the page's term
    label: str  # in Pelican's log lines


TAXONOMY_KINDS = (
    TaxonomyKind("tags", "tag", "Tag"),
    TaxonomyKind("categories", "category", "Category"),
    TaxonomyKind("authors", "author", "Author"),
)


def linear_taxonomy_pages(generator: Any, write: Any, *, kind: TaxonomyKind) -> None:
    """Pelican's ``generate_tags`` / ``_categories`` / ``_authors``, with each page's ``dates`` in
    time linear in its own articles.

    Pelican builds ``dates`` with ``[a for a in self.dates if a in articles]``: a pass over every
    article of the site for every term, O(articles x terms) even when ``in`` is O(1) (170 s of a
    100,000-item build). Here each term's articles are put in ``self.dates`` order through one
    position table: the same articles (by identity, once each), in the same order. Everything
    else is Pelican's code as of 4.12 (the adapter test pins its source and compares the calls).
    """
    template = generator.get_template(kind.name)
    position = {id(article): i for i, article in enumerate(generator.dates)}
    terms = generator.tags.items() if kind.plural == "tags" else getattr(generator, kind.plural)
    for term, articles in terms:
        members = {id(a): a for a in articles if id(a) in position}
        dates = sorted(members.values(), key=lambda a: position[id(a)])
        try:
            write(
                term.save_as,
                template,
                generator.context,
                url=term.url,
                **{kind.name: term},
                articles=articles,
                dates=dates,
                template_name=kind.name,
                blog=True,
                page_name=term.page_name,
                all_articles=generator.articles,
            )
        except FileOverwriteFailedError:
            if not term.slug:
                _pelican_generators_log.info(
                    '%s "%s" has an invalid slug; skipping writing %s page...',
                    kind.label,
                    term,
                    kind.name,
                    extra={"limit_msg": f"Further {kind.plural} with invalid slugs."},
                )
                continue
            _pelican_generators_log.error('Failed to write %s page for "%s".', kind.label, term)
            raise


#: How ``_build_period_archives`` groups: the same keys as Pelican's ``granularity_key_func``.
PERIOD_KEYS: dict[str, Any] = {
    "year": lambda a: (a.date.year,),
    "month": lambda a: (a.date.year, a.date.month),
    "day": lambda a: (a.date.year, a.date.month, a.date.day),
}


def linear_period_archives(
    generator: Any, sorted_articles: list[Any], articles: list[Any], settings: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """Pelican's ``_build_period_archives``, with each period's ``articles`` found in one pass."""
    archives = ArticlesGenerator._build_period_archives(generator, sorted_articles, [], settings)
    for granularity, entries in archives.items():
        key = PERIOD_KEYS[granularity]
        by_period: dict[tuple[int, ...], list[Any]] = {}
        for article in articles:  # the order of ``articles``, as Pelican's comprehension keeps it
            by_period.setdefault(key(article), []).append(article)
        for archive in entries:
            members = {id(article) for article in archive["dates"]}  # ``in`` on Content: identity
            period = by_period.get(key(archive["dates"][0]), [])
            archive["articles"] = [article for article in period if id(article) in members]
    return archives


def make_period_archives_linear(generator: ArticlesGenerator) -> None:
    """Call at ``article_generator_init``, before ``generate_context`` builds the archives."""
    generator._build_period_archives = types.MethodType(linear_period_archives, generator)


# Content caches that keep nothing -----------------------------------------------------------------


def _missed(filename: str, default: Any = None) -> Any:
    """``FileStampDataCacher.get_cached_data`` of a cacher with nothing loaded: always the default."""
    return default


def _not_kept(filename: str, data: Any) -> None:
    """``FileStampDataCacher.cache_data`` of a cacher whose policy is not to cache: nothing."""


def skip_unkept_file_stamps(generator: CachingGenerator) -> int:
    """Stop ``generator`` and its readers stamping files for a content cache that keeps nothing.

    Call at ``article_generator_init`` (``page_generator_init``), before any file is read. A cacher
    is left alone when it caches (``CACHE_CONTENT`` at its layer) or loaded a cache
    (``LOAD_CONTENT_CACHE``); otherwise its look-up returns the caller's default, as Pelican's does
    when the stamp cannot match a missing entry, and its ``cache_data`` keeps nothing, as
    Pelican's does with caching off. The one difference: a file whose stamp cannot be taken (gone
    or unreadable) is no longer logged as such here; reading it fails and says so. Says how many
    cachers were changed.
    """
    return skip_unkept_stamps_of(generator, generator.readers)


def skip_unkept_stamps_of(*cachers: FileStampDataCacher) -> int:
    """:func:`skip_unkept_file_stamps` for any of Pelican's cachers: ``Readers`` made outside a
    generator too (a rebuild from the site model makes the articles of each list page it
    renders through readers of its own). Says how many were changed; one left alone caches."""
    changed = 0
    for cacher in cachers:
        if cacher._cache_data_policy or cacher._cache:
            continue
        cacher.get_cached_data = _missed
        cacher.cache_data = _not_kept
        changed += 1
    return changed


# An article from its reader's answer ---------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _path_metadata_names(
    filename_metadata: str | None, path_metadata: str | None, by_folder: bool
) -> frozenset[str]:
    """The metadata names ``parse_path_metadata`` can find with these settings (its regexes' groups)."""
    names = {"category"} if by_folder else set()
    for regexp in (filename_metadata, path_metadata):
        if regexp:
            names.update(name.lower() for name in re.compile(regexp).groupindex)
    return frozenset(names)


def article_from_answer(
    readers: Readers, base_path: str, path: str, answer: tuple[str, dict[str, Any]]
) -> Article | None:
    """The ``Article`` that ``readers.read_file(base_path, path, Article, context={})`` makes when
    the file's reader answers ``answer`` (its content and metadata); None when this cannot tell
    (then ask ``read_file``).

    A rebuild from the site model makes the articles of each list page it renders from items it
    already has (4,000 and more pages at 100,000 items, one story added), and ``read_file``'s
    own steps were about half of each article's cost there: ``relpath`` of two ``abspath``
    calls, the reader looked up by suffix, the empty-``alt`` search over content that holds no
    image, and the path's metadata, which the reader's answer then replaces. Here they are
    Pelican's steps in Pelican's order, for a normalised relative ``path`` (whose ``relpath`` is
    itself), with the ``<img`` search only where there is an ``<img``, and the file name's and
    folder's metadata skipped when the answer names every field they could give (so overwrites
    them all). Not for typogrified text or readers that cache what they read.
    """
    settings = readers.settings
    if settings.get("TYPOGRIFY") or readers._cache_data_policy or readers._cache:
        return None
    if os.sep != "/" or os.path.isabs(path) or path.startswith("..") or os.path.normpath(path) != path:
        return None
    content, reader_metadata = answer
    reader_metadata = pelican_readers._filter_discardable_metadata(reader_metadata)
    if reader_metadata.get("status") == "skip":
        return None  # read_file makes a SkipStub
    reader = readers.readers.get(file_suffix(path))
    if reader is None:
        return None  # read_file says why
    full_path = os.path.join(os.path.abspath(base_path), path)
    metadata = pelican_readers._filter_discardable_metadata(
        pelican_readers.default_metadata(settings=settings, process=reader.process_metadata)
    )
    metadata.update(pelican_readers.path_metadata(full_path=full_path, source_path=path, settings=settings))
    names = _path_metadata_names(
        settings.get("FILENAME_METADATA"),
        settings.get("PATH_METADATA"),
        bool(settings.get("USE_FOLDER_AS_CATEGORY") and settings.get("CATEGORY_SAVE_AS")),
    )
    if not names <= reader_metadata.keys():
        metadata.update(
            pelican_readers._filter_discardable_metadata(
                pelican_readers.parse_path_metadata(
                    source_path=path, settings=settings, process=reader.process_metadata
                )
            )
        )
    metadata["reader"] = reader.__class__.__name__.replace("Reader", "").lower()
    metadata.update(reader_metadata)
    if content and "<img" in content:
        pelican_readers.find_empty_alt(content, full_path)
    return Article(content=content, metadata=metadata, settings=settings, source_path=full_path, context={})


# A story's article as a list shows it ----------------------------------------------------------

#: Metadata names that would change what :func:`listed_values` gives if the settings' metadata
#: (``DEFAULT_METADATA``, ``EXTRA_PATH_METADATA``, the path's regexes) named them: the headline,
#: date and item are the reader's whatever those say (its fields overwrite theirs), its URL and
#: file the site's, but a language or date format changes ``locale_date`` and ``tags`` would
#: be an item without topics' attribute.
_LISTED_NAMES = frozenset({"lang", "date_format", "tags"})


def listed_date_format(settings: dict[str, Any]) -> Any:
    """The format ``Content`` gives ``locale_date`` for an article whose metadata names no
    language or format: the default language's ``DATE_FORMATS`` entry, else
    ``DEFAULT_DATE_FORMAT`` (a tuple names a locale too)."""
    if "DEFAULT_LANG" in settings:
        lang = settings["DEFAULT_LANG"].lower()
        if lang in settings["DATE_FORMATS"]:
            return settings["DATE_FORMATS"][lang]
    return settings["DEFAULT_DATE_FORMAT"]


#: The attributes :func:`listed_values` gives only when the article has them, and then always:
#: an article without one of these lacks it.
LISTED_WHEN_SET = frozenset({"tags"})

#: What :func:`listed_values` gives: the attributes of a story's article a list shows.
ListedValues = Callable[[dict[str, Any], str, str], dict[str, Any]]


def listed_values(settings: dict[str, Any]) -> ListedValues | None:
    """How to give the attributes Pelican's ``Article`` of a news item has, from the reader's
    ``fields`` for it (``title``, an aware ``date``, the item and, when it has topics, ``tags``:
    ``Content`` sets each metadata field as it is), the URL and file the site gives it (its
    ``override_url`` and ``override_save_as``: what ``url`` and ``save_as`` then are) and its
    ``locale_date``; None when these settings could give the article other values for any of
    them (then make the article)."""
    extra = settings.get("EXTRA_PATH_METADATA") or {}
    names = {
        name.lower()
        for name in (
            *(settings.get("DEFAULT_METADATA") or ()),
            *(name for fields_of in extra.values() for name in fields_of),
            *_path_metadata_names(
                settings.get("FILENAME_METADATA"),
                settings.get("PATH_METADATA"),
                bool(settings.get("USE_FOLDER_AS_CATEGORY") and settings.get("CATEGORY_SAVE_AS")),
            ),
        )
    }
    date_format = listed_date_format(settings)
    if (
        settings.get("TYPOGRIFY")
        or signals.content_object_init.receivers
        or names & _LISTED_NAMES
        or not isinstance(date_format, str)
    ):
        return None

    def values(fields: dict[str, Any], url: str, save_as: str) -> dict[str, Any]:
        shown = dict(fields)
        shown["url"] = url
        shown["save_as"] = save_as
        shown["locale_date"] = fields["date"].strftime(date_format)
        return shown

    return values


# The default author ------------------------------------------------------------------------------


def default_author(settings: dict[str, Any]) -> Author | None:
    """The author ``Content`` gives an article whose metadata names none; None: it gives none.

    One object for a reader to put in every such article's metadata (``author``): Pelican then
    keeps it as ``author`` and ``authors == [author]``, as it does with the one it makes itself,
    and slugifies the name once instead of once per article.
    """
    name = settings.get("AUTHOR")
    return Author(name, settings) if isinstance(name, str) and name else None


# A content's relative source path ----------------------------------------------------------------

_pelican_relative_source_path = Content.get_relative_source_path


@functools.lru_cache(maxsize=16)
def _normalised_base(path: str) -> str | None:
    """``abspath(path)`` when ``path`` is absolute and not the root; None: no direct answer."""
    if not path.startswith("/"):
        return None
    base = os.path.normpath(path)
    return None if base == "/" else base + "/"


def relative_source_path(content: Any, source_path: str | None = None) -> str | None:
    """``Content.get_relative_source_path``, without ``relpath`` when the answer is direct.

    Pelican's answer is ``relpath(abspath(join(PATH, source)), abspath(PATH))``, made POSIX. On a
    POSIX system, with both paths absolute (``abspath`` is then ``normpath``) and the normalised
    source under the normalised content path, every component of the content path is a common
    prefix, so ``relpath`` keeps the source's remaining components: the rest of its string.
    Anything else (a relative path, another separator, a source outside the content path) is
    Pelican's own computation.
    """
    if not source_path:
        source_path = content.source_path
    if source_path is None:
        return None
    content_path = content.settings["PATH"]
    if os.sep == "/" and type(source_path) is str and type(content_path) is str and source_path[:1] == "/":
        base = _normalised_base(content_path)
        if base is not None:
            normalised = os.path.normpath(source_path)
            if normalised.startswith(base) and len(normalised) > len(base):
                return normalised[len(base) :]
    return _pelican_relative_source_path(content, source_path)


def make_relative_source_paths_direct() -> None:
    """Give every ``Content`` :func:`relative_source_path` (the same answers; idempotent)."""
    Content.get_relative_source_path = relative_source_path  # type: ignore[method-assign]


# A content's URL fields ---------------------------------------------------------------------------


def url_fields(content: Any, names: Iterable[str]) -> dict[str, Any]:
    """The entries of ``content.url_format`` that ``names`` lists, each as it would give it.

    A name ``url_format`` does not have is left out, so formatting with it fails as it would.
    """
    metadata = content.metadata
    fields: dict[str, Any] = {}
    for name in names:
        if name == "slug":
            fields[name] = getattr(content, "slug", "")
        elif name == "lang":
            fields[name] = getattr(content, "lang", "en")
        elif name == "date":
            fields[name] = getattr(content, "date", dt.datetime.now())
        elif name == "author":
            fields[name] = content.author.slug if hasattr(content, "author") else ""
        elif name == "category":
            fields[name] = content.category.slug if hasattr(content, "category") else ""
        elif name == "path":
            fields[name] = path_to_url(metadata.get("path", content.get_relative_source_path()))
        elif name in metadata:
            fields[name] = metadata[name]
    return fields


_pelican_expand_settings = Content._expand_settings


def expand_url_setting(content: Any, key: str, klass: str | None = None) -> str:
    """``Content._expand_settings``: the URL setting, formatted with the fields it names only."""
    if not klass:
        klass = content.__class__.__name__
    template = str(content.settings[f"{klass}_{key}".upper()])
    return format_url(template, url_format_for(content, template))


def url_format_for(content: Any, *templates: str) -> dict[str, Any]:
    """What formatting ``templates`` takes of ``content.url_format``: the entries they name, or
    all of it when one is a template :func:`~topicfeed.url_templates.format_url` leaves to
    ``str.format`` (attributes, indexes: any entry may be reached)."""
    wanted: set[str] = set()
    for template in templates:
        names = field_names(template)
        if names is None:
            return dict(content.url_format)
        wanted |= names
    return url_fields(content, wanted)


def make_url_settings_direct() -> None:
    """Give every ``Content`` :func:`expand_url_setting` (the same answers; idempotent)."""
    Content._expand_settings = expand_url_setting  # type: ignore[method-assign]


# Skipping a run ---------------------------------------------------------------------------------


def skip_run(pelican: Any, instead: Callable[[], None]) -> None:
    """Make the next ``pelican.run()`` of this instance call ``instead`` and nothing else.

    Called from an ``initialized`` receiver. Only the next call is replaced: in autoreload
    mode the same instance runs again after each change, and those runs must be real.
    """

    def skipped() -> None:
        del pelican.run  # the class's run again, for the runs after this one
        _REPLACED_RUNS.add(id(pelican))
        try:
            instead()
        finally:
            _REPLACED_RUNS.discard(id(pelican))

    pelican.run = skipped


#: The Pelican instances whose replaced run (:func:`skip_run`) is under way.
_REPLACED_RUNS: set[int] = set()


def within_replaced_run(pelican: Any) -> bool:
    """Whether this instance's run is the one :func:`skip_run` replaced (a run planned from the
    site model, or the full run it turns into: :func:`run_in_full`), not a later one."""
    return id(pelican) in _REPLACED_RUNS


def run_in_full(pelican: Any) -> None:
    """Pelican's own run of this instance, from the replacement :func:`skip_run` installed (one
    that finds, once under way, that it cannot do the run's work after all), writing where
    Pelican's ``__init__`` said (``OUTPUT_PATH``), whatever the replacement pointed it at."""
    pelican.output_path = pelican.settings["OUTPUT_PATH"]
    type(pelican).run(pelican)


def run_replaced(pelican: Any) -> bool:
    """Whether :func:`skip_run` has replaced the next run of this instance."""
    return "run" in vars(pelican)


# pelican-sitemap ---------------------------------------------------------------------------------


def pin_sitemap_lastmod(when: dt.datetime) -> bool:
    """Give pages without a date ``when`` as their sitemap ``lastmod``; False: no pelican-sitemap."""
    try:
        from pelican.plugins.sitemap import sitemap
    except ImportError:
        return False
    sitemap.generator.now = when
    return True


def write_sitemap_now(pelican: Any) -> bool:
    """Have pelican-sitemap write its sitemap now, into ``pelican.output_path``.

    Call once every page is announced (``content_written``). pelican-sitemap's ``finalize``
    writes only for the Pelican run it was initialised with and then forgets that run, so its own
    ``finalized`` handler, later, writes nothing. False: pelican-sitemap is not in this run.
    """
    try:
        from pelican.plugins.sitemap import sitemap
    except ImportError:
        return False
    if sitemap.generator._main_pelican is not pelican:
        return False
    sitemap.generator.finalize(pelican)
    return True


def sitemap_pages_queued() -> int:
    """How many pages pelican-sitemap holds for its sitemap (at most the URLs it will write: it
    leaves out hidden pages and its ``exclude`` patterns); 0 without pelican-sitemap. Ask before
    :func:`write_sitemap_now`, which empties the queue."""
    try:
        from pelican.plugins.sitemap import sitemap
    except ImportError:
        return 0
    return len(sitemap.generator.page_queue)


def sitemap_article(url: str, date: dt.datetime) -> Any:
    """What pelican-sitemap reads of a published article page (``_write_out``: an ``Article`` to
    its ``isinstance``, its ``url``, ``status``, ``date``, no ``modified``, ``private``,
    ``changefreq``, ``priority`` or ``translations`` of its own), made without Pelican's readers:
    a sitemap lists every article of the site, and making each through the readers cost the
    site model's rebuild a second for 8,000 articles."""
    article = Article.__new__(Article)
    article.override_url = url
    article.date = date
    article.translations = []
    article.status = "published"
    return article


def write_sitemap(
    settings: dict[str, Any], output_path: str, pages: list[tuple[str, Any]], lastmod: dt.datetime | None
) -> bool:
    """Write the sitemap pelican-sitemap writes for ``pages`` (each the page's absolute path and
    its article, or None for a page that is none), into ``output_path``, without a Pelican run
    (the site model's files): a generator of its own, its queue filled as ``queue_page`` fills
    it, the pages without a date given ``lastmod`` (as :func:`pin_sitemap_lastmod` pins).
    False: pelican-sitemap is not installed."""
    try:
        from pelican.plugins.sitemap import sitemap
    except ImportError:
        return False
    maker = sitemap.SitemapGenerator()
    if lastmod is not None:
        maker.now = lastmod
    text = _sitemap_text(settings, output_path, pages, maker.now)
    if text is None:
        maker.page_queue = list(pages)
        maker._write_out(types.SimpleNamespace(output_path=output_path, settings=settings))
        return True
    maker._check_config(settings.get("SITEMAP", {}))  # its messages about the setting, as _write_out
    filename = os.path.join(output_path, "sitemap.xml")
    sitemap.log.debug("sitemap: Writing sitemap to %r", output_path)
    with open(filename, "w", encoding="utf-8") as stream:
        stream.write(text)
    sitemap.log.info(f"sitemap: Written {filename!r}")
    return True


#: What :func:`sitemap_article` gives a stand-in, and nothing else: such a page is listed with
#: the defaults of its kind (no ``modified``, ``private``, ``changefreq``, ``priority`` or
#: ``translations`` of its own).
_SITEMAP_ARTICLE_FIELDS = frozenset({"override_url", "date", "translations", "_status"})
_INDEX_HTML = re.compile(r"(?:^|(?<=/))index.html$")


def _sitemap_text(
    settings: dict[str, Any], output_path: str, pages: list[tuple[str, Any]], now: dt.datetime
) -> str | None:
    """The XML sitemap pelican-sitemap's ``_write_out`` writes for ``pages`` when each is an
    index page (None) or a :func:`sitemap_article` stand-in; None for anything else (a text
    sitemap, a page with values of its own, a setting ``_write_out`` complains about): ask it.

    Its loop asks each page for its URL, exclusion, kind, change frequency, priority and
    translations through ``getattr`` and checks each answer, about 27 us a page (2.7 s of a
    rebuild at 100,000 items, beside the rendering); a stand-in's answers are its kind's
    defaults, so the same text is put together from the URL and the date alone.
    """
    from pelican.plugins.sitemap import sitemap

    config = settings.get("SITEMAP", {})
    if not isinstance(config, dict) or config.get("format", "xml") != "xml":
        return None
    changefreqs = dict(sitemap.CHANGEFREQ_DEFAULTS, **config.get("changefreqs", {}))
    priorities = dict(sitemap.PRIORITY_DEFAULTS, **config.get("priorities", {}))
    kinds: dict[str, tuple[str, float]] = {}
    for kind in ("articles", "indexes"):
        if changefreqs[kind] not in sitemap.CHANGEFREQ_VALUES:
            return None
        try:
            kinds[kind] = (changefreqs[kind], float(priorities[kind]))
        except (TypeError, ValueError):
            return None
    excluded = [re.compile(pattern) for pattern in config.get("exclude", ())]
    format_date = sitemap.format_date
    now_text = format_date(now)
    prefix = os.path.join(output_path, "")
    listed: list[tuple[str, str, str]] = []
    for path, page in pages:
        if page is None:
            url, lastmod, kind = pathname2url(_relative(path, output_path, prefix)), now_text, "indexes"
        elif (
            type(page) is Article
            and vars(page).keys() == _SITEMAP_ARTICLE_FIELDS
            and page.translations == []
            and page.status == "published"
            and page.date
        ):
            url, lastmod, kind = page.url, _lastmod(page.date, format_date), "articles"
        else:
            return None
        if url.endswith("index.html"):
            url = _INDEX_HTML.sub("", url)
        if excluded and any(pattern.search(url) for pattern in excluded):
            continue
        listed.append((url, lastmod, kind))
    listed.sort(key=lambda entry: entry[0])
    siteurl = settings["SITEURL"]
    url_element = sitemap.XML_URL.format
    return (
        sitemap.XML_HEADER
        + "".join(
            [
                url_element(siteurl, url, lastmod, *kinds[kind], translations="")
                for url, lastmod, kind in listed
            ]
        )
        + sitemap.XML_FOOTER
    )


_MINUTE = dt.timedelta(minutes=1)


def _lastmod(date: dt.datetime, format_date: Callable[[dt.datetime], str]) -> str:
    """pelican-sitemap's ``format_date(date)``: its two ``strftime`` calls and the offset cut in
    two are ``isoformat`` to the second for a date with an offset of whole minutes from year 1000
    on (the tests compare both), at a fifth of the cost: 80,000 dates at 100,000 items."""
    offset = date.utcoffset()
    if offset is not None and not offset % _MINUTE and date.year >= 1000:
        return date.isoformat(timespec="seconds")
    return format_date(date)


def _relative(path: str, output_path: str, prefix: str) -> str:
    """``os.path.relpath(path, output_path)`` as pelican-sitemap's ``to_url`` takes it, without
    making both absolute when ``path`` is ``prefix`` (``output_path`` and a separator) and a
    name that is its own normal form; a name that is not, or starts with ``..`` or a separator,
    is left to ``relpath``."""
    if path.startswith(prefix):
        name = path[len(prefix) :]
        if name and not name.startswith(("/", "../")) and name != ".." and os.path.normpath(name) == name:
            return name
    return os.path.relpath(path, output_path)


#: How pelican-sitemap's ``_write_out`` starts each page's element of an XML sitemap (``XML_URL``).
_SITEMAP_URL_START = "\n<url>\n"


def sitemap_xml_entries(text: str) -> list[str] | None:
    """pelican-sitemap's XML sitemap as its pages' elements, each as written; None when the text
    is not in the shape its ``_write_out`` writes (or pelican-sitemap is not installed).

    Joined again by :func:`sitemap_xml`, any run of them is a sitemap in the same format, so a
    site with more pages than one sitemap may list can be cut into several.
    """
    try:
        from pelican.plugins.sitemap import sitemap
    except ImportError:
        return None
    header, footer = sitemap.XML_HEADER, sitemap.XML_FOOTER
    if not (text.startswith(header) and text.endswith(footer)) or len(text) < len(header) + len(footer):
        return None
    body = text[len(header) : len(text) - len(footer)]
    if not body:
        return []
    if not body.startswith(_SITEMAP_URL_START):
        return None
    return [_SITEMAP_URL_START + part for part in body.split(_SITEMAP_URL_START)[1:]]


def sitemap_xml(entries: list[str]) -> str:
    """An XML sitemap of ``entries`` (from :func:`sitemap_xml_entries`), as pelican-sitemap writes one."""
    from pelican.plugins.sitemap import sitemap

    return sitemap.XML_HEADER + "".join(entries) + sitemap.XML_FOOTER


# The --fatal level ------------------------------------------------------------------------------


def fatal_level() -> int:
    """The lowest log level that fails this run (``--fatal warnings`` or ``errors``); above
    ``logging.CRITICAL`` when nothing does."""
    return FatalLogger.fatal_lvl


def _relied_on() -> tuple[Any, ...]:
    functions: list[Any] = [
        Writer.__init__,  # _written_files
        Writer._open_w,
        Writer._create_new_feed,
        Writer._add_item_to_the_feed,
        Writer.write_feed,  # sets site_url and feed_url, then the two feed steps
        Writer.write_file,  # renders, then _open_w, then content_written
        *TAXONOMY_LOOPS,
        ArticlesGenerator._build_period_archives,  # its articles lists: linear_period_archives
        pelican_package.main,  # get_instance (initialized), then pelican.run(): skip_run
        pelican_package.autoreload,  # the same, then run() again after each change
        FileDataCacher.__init__,  # _cache, _cache_data_policy: skip_unkept_file_stamps
        FileDataCacher.cache_data,
        FileDataCacher.get_cached_data,
        FileStampDataCacher.cache_data,  # a stamp, then FileDataCacher.cache_data
        FileStampDataCacher.get_cached_data,  # a miss unless the stamps match
        CachingGenerator.__init__,  # the generator's policies: its layer only
        Readers.__init__,  # the readers' policies: their layer only
        Readers.read_file,  # get_cached_data(path, (None, None)), then cache_data; article_from_answer
        pelican_readers.default_metadata,  # article_from_answer: Pelican's steps, in its order
        pelican_readers.path_metadata,
        pelican_readers.parse_path_metadata,  # finds only its regexes' groups: _path_metadata_names
        pelican_readers._filter_discardable_metadata,
        pelican_readers.find_empty_alt,  # finds nothing in text without "<img"
        ArticlesGenerator.generate_context,  # get_cached_data(f, None), then cache_data
        Content.__init__,  # no author: Author(AUTHOR): default_author; fields, locale_date: listed_values
        _pelican_relative_source_path,  # relpath of two abspath calls: relative_source_path
        Content.url_format.fget,  # the metadata, then path, slug, lang, date, author, category
        _pelican_expand_settings,  # the setting CLASS_KEY formatted with url_format
        Content.get_url_setting,  # override_url wins: sitemap_article
        _pelican_log_init,  # --fatal sets FatalLogger.fatal_lvl: fatal_level
        FatalLogger._log,  # raises for a line at or above fatal_lvl: fatal_level
    ]
    try:
        from pelican.plugins.sitemap import sitemap
    except ImportError:
        return tuple(functions)
    generator = sitemap.SitemapGenerator
    return (
        *functions,
        generator.__init__,
        generator.init,
        generator.queue_page,  # one entry of page_queue per page: sitemap_pages_queued
        generator.finalize,
        generator._write_out,  # what _sitemap_text puts together for stand-ins and index pages
        generator._check_config,
        sitemap.format_date,
    )


#: Every function of Pelican and pelican-sitemap whose private behaviour this module relies on
#: (``tests/pelican_adapter/test_pelican_internals.py`` pins the source of each).
RELIED_ON: tuple[Any, ...] = _relied_on()
