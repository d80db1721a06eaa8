"""Search: the Pagefind index holds the published article pages and nothing else, and the
search page finds an article in Chromium under the GitHub Pages style sub-path (``/repo/``),
with JavaScript (Pagefind's worker, and its main-thread fallback) and without it.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support.browser import ServedBuild, new_context, open_page, wait_for_status
from support.build import CORPUS, ROOT, run_pelican

from topicfeed.news_reader.source import decode, load_front_matter
from topicfeed.site_search.plugin import (
    PAGEFIND_MALLOC_CONF,
    indexed_pages,
    pagefind_environment,
    pagefind_executable,
    release_free_memory,
    run_pagefind,
)
from topicfeed.site_search.stable import stabilise

FRAGMENT_PREFIX = b"pagefind_dcd"


def fragments(output: Path) -> list[dict]:
    """Every page record of the index (gzip'd JSON after Pagefind's marker)."""
    records = []
    for path in sorted((output / "pagefind").glob("*/fragment/*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(FRAGMENT_PREFIX), path
        records.append(json.loads(data[len(FRAGMENT_PREFIX) :]))
    return records


def corpus_front_matter() -> dict[str, dict]:
    return {
        path.name: load_front_matter(decode(path.read_bytes(), 1_000_000))[0]
        for path in sorted(CORPUS.iterdir())
    }


def article_path(served: ServedBuild, page: Path) -> str:
    return "/" + page.parent.relative_to(served.build.output).as_posix() + "/"


# The index -------------------------------------------------------------------------------------


def test_the_index_holds_every_published_article_and_nothing_else(served_corpus: ServedBuild) -> None:
    out = served_corpus.build.output
    listing = json.loads((out / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert len(listing["shards"]) == 4  # SEARCH_SHARD_MIN_PAGES = 100
    articles = {article_path(served_corpus, page) for page in served_corpus.build.article_pages()}
    assert len(articles) == 428
    assert sum(indexed_pages(out / "pagefind" / shard["path"]) for shard in listing["shards"]) == len(
        articles
    )
    assert sum(shard["pages"] for shard in listing["shards"]) == len(articles)
    records = fragments(out)
    assert {record["url"] for record in records} == articles  # no home, topic, archive or search page


def test_each_story_is_indexed_with_what_its_page_shows(served_corpus: ServedBuild) -> None:
    """A story's entry: its headline as the title, its words, its topics, source, year and kind
    as filters, and the source, date and summary shown beside the result, all as its page has
    them; the page itself carries no search markup."""
    records = {record["url"]: record for record in fragments(served_corpus.build.output)}
    checked = 0
    for page in served_corpus.build.article_pages():
        soup = served_corpus.build.soup(article_path(served_corpus, page))
        record = records[article_path(served_corpus, page)]
        headline = soup.h1.get_text(strip=True)
        assert record["meta"]["title"] == headline
        assert headline.split()[0] in record["content"]
        topics = [a.get_text(strip=True) for a in soup.select("nav.topics a.chip")]
        assert sorted(record["filters"].get("topic", [])) == sorted(topics)
        provider = soup.select_one(".byline .provider").get_text(strip=True)
        assert record["meta"]["source"] == record["filters"]["source"][0]
        assert provider in record["content"]
        time = soup.select_one(".byline time")
        assert record["meta"]["datetime"][:10] == time["datetime"][:10]
        assert record["filters"]["year"] == [time["datetime"][:4]]
        kicker = soup.select_one("p.kicker")
        if kicker is not None:  # "Topic · Video" for a video
            video = kicker.get_text().endswith("· Video")
            assert record["filters"]["kind"] == (["Video"] if video else ["Article"])
        excerpt = soup.select_one(".standfirst")
        if excerpt is not None:
            summary = record["meta"]["summary"]
            text = excerpt.get_text()
            assert summary == text or (summary.endswith("...") and text.startswith(summary[:-3]))
        assert not soup.select("[data-pagefind-body], [data-pagefind-filter], [data-pagefind-meta]")
        checked += 1
    assert checked == 428


def test_nothing_unpublished_or_secret_is_in_the_index(served_corpus: ServedBuild) -> None:
    report = json.loads(
        served_corpus.build.output.with_name(served_corpus.build.output.name + ".report.json").read_text()
    )
    fates = report["files"]
    raw = corpus_front_matter()
    published_titles = {raw[name]["title"].strip() for name, fate in fates.items() if fate == "published"}
    unpublished = [raw[name] for name, fate in fates.items() if fate == "unpublished"]
    assert len(unpublished) == 246
    # Headlines only unpublished items carry (a story can be in the feed twice, once published).
    only_unpublished = {f["title"].strip() for f in unpublished} - published_titles
    assert len(only_unpublished) > 100
    text = "\n".join(
        record["content"] + " " + json.dumps(record["meta"])
        for record in fragments(served_corpus.build.output)
    )
    leaked = sorted(title for title in only_unpublished if title in text)
    assert leaked == [], leaked[:5]
    secrets = [str(fields["secured"])[:24] for fields in raw.values() if fields.get("secured")]
    assert secrets and not [s for s in secrets if s in text]


def test_only_the_search_page_allows_webassembly(served_corpus: ServedBuild) -> None:
    """Pagefind's main-thread fallback compiles WebAssembly: ``'wasm-unsafe-eval'`` is in the
    search page's script-src and in no other page's; no page allows inline or eval'd script."""
    out = served_corpus.build.output
    policies = {}
    for page in [out / "search" / "index.html", out / "index.html", served_corpus.build.article_pages()[-1]]:
        html = page.read_text(encoding="utf-8")
        match = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
        assert match, page
        policies[page.relative_to(out).as_posix()] = match.group(1).replace("&#39;", "'")
    search = policies.pop("search/index.html")
    script_src = re.search(r"script-src ([^;]*);", search).group(1).split()
    assert script_src == ["'self'", "'wasm-unsafe-eval'"]
    for page, policy in policies.items():
        assert "wasm" not in policy, page
    for policy in [search, *policies.values()]:
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


