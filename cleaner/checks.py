"""Argument checks shared by every entry point (datasketch checks at the door, once, with the fix in the message).

One definition per kind of value, so the CLI, the Python API and the corpus jobs accept the same ranges and say
the same thing.
"""

from __future__ import annotations

DEFAULT_THRESHOLD = 0.8


def check_threshold(value: object, name: str = "threshold") -> float:
    """A Jaccard similarity threshold: a number in (0, 1]; 1 keeps only exact copies out."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number in (0, 1], got {value!r}; {DEFAULT_THRESHOLD} is the default")
    if not 0.0 < value <= 1.0:
        raise ValueError(
            f"{name} must be in (0, 1], got {value!r}; {DEFAULT_THRESHOLD} is the default (the Jaccard similarity "
            "of word shingles above which two texts are copies; 1 takes only exact copies)"
        )
    return float(value)


def check_positive_int(value: object, name: str) -> int:
    """A count or size that must be a whole number of at least 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return value


COMMENTS = ("drop", "keep")
"""What `comments=` may say: "drop" (extraction's default options) or "keep" (with `include_comments`)."""


def check_comments(value: object, name: str = "comments") -> str:
    """The one check of a `comments` choice (CLI, `Cleaner`, config file), with the valid values in the message.
    Here, not in `cleaner.extract`, so that planning a run does not import the extraction module."""
    if value not in COMMENTS:
        raise ValueError(
            f"{name} must be one of {', '.join(COMMENTS)}, got {value!r}: 'drop' extracts the article alone, 'keep' "
            "its reader comments too"
        )
    return str(value)
