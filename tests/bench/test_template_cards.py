"""The template benchmark times what the theme really prints: its own cards and related blocks."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from bench import template_cards


def _soups(templates: Path) -> dict[str, BeautifulSoup]:
    return {
        label: BeautifulSoup(template.render(context), "html.parser")
        for label, (template, context) in template_cards.pages(templates).items()
    }


def test_the_list_page_is_twenty_of_the_themes_cards_and_the_related_blocks_are_full() -> None:
    river, related = _soups(template_cards.TEMPLATES).values()
    cards = river.select("article.card.row")
    assert len(cards) == 20
    assert {len(card.select("img.thumb")) for card in cards} == {0, 1}  # with and without a picture
    assert river.select(".badge.unpublished") and river.select("p.excerpt")
    assert [len(section.select("li.story-link")) for section in related.select("section")] == [8, 3, 4]
    assert related.select("a.external") and related.select("span.thumb")


def test_the_projects_jinja_options_escape_what_the_stories_say() -> None:
    template, context = template_cards.pages(template_cards.TEMPLATES)["a list page of 20 cards"]
    assert 'story-0/">Story &lt;0&gt; of the day</a>' in template.render(context)


def test_a_theme_from_before_the_story_macro_is_timed_with_its_story_row(tmp_path: Path) -> None:
    macros = (template_cards.TEMPLATES / "_macros.html").read_text(encoding="utf-8")
    (tmp_path / "_macros.html").write_text(
        macros.replace("macro story(", "macro story_row("), encoding="utf-8"
    )
    (tmp_path / "_related.html").write_text(
        (template_cards.TEMPLATES / "_related.html").read_text(encoding="utf-8"), encoding="utf-8"
    )
    new, old = _soups(template_cards.TEMPLATES), _soups(tmp_path)
    assert [str(soup) for soup in old.values()] == [str(soup) for soup in new.values()]
