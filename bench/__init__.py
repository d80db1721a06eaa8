"""The benchmark: Topicfeed, plain Pelican and Hugo on the same generated stories.

A package run from the repository root with the plugins importable, never by patching the
import path: ``PYTHONPATH=plugins python -m bench.run`` (``make bench``); pytest finds it
through ``pythonpath`` in ``pyproject.toml``.
"""
