"""What a rebuild's list pages show of each story (``SiteArticles.listed``): the attributes the
story's Pelican article has, without making the article.

A rebuild after one new story renders every page of the home page's list; making a Pelican
article for each story they show was about half of that. A list page instead gets a
``ListedArticle``: the headline, date, ``locale_date``, URL, file, item and topics the article
would have (``news-listed-articles``, through ``pelican_adapter.listed_values``), dressed by every
plugin as the article is; anything else is the article's, made when first read. Each value must
be the article's, or the pages differ from a build's (the byte-for-byte tests of
``test_predict.py`` and the rebuild tests hold the pages; these hold the values, and that no
article is made)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from pelican import signals
from pelican.contents import Article
from support.build import CORPUS, Build
from support.model_changes import model_of, news_files, site_settings

from topicfeed import pelican_adapter
from topicfeed.related_stories.lazy_links import LazyLinks
from topicfeed.site_model.predict import Prediction, prediction
from topicfeed.site_model.render import ListedArticle, PageRenderer, SiteArticles

#: A corpus story whose topics are taken out (every corpus story has some).
UNTOPICAL = "2019-08-19-microsoft-power-apps-2019-release-wave-2-overview.md"


@pytest.fixture(scope="module")
def planned(corpus_site: Build, tmp_path_factory: pytest.TempPathFactory) -> Prediction:
    folder = tmp_path_factory.mktemp("listed")
    content = folder / "content"
    shutil.copytree(CORPUS, content)
    path = content / UNTOPICAL
    text = path.read_text(encoding="utf-8")
    without = re.sub(r"\ntopics:\n(?:[ ]+- .*\n)+", "\n", text, count=1)
    assert without != text
    path.write_text(without, encoding="utf-8")
    return prediction(
        model_of(corpus_site.output), news_files(content), site_settings(content, folder / "cache")
    )


def _plain(value: Any) -> Any:
    """A value as comparable data: lazy link lists as their tuples, URL wrappers by name and
    slug, the JSON-LD block by its text."""
    if isinstance(value, LazyLinks):
        return ("links", tuple(value))
    if isinstance(value, list | tuple):
        return (type(value).__name__, [_plain(part) for part in value])
    if hasattr(value, "slug") and hasattr(value, "name"):
        return (type(value).__name__, value.name, value.slug)
    if hasattr(value, "__html__"):
        return ("html", str(value.__html__()))
    return (type(value).__name__, value)


def test_every_story_is_listed_with_its_articles_values_and_no_article_is_made(planned: Prediction) -> None:
    positions = list(range(len(planned.site.stories)))
    listing = SiteArticles(planned.site)
    listed = listing.listed(positions)
    assert listing.made == 0
    assert all(type(shown) is ListedArticle for shown in listed)
    articles = SiteArticles(planned.site).at(positions)
    names = set()
    for shown, article in zip(listed, articles, strict=True):
        assert isinstance(article, Article)
        for name, value in vars(shown).items():
            if not name.startswith("_"):
                names.add(name)
                assert _plain(value) == _plain(getattr(article, name)), (article.source_path, name)
    # what the theme's lists and the plugins' dressers read is there without the article
    assert {"title", "date", "locale_date", "url", "save_as", "news", "tags", "day", "source"} <= names
    assert listing.made == 0


def test_a_story_without_topics_has_no_tags_and_asking_makes_nothing(planned: Prediction) -> None:
    listing = SiteArticles(planned.site)
    (position,) = [i for i, story in enumerate(planned.site.stories) if story.item.source_path == UNTOPICAL]
    (shown,) = listing.listed([position])
    assert not hasattr(shown, "tags")
    assert listing.made == 0
    (article,) = SiteArticles(planned.site).at([position])
    assert not hasattr(article, "tags")


def test_anything_else_is_the_articles_own_made_once(planned: Prediction) -> None:
    listing = SiteArticles(planned.site)
    first, second = listing.listed([0, 1])
    (article,) = SiteArticles(planned.site).at([0])
    for name in ("content", "summary", "slug", "category", "status", "lang", "metadata", "template"):
        assert _plain(getattr(first, name)) == _plain(getattr(article, name)), name
    assert listing.made == 1
    assert second.slug and listing.made == 2
    with pytest.raises(AttributeError):
        first.no_such_attribute  # noqa: B018 - the article has none: neither has its stand-in
    # a list shown afterwards gives the articles made, and holds each story however it was made
    (made,) = listing.at([0])
    assert listing.listed([0, 1]) == [made, listing.at([1])[0]]
    shown = listing.lazy([0, 1])
    assert first in shown and made in shown and second in shown
    assert listing.listed([2])[0] not in shown


def test_a_list_page_rendered_from_the_model_makes_no_article(planned: Prediction, tmp_path: Path) -> None:
    renderer = PageRenderer(planned, tmp_path)
    made_before = renderer.articles.made  # the home page's top stories are articles
    pages = [page.path for page in planned.model.page_records() if page.list_name and page.number > 1]
    assert pages
    written, _ = renderer.render(pages)
    assert len(written) == len(pages)
    assert renderer.articles.made == made_before


def _receiver(sender: Any) -> None:
    """A plugin that could change any attribute of every article it is sent."""


@pytest.mark.parametrize(
    "extra",
    [
        {"DEFAULT_METADATA": {"lang": "fr"}},
        {"DEFAULT_METADATA": {"Date_Format": "%Y"}},
        {"EXTRA_PATH_METADATA": {"news": {"tags": "extra"}}},
        {"FILENAME_METADATA": r"(?P<lang>[a-z]{2})-.*"},
        {"DATE_FORMATS": {"en": ("C", "%d %B %Y")}},
        {"TYPOGRIFY": True},
        "receiver",
    ],
    ids=["language", "date-format", "path-tags", "file-name-language", "locale", "typogrify", "receiver"],
)
def test_settings_that_could_change_what_a_list_shows_list_the_articles(
    planned: Prediction, extra: dict[str, Any] | str
) -> None:
    assert pelican_adapter.listed_values(dict(planned.site.settings)) is not None  # the control
    settings = dict(planned.site.settings)
    if extra == "receiver":
        signals.content_object_init.connect(_receiver)
    else:
        settings.update(extra)  # type: ignore[arg-type]
    try:
        assert pelican_adapter.listed_values(settings) is None
        if extra == "receiver":  # the same settings: a list shows the articles themselves
            listing = SiteArticles(planned.site)
            (shown,) = listing.listed([0])
            assert isinstance(shown, Article) and listing.made == 1
    finally:
        signals.content_object_init.disconnect(_receiver)
