"""Records (JSON Lines lines, Parquet rows) -> InputDoc, with a clear reason for every record that is not one."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from cleaner.io.base import InputDoc, RawRecord, ReadItem
from cleaner.io.streams import TruncatedError, iter_lines, open_binary
from cleaner.record import Origin, Reject

if TYPE_CHECKING:
    from cleaner.io.base import ReadOptions


_JSON_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
_NUMBER_TYPES = (int, float)
_HTML_TYPES = (str, bytes)


def json_type(value: Any) -> str:
    """The JSON name of a Python value's type, for messages ("array", not "list")."""
    if type(value).__name__ == "Fragment":  # a number kept as its JSON text (`_exact_loads`)
        return "number"
    return "null" if value is None else _JSON_NAMES.get(type(value), type(value).__name__)


def record_to_input(record: dict[str, Any], origin: Origin, options: ReadOptions) -> ReadItem:
    """One record as an InputDoc (text, or HTML when there is no text field), or a Reject saying what is wrong."""
    raw_id = record.get(options.id_field)
    doc_id: str | None = None
    if isinstance(raw_id, str) and raw_id:
        doc_id = raw_id
    elif isinstance(raw_id, _NUMBER_TYPES) and not isinstance(raw_id, bool):
        doc_id = str(raw_id)
    elif raw_id is not None and json_type(raw_id) == "number":  # a number beyond 64 bits, kept as its digits
        doc_id = orjson.dumps(raw_id).decode()
    url = record.get(options.url_field)
    url = url if isinstance(url, str) and url else None
    text_field = options.text_field
    meta = dict(record)  # every field but the text, in input order
    text = meta.pop(text_field, None)
    keys = tuple(record)
    if isinstance(text, str):
        return InputDoc(origin=origin, text=text, id=doc_id, url=url, meta=meta, keys=keys)
    html = record.get(options.html_field)
    if text is None and isinstance(html, _HTML_TYPES):  # no text (or null): the page, extracted
        if not html.strip():
            return Reject(origin, f"field {options.html_field!r} is empty and there is no text", id=doc_id)
        if url is None:  # as for an HTML file: the URL the page declares picks its site rules
            from cleaner.io.html import page_url

            url = page_url(html if isinstance(html, bytes) else html.encode("utf-8", "surrogatepass"))
        return InputDoc(origin=origin, html=html, id=doc_id, url=url, meta=meta, keys=keys)
    if options.text_field not in record:
        fields = ", ".join(repr(k) for k in list(record)[:12]) or "none"
        return Reject(
            origin,
            f"no {options.text_field!r} field (fields: {fields}); name the text field with --text-field",
            id=doc_id,
        )
    return Reject(origin, f"field {options.text_field!r} is {json_type(text)}, expected a string", id=doc_id)


def parse_json_line(line: bytes, origin: Origin, options: ReadOptions) -> ReadItem:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        # A number beyond a double is valid JSON that orjson refuses; anything else it refuses is malformed.
        record = _exact_loads(line) if str(error).startswith("number") else None
        if record is None:
            return Reject(origin, f"malformed JSON: {error}")
    else:
        # `float in map(type, ...)` runs in C and is false for most records: only then is each float looked at.
        if type(record) is dict and float in map(type, record.values()) and any(map(_lost_digits, record.values())):
            record = _exact_loads(line)
    if not isinstance(record, dict):
        return Reject(
            origin,
            f"JSON {json_type(record)} is not an object; each line must be an object with a "
            f"{options.text_field!r} field",
        )
    return record_to_input(record, origin, options)


_INT_RANGE = (-(1 << 63), (1 << 64) - 1)  # what orjson reads and writes as integers


def _lost_digits(value: Any) -> bool:
    """Whether orjson read an integer beyond 64 bits, which it turns into a float (top-level fields only: nested
    values are not walked, to keep the common case at one look per field)."""
    return type(value) is float and abs(value) >= 2.0**63 and value.is_integer()


