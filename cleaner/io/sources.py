"""Which files the inputs are: arguments checked up front, directories walked in sorted order, nothing in a tree
passed over without a word."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

from cleaner.errors import InputError
from cleaner.io.base import Source, inside, printable_name, special_file
from cleaner.io.formats import kind_of, supported_endings

STDIN = "-"

__all__ = ["STDIN", "Source", "check_inputs", "iter_sources", "kind_of", "supported_endings"]


def check_inputs(paths: Sequence[str]) -> None:
    """Fail before anything is read or written when an argument does not exist or has an unknown type."""
    if not paths:
        raise InputError("no input given: pass files, directories or - for stdin")
    if list(paths).count(STDIN) > 1:
        raise InputError("stdin (-) can be given only once")
    for given in paths:
        if given == STDIN:
            continue
        if not given:
            raise InputError("an input is an empty string (an unset shell variable?); pass a file or directory name")
        path = Path(given)
        if not path.exists():
            raise InputError(f"input {given!r} does not exist")
        if not path.is_dir() and kind_of(path) is None:
            raise InputError(
                f"input {given!r} has an unsupported file type; supported endings: {supported_endings()} "
                "(or a directory, or - for stdin)"
            )


def iter_sources(paths: Sequence[str]) -> Iterator[Source]:
    """Every input file, in argument order; directories walked in sorted order without hidden entries.

    Nothing in a tree is passed over without a word: a directory that cannot be listed, a FIFO, socket or device
    (reading one may never end) and a link to a directory outside the tree (following it could lead up the tree
    or into the output) each come as a `Source` with an `error`, which `read_source` turns into a reject. A link
    to a directory inside the tree is not followed either: its files are read at their real place."""
    for given in paths:
        if given == STDIN:
            yield Source(path=None, kind=None, display="<stdin>")
            continue
        path = Path(given)
        if not path.is_dir():
            yield Source(path=path, kind=kind_of(path), display=printable_name(given))
            continue
        yield from _walk(path)


def _walk(root: Path) -> Iterator[Source]:
    real_root = root.resolve()
    unreadable: list[OSError] = []  # what the walk could not list: each becomes a reject, never a silent gap
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable.append):
        yield from _unreadable_directories(unreadable, root)
        here = Path(dirpath)
        visible = [name for name in dirnames if not name.startswith(".")]
        linked = {name for name in visible if (here / name).is_symlink()}
        dirnames[:] = sorted(name for name in visible if name not in linked)
        entries = [(name, False) for name in filenames if not name.startswith(".")]
        entries += [(name, True) for name in linked]
        for name, is_link in sorted(entries):
            file = here / name
            rel = PurePosixPath(file.relative_to(root).as_posix())
            display = printable_name(str(file))
            if is_link:
                if not inside(file.resolve(), real_root):
                    yield Source(
                        path=None,
                        kind=None,
                        display=display,
                        root=root,
                        rel=rel,
                        error="a link to a directory outside the tree: not followed (give its target as an input)",
                    )
                continue
            error = _SPECIAL if special_file(file) else None
            yield Source(path=file, kind=kind_of(file), display=display, root=root, rel=rel, error=error)
    yield from _unreadable_directories(unreadable, root)


_SPECIAL = "not a regular file (a FIFO, socket or device): reading it may never end"


def _unreadable_directories(errors: list[OSError], root: Path) -> Iterator[Source]:
    """Sources that stand for directories the walk could not list (their reject says why); empties `errors`."""
    for error in errors:
        name = printable_name(str(error.filename)) if error.filename else str(root)
        yield Source(path=None, kind=None, display=name, root=root, error=f"cannot read directory: {error.strerror}")
    errors.clear()
