"""Output sinks that survive kill -9: append-only part files truncated back to the last commit on resume,
then renamed into place. A final output name only ever holds a complete file.

Compressed JSON Lines are written as one gzip member / zstd frame per commit, so a part file cut at a commit
boundary is still a valid stream, and commit points depend only on the documents (byte-identical output).
"""

from __future__ import annotations

import contextlib
import gzip
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from cleaner.errors import ConfigError
from cleaner.io.base import inside, special_file

PART_SUFFIX = ".newsclean-part"


def check_writable_place(path: Path | None, option: str) -> None:
    """Before any work, what would fail or do harm once it is done: an output under an existing file
    (`-o notes.txt/out.jsonl`), in a directory this process may not write, or at a device, FIFO or socket (an
    output is renamed into place, which would replace the device node with a plain file)."""
    if path is None:
        return
    if special_file(path):
        raise ConfigError(
            f"{option} {path} is not a regular file (a device, FIFO or socket): outputs are written to a temporary "
            "file and renamed into place, which would replace it; name a regular file"
        )
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(f"{option} {path}: {parent} is a file, not a directory")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise ConfigError(f"{option} {path}: cannot create files in {parent} (permission denied)")
            break
    if path.is_dir() and not os.access(path, os.W_OK | os.X_OK):  # an output directory that exists already
        raise ConfigError(f"{option} {path}: cannot create files in {path} (permission denied)")


def check_output_file(path: Path, option: str) -> None:
    """`check_writable_place`, and not where a directory is (it would fail only once the work is done)."""
    check_writable_place(path, option)
    if path.is_dir():
        raise ConfigError(f"{option} {path} is a directory; name a file")


def refuse_clashes(outputs: Sequence[tuple[str, Path]], inputs: Sequence[str]) -> None:
    """Before any work: no output over or inside an input (a later run would read it), and no two outputs at one
    path. `outputs` are (what, path), e.g. ("ledger", ...)."""
    given = [Path(p).resolve() for p in inputs if p != "-"]
    files = {p for p in given if not p.is_dir()}
    dirs = [p for p in given if p.is_dir()]
    seen: dict[Path, str] = {}
    for name, path in outputs:
        resolved = path.resolve()
        if resolved in files or any(inside(resolved, d) for d in dirs):
            raise ConfigError(f"refusing to write the {name} {path} over or inside an input; choose another path")
        if resolved in seen:
            raise ConfigError(f"the {name} and the {seen[resolved]} would both be written to {path}")
        seen[resolved] = name


def part_path(final: Path) -> Path:
    return final.with_name(final.name + PART_SUFFIX)


def part_dir(final: Path) -> Path:
    """Where a Parquet output's committed chunks wait until its source is done."""
    return final.with_name(final.name + PART_SUFFIX + ".d")


def is_part(path: Path) -> bool:
    """Whether `path` is named as this tool names its part files and directories (safe to remove)."""
    return path.name.endswith((PART_SUFFIX, PART_SUFFIX + ".d"))


def temporary_path(path: Path) -> Path:
    """Where a file is written before it is renamed to `path`: beside it (a rename within one file system), hidden,
    named after this process (two processes never share one), and created like any file, so its mode follows the
    umask."""
    return path.with_name(f".{path.name}.{os.getpid()}.newsclean-tmp")


def stale_temporaries(path: Path) -> list[Path]:
    """Temporary files of `path` that processes killed while writing it left (their names carry the pid)."""
    import glob

    return [Path(name) for name in glob.glob(glob.escape(str(path.parent / f".{path.name}.")) + "*.newsclean-tmp")]


