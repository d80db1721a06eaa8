"""Pages rendered from the site model, without Pelican's article step (step 3 of
docs/rebuild-plan.md): every kind of page (articles; the home, topic and source lists; the
period archives; the direct templates), and the other files (feeds, the API, the sitemaps, the
search bundles: step 4) written by the plugins that make them (:meth:`PageRenderer.write_files`;
those written from the site alone: :class:`.site_writes.SiteWrites`).

A rebuild that a change reaches only a few pages of should not make a Pelican ``Article`` for
every item and run every plugin's step over all of them. Here the site comes as plain values
(:class:`topicfeed.items.PlainSite`, what the prediction made of the content folder) and only
the items a rendered page shows become Pelican articles (:class:`SiteArticles`: the
``news-articles`` derivation, through Pelican's own readers, with the URL and topic slugs the
site gives them), and a list page's stories not even that (:class:`ListedArticle`: what lists
read of the article, ``news-listed-articles``), each dressed by every plugin
(:func:`topicfeed.plugin.dressers`: the same code as its build step, fed from the site's plain
values). The context every page gets is Pelican's
(the settings, the site's lists of articles, which make their articles only when a template
goes through them) and the plugins' page values (:func:`topicfeed.plugin.page_values`). Each
page is rendered with the theme's template in Pelican's own Jinja environment, with the values
Pelican 4.12's generators and writer give that kind of page (``generate_articles``,
``generate_direct_templates``, ``generate_tags``, the source pages' generator;
``Writer.write_file``'s pagination). A page whose template read a value of the build's
context that this one lacks is refused (``SiteModel.context_names``). This module names data,
never a plugin.

The full build stays the reference: ``tests/site_model/test_predict.py`` holds every page
rendered here to the page a full build of the same folder writes, byte for byte, so a change
in what Pelican hands its templates fails there.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pelican.generators import Generator, PelicanTemplateNotFound
from pelican.paginator import Paginator
from pelican.urlwrappers import Tag

from topicfeed import forked
from topicfeed.items import PlainSite, story_topics, topic_tags
from topicfeed.memory_budget import extra_processes, resident_mb
from topicfeed.page_files import write_page
from topicfeed.pelican_adapter import LISTED_WHEN_SET, linear_period_archives
from topicfeed.plugin import (
    PluginSetupError,
    Underivable,
    derivation,
    dressers,
    file_writers,
    page_values,
)
from topicfeed.site import site_timezone
from topicfeed.template_reads import render_tracked

from .pages import SiteList, per_page, site_lists
from .predict import Prediction
from .records import PageRecord

#: A page rendered: its file, and the names its template read.
Made = tuple[Path, tuple[str, ...]]

#: The context name a recorded read is of (``coverage_topics`` for ``coverage_topics["ai"]``).
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: Fewer pages than this are rendered in this process: forking would cost more than it saves.
MIN_PARALLEL_PAGES = 64


class SiteArticles:
    """The site's articles, each made and dressed by every plugin the first time a page needs
    it, and kept for the next page; a list page's stories as a :class:`ListedArticle` each."""

    def __init__(self, site: PlainSite) -> None:
        self.site = site
        self.settings = dict(site.settings)
        self._make = derivation(self.settings, "news-articles")
        self._list = derivation(self.settings, "news-listed-articles")
        self._dressers = dressers(self.settings)
        self._made: dict[int, Any] = {}
        self._listed: dict[int, Any] = {}
        self._positions: dict[int, int] = {}  # each made article's position, by its id

    @property
    def made(self) -> int:
        """How many articles were made so far."""
        return len(self._made)

    def at(self, positions: Sequence[int]) -> list[Any]:
        """The articles of the stories at ``positions`` (in the site's order of stories)."""
        new = [i for i in dict.fromkeys(positions) if i not in self._made]
        if new:
            made = self._make(self.settings, [self.site.stories[i] for i in new])
            self._dress(list(zip(new, made, strict=True)), self._made)
        return [self._made[i] for i in positions]

    def listed(self, positions: Sequence[int]) -> list[Any]:
        """What a list shows of the stories at ``positions``: each one's article if it was made,
        else a :class:`ListedArticle` (the article itself when the settings need it)."""
        made, listed = self._made, self._listed
        new = [i for i in dict.fromkeys(positions) if i not in made and i not in listed]
        if new:
            values = self._list(self.settings, [self.site.stories[i] for i in new])
            if values is None:
                return self.at(positions)
            stand_ins = [(i, ListedArticle(self, i, shown)) for i, shown in zip(new, values, strict=True)]
            self._dress(stand_ins, listed)
        return [made[i] if i in made else listed[i] for i in positions]

    def position_of(self, value: object) -> int | None:
        """The position of the story ``value`` is the article (or :class:`ListedArticle`) of;
        None: not one of these."""
        if isinstance(value, ListedArticle):
            return value._position if value._site_articles is self else None
        return self._positions.get(id(value))

    def _dress(self, shown: list[tuple[int, Any]], into: dict[int, Any]) -> None:
        for _, dress in self._dressers:
            dress(self.site, shown)
        into.update(shown)
        if into is self._made:
            self._positions.update((id(article), i) for i, article in shown)

    def lazy(self, positions: Sequence[int]) -> Shown:
        return Shown(self, positions)


