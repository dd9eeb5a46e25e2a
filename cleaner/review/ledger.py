"""Ledgers and cleaned outputs, read back for review: every line checked, each joined to its cleaned text.

What a ledger line must hold for review (what `newsclean clean --ledger` writes; other fields are ignored):
`id` (string), `removed` (a list of removals, each with `start`, `end`, `text`, `stage`, and optionally `rule`,
`reason`, `dup_of`, `score`), `chars_in` and `chars_out` (code points). Optional: `input` (`file`, and `line`,
`row` or `record`), `url`, `site`, `warnings` (a list of strings).

The cleaned outputs are joined to ledger lines in order: the ledger lists the cleaned documents in the order
they were written, rejects left out. A JSON Lines or Parquet output holds one record per document (text in
`--text-field`, default `text`); a text file holds one document (or several back to back, each `chars_out`
characters long); in a mirrored directory tree, a ledger line's
`input.file` names its input, whose mirrored name is looked up under the directory. Where a record carries an id
it must be the ledger's, and every text must be `chars_out` long: otherwise the ledger comes from another run,
and the error says so.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cleaner.apply import restore
from cleaner.errors import NewscleanError
from cleaner.record import Document, Origin, Removal

NO_SITE = "(no site)"


class LedgerError(NewscleanError):
    """A ledger, rejects file or cleaned output that cannot be reviewed: exit status 2, with file and line."""

    exit_code = 2


@dataclass(slots=True)
class LedgerEntry:
    """One checked ledger line."""

    line: int  # 1-based line number in the ledger
    id: str
    removed: list[Removal]
    chars_in: int
    chars_out: int
    input: dict[str, Any] | None = None
    url: str | None = None
    site: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def site_key(self) -> str:
        return site_of(self.site, self.url)

    @property
    def chars_removed(self) -> int:
        return self.chars_in - self.chars_out

    @property
    def share(self) -> float:
        """The share of the document's input characters that was removed."""
        return self.chars_removed / self.chars_in if self.chars_in else 0.0

    @property
    def input_file(self) -> str | None:
        file = (self.input or {}).get("file")
        return file if isinstance(file, str) else None

    def origin(self) -> Origin | None:
        if self.input_file is None:
            return None
        data = self.input or {}
        return Origin(self.input_file, line=data.get("line"), row=data.get("row"), record=data.get("record"))

    def document(self, text: str) -> Document:
        """The document this line describes, its normalized input rebuilt from the cleaned text (README,
        "Rebuilding")."""
        return Document(
            id=self.id,
            source=restore(text, self.removed),
            url=self.url,
            site=self.site,
            origin=self.origin(),
            removals=list(self.removed),
            warnings=list(self.warnings),
            text=text,
        )


def site_of(site: str | None, url: str | None) -> str:
    """What a document counts under per site: the rule file that placed it, else its URL's host."""
    if site:
        return site
    if url:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        if host:
            return host
    return NO_SITE


def _json_lines(path: Path, what: str) -> Iterator[tuple[int, Any]]:
    """(line number, value) of every non-blank line of a JSON Lines file (.gz, .zst too); a line that is not JSON,
    an unreadable file or one that ends early is an error naming the file and line."""
    import orjson

    from cleaner.io.streams import TruncatedError, iter_lines, open_binary

    try:
        stream = open_binary(path)
    except OSError as error:
        raise LedgerError(f"cannot read {what} {path}: {error.strerror or error}") from None
    with stream:
        number = 0
        try:
            for number, raw in enumerate(iter_lines(stream), 1):
                if not raw.strip():
                    continue
                try:
                    yield number, orjson.loads(raw)
                except orjson.JSONDecodeError as error:
                    raise LedgerError(f"{path}:{number}: not a JSON {what} line ({error})") from None
        except TruncatedError as error:
            raise LedgerError(f"{path}: ends early after line {number} ({error})") from None


