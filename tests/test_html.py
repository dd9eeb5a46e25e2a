"""HTML file reader: one document per file, id from the name, URL from the page, unreadable files rejected."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from cleaner.io.base import InputDoc
from cleaner.io.html import page_id, page_url, read_html
from cleaner.record import Reject

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "html"


def test_reads_bytes_id_and_canonical_url() -> None:
    (item,) = read_html(FIXTURES / "article.html")
    assert isinstance(item, InputDoc)
    assert item.id == "article"
    assert item.url == "https://news.example.com/2026/11/harbour-bridge-reopens"  # canonical beats og:url
    assert item.html == (FIXTURES / "article.html").read_bytes()
    assert item.text is None
    assert item.origin.file.endswith("article.html")


def test_og_url_when_no_canonical() -> None:
    (item,) = read_html(FIXTURES / "latin1.html")
    assert isinstance(item, InputDoc)
    assert item.url == "https://presse.example.fr/cafe"


def test_gzipped_page(tmp_path: Path) -> None:
    path = tmp_path / "ab12.html.gz"
    path.write_bytes(gzip.compress((FIXTURES / "article.html").read_bytes()))
    (item,) = read_html(path)
    assert isinstance(item, InputDoc)
    assert item.id == "ab12"
    assert item.html == (FIXTURES / "article.html").read_bytes()


@pytest.mark.parametrize("cut", [None, 0.5])
def test_corrupt_or_truncated_gzip_is_rejected(tmp_path: Path, cut: float | None) -> None:
    packed = gzip.compress((FIXTURES / "article.html").read_bytes())
    path = tmp_path / "bad.html.gz"
    path.write_bytes(b"not gzip at all" if cut is None else packed[: int(len(packed) * cut)])
    (item,) = read_html(path)
    assert isinstance(item, Reject)
    assert item.id == "bad"
    assert "gzip" in item.reason or "cannot read" in item.reason


def test_empty_file_is_read_and_left_to_extraction(tmp_path: Path) -> None:
    path = tmp_path / "empty.htm"
    path.write_bytes(b"")
    (item,) = read_html(path)
    assert isinstance(item, InputDoc)
    assert item.html == b""
    assert item.url is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.html", "a"), ("a.HTM", "a"), ("x.y.html.gz", "x.y"), ("p.htm.gz", "p")],
)
def test_page_id(name: str, expected: str) -> None:
    assert page_id(Path(name)) == expected


@pytest.mark.parametrize(
    ("head", "url"),
    [
        (b'<link href="https://a.example/x" rel="canonical">', "https://a.example/x"),
        (b"<LINK REL='canonical alternate' HREF='https://a.example/&amp;y'>", "https://a.example/&y"),
        (b'<link rel="canonical" href="/relative/path">', None),  # not absolute: no host for site rules
        (b'<meta name="og:url" content="http://b.example/z">', "http://b.example/z"),
        (b"<p>no head at all</p>", None),
    ],
)
def test_page_url(head: bytes, url: str | None) -> None:
    assert page_url(b"<html><head>" + head + b"</head><body></body></html>") == url


def test_pipeline_extracts_and_records_extraction(tmp_path: Path) -> None:
    """An HTML InputDoc goes through extraction and the same cleaning as text; the ledger says so."""
    from cleaner.pipeline import Cleaner
    from cleaner.record import Document

    shutil.copy(FIXTURES / "article.html", tmp_path / "article.html")
    (doc,) = Cleaner().clean_many(read_html(tmp_path / "article.html"))
    assert isinstance(doc, Document)
    assert doc.text == (FIXTURES / "article.expected.txt").read_text(encoding="utf-8")
    assert doc.url == "https://news.example.com/2026/11/harbour-bridge-reopens"
    entry = doc.ledger_entry()
    assert entry["extraction"]["tool"] == "trafilatura"
    assert entry["extraction"]["options"]["deduplicate"] is False


def test_pipeline_rejects_unextractable_page(tmp_path: Path) -> None:
    from cleaner.pipeline import Cleaner

    path = tmp_path / "image.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (item,) = Cleaner().clean_many(read_html(path))
    assert isinstance(item, Reject)
    assert "PNG" in item.reason


def test_pages_in_a_tree_are_told_apart_by_their_path(tmp_path: Path) -> None:
    from cleaner.io import read_inputs

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "index.html").write_text("<html><body><p>Page.</p></body></html>", encoding="utf-8")
    ids = [item.id for item in read_inputs([str(tmp_path)])]
    assert ids == ["a/index", "b/index"]
