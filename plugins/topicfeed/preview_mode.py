"""``PREVIEW``: whether this build is the editors' preview, declared once for every plugin reading it.

The preview (``make preview``, ``previewconf.py``) builds unpublished items too, into a folder of
its own, so editors see an item as it would look before they flip ``published``. Two plugins act
on it: the news reader (unpublished items become articles, marked as not published) and the
``preview`` plugin (the guard around the preview folder, ``robots.txt``). Both register
:data:`SETTINGS`, as ``topicfeed.site`` does for ``SITEDESCRIPTION``; the theme reads ``PREVIEW``
from the template context (the noindex meta on every page).
"""

from __future__ import annotations

from topicfeed.settings import Setting, is_bool

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "PREVIEW",
        False,
        "True (previewconf.py, `make preview`) builds unpublished items too, marked, for editors only.",
        is_bool,
    ),
)
