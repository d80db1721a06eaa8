"""Topicfeed settings for local builds; every setting is documented in the README."""

SITENAME = "Topicfeed"
SITEDESCRIPTION = "The latest news on the topic, from every source, in one place."
SITEURL = ""
AUTHOR = "Topicfeed"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

THEME = "theme"
PLUGIN_PATHS = ["plugins"]
PLUGINS = [
    "topicfeed.speedups",
    "topicfeed.fast_writer",
    "topicfeed.news_reader",
    "topicfeed.preview",  # PREVIEW (previewconf.py): unpublished items too, kept apart from output/
    "topicfeed.related_stories",  # story index, related links, clusters, home ranking
    "topicfeed.source_pages",  # /sources/ and one page per source
    "topicfeed.content_cache",  # one content cache folder per version of settings and code
    "topicfeed.news_feeds",
    "topicfeed.news_sitemaps",
    "topicfeed.news_theme",
    "topicfeed.coverage",  # coverage charts (topic, source, topics pages) and trending topics (home)
    "pelican.plugins.sitemap",
    "topicfeed.site_search",  # Pagefind index of the finished pages
    "topicfeed.github_pages",  # .nojekyll and CNAME
    "topicfeed.json_api",  # the exporter's JSON API under api/, with schemas (docs/api.md)
    "topicfeed.redirects",  # a redirect page at each URL an earlier build published for a moved story
    "topicfeed.site_model",  # a model of the built site beside the output (docs/rebuild-plan.md, step 1)
    "topicfeed.build_report",
    "topicfeed.build_progress",
    "topicfeed.atomic_output",  # builds beside the output, swaps it in at the end; one build at a time
    "topicfeed.unchanged_build",  # nothing changed since the last build: leave its site as it is
]

# Every plugin declares its settings with their defaults (docs/settings.md); this file sets only
# what differs. Defaults kept here: NEWS_* (news_reader), RELATED_* and HOME_* (related_stories),
# SOURCE(S)_URL/SAVE_AS (source_pages), CSP_* and THEME_POPULAR_TOPICS (news_theme; the CSP
# frame-src follows NEWS_EMBED_HOSTS).


# URLs: clean, dated, one folder per page -----------------------------------------------------
ARTICLE_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html"
PAGE_URL = "pages/{slug}/"
PAGE_SAVE_AS = "pages/{slug}/index.html"
TAG_URL = "topics/{slug}/"
TAG_SAVE_AS = "topics/{slug}/index.html"
TAGS_URL = "topics/"
TAGS_SAVE_AS = "topics/index.html"
ARCHIVES_SAVE_AS = "archives/index.html"
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "archives"]  # news_theme adds "404" when the theme has 404.html
DEFAULT_PAGINATION = 20
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Theme (plugin news_theme; theme/) -----------------------------------------------------------
# Monthly archives (Pelican's period archives, template period_archives.html); /archives/ lists them.
MONTH_ARCHIVE_URL = "archives/{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = "archives/{date:%Y}/{date:%m}/index.html"
DEFAULT_DATE_FORMAT = "%-d %B %Y"  # 11 April 2024 (cards, lists); article pages add the time

# Feeds (paths relative to FEED_DOMAIN, which follows SITEURL) ------------------------------
# news_feeds adds JSON Feed (FEED_ALL_JSON, TAG_FEED_JSON), per-source feeds (SOURCE_FEED_*) and
# FEED_OPML, with defaults in plugins/topicfeed/news_feeds/settings.py (docs/settings.md).
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
TAG_FEED_ATOM = "feeds/topics/{slug}.atom.xml"
TAG_FEED_RSS = "feeds/topics/{slug}.rss.xml"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

# Feeds, discovery and sitemaps (plugins news_feeds, news_sitemaps; pelican-sitemap) --------
# news_sitemaps writes news-sitemap.xml and robots.txt by default (NEWS_SITEMAP_*, ROBOTS_SAVE_AS).
FEED_MAX_ITEMS = 100  # newest entries in each feed
SITEMAP = {"format": "xml", "exclude": [r"^404\.html$"]}  # pelican-sitemap: every published page

# Templates: everything from an item is escaped -----------------------------------------------
# auto_reload off: each run makes new template environments anyway, so Jinja need not stat the
# template files again on every page (1 % of a 100,000-item build).
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True, "auto_reload": False}
RELATIVE_URLS = False
STATIC_PATHS = ["images", "extra"]
# Unchanged items are not parsed again: the news reader keeps what it read of each file in
# CACHE_PATH/news-items ("cache/"), keyed by the file's bytes, its settings and its code
# (NEWS_ITEM_STORE), and writes only new records. Pelican's own content cache stays off, as by
# default (CACHE_CONTENT): it would serve items by modification time before the reader is asked,
# and re-pickle every item on every build.
# Items never translate each other: the same headline on two days is two stories.
ARTICLE_TRANSLATION_ID = None

# Search, publishing and the build's own files (site_search, github_pages, build_report,
# build_progress, atomic_output): their defaults are in each plugin's settings.py and
# docs/settings.md (SEARCH_*, GITHUB_PAGES_* in publishconf.py, BUILD_REPORT_PATH, BUILD_PROGRESS,
# OUTPUT_RETENTION, OUTPUT_LOCK_TIMEOUT, CACHE_LOCK_TIMEOUT).
