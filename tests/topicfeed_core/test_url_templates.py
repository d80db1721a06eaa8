"""``format_url`` is ``str.format``: same text, same error, for the templates it formats itself and
for those it hands to ``str.format``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from topicfeed.url_templates import field_names, format_url

FIELDS: dict[str, Any] = {
    "date": dt.datetime(2024, 5, 2, 13, 4, 5),
    "day": dt.date(2031, 12, 31),
    "aware": dt.datetime(2024, 5, 2, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    "slug": "Bosch-bans-app",
    "lang": "en",
    "n": 7,
    "price": 1.5,
    "category": "ft-com",
    "empty": "",
}
TEMPLATES = [
    "{date:%Y}/{date:%m}/{date:%d}/{slug}/",
    "{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html",
    "posts/{slug}.html",
    "{slug}",
    "no fields at all",
    "",
    "{{literal}} {slug}",
    "{date:%Y-%m-%dT%H:%M:%S} {day:%A %-d %B}",
    "{aware:%Y}/{aware:%m}/{aware:%d}/{aware:%H%M%z}/{slug}/",
    "{date}",
    "{day}/{date:}",
    "{n:03d}-{price:.2f}-{slug:>20}-{slug:.3}",
    "{lang}/{category}/{empty}{slug}",
    "{date.year}/{slug}",  # attribute: str.format's own
    "{slug!r}",  # conversion
    "{slug:{lang}}",  # nested spec
    "{0}",  # positional
    "{}",
    "{missing}/{slug}",
    "{date:%Y}/{missing.attr}",
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_format_url_is_str_format(template: str) -> None:
    for _ in range(2):  # the second time from the parsed template and the formatted dates
        try:
            expected: Any = template.format(**FIELDS)
        except Exception as error:  # the same kind of error is the point
            with pytest.raises(type(error)):
                format_url(template, FIELDS)
        else:
            assert format_url(template, FIELDS) == expected


def test_field_names() -> None:
    assert field_names("{date:%Y}/{date:%m}/{slug}/") == {"date", "slug"}
    assert field_names("static") == frozenset()
    assert field_names("{date.year}") is None
    assert field_names("{slug!r}") is None
