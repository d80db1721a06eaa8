"""Settings declared once: name, default, check and one line of documentation, per plugin.

Each plugin lists the settings it reads in its own ``settings.py`` as a tuple of
:class:`Setting` and hands that tuple to :func:`topicfeed.plugin.register_plugin`. At start-up
(Pelican's ``initialized`` signal) every declared setting that ``pelicanconf.py`` leaves out gets
its default, and every value is checked; a bad value stops the build with one line naming the
setting, what was expected and what was found. After that, code reads ``settings["NAME"]``: the
value is there and valid, so no ``settings.get("NAME", literal)`` repeats a default.

A setting whose default depends on another (the CSP ``frame-src`` on the video hosts) declares a
``derive`` function instead of a literal default: it runs after every literal default is in
place, so the order of ``PLUGINS`` does not matter.

``docs/settings.md`` documents every declared setting; a test fails when one is missing there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

#: A check returns ``None`` when the value is fine, else what was expected ("a number >= 0").
Check = Callable[[Any], str | None]


class SettingsError(ValueError):
    """A declared setting has a value its check refuses; the message is one line."""


@dataclass(frozen=True)
class Setting:
    """One setting a plugin reads. ``doc`` is the one-line summary; docs/settings.md says more."""

    name: str
    default: Any
    doc: str
    check: Check | None = None
    #: Computes the default from the other settings (after every literal default is applied).
    derive: Callable[[Mapping[str, Any]], Any] | None = None
    #: False: the setting says how a build works (processes, waits, shortcuts), never what it
    #: writes, so two builds that differ in it give the same site (a rebuild from the site model
    #: may follow a build with another value: ``topicfeed.build_inputs.recipe_digest``).
    output: bool = True

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", self.name):
            raise ValueError(f"setting names are UPPER_CASE: {self.name!r}")


def apply(settings: MutableMapping[str, Any], declared: Iterable[Setting]) -> None:
    """Fill in defaults (literal first, then derived) and check every value.

    Raises :class:`SettingsError` naming the first bad setting.
    """
    declared = list(declared)
    for setting in declared:
        if setting.derive is None and setting.name not in settings:
            settings[setting.name] = _copy(setting.default)
    for setting in declared:
        if setting.derive is not None and setting.name not in settings:
            settings[setting.name] = setting.derive(settings)
    for setting in declared:
        if setting.check is None:
            continue
        expected = setting.check(settings[setting.name])
        if expected is not None:
            raise SettingsError(
                f"settings: {setting.name}: expected {expected}, got {settings[setting.name]!r}"
            )


def _copy(value: Any) -> Any:
    """A fresh copy of a mutable default, so one build never changes another's defaults."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


# Checks ------------------------------------------------------------------------------------------


def is_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "True or False"


def is_str(value: Any) -> str | None:
    return None if isinstance(value, str) else "a string"


def is_optional_str(value: Any) -> str | None:
    return None if value is None or isinstance(value, str) else "a string or None"


def is_int(minimum: int | None = None) -> Check:
    def check(value: Any) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool)
        if ok and (minimum is None or value >= minimum):
            return None
        return "an integer" + (f" >= {minimum}" if minimum is not None else "")

    return check


def is_number(minimum: float | None = None, above: float | None = None) -> Check:
    def check(value: Any) -> str | None:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok and (minimum is None or value >= minimum) and (above is None or value > above):
            return None
        bound = f" >= {minimum}" if minimum is not None else f" > {above}" if above is not None else ""
        return "a number" + bound

    return check


def is_str_list(value: Any) -> str | None:
    ok = isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value)
    return None if ok else "a list of strings"


def is_weights(keys: Iterable[str]) -> Check:
    """A mapping from the given names to numbers >= 0; unknown names are refused."""
    known = tuple(keys)

    def check(value: Any) -> str | None:
        expected = f"a mapping of {', '.join(known)} to numbers >= 0"
        if not isinstance(value, Mapping):
            return expected
        for key, weight in value.items():
            if key not in known or isinstance(weight, bool) or not isinstance(weight, (int, float)):
                return expected
            if weight < 0:
                return expected
        return None

    return check


def one_of(*choices: Any) -> Check:
    def check(value: Any) -> str | None:
        return None if value in choices else "one of " + ", ".join(repr(c) for c in choices)

    return check
