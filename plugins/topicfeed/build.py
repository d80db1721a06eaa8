"""The build object: what one step of a Topicfeed build hands the next, in one documented place.

Pelican hands plugins its own objects (the ``Pelican`` instance, generators, the writer) and a
shared ``context`` dict for templates. Topicfeed's plugins never hang results on those objects;
what a later step needs from an earlier one is a field of :class:`Build`, one per Pelican run,
found from anything that carries Pelican's settings::

    build = Build.of(generator)        # or Build.of(pelican), Build.of(writer), Build.of(settings)

Each field names the step that fills it and the steps that read it (docs/architecture.md has
the whole table). A field that is read before the step that fills it has run raises
:class:`MissingProduct`, which says which step is missing, instead of returning ``None``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from topicfeed.items import item_of
from topicfeed.ledger import Ledger

if TYPE_CHECKING:
    from topicfeed.feed_format import FeedFormat


class MissingProduct(RuntimeError):
    """A step asked the build for something no enabled plugin has produced yet."""


class KnownFiles(NamedTuple):
    """What a rebuild from the site model knows of the site it wrote (``Build.known_files``).

    At 100,000 items the site is 277,000 files in 207,000 folders, and walking it all again
    to record it cost 3.2 s, though the rebuild had just linked all but a few of them, each
    held to the last record."""

    #: The last site's files linked into the site, ``[size, mtime_ns, inode]`` by relative
    #: path: as the last record listed them, with the inode the linking found.
    linked: Mapping[str, list[int]]
    #: The files written anew (relative), and folders (ending with ``/``) whose every file was.
    written: Collection[str]


@dataclass
class RenderStats:
    """How the writer produced the pages and feeds of this build (for the report and search)."""

    rendered: int = 0
    reused: int = 0
    feeds_reused: int = 0
    #: Every page and feed is the previous build's, and no output file appeared or went away.
    site_unchanged: bool = False
    #: The site's feeds, when the writer knows them without sending a signal for each (a run
    #: planned from the site model, whose pages are those rendered and reused); None: the
    #: report counts the signals.
    feeds: int | None = None
    #: The names each page's template read (path relative to the output -> names, as the
    #: render manifest records them); a page Pelican rendered itself is missing.
    reads: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Build:
    """One Pelican run. Created at the start of the run (``get_generators``), dropped after it."""

    settings: dict[str, Any]
    #: Where the finished site ends up (``OUTPUT_PATH``, resolved).
    output: Path
    #: Where this run writes its files; the output step may point it at a staging folder.
    target: Path
    #: What became of every news file (reader -> build report, strict mode; in a run planned
    #: from the site model, the prediction's fates and problems, which that run logged).
    ledger: Ledger = field(default_factory=Ledger)
    #: Seconds spent per stage, in the order the stages ran (build report).
    timings: dict[str, float] = field(default_factory=dict)
    #: The published news articles of this run, newest first as the site lists them (Pelican
    #: ``Article`` objects whose item ``topicfeed.items.item_of`` finds). Filled at
    #: ``all_generators_finalized`` (URLs final, related data attached) by :func:`collect_articles`,
    #: which the JSON API and the redirects connect; read by their FILES steps.
    articles: list[Any] = field(default_factory=list)
    #: Each published news item's story cluster, by its file (``NewsItem.source_path``): items
    #: with one value carry one story (the related step, product ``top-stories``; the site model
    #: reads it). Not an attribute of the article: the value is a position in this run's list,
    #: which an added item shifts, and the page keys digest what an article holds.
    clusters: dict[str, int] = field(default_factory=dict)
    #: Redirect pages this run wrote: old site-relative URL -> new site-relative URL (redirects
    #: fills it in its FILES step; the build report reads it).
    redirects: dict[str, str] = field(default_factory=dict)
    #: How feeds look (channels, entries, ids): set by the feeds plugin at
    #: ``article_generator_finalized``, applied by the writer to every feed; None: Pelican's feeds.
    feed_format: FeedFormat | None = None
    #: Every feed file and what it shows, as plain values (path, kind, slug, channel name, the
    #: shown items' files and entry ids): set with ``feed_format``; the site model records it.
    feed_files: tuple[tuple[Any, ...], ...] = ()
    #: The folders of ``target`` that hold a file, in themselves or below (relative, with
    #: ``/``), as the unchanged-build record found them listing the finished site (phase
    #: RECORD); the output step's commit removes only the folders it took over from an earlier
    #: site that are not among them, instead of trying every one. None: no step listed the
    #: site; the commit tries them all.
    filled_folders: set[str] | None = None
    #: In a run planned from the site model: the files of ``target`` the rebuild knows without
    #: looking (:class:`KnownFiles`), set once the site is written; the unchanged-build record
    #: (phase RECORD) then looks only at the files it wrote, not at every folder of the site.
    #: None: the record walks the whole site.
    known_files: KnownFiles | None = None
    #: In a run planned from the site model: the last site's files that the output step linked
    #: into ``target`` before the run started (``[size, mtime_ns, inode]`` by path, as found),
    #: set at ``START``. Each is the published site's own file (a hard link): a step that
    #: writes one of them anew removes it first. None: ``target`` started with no files.
    prefilled: dict[str, list[int]] | None = None
    #: In a run planned from the site model (``topicfeed.plugin.run_planned``), the prediction
    #: it writes from (``site_model.predict.Prediction``: the next model and the site as plain
    #: values), set before its ``START`` steps; None in a full build.
    planned: Any = None
    #: What one plugin keeps for itself between its own steps of this run, under its own name
    #: (``build.private[__package__]``); no other plugin reads another's entry.
    private: dict[str, Any] = field(default_factory=dict)
    #: Names this run's site wherever its files are copied (a cache restored on another
    #: machine keeps no inode or folder identity): the site model and the record of the site's
    #: files a build leaves both carry it, so a reader knows they describe the same site.
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    _render: RenderStats | None = None

    @property
    def render(self) -> RenderStats:
        """Filled by the writer's ``write`` step (read by the search index and the report)."""
        if self._render is None:
            raise MissingProduct("the writer has not written the pages yet (phase 'write')")
        return self._render

    @render.setter
    def render(self, stats: RenderStats) -> None:
        self._render = stats

    @property
    def rendered(self) -> bool:
        return self._render is not None

    @classmethod
    def start(cls, pelican: Any) -> Build:
        output = Path(pelican.output_path).resolve()
        build = cls(settings=pelican.settings, output=output, target=output)
        _BUILDS[id(pelican.settings)] = build
        return build

    @classmethod
    def of(cls, owner: Any) -> Build:
        """The build of ``owner`` (a Pelican instance, generator, writer or settings dict)."""
        settings = owner if isinstance(owner, dict) else owner.settings
        try:
            return _BUILDS[id(settings)]
        except KeyError:
            raise MissingProduct("no Topicfeed build is running for these settings") from None

    @classmethod
    def end(cls, pelican: Any) -> None:
        _BUILDS.pop(id(pelican.settings), None)


#: One build per settings dict: Pelican passes the same dict to every generator and the writer.
_BUILDS: dict[int, Build] = {}


def articles_generators(generators: list[Any]) -> list[Any]:
    """The ArticlesGenerator(s) among ``generators``: those with articles and drafts."""
    return [g for g in generators if getattr(g, "articles", None) is not None and hasattr(g, "drafts")]


def collect_articles(generators: list[Any]) -> None:
    """``all_generators_finalized``: keep the published news articles in ``Build.articles``.

    Connected by every plugin that reads them; blinker runs one function once per signal, and
    the value does not depend on which plugin connected it first.
    """
    for generator in articles_generators(generators):
        Build.of(generator).articles = [a for a in generator.articles if item_of(a) is not None]
