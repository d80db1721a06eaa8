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
    "topicfeed.related_stories",  # story index, related links, clusters, source pages, home ranking
    "topicfeed.content_cache",  # one content cache folder per version of settings and code
    "topicfeed.news_feeds",
    "topicfeed.news_sitemaps",
    "topicfeed.news_theme",
    "pelican.plugins.sitemap",
    "topicfeed.site_search",  # Pagefind index of the finished pages
    "topicfeed.github_pages",  # .nojekyll and CNAME
    "topicfeed.build_report",
    "topicfeed.build_progress",
    "topicfeed.atomic_output",  # builds beside the output, swaps it in at the end; one build at a time
]

# News items --------------------------------------------------------------------------------
NEWS_FILE_EXTENSIONS = ["txt", "md"]  # read as news items when their content says so
NEWS_MAX_FILE_BYTES = 1_000_000  # larger files are rejected, not read
NEWS_STRICT = False  # True (or `make html STRICT=1`) fails the build on any rejected file
NEWS_ASSET_BASE_URL = ""  # where relative logo paths (/assets/...) resolve; empty drops them
NEWS_EMBED_HOSTS = [
    "www.youtube.com",
    "youtube.com",
    "www.youtube-nocookie.com",
    "youtube-nocookie.com",
    "player.vimeo.com",
]

RENDER_PROCESSES = 0  # processes that render pages; 0: one per core
RENDER_INCREMENTAL = True  # reuse pages whose inputs did not change (needs atomic_output)

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

# Sources (providers): /sources/ and /sources/{slug}/, slug from the domain (ft.com -> ft-com)
SOURCE_URL = "sources/{slug}/"
SOURCE_SAVE_AS = "sources/{slug}/index.html"
SOURCES_URL = "sources/"
SOURCES_SAVE_AS = "sources/index.html"

# Theme (plugin news_theme; theme/) -----------------------------------------------------------
# Monthly archives (Pelican's period archives, template period_archives.html); /archives/ lists them.
MONTH_ARCHIVE_URL = "archives/{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = "archives/{date:%Y}/{date:%m}/index.html"
DEFAULT_DATE_FORMAT = "%-d %B %Y"  # 11 April 2024 (cards, lists); article pages add the time
# Related stories (plugins/related_stories; the README states the scores) ------------------
RELATED_MIN = 3  # fewer stories from an item's own list: computed ones are added up to this
RELATED_WEIGHTS = {"topics": 1.0, "title": 1.0, "date": 0.25}  # parts of the related score
RELATED_THRESHOLD = 0.5  # a computed story must score at least this
RELATED_DATE_HALF_LIFE_DAYS = 7.0  # the date part halves every this many days apart
RELATED_TITLE_WORDS = 5  # an item's rarest headline words that count (its topics all count)
RELATED_CANDIDATES = 6  # per term, the items nearest in time that are looked at
RELATED_CLUSTER_MAX = 10  # "more coverage of this story" shows at most this many
HOME_TOP_STORIES = 5  # top stories on the home page (one per story cluster)
HOME_RANK_WEIGHTS = {"heat": 1.0, "quality": 0.5}  # boosts of the home ranking
HOME_RANK_HALF_LIFE_HOURS = 24.0  # the home rank halves every this many hours of age

# Feeds (paths relative to FEED_DOMAIN, which follows SITEURL) ------------------------------
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
FEED_ALL_JSON = "feeds/all.json"
TAG_FEED_ATOM = "feeds/topics/{slug}.atom.xml"
TAG_FEED_RSS = "feeds/topics/{slug}.rss.xml"
TAG_FEED_JSON = "feeds/topics/{slug}.json"
SOURCE_FEED_ATOM = "feeds/sources/{slug}.atom.xml"
SOURCE_FEED_RSS = "feeds/sources/{slug}.rss.xml"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

# Content-Security-Policy <meta> on every page: no inline script (the theme adds hashes of its
# own scripts to CSP_SCRIPT_HASHES), frames only from the embed hosts, images from anywhere.
CSP_SCRIPT_HASHES: list[str] = []
CSP_DIRECTIVES = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' https: http: data:",
    "frame-src": "https://www.youtube-nocookie.com https://player.vimeo.com",
    "connect-src": "'self'",
    "font-src": "'self'",
    "manifest-src": "'self'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "object-src": "'none'",
}
# Feeds, discovery and sitemaps (plugins news_feeds, news_sitemaps; pelican-sitemap) --------
FEED_MAX_ITEMS = 100  # newest entries in each feed
SOURCE_FEED_JSON = None  # JSON Feed is site-wide and per topic; a path here adds one per source
FEED_OPML = "feeds/feeds.opml"  # every topic and source feed, for readers to import
SITEMAP = {"format": "xml", "exclude": [r"^404\.html$"]}  # pelican-sitemap: every published page
NEWS_SITEMAP_SAVE_AS = "news-sitemap.xml"  # Google News sitemap; empty disables it
NEWS_SITEMAP_DAYS = 2  # its window, counted back from the newest item
ROBOTS_SAVE_AS = "robots.txt"  # names both sitemaps; empty disables it

# Templates: everything from an item is escaped -----------------------------------------------
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
RELATIVE_URLS = False
STATIC_PATHS = ["images", "extra"]
# Pelican's reader cache: an unchanged item is not parsed again (content_cache keeps one
# folder per version of the settings and plugins). publishconf.py compares by content hash.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
CONTENT_CACHING_LAYER = "reader"
CHECK_MODIFIED_METHOD = "mtime"
# Items never translate each other: the same headline on two days is two stories.
ARTICLE_TRANSLATION_ID = None

# Search, publishing and the build's own files (site_search, github_pages, build_report,
# build_progress, atomic_output): their defaults are in each plugin's settings.py and
# docs/settings.md (SEARCH_*, GITHUB_PAGES_* in publishconf.py, BUILD_REPORT_PATH, BUILD_PROGRESS,
# OUTPUT_RETENTION, OUTPUT_LOCK_TIMEOUT, CACHE_LOCK_TIMEOUT).
