"""Deterministic synthetic news items for the benchmark, in three formats.

``news/`` holds N items in the exporter's format (YAML front matter only, every variant seen in
the seeds and the corpus); ``markdown/`` holds the same stories as plain Pelican Markdown for the
baseline build (same titles, dates, slugs, topics as tags, providers as categories, the excerpt
as summary and body); ``hugo/`` is a Hugo site of the same stories, published ones only
(``bench/hugo_site.py``). ``manifest.json`` records the counts the runner and the tests check,
the item the runner edits for the "one item changed" build, the item it adds for "one item
added" (item N, published and newer than every other, alone in its story; written in all three
formats to ``extra/``, beside the inputs, which no build reads) and the item it unpublishes for
"one item unpublished" (another published item, spelled ``published: true``).

The same seed and N always give byte-identical files: every item draws from its own
``random.Random(f"{seed}:{index}")``, so nothing depends on iteration order or hash seeds.

Distributions (per item unless said otherwise):

- dates: 20 items a day from 2019-01-01, +-2 h jitter; 15% spelled with a non-UTC offset;
- story URL: videos (6%) ``originalUrl`` youtube.com/watch with a YouTube ``featuredContent``
  iframe; articles 60% ``webUrl`` + ``originalUrl`` (30% of those with utm parameters), 20%
  ``webUrl`` only, 10% unquoted ``sourceUrl`` (with ``ampUrl``/``cdnAmpUrl``), 10% ``originalUrl``
  only; 30% of articles have AMP and AMP-cache URLs;
- ``published``: 20% false, 15% omitted (half of those also omit ``quality`` and ``heat``), 65%
  true; ``heat`` -1 for 30%, else 0-200; ``quality`` 0-150;
- providers: 30 + N/50, Zipf (s=1); logos 70% absolute, 10% relative ``/assets/`` paths, 20% none;
- topics: a vocabulary of 40 + N/100 names (with C++, C#, .NET, R&D, non-ASCII), Zipf (s=1);
  1-4 per item (45/35/15/5%); 1% in a lower-case spelling;
- images: 88% one, 4% two, 8% none;
- related: 25% none, else 1-12 entries weighted 0.88**k (mean about 5): 10% start with the item
  itself; then 3% repeat an earlier entry, 47% another item of its story group (1-6 consecutive
  items; an item alone in its group lists an outside story instead), spelled as
  its URL, http://, without www., with utm, its AMP, AMP-cache or original URL (20% with a
  timestamp an hour off), 50% an outside story;
- titles unique by slug, some with quotes, dashes, ``&`` and non-ASCII; file names 90% exporter
  style (5% dated a day early), 10% ``NNNNNN_hash.txt``; ``secured`` 240-330 random bytes.

At N = 10,000 an item is 4.8 KB on average, 5.9 KB with a related list.

Usage, from the repository root: ``PYTHONPATH=plugins python -m bench.generate N OUTDIR [--seed 1]``
"""

from __future__ import annotations

import argparse
import base64
import bisect
import datetime as dt
import itertools
import json
import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from topicfeed.text import slugify  # the project's own slugs, for the baseline

from . import hugo_site

START = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
ITEMS_PER_DAY = 20  # 10,000 items span about 16 months, 100,000 about 14 years
OFFSETS = ("-07:00", "-05:00", "-04:00", "+01:00", "+02:00", "+05:30", "+09:00", "+10:00")
LOGO_BASE = "https://everyday-cc.github.io/news/assets/images/organizations"
CHANGE_MARK = "Updated: "
#: The folder beside the inputs that holds the added item in each format (never read by a build).
EXTRA = "extra"

