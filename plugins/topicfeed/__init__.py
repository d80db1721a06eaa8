"""Topicfeed: the shared domain code (the news item model and its helpers) and, one package
each, the Pelican plugins that turn a folder of news items into a site.

Pelican imports ``topicfeed.<plugin>`` from ``PLUGIN_PATHS`` and loads this package first, so
every plugin imports the shared code as ``topicfeed.<module>``; tests get the same import path
from pytest's ``pythonpath``. This package registers nothing itself.
"""
