"""Partitions of a corpus run for a distributed engine (`--engine dask`), the work a worker does on one, and the
storage their results go through.

- A partition is a list of *pieces*: whole input files (small consecutive files grouped, up to a byte budget), or
  one byte range of a large plain JSON Lines file. A range is split at any byte; a record belongs to the range in
  which its line starts, so every line is read exactly once. A compressed file cannot be entered in the middle and
  is always one piece.
- A worker cleans a partition exactly as `cleaner.batch.workers.process_items` cleans a task (same code, same
  encoded results) and writes the results to shared storage (a directory all workers reach, or an fsspec URL). The
  driver replays them through the same `Run` as a local run, so outputs, ledger, rejects, commit points and the
  resume state are byte-identical to `--engine local`.
- A partition's results become visible only when complete (written under a temporary name, then renamed; on object
  stores an object appears whole when it is closed), with a small `.done.json` marker holding its item counts: a
  driver killed and resumed reads them instead of cleaning the partition again.

Nothing here imports dask: the driver side is in `cleaner.batch.run`, the worker side needs only this module.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cleaner.io.base import InputDoc, RawRecord, ReadItem, ReadOptions, Source
from cleaner.io.streams import compression_of
from cleaner.record import Origin

# A partition aims at this share of the input per worker (4 partitions each balance uneven ones), within these bounds:
# too small and per-task overhead (~10 ms on Dask) shows, too large and a lost worker loses much.
PARTITIONS_PER_WORKER = 4
MIN_PARTITION_BYTES = 1 << 20
MAX_PARTITION_BYTES = 128 << 20
MAX_FILES_PER_PARTITION = 1000  # small files (a tree of .txt) grouped into one partition, at most this many
BUNDLED = "<bundled>"  # stands for the bundled rules directory, which each worker finds in its own installation
# Results are written in chunks of this many items: what the driver holds in memory at once.
_CHUNK_ITEMS = 256
_CHUNK_CHARS = 4_000_000


@dataclass(frozen=True, slots=True)
class Piece:
    """A whole input (start None) or the lines starting in bytes [start, end) of a plain JSON Lines file;
    `first_line` is the line number of the first of them (counted by `count_line_starts` before cleaning)."""

    source_index: int
    start: int | None = None
    end: int | None = None
    first_line: int = 1
    first: bool = True  # the first piece of its source (the driver opens the source's output there)
    last: bool = True  # the last piece of its source (the driver closes it there)

    def to_json(self) -> list[Any]:
        return [self.source_index, self.start, self.end, self.first_line, self.first, self.last]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> Piece:
        return cls(*data)


@dataclass(frozen=True, slots=True)
class Partition:
    index: int
    pieces: tuple[Piece, ...]
    bytes: int = 0

    def describe(self, sources: Sequence[Source]) -> str:
        """How messages name a partition: its file and byte range, or its files."""
        first = self.pieces[0]
        name = sources[first.source_index].display
        if first.start is not None:
            return f"{name}, bytes {first.start:,}-{first.end:,}"
        if len(self.pieces) == 1:
            return name
        return f"{name} and {len(self.pieces) - 1} more file{'s' if len(self.pieces) > 2 else ''}"

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "bytes": self.bytes, "pieces": [p.to_json() for p in self.pieces]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Partition:
        return cls(data["index"], tuple(Piece.from_json(p) for p in data["pieces"]), data.get("bytes", 0))


def splittable(source: Source) -> bool:
    """Only plain JSON Lines files can be entered at a byte offset."""
    return (
        source.error is None and source.path is not None and source.kind == "jsonl" and not compression_of(source.path)
    )


def _size(source: Source) -> int:
    if source.path is None or source.error is not None:
        return 0
    try:
        return source.path.stat().st_size
    except OSError:
        return 0


def partition_bytes(sources: Sequence[Source], workers: int, asked: int | None = None) -> int:
    """The byte budget of a partition: as asked, or the input spread over `PARTITIONS_PER_WORKER` per worker."""
    if asked is not None:
        return max(1, asked)
    total = sum(map(_size, sources))
    share = total // max(1, PARTITIONS_PER_WORKER * workers)
    return max(MIN_PARTITION_BYTES, min(MAX_PARTITION_BYTES, share))


def plan_partitions(sources: Sequence[Source], budget: int) -> list[Partition]:
    """Sources in order as partitions: large plain JSON Lines files in byte ranges of `budget`, other files grouped
    while the group stays within `budget` and `MAX_FILES_PER_PARTITION` (line numbers are not known yet)."""
    partitions: list[Partition] = []
    group: list[Piece] = []
    group_bytes = 0

    def close_group() -> None:
        nonlocal group, group_bytes
        if group:
            partitions.append(Partition(len(partitions), tuple(group), group_bytes))
        group, group_bytes = [], 0

    for index, source in enumerate(sources):
        size = _size(source)
        if splittable(source) and size > budget:
            close_group()
            starts = list(range(0, size, budget))
            for n, start in enumerate(starts):
                end = min(size, start + budget)
                piece = Piece(index, start, end, first=n == 0, last=n == len(starts) - 1)
                partitions.append(Partition(len(partitions), (piece,), end - start))
            continue
        if group and (group_bytes + size > budget or len(group) >= MAX_FILES_PER_PARTITION):
            close_group()
        group.append(Piece(index))
        group_bytes += size
    close_group()
    return partitions


def count_line_starts(path: str, start: int, end: int) -> int:
    """How many lines start in bytes [start, end) of a file: a line starts at 0 and after every newline (one after
    the last byte does not count). Read in 8 MB blocks: a worker task, so the driver reads none of it."""
    count = 1 if start == 0 else 0
    begin = max(0, start - 1)
    stop = end - 1  # a newline at end - 1 starts a line at end, which is the next range's
    with open(path, "rb") as handle:
        handle.seek(begin)
        left = stop - begin
        while left > 0:
            block = handle.read(min(left, 8 << 20))
            if not block:
                break
            count += block.count(b"\n")
            left -= len(block)
    return count


def number_lines(partitions: list[Partition], counts: dict[int, int]) -> list[Partition]:
    """Partitions with `first_line` set on their byte-range pieces, from `counts` (partition index -> lines starting
    in its range)."""
    out = []
    line: dict[int, int] = {}
    for partition in partitions:
        pieces = []
        for piece in partition.pieces:
            if piece.start is None:
                pieces.append(piece)
                continue
            first = line.get(piece.source_index, 1)
            pieces.append(Piece(piece.source_index, piece.start, piece.end, first, piece.first, piece.last))
            line[piece.source_index] = first + counts[partition.index]
        out.append(Partition(partition.index, tuple(pieces), partition.bytes))
    return out


def read_range(source: Source, piece: Piece, options: ReadOptions) -> Iterator[ReadItem]:
    """The records whose lines start in the piece's byte range, as `cleaner.io.records.read_jsonl` reads them (same
    origins, blank lines skipped, a byte-order mark dropped only on line 1)."""
    import codecs

    from cleaner.io.records import parse_json_line

    assert source.path is not None and piece.start is not None and piece.end is not None
    with open(source.path, "rb") as handle:
        position = piece.start
        if position > 0:
            handle.seek(position - 1)
            position += len(handle.readline()) - 1  # the rest of the line that started before the range
        line_no = piece.first_line
        while position < piece.end:
            line = handle.readline()
            if not line:
                break
            position += len(line)
            if line_no == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            if line.strip():
                origin = Origin(file=source.display, line=line_no)
                yield RawRecord(origin, line) if options.defer_json else parse_json_line(line, origin, options)
            line_no += 1


def read_piece(source: Source, piece: Piece, options: ReadOptions) -> Iterator[ReadItem]:
    from cleaner.io.read import read_source

    if piece.start is None:
        return read_source(source, options)
    return read_range(source, piece, options)


# ---------------------------------------------------------------------------------------------------------------
# Storage that the driver and every worker reach.


class Storage:
    """A directory for partition results: a local (shared) path, or an fsspec URL (`s3://bucket/run/`) when fsspec
    and the package for its protocol are installed. Only whole files are ever visible under their final names."""

    def __init__(self, location: str) -> None:
        self.location = location.rstrip("/")
        self.fs: Any = None
        if "://" in location and not location.startswith("file://"):
            try:
                import fsspec
            except ImportError:
                from cleaner.errors import ConfigError

                raise ConfigError(
                    f"--storage {location!r} is a URL, which needs fsspec (pip install fsspec, and the package for "
                    "its protocol, e.g. s3fs); or give a directory every worker reaches"
                ) from None
            self.fs, self.root = fsspec.core.url_to_fs(location)
        else:
            self.root = os.path.abspath(location.removeprefix("file://"))

    def path(self, name: str) -> str:
        return f"{self.root}/{name}"

    def make(self) -> None:
        if self.fs is None:
            os.makedirs(self.root, exist_ok=True)
        else:
            self.fs.makedirs(self.root, exist_ok=True)

    @contextlib.contextmanager
    def writing(self, name: str) -> Iterator[IO[bytes]]:
        """A file that appears under `name` only once written whole."""
        final = self.path(name)
        if self.fs is not None:
            with self.fs.open(final, "wb") as handle:
                yield handle
            return
        # Hidden until whole: no reader of the directory (`cat part-*`, a dataset reader) sees a partial file.
        tmp = f"{self.root}/.{name}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            with open(tmp, "wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def write_bytes(self, name: str, data: bytes) -> None:
        with self.writing(name) as handle:
            handle.write(data)

    def open(self, name: str) -> IO[bytes]:
        if self.fs is not None:
            return self.fs.open(self.path(name), "rb")  # type: ignore[no-any-return]
        return open(self.path(name), "rb")

    def read_bytes(self, name: str) -> bytes | None:
        try:
            with self.open(name) as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def remove(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            if self.fs is not None:
                self.fs.rm(self.path(name))
            else:
                os.unlink(self.path(name))

    def size(self, name: str) -> int | None:
        """The size of file `name` in bytes; None when it is not there."""
        try:
            if self.fs is not None:
                return int(self.fs.size(self.path(name)))
            return os.stat(self.path(name)).st_size
        except FileNotFoundError:
            return None

    def sizes(self) -> dict[str, int]:
        """Every file's size, from one listing (one request on an object store, not one per file)."""
        try:
            if self.fs is not None:
                return {i["name"].rsplit("/", 1)[-1]: int(i["size"]) for i in self.fs.ls(self.root, detail=True)}
            return {e.name: e.stat().st_size for e in os.scandir(self.root) if e.is_file()}
        except FileNotFoundError:
            return {}

    def names(self) -> list[str]:
        try:
            if self.fs is not None:
                return [p.rsplit("/", 1)[-1] for p in self.fs.ls(self.root, detail=False)]
            return os.listdir(self.root)
        except FileNotFoundError:
            return []

    def clear(self) -> None:
        """Remove every file this tool wrote here, and the directory when it is left empty."""
        for name in self.names():
            if name.lstrip(".").startswith(("p", "manifest")) and name.endswith((".pickle", ".json", ".tmp")):
                self.remove(name)
        if self.fs is None:
            with contextlib.suppress(OSError):
                os.rmdir(self.root)
        else:
            with contextlib.suppress(Exception):
                self.fs.rmdir(self.root)


