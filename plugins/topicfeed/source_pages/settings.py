"""The source pages' settings: where a source's page and the list of sources go.

They are declared once, in :mod:`topicfeed.sources`, because the source feeds link to the same
pages; this plugin registers them as its own.
"""

from __future__ import annotations

from topicfeed.settings import Setting
from topicfeed.sources import SETTINGS as SOURCE_SETTINGS

SETTINGS: tuple[Setting, ...] = SOURCE_SETTINGS
