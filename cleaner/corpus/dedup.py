"""Near-duplicate articles across a corpus: sketch, band, verify, cluster.

1. Sketch (mapped over partitions by an engine): normalize each document, shingle its paragraphs with
   `cleaner.minhash` in one vectorized pass, and take the document signature as the column-wise minimum of its
   paragraph signatures (the signature of the union of their shingle sets). Each document also keeps its sorted
   unique shingle hashes, for exact verification, and a hash of its normalized text, for exact duplicates.
2. Candidates: LSH banding over all document signatures (`minhash.candidate_pairs`), with bands chosen for a
   threshold a little below the requested one so estimation noise does not lose true pairs.
3. Verify every candidate with exact Jaccard on the shingle sets; exact duplicates always pair.
4. Union-find (smallest index as root) builds clusters; one document per cluster is kept.
Steps 2-4 run on the driver with the same code for every engine, so all engines give identical results.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cleaner import minhash
from cleaner.corpus.unionfind import UnionFind
from cleaner.errors import ConfigError
from cleaner.io.base import InputDoc, ReadItem
from cleaner.normalize import normalize
from cleaner.record import Origin, Reject

KEEP_CHOICES = ("first", "longest")
# Bands are chosen for (threshold - margin), so exact verification, not estimation noise, decides pairs near the
# threshold: at 0.8 that is 25 bands of 5 rows, which miss a pair with J = 0.8 with probability 5e-5 (bands for 0.7
# miss 13% of them, datasketch's own for 0.8 miss 60%). The extra candidates cost little: verification is compiled.
_CANDIDATE_MARGIN = 0.3
_PARTITION_DOCS = 256

# What a worker receives per document: text (or None), html (or None), url.
Payload = tuple[str | None, str | bytes | None, str | None]


@dataclass(frozen=True, slots=True)
class DedupOptions:
    """Threshold is exact Jaccard of word shingles; `keep` picks the document kept from each cluster."""

    threshold: float = 0.8
    keep: str = "first"
    shingle_size: int = minhash.SHINGLE_SIZE
    num_perm: int = minhash.NUM_PERM
    seed: int = minhash.SEED
    partition_docs: int = _PARTITION_DOCS

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(
                f"--threshold must be in (0, 1], got {self.threshold!r}; 0.8 is the default (exact Jaccard of "
                "word shingles above which two articles are near-duplicates)"
            )
        if self.keep not in KEEP_CHOICES:
            raise ConfigError(f"--keep must be one of: {', '.join(KEEP_CHOICES)}; got {self.keep!r}")
        if self.partition_docs < 1:
            raise ConfigError(f"partition size must be at least 1, got {self.partition_docs!r}")


@dataclass(slots=True)
class Sketch:
    """Everything verification needs about a run of documents; document i owns shingles[offsets[i]:...]."""

    signatures: np.ndarray  # (n, num_perm) uint32
    shingles: np.ndarray  # uint64, every shingle hash of each document (in text order, repeats kept), concatenated
    offsets: np.ndarray  # int64, n + 1
    digests: np.ndarray  # uint64 hash of the normalized text (exact duplicates)
    lengths: np.ndarray  # int64 characters of normalized text
    errors: list[str | None]  # why a document could not be sketched (extraction failed, empty text)

    def set_of(self, index: int) -> np.ndarray:
        """The sorted unique shingle hashes of one document."""
        return np.unique(self.shingles[self.offsets[index] : self.offsets[index + 1]])

    def sets_of(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sets of many documents (sorted unique hashes), doc k's at values[offsets[k]:offsets[k + 1]].

        Only documents that verification looks at are sorted (on a real corpus, the few in candidate pairs).
        """
        starts = self.offsets[docs]
        lengths = self.offsets[docs + 1] - starts
        run_offsets = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(lengths, out=run_offsets[1:])
        gather = np.arange(run_offsets[-1]) + np.repeat(starts - run_offsets[:-1], lengths)
        return minhash.unique_runs(self.shingles[gather], run_offsets)


