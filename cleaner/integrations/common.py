"""What both integrations do with a batch: clean its texts as the CLI cleans the same JSON Lines records.

The CLI's reader decides what a record is before cleaning: a text that is not a string is rejected naming the
field, and a URL that is not a non-empty string is no URL (it only picks site rules). Doing the same here is what
makes `clean_batch` and `NewscleanStep` give the CLI's texts and reject reasons for the same records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import orjson

from cleaner.io.records import json_type
from cleaner.record import Document

if TYPE_CHECKING:
    from cleaner.pipeline import Cleaner


def clean_texts(
    cleaner: Cleaner, texts: Sequence[Any], urls: Sequence[Any], ids: Sequence[str], text_field: str = "text"
) -> list[Document | str]:
    """One result per text, in order: the cleaned Document, or the reason it was not cleaned."""
    results: list[Document | str | None] = [None] * len(texts)
    records = []
    for index, (text, url, doc_id) in enumerate(zip(texts, urls, ids, strict=True)):
        if isinstance(text, str):
            records.append((index, {"text": text, "id": doc_id, "url": url if isinstance(url, str) and url else None}))
        else:
            results[index] = f"field {text_field!r} is {json_type(text)}, expected a string"
    cleaned = cleaner.clean_many(record for _, record in records)
    for (index, _), result in zip(records, cleaned, strict=True):
        results[index] = result if isinstance(result, Document) else result.reason
    return results  # type: ignore[return-value]  # every slot is filled above


def removals_json(doc: Document) -> str:
    """A document's removals as the ledger writes its `removed` field (orjson, the same bytes)."""
    return orjson.dumps([removal.to_json() for removal in doc.removals]).decode("utf-8")
