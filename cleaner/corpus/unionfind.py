"""Union-find over document indices, with the smallest index as every set's root.

Rooting at the smallest index makes clusters independent of the order in which pairs arrive, so the local and
Dask engines (which may verify pairs in any order) build identical clusters.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


class UnionFind:
    """Disjoint sets over 0..n-1; `find` halves paths, `union` links the larger root under the smaller."""

    def __init__(self, n: int) -> None:
        self.parent = np.arange(n, dtype=np.int64)

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if ra < rb:
            self.parent[rb] = ra
        else:
            self.parent[ra] = rb

    def union_pairs(self, pairs: Iterable[tuple[int, int]]) -> None:
        for a, b in pairs:
            self.union(int(a), int(b))

    def roots(self) -> np.ndarray:
        """The root (smallest member) of every element's set."""
        parent = self.parent.copy()
        while True:  # pointer jumping: roots are fixed points, so this converges in log(depth) rounds
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                return parent
            parent = jumped

    def groups(self, min_size: int = 2) -> list[list[int]]:
        """Sets of at least `min_size` members, each sorted, ordered by their smallest member."""
        roots = self.roots()
        order = np.argsort(roots, kind="stable")
        sorted_roots = roots[order]
        cuts = np.flatnonzero(np.diff(sorted_roots)) + 1
        return [part.tolist() for part in np.split(order, cuts) if len(part) >= min_size]
