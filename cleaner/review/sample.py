"""Deterministic, bounded samples and document filters, shared by `diff` and the report.

A sample keeps the items with the smallest hash of their key (a document id, or id and removal index): the same
run gives the same sample whatever the order or number of workers, memory never exceeds `size` items, and a
larger sample contains the smaller one.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Generic, TypeVar

import xxhash

from cleaner.record import Removal

T = TypeVar("T")


def sample_hash(*parts: str) -> int:
    """A stable 64-bit hash of the parts (xxh64, seed 0): the same on every machine and Python."""
    return xxhash.xxh64_intdigest("\x1f".join(parts).encode("utf-8", "surrogatepass"))


class Sample(Generic[T]):
    """The `size` items with the smallest keys seen so far (ties: the first seen)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.seen = 0
        self._heap: list[tuple[int, int, T]] = []  # (-hash, -order, item): a max-heap on the kept keys

    def add(self, key: int, item: T) -> None:
        self.seen += 1
        entry = (-key, -self.seen, item)
        if len(self._heap) < self.size:
            heapq.heappush(self._heap, entry)  # type: ignore[misc]
        elif self.size and (-key, -self.seen) > self._heap[0][:2]:
            heapq.heapreplace(self._heap, entry)  # type: ignore[misc]

    def __len__(self) -> int:
        return len(self._heap)

    def items(self) -> list[T]:
        """The kept items in the order they were seen."""
        return [item for _, _, item in sorted(self._heap, key=lambda e: -e[1])]


def sample(items: Iterable[T], size: int, key: Callable[[T], str]) -> list[T]:
    """`size` items chosen by the hash of `key(item)`, in their original order."""
    kept: Sample[T] = Sample(size)
    for item in items:
        kept.add(sample_hash(key(item)), item)
    return kept.items()


@dataclass(slots=True)
class DocFilter:
    """Which documents (and, inside them, which removals) a review looks at. Empty lists accept everything;
    several values of one option accept any of them. Rule ids take shell wildcards (`turan.az/*`)."""

    rules: Sequence[str] = ()
    stages: Sequence[str] = ()
    sites: Sequence[str] = ()
    ids: Sequence[str] = ()
    changed_only: bool = False
    _ids: frozenset[str] = field(default=frozenset(), init=False, repr=False)

    def __post_init__(self) -> None:
        self._ids = frozenset(self.ids)

    @property
    def narrows_removals(self) -> bool:
        return bool(self.rules or self.stages)

    def focus(self, removal: Removal) -> bool:
        """A removal the --rule and --stage options ask about."""
        if self.stages and removal.stage not in self.stages:
            return False
        if self.rules:
            return removal.rule is not None and any(fnmatchcase(removal.rule, pattern) for pattern in self.rules)
        return True

    def accepts(self, doc_id: str, site: str, url_host: str | None, removals: Sequence[Removal]) -> bool:
        if self._ids and doc_id not in self._ids:
            return False
        if self.sites and site not in self.sites and (url_host is None or url_host not in self.sites):
            return False
        if self.changed_only and not removals:
            return False
        return not self.narrows_removals or any(self.focus(r) for r in removals)