# Vocabulary ---------------------------------------------------------------------------------
TOPICS = (
    "AI", "Computer Vision", "Power Apps", "Machine Learning", "Cloud", "Security", "Privacy",
    "Robotics", "Quantum Computing", "Blockchain", "Edge Computing", "5G", "Open Source",
    "Data Science", "Deep Learning", "Natural Language Processing", "Autonomous Vehicles",
    "Semiconductors", "Cybersecurity", "Startups", "Regulation", "Healthcare", "Fintech",
    "Facial Recognition", "Smart Cities", "IoT", "AR", "VR", "Gaming", "Energy", "Climate",
    "Space", "Biotech", "E-commerce", "Social Media", "Search", "Chips", "Mobile",
    "Low-code", "Canvas apps", "Model-driven apps", "Portals", "AI Builder", "Teams integration",
    "DevOps", "Kubernetes", "Serverless", "Databases", "Analytics", "C++", "C#", ".NET", "R&D",
    "Python", "Rust", "JavaScript", "WebAssembly", "Accessibility", "Ethics", "Education",
    "Drones", "Wearables", "Batteries", "Electric Vehicles", "Supply Chain", "Retail",
    "Manufacturing", "Agriculture", "Logistics", "Telecom", "Broadband", "Satellites",
    "Café Tech", "Générative IA", "Open Data", "Digital Identity", "Biometrics", "Surveillance",
)  # fmt: skip
TOPIC_QUALIFIERS = ("Enterprise", "Applied", "Industrial", "Consumer", "Public Sector", "Mobile",
                    "Responsible", "Embedded", "Federated", "Green", "Secure", "Realtime")  # fmt: skip
COMPANIES = (
    "Microsoft", "Google", "Apple", "Amazon", "Meta", "IBM", "Intel", "Nvidia", "Samsung",
    "Tesla", "OpenAI", "Oracle", "SAP", "Salesforce", "Adobe", "Cisco", "Huawei", "Baidu",
    "Alibaba", "Tencent", "Sony", "Siemens", "Bosch", "Qualcomm", "AMD", "Arm", "Dell", "HP",
    "Lenovo", "Uber", "Airbnb", "Spotify", "Netflix", "Zoom", "Slack", "Shopify", "Stripe",
    "AT&T", "Verizon", "Vodafone", "Nokia", "Ericsson", "Police Scotland", "The Met Police",
    "The EU", "Ofcom", "The FTC", "Raleigh police", "Clearview AI", "Café Labs", "Zürich Insurance",
)  # fmt: skip
VERBS = ("launches", "unveils", "tests", "deploys", "bans", "expands", "acquires", "rethinks",
         "pauses", "doubles down on", "opens up", "rolls out", "questions", "invests in",
         "partners on", "scales back", "previews", "updates", "retires", "standardises")  # fmt: skip
ADJECTIVES = ("new", "controversial", "open", "faster", "cheaper", "experimental", "live",
              "private", "global", "local", "next-generation", "secure", "smaller", "bigger",
              "first", "final", "hybrid", "managed", "real-time", "low-power")  # fmt: skip
NOUNS = ("platform", "model", "camera network", "chip", "app", "service", "toolkit", "pilot",
         "dashboard", "standard", "marketplace", "assistant", "database", "framework", "sensor",
         "network", "update", "programme", "lab", "roadmap", "policy", "release", "benchmark")  # fmt: skip
PLACES = ("in London", "in Europe", "across the US", "in Asia", "for schools", "for hospitals",
          "for small businesses", "for developers", "for banks", "in Stratford", "worldwide",
          "at scale", "on mobile", "in the cloud", "on the edge", "this year", "by 2030")  # fmt: skip
