"""Checked rule files, remembered between runs: a rule file whose `removes`/`keeps` examples passed is not checked
again, and its rules' prefilter triggers (`cleaner.rules.prefilter`) are not derived again, while nothing that
decides either has changed.

Why: a one-document `newsclean clean` spent about a third of its time on the bundled rules' examples and trigger
analysis, the same work on every run.

An entry is keyed by everything the outcome depends on: the rule file's text, its name, the rule time budget, the
newsclean version, a fingerprint of the package's source files (size and mtime of each, so an edited checkout does
not trust entries of its old code), the `regex` version, Python's version and its Unicode tables. Its file starts
with that key written out in full; an entry whose key is not exactly the expected one is not used. Only a file
whose examples all passed is stored, so a failing example is reported exactly as without the cache.

Where: `$NEWSCLEAN_CACHE_DIR` if set (empty: no cache), else the user's cache directory (`$XDG_CACHE_HOME` or
`~/.cache` on Linux, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows), in `newsclean/checked-rules/`. The
install itself is never written to, so a read-only install works; a cache directory that cannot be written is
simply not used. Entries are written to a temporary file and renamed into place, so concurrent workers never read
a half-written entry; an entry that cannot be read back (truncated, corrupt, from another version) is ignored.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

CACHE_ENV = "NEWSCLEAN_CACHE_DIR"
_FORMAT = "newsclean checked rule file, format 2"
_SUBDIR = "checked-rules"


def cache_dir() -> Path | None:
    """The directory of checked rule files, or None when there is none (NEWSCLEAN_CACHE_DIR set empty, no home)."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) / _SUBDIR if configured.strip() else None
    try:
        home = Path.home()
    except (RuntimeError, KeyError):  # no HOME and no passwd entry
        return None
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else home / ".cache"  # the XDG spec ignores a relative path
    return base / "newsclean" / _SUBDIR


@functools.cache
def _code_key() -> tuple[str, ...]:
    """What the outcome of a rule file's examples and triggers depends on besides the file: this code, `regex`,
    Python and its Unicode tables."""
    import unicodedata

    import regex

    package = Path(__file__).resolve().parent.parent
    version = sys.modules["cleaner"].__version__  # the package is loaded (it holds this module); not imported here
    files: list[tuple[str, int, int]] = []
    for directory, subdirs, names in os.walk(package):
        subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                try:
                    stat = os.stat(os.path.join(directory, name))
                except OSError:
                    continue
                files.append((os.path.relpath(os.path.join(directory, name), package), stat.st_size, stat.st_mtime_ns))
    source = hashlib.sha256(repr(files).encode()).hexdigest()
    return (version, source, str(regex.__version__), sys.version, unicodedata.unidata_version)


def entry_key(name: str, text: str, timeout: float) -> str:
    """The full key of a rule file's entry: its name (stem), its text as read, the rule time budget, and the code."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return repr((_FORMAT, *_code_key(), name, repr(float(timeout)), digest))


def _entry_path(directory: Path, key: str) -> Path:
    return directory / (hashlib.sha256(key.encode()).hexdigest()[:40] + ".entry")


def lookup(key: str) -> Any:
    """What was stored under `key`, or None: no entry, an entry of another key, or one that cannot be read."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        data = _entry_path(directory, key).read_bytes()
    except (OSError, ValueError):
        return None
    header, newline, payload = data.partition(b"\n")
    if not newline or header != key.encode():
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # a corrupt or truncated entry (or one of classes since changed): as if there were none
        return None


def store(key: str, value: Any) -> bool:
    """Keep `value` under `key`, atomically; False when the cache cannot be written (read-only, full, absent)."""
    directory = cache_dir()
    if directory is None:
        return False
    temporary: str | None = None
    try:
        data = key.encode() + b"\n" + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        import tempfile

        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".entry")
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        os.replace(temporary, _entry_path(directory, key))
        temporary = None
        return True
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return False
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
