"""Helpers shared by the tests: real builds, item files, feed checks and the browser harness.

Tests import from here (``from support.build import run_pelican``); pytest's ``pythonpath``
puts ``tests/`` on the import path. No test imports another test module or ``conftest``.

- ``support.build``: where things are (``ROOT``, ``CORPUS``, ``SEEDS``), ``run_pelican`` and the
  ``Build`` it returns, ``tree`` (a folder's files and bytes).
- ``support.items``: writing news-item files in the exporter's format.
- ``support.feeds``: parsing and validating the feeds (Atom, RSS, JSON Feed).
- ``support.dates``: dates and formats that tell Pelican's date texts apart, and ``one_locale``.
- ``support.browser``: the browser fixtures (loaded as a pytest plugin by ``tests/conftest.py``).
"""
