"""The feeds need a writer that applies the feed format; the start-up check says so by product."""

from __future__ import annotations

import pytest

from topicfeed.fast_writer.plugin import register as register_writer
from topicfeed.news_feeds.plugin import register as register_feeds
from topicfeed.plugin import PluginSetupError, check_plugins, enabled_specs


def test_feeds_without_a_feed_writer_stop_at_start_up() -> None:
    register_feeds()
    register_writer()
    alone = enabled_specs({"PLUGINS": ["topicfeed.news_feeds"]})
    with pytest.raises(PluginSetupError, match=r"topicfeed\.news_feeds needs feed-writer"):
        check_plugins(alone)
    check_plugins(enabled_specs({"PLUGINS": ["topicfeed.news_feeds", "topicfeed.fast_writer"]}))
