"""Ledger statistics: per stage, per rule and per site, the documents touched, removals and characters.

Computed in one pass over the ledger with counters only, so any corpus size fits in memory (one row per stage,
rule and site). `share` is removed characters over all input characters, except per site, where it is over that
site's input characters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cleaner.review.ledger import LedgerEntry


@dataclass(slots=True)
class Row:
    """Totals of one stage, rule or site."""

    key: str
    documents: int = 0  # documents with at least one such removal
    removals: int = 0
    chars: int = 0
    docs_total: int = 0  # per site: every document of the site, changed or not
    chars_in: int = 0  # per site: the site's input characters

    def to_json(self, total_chars_in: int, per_site: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"documents": self.documents, "removals": self.removals, "chars": self.chars}
        base = self.chars_in if per_site else total_chars_in
        if per_site:
            out["documents_total"] = self.docs_total
            out["chars_in"] = self.chars_in
        out["share"] = round(self.chars / base, 6) if base else 0.0
        return out


@dataclass(slots=True)
class Stats:
    """Totals of a ledger."""

    documents: int = 0
    changed: int = 0
    chars_in: int = 0
    chars_out: int = 0
    removals: int = 0
    with_warnings: int = 0
    by_stage: dict[str, Row] = field(default_factory=dict)
    by_rule: dict[str, Row] = field(default_factory=dict)
    by_site: dict[str, Row] = field(default_factory=dict)

    @property
    def chars_removed(self) -> int:
        return self.chars_in - self.chars_out

    def add(self, entry: LedgerEntry) -> None:
        self.documents += 1
        self.chars_in += entry.chars_in
        self.chars_out += entry.chars_out
        self.removals += len(entry.removed)
        self.changed += bool(entry.removed)
        self.with_warnings += bool(entry.warnings)
        site = self.by_site.get(entry.site_key) or self.by_site.setdefault(entry.site_key, Row(entry.site_key))
        site.docs_total += 1
        site.chars_in += entry.chars_in
        site.documents += bool(entry.removed)
        site.removals += len(entry.removed)
        site.chars += entry.chars_removed
        seen: set[tuple[int, str]] = set()
        for removal in entry.removed:
            keys = [(0, removal.stage)] + ([(1, removal.rule)] if removal.rule else [])
            for table, key in keys:
                rows = self.by_stage if table == 0 else self.by_rule
                row = rows.get(key) or rows.setdefault(key, Row(key))
                row.removals += 1
                row.chars += removal.end - removal.start
                if (table, key) not in seen:
                    seen.add((table, key))
                    row.documents += 1

    def share(self, chars: int) -> float:
        return chars / self.chars_in if self.chars_in else 0.0

    @staticmethod
    def ranked(rows: dict[str, Row]) -> list[Row]:
        """Most characters first, then most removals, then by name: a stable order for tables and charts."""
        return sorted(rows.values(), key=lambda r: (-r.chars, -r.removals, r.key))

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "changed": self.changed,
            "with_warnings": self.with_warnings,
            "removals": self.removals,
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "chars_removed": self.chars_removed,
            "share": round(self.share(self.chars_removed), 6),
            "by_stage": {r.key: r.to_json(self.chars_in) for r in self.ranked(self.by_stage)},
            "by_rule": {r.key: r.to_json(self.chars_in) for r in self.ranked(self.by_rule)},
            "by_site": {r.key: r.to_json(self.chars_in, per_site=True) for r in self.ranked(self.by_site)},
        }


def compute(entries: Iterable[LedgerEntry]) -> Stats:
    stats = Stats()
    for entry in entries:
        stats.add(entry)
    return stats


def render_tables(stats: Stats, source: str) -> list[Any]:
    """rich tables for the terminal: a summary line, then stages, rules and sites."""
    from rich.table import Table

    def pct(value: float) -> str:
        return f"{100 * value:.2f}%"

    summary = Table(title=f"{source}", show_header=False, box=None)
    summary.add_row("documents", f"{stats.documents:,} ({stats.changed:,} changed, {stats.with_warnings:,} warned)")
    summary.add_row(
        "characters",
        f"{stats.chars_in:,} in, {stats.chars_out:,} out, {stats.chars_removed:,} removed"
        f" ({pct(stats.share(stats.chars_removed))})",
    )
    tables: list[Any] = [summary]
    for title, rows, per_site in (
        ("by stage", stats.by_stage, False),
        ("by rule", stats.by_rule, False),
        ("by site", stats.by_site, True),
    ):
        table = Table(title=title, title_justify="left")
        table.add_column(title.removeprefix("by "))
        if per_site:
            table.add_column("documents", justify="right")
        table.add_column("changed docs" if per_site else "documents", justify="right")
        table.add_column("removals", justify="right")
        table.add_column("characters", justify="right")
        table.add_column("share of site input" if per_site else "share of input", justify="right")
        for row in stats.ranked(rows):
            share = row.chars / row.chars_in if per_site and row.chars_in else stats.share(row.chars)
            cells = [row.key] + ([f"{row.docs_total:,}"] if per_site else [])
            cells += [f"{row.documents:,}", f"{row.removals:,}", f"{row.chars:,}", pct(share)]
            table.add_row(*cells)
        tables.append(table)
    return tables


def render_plain(stats: Stats) -> str:
    """Tab-separated tables for a pipe: `table key documents removals chars share` (sites add their totals)."""
    lines = [
        f"total\tdocuments\t{stats.documents}\tchanged\t{stats.changed}\tchars_in\t{stats.chars_in}"
        f"\tchars_out\t{stats.chars_out}\tremoved\t{stats.chars_removed}",
        "table\tkey\tdocuments\tremovals\tchars\tshare",
    ]
    for name, rows in (("stage", stats.by_stage), ("rule", stats.by_rule)):
        for row in stats.ranked(rows):
            lines.append(f"{name}\t{row.key}\t{row.documents}\t{row.removals}\t{row.chars}\t{stats.share(row.chars):.6f}")
    for row in stats.ranked(stats.by_site):
        share = row.chars / row.chars_in if row.chars_in else 0.0
        lines.append(f"site\t{row.key}\t{row.documents}\t{row.removals}\t{row.chars}\t{share:.6f}")
    return "\n".join(lines) + "\n"