def _exact_loads(line: bytes) -> Any:
    """The standard library's reading, with numbers orjson cannot keep exactly (integers beyond 64 bits, numbers
    beyond a double) kept as their JSON text, so they are written back unchanged; None when the line is not JSON."""
    import json

    def number(text: str, convert: Any) -> Any:
        value = convert(text)
        exact = _INT_RANGE[0] <= value <= _INT_RANGE[1] if convert is int else abs(value) != float("inf")
        return value if exact else orjson.Fragment(text.encode())

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        record = json.loads(
            line.decode("utf-8"),  # strictly, as orjson reads: no byte-order mark, no lone surrogates
            parse_int=lambda text: number(text, int),
            parse_float=lambda text: number(text, float),
            parse_constant=refuse,
        )
        orjson.dumps(record)  # what it will be written with: a "\ud800" escape stops it here, as orjson would
    except (ValueError, TypeError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return None
    return record


def read_jsonl(path: Path, display: str, options: ReadOptions) -> Iterator[ReadItem]:
    """Stream a JSON Lines file (plain, .gz or .zst) one line at a time; blank lines are skipped."""
    try:
        stream = open_binary(path)
    except OSError as error:
        yield Reject(Origin(file=display), f"cannot read file: {error.strerror or error}")
        return
    yield from _json_lines(stream, display, options)


def _json_lines(stream: Any, display: str, options: ReadOptions) -> Iterator[ReadItem]:
    line_no = 0
    defer = options.defer_json
    with stream:
        try:
            for line_no, line in enumerate(iter_lines(stream), 1):
                if line_no == 1 and line.startswith(codecs.BOM_UTF8):
                    line = line[len(codecs.BOM_UTF8) :]  # written by some Windows tools; not JSON, and not the record's
                if not line.strip():
                    continue
                if defer:
                    yield RawRecord(Origin(file=display, line=line_no), line)
                else:
                    yield parse_json_line(line, Origin(file=display, line=line_no), options)
        except TruncatedError as error:
            yield Reject(
                Origin(file=display, line=line_no + 1),
                f"file is truncated or corrupt after line {line_no} ({error}); the lines before it were read, "
                "the rest is lost: re-download or recompress the file",
            )


def read_jsonl_stream(stream: Any, display: str, options: ReadOptions) -> Iterator[ReadItem]:
    """JSON Lines from an already open byte stream (stdin)."""
    yield from _json_lines(stream, display, options)


def read_parquet(path: Path, display: str, options: ReadOptions) -> Iterator[ReadItem]:
    """Stream a Parquet file in row batches; a row is a record like a JSON Lines object."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as error:
        yield Reject(Origin(file=display), f"cannot read Parquet file: {error}")
        return
    names = parquet.schema_arrow.names
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        yield Reject(
            Origin(file=display),
            f"more than one column named {', '.join(map(repr, doubled))}: rows could not be written back unchanged; "
            "rename the columns",
        )
        return
    if options.text_field not in names and options.html_field not in names:
        yield Reject(
            Origin(file=display),
            f"no column {options.text_field!r} (columns: {', '.join(names)}); name it with --text-field",
        )
        return
    row = 0
    try:
        as_integers = _columns_python_cannot_hold(parquet)
        for batch in parquet.iter_batches(batch_size=1024):
            for record in _python_rows(batch, as_integers):
                yield record_to_input(record, Origin(file=display, row=row), options)
                row += 1
    except (OSError, pa.ArrowException) as error:
        yield Reject(Origin(file=display, row=row), f"corrupt Parquet data from row {row} on: {error}")


def _columns_python_cannot_hold(parquet: Any) -> set[str]:
    """The date and time columns holding a value Python cannot (nanoseconds, years past 9999; pyarrow converts
    those only through pandas, and then not always exactly). They are read as their integers, which the Parquet
    writer turns back into the same values, in every row: one column keeps one representation. Costs a read of
    those columns alone."""
    schema = parquet.schema_arrow
    dated = [field.name for field in schema if _integer_dates(field.type) != field.type]
    found: set[str] = set()
    if dated:
        for batch in parquet.iter_batches(batch_size=65536, columns=dated):
            for name in dated:
                if name not in found and not _round_trips(batch.column(name)):
                    found.add(name)
            if len(found) == len(dated):
                break  # every one is read as integers: the rest of the file cannot change that
    return found


def _round_trips(column: Any) -> bool:
    """Whether a column's values come back unchanged from plain Python objects. Not only an error says no: with
    pandas installed, pyarrow turns a time64[ns] of 5 ns into datetime.time(0, 0) without a word (which was
    written back as 0), and nanosecond timestamps into pandas objects, where without pandas it refuses them. Either
    way the column is read as integers, as it is without pandas."""
    import pyarrow as pa

    try:
        values = column.to_pylist()
        return not _foreign(values) and bool(pa.array(values, type=column.type).equals(column))
    except (ValueError, OverflowError, TypeError, pa.ArrowException):
        return False


def _foreign(value: Any) -> bool:
    """Whether a converted value holds an object of a library (pandas) rather than of Python itself."""
    if isinstance(value, list):
        return any(map(_foreign, value))
    if isinstance(value, dict):
        return any(map(_foreign, value.values()))
    if isinstance(value, tuple):  # map entries
        return any(map(_foreign, value))
    return type(value).__module__.split(".")[0] not in ("builtins", "datetime", "decimal")


def _python_rows(batch: Any, as_integers: set[str]) -> list[dict[str, Any]]:
    """A record batch as dicts, the columns in `as_integers` with their dates and times as integers."""
    import pyarrow as pa

    if as_integers:
        columns = [
            column.cast(_integer_dates(column.type)) if name in as_integers else column
            for name, column in zip(batch.schema.names, batch.columns, strict=True)
        ]
        batch = pa.RecordBatch.from_arrays(columns, names=batch.schema.names)
    return batch.to_pylist()  # type: ignore[no-any-return]


def _integer_dates(arrow_type: Any) -> Any:
    """`arrow_type` with every date, time, timestamp and duration inside it replaced by its integer storage."""
    import pyarrow as pa

    types = pa.types
    if any(is_a(arrow_type) for is_a in (types.is_timestamp, types.is_duration, types.is_date64, types.is_time64)):
        return pa.int64()
    if types.is_date32(arrow_type) or types.is_time32(arrow_type):
        return pa.int32()
    if types.is_struct(arrow_type):
        return pa.struct([field.with_type(_integer_dates(field.type)) for field in arrow_type])
    if types.is_large_list(arrow_type):
        return pa.large_list(arrow_type.value_field.with_type(_integer_dates(arrow_type.value_type)))
    if types.is_fixed_size_list(arrow_type):
        field = arrow_type.value_field
        return pa.list_(field.with_type(_integer_dates(field.type)), arrow_type.list_size)
    if types.is_list(arrow_type):
        return pa.list_(arrow_type.value_field.with_type(_integer_dates(arrow_type.value_type)))
    if types.is_map(arrow_type):
        return pa.map_(_integer_dates(arrow_type.key_type), _integer_dates(arrow_type.item_type))
    return arrow_type


def output_record(item: InputDoc, doc_id: str, text: str | None, text_field: str) -> dict[str, Any]:
    """The input record with its text replaced in place, every other field unchanged and in order. Inputs that
    had no record (text files, HTML, WARC) get id, url, text, then whatever the reader kept."""
    if item.keys is None:
        record: dict[str, Any] = {"id": doc_id}
        if item.url:
            record["url"] = item.url
        record[text_field] = text
        for key, value in item.meta.items():
            record.setdefault(key, value)
        return record
    record = {key: text if key == text_field else item.meta[key] for key in item.keys}
    if text is not None:
        record.setdefault(text_field, text)
    return record
