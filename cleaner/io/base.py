"""What readers yield: a raw input document (text or HTML) or a reject, both carrying their origin."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cleaner.record import Origin, Reject


@dataclass(slots=True)
class InputDoc:
    """One document as read, before normalization. Exactly one of `text` and `html` is set."""

    origin: Origin
    text: str | None = None
    html: str | bytes | None = None
    id: str | None = None
    url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # pass-through fields, in input order


ReadItem = InputDoc | Reject
