"""Plain Pelican settings for the benchmark's baseline: the same stories as Markdown, the same site.

Same URL scheme, pagination and feeds as Topicfeed's ``pelicanconf.py``: topics are Pelican tags
(``/topics/{slug}/`` with Atom and RSS feeds) and sources are Pelican categories
(``/sources/{slug}/`` with feeds), rendered by Pelican's default theme (``notmyidea``). The
content cache is on, as a Pelican user would run it; the runner passes ``CACHE_PATH``.
"""

SITENAME = "Baseline"
SITEURL = ""
AUTHOR = "Baseline"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
THEME = "notmyidea"
PLUGINS: list[str] = []

ARTICLE_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html"
PAGE_URL = "pages/{slug}/"
PAGE_SAVE_AS = "pages/{slug}/index.html"
TAG_URL = "topics/{slug}/"
TAG_SAVE_AS = "topics/{slug}/index.html"
TAGS_URL = "topics/"
TAGS_SAVE_AS = "topics/index.html"
CATEGORY_URL = "sources/{slug}/"
CATEGORY_SAVE_AS = "sources/{slug}/index.html"
CATEGORIES_URL = "sources/"
CATEGORIES_SAVE_AS = "sources/index.html"
ARCHIVES_SAVE_AS = "archives/index.html"
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "categories", "archives"]
DEFAULT_PAGINATION = 20
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
TAG_FEED_ATOM = "feeds/topics/{slug}.atom.xml"
TAG_FEED_RSS = "feeds/topics/{slug}.rss.xml"
CATEGORY_FEED_ATOM = "feeds/sources/{slug}.atom.xml"
CATEGORY_FEED_RSS = "feeds/sources/{slug}.rss.xml"
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

RELATIVE_URLS = False
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