WORDS = (
    "the", "company", "said", "new", "technology", "users", "data", "will", "system", "people",
    "according", "report", "which", "has", "been", "more", "than", "its", "public", "concerns",
    "officials", "about", "use", "software", "while", "customers", "cameras", "research",
    "announced", "Tuesday", "plans", "market", "privacy", "teams", "developers", "features",
    "platform", "release", "early", "access", "preview", "industry", "analysts", "growth",
    "devices", "network", "security", "regulators", "critics", "support", "apps", "models",
    "training", "costs", "cloud", "services", "partners", "launch", "months", "trial",
)  # fmt: skip
PROVIDERS = (
    ("The Financial Times", "ft.com"), ("New York Post", "nypost.com"), ("Microsoft", "microsoft.com"),
    ("The Guardian", "theguardian.com"), ("Engadget", "engadget.com"),
    ("The Independent", "independent.co.uk"),
    ("The Intercept", "theintercept.com"), ("Toronto Star", "thestar.com"), ("WRAL", "wral.com"),
    ("Raleigh News & Observer", "newsobserver.com"), ("Computing", "computing.co.uk"),
    ("The Next Web", "thenextweb.com"), ("SlashGear", "slashgear.com"), ("Global News", "globalnews.ca"),
    ("LinkedIn", "linkedin.com"), ("Neowin", "neowin.net"), ("Dark Reading", "darkreading.com"),
    ("heraldscotland.com", "heraldscotland.com"), ("Süddeutsche Zeitung", "sueddeutsche.de"),
    ("Le Monde", "lemonde.fr"), ("BBC News", "bbc.co.uk"), ("Reuters", "reuters.com"),
)  # fmt: skip
PROVIDER_WORDS = ("Daily", "Tech", "Post", "Herald", "Wire", "Ledger", "Times", "Journal", "Review",
                  "Insider", "Digest", "Observer", "Signal", "Bulletin", "Gazette", "Monitor",
                  "Chronicle", "Beacon", "Dispatch", "Courier")  # fmt: skip
TLDS = ("com", "com", "com", "net", "co.uk", "org", "io", "de", "ca", "com.au")


class Zipf:
    """Draws ranks 0..n-1 with weight 1/(rank+1)**s (rank 0 is the most frequent)."""

    def __init__(self, n: int, s: float) -> None:
        self.cumulative = list(itertools.accumulate(1 / (k**s) for k in range(1, n + 1)))

    def draw(self, rng: random.Random) -> int:
        return bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])


def topic_vocabulary(size: int) -> list[str]:
    """``size`` distinct topic names: the fixed list, then qualified names ("Green Drones")."""
    names = list(TOPICS)
    for qualifier, topic in itertools.product(TOPIC_QUALIFIERS, TOPICS):
        if len(names) >= size:
            break
        names.append(f"{qualifier} {topic}")
    for number in itertools.count(2):
        if len(names) >= size:
            break
        names.extend(f"{topic} {number}" for topic in TOPICS[: size - len(names)])
    return names[:size]


@dataclass(frozen=True)
class Provider:
    name: str
    domain: str
    www: bool
    logo: str | None  # absolute URL, a relative /assets/ path, or None


def provider_pool(size: int, rng: random.Random) -> list[Provider]:
    """``size`` providers: real-looking ones first (the most frequent), then synthetic."""
    pairs = list(PROVIDERS)
    for number in itertools.count(1):
        for first, second in itertools.permutations(PROVIDER_WORDS, 2):
            if len(pairs) >= size:
                break
            tld = TLDS[len(pairs) % len(TLDS)]
            suffix = "" if number == 1 else f" {number}"
            name = f"The {first} {second}{suffix}"
            pairs.append((name, f"{first.lower()}{second.lower()}{suffix.strip()}.{tld}"))
        if len(pairs) >= size:
            break
    pool = []
    for name, domain in pairs[:size]:
        roll = rng.random()
        if roll < 0.7:
            logo: str | None = f"{LOGO_BASE}/{domain}-50x50.jpg"
        elif roll < 0.8:
            logo = f"/assets/images/organizations/{domain}-50x50.jpg"
        else:
            logo = None
        pool.append(Provider(name, domain, www=rng.random() < 0.7, logo=logo))
    return pool


@dataclass
class Story:
    """One story: a feed item, or an outside story that only appears in related lists."""

    title: str
    excerpt: str
    published_at: dt.datetime  # in the offset the file spells
    provider: Provider
    url: str  # canonical https URL
    kind: str = "article"
    video_id: str = ""
    amp_url: str | None = None
    cdn_amp_url: str | None = None
    quality: int | None = None
    images: list[dict[str, object]] = field(default_factory=list)


@dataclass
class Item:
    """A feed item: a story plus what only items carry."""

    story: Story
    index: int
    file_stem: str
    url_field: str  # webUrl | web+original | sourceUrl | originalUrl
    original_url: str | None
    heat: int | None
    scores_omitted: bool
    published: bool | None  # None: the field is omitted (published)
    topics: list[str]
    secured: str
    related: list[tuple[Story, str]] = field(default_factory=list)  # (story, URL spelling)