def sketch_partition(payloads: list[Payload], options: DedupOptions) -> Sketch:
    """Sketch a partition of documents; a pure function of its input, so it runs the same on any worker."""
    import xxhash

    texts: list[str] = []
    errors: list[str | None] = []
    for text, html, url in payloads:
        error = None
        if text is None and html is not None:
            from cleaner.extract import extract

            extracted = extract(html, url)
            text = extracted.text
            if text is None:
                error = f"no article text extracted: {extracted.reason}"
        source = normalize(text) if isinstance(text, str) else ""
        if error is None and not source:
            error = "empty text (nothing left after normalization)" if isinstance(text, str) else "no text"
        texts.append(source)
        errors.append(error)

    # Normalized text is one paragraph per line with a final newline: its lines are `segment.paragraphs`.
    pieces = [piece for source in texts for piece in source.split("\n")[:-1]]
    per_doc = np.fromiter((source.count("\n") for source in texts), dtype=np.int64, count=len(texts))
    doc_rows = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(per_doc, out=doc_rows[1:])
    rows, shingles = minhash.text_signatures(pieces, options.shingle_size, options.num_perm, options.seed)
    # A document's signature is the minimum of its paragraphs' (the union of their shingle sets), for the whole
    # partition in one call; its set is the union of theirs, sorted only if verification needs it (`sets_of`).
    signatures = minhash.combine_runs(rows, doc_rows)
    return Sketch(
        signatures=signatures,
        shingles=shingles.hashes,
        offsets=shingles.offsets[doc_rows],
        digests=np.array([xxhash.xxh3_64_intdigest(t.encode("utf-8")) for t in texts], dtype=np.uint64),
        lengths=np.array([len(t) for t in texts], dtype=np.int64),
        errors=errors,
    )


def concat_sketches(parts: list[Sketch], num_perm: int) -> Sketch:
    """One sketch of the whole corpus, in input order."""
    if not parts:
        empty = np.empty(0, np.int64)
        return Sketch(np.empty((0, num_perm), np.uint32), np.empty(0, np.uint64), np.zeros(1, np.int64),
                      np.empty(0, np.uint64), empty, [])  # fmt: skip
    shift = np.cumsum([0] + [len(p.shingles) for p in parts[:-1]])
    offsets = np.concatenate([[0]] + [p.offsets[1:] + s for p, s in zip(parts, shift, strict=True)])
    return Sketch(
        signatures=np.concatenate([p.signatures for p in parts]),
        shingles=np.concatenate([p.shingles for p in parts]),
        offsets=offsets.astype(np.int64),
        digests=np.concatenate([p.digests for p in parts]),
        lengths=np.concatenate([p.lengths for p in parts]),
        errors=[e for p in parts for e in p.errors],
    )


@dataclass(slots=True)
class Cluster:
    """Near-duplicate documents (indices in input order), the one kept, and each member's similarity to it."""

    members: list[int]
    kept: int
    similarity: dict[int, float]


@dataclass(slots=True)
class DedupResult:
    """Clusters over the documents that were read; `rejects` are inputs that could not be sketched."""

    ids: list[str]
    origins: list[Origin]
    clusters: list[Cluster]
    rejects: list[Reject] = field(default_factory=list)
    candidates: int = 0
    verified: list[tuple[int, int, float]] = field(default_factory=list)  # (i, j, exact Jaccard) >= threshold
    invalid: set[int] = field(default_factory=set)  # documents read but not sketched (they are in rejects)

    def dropped(self) -> set[int]:
        """Indices of documents that `-o` leaves out: every cluster member except the kept one."""
        return {m for c in self.clusters for m in c.members if m != c.kept}

    def cluster_records(self) -> Iterator[dict[str, Any]]:
        """The `--clusters` JSON Lines: one record per document in a cluster of two or more. `input` (file, and
        line or row) names the document where ids repeat across files, as in the ledger."""
        for number, cluster in enumerate(self.clusters):
            for member in cluster.members:
                yield {
                    "id": self.ids[member],
                    "input": self.origins[member].to_json(),
                    "cluster": number,
                    "kept": member == cluster.kept,
                    "similarity": round(cluster.similarity[member], 4),
                }


def _partitions(
    items: Iterable[ReadItem], size: int, ids: list[str], origins: list[Origin], rejects: list[Reject]
) -> Iterator[list[Payload]]:
    """Stream read items into partitions of payloads, recording ids and origins (and read rejects) as it goes."""
    batch: list[Payload] = []
    for item in items:
        if isinstance(item, Reject):
            rejects.append(item)
            continue
        ids.append(item.id or item.origin.default_id(len(ids)))
        origins.append(item.origin)
        batch.append((item.text, item.html, item.url))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def find_duplicates(items: Iterable[ReadItem | InputDoc], options: DedupOptions, engine: Any = None) -> DedupResult:
    """Cluster near-duplicate documents; `engine` (default: in-process) maps the sketching over partitions."""
    from cleaner.corpus.engines import LocalEngine

    engine = engine if engine is not None else LocalEngine(jobs=1)
    ids: list[str] = []
    origins: list[Origin] = []
    rejects: list[Reject] = []
    work = functools.partial(sketch_partition, options=options)
    parts = list(engine.map(work, _partitions(items, options.partition_docs, ids, origins, rejects)))
    sketch = concat_sketches(parts, options.num_perm)
    invalid = set()
    for index, error in enumerate(sketch.errors):
        if error is not None:
            rejects.append(Reject(origins[index], error, id=ids[index]))
            invalid.add(index)
    clusters, candidates, edges = cluster_sketch(sketch, options)
    return DedupResult(ids, origins, clusters, rejects, candidates, edges, invalid)