class ListedArticle:
    """A story's article as a list page reads it: the attributes the article would have for
    what lists show (headline, date, ``locale_date``, URL, file, item, topics: see
    ``news-listed-articles``), dressed by every plugin as the article is; any other attribute is
    the article's own, made the first time one is read.

    A rebuild after one new story renders every page of the home page's list (400 at 10,000
    items, 4,214 at 100,000): making a Pelican article for each story they show was about half
    of rendering them.
    """

    def __init__(self, articles: SiteArticles, position: int, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
        self._site_articles = articles
        self._position = position

    def __getattr__(self, name: str) -> Any:
        # Only for what is not set here; never for Python's own names, nor for this class's
        # (a copy made without __init__ would otherwise ask for them without end), nor for what
        # the values give whenever the article has it (``tags``: a story without topics).
        if name.startswith("__") or name in ("_site_articles", "_position") or name in LISTED_WHEN_SET:
            raise AttributeError(name)
        (article,) = self._site_articles.at([self._position])
        return getattr(article, name)

    def __repr__(self) -> str:
        return f"<ListedArticle {self._position}: {self.__dict__.get('title')!r}>"


class Shown(list):  # type: ignore[type-arg]
    """A list of the site's articles that makes them only when a template goes through it.

    Pelican hands a list page the whole list (and its paginator, and the pages before and after
    it), but a template shows only its own page's stories: counting or slicing makes nothing,
    and going through them gives what a list shows of each (:meth:`SiteArticles.listed`).
    A ``list`` to the templates' read-tracking too (``topicfeed.template_reads`` records which
    part of a list a page takes, ``articles[:5]``, as in a build), though it holds no items
    itself: every way of reading it is its own.
    """

    __slots__ = ("_articles", "_positions")

    def __init__(self, articles: SiteArticles, positions: Sequence[int]) -> None:
        super().__init__()
        self._articles = articles
        self._positions = positions

    def __len__(self) -> int:
        return len(self._positions)

    def __bool__(self) -> bool:
        return bool(self._positions)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return Shown(self._articles, self._positions[index])
        return self._articles.listed([self._positions[index]])[0]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._articles.listed(self._positions))

    def __reversed__(self) -> Iterator[Any]:
        return reversed(self._articles.listed(self._positions))

    def __contains__(self, value: object) -> bool:
        # By story: a story's article and what a list shows of it are the one story.
        position = self._articles.position_of(value)
        return position is not None and position in self._positions

    def __eq__(self, other: object) -> bool:
        return list(self) == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Shown: {len(self)} articles>"


def page_generator(settings: Mapping[str, Any], folder: Path) -> Generator:
    """Pelican's own generator for the theme's templates: the Jinja environment, filters and
    globals a build renders with (the plugins' hooks on new generators included)."""
    return Generator(
        context={},
        settings=dict(settings),
        path=settings["PATH"],
        theme=settings["THEME"],
        output_path=str(folder),
    )


