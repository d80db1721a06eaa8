"""Pagefind's filter and meta indexes are rewritten in a stable order, keeping every item."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from topicfeed.site_search.stable import SIGNATURE, stabilise


def cbor(value: object) -> bytes:
    """A tiny CBOR encoder for the test data: ints >= 0, text, lists."""

    def head(major: int, n: int) -> bytes:
        if n < 24:
            return bytes([major << 5 | n])
        for info, size in ((24, 1), (25, 2), (26, 4)):
            if n < 1 << (8 * size):
                return bytes([major << 5 | info]) + n.to_bytes(size, "big")
        raise ValueError(n)

    if isinstance(value, int):
        return head(0, value)
    if isinstance(value, str):
        raw = value.encode()
        return head(3, len(raw)) + raw
    return head(4, len(value)) + b"".join(cbor(item) for item in value)


def bundle(folder: Path, topic_values: list, filters: list, sorts: list) -> Path:
    (folder / "filter").mkdir(parents=True)
    topic = cbor(["topic", topic_values])
    (folder / "filter" / "en_1111111.pf_filter").write_bytes(gzip.compress(SIGNATURE + topic))
    year = cbor(["year", [["2024", [0]], ["2023", [1, 2]]]])
    (folder / "filter" / "en_2222222.pf_filter").write_bytes(gzip.compress(SIGNATURE + year))
    pages = [["page_a", 10], ["page_b", 12]]
    meta = cbor(["1.5.2", pages, [["a", "z", "en_idx0001"]], filters, sorts, ["date"]])
    (folder / "pagefind.en_abcdef0123.pf_meta").write_bytes(gzip.compress(SIGNATURE + meta))
    entry = {
        "version": "1.5.2",
        "languages": {"en": {"hash": "en_abcdef0123", "wasm": "en", "page_count": 3}},
    }
    (folder / "pagefind-entry.json").write_text(json.dumps(entry, separators=(",", ":")), encoding="utf-8")
    return folder


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_two_orders_give_the_same_bundle_with_every_item_kept(tmp_path: Path) -> None:
    values = [["Canvas apps", [0, 2]], ["AI Builder", [1]], ["Portals", [2]]]
    filters = [["topic", "en_1111111"], ["year", "en_2222222"]]
    sorts = [["published", [2, 0, 1]], ["heat", [0, 1, 2]]]
    one = bundle(tmp_path / "one", values, filters, sorts)
    two = bundle(tmp_path / "two", values[::-1], filters[::-1], sorts[::-1])
    assert files(one) != files(two)
    assert stabilise(one) and stabilise(two)
    assert files(one) == files(two)

    entry = json.loads((one / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta_hash = entry["languages"]["en"]["hash"]
    assert meta_hash != "en_abcdef0123" and len(meta_hash) == len("en_abcdef0123")
    meta = gzip.decompress((one / f"pagefind.{meta_hash}.pf_meta").read_bytes())
    assert not (one / "pagefind.en_abcdef0123.pf_meta").exists()
    new = {}
    for path in (one / "filter").iterdir():
        body = gzip.decompress(path.read_bytes())
        new["topic" if b"topic" in body else "year"] = (path.name.removesuffix(".pf_filter"), body)
    assert all(
        len(name) == len("en_1111111") and name not in ("en_1111111", "en_2222222")
        for name, _ in new.values()
    )
    # Each filter's values in byte order, page ids untouched.
    assert new["topic"][1] == SIGNATURE + cbor(["topic", sorted(values, key=cbor)])
    # The meta index: filters (with the new file names) and sorts in byte order, the rest as it was.
    expected = cbor(
        [
            "1.5.2",
            [["page_a", 10], ["page_b", 12]],
            [["a", "z", "en_idx0001"]],
            sorted([["topic", new["topic"][0]], ["year", new["year"][0]]], key=cbor),
            sorted([["heat", [0, 1, 2]], ["published", [2, 0, 1]]], key=cbor),
            ["date"],
        ]
    )
    assert meta == SIGNATURE + expected


def test_an_unknown_shape_is_left_alone(tmp_path: Path) -> None:
    folder = bundle(tmp_path / "odd", [["x", [0]]], [["topic", "en_1111111"]], [])
    meta = folder / "pagefind.en_abcdef0123.pf_meta"
    meta.write_bytes(gzip.compress(SIGNATURE + cbor(["1.5.2", []])))  # too short
    before = files(folder)
    assert not stabilise(folder)
    assert files(folder) == before
