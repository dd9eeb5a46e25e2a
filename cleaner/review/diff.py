"""A reviewable view of one cleaned document: the normalized source, every removal marked and explained.

Layout (one source line per output line, numbered so that "duplicates lines 1-3" can be checked by eye):

    @@ line 2 · neardup · duplicates line 1 · score 1.000 · repeats a paragraph (Jaccard 1.00) @@
    - 2  The headline, captured twice
      3  An article paragraph.
    @@ line 4 · rule _default/photo-credit · photo credit line @@
    ~ 4  Text before [-Photo: AP -]text after

"-" marks a removed line, "~" a line with removed spans shown as [-...-], "  " a kept line. On a "~" line the
text's own markers are escaped ("[-" as "[\\-", "-]" as "-\\]", a backslash doubled), so every [-...-] is a
removal. A line holding several removals (a flattened article is one long line) is shown as several "~" pieces,
one per removal, each right after its own header; the pieces, joined, are the line. With colour, removed text is
red and struck through and headers are cyan; the plain form is what a pipe or a golden test sees.

`--context` views keep only what surrounds the removals: `Context(lines=N)` the changed lines and N lines on each
side (elided lines shown as "…"), `Context(chars=N)` one hunk per removal with N characters on each side, line
breaks shown as "⏎". This module renders only: it imports nothing of the package but the record and segmenter.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from rich.text import Text

from cleaner.record import Document, Removal, Span
from cleaner.segment import paragraphs

_HEADER = "cyan"
_REMOVED = "red"
_INLINE = "red strike"
_WARNING = "yellow"
_GAP = "dim"
NEWLINE_MARK = "⏎"


@dataclass(frozen=True, slots=True)
class Context:
    """How much kept text a context view shows around each removal: `lines` or `chars` (one of them)."""

    lines: int | None = None
    chars: int | None = None

    @classmethod
    def parse(cls, value: str) -> Context:
        """`3` or `3l`: three lines; `200c`: two hundred characters. ValueError with the accepted forms."""
        text = value.strip().lower()
        unit = "l"
        if text.endswith(("c", "l")):
            text, unit = text[:-1], text[-1]
        if not text.isdigit():
            raise ValueError(f"--context takes N lines (3, 3l) or N characters (200c), got {value!r}")
        return cls(lines=int(text)) if unit == "l" else cls(chars=int(text))


@dataclass(slots=True)
class Header:
    """The "@@ ... @@" line that explains one removal."""

    removal: Removal
    text: str


@dataclass(slots=True)
class Line:
    """One source line (or, on a line with several removals, one piece of it). `parts` are (text, removed)."""

    number: int
    mark: str  # " " kept, "-" removed, "~" with removed spans
    parts: list[tuple[str, bool]]
    removals: list[Removal] = field(default_factory=list)


@dataclass(slots=True)
class Gap:
    """Kept text left out of a context view."""

    lines: int = 0


@dataclass(slots=True)
class Warning:
    text: str


Item = Header | Line | Gap | Warning
Focus = Callable[[Removal], bool]


def render_diff(doc: Document, color: bool = False, context: Context | None = None, focus: Focus | None = None) -> str:
    """The annotated source as text, with ANSI colours when `color` is true."""
    text = build_diff(doc, context, focus)
    if not color:
        return text.plain
    from io import StringIO

    from rich.console import Console

    buffer = StringIO()
    console = Console(
        file=buffer, force_terminal=True, color_system="standard", soft_wrap=True, highlight=False, width=10_000
    )
    console.print(text, end="")
    return buffer.getvalue()


def _escaped(text: str) -> str:
    """Text of a "~" line with its own "[-" and "-]" (and backslashes) escaped, so they cannot pass for markers."""
    if "\\" not in text and "[-" not in text and "-]" not in text:
        return text
    return text.replace("\\", "\\\\").replace("[-", "[\\-").replace("-]", "-\\]")


def build_diff(doc: Document, context: Context | None = None, focus: Focus | None = None) -> Text:
    """The diff as a rich `Text` (styles carry the colours; `.plain` is the uncoloured form)."""
    items = list(diff_items(doc, context, focus))
    width = len(str(max((item.number for item in items if isinstance(item, Line)), default=1)))
    out = Text()
    for item in items:
        if isinstance(item, Header):
            out.append(item.text + "\n", style=_HEADER)
        elif isinstance(item, Warning):
            out.append(f"!! {item.text}\n", style=_WARNING)
        elif isinstance(item, Gap):
            out.append(f"  {'':>{width}}  …" + (f" {item.lines} kept lines" if item.lines > 1 else "") + "\n", _GAP)
        else:
            label = f"{item.number:>{width}}  "
            if item.mark == " ":
                out.append(f"  {label}{item.parts[0][0]}\n")
            elif item.mark == "-":
                out.append(f"- {label}{item.parts[0][0]}\n", style=_REMOVED)
            else:
                out.append(f"~ {label}")
                for text, removed in item.parts:
                    if removed:
                        out.append(f"[-{_escaped(text)}-]", style=_INLINE)
                    else:
                        out.append(_escaped(text))
                out.append("\n")
    return out


def diff_items(doc: Document, context: Context | None = None, focus: Focus | None = None) -> Iterator[Item]:
    """The diff as items, for any renderer: the whole document, or only what a `context` keeps around the
    removals that `focus` accepts (all of them by default)."""
    if context is not None and context.chars is not None:
        yield from _char_hunks(doc, context.chars, focus)
    elif context is not None and context.lines is not None:
        yield from _line_hunks(list(_full(doc)), context.lines, focus)
    else:
        yield from _full(doc)
    for warning in doc.warnings:
        yield Warning(warning)


def _full(doc: Document) -> Iterator[Header | Line]:
    source = doc.source
    lines = paragraphs(source)
    starts = [start for start, _ in lines]
    removals = sorted(doc.removals, key=lambda r: (r.start, r.end))
    pending = 0
    for number, (line_start, line_end) in enumerate(lines, 1):
        heads: list[Removal] = []
        while pending < len(removals) and removals[pending].start <= line_end:
            heads.append(removals[pending])
            pending += 1
        segments = _segments(removals, line_start, line_end)
        covered = _merged(segments)
        if len(segments) <= 1 or covered == [(line_start, line_end)]:
            for removal in heads:
                yield Header(removal, _header(removal, starts))
            touching = [removal for _, _, removal in segments]
            if not covered:
                yield Line(number, " ", [(source[line_start:line_end], False)])
            elif covered == [(line_start, line_end)]:
                yield Line(number, "-", [(source[line_start:line_end], True)], touching)
            else:
                (start, end), = covered
                parts = [(source[line_start:start], False), (source[start:end], True), (source[end:line_end], False)]
                yield Line(number, "~", [part for part in parts if part[0]], touching)
            continue
        # Several removals inside one line: one piece per removal, right after its own header.
        inline = {id(removal) for _, _, removal in segments}
        for removal in heads:
            if id(removal) not in inline:
                yield Header(removal, _header(removal, starts))
        waiting = {id(removal) for removal in heads}
        cursor = line_start
        for index, (start, end, removal) in enumerate(segments):
            if id(removal) in waiting:
                yield Header(removal, _header(removal, starts))
                waiting.discard(id(removal))
            parts = [(source[cursor:start], False), (source[start:end], True)]
            if index == len(segments) - 1:
                parts.append((source[end:line_end], False))
            yield Line(number, "~", [part for part in parts if part[0]], [removal])
            cursor = end


def _line_hunks(items: list[Header | Line], around: int, focus: Focus | None) -> Iterator[Item]:
    """Changed lines touched by a focused removal, `around` lines on each side, and the headers of what is shown."""
    centres = {
        item.number
        for item in items
        if isinstance(item, Line) and item.mark != " " and any(focus is None or focus(r) for r in item.removals)
    }
    shown = {number + offset for number in centres for offset in range(-around, around + 1)}
    # A header goes with the line after it.
    anchors: list[int] = []
    next_number = 0
    for item in reversed(items):
        if isinstance(item, Line):
            next_number = item.number
        anchors.append(next_number)
    anchors.reverse()
    skipped: set[int] = set()
    for item, anchor in zip(items, anchors, strict=True):
        if anchor in shown:
            if skipped:
                yield Gap(len(skipped))
                skipped = set()
            yield item
        elif isinstance(item, Line):
            skipped.add(item.number)
    if skipped:
        yield Gap(len(skipped))


def context_of(source: str, removal: Removal, chars: int) -> tuple[str, str, bool, bool]:
    """The kept text `chars` characters before and after a removal, and whether each side was cut short."""
    start = max(0, removal.start - chars)
    end = min(len(source), removal.end + chars)
    return source[start : removal.start], source[removal.end : end], start > 0, end < len(source)


def _char_hunks(doc: Document, chars: int, focus: Focus | None) -> Iterator[Item]:
    source = doc.source
    starts = [start for start, _ in paragraphs(source)]
    for removal in sorted(doc.removals, key=lambda r: (r.start, r.end)):
        if focus is not None and not focus(removal):
            continue
        before, after, cut_before, cut_after = context_of(source, removal, chars)
        parts = [
            (("…" if cut_before else "") + before.replace("\n", NEWLINE_MARK), False),
            (removal.text.replace("\n", NEWLINE_MARK), True),
            (after.replace("\n", NEWLINE_MARK) + ("…" if cut_after else ""), False),
        ]
        yield Header(removal, _header(removal, starts))
        number = _line_of(starts, removal.start + 1 if removal.text.startswith("\n") else removal.start)
        yield Line(number, "~", [part for part in parts if part[0]], [removal])


def _line_of(starts: list[int], offset: int) -> int:
    return max(bisect_right(starts, offset), 1)


def _lines(starts: list[int], span: Span) -> str:
    first, last = _line_of(starts, span[0]), _line_of(starts, max(span[0], span[1] - 1))
    return f"line {first}" if first == last else f"lines {first}-{last}"


def header_parts(removal: Removal, starts: list[int]) -> list[str]:
    """Where a removal is, which stage and rule removed it, what it duplicates, its score and reason."""
    # A removal that starts with the "\n" before its line belongs to the next line.
    start = removal.start + 1 if removal.text.startswith("\n") else removal.start
    parts = [_lines(starts, (start, removal.end)), removal.stage + (f" {removal.rule}" if removal.rule else "")]
    if removal.dup_of is not None:
        parts.append(f"duplicates {_lines(starts, removal.dup_of)}")
    if removal.score is not None:
        parts.append(f"score {removal.score:.3f}")
    if removal.reason:
        parts.append(removal.reason)
    return parts


def _header(removal: Removal, starts: list[int]) -> str:
    return "@@ " + " · ".join(header_parts(removal, starts)) + " @@"


def line_starts(source: str) -> list[int]:
    """Start offsets of the numbered lines of `source`, for `header_parts`."""
    return [start for start, _ in paragraphs(source)]


def _merged(segments: list[tuple[int, int, Removal]]) -> list[Span]:
    spans: list[Span] = []
    for start, end, _ in segments:
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def _segments(removals: list[Removal], line_start: int, line_end: int) -> list[tuple[int, int, Removal]]:
    """The parts of [line_start, line_end) that removals cover, in order; a part is merged into the one before
    when they overlap (removals never do once applied), so each part has one removal to explain it."""
    spans: list[tuple[int, int, Removal]] = []
    for removal in removals:
        if removal.start >= line_end:
            break
        start, end = max(removal.start, line_start), min(removal.end, line_end)
        if start < end:
            if spans and start < spans[-1][1]:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]), spans[-1][2])
            else:
                spans.append((start, end, removal))
    return spans