class PageRenderer:
    """Renders pages of a predicted site into a folder, as a full build of the same content
    writes them."""

    def __init__(self, planned: Prediction, folder: Path) -> None:
        self.site = site = planned.site
        self.folder = folder
        self.settings = settings = dict(site.settings)
        self.articles = SiteArticles(site)
        stories = site.stories
        everything = list(range(len(stories)))
        newest_first = settings["NEWEST_FIRST_ARCHIVES"]
        #: Pelican's ``dates``: the articles by date (stable: ties keep the site's order).
        self.by_date = sorted(everything, key=lambda i: stories[i].timestamp, reverse=newest_first)
        self.date_rank = {position: rank for rank, position in enumerate(self.by_date)}
        # Pelican's context: a copy of the settings (``Pelican.run``), the generators' lists, then
        # what the plugins add.
        context: dict[str, Any] = dict(settings)
        context["localsiteurl"] = settings["SITEURL"]
        context["articles"] = self.articles.lazy(everything)
        context["dates"] = self.articles.lazy(self.by_date)
        context["tags"] = self._tags()
        context["period_archives"] = self._period_archives()
        context.update(self._page_values())
        self.context = context
        self.periods = {
            archive["save_as"]: archive
            for archives in context["period_archives"].values()
            for archive in archives
        }
        self.pages = {page.path: page for page in planned.model.page_records()}
        # What a build's pages got that these do not (Pelican's categories, authors, drafts ...),
        # and what each page's template read the last time (a new page: what any did).
        self.not_given = frozenset(planned.model.context_names) - context.keys()
        self.reads = planned.model.reads
        #: The names each page rendered so far read (by its file, relative to the site).
        self.page_reads: dict[str, tuple[str, ...]] = {}
        self.every_read = frozenset(read for reads in self.reads for read in reads)
        self.lists: dict[str, SiteList] = site_lists(planned.model.records(), planned.model.topics, settings)
        self.topics = planned.model.topics
        self.sources = {source.slug: source for source in site.products["source-pages"]}
        self.generator = page_generator(settings, folder)

    def _tags(self) -> list[tuple[Tag, Shown]]:
        """Pelican's ``tags``: each topic and its stories, topics in the order the site's stories
        first name them (a story naming a topic twice is in its list twice, as in Pelican's)."""
        tags: dict[Tag, list[int]] = {}
        named = topic_tags(map(story_topics, self.site.stories), self.settings, by_spelling=False)
        for position, story_tags in enumerate(named):
            for tag in story_tags:
                tags.setdefault(tag, []).append(position)
        return [(tag, self.articles.lazy(positions)) for tag, positions in tags.items()]

    def _period_archives(self) -> Mapping[str, list[dict[str, Any]]]:
        """Pelican's ``period_archives``, grouped by Pelican's own code on stand-ins (a date each)
        and handed over as lists of the site's articles."""
        zone = site_timezone(self.settings)
        stand_ins = [
            SimpleNamespace(date=dt.datetime.fromtimestamp(story.timestamp, zone), position=i)
            for i, story in enumerate(self.site.stories)
        ]
        archives = linear_period_archives(
            None, [stand_ins[i] for i in self.by_date], stand_ins, self.settings
        )
        for entries in archives.values():
            for archive in entries:
                for key in ("dates", "articles"):
                    archive[key] = self.articles.lazy([stand_in.position for stand_in in archive[key]])
        return archives

    def _page_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        given_by: dict[str, str] = {}
        for product, give in page_values(self.settings):
            found = give(self.site, self.articles)
            for name in found:
                if name in given_by:
                    raise PluginSetupError(f"plugins: {given_by[name]} and {product} both give pages {name}")
                given_by[name] = product
            values.update(found)
        return values

    def render(
        self, paths: Iterable[str], processes: int = 1, first: Callable[[], set[str]] = set
    ) -> tuple[list[Path], set[str]]:
        """Render the pages at ``paths`` (files relative to the site) on up to ``processes``
        processes (this one included, the others forked: nothing is copied), this one running
        ``first`` (the files that are no pages: :meth:`write_files`) before it takes pages;
        returns the files rendered and what ``first`` returned. A page of a kind not rendered
        here raises :class:`Underivable` before any is."""
        jobs = [self._job(path) for path in paths]
        if processes > 1 and len(jobs) >= MIN_PARALLEL_PAGES:
            processes = 1 + extra_processes(self.settings, processes - 1, resident_mb(), step="model pages")
        if len(jobs) < MIN_PARALLEL_PAGES:
            processes = 1
        try:
            value, made = forked.share(jobs, processes, lambda part, _in_child: self._render(part), first)
        except forked.ForkedStepFailed as error:
            raise RuntimeError(f"rendering from the model failed in a worker process:\n{error}") from None
        written = []
        for path, reads in made:
            written.append(path)
            self.page_reads[str(path.relative_to(self.folder))] = reads
        return written, value

    def write_files(self, paths: Iterable[str]) -> set[str]:
        """Write the files ``paths`` of the site that are no pages (feeds, ...), each by the
        plugin that makes it (:func:`topicfeed.plugin.file_writers`). Returns the files written;
        :meth:`check_written` says whether any is missing."""
        wanted = set(paths)
        written: set[str] = set()
        for _, write in file_writers(self.settings):
            written |= write(self.site, self.articles, self.context, wanted - written, self.folder)
        return written

    @staticmethod
    def check_written(paths: Iterable[str], written: set[str]) -> None:
        """Raise :class:`Underivable` for a file of ``paths`` none wrote (neither a plugin's file
        writer nor the writes from the site alone, :meth:`.site_writes.SiteWrites.finish`)."""
        missing = set(paths) - written
        if missing:
            raise Underivable(f"{min(missing)}: no plugin writes this file from the model")

    @staticmethod
    def _render(
        jobs: list[tuple[Callable[..., Made], tuple[Any, ...]]],
    ) -> list[Made]:
        return [write(*arguments) for write, arguments in jobs]

    def _job(self, path: str) -> tuple[Callable[..., Made], tuple[Any, ...]]:
        """How to render the page at ``path``: the method for its kind and its arguments."""
        page = self.pages.get(path)
        if page is None:
            raise Underivable(f"{path}: not a page of the predicted site")
        reads = self.reads[page.reads] if page.reads >= 0 else self.every_read
        lacking = sorted({_NAME.match(read)[0] for read in reads} & self.not_given)  # type: ignore[index]
        if lacking:
            raise Underivable(
                f"{path}: its template reads {lacking[0]}, which a build gives and the model does not"
            )
        if page.page_name == "article":
            return self._article_page, (page,)
        if page.list_name in self.lists:
            return self._list_page, (page,)
        if path in self.periods:
            return self._period_page, (page,)
        template = self._direct_template(path)
        if template is not None:
            return self._direct_page, (page, template)
        raise Underivable(f"{path}: pages of this kind are not rendered from the model yet")

    def _direct_template(self, path: str) -> str | None:
        """The direct template Pelican writes at ``path``: one of ``DIRECT_TEMPLATES``, or one a
        plugin adds to them in a build (its ``<NAME>_SAVE_AS`` setting names the file)."""
        settings = self.settings
        names = [*settings["DIRECT_TEMPLATES"]]
        names += [
            key[: -len("_SAVE_AS")].lower()
            for key, value in settings.items()
            if key.endswith("_SAVE_AS") and value == path
        ]
        for name in dict.fromkeys(names):
            if settings.get(f"{name.upper()}_SAVE_AS", f"{name}.html") != path:
                continue
            try:
                self.generator.get_template(name)
            except PelicanTemplateNotFound:
                continue
            return name
        return None

    def _direct_page(self, page: PageRecord, template: str) -> Made:
        """As ``ArticlesGenerator.generate_direct_templates`` writes a page that is not a list."""
        if template in self.settings["PAGINATED_TEMPLATES"]:
            raise Underivable(f"{page.path}: a paginated {template} page the model does not place")
        values = {
            "articles": self.context["articles"],
            "dates": self.context["dates"],
            "blog": True,
            "page_name": os.path.splitext(page.path)[0],
        }
        return self._write(template, page.path, values)

    def _period_page(self, page: PageRecord) -> Made:
        """As ``ArticlesGenerator.generate_period_archives`` writes a period's archive."""
        if "period_archives" in self.settings["PAGINATED_TEMPLATES"]:
            raise Underivable(f"{page.path}: a paginated period archive the model does not place")
        archive = self.periods[page.path]
        try:
            template = "period_archives"
            self.generator.get_template(template)
        except PelicanTemplateNotFound:
            template = "archives"
        values = {
            "period": archive["period"],
            "period_num": archive["period_num"],
            "articles": archive["articles"],
            "dates": archive["dates"],
            "blog": True,
            "all_articles": self.context["articles"],
        }
        return self._write(template, page.path, values)

    def _article_page(self, page: PageRecord) -> Made:
        (article,) = self.articles.at(page.items)
        # What ``ArticlesGenerator.generate_articles`` hands the writer for an article page.
        values = {"article": article, "category": getattr(article, "category", None), "blog": True}
        return self._write(article.template, article.save_as, values)

    def _list_page(self, page: PageRecord) -> Made:
        """A page of the home page's, a topic's or a source's list, as Pelican's writer paginates it."""
        name = page.list_name
        listed = self.lists[name]
        articles = self.articles
        everything = self.context["articles"]
        values: dict[str, Any]
        if listed.template == "index":  # ``generate_direct_templates``
            url = self.settings.get("INDEX_URL", "index.html")
            values = {"articles": everything, "dates": self.context["dates"], "page_name": listed.page_name}
        elif listed.template == "tag":  # ``generate_tags``
            tag = Tag(self.topics[listed.slug], self.settings)
            tag.slug = listed.slug
            url = tag.url
            values = {
                "tag": tag,
                "articles": articles.lazy(listed.positions),
                "dates": articles.lazy(sorted(listed.positions, key=self.date_rank.__getitem__)),
                "page_name": tag.page_name,
                "all_articles": everything,
            }
        elif listed.template == "source":  # the source pages' generator
            source = self.sources[listed.slug]
            url = source.url
            shown = articles.lazy(listed.positions)
            values = {
                "source": source,
                "articles": shown,
                "dates": shown,
                "page_name": source.page_name,
                "all_articles": everything,
            }
        else:
            raise Underivable(f"{page.path}: a list of an unknown kind")
        values["blog"] = True
        output_file = name
        size = per_page(listed.template, self.settings)
        if listed.template in self.settings["PAGINATED_TEMPLATES"]:  # ``Writer.write_file``
            for key in ("articles", "dates"):
                paginator = Paginator(name, url, values[key], self.settings, size)
                number = page.number
                shown_page = paginator.page(number)
                values[f"{key}_paginator"] = paginator
                values[f"{key}_page"] = shown_page
                values[f"{key}_previous_page"] = paginator.page(number - 1) if number > 1 else None
                values[f"{key}_next_page"] = (
                    paginator.page(number + 1) if number < paginator.num_pages else None
                )
                output_file = shown_page.save_as
        if output_file != page.path:
            raise Underivable(f"{page.path}: Pelican's paginator puts this page at {output_file}")
        return self._write(listed.template, output_file, values)

    def _write(self, template_name: str, output_file: str, values: Mapping[str, Any]) -> Made:
        """Render and write one page; the file, and the names its template read (as the build's
        writer records them, when the environment tracks reads: ``topicfeed.template_reads``)."""
        template = self.generator.get_template(template_name)
        page = {**self.context, "output_file": output_file, **values}
        output, reads = render_tracked(template, page)
        return _write(self.folder / output_file, output), tuple(sorted(reads))


def render_pages(planned: Prediction, paths: Iterable[str], folder: Path, processes: int = 1) -> list[Path]:
    """Render the pages ``paths`` of a predicted site into ``folder``; the files written."""
    return PageRenderer(planned, folder).render(paths, processes)[0]


def _write(path: Path, text: str) -> Path:
    """As Pelican's writer writes a page (:func:`topicfeed.page_files.write_page`)."""
    write_page(path, text)
    return path
