"""Settings for the editors' preview (`make preview`): unpublished items too, never published.

Everything is as in pelicanconf.py, except that unpublished items get pages (marked "Not
published"), every page asks search engines not to index it, the site says "(preview)" in its
name (page titles, feeds), there is no sitemap and robots.txt disallows everything, and the
build goes to PREVIEW_OUTPUT, never to output/. docs/preview.md says how an editor uses it.
"""

import runpy
from pathlib import Path

# pelicanconf.py beside this file, found from here whatever the working directory (no sys.path edit).
_settings = runpy.run_path(str(Path(__file__).with_name("pelicanconf.py")))
_base = {name: value for name, value in _settings.items() if name.isupper()}
globals().update(_base)

PREVIEW = True  # unpublished items become pages, marked "Not published"; noindex on every page
PREVIEW_OUTPUT = "preview"  # git-ignored; `make preview PREVIEWDIR=...` builds elsewhere
OUTPUT_PATH = PREVIEW_OUTPUT
SITENAME = f"{_base['SITENAME']} (preview)"  # page titles and feed titles say so

# Nothing that tells search engines about the preview: the preview plugin writes a robots.txt
# that disallows everything (and stops a preview build that would write any of these).
PLUGINS = [plugin for plugin in _base["PLUGINS"] if plugin != "pelican.plugins.sitemap"]
NEWS_SITEMAP_SAVE_AS = ""
ROBOTS_SAVE_AS = ""

# The preview's reader cache, apart from the published site's (each keeps its own).
CACHE_PATH = "cache/preview"