def results_name(index: int) -> str:
    return f"p{index:06d}.pickle"


def done_name(index: int) -> str:
    return f"p{index:06d}.done.json"


# ---------------------------------------------------------------------------------------------------------------
# On a worker.


class PartitionFailed(Exception):
    """A partition that could not be cleaned (an input unreadable where the worker runs, storage not writable): the
    message names the partition and the cause in one line."""


@dataclass(frozen=True, slots=True)
class PartitionJob:
    """Everything a worker needs for one partition; small and picklable (sources go with it, not their data)."""

    partition: Partition
    sources: tuple[Source, ...]  # the partition's sources, in piece order, with absolute paths
    formats: tuple[str, ...]  # the output format of each piece's source
    read: ReadOptions
    ledger: bool
    rule_dirs: tuple[str, ...]
    options: tuple[tuple[str, Any], ...]
    storage: str
    rules_digest: str = ""
    label: str = ""  # how messages name the partition


_CLEANERS = threading.local()  # one Cleaner per worker thread, built on its first partition


def rules_digest(rule_dirs: Sequence[str]) -> str:
    """The content of the rule files a cleaner loads (the bundled ones by the worker's own copy): a worker whose
    rules differ from the driver's would write different outputs."""
    digest = hashlib.sha256()
    for directory in _resolve_rule_dirs(rule_dirs):
        for path in sorted(Path(directory).glob("*.toml")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _resolve_rule_dirs(rule_dirs: Sequence[str]) -> list[str]:
    from cleaner.rules.load import bundled_rules_dir

    return [str(bundled_rules_dir()) if d == BUNDLED else d for d in rule_dirs]


def _cleaner(job: PartitionJob) -> Any:
    from cleaner.pipeline import Cleaner

    key = (job.rule_dirs, job.options)
    cached = getattr(_CLEANERS, "value", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    if job.rules_digest and rules_digest(job.rule_dirs) != job.rules_digest:
        import socket

        raise PartitionFailed(
            f"the rule files on worker {socket.gethostname()} differ from the driver's (another newsclean version, "
            "or --rules directories not shared at the same path); install the same version everywhere"
        )
    cleaner = Cleaner(rules=_resolve_rule_dirs(job.rule_dirs), check_examples=False, **dict(job.options))
    _CLEANERS.value = (key, cleaner)
    return cleaner


def clean_partition(job: PartitionJob) -> list[int]:
    """Clean one partition and write its results to storage; returns the item count of each piece. Any failure is
    a `PartitionFailed` naming the partition (a per-document problem is a reject, as in a local run)."""
    with failing_as(job.label):
        return _clean_partition(job)


@contextlib.contextmanager
def failing_as(label: str) -> Iterator[None]:
    """Any failure of the work on one partition as a one-line `PartitionFailed` that names it."""
    try:
        yield
    except PartitionFailed:
        raise
    except Exception as error:
        detail = f"{error.strerror}: {error.filename}" if isinstance(error, OSError) and error.strerror else error
        raise PartitionFailed(f"{label}: {type(error).__name__}: {detail}") from None


def _clean_partition(job: PartitionJob) -> list[int]:
    from cleaner.batch.workers import process_items

    cleaner = _cleaner(job)
    storage = Storage(job.storage)
    counts = []
    with storage.writing(results_name(job.partition.index)) as handle:
        for number, (piece, source, fmt) in enumerate(zip(job.partition.pieces, job.sources, job.formats, strict=True)):
            count = 0
            for chunk in _chunks(read_piece(source, piece, job.read)):
                results = process_items(cleaner, chunk, fmt, job.read, job.ledger)
                pickle.dump((number, results), handle, protocol=pickle.HIGHEST_PROTOCOL)
                count += len(results)
            counts.append(count)
    import orjson

    storage.write_bytes(done_name(job.partition.index), orjson.dumps({"counts": counts}))
    return counts


def _chunks(items: Iterator[ReadItem]) -> Iterator[list[ReadItem]]:
    chunk: list[ReadItem] = []
    chars = 0
    for item in items:
        chunk.append(item)
        if isinstance(item, InputDoc):
            chars += len(item.text or item.html or "")
        elif isinstance(item, RawRecord):
            chars += len(item.line)
        if len(chunk) >= _CHUNK_ITEMS or chars >= _CHUNK_CHARS:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


def read_results(storage: Storage, index: int) -> Iterator[tuple[int, list[Any]]]:
    """A partition's results as the worker wrote them: (piece number, results) chunks in order."""
    with storage.open(results_name(index)) as handle:
        while True:
            try:
                yield pickle.load(handle)
            except EOFError:
                return


def absolute(source: Source) -> Source:
    """The source with an absolute path, for a worker whose working directory is not the driver's."""
    if source.path is None or source.path.is_absolute():
        return source
    return Source(source.path.absolute(), source.kind, source.display, source.root, source.rel, source.error)
