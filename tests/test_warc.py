"""WARC reader: HTML 200 responses only, broken records skipped with a reject, truncated tails rejected.

Archives are generated here with warcio's writer (fixed record ids and dates, so runs are reproducible).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner.io.base import InputDoc
from cleaner.io.warc import read_warc
from cleaner.record import Reject

ARTICLE = (Path(__file__).resolve().parent.parent / "fixtures" / "html" / "article.html").read_bytes()

RUSSIAN = "<html><body><p>Новости</p></body></html>"

# (target URI, status, content type, body); record i gets id urn:uuid:00000000-0000-0000-0000-00000000000i
RESPONSES = [
    ("https://news.example.com/a", "200 OK", "text/html; charset=utf-8", ARTICLE),
    ("https://news.example.com/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n"),
    ("https://news.example.com/b", "200 OK", "application/xhtml+xml", ARTICLE.replace(b"Monday", b"Friday")),
    ("https://news.example.com/gone", "404 Not Found", "text/html", b"<html><body>Not found</body></html>"),
    (
        "https://ru.example.com/c",
        "200 OK",
        "text/html; charset=windows-1251",
        "<html><body><p>Новости</p></body></html>",
    ),
]


def make_warc(gz: bool) -> tuple[bytes, list[int]]:
    """A WARC with a warcinfo, a request and the responses above; returns bytes and each record's offset."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    offsets = []

    def write(record_type: str, uri: str, payload: bytes, http: StatusAndHeaders | None, n: int) -> None:
        headers = {
            "WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>",
            "WARC-Date": "2026-11-22T10:00:00Z",
        }
        record = writer.create_warc_record(
            uri, record_type, payload=io.BytesIO(payload), http_headers=http, warc_headers_dict=headers
        )
        offsets.append(out.tell())
        writer.write_record(record)

    write("warcinfo", "", b"software: test\r\n", None, 0)
    write("request", RESPONSES[0][0], b"", StatusAndHeaders("GET /a HTTP/1.1", [], is_http_request=True), 1)
    for i, (uri, status, ctype, body) in enumerate(RESPONSES, start=2):
        payload = body.encode("cp1251") if isinstance(body, str) else body
        write("response", uri, payload, StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1"), i)
    return out.getvalue(), offsets


def read(tmp_path: Path, data: bytes, gz: bool) -> list[InputDoc | Reject]:
    path = tmp_path / ("test.warc.gz" if gz else "test.warc")
    path.write_bytes(data)
    return list(read_warc(path))


def summary(items: list[InputDoc | Reject]) -> list[tuple[int | None, str]]:
    return [(i.origin.record, i.url if isinstance(i, InputDoc) else f"REJECT {i.reason}") for i in items]


EXPECTED = [
    (2, "https://news.example.com/a"),
    (4, "https://news.example.com/b"),
    (6, "https://ru.example.com/c"),
]


@pytest.mark.parametrize("gz", [False, True])
def test_only_html_200_responses(tmp_path: Path, gz: bool) -> None:
    items = read(tmp_path, make_warc(gz)[0], gz)
    assert summary(items) == EXPECTED
    first = items[0]
    assert isinstance(first, InputDoc)
    assert first.id == "urn:uuid:00000000-0000-0000-0000-000000000002"
    assert first.html == ARTICLE
    assert first.meta == {"warc_date": "2026-11-22T10:00:00Z"}


def test_http_charset_decodes_the_body(tmp_path: Path) -> None:
    items = read(tmp_path, make_warc(False)[0], False)
    last = items[-1]
    assert isinstance(last, InputDoc)
    assert last.html == RUSSIAN


@pytest.mark.parametrize("gz", [False, True])
def test_truncated_tail_is_rejected_after_everything_before(tmp_path: Path, gz: bool) -> None:
    data, offsets = make_warc(gz)
    cut = offsets[-1] + (len(data) - offsets[-1]) // 2
    items = read(tmp_path, data[:cut], gz)
    assert summary(items)[:2] == EXPECTED[:2]
    assert isinstance(items[-1], Reject)
    assert items[-1].origin.record == 6
    assert items[-1].reason.startswith("truncated archive")


def test_file_ending_inside_a_header(tmp_path: Path) -> None:
    data, offsets = make_warc(False)
    items = read(tmp_path, data[: offsets[-1] + 30], False)
    assert isinstance(items[-1], Reject)
    assert items[-1].reason == "truncated archive: the file ends inside a WARC header"


@pytest.mark.parametrize("gz", [False, True])
def test_broken_record_mid_file_does_not_stop_the_file(tmp_path: Path, gz: bool) -> None:
    data, offsets = make_warc(gz)
    start = offsets[2]  # the first response: drop 20 bytes from its middle (Content-Length now lies)
    middle = (offsets[2] + offsets[3]) // 2
    broken = data[:middle] + data[middle + 20 :]
    items = read(tmp_path, broken, gz)
    assert isinstance(items[0], Reject)
    assert items[0].origin.record == 2
    assert "broken WARC record" in items[0].reason
    assert summary(items[1:]) == EXPECTED[1:]
    assert start < middle


def test_garbage_between_records_is_skipped(tmp_path: Path) -> None:
    data, offsets = make_warc(False)
    broken = data[: offsets[3]] + b"garbage line\r\nmore garbage\r\n" + data[offsets[3] :]
    items = read(tmp_path, broken, False)
    rejects = [i for i in items if isinstance(i, Reject)]
    assert len(rejects) == 1
    assert "not a WARC record header" in rejects[0].reason
    assert [i.url for i in items if isinstance(i, InputDoc)] == [url for _, url in EXPECTED]


def test_extraction_of_warc_records(tmp_path: Path) -> None:
    from cleaner.pipeline import Cleaner
    from cleaner.record import Document

    path = tmp_path / "test.warc.gz"
    path.write_bytes(make_warc(True)[0])
    docs = list(Cleaner().clean_many(read_warc(path)))
    assert [isinstance(d, Document) for d in docs] == [True, True, True]
    first = docs[0]
    assert isinstance(first, Document)
    assert first.url == "https://news.example.com/a"
    assert first.text is not None
    assert first.text.startswith("Harbour bridge reopens")
    assert first.ledger_entry()["input"] == {"file": str(path), "record": 2}


def test_a_page_without_content_type_is_read_and_an_undecodable_body_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 200 response with no Content-Type that holds a page is a page; a body warcio cannot decode (its brotli
    support fails with brotli 1.2) is rejected with the record's id and the encoding, not dropped."""
    from warcio.recordloader import ArcWarcRecord

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    for uri, headers, body in [
        ("https://news.example.com/untyped", [], ARTICLE),
        ("https://news.example.com/data", [], b"\x00\x01 not a page"),
        ("https://news.example.com/br", [("Content-Type", "text/html"), ("Content-Encoding", "br")], b"\x0b"),
    ]:
        http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http))
    original = ArcWarcRecord.content_stream

    def content_stream(record: ArcWarcRecord):  # type: ignore[no-untyped-def]
        if record.http_headers.get_header("Content-Encoding") == "br":
            raise AttributeError("'brotli.Decompressor' object has no attribute 'unused_data'")
        return original(record)

    monkeypatch.setattr(ArcWarcRecord, "content_stream", content_stream)
    items = read(tmp_path, out.getvalue(), gz=False)
    assert [type(i).__name__ for i in items] == ["InputDoc", "Reject"]
    assert items[0].url == "https://news.example.com/untyped"
    assert items[1].reason.startswith("cannot decode the response body (Content-Encoding: br): AttributeError")
    assert items[1].id and items[1].id.startswith("urn:uuid:")
