"""Which repeated paragraphs go, and in how many removals: chains of edits, stutters and runs of copies."""

from __future__ import annotations

from cleaner import Cleaner
from cleaner.minhash import shingle_bytes

A = (
    "Rescue teams searched the flooded villages north of the capital on Tuesday while officials warned that more "
    "heavy rain was expected overnight."
)
B = "Opposition leaders called the proposal a distraction from the budget crisis at home, and asked for a vote."
C = "The central bank left its main rate unchanged for the third month running, citing slowing inflation."


def _jaccard(a: str, b: str) -> float:
    x, y = set(shingle_bytes(a)), set(shingle_bytes(b))
    return len(x & y) / len(x | y)


def test_a_chain_of_small_edits_keeps_text_like_every_removed_paragraph() -> None:
    """A, A1, A2, A3, A4 each differ from the one before by a word: each removed paragraph must repeat one the
    reader still sees, so the chain is not removed down to A."""
    chain = [A]
    for old, new in (("warned", "said"), ("flooded", "damaged"), ("rain", "snow"), ("Rescue", "Army")):
        chain.append(chain[-1].replace(old, new))
    result = Cleaner().clean("\n".join(chain))
    kept = result.text.splitlines()
    removed = [p for p in chain if p not in kept]
    assert removed and len(kept) >= 2
    for paragraph in removed:
        assert max(_jaccard(paragraph, k) for k in kept) >= 0.8
    assert Cleaner().clean(result.text).removed == []


def test_a_paragraph_repeated_thousands_of_times_is_one_removal() -> None:
    """One pass, not one per copy (each pass compared every pair: a page like this stalled a worker for minutes)."""
    result = Cleaner().clean("\n".join([A] * 3000))
    assert result.text == A + "\n"
    assert len(result.removed) == 1 and result.removed[0].reason == "repeats paragraph 1 (Jaccard 1.00)"


def test_a_block_repeated_many_times_in_a_row_is_one_removal() -> None:
    result = Cleaner().clean("\n".join([A, B] * 500 + [C]))
    assert result.text == f"{A}\n{B}\n{C}\n"
    assert [r.reason for r in result.removed] == ["repeats paragraphs 1-2 (Jaccard 1.00)"]


def test_a_body_captured_twice_with_a_stuttered_first_line_goes() -> None:
    """The second copy starts with its first paragraph twice: still a copy right after the first."""
    body = [A, B, C]
    result = Cleaner().clean("\n".join([*body, A, *body, "Share this article"]))
    assert result.text.startswith(f"{A}\n{B}\n{C}\n") and result.text.count(A) == 1


def test_a_stutter_of_a_kept_repeat_goes() -> None:
    """A' repeats A away from it (kept: a lone repeat); A'' edits A' once more and sits right after it, so it is a
    stutter of text the reader sees, though it no longer passes the threshold against A."""
    words = (
        "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec "
        "romeo sierra tango"
    ).split()
    a = " ".join(words)
    a1 = " ".join([*words[:6], "xray", *words[7:]])
    a2 = " ".join([*words[:6], "xray", *words[7:13], "zulu", *words[14:]])
    assert _jaccard(a2, a1) >= 0.8 > _jaccard(a2, a)
    result = Cleaner(rules=[]).clean("\n".join([a, B, C, a1, a2]))
    assert result.text == f"{a}\n{B}\n{C}\n{a1}\n"
    assert [r.reason for r in result.removed] == ["repeats paragraph 4 (Jaccard 0.81)"]


def test_a_body_captured_again_after_a_stuttered_headline_loses_its_stray_headline() -> None:
    """H, H, A, B, C, H, A, B, C: the last H was matched to the first H, and A, B, C to the paragraphs after the
    second, so they formed two blocks and the stray H stayed (it looked like a recurring template line). The
    stutter goes first; then the second capture is one block, and goes whole."""
    headline = "Floods close the northern highway as rescue teams search the villages"
    result = Cleaner(rules=[]).clean("\n".join([headline, headline, A, B, C, headline, A, B, C]))
    assert result.text == f"{headline}\n{A}\n{B}\n{C}\n"
    assert Cleaner(rules=[]).clean(result.text).removed == []


def test_a_dish_that_two_days_of_a_meal_plan_share_is_kept() -> None:
    """Day three repeats day two's dish and its containers, between the plan's recurring line: the plan's text
    (bench/aeb_eval.py: a meal-plan page lost three such blocks), not a scraper's copy."""
    every = "Eat every two to three hours during the day"
    dish = "Grilled chicken salad with tomatoes, cucumbers, feta and an olive oil dressing"
    containers = "Portion containers: two green, one red, one blue and one teaspoon of oil"
    lines = [
        "Meal plan for day one of the programme",
        every,
        "Oatmeal with berries, one cup of almond milk and a spoon of honey on top",
        "Portion containers: one green, one purple, one yellow and one teaspoon of butter",
        "Meal plan for day two of the programme",
        every,
        dish,
        containers,
        "Meal plan for day three of the programme",
        every,
        dish,
        containers,
    ]
    text = "\n".join(lines) + "\n"
    assert Cleaner(rules=[]).clean(text).text == text