def kept_records(
    items: Iterable[ReadItem | InputDoc], result: DedupResult, text_field: str = "text"
) -> Iterator[dict[str, Any]]:
    """Second pass over the same input: every document except the dropped cluster members, as given.

    Records are written back unchanged (dedup decides which documents stay; `clean` changes text). Inputs that
    had no record (text files, HTML pages, WARC) are written as id, url and their (extracted) text.
    """
    from cleaner.io.records import output_record

    skip = result.dropped() | result.invalid
    index = -1
    for item in items:
        if isinstance(item, Reject):
            continue
        index += 1
        if index in skip:
            continue
        text = item.text
        if text is None and item.keys is None and item.html is not None:
            from cleaner.extract import extract

            text = extract(item.html, item.url).text
        yield output_record(item, result.ids[index], text, text_field)


def cluster_sketch(sketch: Sketch, options: DedupOptions) -> tuple[list[Cluster], int, list[tuple[int, int, float]]]:
    """Candidates, exact verification and union-find over a whole-corpus sketch (the engine-independent part)."""
    n = len(sketch.lengths)
    valid = np.array([e is None for e in sketch.errors], dtype=bool)
    nonempty = valid & (np.diff(sketch.offsets) > 0)
    uf = UnionFind(n)

    # Exact duplicates: equal normalized text, whatever their shingles.
    live = np.flatnonzero(valid)
    order = live[np.argsort(sketch.digests[live], kind="stable")]
    same = np.flatnonzero(sketch.digests[order][1:] == sketch.digests[order][:-1])
    uf.union_pairs(zip(order[same].tolist(), order[same + 1].tolist(), strict=True))

    indices = np.flatnonzero(nonempty)
    pairs = np.empty((0, 2), dtype=np.int64)
    if len(indices) >= 2:
        band_threshold = min(max(options.threshold - _CANDIDATE_MARGIN, 0.05), 0.95)
        pairs = indices[minhash.candidate_pairs(sketch.signatures[indices], band_threshold)]
    # The sets of every document verification or a cluster's similarities look at, sorted in one call.
    needed = np.unique(np.concatenate([pairs.ravel(), order[same], order[same + 1]]).astype(np.int64))
    values, offsets = sketch.sets_of(needed)
    scores = minhash.pair_jaccard(values, offsets, np.searchsorted(needed, pairs[:, 0]),
                                  np.searchsorted(needed, pairs[:, 1]))  # fmt: skip
    keep = np.flatnonzero(scores >= options.threshold)
    uf.union_pairs(pairs[keep].tolist())
    edges = list(zip(pairs[keep, 0].tolist(), pairs[keep, 1].tolist(), scores[keep].tolist(), strict=True))

    groups = uf.groups(min_size=2)
    kept_of = []
    for members in groups:
        longest = max(members, key=lambda m: (sketch.lengths[m], -m))
        kept_of.append(longest if options.keep == "longest" else members[0])
    # Every member's similarity to its kept document, in one call: 1.0 for the kept one and its exact copies.
    member = np.array([m for members in groups for m in members], dtype=np.int64)
    kept = np.repeat(np.array(kept_of, dtype=np.int64), [len(members) for members in groups])
    scores = minhash.pair_jaccard(values, offsets, np.searchsorted(needed, member), np.searchsorted(needed, kept))
    scores[(member == kept) | (sketch.digests[member] == sketch.digests[kept])] = 1.0
    clusters = []
    start = 0
    for members, kept_one in zip(groups, kept_of, strict=True):
        similarity = dict(zip(members, scores[start : start + len(members)].tolist(), strict=True))
        clusters.append(Cluster(members, kept_one, similarity))
        start += len(members)
    return clusters, len(pairs), edges
