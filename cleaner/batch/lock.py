"""One run at a time over an output set: an exclusive OS file lock (flock) beside each output, held for the whole
run. The OS drops it when the process ends however it ends, so a run killed with -9 leaves no stale lock: its
`--resume` takes the lock again at once, while a second run started during the first is refused, naming its pid."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from cleaner.errors import ConfigError

LOCK_SUFFIX = ".newsclean-lock"
_HELD: list[int] = []  # lock descriptors of this process; a forked worker closes its copies (`close_in_child`)


def lock_path(output: Path) -> Path:
    """The lock file of an output: hidden, beside it (a directory's beside the directory)."""
    return output.with_name(f".{output.name}{LOCK_SUFFIX}")


@contextlib.contextmanager
def locked(outputs: Sequence[Path]) -> Iterator[None]:
    """Hold the lock of every output in `outputs` until the block ends; ConfigError when another run holds one."""
    try:
        import fcntl  # noqa: F401 - POSIX only
    except ImportError:  # pragma: no cover - Windows: no flock; runs are not protected from each other there
        yield
        return
    held: list[tuple[Path, int]] = []
    try:
        for path in sorted({lock_path(output) for output in outputs}):
            held.append((path, _acquire(path)))
            _HELD.append(held[-1][1])
        yield
    finally:
        for path, fd in reversed(held):
            with contextlib.suppress(OSError):
                path.unlink()  # before the unlock: a run waiting on this file sees it gone and takes a new one
            _HELD.remove(fd)
            os.close(fd)


def _acquire(path: Path) -> int:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = _holder(fd)
            os.close(fd)
            who = f"pid {other}" if other else "another process"
            raise ConfigError(
                f"another newsclean run ({who}) is writing these outputs (it holds {path}); wait for it to end, "
                "or stop it and run this one with --resume"
            ) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the run that held it removed it meanwhile: take the new one
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""


def close_in_child() -> None:
    """In a forked worker: close the copies of the locks' descriptors, so that a run killed with -9 leaves none
    held by a worker that outlives it a moment (closing a copy does not unlock the parent's)."""
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()
