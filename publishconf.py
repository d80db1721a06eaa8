"""Settings for publishing: absolute URLs from SITEURL (`make publish SITEURL=...`)."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", "https://example.org").rstrip("/")
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True

# GitHub Pages (plugin github_pages; README "Publishing") -------------------------------------
GITHUB_PAGES_NOJEKYLL = True  # .nojekyll: the branch is served as it is, not run through Jekyll
GITHUB_PAGES_CNAME = os.environ.get("GITHUB_PAGES_CNAME", "")  # custom domain: writes CNAME

# Pelican's content cache, kept between CI runs (.github/workflows/pages.yml restores cache/).
# A checkout gives every file a new mtime, so files are compared by content hash instead. The
# content_cache plugin keeps one folder per version of the settings and plugins (cache/<hash>/).
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
CHECK_MODIFIED_METHOD = "sha256"
