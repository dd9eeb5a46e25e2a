"""Readers: every input document becomes an InputDoc or a Reject with a reason, whatever the damage."""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

import pytest
import zstandard

from cleaner.errors import InputError
from cleaner.io import ReadOptions, read_inputs
from cleaner.io.base import InputDoc
from cleaner.io.streams import TruncatedError, iter_lines
from cleaner.record import Reject

LINES = b"".join(b'{"id": "d%d", "text": "line %d", "extra": [1, 2]}\n' % (i, i) for i in range(5000))


def _read(paths: list[Path], **options: str) -> list[InputDoc | Reject]:
    return list(read_inputs([str(p) for p in paths], ReadOptions(**options)))


def test_jsonl_fields_keep_their_order_and_pass_through(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"z": 1, "body": "Hello\\nworld", "key": "k1", "link": "http://x.az/a"}\n')
    [doc] = _read([path], text_field="body", id_field="key", url_field="link")
    assert isinstance(doc, InputDoc)
    assert (doc.text, doc.id, doc.url) == ("Hello\nworld", "k1", "http://x.az/a")
    assert doc.keys == ("z", "body", "key", "link")
    assert list(doc.meta) == ["z", "key", "link"]
    assert doc.origin.line == 1


def test_numbers_orjson_cannot_hold_pass_through_unchanged(tmp_path: Path) -> None:
    """An integer beyond 64 bits (orjson would make it a float) or a number beyond a double (orjson refuses it) is
    valid JSON: the record is read, and the number written back digit for digit."""
    from cleaner.batch import BatchConfig, run_batch

    path = tmp_path / "a.jsonl"
    fields = '"big": 1180591620717411303424, "huge": 1e400, "neg": -18446744073709551617, "u64": 18446744073709551615'
    path.write_bytes(b'{"id": "a", "text": "Some text.", %s}\n{"text": "x", "n": NaN}\n' % fields.encode())
    summary = run_batch(BatchConfig(inputs=[str(path)], output=str(tmp_path / "out.jsonl")), note=lambda m: None)
    assert summary.docs_out == 1 and summary.rejected == 1  # NaN is not JSON
    out = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert out == '{"id":"a","text":"Some text.\\n",' + fields.replace(": ", ":").replace(", ", ",") + "}\n"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"text": "unterminated}', "malformed JSON"),
        (b'{"text": "caf\xe9"}', "not valid UTF-8"),
        (b"[1, 2]", "JSON array is not an object"),
        (b'"just a string"', "JSON string is not an object"),
        (b'{"body": "x"}', "no 'text' field (fields: 'body'); name the text field with --text-field"),
        (b'{"text": 42}', "field 'text' is number, expected a string"),
        (b'{"text": null}', "field 'text' is null, expected a string"),
        (b'{"text": ["a"]}', "field 'text' is array, expected a string"),
    ],
)
def test_bad_json_lines_become_rejects_with_their_line(tmp_path: Path, line: bytes, reason: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"text": "good"}\n\n' + line + b'\n{"text": "after"}\n')
    items = _read([path])
    assert [type(item).__name__ for item in items] == ["InputDoc", "Reject", "InputDoc"]
    reject = items[1]
    assert isinstance(reject, Reject)
    assert reason in reject.reason
    assert (reject.origin.file, reject.origin.line) == (str(path), 3)