class Generator:
    """Everything drawn from the seed: vocabularies, providers, items, related lists."""

    def __init__(self, count: int, seed: int) -> None:
        self.count = count
        self.seed = seed
        setup = random.Random(f"{seed}:setup")  # noqa: S311 - reproducible, not secret
        self.topics = topic_vocabulary(40 + count // 100)
        self.topic_zipf = Zipf(len(self.topics), 1.0)
        self.providers = provider_pool(30 + count // 50, setup)
        self.provider_zipf = Zipf(len(self.providers), 1.0)
        self.slugs: set[str] = set()
        self.items: list[Item] = []
        #: Each item's story group: the items (by index) that cover the same story.
        self.groups: list[range] = []

    # Text ------------------------------------------------------------------------------------
    def title(self, rng: random.Random) -> str:
        """A headline, unique by slug across the whole set (the baseline needs unique slugs)."""
        for _attempt in range(1000):
            topic = self.topics[self.topic_zipf.draw(rng)]
            shape = rng.random()
            if shape < 0.45:
                text = (
                    f"{rng.choice(COMPANIES)} {rng.choice(VERBS)} {rng.choice(ADJECTIVES)} "
                    f"{topic} {rng.choice(NOUNS)} {rng.choice(PLACES)}"
                )
            elif shape < 0.7:
                text = (
                    f"How {rng.choice(COMPANIES)}’s {rng.choice(NOUNS)} is changing {topic} "
                    f"{rng.choice(PLACES)}"
                )
            elif shape < 0.85:
                text = f"{topic}: {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} from {rng.choice(COMPANIES)}"
            else:
                text = (
                    f'"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(NOUNS)}" — '
                    f"{rng.choice(COMPANIES)} on {topic} & {rng.choice(NOUNS)}s"
                )
            slug = slugify(text)
            if slug not in self.slugs:
                self.slugs.add(slug)
                return text
        raise RuntimeError("could not draw a unique title")

    @staticmethod
    def excerpt(rng: random.Random) -> str:
        words: list[str] = []
        target = rng.randint(28, 58)
        while len(words) < target:
            sentence = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
            sentence[0] = sentence[0].capitalize()
            words.extend(sentence)
            words[-1] += "."
        text = " ".join(words[:target]).rstrip(".")
        return text + (" ..." if rng.random() < 0.6 else ".")

    # Stories ---------------------------------------------------------------------------------
    def story(self, rng: random.Random, when: dt.datetime, title: str | None = None) -> Story:
        provider = self.providers[self.provider_zipf.draw(rng)]
        title = title or self.title(rng)
        host = ("www." if provider.www else "") + provider.domain
        slug = slugify(title, 70)
        shape = rng.random()
        if shape < 0.5:
            path = f"/{when:%Y/%m/%d}/{slug}/"
        elif shape < 0.8:
            path = f"/news/{slug}-{rng.randint(10**7, 10**8)}.html"
        else:
            path = f"/content/{rng.getrandbits(64):016x}-{rng.getrandbits(32):08x}"
        story = Story(
            title=title,
            excerpt=self.excerpt(rng),
            published_at=when,
            provider=provider,
            url=f"https://{host}{path}",
            quality=rng.randint(0, 150),
        )
        if rng.random() < 0.06:
            story.kind = "video"
            story.video_id = base64.urlsafe_b64encode(rng.randbytes(8)).decode()[:11]
            story.url = f"https://youtube.com/watch?v={story.video_id}"
            story.images = [
                {
                    "url": f"https://i.ytimg.com/vi/{story.video_id}/maxresdefault.jpg",
                    "width": 1280,
                    "height": 720,
                }
            ]
            return story
        if rng.random() < 0.3:
            amp_host = f"amp.{provider.domain}" if rng.random() < 0.5 else host
            amp_path = path if amp_host != host else path.rstrip("/") + "/amp/"
            story.amp_url = f"https://{amp_host}{amp_path}"
            cache_host = amp_host.replace("-", "--").replace(".", "-")
            story.cdn_amp_url = f"https://{cache_host}.cdn.ampproject.org/c/s/{amp_host}{amp_path}"
        roll = rng.random()
        if roll < 0.92:
            width, height = rng.choice(((1200, 675), (800, 600), (1280, 720), (660, 300), (2048, 1536)))
            image: dict[str, object] = {
                "url": f"https://cdn.{provider.domain}/images/{rng.getrandbits(48):012x}/{slug[:40]}.jpg",
                "width": width,
                "height": height,
            }
            story.images.append(image)
            if roll < 0.04:
                story.images.append({**image, "url": str(image["url"]).replace(".jpg", "-2.jpg")})
        return story

    def item(self, index: int, after: dt.datetime | None = None) -> Item:
        """Item ``index``; with ``after``, a published one dated an hour after that instant at least."""
        rng = random.Random(f"{self.seed}:{index}")  # noqa: S311
        instant = START + dt.timedelta(
            seconds=index * 86400 / ITEMS_PER_DAY + rng.randint(-7200, 7200), microseconds=0
        )
        instant = instant.replace(microsecond=0)
        if after is not None:
            instant = max(instant, after.astimezone(dt.UTC) + dt.timedelta(hours=1))
        if rng.random() < 0.15:
            offset = rng.choice(OFFSETS)
            sign = -1 if offset[0] == "-" else 1
            tz = dt.timezone(sign * dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))
            instant = instant.astimezone(tz)
        story = self.story(rng, instant)
        roll = rng.random()
        if story.kind == "video":
            url_field = "originalUrl"
        elif roll < 0.6:
            url_field = "web+original"
        elif roll < 0.8:
            url_field = "webUrl"
        elif roll < 0.9:
            url_field = "sourceUrl"
        else:
            url_field = "originalUrl"
        original = None
        if url_field in ("web+original", "originalUrl"):
            original = story.url if rng.random() < 0.7 else f"{story.url}?utm_source=feed&utm_medium=rss"
        roll = rng.random()
        published: bool | None = False if roll < 0.2 else None if roll < 0.35 else True
        if after is not None:
            published = True
        topic_count = rng.choices((1, 2, 3, 4), weights=(45, 35, 15, 5))[0]
        topics: list[str] = []
        while len(topics) < topic_count:
            name = self.topics[self.topic_zipf.draw(rng)]
            if name not in topics:
                topics.append(name)
        if rng.random() < 0.01:
            topics[0] = topics[0].lower()  # a spelling variant, merged by Topicfeed and Pelican
        date = instant.astimezone(dt.UTC).date()
        if rng.random() < 0.05:
            date -= dt.timedelta(days=1)  # the file name's date can differ from the field's
        slug = slugify(story.title, 60)
        if rng.random() < 0.9:
            stem = f"{date:%Y-%m-%d}-{slug}"
        else:
            stem = f"{index:06d}_{rng.getrandbits(64):016x}"
        secured = (
            base64.b64encode(rng.randbytes(rng.randint(240, 330))).decode()
            + ";"
            + base64.b64encode(rng.randbytes(16)).decode()
        )
        scores_omitted = published is None and rng.random() < 0.5
        return Item(
            story=story,
            index=index,
            file_stem=stem,
            url_field=url_field,
            original_url=original,
            heat=None if scores_omitted else (-1 if rng.random() < 0.3 else rng.randint(0, 200)),
            scores_omitted=scores_omitted,
            published=published,
            topics=topics,
            secured=secured,
        )

    def related(self, item: Item) -> list[tuple[Story, str]]:
        """0-12 entries: other items of the set (in one of their spellings), outside stories,
        sometimes the item itself first and sometimes a story listed twice."""
        rng = random.Random(f"{self.seed}:{item.index}:related")  # noqa: S311
        if rng.random() < 0.25:
            return []
        count = rng.choices(range(1, 13), weights=[0.88**k for k in range(1, 13)])[0]
        entries: list[tuple[Story, str]] = []
        if rng.random() < 0.1:
            entries.append((item.story, item.story.url))
        while len(entries) < count:
            roll = rng.random()
            if roll < 0.03 and entries:
                entries.append(rng.choice(entries))
            elif roll < 0.5 and len(group := self.groups[item.index]) > 1:
                other = self.items[rng.choice(group)]
                if other is item:
                    continue
                story = other.story
                if rng.random() < 0.2:  # the related copy can carry another timestamp
                    story = Story(
                        **{**story.__dict__, "published_at": story.published_at + dt.timedelta(hours=1)}
                    )
                entries.append((story, self.spelling(other, rng)))
            else:
                when = item.story.published_at + dt.timedelta(minutes=rng.randint(-4000, 4000))
                outside = self.story(rng, when.replace(microsecond=0), title=self.outside_title(rng))
                entries.append((outside, outside.url))
        return entries

    @staticmethod
    def outside_title(rng: random.Random) -> str:
        return (
            f"{rng.choice(COMPANIES)} {rng.choice(VERBS)} {rng.choice(ADJECTIVES)} "
            f"{rng.choice(NOUNS)} {rng.choice(PLACES)} ({rng.randint(1, 99)})"
        )

    @staticmethod
    def spelling(item: Item, rng: random.Random) -> str:
        """One of the URL spellings under which the story of ``item`` is recognised."""
        story = item.story
        choices = [story.url, story.url.replace("https://", "http://", 1), f"{story.url}?utm_source=twitter"]
        if "://www." in story.url:
            choices.append(story.url.replace("://www.", "://", 1))
        if story.amp_url and story.cdn_amp_url:
            choices += [story.amp_url, story.cdn_amp_url]
        if item.original_url:
            choices.append(item.original_url)
        return rng.choice(choices)

    def story_groups(self) -> list[range]:
        """Runs of 1-6 consecutive items (a few hours apart) covering the same story.

        An item lists other items of its own story only, as the exporter's related lists do:
        in the real corpus no cluster of cross-linked items has more than two. (Linking any item
        within 200 positions, as this generator once did, chained every linked item of a set
        into one cluster of thousands, so that one unpublished item changed every page.)
        """
        rng = random.Random(f"{self.seed}:groups")  # noqa: S311
        groups: list[range] = []
        while len(groups) < self.count:
            start = len(groups)
            size = rng.choices(range(1, 7), weights=[30, 25, 18, 12, 9, 6])[0]
            run = range(start, min(self.count, start + size))
            groups += [run] * len(run)
        return groups

    def generate(self) -> list[Item]:
        self.groups = self.story_groups()
        self.items = [self.item(index) for index in range(self.count)]
        for item in self.items:
            item.related = self.related(item)
        return self.items

    def extra(self) -> Item:
        """The item the runner adds for its "one item added" build: index ``count``, published,
        newer than every item of the set (as the exporter's next item is), alone in its own story
        group (its related list names outside stories only). Call after :meth:`generate`; it
        changes none of the set's items.
        """
        newest = max(item.story.published_at for item in self.items)
        item = self.item(self.count, after=newest)
        self.groups.append(range(self.count, self.count + 1))
        item.related = self.related(item)
        return item


# Writing ---------------------------------------------------------------------------------------
def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def timestamp(when: dt.datetime) -> str:
    text = when.isoformat()
    return text.replace("+00:00", "Z")


def story_lines(story: Story, indent: str, spelling: str | None, url_field: str) -> list[str]:
    """The fields an item and a related entry share; ``sourceUrl`` items use the old spellings."""
    lines = [
        f"{indent}title: {quoted(story.title)}",
        f"{indent}excerpt: {quoted(story.excerpt)}",
        f"{indent}publishedDateTime: {timestamp(story.published_at)}",
    ]
    url = spelling or story.url
    if url_field == "sourceUrl":
        lines.append(f"{indent}sourceUrl: {url}")  # unquoted, as in the older exporter files
        if story.amp_url and story.cdn_amp_url:
            lines += [f"{indent}ampUrl: {story.amp_url}", f"{indent}cdnAmpUrl: {story.cdn_amp_url}"]
    else:
        if url_field != "originalUrl":
            lines.append(f"{indent}webUrl: {quoted(url)}")
        if story.amp_url and story.cdn_amp_url:
            lines += [
                f"{indent}ampWebUrl: {quoted(story.amp_url)}",
                f"{indent}cdnAmpWebUrl: {quoted(story.cdn_amp_url)}",
            ]
    return lines


def provider_lines(provider: Provider, indent: str, with_logo: bool) -> list[str]:
    lines = [
        f"{indent}provider:",
        f"{indent}  name: {quoted(provider.name)}",
        f"{indent}  domain: {provider.domain}",
    ]
    if with_logo and provider.logo:
        lines += [
            f"{indent}  images:",
            f"{indent}    - url: {quoted(provider.logo)}",
            f"{indent}      width: 50",
            f"{indent}      height: 50",
        ]
    return lines


def image_lines(images: Sequence[dict[str, object]], indent: str, title: str | None) -> list[str]:
    lines = [f"{indent}images:"]
    for image in images:
        lines += [
            f"{indent}  - url: {quoted(str(image['url']))}",
            f"{indent}    width: {image['width']}",
            f"{indent}    height: {image['height']}",
        ]
        if title:
            lines.append(f"{indent}    title: {quoted(title)}")
        if "ytimg" in str(image["url"]):
            lines.append(f"{indent}    isCached: true")
    return lines


def news_text(item: Item) -> str:
    """The exporter's file for ``item``."""
    story = item.story
    url_field = item.url_field
    lines = [
        "---",
        "category: news",
        *story_lines(story, "", None, "webUrl" if url_field == "web+original" else url_field),
    ]
    if item.original_url:
        lines.append(f"originalUrl: {quoted(item.original_url)}")
    lines.append(f"type: {story.kind}")
    if not item.scores_omitted:
        lines += [f"quality: {story.quality}", f"heat: {item.heat}"]
    if item.published is not None:
        lines.append(f"published: {'true' if item.published else 'false'}")
    lines.append("")
    if story.kind == "video":
        iframe = (
            '<iframe width="800" height="500" frameborder="0" '
            f'src="https://www.youtube.com/embed/{story.video_id}" '
            'allow="accelerometer; autoplay; encrypted-media; gyroscope; picture-in-picture" '
            "allowfullscreen></iframe>"
        )
        lines += [f"featuredContent: {quoted(iframe)}", ""]
    lines += [*provider_lines(story.provider, "", True), ""]
    lines += ["topics:", *(f"  - {quoted(topic)}" for topic in item.topics), ""]
    if story.images:
        with_title = item.index % 2 == 0
        lines += [*image_lines(story.images, "", story.title if with_title else None), ""]
    if item.related:
        lines.append("related:")
        for related, spelling in item.related:
            field_name = "sourceUrl" if item.url_field == "sourceUrl" else "webUrl"
            entry = story_lines(related, "    ", spelling, field_name)
            entry[0] = "  - " + entry[0].lstrip()
            entry += [f"    type: {related.kind}", *provider_lines(related.provider, "    ", False)]
            entry.append(f"    quality: {related.quality}")
            if related.images:
                entry += image_lines(related.images[:1], "    ", None)
            lines += entry
        lines.append("")
    lines += [f"secured: {quoted(item.secured)}", "---", ""]
    return "\n".join(lines)


def markdown_text(item: Item) -> str:
    """The same story as a plain Pelican Markdown article (the baseline)."""
    story = item.story
    utc = story.published_at.astimezone(dt.UTC)
    lines = [
        f"Title: {story.title}",
        f"Date: {utc:%Y-%m-%d %H:%M:%S}",
        f"Tags: {', '.join(item.topics)}",
        f"Category: {story.provider.name}",
        f"Slug: {slugify(story.title)}",
        f"Summary: {story.excerpt}",
    ]
    if item.published is False:
        lines.append("Status: skip")
    return "\n".join(lines) + f"\n\n{story.excerpt}\n"


def hugo_text(item: Item) -> str:
    """The same story as a Hugo content file (published items only)."""
    story = item.story
    return hugo_site.page_text(
        story.title, story.published_at, slugify(story.title), item.topics, story.provider.name, story.excerpt
    )


def news_file_name(item: Item) -> str:
    """The news file name of ``item``: ``.md`` for exporter-style names, else ``.txt``."""
    extension = "md" if "_" not in item.file_stem else "txt"
    return f"{item.file_stem}.{extension}"


def item_files(news_name: str, markdown_name: str) -> dict[str, str]:
    """Where an item's file is in each format, relative to that format's input folder."""
    return {"news": news_name, "markdown": markdown_name, "hugo": str(hugo_site.CONTENT / markdown_name)}


def write(count: int, out: Path, seed: int = 1) -> dict[str, object]:
    """Write ``count`` items to ``out/news``, ``out/markdown`` and the Hugo site ``out/hugo``.

    Returns the manifest (also written to ``out/manifest.json``).
    """
    generator = Generator(count, seed)
    items = generator.generate()
    for name in ("news", "markdown", "hugo", EXTRA):
        shutil.rmtree(out / name, ignore_errors=True)
        (out / name).mkdir(parents=True)
    hugo_site.write_skeleton(out / "hugo")
    hugo_content = out / "hugo" / hugo_site.CONTENT
    sizes: list[int] = []
    related_sizes: list[int] = []
    names: list[tuple[str, str]] = []
    for item in items:
        news_name = news_file_name(item)
        markdown_name = f"{item.file_stem}.md"
        data = news_text(item).encode("utf-8")
        (out / "news" / news_name).write_bytes(data)
        (out / "markdown" / markdown_name).write_text(markdown_text(item), encoding="utf-8")
        if item.published is not False:
            (hugo_content / markdown_name).write_text(hugo_text(item), encoding="utf-8")
        sizes.append(len(data))
        if item.related:
            related_sizes.append(len(data))
        names.append((news_name, markdown_name))
    # The item the runner edits: a published one with a related list, near the middle.
    target = next(
        (
            i
            for i in itertools.chain(range(count // 2, count), range(count // 2))
            if items[i].published is not False
        ),
        0,
    )
    # The item the runner unpublishes: another one, spelled "published: true" (the edit flips it).
    hidden = next(
        (
            i
            for i in itertools.chain(range(count // 3, count), range(count // 3))
            if items[i].published is True and i != target
        ),
        None,
    )
    if hidden is None:
        raise ValueError(f"{count} items: no second published item to unpublish")
    # The item the runner adds: beside the inputs, at the same path as in its input folder.
    extra = generator.extra()
    extra_files = item_files(news_file_name(extra), f"{extra.file_stem}.md")
    for folder, text in (
        ("news", news_text(extra)),
        ("markdown", markdown_text(extra)),
        ("hugo", hugo_text(extra)),
    ):
        path = out / EXTRA / folder / extra_files[folder]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    manifest: dict[str, object] = {
        "seed": seed,
        "count": count,
        "published": sum(item.published is not False for item in items),
        "published_field_omitted": sum(item.published is None for item in items),
        "videos": sum(item.story.kind == "video" for item in items),
        "with_images": sum(bool(item.story.images) for item in items),
        "with_related": len(related_sizes),
        "related_entries": sum(len(item.related) for item in items),
        "topics_used": len({topic.lower() for item in items for topic in item.topics}),
        "providers_used": len({item.story.provider.domain for item in items}),
        "mean_bytes": round(sum(sizes) / max(1, len(sizes))),
        "mean_bytes_with_related": round(sum(related_sizes) / max(1, len(related_sizes))),
        "total_bytes": sum(sizes),
        "change": {
            "news": names[target][0],
            "markdown": names[target][1],
            "hugo": str(hugo_site.CONTENT / names[target][1]),
            "mark": CHANGE_MARK,
        },
        "added": {
            **extra_files,
            "extra": EXTRA,
            "title": extra.story.title,
            "slug": slugify(extra.story.title),
        },
        "unpublished": {
            **item_files(*names[hidden]),
            "title": items[hidden].story.title,
            "slug": slugify(items[hidden].story.title),
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="number of items")
    parser.add_argument("out", type=Path, help="folder to write news/, markdown/ and manifest.json into")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    manifest = write(args.count, args.out, args.seed)
    print(json.dumps(manifest, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
