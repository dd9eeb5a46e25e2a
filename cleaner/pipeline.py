"""Cleaner: the stages in order, for one text or a stream of records.

read -> normalize -> segment -> rules -> near-duplicates -> apply removals. Stages mark spans; `apply` deletes.
`clean_many` batches documents so that MinHash signatures of all their paragraphs are computed in one numpy pass.
Nothing here keeps state between documents, so results do not depend on order, batch size or worker count.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleaner.apply import apply_removals
from cleaner.checks import check_positive_int
from cleaner.errors import ConfigError
from cleaner.io.base import InputDoc
from cleaner.neardup import NearDupOptions
from cleaner.normalize import normalize
from cleaner.record import Document, Origin, Reject
from cleaner.segment import lone_paragraph, paragraphs, units, units_after_cuts
from cleaner.stages import Stage, default_stages, settle
from cleaner.stutter import TitleOptions

if TYPE_CHECKING:
    from cleaner.rules import RuleSet

Record = str | dict[str, Any] | InputDoc

# Documents longer than this are rejected with a reason: cleaning takes up to ~60 bytes of memory per character
# (a 17 MB document of a million short lines), so the cap (6 GB a worker at most) keeps two workers well inside a
# 24 GB machine.
MAX_DOC_CHARS = 100_000_000
# A batch closes at this many documents or characters, whichever comes first: big enough to vectorize,
# small enough that memory stays flat on corpora of any size.
_BATCH_DOCS = 256
_BATCH_CHARS = 8_000_000


@dataclass(slots=True)
class Result(Document):
    """A cleaned document as `Cleaner` returns it: a `Document` that can also show its diff."""

    def diff(self, color: bool = False) -> str:
        """The source with every removal marked and explained (`cleaner.review.diff`)."""
        from cleaner.review.diff import render_diff

        return render_diff(self, color=color)


class Cleaner:
    """Cleans news text and explains every removal.

    >>> c = Cleaner()                     # bundled rules
    >>> result = c.clean(text, url=None)  # result.text, result.source, result.removed, result.diff()

    Rule files are loaded and their `removes`/`keeps` examples run once, here: a failing example is a bad rule
    file (`check_examples=False` skips that, for rules known to pass). `comments="keep"` extracts HTML pages'
    reader comments too (the default "drop" leaves them out); the `_comments` rules then clean their widget text.
    """

    def __init__(
        self,
        rules: Sequence[str | Path] | None = None,
        *,
        threshold: float = 0.8,
        shingle_size: int | None = None,
        num_perm: int | None = None,
        min_words: int = 5,
        rule_timeout: float | None = None,
        check_examples: bool = True,
        title_field: str = "title",
        title_in_text: str = "keep",
        max_doc_chars: int = MAX_DOC_CHARS,
        comments: str = "drop",
    ) -> None:
        from cleaner.checks import check_comments

        try:
            self.comments = check_comments(comments, "comments (--comments)")
        except ValueError as error:
            raise ConfigError(str(error)) from None
        defaults = NearDupOptions()
        try:
            self.options = NearDupOptions(
                threshold=threshold,
                shingle_size=defaults.shingle_size if shingle_size is None else shingle_size,
                num_perm=defaults.num_perm if num_perm is None else num_perm,
                min_words=min_words,
            )
            self.title = TitleOptions(field=title_field, in_text=title_in_text, min_words=min_words)
        except ValueError as error:
            raise ConfigError(str(error)) from None
        try:
            self.max_doc_chars = check_positive_int(max_doc_chars, "max_doc_chars (--max-doc-chars)")
        except ValueError as error:
            raise ConfigError(str(error)) from None
        if isinstance(rules, str | Path):
            raise ConfigError(
                f"rules must be a list of directories, got the single path {str(rules)!r}; "
                f"did you mean rules=[{str(rules)!r}]?"
            )
        if rules is not None:
            ordered = isinstance(rules, Iterable) and not isinstance(rules, bytes | Mapping | Set)  # order counts
            listed = list(rules) if ordered else None
            if listed is None or not all(isinstance(r, str | Path) for r in listed):
                raise ConfigError(
                    f"rules must be a list of rule directories (str or Path), got {rules!r}; "
                    "e.g. rules=['my_rules/'], or leave it out for the bundled rules"
                )
            rules = listed
        from cleaner.rules.load import DEFAULT_TIMEOUT, check_timeout

        timeout = (
            DEFAULT_TIMEOUT if rule_timeout is None else check_timeout(rule_timeout, "rule_timeout (--rule-timeout)")
        )
        self.rule_dirs = _rule_dirs(rules)
        self.ruleset: RuleSet | None = None
        if self.rule_dirs:
            from cleaner.rules import load_ruleset

            self.ruleset = load_ruleset(self.rule_dirs, timeout=timeout)
            if check_examples:  # off where the same rules were checked already (a worker of a checked run)
                _check_examples(self.ruleset)
        self.stages: list[Stage] = default_stages(self.ruleset, self.options, self.title)

    def clean(self, text: str, url: str | None = None, id: str = "doc", meta: dict[str, Any] | None = None) -> Document:
        """Clean one text. The result's `text` is cleaned, `source` the normalized input, `removed` the ledger."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}; decode bytes first (e.g. .decode())")
        if url is not None and not isinstance(url, str):
            raise TypeError(f"url must be str or None, got {type(url).__name__}")
        if not isinstance(id, str):
            raise TypeError(f"id must be str, got {type(id).__name__}; e.g. id=str({id!r})")
        if meta is not None and not isinstance(meta, dict):
            raise TypeError(f"meta must be a dict (fields kept with the document) or None, got {type(meta).__name__}")
        if len(text) > self.max_doc_chars:
            raise ValueError(_too_long(len(text), self.max_doc_chars))
        doc = self._prepare(text, id=id, url=url, meta=meta or {}, origin=None)
        return self._finish([doc])[0]

    def clean_many(self, records: Iterable[Record | Reject]) -> Iterator[Document | Reject]:
        """Clean a stream of records in order; a record that cannot be cleaned comes back as a `Reject`.

        Records are texts, dicts with `text` (and optional `id`, `url`, other fields pass through as `meta`),
        or `InputDoc`s from `cleaner.io` (which may carry HTML to extract first); a reader's `Reject` passes through.
        """
        if isinstance(records, str | bytes | dict):
            raise TypeError(
                f"clean_many takes an iterable of records, got one {type(records).__name__}; pass a list of them, "
                "or call clean(text) for one text"
            )
        batch: list[Document | Reject] = []
        chars = 0
        stream = iter(records)
        for index in itertools.count():
            try:
                record = next(stream)
            except StopIteration:
                break
            except Exception:
                yield from self._finish(batch)  # what was read before the stream failed is not lost
                raise
            item = self._prepare_record(record, index)
            batch.append(item)
            if isinstance(item, Document):
                chars += len(item.source)
            if len(batch) >= _BATCH_DOCS or chars >= _BATCH_CHARS:
                yield from self._finish(batch)
                batch, chars = [], 0
        yield from self._finish(batch)

    def _finish(self, batch: list[Document | Reject]) -> list[Document | Reject]:
        """Run the stages on a batch to their fixpoint, then apply every document's removals.

        Stages see the whole batch so that near-duplicate signatures are computed in one pass. If a stage fails on
        the batch, the batch is run again one document at a time, and only the document that fails is rejected.
        """
        docs = [item for item in batch if isinstance(item, Document)]
        try:
            self._run_stages(docs)
        except Exception:
            if len(docs) <= 1:
                raise
            failed: dict[int, Reject] = {}
            for position, doc in enumerate(docs):
                _reset(doc)
                try:
                    self._run_stages([doc])
                except Exception as error:  # one bad document must not stop a corpus run
                    origin = doc.origin or Origin(file="<records>")
                    failed[position] = Reject(origin, f"could not clean: {type(error).__name__}: {error}", id=doc.id)
            if failed:
                by_identity = {id(docs[position]): reject for position, reject in failed.items()}
                batch = [by_identity.get(id(item), item) for item in batch]
                docs = [doc for position, doc in enumerate(docs) if position not in failed]
        for doc in docs:
            apply_removals(doc)
        return batch

    def _run_stages(self, docs: list[Document]) -> None:
        settle(self.stages, docs)
        self._resegment(docs)

    def _resegment(self, docs: list[Document]) -> None:
        """A document that stages cut down to one short paragraph is, as cleaned text, a one-paragraph document,
        whose sentences are its units: split that paragraph now and let the stages look again, so that cleaning
        the cleaned text finds nothing more.

        The second round looks only at the documents the first one changed: the others kept their units and
        removals (`settle` touches only the documents it is given), so they would give the same answer again."""
        pending = docs
        for _ in range(2):
            changed = []
            for doc in pending:
                lone = lone_paragraph(doc.source, doc.paragraphs, doc.removals)
                if lone is not None:
                    split = units(doc.source, doc.paragraphs, lone=lone)
                    if split != doc.units:
                        doc.units = split
                        changed.append(doc)
                        continue
                cleaned_units = units_after_cuts(doc)
                if cleaned_units is not None:
                    doc.units = cleaned_units
                    changed.append(doc)
            if not changed:
                return
            settle(self.stages, changed)
            pending = changed

    def _prepare_record(self, record: Record | Reject, index: int) -> Document | Reject:
        """Turn any accepted record into a prepared Document, or a Reject that says why not."""
        if isinstance(record, Reject):  # a reader's reject passes through, so clean_many(read_inputs(...)) works
            return record
        if isinstance(record, InputDoc):
            origin = record.origin
            doc_id = record.id or origin.default_id(index)
            text, url, meta, extraction = record.text, record.url, record.meta, None
            if record.html is not None and text is None:
                from cleaner.extract import extract

                if not isinstance(record.html, str | bytes):
                    return Reject(origin, f"html is not str or bytes ({type(record.html).__name__})", id=doc_id)
                try:
                    extracted = extract(record.html, record.url, comments=self.comments)
                except Exception as error:  # one bad page must not stop a corpus run
                    return Reject(origin, f"could not extract: {type(error).__name__}: {error}", id=doc_id)
                if extracted.text is None:
                    return Reject(origin, f"no article text extracted: {extracted.reason}", id=doc_id)
                text, extraction = extracted.text, extracted.info
        elif isinstance(record, dict):
            origin = Origin(file="<records>", record=index)
            meta = {k: v for k, v in record.items() if k not in ("text", "id", "url")}
            doc_id = str(index) if record.get("id") is None else str(record["id"])
            text, url, extraction = record.get("text"), record.get("url"), None
        elif isinstance(record, str):
            origin = Origin(file="<records>", record=index)
            doc_id, text, url, meta, extraction = str(index), record, None, {}, None
        else:
            return Reject(
                Origin(file="<records>", record=index),
                f"unsupported record type {type(record).__name__}: pass str, dict with 'text', or InputDoc",
            )
        if not isinstance(text, str):
            what = "missing" if text is None else f"not a string ({type(text).__name__})"
            return Reject(origin, f"text field is {what}", id=doc_id)
        if len(text) > self.max_doc_chars:
            return Reject(origin, _too_long(len(text), self.max_doc_chars), id=doc_id)
        if _absent(url):
            url = None  # pandas gives a missing URL as NaN or NA
        elif not isinstance(url, str):
            return Reject(origin, f"url field is not a string ({type(url).__name__})", id=doc_id)
        try:
            doc = self._prepare(text, id=doc_id, url=url, meta=meta, origin=origin)
        except Exception as error:  # one bad document must not stop a corpus run
            return Reject(origin, f"could not clean: {type(error).__name__}: {error}", id=doc_id)
        if not doc.source:
            return Reject(origin, "empty text (nothing left after normalization)", id=doc_id)
        doc.extraction = extraction
        return doc

    def _prepare(
        self,
        text: str,
        *,
        id: str,
        url: str | None,
        meta: dict[str, Any],
        origin: Origin | None,
    ) -> Document:
        """Normalize and segment: everything that comes before the stages."""
        source = normalize(text)
        doc = Result(id=id, source=source, url=url, meta=meta, origin=origin)
        doc.paragraphs = paragraphs(source)
        doc.units = units(source, doc.paragraphs)
        return doc

    def clean_batch(
        self,
        batch: Mapping[str, list[Any]],
        text_column: str = "text",
        url_column: str | None = "url",
        id_column: str | None = None,
        removals_column: str | None = "removals",
        reject_column: str | None = "reject",
    ) -> dict[str, list[Any]]:
        """For `ds.map(cleaner.clean_batch, batched=True, num_proc=N)`; see `cleaner.integrations.hf.clean_batch`."""
        from cleaner.integrations.hf import clean_batch

        return clean_batch(self, batch, text_column, url_column, id_column, removals_column, reject_column)


