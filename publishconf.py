"""Settings for publishing: absolute URLs from SITEURL (`make publish SITEURL=...`)."""

import os
import runpy
from pathlib import Path

# pelicanconf.py beside this file, found from here whatever the working directory (no sys.path edit).
globals().update(
    {k: v for k, v in runpy.run_path(str(Path(__file__).with_name("pelicanconf.py"))).items() if k.isupper()}
)

SITEURL = os.environ.get("SITEURL", "https://example.org").rstrip("/")
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True

# GitHub Pages (plugin github_pages; README "Publishing") -------------------------------------
GITHUB_PAGES_NOJEKYLL = True  # .nojekyll: the branch is served as it is, not run through Jekyll
GITHUB_PAGES_CNAME = os.environ.get("GITHUB_PAGES_CNAME", "")  # custom domain: writes CNAME

# The news item store (cache/news-items) is kept between CI runs (.github/workflows/pages.yml
# restores cache/). Its records are keyed by each file's bytes, so a checkout's new mtimes do not
# matter. Pelican's own content cache stays off, as in pelicanconf.py.
