"""Property tests for DESIGN.md's invariants on random documents built the way scrapers break them:
repeated, edited and interleaved paragraphs, stray whitespace, short separators."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner.apply import restore
from cleaner.normalize import normalize
from cleaner.pipeline import Cleaner
from cleaner.rules import bundled_rules_dir
from tests.helpers import FIXTURES

WORDS = st.sampled_from(
    "the minister said on monday that talks in baku would continue despite tensions over gaza and "
    "ukraine “quoted” don’t 2024 12 percent élection Straße новости 東京 - —".split()
)
SEPARATORS = [
    "-",
    "Politics",
    "Photo",
    "  ",
    "\t-\t",
    "Leave a review",
    "Advertisement",
    "Share this article",
    "Menu",
    "Footer",
    "Related",
    "- a related link",
    "Sponsored",
]
SENTENCE = st.lists(WORDS, min_size=1, max_size=12).map(lambda words: " ".join(words).capitalize() + ".")
PARAGRAPH = st.one_of(
    st.lists(WORDS, min_size=1, max_size=25).map(" ".join),  # a headline, a teaser: no full stop
    st.lists(SENTENCE, min_size=1, max_size=4).map(" ".join),
)

_cleaner = Cleaner(rules=[])
# Bundled rules plus rules of every kind (span, head, tail, block, a line rule with a lookahead).
_bundled = Cleaner(rules=[bundled_rules_dir(), FIXTURES / "property_rules"])


@st.composite
def scraped_documents(draw: st.DrawFn) -> str:
    """A document whose paragraphs are new, copied, edited copies or interleaved copies of earlier ones."""
    pool = draw(st.lists(PARAGRAPH, min_size=1, max_size=8))
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 24))):
        action = draw(st.sampled_from(["new", "copy", "edit", "block", "separator", "blank", "credit"]))
        if action == "new" or not lines:
            lines.append(draw(st.sampled_from(pool)))
        elif action == "copy":
            lines.append(draw(st.sampled_from(lines)))
        elif action == "edit":
            words = draw(st.sampled_from(lines)).split(" ")
            words[draw(st.integers(0, len(words) - 1))] = draw(WORDS)
            lines.append(" ".join(words).replace("“", '"'))
        elif action == "block":
            start = draw(st.integers(0, len(lines) - 1))
            lines.extend(lines[start : start + draw(st.integers(1, 5))])
        elif action == "credit":  # a copy that differs only by an inline photo credit, which a span rule cuts
            lines.append(draw(st.sampled_from(lines)) + " (Photo: AP)")
        elif action == "separator":
            lines.append(draw(st.sampled_from(SEPARATORS)))
        else:
            lines.append("")
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return ending.join(lines) + draw(st.sampled_from(["", ending]))


def flatten(text: str) -> str:
    """What a whitespace-collapsing scraper gives: every line break a space."""
    return " ".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def any_shape() -> st.SearchStrategy[str]:
    """Scraped documents as they come, and the same flattened onto one line (sentence units)."""
    return st.one_of(scraped_documents(), scraped_documents().map(flatten))


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(any_shape())
def test_ledger_rebuilds_the_normalized_input(text: str) -> None:
    doc = _cleaner.clean(text)
    assert doc.source == normalize(text)
    assert restore(doc.text, doc.removals) == doc.source
    for removal in doc.removals:
        assert doc.source[removal.start : removal.end] == removal.text


@SETTINGS
@given(any_shape())
def test_cleaning_is_idempotent_and_canonical(text: str) -> None:
    once = _cleaner.clean(text).text
    assert normalize(once) == once
    assert _cleaner.clean(once).text == once


@SETTINGS
@given(any_shape(), st.sampled_from([None, "https://turan.az/en/politics/1", "https://example.com/a"]))
# A glued headline copy that ends its line after a near-duplicate there: the copy is cut up to the space the
# near-duplicate takes in apply, or the two took the line break between them (stutter._glued).
@example("minister the the the the the the Minister the the the the the the. The. minister the the the the the the",
         None)  # fmt: skip
def test_idempotent_with_rules_of_every_kind(text: str, url: str | None) -> None:
    """Rules and near-duplicates together: removing a block can expose a sidebar to a rule, cutting a span can
    make a line a copy of another; still a fixpoint."""
    once = _bundled.clean(text, url=url)
    assert restore(once.text, once.removals) == once.source
    assert _bundled.clean(once.text, url=url).text == once.text


@SETTINGS
@given(st.lists(any_shape(), min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_output_is_deterministic_in_any_order_and_batch(texts: list[str], rng: random.Random) -> None:
    alone = [_cleaner.clean(t).text for t in texts]
    order = list(range(len(texts)))
    rng.shuffle(order)
    batched = list(_cleaner.clean_many([texts[i] for i in order]))
    for position, index in enumerate(order):
        assert batched[position].text == alone[index]
        assert [r.to_json() for r in batched[position].removals] == [
            r.to_json() for r in _cleaner.clean(texts[index]).removals
        ]


@SETTINGS
@given(any_shape())
# A stutter's source inside a block that a later round removed as a copy (apply.point_at_kept_sources).
@example("the\nthe\nthe the the don’t\nLeave a review\nLeave a review\nthe\nthe the the don’t\nLeave a review\n"
         "Leave a review\nLeave a review\nthe\nthe the the don’t\nLeave a review\nLeave a review")  # fmt: skip
# A near-duplicate's source across two glued copies of a headline that the stutter stage then cut: its words run on
# from one copy into the next, so they are nowhere in the kept headline as one text (apply.point_at_kept_sources).
@example("The the minister. The. The the minister. The.  The the minister. The.  the The the minister. The.    the "
         "The the minister. The. the")  # fmt: skip
def test_first_copy_is_kept(text: str) -> None:
    """Near-duplicate removal never removes the only copy: every removed block points at earlier text, and the
    cleaned text still holds that first copy (what is left of it may not be removed as well)."""
    doc = _cleaner.clean(text)
    spans = sorted((r.start, r.end) for r in doc.removals)
    for removal in doc.removals:
        assert removal.dup_of is not None and removal.dup_of[1] <= removal.start
        start, end = removal.dup_of
        covered = sum(max(0, min(end, b) - max(start, a)) for a, b in spans)
        assert covered < end - start, (removal.to_json(), "its source went too")


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_normalize_is_idempotent_on_any_text(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert "\r" not in once and "\u200b" not in once
    assert once == "" or (once.endswith("\n") and not once.startswith("\n") and "\n\n" not in once)