def write_atomic(path: Path, data: bytes, sync: bool = False) -> None:
    """Write a whole small file: temporary name in the same directory, then rename over the final name. `sync`
    pushes it to disk before the rename (for the resume state, which must never be torn). A failure (a full
    disk) names the file and leaves no temporary behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(path)
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise OSError(error.errno, error.strerror, str(path)) from error


def make_durable(paths: Sequence[Path]) -> None:
    """Push files written without fsync (a tree's mirrored outputs) to disk before the resume state says they are
    done. One `sync()` for all of them: a thousand small files cost one journal commit, not a thousand fsyncs."""
    if not paths:
        return
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in paths:  # pragma: no cover - Windows has no sync()
        _fsync_file(path)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def compression_of(path: Path) -> str | None:
    """ "gzip" or "zstd" when the output name asks for it, else None: the one place that reads it from a name."""
    name = path.name.lower()
    if name.endswith(".gz"):
        return "gzip"
    if name.endswith((".zst", ".zstd")):
        return "zstd"
    return None


def compress_chunk(data: bytes, final: Path) -> bytes:
    """A commit's bytes as a self-contained gzip member or zstd frame when the output name asks for one."""
    compression = compression_of(final)
    if compression == "gzip":
        return gzip.compress(data, compresslevel=6, mtime=0)
    if compression == "zstd":
        import zstandard

        return zstandard.ZstdCompressor(level=3).compress(data)
    return data


class PartWriter(Protocol):
    """What a format's writer is to a batch run: payloads buffered, committed durably, then completed into the one
    file that is renamed to `final`. `commit` returns the position a resume restarts from (bytes, chunks)."""

    final: Path

    def add(self, payload: Any) -> int:
        """Buffer one document's payload; returns the bytes it counts toward the commit size."""
        ...

    def commit(self) -> int:
        """Make what is buffered durable; returns the committed position."""
        ...

    def complete(self) -> tuple[Path, tuple[Path, ...]]:
        """Commit the rest and close: (the complete part file, part directories to remove once it is renamed)."""
        ...


class AppendPart:
    """An append-only part file next to its final name; `offset` is what has been committed."""

    def __init__(self, final: Path, offset: int = 0) -> None:
        self.final = final
        self.path = part_path(final)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._buffer: list[bytes] = []
        if offset:
            if not self.path.exists() or self.path.stat().st_size < offset:
                raise ConfigError(
                    f"cannot resume: {self.path} is missing or shorter than when the interrupted run last saved its "
                    "progress; rerun with --restart to start over"
                )
            self._handle: BinaryIO = open(self.path, "r+b")  # noqa: SIM115 - closed in close()
            self._handle.truncate(offset)
            self._handle.seek(offset)
        else:
            self._handle = open(self.path, "wb")  # noqa: SIM115
        self.offset = offset

    def add(self, payload: bytes) -> int:
        self._buffer.append(payload)
        return len(payload)

    def commit(self) -> int:
        """Append what is buffered (as one gzip member or zstd frame when the name asks for it), push it to disk,
        and return the new committed offset."""
        data, self._buffer = b"".join(self._buffer), []
        try:
            if data:
                self._handle.write(compress_chunk(data, self.final))
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as error:  # a full disk: name the file, which a failed write() does not
            raise OSError(error.errno, error.strerror, str(self.path)) from error
        self.offset = self._handle.tell()
        return self.offset

    def complete(self) -> tuple[Path, tuple[Path, ...]]:
        self.commit()
        self.close()
        return self.path, ()

    def close(self) -> None:
        self._handle.close()


class ParquetPart:
    """Rows of a Parquet output, committed as one Arrow IPC file per commit in a part directory, and joined
    into one Parquet file (a row group per commit) when the source is done."""

    def __init__(self, final: Path, schema: Any, chunks: int = 0) -> None:
        self.final = final
        self.dir = part_dir(final)
        self.schema = schema
        self.dir.mkdir(parents=True, exist_ok=True)
        for stale in self.dir.glob("*.arrow"):
            if int(stale.stem) >= chunks:
                stale.unlink()
        self.chunks = chunks
        self._rows: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> int:
        self._rows.append(row)
        return 0  # rows are not counted toward the commit size (commit points stay where they always were)

    def commit(self) -> int:
        import pyarrow as pa

        rows, self._rows = self._rows, []
        if rows:
            table = pa.Table.from_pylist(rows, schema=self.schema)
            path = self.dir / f"{self.chunks:08d}.arrow"
            tmp = path.with_suffix(".tmp")
            with _naming(tmp):
                with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, self.schema) as writer:
                    writer.write_table(table)
                _fsync_file(tmp)  # the resume state will count this chunk as committed
            os.replace(tmp, path)
            self.chunks += 1
        return self.chunks

    def complete(self) -> tuple[Path, tuple[Path, ...]]:
        self.commit()
        return self.build(), (self.dir,)

    def build(self) -> Path:
        """Join the committed chunks into the Parquet part file; returns its path (renamed by the caller)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        out = part_path(self.final)
        with _naming(out):
            with pq.ParquetWriter(str(out), self.schema) as writer:
                for index in range(self.chunks):
                    with pa.memory_map(str(self.dir / f"{index:08d}.arrow")) as source:
                        writer.write_table(pa.ipc.open_file(source).read_all())
            _fsync_file(out)  # renamed into place once the resume state says so
        return out


@contextlib.contextmanager
def _naming(path: Path) -> Iterator[None]:
    """pyarrow's write errors (a full disk) do not name the file: this names it."""
    try:
        yield
    except OSError as error:
        if error.filename:
            raise
        raise OSError(error.errno, error.strerror or str(error), str(path)) from error


def parquet_schema(path: Path | None, text_field: str) -> Any:
    """The schema a Parquet output keeps: its input's, with the text column added when the input had none."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except (OSError, TypeError, pa.ArrowException):
        return pa.schema([(text_field, pa.string())])
    if schema.get_field_index(text_field) < 0:
        return schema.append(pa.field(text_field, pa.string()))
    return schema


def rejects_path(output: Path) -> Path:
    """Where the rejects of a run writing `output` go: next to it, `OUT.rejects.jsonl` without OUT's format ending."""
    stem = output.name.rstrip("/")
    for ending in (".jsonl.gz", ".jsonl.zst", ".jsonl", ".parquet", ".txt"):
        if stem.lower().endswith(ending) and len(stem) > len(ending):
            stem = stem[: -len(ending)]
            break
    return output.with_name(f"{stem}.rejects.jsonl")