# In the browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def target(served_corpus: ServedBuild) -> tuple[str, str]:
    """(site path, headline) of the newest article: the story the search must find."""
    page = served_corpus.build.article_pages()[-1]
    headline = served_corpus.build.soup(article_path(served_corpus, page)).h1.get_text(strip=True)
    return article_path(served_corpus, page), headline


def search_and_check(page, served: ServedBuild, target: tuple[str, str]) -> None:
    """Type the headline into the search box and see the article among the results."""
    path, headline = target
    box = page.get_by_label("Search the stories")
    box.press_sequentially(headline, delay=5)
    link = page.locator("#search-results h2 a", has_text=headline)
    link.first.wait_for(state="visible", timeout=15_000)
    # Newest first, results show bundle by bundle; the status line comes once every bundle answered.
    wait_for_status(page, f"for “{headline}”")
    hrefs = page.locator("#search-results h2 a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs[0] == served.url(path), hrefs[:5]  # the article itself, first, under /repo/
    assert re.search(r"\d+ stor(y|ies) found", page.locator("#search-status").inner_text())
    assert page.locator("#search-results mark").count() > 0  # matches highlighted, as text


def test_typing_a_headline_finds_the_article(page_context, served_corpus: ServedBuild, target) -> None:
    report = open_page(page_context, served_corpus.url("/search/"))
    page = report.page
    try:
        assert report.status == 200
        assert page.locator("#search-fallback").is_hidden()
        search_and_check(page, served_corpus, target)
        # Every search file came from under the sub-path, none failed, no console error.
        assert report.problems == []
        assert report.offsite_requests == []
        # The query is in the address: reloading (or sharing) the URL shows the results again.
        assert "?q=" in page.url
        page.reload()
        page.locator("#search-results h2 a", has_text=target[1]).first.wait_for(state="visible")
        wait_for_status(
            page, f"for “{target[1]}”"
        )  # nothing of the search still loading when the page is left
        # Following the result opens the article.
        with page.expect_navigation():
            page.locator("#search-results h2 a").first.click()
        assert page.url == served_corpus.url(target[0])
        assert page.locator("h1").inner_text().strip() == target[1]
        assert report.problems == []
    finally:
        page.close()


def test_search_works_without_a_web_worker(browser, served_corpus: ServedBuild, target) -> None:
    """Pagefind falls back to the main thread where workers are unavailable; the page's
    Content-Security-Policy allows that (WebAssembly) without any inline script."""
    context = new_context(browser, served_corpus.server.origin)
    context.add_init_script("delete window.Worker")
    seen = len(served_corpus.server.served)
    try:
        report = open_page(context, served_corpus.url("/search/"))
        search_and_check(report.page, served_corpus, target)
        assert report.problems == []
        requested = [path for path, _ in served_corpus.server.served[seen:]]
        assert any(re.search(r"/pagefind/[^/]+/wasm\.", path) for path in requested)
        assert not any("pagefind-worker" in path for path in requested)
    finally:
        context.close()


def test_search_page_without_javascript_points_elsewhere(nojs_context, served_corpus: ServedBuild) -> None:
    report = open_page(nojs_context, served_corpus.url("/search/"))
    page = report.page
    try:
        assert report.status == 200
        assert page.locator("#search-form").is_hidden()  # no box that could not work
        message = page.locator("#search-fallback")
        assert message.is_visible() and "JavaScript" in message.inner_text()
        hrefs = message.locator("a").evaluate_all("links => links.map(a => a.href)")
        sources = ["/sources/"] if (served_corpus.build.output / "sources" / "index.html").is_file() else []
        assert hrefs == [served_corpus.url(p) for p in ["/topics/", *sources, "/archives/"]]
    finally:
        page.close()


def test_every_page_links_to_search(served_corpus: ServedBuild) -> None:
    for path in ["/", "/topics/", "/archives/"]:
        nav = served_corpus.build.soup(path).select_one("header nav")
        assert served_corpus.url("/search/") in [a["href"] for a in nav.find_all("a")], path


# Without a search page ------------------------------------------------------------------------------


def test_a_theme_without_search_html_builds_without_search(tmp_path: Path) -> None:
    build = run_pelican(ROOT / "content", tmp_path / "site", extra={"THEME": "simple"})
    assert build.returncode == 0, build.log
    assert build.article_pages()
    assert not (build.output / "search").exists()
    assert not (build.output / "pagefind").exists()


def test_search_index_off_keeps_the_page_and_skips_pagefind(tmp_path: Path) -> None:
    build = run_pelican(ROOT / "content", tmp_path / "site", extra={"SEARCH_INDEX": False})
    assert build.returncode == 0, build.log
    assert (build.output / "search" / "index.html").is_file()
    assert not (build.output / "pagefind").exists()


# Pagefind's memory -----------------------------------------------------------------------------


def test_pagefind_reads_the_allocator_settings_topicfeed_gives_it() -> None:
    """The binary's allocator reads the variable, and takes every setting in it (a setting it
    did not know would abort it here); a Pagefind built with another allocator fails this."""
    name, value = PAGEFIND_MALLOC_CONF
    command = [str(pagefind_executable()), "--version"]
    checked = subprocess.run(
        command, env={**os.environ, name: f"{value},abort_conf:true"}, capture_output=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    unknown = subprocess.run(
        command,
        env={**os.environ, name: "abort_conf:true,no_such_setting:1"},
        capture_output=True,
        check=False,
    )
    assert unknown.returncode != 0


def test_an_allocator_setting_in_the_environment_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    name, value = PAGEFIND_MALLOC_CONF
    monkeypatch.delenv(name, raising=False)
    assert pagefind_environment()[name] == value
    monkeypatch.setenv(name, "narenas:2")
    assert pagefind_environment()[name] == "narenas:2"


def test_the_allocator_settings_leave_the_index_as_it_was(corpus_site, tmp_path: Path) -> None:
    """The same bundle with Topicfeed's allocator settings as with jemalloc's defaults."""
    site = tmp_path / "site"
    shutil.copytree(corpus_site.output, site, ignore=shutil.ignore_patterns("pagefind"))
    assert run_pagefind(site, site / "tuned").returncode == 0
    name, _ = PAGEFIND_MALLOC_CONF
    plain = {key: v for key, v in os.environ.items() if key != name}
    command = [str(pagefind_executable()), "--site", str(site), "--output-path", str(site / "plain")]
    assert subprocess.run(command, cwd=site, env=plain, capture_output=True, check=False).returncode == 0
    bundles = {}
    for name in ("tuned", "plain"):
        stabilise(site / name)
        bundles[name] = {
            p.relative_to(site / name): p.read_bytes() for p in (site / name).rglob("*") if p.is_file()
        }
    assert bundles["tuned"] == bundles["plain"]


THP_MODE = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def page_faults(command: list[str], cwd: Path, env: dict[str, str]) -> int:
    """The minor page faults of one run of ``command`` (the kernel's count for that child)."""
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, command
    return usage.ru_minflt


@pytest.mark.skipif(
    not THP_MODE.exists() or "[never]" in THP_MODE.read_text(encoding="utf-8"),
    reason="the kernel gives no transparent huge pages",
)
def test_pagefind_takes_its_memory_in_huge_pages(corpus_site, tmp_path: Path) -> None:
    """With Topicfeed's settings Pagefind's heap comes in 2 MB pages, so indexing faults in a
    fraction of the pages it does with jemalloc's 4 KB ones (the cost the setting removes)."""
    site = tmp_path / "site"
    shutil.copytree(corpus_site.output, site, ignore=shutil.ignore_patterns("pagefind"))
    name, _ = PAGEFIND_MALLOC_CONF
    command = [str(pagefind_executable()), "--site", str(site), "--glob", "20*/**/*.html"]
    plain = {**os.environ, name: "narenas:1,dirty_decay_ms:1000,muzzy_decay_ms:0"}
    faults = {
        "tuned": page_faults(
            [*command, "--output-path", str(tmp_path / "tuned")], site, pagefind_environment()
        ),
        "plain": page_faults([*command, "--output-path", str(tmp_path / "plain")], site, plain),
    }
    assert faults["tuned"] < faults["plain"] / 2, faults


def test_free_heap_is_handed_back_where_the_c_library_can() -> None:
    assert release_free_memory() is (platform.libc_ver()[0] == "glibc")
