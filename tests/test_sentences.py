"""cleaner.sentences.split: the hard cases of news text, the covering invariant, stability under deletion of a
unit (what makes cleaning idempotent), and bounded work on pathological input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.sentences import split, without_unit

SEPARATOR_CHARS = frozenset("-–—―−*~=_•|·¦▪●■□◆◇►▶▸♦∙⋅◦‣⁃○")

# (input, expected units in order). bench/bench_splitters.py scores every candidate library on these too.
HARD_CASES: list[tuple[str, list[str]]] = [
    ("The U.S. Army said it was ready. Officials agreed.", ["The U.S. Army said it was ready.", "Officials agreed."]),
    (
        "Gov. Gavin Newsom signed the bill. It takes effect in July.",
        ["Gov. Gavin Newsom signed the bill.", "It takes effect in July."],
    ),
    ("The vote is on Feb. 3 in Baku. Results follow.", ["The vote is on Feb. 3 in Baku.", "Results follow."]),
    (
        "J. K. Rowling wrote the books. She lives in Edinburgh.",
        ["J. K. Rowling wrote the books.", "She lives in Edinburgh."],
    ),
    (
        "Inflation rose 3.5% in March. The bank met at 10.30am on Monday. Rates held.",
        ["Inflation rose 3.5% in March.", "The bank met at 10.30am on Monday.", "Rates held."],
    ),
    ('He said "no." Then he left.', ['He said "no."', "Then he left."]),
    ("The plan failed (see below.) Next year will differ.", ["The plan failed (see below.)", "Next year will differ."]),
    ("Wait... What happened next?", ["Wait...", "What happened next?"]),
    (
        "Read it at example.com/a.b today. Write to j.doe@mail.co.uk for details. Thanks.",
        ["Read it at example.com/a.b today.", "Write to j.doe@mail.co.uk for details.", "Thanks."],
    ),
    (
        "He lives at No. 10 Downing Street. The door is black.",
        ["He lives at No. 10 Downing Street.", "The door is black."],
    ),
    (
        "Delegates arrived in Baku for COP29. - Journalist Imran Aliyev reports.",
        ["Delegates arrived in Baku for COP29.", "-", "Journalist Imran Aliyev reports."],
    ),
    ("BAKU.- The minister met his counterpart.", ["BAKU.", "-", "The minister met his counterpart."]),
    ('Have you ever been asked?"Do you have a tip for us', ['Have you ever been asked?"', "Do you have a tip for us"]),
    (
        "Politics Azerbaijani Foreign Minister met his Turkish counterpart.",
        ["Politics Azerbaijani Foreign Minister met his Turkish counterpart."],
    ),
    ("A teaser. - Another teaser. - Third", ["A teaser.", "-", "Another teaser.", "-", "Third"]),
    (
        "Share this. • Follow us on Facebook. | Subscribe",
        ["Share this.", "•", "Follow us on Facebook.", "|", "Subscribe"],
    ),
    ("The minister - who was late - said nothing.", ["The minister - who was late - said nothing."]),
    ("Mr. Smith went to Washington. He stayed.", ["Mr. Smith went to Washington.", "He stayed."]),
]


def is_separator(unit: str) -> bool:
    """A unit made only of separator characters ("-", "•", "|"): the cleaner never removes one on its own."""
    return bool(unit) and all(ch in SEPARATOR_CHARS for ch in unit)


def spans_for(text: str, units: list[str]) -> list[tuple[int, int]]:
    """The spans of `units`, found in order in `text`."""
    spans = []
    cursor = 0
    for unit in units:
        start = text.index(unit, cursor)
        spans.append((start, start + len(unit)))
        cursor = start + len(unit)
    return spans


@pytest.mark.parametrize(("text", "units"), HARD_CASES, ids=[t[:40] for t, _ in HARD_CASES])
def test_hard_case(text: str, units: list[str]) -> None:
    assert split(text) == spans_for(text, units)


@pytest.mark.parametrize(
    ("text", "units"),
    [
        (
            "Tickets go on sale at 10 a.m. Friday, Dec. 6. Doors open at 9.",
            ["Tickets go on sale at 10 a.m. Friday, Dec. 6.", "Doors open at 9."],
        ),
        ("Wait... what did he say? Nothing.", ["Wait... what did he say?", "Nothing."]),
        ("It ended in 2019. In 2020 it began again.", ["It ended in 2019.", "In 2020 it began again."]),
        ("Smith v. Jones was heard. E.g. Germany did it.", ["Smith v. Jones was heard.", "E.g. Germany did it."]),
        ('"Why?" he asked. "Because."', ['"Why?" he asked.', '"Because."']),
    ],
)
def test_more_news_cases(text: str, units: list[str]) -> None:
    assert split(text) == spans_for(text, units)


def test_range_is_respected_and_offsets_point_into_the_whole_text() -> None:
    text = "Intro. The U.S. Army said it. Next one. Outro."
    start, end = text.index("The"), text.index(" Outro")
    assert [text[s:e] for s, e in split(text, start, end)] == ["The U.S. Army said it.", "Next one."]


def test_empty_and_blank() -> None:
    assert split("") == []
    assert split(" \t\u00a0 ") == []
    assert split("  One.  Two.  ") == [(2, 6), (8, 12)]


def test_cjk_and_uncased_scripts() -> None:
    assert split("北京很好。上海也好！") == [(0, 5), (5, 10)]
    text = "وصل الوزير. ثم غادر."
    assert [text[s:e] for s, e in split(text)] == ["وصل الوزير.", "ثم غادر."]


def test_separators_at_the_start_and_in_a_row() -> None:
    text = "- Top story. - - Second | Third"
    assert [text[s:e] for s, e in split(text)] == ["-", "Top story.", "-", "-", "Second", "|", "Third"]


# Text made of the characters that matter to the splitter.
ALPHABET = st.sampled_from(
    [*"aAbBzZ19 .!?…\"'”“()-|•。\t", "\u00a0", "U.S.", "Mr.", "J.", "e.g.", " - ", ".- ", '?"', "Gov. "]
)
TEXTS = st.lists(ALPHABET, max_size=60).map("".join)


def check_covering(text: str, spans: list[tuple[int, int]], start: int, end: int) -> None:
    cursor = start
    for s, e in spans:
        assert cursor <= s < e <= end
        assert text[cursor:s].strip() == ""
        assert not text[s].isspace() and not text[e - 1].isspace()
        cursor = e
    assert text[cursor:end].strip() == ""


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.data())
def test_spans_cover_every_non_space_character_once(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    spans = split(text, start, end)
    check_covering(text, spans, start, end)
    assert spans == [(s + start, e + start) for s, e in split(text[start:end])]


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.data())
def test_deleting_a_unit_leaves_the_others_unchanged(text: str, data: st.DataObject) -> None:
    spans = split(text)
    deletable = [i for i, (s, e) in enumerate(spans) if not is_separator(text[s:e])]
    if len(spans) < 2 or not deletable:
        return
    i = data.draw(st.sampled_from(deletable))
    # The unit goes with the whitespace after it (before it, if it is the last one), as a removal does.
    rest, expected = without_unit(text, spans, i)
    assert split(rest) == expected


def test_pathological_long_paragraph_without_a_full_stop() -> None:
    text = "word and Another, " * 600_000  # ~10 MB
    assert split(text) == [(0, len(text) - 1)]


def test_pathological_runs_that_could_backtrack() -> None:
    for text in (
        "-" * 1_000_000 + "x",
        "." * 1_000_000 + " 5",
        "!" * 500_000 + '"' * 500_000 + " 5",
        "a. (" + "(" * 1_000_000 + "5",
        " " * 1_000_000 + "|" + " " * 1_000_000,
    ):
        spans = split(text)
        check_covering(text, spans, 0, len(text))


@pytest.mark.slow
def test_pathological_a_million_one_letter_sentences() -> None:
    lower = "a. " * 1_000_000
    assert split(lower) == [(0, len(lower) - 1)]  # no sentence starts lower case
    upper = "Ab. " * 1_000_000
    spans = split(upper)
    assert len(spans) == 1_000_000 and spans[-1] == (len(upper) - 4, len(upper) - 1)


@pytest.mark.slow
def test_pathological_only_separators() -> None:
    text = "- | • " * 200_000
    spans = split(text)
    assert len(spans) == 600_000
    assert all(is_separator(text[s:e]) for s, e in spans)


# Dateline-like text: capitals, commas, dots, dashes and spaces, with some lower case and other letters.
_DATELINE_ALPHABET = st.sampled_from(["WASHINGTON", "DC", "U.S.", "BAKU", "Baku", "Paris", "the", "a", "x"])
_DATELINE_TEXT = st.lists(
    st.one_of(_DATELINE_ALPHABET, st.sampled_from([" ", " ", ", ", " - ", " – ", ".- ", "-", ". ", "—", "  "])),
    max_size=30,
).map("".join)


@settings(max_examples=400)
@given(_DATELINE_TEXT, st.integers(0, 20), st.integers(0, 20))
def test_dateline_starts_are_what_a_scan_of_every_position_finds(text: str, cut_start: int, cut_end: int) -> None:
    from cleaner.segment import _DATELINE, _dateline_starts

    start, end = min(cut_start, len(text)), max(len(text) - cut_end, 0)
    expected = [m.start() for m in _DATELINE.finditer(text, start, end)] if start < end else []
    assert _dateline_starts(text, start, end) == expected


def test_dateline_starts_on_real_datelines() -> None:
    from cleaner.segment import _dateline_starts

    text = "Iran talks stall WASHINGTON, DC - As Iran said no. The end BAKU, Azerbaijan. - Next WASHINGTON - x"
    expected = [text.index(" WASHINGTON"), text.index(" BAKU"), text.rindex(" WASHINGTON")]
    assert _dateline_starts(text, 0, len(text)) == expected