def test_html_record_without_text_becomes_an_html_input(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_bytes(b'{"url": "https://a.az/x", "html": "<p>Hi</p>"}\n')
    [doc] = _read([path])
    assert isinstance(doc, InputDoc) and doc.html == "<p>Hi</p>" and doc.text is None


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_compressed_jsonl_reads_like_plain(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"a{suffix}"
    data = gzip.compress(LINES) if suffix.endswith(".gz") else zstandard.ZstdCompressor().compress(LINES)
    path.write_bytes(data)
    items = _read([path])
    assert len(items) == 5000 and all(isinstance(item, InputDoc) for item in items)


def test_multi_frame_zstd_is_read_to_the_end(tmp_path: Path) -> None:
    path = tmp_path / "frames.jsonl.zst"
    compressor = zstandard.ZstdCompressor()
    path.write_bytes(compressor.compress(LINES) + compressor.compress(b'{"text": "last"}\n'))
    items = _read([path])
    assert len(items) == 5001 and isinstance(items[-1], InputDoc) and items[-1].text == "last"


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_truncated_compressed_file_keeps_what_came_before_and_rejects_the_rest(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"cut{suffix}"
    data = gzip.compress(LINES) if suffix.endswith(".gz") else zstandard.ZstdCompressor().compress(LINES)
    path.write_bytes(data[: len(data) // 2])
    items = _read([path])
    *docs, last = items
    assert all(isinstance(item, InputDoc) for item in docs)
    assert [d.origin.line for d in docs] == list(range(1, len(docs) + 1))  # type: ignore[union-attr]
    assert isinstance(last, Reject) and "truncated or corrupt" in last.reason
    assert last.origin.line == len(docs) + 1


def test_zstd_reader_detects_a_frame_cut_inside_a_block() -> None:
    data = zstandard.ZstdCompressor().compress(b"x" * 10)
    stream = open_binary_from_bytes(data[:-3])
    with pytest.raises(TruncatedError):
        list(iter_lines(stream))


def open_binary_from_bytes(data: bytes) -> io.BufferedReader:
    from cleaner.io.streams import _ZstdReader

    return io.BufferedReader(_ZstdReader(io.BytesIO(data)))  # type: ignore[arg-type]


def test_text_files_invalid_utf8_nul_and_bom(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"caf\xe9\n")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x00" * 100)
    (tmp_path / "nul.txt").write_bytes(b"a stray NUL\x00 in a long enough line of ordinary text here\n")
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbfHello\n")
    (tmp_path / "utf16.txt").write_bytes("Hello\n".encode("utf-16"))
    items = {Path(item.origin.file).name: item for item in _read([tmp_path])}
    assert isinstance(items["bad.txt"], Reject) and "invalid UTF-8 at byte 3" in items["bad.txt"].reason
    assert isinstance(items["binary.txt"], Reject) and "binary data" in items["binary.txt"].reason
    assert isinstance(items["nul.txt"], InputDoc) and "\x00" in (items["nul.txt"].text or "")
    assert isinstance(items["bom.txt"], InputDoc) and items["bom.txt"].text == "Hello\n"
    assert isinstance(items["utf16.txt"], InputDoc) and items["utf16.txt"].text == "Hello\n"


def test_directory_walk_is_sorted_skips_hidden_and_rejects_unknown_types(tmp_path: Path) -> None:
    for name in ("b.txt", "a.txt", "sub/c.txt", ".git/x.txt", ".hidden.txt", "notes.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("text\n")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing")
    items = _read([tmp_path])
    names = [str(Path(item.origin.file).relative_to(tmp_path)) for item in items]
    assert names == ["a.txt", "b.txt", "dangling.txt", "notes.md", "sub/c.txt"]
    assert [item.id for item in items if isinstance(item, InputDoc)] == ["a.txt", "b.txt", "sub/c.txt"]
    assert isinstance(items[2], Reject) and "cannot read file" in items[2].reason
    assert isinstance(items[3], Reject) and "unsupported file type" in items[3].reason


def test_directory_walk_rejects_links_out_of_the_tree_and_fifos(tmp_path: Path) -> None:
    """A linked directory was skipped without a word, and a FIFO named *.txt made the run wait forever. Links are
    not followed: one inside the tree is passed over (its files are read where they are), one leading out of it
    (up the tree, or elsewhere) is rejected with a reason."""
    tree, elsewhere = tmp_path / "tree", tmp_path / "elsewhere"
    (tree / "news").mkdir(parents=True)
    elsewhere.mkdir()
    (tree / "news" / "a.txt").write_text("text\n")
    (elsewhere / "b.txt").write_text("text\n")
    (tree / "Archive").symlink_to("news")  # sorts before news/: its files must still be news/a.txt
    (tree / "linked").symlink_to(elsewhere)
    (tree / "news" / "up").symlink_to("../..")  # above the tree
    (tree / "news" / "loop").symlink_to(tree)
    os.mkfifo(tree / "pipe.txt")
    items = _read([tree])
    names = [str(Path(item.origin.file).relative_to(tree)) for item in items]
    assert names == ["linked", "pipe.txt", "news/a.txt", "news/up"]
    assert [type(item).__name__ for item in items] == ["Reject", "Reject", "InputDoc", "Reject"]
    assert "a link to a directory outside the tree" in items[0].reason  # type: ignore[union-attr]
    assert "not a regular file" in items[1].reason  # type: ignore[union-attr]
    assert items[2].id == "news/a.txt"


def test_a_directory_the_walk_cannot_list_is_rejected_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`chmod 000 corpus/sub`: its files were neither cleaned nor rejected, with exit status 0."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("text\n")
    (tmp_path / "sub" / "b.txt").write_text("text\n")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if Path(path) == tmp_path / "sub":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    items = _read([tmp_path])
    assert [type(item).__name__ for item in items] == ["InputDoc", "Reject"]
    assert items[1].origin.file == str(tmp_path / "sub")
    assert items[1].reason == "cannot read directory: Permission denied"  # type: ignore[union-attr]


def test_an_empty_input_name_is_refused_not_read_as_the_current_directory() -> None:
    with pytest.raises(InputError, match="empty string"):
        list(read_inputs([""]))


def test_a_byte_order_mark_before_the_first_json_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": "a", "text": "one"}\n{"id": "b", "text": "two"}\n')
    items = _read([path])
    assert [item.id for item in items if isinstance(item, InputDoc)] == ["a", "b"]


def test_missing_argument_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        _read([tmp_path / "nope.jsonl"])


def test_parquet_rows(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "a.parquet"
    table = pa.table({"n": [1, 2, 3], "text": ["one", None, "three"], "id": ["a", "b", "c"]})
    pq.write_table(table, path)
    items = _read([path])
    assert [type(item).__name__ for item in items] == ["InputDoc", "Reject", "InputDoc"]
    assert items[1].origin.row == 1 and "null" in items[1].reason  # type: ignore[union-attr]
    assert items[2].meta == {"n": 3, "id": "c"} and items[2].keys == ("n", "text", "id")  # type: ignore[union-attr]


def test_parquet_without_text_column_is_one_reject(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "a.parquet"
    pq.write_table(pa.table({"body": ["x"]}), path)
    [reject] = _read([path])
    assert isinstance(reject, Reject) and "no column 'text'" in reject.reason and "--text-field" in reject.reason


def test_a_failed_atomic_write_names_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    import errno

    from cleaner.io import writers

    target = tmp_path / "out.txt"
    real_replace = writers.os.replace

    def full_disk(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    writers.os.replace = full_disk  # type: ignore[assignment]
    try:
        with pytest.raises(OSError, match="No space left") as info:
            writers.write_atomic(target, b"text\n")
    finally:
        writers.os.replace = real_replace
    assert info.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []


def test_the_exact_reading_never_takes_what_orjson_rightly_refuses(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    lines = [
        b'{"id": 1, "text": "Some text.", "m": "a\\ud800b"}',  # a lone surrogate: not writable as UTF-8
        b'{"id": 2, "text": "Some text.", "h": 1e400, "m": "\\ud800"}',
        b'{"id": 3, "text": "x", "h": 1e400, "n": ' + b"[" * 5000 + b"]" * 5000 + b"}",  # deeper than any parser
        b'{"id": 123456789012345678901234567890, "text": 5}',
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    items = _read([path])
    assert all(isinstance(item, Reject) for item in items)
    assert [item.reason.split(":")[0] for item in items[:3]] == ["malformed JSON"] * 3
    assert (items[3].id, items[3].reason) == (
        "123456789012345678901234567890",
        "field 'text' is number, expected a string",
    )


def test_what_crosses_to_and_from_workers_pickles_every_field() -> None:
    import pickle

    from cleaner.batch.workers import Cleaned, Rejected
    from cleaner.io.base import RawRecord
    from cleaner.record import Origin

    origin = Origin(file="a.jsonl", line=3, row=None, record=7)
    for item in (
        origin,
        RawRecord(origin, b'{"text": "x"}'),
        Cleaned(b"payload", b"ledger", 1, 2, 3, [("rule", "r", 4)], True, "id", "turan.az"),
        Rejected(b"line", "a.jsonl line 3", "why"),
    ):
        assert pickle.loads(pickle.dumps(item)) == item
