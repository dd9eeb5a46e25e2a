"""Writing corpus-job results: JSON Lines (plain, .gz or .zst), atomically, so a failed run leaves no half file."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from cleaner.errors import ConfigError
from cleaner.io.base import char_device as is_device
from cleaner.io.formats import OUTPUT_FORMATS, check_output_name
from cleaner.io.writers import compression_of, temporary_path


def check_jsonl_path(path: Path, option: str) -> None:
    """Refuse an output name we would not write as JSON Lines, before any work is done: the names `clean` takes for
    JSON Lines output (the format registry's)."""
    if check_output_name(path, "jsonl", option) is not None:
        endings = OUTPUT_FORMATS["jsonl"].endings
        raise ConfigError(
            f"{option} {str(path)!r}: corpus jobs write JSON Lines; name the file with one of "
            f"{', '.join(endings)} (e.g. {path.stem}.jsonl)"
        )


@contextmanager
def atomic_binary(path: Path) -> Iterator[IO[bytes]]:
    """A binary stream that becomes `path` only when the block finishes without error; a character device is
    written to as it is (renaming a file over it would replace it)."""
    if is_device(path):
        with open(path, "ab") as device:
            yield device
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(path)
    try:
        with open(tmp, "wb") as raw:
            compression = compression_of(path)
            if compression == "gzip":
                import gzip

                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as stream:
                    yield stream
            elif compression == "zstd":
                import zstandard

                with zstandard.ZstdCompressor().stream_writer(raw, closefd=False) as stream:
                    yield stream
            else:
                yield raw
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records as JSON Lines (orjson: deterministic, UTF-8); returns how many were written."""
    import orjson

    count = 0
    with atomic_binary(path) as stream:
        for record in records:
            stream.write(orjson.dumps(record) + b"\n")
            count += 1
    return count
