"""newsclean: clean scraped news text, with a ledger of every removal.

Imports are lazy so that `import cleaner` and the CLI start fast; numpy, regex and datasketch load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Cleaner", "Document", "Removal", "normalize"]

if TYPE_CHECKING:
    from cleaner.normalize import normalize
    from cleaner.pipeline import Cleaner
    from cleaner.record import Document, Removal


def __getattr__(name: str) -> Any:
    if name == "Cleaner":
        from cleaner.pipeline import Cleaner

        return Cleaner
    if name in ("Document", "Removal"):
        from cleaner import record

        return getattr(record, name)
    if name == "normalize":
        from cleaner.normalize import normalize

        return normalize
    raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