def _too_long(length: int, cap: int) -> str:
    return (
        f"document of {length:,} characters is over the cap of {cap:,} (--max-doc-chars): cleaning it would take "
        "more memory than a worker may use; split it, or raise the cap on a machine with memory to spare"
    )


def _absent(value: object) -> bool:
    """None, or a missing value as pandas and Arrow give it (NaN, NA, NaT)."""
    if value is None:
        return True
    if isinstance(value, float):
        return value != value  # NaN
    return type(value).__name__ in ("NAType", "NaTType")


def _reset(doc: Document) -> None:
    """Forget what a failed batch run marked, so the document can be run alone from the start."""
    doc.removals.clear()
    doc.live.clear()
    doc.warnings.clear()
    doc.rule_time.clear()  # the failed run's time must not count against the document's own budget
    doc.site = None
    doc.units = units(doc.source, doc.paragraphs)  # a failed run may have split a lone paragraph


def _check_examples(ruleset: RuleSet) -> None:
    """A rule whose own `removes`/`keeps` examples fail is a bad rule file (DESIGN), refused before any cleaning."""
    from cleaner.rules import RuleError, check_examples

    failures = check_examples(ruleset)
    if failures:
        shown = "\n".join(str(failure) for failure in failures[:5])
        more = f"\n... and {len(failures) - 5} more" if len(failures) > 5 else ""
        raise RuleError(
            f"{shown}{more}\nfix the pattern or the example; `newsclean rules test DIR` lists every failing example"
        )


def _rule_dirs(rules: Sequence[str | Path] | None) -> list[Path]:
    """`rules=None` is the bundled set; a list replaces it (`cleaner.rules.load.resolve_rule_dirs` checks each)."""
    from cleaner.rules.load import resolve_rule_dirs

    return resolve_rule_dirs([] if rules is None else rules, bundled=rules is None, what="rules directory")
