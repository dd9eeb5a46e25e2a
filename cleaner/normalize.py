"""Canonical text: the one form every format is reduced to before any offset is taken.

NFC, mojibake repaired, `\\n` line endings, no zero-width or control characters, horizontal whitespace collapsed,
one paragraph per line, no blank lines, a final newline. Quotes, dashes and letters stay as written.
ftfy costs ~13 MB/s, so it runs only where a cheap scan finds likely mojibake. C1 controls send text through it,
and it reads them as windows-1252, as browsers do: a stray NEL (U+0085) becomes "…", which in scraped text it
almost always was, rather than a line break.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ftfy

# What UTF-8 lead bytes of 2-byte (C2..DF) and longer (E0..F4) sequences, and continuation bytes (80..BF), read as
# in the "sloppy" single-byte encodings, the ones whose lost bytes ftfy restores (`replace_lossy_sequences`).
_LOSSY_ENCODINGS = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "latin-1")


def _read_as(low: int, high: int) -> str:
    chars = {c for encoding in _LOSSY_ENCODINGS for c in bytes(range(low, high + 1)).decode(encoding, "ignore")}
    return re.escape("".join(sorted(chars)))


_LEAD2, _LEAD3, _CONTINUATION = _read_as(0xC2, 0xDF), _read_as(0xE0, 0xF4), _read_as(0x80, 0xBF)
# The evidence that sends text to ftfy. UTF-8 read as Latin-1 / cp1252 leaves a lead byte (Â..ô) followed by a
# continuation byte shown as a Latin-1 symbol or a cp1252 punctuation mark ("Ã©", "â€™"); a C1 control is a cp1252
# character read as Latin-1.
_FOLLOWERS = "".join(map(chr, [*range(0x80, 0xC0), 0x152, 0x153, 0x160, 0x161, 0x178, 0x17D, 0x17E, 0x192, 0x2C6,
                               0x2DC, 0x2013, 0x2014, 0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E, 0x2020, 0x2021,
                               0x2022, 0x2026, 0x2030, 0x2039, 0x203A, 0x20AC, 0x2122]))  # fmt: skip
_LIKELY_MOJIBAKE = re.compile(f"[\u00c2-\u00f4][{re.escape(_FOLLOWERS)}]|[\u0080-\u009f]")
# The same on UTF-8 bytes, which `re` scans ~3x faster than text (Â..ô are C3 82..C3 B4, C1 controls C2 80..C2 9F).
_LIKELY_MOJIBAKE_UTF8 = re.compile(
    b"\xc3[\x82-\xb4](?:" + b"|".join(re.escape(c.encode()) for c in _FOLLOWERS) + b")|\xc2[\x80-\x9f]"
)
# A U+FFFD where a continuation byte belongs, or next to a Latin-1 letter, is a multi-byte sequence that lost a byte
# ("Ã\ufffd"; "OceanĂ\ufffd" from cp1250): ftfy's LOSSY_UTF8_RE, in characters. A U+FFFD alone is not evidence:
# it is what a decoder leaves for bytes that were never text, and scraped news holds many (bench: 522 of 3,788
# articles, each of them sent through ftfy twice for nothing).
_LOSSY_MOJIBAKE = re.compile(
    f"[{_LEAD2}]\ufffd|[{_LEAD3}](?:\ufffd[\ufffd{_CONTINUATION}]|[{_CONTINUATION}]\ufffd)"
    "|[\u00c0-\u00ff]\ufffd|\ufffd[\u00c0-\u00ff]"
)

# Control characters (C0 except \t and the line breaks, DEL, C1 except NEL), zero-width space, word joiner, BOM,
# soft hyphen, bidi embedding controls and lone surrogates (which no encoder accepts).
# ZWNJ/ZWJ (U+200C/D) are kept: they are part of the spelling in Persian, Indic scripts and emoji.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u00ad\u200b\u2060-\u2064\ufeff"
    "\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# Every piece of evidence holds one of these characters (is_canonical looks for them before asking for evidence).
_MOJIBAKE_LEAD = re.compile("[\u0080-\u009f\u00c2-\u00f4\ufffd]")
# Characters that send a text through the full procedure: whitespace other than " " and "\n" (tabs, CR, NBSP and
# every line break `str.splitlines` knows), invisible characters, and mojibake lead bytes (which need a closer
# look). Each is one character class: `re` scans a class in one tight loop, an alternation costs several times more.
_ODD_SPACE = re.escape("".join(chr(c) for c in range(0x3001) if chr(c).isspace() and chr(c) not in " \n"))
_UNTIDY_CHAR = re.compile("[" + _ODD_SPACE + _INVISIBLE.pattern[1:-1] + "]")
_SUSPECT = re.compile("[" + _ODD_SPACE + _INVISIBLE.pattern[1:-1] + _MOJIBAKE_LEAD.pattern[1:-1] + "]")


@cache
def _ftfy_config() -> ftfy.TextFixerConfig:
    import ftfy

    return ftfy.TextFixerConfig(
        remove_control_chars=False,  # _tidy's job: ftfy would delete a vertical tab that _tidy reads as a line break
        unescape_html=False,
        uncurl_quotes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        fix_line_breaks=False,
        normalization=None,
        explain=False,
    )


def has_mojibake_evidence(text: str) -> bool:
    """Whether `text` shows real signs of mis-decoded text (`_LIKELY_MOJIBAKE`, `_LOSSY_MOJIBAKE`), cheap scans first.

    A pair or a C1 control holds a character of U+0080..U+00FF, the only ones whose UTF-8 starts with byte C2 or
    C3, and `bytes.find` finds a byte several times faster than `re` scans a class: most text (ASCII with curly
    quotes and dashes, or a non-Latin script) is cleared without a regex, and the rest is searched as bytes.
    """
    if text.isascii():
        return False
    if "\ufffd" in text and _LOSSY_MOJIBAKE.search(text) is not None:
        return True
    data = text.encode("utf-8", "surrogatepass")
    if data.find(b"\xc2") < 0 and data.find(b"\xc3") < 0:
        return False
    return _LIKELY_MOJIBAKE_UTF8.search(data) is not None


def repair_mojibake(text: str) -> str:
    """Run ftfy only on evidence of mis-decoded UTF-8 (ftfy costs ~5x the rest of normalization)."""
    if not has_mojibake_evidence(text):
        return text
    import ftfy

    return ftfy.fix_text(text, _ftfy_config())


def _tidy(text: str) -> str:
    """Line breaks, invisible characters, whitespace and NFC. `str.splitlines` and `str.split` do the work in C:
    they know every Unicode line break (CR, CRLF, VT, FF, NEL, U+2028/9) and space (tabs, NBSP, U+2000-200A,
    ideographic space), which runs at several times the speed of regex substitutions. Text that is tidy already
    but for a final newline (most scraped text) is recognized by a few scans instead, ~3x cheaper."""
    if _is_tidy_but_the_end(text):
        text = text.removesuffix("\n")
    else:
        text = _INVISIBLE.sub("", text)
        text = "\n".join(filter(None, (" ".join(line.split()) for line in text.splitlines())))
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _is_tidy_but_the_end(text: str) -> bool:
    """Whether splitting into lines and words and joining them again leaves `text` as it is, but for one final
    newline: no space or line break at an edge or next to another, and no other whitespace or invisible character
    (`_UNTIDY_CHAR` holds every character `str.split` and `str.splitlines` break at, but " " and "\n")."""
    return (
        text[:1] not in (" ", "\n")
        and not text.endswith((" ", "\n\n"))
        and "  " not in text
        and " \n" not in text
        and "\n " not in text
        and "\n\n" not in text
        and _UNTIDY_CHAR.search(text) is None
    )


def is_canonical(text: str) -> bool:
    """Whether `normalize(text) == text`, judged by a few scans: most scraped text is tidy already, and this costs
    about a third of normalizing it (bench: 24 vs 65 us per 2.7 KB document)."""
    if not text.endswith("\n") or text[0] in " \n" or "  " in text.replace("\n", " "):
        return False  # a space or line break next to another: doubled spaces, line edges, blank lines
    if text.isascii():
        return _SUSPECT.search(text) is None
    if not unicodedata.is_normalized("NFC", text):
        return False
    suspect = _SUSPECT.search(text)
    if suspect is None:
        return True
    return _UNTIDY_CHAR.search(text, suspect.start()) is None and repair_mojibake(text) == text


def normalize(text: str) -> str:
    """Return the canonical form of `text`; deterministic and idempotent.

    Mojibake is repaired first, on the raw text, because C1 controls are part of what ftfy reads. Tidying can
    then make a mojibake pair adjacent (a control character between them goes) and a repair can leave something
    to tidy, so the two alternate until nothing changes (in practice at most two rounds).
    """
    if text and is_canonical(text):
        return text
    return _normalize_fully(text)


def _normalize_fully(text: str) -> str:
    """The full procedure; `normalize` skips it for text that is canonical already."""
    evidence = has_mojibake_evidence(text)
    raw = repair_mojibake(text) if evidence else text
    text = _tidy(raw)
    if not evidence and text == raw.removesuffix("\n"):
        # No evidence, and tidying changed nothing but a final newline (which evidence never involves): the
        # check below would look at the same characters again.
        return text + "\n" if text else ""
    for _ in range(4):
        # Judge the form this function returns (with its final newline): ftfy reads a line's end, so that is
        # what normalizing the result again would see.
        repaired = repair_mojibake(text + "\n")
        if repaired == text + "\n":
            break
        text = _tidy(repaired)
    return text + "\n" if text else ""