def iter_ledger(path: Path) -> Iterator[LedgerEntry]:
    """Every line of a ledger (.jsonl, .gz or .zst), checked; a bad line is an error naming file and line."""
    for number, data in _json_lines(path, "ledger"):
        yield _entry(data, path, number)


def _entry(data: Any, path: Path, number: int) -> LedgerEntry:
    where = f"{path}:{number}"
    if not isinstance(data, dict):
        raise LedgerError(f"{where}: a ledger line is a JSON object, got {type(data).__name__}")
    for key in ("id", "removed", "chars_in", "chars_out"):
        if key not in data:
            raise LedgerError(f"{where}: no {key!r} (a ledger line holds id, removed, chars_in, chars_out)")
    doc_id, removed, chars_in, chars_out = data["id"], data["removed"], data["chars_in"], data["chars_out"]
    if not isinstance(doc_id, str):
        raise LedgerError(f"{where}: 'id' must be a string")
    if not _is_int(chars_in) or not _is_int(chars_out) or not 0 <= chars_out <= chars_in:
        raise LedgerError(f"{where}: chars_in and chars_out must be counts with chars_out <= chars_in")
    if not isinstance(removed, list):
        raise LedgerError(f"{where}: 'removed' must be a list")
    removals: list[Removal] = []
    end = 0
    for index, item in enumerate(removed):
        try:
            removal = Removal.from_json(item)
        except (KeyError, TypeError, ValueError, IndexError) as error:
            raise LedgerError(f"{where}: removal {index} is not a removal ({type(error).__name__}: {error})") from None
        if not isinstance(removal.text, str) or not isinstance(removal.stage, str):
            raise LedgerError(f"{where}: removal {index}: 'text' and 'stage' must be strings")
        if removal.start < end or removal.end - removal.start != len(removal.text):
            raise LedgerError(f"{where}: removal {index}: spans must be sorted, disjoint and as long as their text")
        end = removal.end
        removals.append(removal)
    if end > chars_in or chars_in - sum(len(r.text) for r in removals) != chars_out:
        raise LedgerError(f"{where}: chars_in minus the removed characters is not chars_out")
    warnings = data.get("warnings") or []
    url, site = data.get("url"), data.get("site")
    return LedgerEntry(
        line=number,
        id=doc_id,
        removed=removals,
        chars_in=chars_in,
        chars_out=chars_out,
        input=data.get("input") if isinstance(data.get("input"), dict) else None,
        url=url if isinstance(url, str) else None,
        site=site if isinstance(site, str) else None,
        warnings=[str(w) for w in warnings] if isinstance(warnings, list) else [str(warnings)],
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# ---------------------------------------------------------------------------------------------------------------
# Cleaned outputs


_SKIPPED_SUFFIXES = (".rejects.jsonl", ".newsclean-state.json")


class CleanedOutputs:
    """The cleaned texts of a run, handed out in ledger order (see the module docstring for the join)."""

    def __init__(self, paths: Sequence[Path], ledger: Path, text_field: str = "text", id_field: str = "id") -> None:
        self.paths = [Path(p) for p in paths]
        self.ledger = ledger
        self.text_field = text_field
        self.id_field = id_field
        for path in self.paths:
            if not path.exists():
                raise LedgerError(f"cleaned output {path} does not exist")
        self.single = self.paths[0] if len(self.paths) == 1 and self.paths[0].is_file() else None
        self._index: dict[tuple[str, ...], Path] | None = None
        self._readers: dict[Path, _Reader] = {}
        self._where: dict[str, Path] = {}

    def text_of(self, entry: LedgerEntry) -> str:
        """The cleaned text of the document a ledger line describes, checked against it."""
        path = self._output_for(entry)
        reader = self._readers.get(path)
        if reader is None:
            reader = self._readers[path] = _Reader(path, self.text_field, self.id_field)
        found = reader.next(entry.chars_out)
        if found is None:
            raise self._mismatch(entry, path, "the cleaned output has no document left for it")
        record_id, text = found
        if record_id is not None and record_id != entry.id:
            raise self._mismatch(entry, path, f"the cleaned output's document there has id {record_id!r}")
        if len(text) != entry.chars_out:
            raise self._mismatch(
                entry, path, f"its cleaned text has {len(text):,} characters, the ledger says {entry.chars_out:,}"
            )
        return text

    def finish(self) -> None:
        """Every output read to its end: a document left over means the ledger is not this output's."""
        for path, reader in self._readers.items():
            if reader.left_over():
                raise LedgerError(
                    f"{path} holds more cleaned documents than {self.ledger} lists; "
                    "the ledger and the cleaned output seem to come from different runs"
                )
            reader.close()

    def close(self) -> None:
        for reader in self._readers.values():
            reader.close()

    def _mismatch(self, entry: LedgerEntry, path: Path, detail: str) -> LedgerError:
        return LedgerError(
            f"{self.ledger}:{entry.line} (id {entry.id!r}) does not match {path}: {detail}; "
            "the ledger and the cleaned output seem to come from different runs"
        )

    def _output_for(self, entry: LedgerEntry) -> Path:
        if self.single is not None:
            return self.single
        name = entry.input_file
        if name is None:
            raise LedgerError(f"{self.ledger}:{entry.line}: no input file to find its cleaned output by")
        found = self._where.get(name)
        if found is None:
            found = self._where[name] = self._lookup(name, entry)
        return found

    def _lookup(self, name: str, entry: LedgerEntry) -> Path:
        if self._index is None:
            self._index = self._build_index()
        parts = tuple(p for p in _mirrored(name).replace(os.sep, "/").split("/") if p not in ("", "."))
        for length in range(len(parts), 0, -1):
            found = self._index.get(parts[-length:])
            if found is not None:
                return found
        given = ", ".join(str(p) for p in self.paths)
        raise LedgerError(
            f"{self.ledger}:{entry.line}: no cleaned output for input {name} under {given}; "
            "the ledger and the cleaned output seem to come from different runs"
        )

    def _build_index(self) -> dict[tuple[str, ...], Path]:
        index: dict[tuple[str, ...], Path] = {}
        for path in self.paths:
            if path.is_file():
                index[(path.name,)] = path
                continue
            for directory, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for file in sorted(files):
                    if file.startswith(".") or file.endswith(_SKIPPED_SUFFIXES):
                        continue
                    full = Path(directory) / file
                    rel = full.relative_to(path).parts
                    for length in range(1, len(rel) + 1):  # every tail, so "a/b.txt" is found by "x/a/b.txt"
                        index.setdefault(rel[-length:], full)
                    index[rel] = full
        return index


def _mirrored(name: str) -> str:
    """The output name `clean` gives an input file in a mirrored tree: HTML becomes .txt, WARC .jsonl."""
    lower = name.lower()
    for endings, new in (((".html.gz", ".htm.gz", ".html", ".htm"), ".txt"), ((".warc.gz", ".warc"), ".jsonl")):
        for ending in endings:
            if lower.endswith(ending):
                return name[: -len(ending)] + new
    return name


class _Reader:
    """Documents of one output file in order: (id or None, text)."""

    def __init__(self, path: Path, text_field: str, id_field: str) -> None:
        from cleaner.io import kind_of

        self.path = path
        self.kind = kind_of(path) or "txt"
        self.text_field = text_field
        self.id_field = id_field
        self._records: Iterator[tuple[str | None, str]] | None = None
        self._text: str | None = None
        self._cursor = 0
        self._stream: Any = None

    def next(self, length: int) -> tuple[str | None, str] | None:
        if self.kind in ("txt", "html"):
            text = self._whole()
            if self._cursor >= len(text) and length > 0:
                return None
            piece = text[self._cursor : self._cursor + length]
            self._cursor += length
            return None, piece
        if self._records is None:
            self._records = self._parquet() if self.kind == "parquet" else self._jsonl()
        return next(self._records, None)

    def left_over(self) -> bool:
        if self.kind in ("txt", "html"):
            return self._cursor < len(self._whole())
        return self._records is not None and next(self._records, None) is not None

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def _whole(self) -> str:
        if self._text is None:
            from cleaner.io.streams import read_all

            try:
                self._text = read_all(self.path).decode("utf-8")
            except UnicodeDecodeError as error:
                raise LedgerError(f"cleaned output {self.path} is not UTF-8 text ({error})") from None
            except OSError as error:
                raise LedgerError(f"cannot read cleaned output {self.path}: {error}") from None
        return self._text

    def _jsonl(self) -> Iterator[tuple[str | None, str]]:
        import orjson

        from cleaner.io.streams import TruncatedError, iter_lines, open_binary

        self._stream = open_binary(self.path)
        number = 0
        try:
            for number, raw in enumerate(iter_lines(self._stream), 1):
                if not raw.strip():
                    continue
                try:
                    record = orjson.loads(raw)
                except orjson.JSONDecodeError as error:
                    raise LedgerError(f"{self.path}:{number}: not a JSON record ({error})") from None
                yield self._fields(record, f"{self.path}:{number}")
        except TruncatedError as error:
            raise LedgerError(f"{self.path}: ends early after line {number} ({error})") from None

    def _parquet(self) -> Iterator[tuple[str | None, str]]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            table = pq.ParquetFile(self.path)
            names = table.schema_arrow.names
            columns = [c for c in (self.text_field, self.id_field) if c in names]
            row = 0
            for batch in table.iter_batches(columns=columns, batch_size=1024):
                for record in batch.to_pylist():
                    yield self._fields(record, f"{self.path} row {row}")
                    row += 1
        except (OSError, pa.ArrowException) as error:
            raise LedgerError(f"cannot read cleaned output {self.path}: {error}") from None

    def _fields(self, record: Any, where: str) -> tuple[str | None, str]:
        if not isinstance(record, dict) or not isinstance(record.get(self.text_field), str):
            raise LedgerError(f"{where}: no text field {self.text_field!r} (name it with --text-field)")
        raw_id = record.get(self.id_field)
        doc_id = raw_id if isinstance(raw_id, str) else None
        if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
            doc_id = str(raw_id)
        return doc_id, record[self.text_field]


def iter_documents(
    ledger: Path, cleaned: Sequence[Path], text_field: str = "text", id_field: str = "id"
) -> Iterator[tuple[LedgerEntry, str]]:
    """Each ledger line with its cleaned text, every one checked; the outputs must end where the ledger does."""
    outputs = CleanedOutputs(cleaned, ledger, text_field, id_field)
    try:
        for entry in iter_ledger(ledger):
            yield entry, outputs.text_of(entry)
        outputs.finish()
    finally:
        outputs.close()


@dataclass(slots=True)
class RejectLine:
    id: str | None
    where: str
    reason: str


def iter_rejects(path: Path) -> Iterator[RejectLine]:
    """The lines of a rejects file (`{"id", "input", "reason"}`), a bad line named by file and line."""
    for number, data in _json_lines(path, "rejects"):
        if not isinstance(data, dict) or not isinstance(data.get("reason"), str):
            raise LedgerError(f"{path}:{number}: a rejects line is an object with a 'reason'")
        origin = data.get("input") if isinstance(data.get("input"), dict) else {}
        where = str(origin.get("file", ""))
        for key in ("line", "row", "record"):
            if key in origin:
                where += f":{origin[key]}" if key == "line" else f" {key} {origin[key]}"
        doc_id = data.get("id")
        yield RejectLine(doc_id if isinstance(doc_id, str) else None, where, data["reason"])


def default_rejects(cleaned: Sequence[Path]) -> Path | None:
    """Where `clean` put the rejects of a run writing `cleaned[0]`: next to it, `OUT.rejects.jsonl`."""
    from cleaner.io.writers import rejects_path

    return rejects_path(Path(cleaned[0])) if cleaned else None
