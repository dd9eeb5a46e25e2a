"""What a run reports: the counts behind the end-of-run summary (kept in the resume state, so a resumed run
reports the whole run), and the progress display."""

from __future__ import annotations

import contextlib
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

# Sites listed in the summary, most characters removed first.
TOP_SITES = 10
# Counters of the summary: kept in the resume state as JSON objects.
_COUNTERS = (
    "removals_by_stage",
    "chars_by_stage",
    "removals_by_rule",
    "chars_by_rule",
    "docs_by_site",
    "removals_by_site",
    "chars_by_site",
)
# Ids remembered per input to report duplicates (8-byte hashes, ~70 bytes each in a set): beyond this many
# documents of one input, later ones are not checked, and the summary says so.
IDS_CHECKED = 2_000_000

if TYPE_CHECKING:
    from cleaner.batch.config import BatchConfig
    from cleaner.batch.workers import Cleaned


@dataclass(slots=True)
class Summary:
    """Counts for the end-of-run report; carried in the resume state so a resumed run reports the whole run."""

    docs_in: int = 0
    docs_out: int = 0
    rejected: int = 0
    chars_in: int = 0
    chars_out: int = 0
    bytes_in: int = 0
    removals_by_stage: Counter[str] = field(default_factory=Counter)
    chars_by_stage: Counter[str] = field(default_factory=Counter)
    removals_by_rule: Counter[str] = field(default_factory=Counter)
    chars_by_rule: Counter[str] = field(default_factory=Counter)
    docs_by_site: Counter[str] = field(default_factory=Counter)
    removals_by_site: Counter[str] = field(default_factory=Counter)
    chars_by_site: Counter[str] = field(default_factory=Counter)
    docs_with_warnings: int = 0  # a rule or detect pattern timed out, or a rule was refused by max_fraction
    seconds: float = 0.0
    docs_this_run: int = 0
    bytes_this_run: int = 0
    jobs: int = 1
    rejects_file: str | None = None
    resumed_at: int | None = None
    duplicate_ids: int = 0  # documents whose id an earlier document of the same input had (both are kept)
    duplicate_id_example: str | None = None
    ids_unchecked: str | None = None  # an input with more documents than the duplicate check remembers

    def to_json(self) -> dict[str, Any]:
        keys = (
            "docs_in",
            "docs_out",
            "rejected",
            "chars_in",
            "chars_out",
            "bytes_in",
            "docs_with_warnings",
            "duplicate_ids",
            "duplicate_id_example",
            "ids_unchecked",
        )
        out: dict[str, Any] = {key: getattr(self, key) for key in keys}
        for key in _COUNTERS:
            out[key] = dict(getattr(self, key))
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        summary = cls(**{k: v for k, v in data.items() if k not in _COUNTERS})
        for key in _COUNTERS:
            setattr(summary, key, Counter(data.get(key, {})))
        return summary

    def merge(self, other: Summary) -> None:
        """Add the counts of another part of the run (a partition cleaned on its own)."""
        for key in ("docs_in", "docs_out", "rejected", "chars_in", "chars_out", "bytes_in", "docs_with_warnings"):
            setattr(self, key, getattr(self, key) + getattr(other, key))
        self.docs_this_run += other.docs_this_run
        self.bytes_this_run += other.bytes_this_run
        for key in _COUNTERS:
            getattr(self, key).update(getattr(other, key))

    def add(self, result: Cleaned) -> None:
        """Count one cleaned document."""
        self.docs_out += 1
        self.chars_in += result.chars_in
        self.chars_out += result.chars_out
        self.bytes_in += result.bytes_in
        self.bytes_this_run += result.bytes_in
        self.docs_with_warnings += result.warned
        for stage, rule, chars in result.removals:
            self.removals_by_stage[stage] += 1
            self.chars_by_stage[stage] += chars
            if rule:
                self.removals_by_rule[rule] += 1
                self.chars_by_rule[rule] += chars
        if result.site:
            self.docs_by_site[result.site] += 1
            self.removals_by_site[result.site] += len(result.removals)
            self.chars_by_site[result.site] += sum(chars for _, _, chars in result.removals)

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def render(self) -> str:
        """The human summary printed on stderr at the end of a run."""
        removed = self.chars_in - self.chars_out
        share = f" ({100 * removed / self.chars_in:.1f}%)" if self.chars_in else ""
        lines = [
            f"documents: {self.docs_in:,} in, {self.docs_out:,} cleaned, {self.rejected:,} rejected"
            + (f" (listed in {self.rejects_file})" if self.rejected and self.rejects_file else "")
            # without a rejects file (output to stdout or a device) each reject was a note on stderr as it came
            + (" (listed above)" if self.rejected and not self.rejects_file else ""),
            f"characters: {self.chars_in:,} in, {self.chars_out:,} out, {removed:,} removed{share}",
        ]
        if self.removals_by_stage:
            stages = ", ".join(
                f"{stage} {count:,} ({self.chars_by_stage[stage]:,} chars)"
                for stage, count in sorted(self.removals_by_stage.items(), key=lambda kv: (-kv[1], kv[0]))
            )
            lines.append(f"removals by stage: {stages}")
        if self.removals_by_rule:
            lines.append(f"removals by rule ({len(self.removals_by_rule):,} fired):")
            lines += _table(self.removals_by_rule, self.chars_by_rule)
        if self.docs_by_site:
            shown = min(TOP_SITES, len(self.docs_by_site))
            lines.append(f"top sites by characters removed ({shown} of {len(self.docs_by_site):,}):")
            lines += _table(self.removals_by_site, self.chars_by_site, self.docs_by_site, limit=TOP_SITES)
        if self.docs_with_warnings:
            count = self.docs_with_warnings
            lines.append(
                f"warnings: {count:,} document{'s' if count != 1 else ''} had a rule or a site's detect pattern "
                "skipped (timed out, or refused by max_fraction); their ledger lines say which"
            )
        if self.duplicate_ids:
            count = self.duplicate_ids
            lines.append(
                f"duplicate ids: {count:,} document{'s' if count != 1 else ''} repeated the id of an earlier one of "
                f"the same input (all kept; first: {self.duplicate_id_example})"
            )
        if self.ids_unchecked:
            unchecked = self.ids_unchecked
            lines.append(f"duplicate ids: not checked beyond the first {IDS_CHECKED:,} documents of {unchecked}")
        if self.seconds > 0:
            rate = self.docs_this_run / self.seconds
            mb = self.bytes_this_run / self.seconds / 1e6
            resumed = f", resumed after {self.resumed_at:,} items" if self.resumed_at else ""
            jobs = f"{self.jobs} job" + ("s" if self.jobs != 1 else "")
            lines.append(f"throughput: {rate:,.0f} docs/s, {mb:.2f} MB/s ({self.seconds:.1f} s, {jobs}{resumed})")
        return "\n".join(lines)


def _table(
    removals: Counter[str], chars: Counter[str], docs: Counter[str] | None = None, limit: int | None = None
) -> list[str]:
    """Aligned lines `name  N documents  N removals  N chars`, most characters first (documents when given)."""
    names = sorted((docs or removals).keys(), key=lambda name: (-chars[name], -removals[name], name))[:limit]
    columns = [[name for name in names]]
    if docs is not None:
        columns.append([_count(docs[name], "document") for name in names])
    columns.append([_count(removals[name], "removal") for name in names])
    columns.append([f"{chars[name]:,} chars" for name in names])
    widths = [max(map(len, column)) for column in columns]
    lines = []
    for row in zip(*columns, strict=True):
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  " + "  ".join(cells))
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' if n != 1 else ''}"


def progress(config: BatchConfig) -> Any:
    """A rich progress display on stderr, only when it is a terminal (or when asked)."""
    show = config.progress if config.progress is not None else sys.stderr.isatty()
    if not show:
        return contextlib.nullcontext()
    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        MofNCompleteColumn(),
        TextColumn("docs"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
