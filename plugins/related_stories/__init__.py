"""Related stories: cross-links, backlinks, computed related, story clusters, topic and source
indexes and the home page ranking, computed once all published articles are known."""

import os
import sys

# The news reader is a sibling plugin whose model this one reads; make it importable whatever
# the order of PLUGINS (Pelican imports plugins from PLUGIN_PATHS without adding them to sys.path).
_PLUGINS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _PLUGINS_DIR not in sys.path:
    sys.path.append(_PLUGINS_DIR)

from .plugin import register  # noqa: E402

__all__ = ["register"]
