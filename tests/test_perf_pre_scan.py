"""The prefilter's cheaper scanning (cleaner/rules/prefilter.py) against the plain one it replaced: a `Screen` finds
the same candidate lines, in the same order, and a document-level trigger admits the same texts, on random needles
and texts over a small alphabet (so that needles overlap, repeat, hold one another and cross line breaks)."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.rules.literals import fold
from cleaner.rules.prefilter import Alternative, Screen, Trigger

ALPHABET = "ab-/\n é"
needle = st.text(alphabet=ALPHABET, min_size=1, max_size=4).map(lambda s: s.encode())
group = st.lists(needle, min_size=1, max_size=4, unique=True).map(tuple)
alternative = st.builds(
    Alternative,
    st.none()
    | st.lists(st.text(alphabet="ab-/ é", min_size=1, max_size=3).map(str.encode), min_size=1, max_size=3).map(
        lambda p: tuple(dict.fromkeys(p))
    ),
    st.lists(group, min_size=1, max_size=3).map(tuple),
)
trigger = st.builds(Trigger, st.lists(alternative, min_size=1, max_size=3).map(tuple), st.booleans())
text = st.text(alphabet=ALPHABET, max_size=60)


def plain_scan(screen: Screen, view: str) -> dict[int, list[tuple[int, int, tuple[Alternative, ...]]]] | None:
    """`Screen.scan` as it was: each hit of a contained needle located by `rfind` and counted from the start."""
    folded = fold(view)
    if folded is None:
        return None
    text = b"\n" + folded
    found: dict[int, list[tuple[int, int, tuple[Alternative, ...]]]] = {}
    if screen.scanner is not None:
        line = last = 0
        for match in screen.scanner.finditer(text):
            start, prefix = match.start(), match.group()
            line += text.count(b"\n", last, start)
            last = start
            for trigger_id, alternatives in screen.routes[prefix]:
                found.setdefault(trigger_id, []).append((line, start + 1, alternatives))
    for needles, route in screen.contained:
        lines: set[tuple[int, int]] = set()
        for one in needles:
            position = text.find(one)
            while position >= 0:
                start = text.rfind(b"\n", 0, position + 1) + 1
                lines.add((text.count(b"\n", 0, start) - 1, start))
                position = text.find(one, position + 1)
        for trigger_id, alternatives in route if lines else ():
            entries = found.setdefault(trigger_id, [])
            entries.extend((line, start, alternatives) for line, start in sorted(lines))
            entries.sort(key=lambda entry: entry[0])
    return found


def plain_admits(trigger: Trigger, text: bytes) -> bool:
    """The document-level test as it was: the groups in their order, every needle looked for."""
    for a in trigger.alternatives:
        if a.prefixes is not None and not any(b"\n" + p in text for p in a.prefixes):
            continue
        if all(any(n in text for n in g) for g in a.groups):
            return True
    return False


@settings(max_examples=400, deadline=None)
@given(st.lists(trigger, min_size=1, max_size=4), text)
def test_screen_finds_the_lines_the_plain_scan_finds(triggers: list[Trigger], view: str) -> None:
    screen = Screen(triggers)
    scan = screen.scan(view)
    expected = plain_scan(screen, view)
    assert (scan.found if scan is not None else None) == expected


@settings(max_examples=400, deadline=None)
@given(st.lists(trigger, min_size=1, max_size=4), text)
def test_document_test_admits_what_the_plain_test_admits(triggers: list[Trigger], view: str) -> None:
    scan = Screen(triggers).scan(view)
    folded = fold(view)
    assert scan is not None and folded is not None
    for one in triggers:  # one memo across the triggers, as a pass shares it
        assert scan.admits(one) == plain_admits(one, b"\n" + folded)
        assert one.admits_text(view) == plain_admits(one, b"\n" + folded)


@settings(max_examples=100, deadline=None)
@given(trigger)
def test_a_cached_trigger_keeps_its_document_test(one: Trigger) -> None:
    # the rule cache (cleaner/rules/cache.py) pickles triggers: what __post_init__ derived must come back too
    again = pickle.loads(pickle.dumps(one))
    assert again == one and again.checks == one.checks and again.gates == one.gates
