"""The options of a corpus run, as one dataclass: the CLI fills it in, the plan checks it, the resume fingerprint
hashes it field by field (so a new option is part of the fingerprint unless it says otherwise)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cleaner.io.base import ReadOptions

# Metadata of a field that may change between a killed run and its --resume: it does not change what is written.
RESUMABLE = {"fingerprint": False}


@dataclass(slots=True)
class BatchConfig:
    """Everything a `newsclean clean` run needs; the CLI only fills this in."""

    inputs: Sequence[str]
    output: str | None = None
    ledger: str | None = None
    rejects: str | None = None
    rules: Sequence[str] = ()
    jobs: int = field(default=1, metadata=RESUMABLE)  # output is identical for any number
    threshold: float = 0.8
    rule_timeout: float | None = None  # seconds per pattern per document; None: the rule set's default
    resume: bool = field(default=False, metadata=RESUMABLE)
    restart: bool = field(default=False, metadata=RESUMABLE)  # discard an interrupted run's outputs and start over
    read: ReadOptions = field(default_factory=ReadOptions)
    progress: bool | None = field(default=None, metadata=RESUMABLE)  # None: only when stderr is a terminal
    commit_every: int = 1000
    bundled_rules: bool = True  # False: only the --rules directories (tests, golden files)
    title_field: str = "title"  # the record field holding the headline
    title_in_text: str = "keep"  # drop: the text's own copy of that title goes too
    max_doc_chars: int = 100_000_000  # longer documents are rejected with a reason
    comments: str = "drop"  # keep: HTML pages' reader comments are extracted too (and `_comments` rules clean them)
    report: str | None = field(default=None, metadata=RESUMABLE)  # the review page written at the end
    # Where the cleaning runs (`cleaner.corpus.engines`): outputs are identical on every engine, so a run killed on
    # one may be resumed on another.
    engine: str = field(default="local", metadata=RESUMABLE)
    scheduler: str | None = field(default=None, metadata=RESUMABLE)  # an existing Dask cluster; None: a LocalCluster
    # Dask: a directory (or fsspec URL) every worker and the driver reach, for partition results; None: beside OUT
    storage: str | None = field(default=None, metadata=RESUMABLE)
    partition_bytes: int | None = field(default=None, metadata=RESUMABLE)  # None: the input spread over the workers
    dask_processes: bool = field(default=True, metadata=RESUMABLE)  # False: LocalCluster workers as threads (tests)
    parts: bool = False  # Dask: OUT is a directory of part files the workers write, with a manifest; no stitching
    connect_timeout: float = field(default=20.0, metadata=RESUMABLE)  # seconds to reach --scheduler
    no_workers_timeout: float = field(default=120.0, metadata=RESUMABLE)  # a cluster without workers this long fails

    def cleaner_options(self) -> dict[str, object]:
        """What `Cleaner` takes from this run's options (the rule directories come from the plan): one place, so
        the main process and its workers build the same cleaner."""
        return {
            "threshold": self.threshold,
            "rule_timeout": self.rule_timeout,
            "title_field": self.title_field,
            "title_in_text": self.title_in_text,
            "max_doc_chars": self.max_doc_chars,
            "comments": self.comments,
        }
