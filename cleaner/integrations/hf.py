"""Hugging Face `datasets`: `ds.map(cleaner.clean_batch, batched=True, num_proc=N)`.

A batch is a mapping of column name -> list of values, and so is the result: the text column cleaned, and, per
row, the removals as a JSON string (the ledger's `removed` list, serialized as the CLI's ledger serializes it) and
why the row was not cleaned ("" when it was). Strings, not nested structs, because `datasets` fixes a column's
Arrow type from the first batch it writes: a first batch whose removals are all empty (or all without `dup_of`)
gives a null type, and the first later value then fails the whole map ("Couldn't cast array of type ... to
null"). A string column has one type whatever the batch holds, and `json.loads` gives the ledger's form back.

A row that cannot be cleaned (text null or not a string, nothing left after normalization) keeps its text
unchanged, gets "[]" as removals and the reason in the reject column, worded as the CLI's rejects file words it: a
map over millions of rows must not die on one of them, and `ds.filter(lambda row: not row["reject"])` drops them.
A URL that is not a non-empty string is no URL, as in the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cleaner.errors import ConfigError
from cleaner.integrations.common import clean_texts, removals_json
from cleaner.record import Document

if TYPE_CHECKING:
    from cleaner.pipeline import Cleaner

NO_REMOVALS = "[]"


def clean_batch(
    cleaner: Cleaner,
    batch: Mapping[str, list[Any]],
    text_column: str = "text",
    url_column: str | None = "url",
    id_column: str | None = None,
    removals_column: str | None = "removals",
    reject_column: str | None = "reject",
) -> dict[str, list[Any]]:
    """Clean the text column of a batch; see the module docstring for the columns added and their form.

    `url_column` picks each row's site rules; a batch without that column is cleaned without URLs (most datasets
    have none), `url_column=None` says so explicitly. `id_column` gives the cleaner each row's id (rows are otherwise
    numbered in the batch); nothing returned depends on it. `removals_column=None` or `reject_column=None` leaves
    that column out. Every other column comes back unchanged. Rule warnings (a pattern that timed out or was
    refused by its `max_fraction`) are not returned: `Cleaner.clean_many` and the CLI's ledger have them.
    """
    if not isinstance(batch, Mapping):
        raise TypeError(
            f"clean_batch takes a batch (a mapping of column -> list of values, as ds.map(..., batched=True) "
            f"passes), got {type(batch).__name__}; for one row use cleaner.clean(text)"
        )
    columns = list(batch.keys())
    if text_column not in batch:
        raise ConfigError(f"text_column {text_column!r} is not a column of the batch; its columns are {columns}")
    if id_column is not None and id_column not in batch:
        raise ConfigError(f"id_column {id_column!r} is not a column of the batch; its columns are {columns}")
    added = [name for name in (removals_column, reject_column) if name is not None]
    if len(set(added)) < len(added) or text_column in added:
        raise ConfigError(
            f"text_column={text_column!r}, removals_column={removals_column!r} and reject_column={reject_column!r} "
            "must be different names"
        )
    texts = list(batch[text_column])
    urls = list(batch[url_column]) if url_column is not None and url_column in batch else [None] * len(texts)
    ids = [str(i) for i in batch[id_column]] if id_column is not None else [str(i) for i in range(len(texts))]
    if not len(urls) == len(ids) == len(texts):
        raise ConfigError(
            f"columns of the batch differ in length: {text_column!r} has {len(texts)} values, "
            f"{url_column!r} {len(urls)}, {id_column!r} {len(ids)}"
        )
    cleaned: list[Any] = []
    removals: list[str] = []
    rejects: list[str] = []
    for original, result in zip(texts, clean_texts(cleaner, texts, urls, ids, text_column), strict=True):
        if isinstance(result, Document):
            cleaned.append(result.text)
            removals.append(removals_json(result))
            rejects.append("")
        else:
            cleaned.append(original)
            removals.append(NO_REMOVALS)
            rejects.append(result)
    out = {name: batch[name] for name in columns}
    out[text_column] = cleaned
    if removals_column is not None:
        out[removals_column] = removals
    if reject_column is not None:
        out[reject_column] = rejects
    return out
