"""The item model reconciles every variant of the exporter's format (unit level)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from support.items import item_fields

from topicfeed import urls
from topicfeed.embed import sanitize_embed
from topicfeed.model import ModelSettings, build_item
from topicfeed.news_reader.source import (
    SourceError,
    _parse_with_pyyaml,
    decode,
    load_front_matter,
    parse_yaml,
)
from topicfeed.text import slugify, title_slug, topic_slug
from topicfeed.urls import clean_url, story_key


def build(**overrides):
    item, problems = build_item(item_fields(**overrides), "x.txt")
    return item, problems


def fields_of(problems):
    return [p.field for p in problems]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "https://news.example.com/stories/1"),
        ({"webUrl": None, "sourceUrl": "https://src.example.com/a"}, "https://src.example.com/a"),
        ({"webUrl": None, "originalUrl": "https://orig.example.com/b"}, "https://orig.example.com/b"),
        (
            {"webUrl": "https://web.example.com/c", "originalUrl": "https://orig.example.com/c"},
            "https://web.example.com/c",
        ),
    ],
)
def test_story_url_from_any_spelling(overrides, expected):
    item, _ = build(**overrides)
    assert item.url == expected


def test_missing_story_url_rejects():
    item, problems = build(webUrl=None)
    assert item is None
    assert any(p.fatal and p.field == "webUrl" for p in problems)


@pytest.mark.parametrize("field", ["ampWebUrl", "ampUrl"])
def test_amp_url_both_spellings(field):
    item, _ = build(**{field: "https://amp.example.com/x"})
    assert item.amp_url == "https://amp.example.com/x"


@pytest.mark.parametrize("field", ["cdnAmpWebUrl", "cdnAmpUrl"])
def test_cdn_amp_url_both_spellings(field):
    item, _ = build(**{field: "https://amp-example-com.cdn.ampproject.org/c/s/amp.example.com/x"})
    assert item.cdn_amp_url.startswith("https://amp-example-com.cdn.ampproject.org/")
    assert "amp.example.com/x" in item.url_keys


@pytest.mark.parametrize(("value", "expected"), [(-1, None), (0, 0), (42, 42), ("17", 17)])
def test_heat(value, expected):
    item, _ = build(heat=value)
    assert item.heat == expected


def test_quality_wrong_type_is_a_warning_naming_the_field():
    item, problems = build(quality="high")
    assert item is not None and item.quality is None
    assert fields_of(problems) == ["quality"]
    assert "high" in problems[0].message and not problems[0].fatal


def test_date_offset_kept():
    item, _ = build(publishedDateTime="2020-02-11T23:30:00-07:00")
    assert item.published_at.utcoffset() == dt.timedelta(hours=-7)
    assert item.published_at.astimezone(dt.UTC) == dt.datetime(2020, 2, 12, 6, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("value", ["2020-13-45T00:00:00Z", "yesterday", "", 12])
def test_impossible_or_wrong_date_rejects(value):
    item, problems = build(publishedDateTime=value)
    assert item is None
    assert [p.field for p in problems if p.fatal] == ["publishedDateTime"]


def test_missing_title_rejects():
    item, problems = build(title=None)
    assert item is None and fields_of(problems) == ["title"]


def test_html_entities_and_markup_in_text_are_text():
    item, _ = build(title="H&#038;M <b>bold</b> &amp; more", excerpt="<script>x()</script> ...")
    assert item.title == "H&M <b>bold</b> & more"
    assert item.excerpt == "<script>x()</script> ..."


@pytest.mark.parametrize(
    ("value", "published", "warned"),
    [
        (True, True, False),
        (None, True, False),  # absent: published, as on the exporter's Jekyll site
        (False, False, False),
        ("false", False, True),
        ("no", False, True),
        ("true", False, True),  # a string is unclear: when in doubt, never publish
        ("maybe", False, True),
        (1, False, True),
    ],
)
def test_published_rules(value, published, warned):
    fields = item_fields()
    if value is None:
        del fields["published"]
    else:
        fields["published"] = value
    item, problems = build_item(fields, "x.txt")
    assert item.published is published
    assert ("published" in fields_of(problems)) is warned


def test_images_only_http():
    images = [
        {"url": "javascript:alert(1)", "width": 1, "height": 1},
        {"url": "data:image/png;base64,AAAA"},
        {"url": "//cdn.example.com/a.jpg", "width": "640", "height": "360"},
        {"url": "https://i2.wp.com/x.com/image.png?resize=620%2C497&#038;ssl=1"},
        {"url": "https://example.com/caf\u00e9 \u00ae.jpg"},
    ]
    item, problems = build(images=images)
    assert [i.url for i in item.images] == [
        "https://cdn.example.com/a.jpg",
        "https://i2.wp.com/x.com/image.png?resize=620%2C497&ssl=1",
        "https://example.com/caf%C3%A9%20%C2%AE.jpg",
    ]
    assert item.images[0].width == 640 and item.images[0].height == 360
    assert fields_of(problems) == ["images[0].url", "images[1].url"]


def test_relative_logo_dropped_or_resolved():
    provider = {
        "name": "Engadget",
        "domain": "engadget.com",
        "images": [{"url": "/assets/images/organizations/engadget.com-50x50.jpg", "width": 50, "height": 50}],
    }
    item, problems = build(provider=provider)
    assert item.provider.logo is None
    assert problems[0].notice and problems[0].field == "provider.images[0].url"
    settings = ModelSettings(asset_base_url="https://old.example.org/site")
    item, _ = build_item(item_fields(provider=provider), "x.txt", settings)
    assert (
        item.provider.logo.url
        == "https://old.example.org/site/assets/images/organizations/engadget.com-50x50.jpg"
    )


def test_topics_trimmed_and_merged_case_insensitively():
    item, problems = build(topics=["  AI ", "ai", "Computer  Vision", "computer-vision", "", 3, ["x"]])
    assert item.topics == ("AI", "Computer Vision", "3")
    assert fields_of(problems) == ["topics[6]"]


def test_related_normalised_and_deduplicated():
    related = [
        {
            "title": "One",
            "publishedDateTime": "2024-01-01T00:00:00Z",
            "sourceUrl": "https://a.example.com/1/",
        },
        {
            "title": "One again",
            "publishedDateTime": "2024-01-01T00:00:00Z",
            "webUrl": "http://www.a.example.com/1",
        },
        {"title": "No url", "publishedDateTime": "2024-01-01T00:00:00Z"},
        {
            "title": "Two",
            "publishedDateTime": "2024-01-02T00:00:00+02:00",
            "webUrl": "https://b.example.com/2",
            "secured": "nope",
            "heat": -1,
        },
        "just text",
    ]
    item, problems = build(related=related)
    assert [r.title for r in item.related] == ["One", "Two"]
    assert item.related[1].heat is None and item.related[1].topics == ()
    assert fields_of(problems) == ["related[2]", "related[4]"]


def test_a_related_entry_keeps_what_a_link_needs_and_every_key():
    """A related entry is shown as a link and found by its URLs: the rest is checked, not kept."""
    entry = {
        **item_fields(7),
        "ampWebUrl": "https://amp.example.com/7",
        "cdnAmpWebUrl": "https://cdn.example.com/7",
        "originalUrl": "https://original.example.com/7",
        "images": [{"url": "https://img.example.com/1.jpg"}, {"url": "https://img.example.com/2.jpg"}],
        "heat": "hot",
    }
    item, problems = build(related=[entry])
    kept = item.related[0]
    full, _ = build_item(entry, "entry.txt")
    assert full is not None and full.excerpt and full.amp_url and len(full.images) == 2
    assert (kept.title, kept.url, kept.published_at, kept.provider) == (
        full.title, full.url, full.published_at, full.provider,
    )  # fmt: skip
    assert kept.images == full.images[:1] and kept.url_keys == full.url_keys
    assert (kept.excerpt, kept.amp_url, kept.cdn_amp_url, kept.original_url) == ("", None, None, None)
    assert (kept.heat, kept.quality, kept.embed) == (None, None, None)
    assert fields_of(problems) == ["related[0].heat"], "a bad field of an entry is still reported"


def test_related_wrong_type_is_a_warning():
    item, problems = build(related="text")
    assert item.related == () and fields_of(problems) == ["related"]


def test_unknown_and_secured_fields_never_in_the_model():
    item, _ = build(surprise="boo")
    assert "SECRETBLOB" not in repr(item) and "boo" not in repr(item)


def test_video_embed_sanitised():
    html = (
        '<iframe width="800" height="500" frameborder="0" onload="alert(1)" '
        'src="https://www.youtube.com/embed/WJk-Y8LQlfE" allowfullscreen></iframe><script>alert(2)</script>'
    )
    item, _ = build(type="video", featuredContent=html)
    assert item.is_video
    assert item.embed.src == "https://www.youtube-nocookie.com/embed/WJk-Y8LQlfE"
    assert (item.embed.width, item.embed.height) == (800, 500)


@pytest.mark.parametrize(
    "html",
    [
        '<iframe src="https://evil.example.com/embed/x"></iframe>',
        '<iframe src="javascript:alert(1)"></iframe>',
        '<iframe src="http://www.youtube.com/embed/x"></iframe>',
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
    ],
)
def test_embed_refused(html):
    assert sanitize_embed(html) is None
    item, problems = build(type="video", featuredContent=html)
    assert item.embed is None and "featuredContent" in fields_of(problems)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.example.com/a/b/", "example.com/a/b"),
        ("http://example.com:80/a/b?utm_source=x&fbclid=1#frag", "example.com/a/b"),
        ("https://example-com.cdn.ampproject.org/c/s/example.com/a/b", "example.com/a/b"),
        ("https://example.com/a?b=2&a=1&gclid=z", "example.com/a?a=1&b=2"),
        ("https://EXAMPLE.com/caf%C3%A9", "example.com/caf%C3%A9"),
        ("https://example.com/café", "example.com/caf%C3%A9"),
    ],
)
def test_story_key(url, key):
    assert story_key(url) == key


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://x.org/a", "/relative", "https://", "http://a b.com/", 5]
)
def test_clean_url_refuses(url):
    assert clean_url(url) is None


def test_title_slugs_never_empty():
    assert title_slug("Met Police: rolls out!", "k") == "met-police-rolls-out"
    assert title_slug("人工知能のニュース", "k")  # transliterated
    assert title_slug("?!…", "seed").startswith("story-")
    assert title_slug("?!…", "seed") != title_slug("?!…", "other seed")
    assert len(slugify("word " * 100)) <= 80


def test_topic_slugs_distinct():
    slugs = {topic_slug(name) for name in ["C", "C++", "C#", "c + +"]}
    assert len(slugs) >= 3
    assert topic_slug("C++") == "c-plus-plus" and topic_slug("C#") == "c-sharp" and topic_slug("C") == "c"
    assert topic_slug("Power Apps") == topic_slug("power-apps") == "power-apps"
    assert topic_slug("人工智能") != topic_slug("人工知能")
    assert topic_slug("!!!").startswith("topic-")


def test_loader_keeps_timestamps_as_text():
    data, _, duplicates = load_front_matter(
        "---\npublishedDateTime: 2020-13-45T00:00:00Z\nurl: https://x.org/a?b=1&c=2\nflag: yes\n---\n"
    )
    assert data == {
        "publishedDateTime": "2020-13-45T00:00:00Z",
        "url": "https://x.org/a?b=1&c=2",
        "flag": "yes",
    }
    assert duplicates == []


def test_both_loaders_agree_on_yaml_12_booleans():
    text = "a: yes\nb: true\nc: off\nd: 2020-02-12T04:00:00Z\ne: -1\nf: ~\n"
    assert (
        parse_yaml(text)[0]
        == _parse_with_pyyaml(text)
        == {"a": "yes", "b": True, "c": "off", "d": "2020-02-12T04:00:00Z", "e": -1, "f": None}
    )


def test_duplicate_keys_last_wins_with_a_warning():
    item, problems = None, None
    data, _, duplicates = load_front_matter("---\nquality: 1\nquality: 2\n---\n")
    assert data == {"quality": 2} and duplicates == ["quality"]
    assert item is None and problems is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"", "(file)"),
        (b"   \n", "(file)"),
        (b"---\n\x00\x01---\n", "(file)"),
        (b"---\ntitle: \xff\xfe\n---\n", "(file)"),
    ],
)
def test_decode_refuses(data, field):
    with pytest.raises(SourceError) as error:
        decode(data, 1000)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: x\n", "no closing"),
        ("---\ntitle: [unclosed\n---\n", "malformed YAML"),
        ("---\n- a\n- b\n---\n", "expected a map"),
        ("---\n---\n", "empty"),
    ],
)
def test_front_matter_errors(text, message):
    with pytest.raises(SourceError) as error:
        load_front_matter(text)
    assert message in error.value.message


URL_CHARS = "abcXYZ019/:@!$&'()*+,;=-._~%?#[] é\u00ae\"<>^`{|}"


@settings(max_examples=1500, deadline=None)
@given(
    scheme=st.sampled_from(["http://", "https://", "HTTPS://", "ftp://", ""]),
    host=st.sampled_from(
        [
            "example.com",
            "EXAMPLE.com",
            "a-b.example.org",
            "xn--caf-dma.fr",
            "café.fr",
            "",
            "ex_ample.com",
            "1.2.3.4",
        ]
    ),
    port=st.sampled_from(["", ":8080", ":080", ":99999", ":x"]),
    rest=st.text(alphabet=URL_CHARS, max_size=30),
)
def test_url_fast_path_agrees_with_the_slow_path(scheme, host, port, rest):
    text = f"{scheme}{host}{port}/{rest}"
    assert urls._clean_absolute.__wrapped__(text) == urls._clean_slow(text)


@settings(max_examples=1500, deadline=None)
@given(
    host=st.sampled_from(
        ["example.com", "www.example.com", "www.www.example.com", "a-b.cdn.ampproject.org", "x.org"]
    ),
    rest=st.text(alphabet="abc019/-._~%?#=&", max_size=25),
)
def test_story_key_fast_path_agrees_with_the_rules(host, rest):
    url = clean_url(f"https://{host}/{rest}")
    assume(url is not None)
    assert story_key.__wrapped__(url) == urls._story_key_slow(url)


@settings(max_examples=1500, deadline=None)
@given(rest=st.text(alphabet="a0#&;?=/xXampclt", max_size=20))
def test_clean_url_is_idempotent(rest):
    url = clean_url(f"https://example.com/{rest}")
    assume(url is not None)
    assert clean_url(url) == url
    assert story_key.__wrapped__(url) == urls._story_key_slow(url) or not urls._PLAIN_STORY.fullmatch(url)


def test_entities_in_urls():
    assert clean_url("https://x.com/a?b=1&#038;c=2") == "https://x.com/a?b=1&c=2"
    assert clean_url("https://x.com/a?b=1&not=2&copy=3") == "https://x.com/a?b=1&not=2&copy=3"
    assert clean_url("https://example.com/&?#0") == "https://example.com/&#0"
    assert story_key("https://example.com/&?#0") == story_key(clean_url("https://example.com/&?#0"))


def test_items_read_with_one_settings_share_equal_texts_and_providers():
    """A related entry repeats a story the feed has as an item: one object for each text."""
    settings = ModelSettings()
    first, _ = build_item(item_fields(1), "a.txt", settings)
    repeated = {k: item_fields(1)[k] for k in ("title", "excerpt", "publishedDateTime", "webUrl", "provider")}
    second, _ = build_item(item_fields(2, related=[repeated]), "b.txt", settings)
    entry = second.related[0]
    assert entry.title is first.title
    assert entry.url is first.url
    assert entry.url_keys[0] is first.url_keys[0]
    assert second.provider is first.provider
    assert second.kind is first.kind
    # The table is not part of the settings' value (the reader digests their repr).
    assert settings == ModelSettings()
    assert repr(settings) == repr(ModelSettings())
