"""A reviewable view of one cleaned document: the normalized source, every removal marked and explained.

Layout (one source line per output line, numbered so that "duplicates lines 1-3" can be checked by eye):

    @@ line 2 · neardup · duplicates line 1 · score 1.000 · repeats a paragraph (Jaccard 1.00) @@
    - 2  The headline, captured twice
      3  An article paragraph.
    @@ line 4 · rule _default/photo-credit · photo credit line @@
    ~ 4  Text before [-Photo: AP -]text after

"-" marks a removed line, "~" a line with removed spans shown as [-...-], "  " a kept line. On a "~" line the
text's own markers are escaped ("[-" as "[\\-", "-]" as "-\\]", a backslash doubled), so every [-...-] is a
removal. With colour, removed text is red and struck through and headers are cyan; the plain form is what a pipe or
a golden test sees.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from rich.text import Text

from cleaner.record import Document, Removal, Span
from cleaner.segment import paragraphs

if TYPE_CHECKING:
    from cleaner.io import ReadOptions
    from cleaner.pipeline import Cleaner
    from cleaner.record import Reject

_HEADER = "cyan"
_REMOVED = "red"
_INLINE = "red strike"
_WARNING = "yellow"


def render_diff(doc: Document, color: bool = False) -> str:
    """The annotated source as text, with ANSI colours when `color` is true."""
    text = build_diff(doc)
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


def build_diff(doc: Document) -> Text:
    """The diff as a rich `Text` (styles carry the colours; `.plain` is the uncoloured form)."""
    source = doc.source
    lines = paragraphs(source)
    starts = [start for start, _ in lines]
    width = len(str(len(lines)))
    removals = sorted(doc.removals, key=lambda r: (r.start, r.end))
    out = Text()
    pending = 0
    for number, (line_start, line_end) in enumerate(lines, 1):
        while pending < len(removals) and removals[pending].start <= line_end:
            out.append(_header(removals[pending], starts) + "\n", style=_HEADER)
            pending += 1
        covered = _covered(removals, line_start, line_end)
        label = f"{number:>{width}}  "
        if not covered:
            out.append(f"  {label}{source[line_start:line_end]}\n")
        elif covered == [(line_start, line_end)]:
            out.append(f"- {label}{source[line_start:line_end]}\n", style=_REMOVED)
        else:
            out.append(f"~ {label}")
            cursor = line_start
            for start, end in covered:
                out.append(_escaped(source[cursor:start]))
                out.append(f"[-{_escaped(source[start:end])}-]", style=_INLINE)
                cursor = end
            out.append(_escaped(source[cursor:line_end]) + "\n")
    for warning in doc.warnings:
        out.append(f"!! {warning}\n", style=_WARNING)
    return out


def _line_of(starts: list[int], offset: int) -> int:
    return max(bisect_right(starts, offset), 1)


def _lines(starts: list[int], span: Span) -> str:
    first, last = _line_of(starts, span[0]), _line_of(starts, max(span[0], span[1] - 1))
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _header(removal: Removal, starts: list[int]) -> str:
    # A removal that starts with the "\n" before its line belongs to the next line.
    start = removal.start + 1 if removal.text.startswith("\n") else removal.start
    parts = [_lines(starts, (start, removal.end)), removal.stage + (f" {removal.rule}" if removal.rule else "")]
    if removal.dup_of is not None:
        parts.append(f"duplicates {_lines(starts, removal.dup_of)}")
    if removal.score is not None:
        parts.append(f"score {removal.score:.3f}")
    if removal.reason:
        parts.append(removal.reason)
    return "@@ " + " · ".join(parts) + " @@"


def _covered(removals: list[Removal], line_start: int, line_end: int) -> list[Span]:
    """The parts of [line_start, line_end) that removals cover, merged and in order."""
    spans: list[Span] = []
    for removal in removals:
        if removal.start >= line_end:
            break
        start, end = max(removal.start, line_start), min(removal.end, line_end)
        if start < end:
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
    return spans


COLOR_CHOICES = ("auto", "always", "never")


def want_color(choice: str, is_tty: bool) -> bool:
    """`--color auto|always|never`: auto colours only on a terminal."""
    from cleaner.errors import ConfigError

    if choice not in COLOR_CHOICES:
        raise ConfigError(f"--color must be one of {', '.join(COLOR_CHOICES)}, got {choice!r}")
    return choice == "always" or (choice == "auto" and is_tty)


def diff_inputs(
    cleaner: Cleaner, name: str, options: ReadOptions, url: str | None, color: bool
) -> Iterator[tuple[str, Reject | None]]:
    """Diffs of every document of an input, read exactly as `newsclean clean` reads it. A single text document
    is shown bare; documents of a corpus each get a header naming them."""
    from cleaner.io import kind_of, read_inputs
    from cleaner.io.base import InputDoc
    from cleaner.record import Reject

    def with_url(items: Iterable[InputDoc | Reject]) -> Iterator[InputDoc | Reject]:
        for item in items:
            if url and isinstance(item, InputDoc):
                item.url = url  # given on the command line: it wins over the document's own
            yield item

    single_text = (name == "-" and options.stdin_format == "text") or kind_of(name) == "txt"
    for result in cleaner.clean_many(with_url(read_inputs([name], options))):
        if isinstance(result, Reject):
            yield "", result
            continue
        header = "" if single_text else f"== {result.id} ({result.origin}) ==\n"
        yield header + result.diff(color=color), None
