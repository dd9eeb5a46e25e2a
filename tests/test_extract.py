"""Extraction: golden outputs, decoding, reject reasons, and independence from order and process state."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from cleaner.extract import OPTIONS, charset_from_content_type, decode_html, extract

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "html"

PARAGRAPHS = [
    "The council voted on Tuesday to extend the night bus network to the northern suburbs from January.",
    "Residents had collected more than four thousand signatures asking for later services on weekdays.",
    "The extension will cost about two million euros a year, paid from the regional transport budget.",
]


def page(paragraphs: list[str], charset: str = "utf-8") -> str:
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return f'<html><head><meta charset="{charset}"><title>t</title></head><body><article>{body}</article></body></html>'


def test_trafilatura_imports() -> None:
    """trafilatura 2.x only imports with lxml_html_clean installed (the install trap of issue 5)."""
    importlib.import_module("lxml_html_clean")
    trafilatura = importlib.import_module("trafilatura")
    assert int(trafilatura.__version__.split(".")[0]) >= 2


@pytest.mark.parametrize("name", ["article", "latin1"])
def test_golden(name: str) -> None:
    result = extract((FIXTURES / f"{name}.html").read_bytes(), None)
    assert result.reason is None
    assert result.text is not None
    assert result.text + "\n" == (FIXTURES / f"{name}.expected.txt").read_text(encoding="utf-8")


def test_info_records_tool_options_and_sizes() -> None:
    html = (FIXTURES / "article.html").read_bytes()
    result = extract(html, "https://news.example.com/x")
    assert result.info["tool"] == "trafilatura"
    assert result.info["options"] == OPTIONS
    assert result.info["options"]["deduplicate"] is False
    assert result.info["html_chars"] == len(html.decode("utf-8"))
    assert result.info["text_chars"] == len(result.text or "")
    assert result.info["encoding"] == "utf-8"


def test_sidebar_and_footer_are_not_extracted() -> None:
    text = extract((FIXTURES / "article.html").read_bytes(), None).text or ""
    assert "Most read" not in text
    assert "All rights reserved" not in text


def test_str_and_bytes_give_the_same_text() -> None:
    html = (FIXTURES / "article.html").read_bytes()
    assert extract(html, None).text == extract(html.decode("utf-8"), None).text


def test_repeated_pages_extract_identically() -> None:
    """trafilatura's dedup (an LRU shared by the process) would drop paragraphs seen on earlier pages."""
    from trafilatura.deduplication import LRU_TEST

    first = extract(page(PARAGRAPHS), None).text
    others = [extract(page([*PARAGRAPHS, f"Update number {i} was added later on."]), None).text for i in range(6)]
    again = extract(page(PARAGRAPHS), None).text
    assert first == again
    assert all(text is not None and all(p in text for p in PARAGRAPHS) for text in others)
    assert not LRU_TEST.cache


def test_declared_charset_decodes_non_utf8() -> None:
    html = page(["Ce texte est écrit en français, avec des accents à la fin des mots."] * 3, "iso-8859-1")
    text, how = decode_html(html.encode("cp1252"))
    assert "français" in text
    assert how == "declared:cp1252"  # the HTML standard reads the label iso-8859-1 as windows-1252


def test_header_charset_wins_over_detection() -> None:
    data = page(["Москва сегодня принимает гостей со всего мира на большой выставке."] * 3, "x").encode("cp1251")
    text, how = decode_html(data, charset_from_content_type("text/html; charset=windows-1251"))
    assert "Москва" in text
    assert how == "declared:cp1251"


def test_valid_utf8_beats_a_wrong_declaration() -> None:
    data = page(["Zürich und Genève liegen in der Schweiz, sagt der Bericht heute."] * 3, "iso-8859-1").encode()
    text, how = decode_html(data)
    assert "Zürich" in text
    assert how == "utf-8"


