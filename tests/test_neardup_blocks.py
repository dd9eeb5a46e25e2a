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
