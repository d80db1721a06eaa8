"""Time the related step alone (no YAML, no templates, no writing) at a given feed size.

Synthetic items are built in memory, deterministically from ``--seed``: 20 items a day, 1-3
topics drawn Zipf-like from a vocabulary that grows with the feed, Zipf-distributed headline
words, and related lists like the exporter's (half the items have one: the item itself, items
of ours near in time through their AMP, AMP-cache or ``http://www.`` + ``utm_`` spellings,
outside stories shared between items, a duplicate now and then). ``--from DIR`` times real
item files instead (e.g. the benchmark generator's ``news/`` folder), read with the news reader.

Timed: the whole ``relate`` step (story index, cross-links, backlinks, clusters, computed
related for every item short of ``RELATED_MIN``), the home ranking and the source grouping:
everything the plugin does between Pelican's ``article_generator_finalized`` and the writers.

Prints the best of ``--repeat`` runs: wall-clock seconds and, in brackets, CPU seconds of this
process (the machine may be shared; CPU time is the steadier number).

Usage, from the repository root: ``PYTHONPATH=plugins python -m bench.related_step 10000 100000``
(options ``--seed 1``, ``--repeat 3``, ``--from DIR``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import random
import time
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from topicfeed.items import ITEM_KEY
from topicfeed.model import Image, NewsItem, Provider, build_item
from topicfeed.news_reader.source import load_front_matter
from topicfeed.ranking import top_stories
from topicfeed.related_stories.graph import gc_paused, relate
from topicfeed.related_stories.settings import DEFAULTS, read_settings
from topicfeed.sources import SETTINGS as SOURCE_SETTINGS
from topicfeed.sources import group_sources
from topicfeed.urls import story_key

START = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
SYLLABLES = [c + v for c, v in itertools.product("bcdfghklmnprstvz", "aeiou")]


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return list(itertools.accumulate(1 / (k**s) for k in range(1, n + 1)))


def story(i: int, rng: random.Random, words: list[str], cum: list[float], domain: str) -> dict[str, object]:
    title = " ".join(rng.choices(words, cum_weights=cum, k=rng.randint(6, 10))).capitalize()
    path = f"news/{i}-{title.split()[0]}"
    return {
        "title": title,
        "url": f"https://www.{domain}/{path}",
        "amp": f"https://amp.{domain}/{path}",
        "cdn": f"https://amp-{domain.replace('.', '-')}.cdn.ampproject.org/c/s/amp.{domain}/{path}",
    }


def news_item(fields: dict[str, object], when: dt.datetime, provider: Provider, **extra: object) -> NewsItem:
    urls = [fields["url"], fields["amp"], fields["cdn"]]
    return NewsItem(
        title=str(fields["title"]),
        excerpt="",
        published_at=when,
        url=str(fields["url"]),
        amp_url=str(fields["amp"]),
        cdn_amp_url=str(fields["cdn"]),
        provider=provider,
        images=(Image(f"https://img.example.com/{abs(hash(fields['url'])) % 10**8}.jpg", 800, 450),),
        url_keys=tuple(dict.fromkeys(story_key(u) for u in urls)),
        **extra,
    )


def synthetic(count: int, seed: int) -> list[NewsItem]:
    rng = random.Random(f"{seed}:{count}")  # noqa: S311 - reproducible, not secret
    words = vocabulary(5000, rng)
    word_cum = zipf_weights(len(words))
    topics = [f"Topic {n}" for n in range(40 + count // 100)]
    topic_cum = zipf_weights(len(topics), 1.0)
    providers = [Provider(f"Provider {n}", f"provider{n}.example") for n in range(30 + count // 50)]
    provider_cum = zipf_weights(len(providers), 0.8)
    times = [START + dt.timedelta(seconds=i * 4320 + rng.randrange(4320)) for i in range(count)]
    by = rng.choices(providers, cum_weights=provider_cum, k=count)
    stories = [story(i, rng, words, word_cum, by[i].domain) for i in range(count)]
    outside = [
        story(count + i, rng, words, word_cum, f"outside{i % 500}.example") for i in range(max(count // 4, 1))
    ]
    other = Provider("Elsewhere", "elsewhere.example")

    def spelling(fields: dict[str, object]) -> str:
        roll = rng.random()
        url = str(fields["url"])
        if roll < 0.2:
            return str(fields["amp"])
        if roll < 0.3:
            return str(fields["cdn"])
        if roll < 0.5:
            return url.replace("https://", "http://") + "/?utm_source=feed&utm_medium=rss"
        return url

    items = []
    for i in range(count):
        related: list[NewsItem] = []
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 6)):
                roll = rng.random()
                if roll < 0.1:
                    target = stories[i]
                elif roll < 0.6:
                    target = stories[min(count - 1, max(0, i + rng.randint(-50, 50)))]
                else:
                    target = rng.choice(outside)
                fields = dict(target, url=spelling(target))
                related.append(news_item(fields, times[i], other))
        items.append(
            news_item(
                stories[i],
                times[i],
                by[i],
                topics=tuple(dict.fromkeys(rng.choices(topics, cum_weights=topic_cum, k=rng.randint(1, 3)))),
                related=tuple(related),
                heat=rng.choice([None, *range(0, 200, 7)]),
                quality=rng.randrange(100),
                source_path=f"{i}.txt",
            )
        )
    return items


def from_folder(folder: Path) -> list[NewsItem]:
    items = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".txt", ".md"):
            continue
        raw = load_front_matter(path.read_text(encoding="utf-8"))[0]
        item, _ = build_item(raw, path.name)
        if item is not None and item.published:
            items.append(item)
    return items


def plugin_settings() -> tuple[Any, Mapping[str, Any]]:
    """The defaults of the related step and of source grouping: what ``relate`` and
    ``group_sources`` take. The one place this benchmark touches the plugins' settings API.
    """
    return read_settings(DEFAULTS), {setting.name: setting.default for setting in SOURCE_SETTINGS}


def run(items: list[NewsItem], repeat: int) -> dict[str, float]:
    settings, source_settings = plugin_settings()
    urls = [f"{item.published_at:%Y/%m/%d}/story-{n}/" for n, item in enumerate(items)]
    articles = [SimpleNamespace(metadata={ITEM_KEY: item}) for item in items]
    best: dict[str, float] = {}
    for _ in range(repeat):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        with gc_paused():  # as the plugin runs it
            relations = relate(items, urls, settings)
            related = time.perf_counter() - wall, time.process_time() - cpu
            top_stories(items, settings.rank, [r.cluster for r in relations])
            group_sources(articles, source_settings)
            total = time.perf_counter() - wall, time.process_time() - cpu
        names = ("relate", "relate cpu", "total", "total cpu")
        for name, value in zip(names, (*related, *total), strict=True):
            best[name] = min(best.get(name, value), value)
    links = sum(len(r.related) for r in relations)
    computed = sum(1 for r in relations for link in r.related if link.computed)
    best["links"] = links
    best["computed"] = computed
    best["clustered"] = sum(1 for r in relations if r.cluster_size > 1)
    return best


def reference_loop() -> float:
    """CPU seconds of a fixed pure-Python loop (3 million dict updates): the machine's speed now.

    On a shared machine the same code can take twice as long from one minute to the next; this
    number, printed with the timings, says how fast the interpreter was running at the time.
    """
    started = time.process_time()
    table: dict[int, float] = {}
    get = table.get
    for i in range(3_000_000):
        key = i & 4095
        table[key] = get(key, 0.0) + 0.5
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--from", dest="folder", type=Path, help="time these item files instead")
    args = parser.parse_args()
    feeds = [(f"{args.folder}", from_folder(args.folder))] if args.folder else []
    feeds += [(f"synthetic {n:,}", synthetic(n, args.seed)) for n in ([] if args.folder else args.sizes)]
    print(f"reference loop (3M dict updates): {reference_loop():.2f} s cpu")
    header = ("feed", "items", "relate s", "(cpu)", "total s", "(cpu)", "links", "computed", "in clusters")
    print("{:>20} {:>8} {:>9} {:>6} {:>8} {:>6} {:>8} {:>9} {:>11}".format(*header))
    for name, items in feeds:
        r = run(items, args.repeat)
        print(
            f"{name[-20:]:>20} {len(items):>8,} {r['relate']:>9.2f} {r['relate cpu']:>6.2f} "
            f"{r['total']:>8.2f} {r['total cpu']:>6.2f} "
            f"{r['links']:>8,} {r['computed']:>9,} {r['clustered']:>11,}"
        )
    print(f"reference loop (3M dict updates): {reference_loop():.2f} s cpu")


if __name__ == "__main__":
    main()