def test_bom_decides_encoding() -> None:
    text, how = decode_html("\ufeff<html><body><p>Grüße</p></body></html>".encode("utf-16"))
    assert "Grüße" in text
    assert how.startswith("bom:")


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        (b"", "empty page"),
        ("   \n ", "empty page"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 1 0 obj", "not HTML: the content is a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not HTML: the content is a PNG image"),
        (b"ab\x00\x01\x02cd" * 10, "not HTML: binary content"),
        ("Just a line of plain text, no markup at all.", "not HTML: no HTML tags found"),
        ("<html><head><title>x</title></head><body><script>var a = 1;</script></body></html>", "nothing extracted"),
        (page(["Caf\ufffd \ufffdtait ferm\ufffd hier soir \ufffd cause de la gr\ufffdve."] * 4), "broken encoding"),
        (
            b"<html><body><article><p>" + bytes(range(128, 256)) * 4 + b"</p></article></body></html>",
            "broken encoding",
        ),
    ],
)
def test_rejects_say_why(html: str | bytes, reason: str) -> None:
    result = extract(html, None)
    assert result.text is None
    assert result.reason is not None
    assert result.reason.startswith(reason), result.reason


def test_charset_from_content_type() -> None:
    assert charset_from_content_type('text/html; charset="UTF-8"') == "utf-8"
    assert charset_from_content_type("text/html") is None
    assert charset_from_content_type("text/html; charset=no-such-codec") is None
    assert charset_from_content_type(None) is None


# --- found by review ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_pages_with_or_without_a_byte_order_mark_are_html(encoding: str) -> None:
    result = extract(page(PARAGRAPHS).encode(encoding))
    assert result.text is not None and PARAGRAPHS[0] in result.text


def test_a_stray_nul_byte_does_not_make_a_page_binary() -> None:
    html = page(PARAGRAPHS).replace("<body>", "<body>\x00")
    assert extract(html.encode()).text is not None
    assert extract(b"\x00\x01\x02\x03" * 1000).reason == "not HTML: binary content (NUL bytes)"


def test_a_page_labelled_latin_1_is_read_as_windows_1252() -> None:
    """The HTML standard decodes the label iso-8859-1 as windows-1252; such pages hold ’ — € in 0x80-0x9f."""
    text = "L’équipe — 5€ for the whole season, said the club’s owner on Monday in a long interview."
    html = page([text, *PARAGRAPHS], charset="iso-8859-1").encode("cp1252")
    result = extract(html)
    assert result.text is not None and text in result.text
    assert charset_from_content_type("text/html; charset=ISO-8859-1") == "cp1252"


def test_big_pages_skip_the_fallback_extractors_and_huge_ones_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaner.extract as extract_module

    html = page(PARAGRAPHS) + "<script>" + "x" * 5000 + "</script>"
    assert "fast" not in extract(html).info
    monkeypatch.setattr(extract_module, "FAST_ABOVE", 100)
    fast = extract(html)
    assert fast.info["fast"] is True and fast.text is not None and PARAGRAPHS[0] in fast.text
    assert extract_module._markup_chars(html) == len(page(PARAGRAPHS) + "</script>")  # scripts do not count
    unclosed = '<p title="<style>">' + page(PARAGRAPHS)  # a tag never closed hides nothing
    assert extract_module._markup_chars(unclosed) == len(unclosed)
    monkeypatch.setattr(extract_module, "MAX_MARKUP", 200)
    assert extract(html).reason.startswith("page too large to extract:")


def test_a_latin_1_page_with_a_byte_windows_1252_leaves_undefined_still_decodes() -> None:
    text = "Le garçon très content est allé à la plage pour la journée entière avec ses amis."
    html = page([text, *PARAGRAPHS], charset="iso-8859-1").encode("latin-1").replace(b"</p>", b"\x9d</p>", 1)
    decoded, how = decode_html(html)
    assert how == "declared:cp1252" and text in decoded
    assert extract(html).text is not None
