"""Cases a long property-test run found, kept as regression tests: removing one thing must not let a second
cleaning remove more."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import Cleaner

CASES = {
    # max_fraction is judged on what is left: with "Advertisement" gone the tail rule is within its limit.
    "max_fraction after another removal": (
        "the\n" * 7 + "Leave a review\n" + "the\n" * 3 + "Advertisement\n",
        "https://turan.az/en/x",
    ),
    # `detect` looks at the end of the page, which shows only once the advertisement line after it is gone.
    "detect after another removal": (
        "the the\n" * 4
        + "Advertisement\n"
        + "the the\n" * 10
        + "Leave a review\n"
        + "the the\n" * 5
        + "Leave a review\nthe the\nthe the\nLeave a review\nAdvertisement\n",
        None,
    ),
    # A repeated block removed by near-duplicates leaves the page ending in "Leave a review".
    "detect after a near-duplicate removal": (
        "A first paragraph of the article with enough words.\nSecond paragraph, also long enough to count.\n"
        "Leave a review\nA first paragraph of the article with enough words.\n"
        "Second paragraph, also long enough to count.\n",
        None,
    ),
    # A stutter cut that starts a sentence and ends inside it ("T. T. minister ...") leaves a remainder that joins
    # the sentence before it in the cleaned text; the stages must look at those units (Cleaner._resegment).
    "stutter cut inside a later unit": (
        "The the the the minister. The the the the minister. minister the the the minister. The the the the "
        "minister. The the the the minister.",
        None,
    ),
    "stutter cut before a lowercase sentence": (
        "Minister. The the the the the. Minister. The the the the the. the the Minister. The the the the the. "
        "Minister. The the the the the. Minister. The the the the the.",
        None,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_cleaning_the_cleaned_text_changes_nothing(name: str) -> None:
    text, url = CASES[name]
    cleaner = Cleaner()
    once = cleaner.clean(text, url=url)
    assert once.removals, "the case must exercise a removal"
    assert cleaner.clean(once.text, url=url).text == once.text


def test_detect_after_near_duplicates_places_the_site() -> None:
    text, _ = CASES["detect after a near-duplicate removal"]
    result = Cleaner().clean(text)
    assert result.site == "turan.az"
    assert "Leave a review" not in result.text



@pytest.mark.parametrize(
    ("text", "rules"),
    [
        # "Mr." is cut from the copy of the headline glued after it; with the copy gone it joins "A." (no sentence
        # ends at an abbreviation), which brings the next copy into the window a second cleaning looks at.
        (
            "The the the minister. Read more BAKU, Azerbaijan - “Quote.” Mr. The the the minister. A. The the the "
            "minister. “Quote.” x",
            [],
        ),
        # The stutter stage cuts a glued copy from the start of a line; what is left of the line is one the line
        # rules have not judged: they look again (not only the rules that see context).
        ("Follow us on Twitter Follow us on Twitter said Gov. Mr. Follow us on Twitter \n “Quote.”", None),
        # "| | Advertisement" is one unit after a teaser line; once that line goes it starts the text, where the
        # separators are a unit of their own and "Advertisement" another, which the rule removes.
        (
            "Read more: Share this article x Read more: Leave a Reply By Jane Doe (Photo: AP) Follow us on Twitter "
            "Read more: “We got her.” | | Advertisement",
            None,
        ),
        # The stutter stage cuts a glued headline copy from the head of a unit: the rest ("Read more: ...") starts a
        # unit, so the rules must see it as a line of its own, as they will in the cleaned text.
        (
            "Parliament approves new budget. Parliament approves new budget Read more: Share this article © 2024 AP x "
            "Parliament approves new budget. (Photo: AP) Follow us on Twitter “We got her.” Follow us on Twitter | - |"
            " - \n",
            None,
        ),
        # "(Photo: AP) S" is cut in two because S repeats the unit before it; once the near-duplicate stage removes
        # that copy, nothing cuts it, and "(Photo: AP) S" repeats the first sentence closely enough to go too.
        (
            "| BAKU, Azerbaijan - The planned blackouts will affect counties north of Sacramento, in the northern San "
            "Francisco Bay Area, the wine country and Sierra Nevada foothills. The planned blackouts will affect "
            "counties north of Sacramento, in the northern San Francisco Bay Area, the wine country and Sierra Nevada "
            "foothills. (Photo: AP) The planned blackouts will affect counties north of Sacramento, in the northern "
            "San Francisco Bay Area, the wine country and Sierra Nevada foothills. Obviously, three years is a long "
            "time, and actors’ schedules shift. |",
            [],
        ),
        # The photo-credit rule removes the first unit; what is left starts the cleaned text with a glued stutter.
        (
            "(Photo: AP) Follow us on Twitter Smith said. Follow us on Twitter Follow us on Twitter “Quote.” "
            "“Quote.” BAKU, Azerbaijan - Share this: Share this: Follow us on Twitter",
            None,
        ),
    ],
)
def test_what_a_first_cleaning_leaves_next_to_a_cut_is_seen_as_the_cleaned_text_shows_it(
    text: str, rules: list[str] | None
) -> None:
    cleaner = Cleaner() if rules is None else Cleaner(rules=rules)
    once = cleaner.clean(text)
    assert once.removals
    assert cleaner.clean(once.text).text == once.text


def test_a_glued_copys_heading_that_joins_the_next_sentence_is_looked_at_again() -> None:
    """ "(Photo: AP) T." is cut in two because "T." repeats the headline; once that copy goes, "(Photo: AP)" joins
    the sentence after it, which brings the next copy of the headline into the window a second cleaning looks at.
    (No rules: the bundled photo-credit rule would remove "(Photo: AP)" first.)"""
    text = (
        "The the the minister. The. The the the minister. The. (Photo: AP) The the the minister. The. The the the "
        "minister. The. The the the minister. The."
    )
    cleaner = Cleaner(rules=[])
    once = cleaner.clean(text)
    assert once.text == "The the the minister. The. (Photo: AP) The. The. The.\n"
    assert cleaner.clean(once.text).text == once.text


# Texts built from real article sentences, that repeat heavily (bench/idempotence_hunt.py found them, and its
# minimizer cut them down): each failed before the fix named.
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "idempotence"
FIXTURE_CASES: dict[str, tuple[str | None, bool]] = {  # name -> (url, with the bundled rules)
    # A paragraph of 1,206 characters is split into sentences; with a copied sentence gone it is one unit in the
    # cleaned text, which the next paragraph repeats (segment._may_become_short).
    "long-paragraph-shrinks": (None, True),
    # A near-duplicate takes the start of a line and the tail rule the rest, neither its line break
    # (apply.no_emptied_lines).
    "line-emptied-by-two-stages": ("https://turan.az/en/x", True),
    # "T. H. Leave a review" with T and H earlier units: H is a copy glued on after the first copy is cut off,
    # and is cut off too (segment._cut_glued).
    "second-copy-glued-on": ("https://turan.az/en/x", True),
    # "Share on Facebook" glued to a copy that goes is a line of its own in the cleaned text, and the line
    # "Share on Facebook -" after it a stutter of it (stutter._whole_paragraphs).
    "unit-left-alone-on-its-line": (None, False),
    # U1 = "Follow us on Twitter C", then C, then "Share this article U1": the copy of U1 glued on is cut again
    # where it holds C, as the cleaned text cuts it once "Share this article" goes (segment._cut_glued).
    "copy-glued-before-its-copy": (None, True),
    # A short paragraph "B. O. R." cut after "B." and "O." only because they copy sentences of a long paragraph
    # before it: once that copy of B goes, the cleaned text's paragraph is one unit, O is one copy fewer, and a
    # block that copies O's source is no longer a template's (segment._cuts_may_change).
    "glued-cut-at-a-sentence-end": (None, False),
    # A copy at the end of a line is seen without the space before it and with the line's break; the tail rule
    # then takes the rest of the line and that break, and with nothing kept before it the copy takes the break in
    # apply: the space was left alone on the line (rules.view.View.to_source takes it with the rule's span).
    "space-a-closed-copy-took": ("https://turan.az/en/x", True),
}


@pytest.mark.parametrize("name", sorted(FIXTURE_CASES))
def test_cleaning_a_cleaned_repetitive_text_changes_nothing(name: str) -> None:
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    url, bundled_rules = FIXTURE_CASES[name]
    cleaner = Cleaner() if bundled_rules else Cleaner(rules=[])
    once = cleaner.clean(text, url=url)
    assert once.removals, "the case must exercise a removal"
    assert cleaner.clean(once.text, url=url).text == once.text


def test_a_line_two_stages_empty_between_them_goes_with_its_line_break() -> None:
    text = (FIXTURES / "line-emptied-by-two-stages.txt").read_text(encoding="utf-8")
    cleaned = Cleaner().clean(text, url=FIXTURE_CASES["line-emptied-by-two-stages"][0]).text
    assert "\n\n" not in cleaned and cleaned.endswith("\n")


def test_a_line_a_cut_ends_is_seen_without_the_space_before_the_cut() -> None:
    """The stutter stage cuts "the the Footer ..." from "Footer the the Footer The the.": the cleaned line is
    "Footer", without the space, so the rules must see it so for `^Footer$` (a property rule) to hold in the first
    cleaning as in the second (a hypothesis run found this)."""
    from cleaner.record import Removal
    from cleaner.rules import bundled_rules_dir
    from cleaner.rules.view import view_of

    source = "A. Footer the rest\n"
    cut = Removal(start=10, end=18, text=source[10:18], stage="stutter", reason="r")
    assert view_of(source, [cut], [3]).text == "A.\nFooter\n"
    cleaner = Cleaner(rules=[bundled_rules_dir(), FIXTURES.parent / "property_rules"])
    text = (
        "The the. The the. The the. Footer the the Footer The the. The the. The the. The the. The the. Footer the "
        "the Footer"
    )
    once = cleaner.clean(text)
    assert once.text == "The the.\n"
    assert cleaner.clean(once.text).text == once.text


def test_a_dropped_title_and_its_copy_before_a_near_duplicate_take_their_whole_line() -> None:
    """With the title dropped, the glued cut takes the line up to the near-duplicate that ends it, space and all:
    nothing is kept before that copy, so it takes the line break, and no space is left alone on the line."""
    title = "minister the the the the the the"
    text = f"{title} {title}. The. {title}"
    cleaner = Cleaner(rules=[], title_in_text="drop")
    once = cleaner.clean(text, meta={"title": title})
    assert once.removals
    assert once.text.strip() == once.text.strip(" ") and " \n" not in once.text and once.text != " "
    assert cleaner.clean(once.text, meta={"title": title}).text == once.text
