"""datatrove: `NewscleanStep`, a pipeline step that cleans `doc.text` and keeps the removals in `doc.metadata`.

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from cleaner.integrations.datatrove import NewscleanStep

    LocalPipelineExecutor([JsonlReader("in/"), NewscleanStep(), JsonlWriter("out/")], tasks=4).run()

Documents go through `Cleaner.clean_many` in batches (so near-duplicate signatures are computed for many at once);
the URL that picks a document's site rules is `doc.metadata["url"]`, where datatrove's readers put it. The step
counts, in datatrove's stats, every removal by stage (`removals_neardup`, `removals_rule`) and by rule
(`removals_rule:_default/share-prompt`): per document where it fired, so `total` is the number of removals and `n`
the number of documents. A document that cannot be cleaned (no text left after normalization, text not a string)
is dropped as datatrove's filters drop one, counted under `rejected` and `rejected: <reason>`, and written with the
reason in `metadata["newsclean_reject"]` to `exclusion_writer` if one is given; `keep_rejects=True` passes it on
with its text unchanged instead (and every cleaned document gets "" as `newsclean_reject`). A rule skipped for a
document (it timed out, or would have removed more than its `max_fraction`) is counted under `warnings` and named
in `metadata["newsclean_warnings"]`.

Importing this module imports datatrove; `import cleaner` never does.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import TYPE_CHECKING

import orjson

try:
    from datatrove.data import Document as DatatroveDocument
    from datatrove.data import DocumentsPipeline
    from datatrove.pipeline.base import PipelineStep
    from datatrove.utils.batching import batched
    from datatrove.utils.typeshelper import StatHints
except ImportError as error:  # pragma: no cover - exercised by a test that hides datatrove
    raise ImportError(
        f"cleaner.integrations.datatrove needs datatrove ({error}); install it with: pip install 'newsclean[datatrove]'"
    ) from error

from cleaner.integrations.common import clean_texts, removals_json
from cleaner.record import Document

if TYPE_CHECKING:
    from datatrove.pipeline.writers.disk_base import DiskWriter

    from cleaner.pipeline import Cleaner

REJECT_KEY = "newsclean_reject"
WARNINGS_KEY = "newsclean_warnings"


class NewscleanStep(PipelineStep):
    """Cleans each document's text with a `Cleaner` (the bundled rules unless one is given).

    `metadata_key` holds the removals in the ledger's `removed` form, `newsclean_warnings` the rules skipped for the
    document: lists (of dicts, of strings), or with `as_json=True` each one JSON string. Strings are for datatrove's
    ParquetWriter, which fixes its schema from the first document and then fails on a document whose lists differ
    in shape (an empty list, a removal with `dup_of` after one without). `url_key` names the URL's metadata field.
    """

    name = "🧹 newsclean"
    type = "✂️ - FORMAT"

    def __init__(
        self,
        cleaner: Cleaner | None = None,
        *,
        url_key: str = "url",
        metadata_key: str = "newsclean_removed",
        as_json: bool = False,
        keep_rejects: bool = False,
        exclusion_writer: DiskWriter | None = None,
        batch_size: int = 256,
    ) -> None:
        super().__init__()
        if cleaner is None:
            from cleaner.pipeline import Cleaner

            cleaner = Cleaner()
        if not hasattr(cleaner, "clean_many"):
            raise TypeError(f"cleaner must be a cleaner.Cleaner, got {type(cleaner).__name__}")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        if metadata_key in (url_key, REJECT_KEY, WARNINGS_KEY):
            raise ValueError(
                f"metadata_key {metadata_key!r} must differ from url_key, {REJECT_KEY!r} and {WARNINGS_KEY!r}"
            )
        self.cleaner = cleaner
        self.url_key = url_key
        self.metadata_key = metadata_key
        self.as_json = as_json
        self.keep_rejects = keep_rejects
        self.exclusion_writer = exclusion_writer
        self.batch_size = batch_size

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        """Clean the incoming documents in batches and yield them in order (rejects dropped unless kept)."""
        if data is None:
            return
        writer_context = self.exclusion_writer if self.exclusion_writer is not None else contextlib.nullcontext()
        with writer_context as writer:
            for batch in batched(data, self.batch_size):
                with self.track_time("batch"):
                    urls = [doc.metadata.get(self.url_key) for doc in batch]
                    results = clean_texts(self.cleaner, [doc.text for doc in batch], urls, [str(d.id) for d in batch])
                for doc, result in zip(batch, results, strict=True):
                    self.stat_update(StatHints.total)
                    if isinstance(result, Document):
                        self._cleaned(doc, result)
                        self.stat_update(StatHints.forwarded)
                        self.update_doc_stats(doc)
                        yield doc
                        continue
                    self._rejected(doc, result)
                    self.stat_update("rejected", f"rejected: {result}")
                    if self.keep_rejects:
                        self.stat_update(StatHints.forwarded)
                        yield doc
                    else:
                        self.stat_update(StatHints.dropped)
                        if writer is not None:
                            writer.write(doc, rank)

    def _rejected(self, doc: DatatroveDocument, reason: str) -> None:
        """The reason, and no removals: every document leaving the step has the same metadata keys (a Parquet
        writer's schema is the first document's)."""
        doc.metadata[REJECT_KEY] = reason
        doc.metadata[self.metadata_key] = "[]" if self.as_json else []
        doc.metadata[WARNINGS_KEY] = "[]" if self.as_json else []

    def _cleaned(self, doc: DatatroveDocument, result: Document) -> None:
        """Put the cleaned text and its removals on the datatrove document, and count them."""
        doc.text = result.text
        doc.metadata[self.metadata_key] = (
            removals_json(result) if self.as_json else [removal.to_json() for removal in result.removals]
        )
        if self.keep_rejects:  # rejects pass on with their reason: cleaned documents say "" there
            doc.metadata[REJECT_KEY] = ""
        removed_chars = len(result.source) - len(result.text or "")
        if removed_chars:
            self.stat_update("removed_chars", value=removed_chars)
        self.stat_update("removals", value=len(result.removals))
        by_label = Counter(f"removals_{removal.stage}" for removal in result.removals)
        by_label.update(f"removals_{r.stage}:{r.rule}" for r in result.removals if r.rule is not None)
        for label, count in sorted(by_label.items()):
            self.stat_update(label, value=count)
        warnings = list(result.warnings)  # rules skipped for this document (timed out, or over max_fraction)
        doc.metadata[WARNINGS_KEY] = orjson.dumps(warnings).decode("utf-8") if self.as_json else warnings
        if warnings:
            self.stat_update("warnings", value=len(warnings))
