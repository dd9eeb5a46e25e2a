"""Where a source's cleaned documents go, chosen once per source from the format registry.

- `StdoutSink`: no `-o`; the Unix filter. `DeviceSink`: `-o /dev/null` (a character device), written to the same way.
- `FileSink`: one output file per source, through its output format's writer from the registry: an append-only
  part file (JSON Lines, text) or Parquet row groups, renamed into place when the source is done.
- `TreeSink`: a format with one file per document (text) in a mirrored tree: each written whole, atomically.
- `SharedFileSink`: several sources into one JSON Lines file, in input order: one writer for all of them, renamed
  into place when the last one is done.
- `NoOutput`: a source with no output (rejected unread, or of no known format): only its rejects are written.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cleaner.io.formats import OUTPUT_FORMATS
from cleaner.io.sources import Source
from cleaner.io.writers import PartWriter, make_durable, write_atomic

if TYPE_CHECKING:
    from cleaner.batch.plan import Plan


@dataclass(slots=True)
class Completed:
    """A source's output, complete: renamed into place (and part directories removed) by the commit recording it."""

    renames: list[tuple[Path, Path]] = field(default_factory=list)
    remove: list[Path] = field(default_factory=list)


class Sink(Protocol):
    """The output of one source."""

    def write(self, payload: Any) -> int:
        """Take one cleaned document's payload; returns the bytes it counts toward the commit size."""
        ...

    def rejected(self) -> None:
        """One of the source's documents was rejected."""
        ...

    def flush(self) -> dict[str, int]:
        """Make what was written durable (a commit); returns {final path: committed position} for the state."""
        ...

    def close(self) -> Completed | None:
        """The source is done: what to rename into place, or None when nothing is (no commit is made then)."""
        ...


class StdoutSink:
    def write(self, payload: Any) -> int:
        sys.stdout.buffer.write(payload)
        return 0

    def rejected(self) -> None:
        pass

    def flush(self) -> dict[str, int]:
        sys.stdout.buffer.flush()
        return {}

    def close(self) -> Completed | None:
        sys.stdout.buffer.flush()
        return None


class DeviceSink:
    """A character device (`-o /dev/null`, the usual way to time a run): written to as it is, never renamed over."""

    def __init__(self, device: Path) -> None:
        self.handle = open(device, "ab")  # noqa: SIM115 - closed in close()

    def write(self, payload: Any) -> int:
        self.handle.write(payload)
        return 0

    def rejected(self) -> None:
        pass

    def flush(self) -> dict[str, int]:
        if not self.handle.closed:  # a closed sink is flushed again by the next commit
            self.handle.flush()
        return {}

    def close(self) -> Completed | None:
        self.handle.close()
        return None


class SharedWriter:
    """The one writer of an output that several sources write into, and whether the last one completed it."""

    def __init__(self, writer: PartWriter) -> None:
        self.writer = writer
        self.done = False


class SharedFileSink:
    """One source's share of an output file that several sources write into in order. The writer stays open from
    source to source; a source that is not the last completes nothing (the next commit makes its part durable and
    records the writer's position), and the last source's end renames the whole file into place. Sources without
    documents of their own (rejected unread) take part too, so that every commit records the position."""

    def __init__(self, shared: SharedWriter, last: bool) -> None:
        self.shared = shared
        self.last = last

    def write(self, payload: Any) -> int:
        return self.shared.writer.add(payload)

    def rejected(self) -> None:
        pass

    def flush(self) -> dict[str, int]:
        if self.shared.done:  # a closed earlier source's sink, flushed at the commit that completed the file
            return {}
        return {str(self.shared.writer.final): self.shared.writer.commit()}

    def close(self) -> Completed | None:
        if not self.last:
            return None
        part, leftovers = self.shared.writer.complete()
        self.shared.done = True
        return Completed([(part, self.shared.writer.final)], list(leftovers))


class NoOutput:
    def write(self, payload: Any) -> int:  # pragma: no cover - a source without output yields only rejects
        raise AssertionError("a source without an output format produced a document")

    def rejected(self) -> None:
        pass

    def flush(self) -> dict[str, int]:
        return {}

    def close(self) -> Completed | None:
        return None


class FileSink:
    def __init__(self, writer: PartWriter) -> None:
        self.writer = writer

    def write(self, payload: Any) -> int:
        return self.writer.add(payload)

    def rejected(self) -> None:
        pass

    def flush(self) -> dict[str, int]:
        return {str(self.writer.final): self.writer.commit()}

    def close(self) -> Completed | None:
        part, leftovers = self.writer.complete()
        return Completed([(part, self.writer.final)], list(leftovers))


class TreeSink:
    """One file per document. A rejected document of a tree mirrored into OUT removes the cleaned copy an earlier
    run left at its output path, which would contradict the rejects file (and be read as this run's output); a
    single file cleaned into a directory (`-o ~/Documents/`) may meet a file there that no run of this tool wrote,
    so not then."""

    def __init__(self, final: Path, mirrored: bool, check_output: Callable[[], None]) -> None:
        self.final = final
        self.mirrored = mirrored
        self.check_output = check_output
        self.unsynced: list[Path] = []  # written since the last commit

    def write(self, payload: Any) -> int:
        self.check_output()
        write_atomic(self.final, payload)
        self.unsynced.append(self.final)
        return 0

    def rejected(self) -> None:
        if self.mirrored:
            self.final.unlink(missing_ok=True)

    def flush(self) -> dict[str, int]:
        make_durable(self.unsynced)
        self.unsynced = []
        return {}

    def close(self) -> Completed | None:
        # Made durable at the next commit; a text tree is not committed at each file's end (one file is one
        # document, and a commit per file would cost a sync each).
        return None


def open_sink(plan: Plan, source: Source, committed: int) -> Sink:
    """The sink for a source, from its output format; `committed` is the position to resume its output from."""
    if plan.output is None:
        return DeviceSink(plan.device) if plan.device is not None else StdoutSink()
    fmt = plan.out_format(source)
    final = plan.final_path(source)
    if plan.concat and final is not None:
        if plan.concat_writer is None:  # the first source of this process (of a resumed run: the one it resumes at)
            check_output_directory(plan)
            writer = OUTPUT_FORMATS["jsonl"].writer(final, source, plan.config.read, committed)
            plan.concat_writer = SharedWriter(writer)
        return SharedFileSink(plan.concat_writer, last=source == plan.last_source)
    if fmt is None or final is None:
        return NoOutput()

    def check_output() -> None:
        check_output_directory(plan)

    if plan.out_is_dir and fmt.one_file_per_document:
        return TreeSink(final, mirrored=source.root is not None, check_output=check_output)
    check_output()
    return FileSink(fmt.writer(final, source, plan.config.read, committed))


def check_output_directory(plan: Plan) -> None:
    """Writes create the subdirectories they need, and would silently create a removed output directory again
    too: files written before would be gone while the run ends as if all were well."""
    if plan.out_is_dir and plan.output is not None and not plan.output.is_dir():
        raise FileNotFoundError(errno.ENOENT, "the output directory was removed during the run", str(plan.output))
