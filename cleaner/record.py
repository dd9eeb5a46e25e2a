"""The one record type that flows through every stage, and its JSON form.

Stages before `apply` only *mark* spans (dolma's tag-then-remove); `cleaner.apply` is the one place that deletes.
All offsets point into `Document.source`, the normalized input, so the ledger can always rebuild it.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

Span = tuple[int, int]
_T = TypeVar("_T")


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sorted, with overlapping or touching spans joined."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def field_values(cls: type) -> operator.attrgetter[tuple[Any, ...]]:
    """A getter of a dataclass's field values in order, in one C call: `cls(*field_values(cls)(obj))` copies `obj`
    (for classes whose fields are all init fields) at a fraction of `copy.copy`'s cost."""
    names = [f.name for f in dataclasses.fields(cls)]
    if len(names) < 2:
        raise TypeError(f"{cls.__name__}: attrgetter of one field gives no tuple")
    return operator.attrgetter(*names)


def pickled_by_fields(cls: type[_T]) -> type[_T]:
    """Pickle a slots dataclass as its class and its fields in order: otherwise it is pickled with a dict of its
    slots, about twice as slow to write and to read. For what crosses to and from worker processes by the item
    (the reading process, which every worker waits on, pays for each). The fields are read from the class, so a
    field added later is pickled too."""
    fields = field_values(cls)

    def __reduce__(self: _T) -> tuple[type[_T], tuple[Any, ...]]:
        return cls, fields(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign, assignment]
    return cls


@dataclass(slots=True)
class Removal:
    """One removed span and why: enough to explain it to a person and to put it back."""

    start: int
    end: int
    text: str
    stage: str
    reason: str
    rule: str | None = None
    dup_of: Span | None = None
    score: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "stage": self.stage,
            "rule": self.rule,
            "reason": self.reason,
            "dup_of": list(self.dup_of) if self.dup_of is not None else None,
            "score": None if self.score is None else round(self.score, 4),
        }
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Removal:
        dup = data.get("dup_of")
        return cls(
            start=int(data["start"]),
            end=int(data["end"]),
            text=data["text"],
            stage=data["stage"],
            reason=data.get("reason", ""),
            rule=data.get("rule"),
            dup_of=(int(dup[0]), int(dup[1])) if dup is not None else None,
            score=data.get("score"),
        )


@pickled_by_fields
@dataclass(slots=True)
class Origin:
    """Where a document came from, so a ledger line or a reject can be traced to its input."""

    file: str
    line: int | None = None  # 1-based line for JSON Lines
    row: int | None = None  # 0-based row for Parquet
    record: int | None = None  # 0-based record index for WARC

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file}
        if self.line is not None:
            out["line"] = self.line
        if self.row is not None:
            out["row"] = self.row
        if self.record is not None:
            out["record"] = self.record
        return out

    def default_id(self, index: int) -> str:
        """A stable id from where a document came from, when the input gives none (same in ledgers and clusters)."""
        name = Path(self.file).name
        for key in ("line", "row", "record"):
            value = getattr(self, key)
            if value is not None:
                return f"{name}:{value}"
        return name or str(index)

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.row is not None:
            where += f" row {self.row}"
        if self.record is not None:
            where += f" record {self.record}"
        return where


@dataclass(slots=True)
class Document:
    """A document on its way through the pipeline, and afterwards the result of cleaning it.

    `source` is the normalized input; `text` is the cleaned text once `cleaner.apply` has run.
    """

    id: str
    source: str
    url: str | None = None
    site: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    origin: Origin | None = None
    paragraphs: list[Span] = field(default_factory=list)
    # Units (cleaner.segment): a short paragraph is one unit, a long one (or the only one) its sentences. Spans
    # exclude the whitespace between units; every unit lies inside one paragraph.
    units: list[Span] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # CPU seconds each rule pattern (by qualified id) has spent on this document, over every pass and settle
    # round: the rule time budget is per pattern per document (cleaner.rules.apply).
    rule_time: dict[str, float] = field(default_factory=dict)
    text: str | None = None
    extraction: dict[str, Any] | None = None  # set when the text was extracted from HTML
    # id of a spans list -> what `cleaner.segment.live_spans_of` found for it last (a cache while stages run).
    live: dict[int, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def removed(self) -> list[Removal]:
        return self.removals

    def ledger_entry(self) -> dict[str, Any]:
        """One JSON Lines record of the ledger (DESIGN.md: id, input, removed, chars_in, chars_out)."""
        entry: dict[str, Any] = {
            "id": self.id,
            "input": self.origin.to_json() if self.origin else None,
            "removed": [r.to_json() for r in self.removals],
            "chars_in": len(self.source),
            "chars_out": len(self.text) if self.text is not None else None,
        }
        if self.url:
            entry["url"] = self.url
        if self.site:
            entry["site"] = self.site
        if self.warnings:
            entry["warnings"] = list(self.warnings)
        if self.extraction is not None:
            entry["extraction"] = self.extraction
        return entry


@dataclass(slots=True)
class Reject:
    """A document that could not be cleaned, with the reason; every input ends up cleaned or rejected."""

    origin: Origin
    reason: str
    id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "input": self.origin.to_json(), "reason": self.reason}
