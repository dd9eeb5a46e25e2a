"""Corpus runs: mirrored outputs, ledger, rejects, any number of workers, refusal to overwrite inputs."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import orjson
import pytest
import zstandard

from cleaner.batch import BatchConfig, Summary, run_batch
from cleaner.errors import ConfigError, InputError
from tests.helpers import FIXTURES, SEEDS, SLOW_LINE, check_golden, slow_rule_dir

BATCH = FIXTURES / "batch"
LONG = "The parliament met on Monday to discuss the budget for the coming year."


def run(inputs: list[str], output: Path | None, **options: object) -> Summary:
    config = BatchConfig(inputs=inputs, output=str(output) if output else None, bundled_rules=False, **options)  # type: ignore[arg-type]
    return run_batch(config, note=lambda message: None)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def make_corpus(path: Path, docs: int = 240) -> Path:
    """Seed paragraphs dressed as scraped documents: doubled bodies, repeated headlines, extra fields."""
    paragraphs = [line for seed in sorted(SEEDS.glob("*.txt")) for line in seed.read_text().splitlines() if line]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        for i in range(docs):
            body = paragraphs[i % 7 : i % 7 + 3 + i % 5]
            text = "\n".join(body + body[: 1 + i % 3]) if i % 4 else "\n".join(body)
            out.write(orjson.dumps({"meta": {"i": i}, "id": f"doc-{i}", "text": text, "lang": "en"}) + b"\n")
    return path


def test_mixed_jsonl_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Good and bad records: outputs, ledger and rejects match the golden files; nothing is lost."""
    monkeypatch.chdir(BATCH)
    out = tmp_path / "clean.jsonl"
    summary = run(["mixed.jsonl"], out, ledger=str(tmp_path / "ledger.jsonl"))
    check_golden(BATCH / "mixed.expected.jsonl", out.read_text())
    check_golden(BATCH / "mixed.expected.rejects.jsonl", (tmp_path / "clean.rejects.jsonl").read_text())
    check_golden(BATCH / "mixed.expected.ledger.jsonl", (tmp_path / "ledger.jsonl").read_text())
    lines = [n for n, line in enumerate((BATCH / "mixed.jsonl").read_bytes().split(b"\n"), 1) if line.strip()]
    written = [json.loads(line)["input"]["line"] for line in (tmp_path / "ledger.jsonl").read_text().splitlines()]
    rejected = [
        json.loads(line)["input"]["line"] for line in (tmp_path / "clean.rejects.jsonl").read_text().splitlines()
    ]
    assert sorted(written + rejected) == lines  # every document is cleaned or rejected, exactly once
    assert (summary.docs_in, summary.docs_out, summary.rejected, summary.exit_code) == (12, 5, 7, 1)
    # the id with path separators is data, never a path: nothing but the three outputs exists
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["clean.jsonl", "clean.rejects.jsonl", "ledger.jsonl"]


def test_text_tree_is_mirrored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BATCH)
    out = tmp_path / "out"
    summary = run(["tree"], out)
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == ["a.txt", "sub/b.txt"]
    check_golden(BATCH / "tree.expected.a.txt", (out / "a.txt").read_text())
    check_golden(BATCH / "tree.expected.b.txt", (out / "sub" / "b.txt").read_text())
    check_golden(BATCH / "tree.expected.rejects.jsonl", (tmp_path / "out.rejects.jsonl").read_text())
    assert (summary.docs_in, summary.rejected) == (5, 3)


def test_jobs_give_byte_identical_outputs(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus.jsonl")
    outputs = []
    for jobs in (1, 2):
        out = tmp_path / f"j{jobs}" / "clean.jsonl.gz"
        ledger = tmp_path / f"j{jobs}" / "ledger.jsonl"
        summary = run([str(corpus)], out, ledger=str(ledger), jobs=jobs, commit_every=37)
        assert summary.docs_out == 240 and summary.removals_by_stage["neardup"] > 100
        outputs.append((out.read_bytes(), ledger.read_bytes()))
    assert outputs[0] == outputs[1]
    records = [json.loads(line) for line in gzip.decompress(outputs[0][0]).splitlines()]
    assert [r["id"] for r in records] == [f"doc-{i}" for i in range(240)]
    assert all(list(r) == ["meta", "id", "text", "lang"] for r in records)  # fields in input order


def test_jobs_beyond_four_per_cpu_are_capped_with_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `--jobs 100000` on one document started 100,000 worker processes.
    monkeypatch.setattr("cleaner.corpus.engines.usable_cpus", lambda: 1)
    corpus = make_corpus(tmp_path / "corpus.jsonl")
    notes: list[str] = []
    config = BatchConfig(inputs=[str(corpus)], output=str(tmp_path / "out.jsonl"), jobs=100_000)
    summary = run_batch(config, note=notes.append)
    assert summary.jobs == 4 and summary.docs_out == 240
    assert notes == ["--jobs 100000 is more than 4 per CPU (1 here): running 4 workers"]


def test_workers_from_the_forkserver_give_the_same_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A parent with other threads must not fork: its workers then come from the forkserver, same bytes."""
    import threading

    corpus = make_corpus(tmp_path / "corpus.jsonl", docs=60)
    forked = tmp_path / "forked.jsonl"
    run([str(corpus)], forked, jobs=2)
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    served = tmp_path / "served.jsonl"
    run([str(corpus)], served, jobs=2)
    assert served.read_bytes() == forked.read_bytes()


def test_workers_parse_json_and_reject_bad_lines_as_the_reading_process_does(tmp_path: Path) -> None:
    """With --jobs > 1 JSON Lines lines are parsed in the workers: rejects and outputs must not change."""
    corpus = make_corpus(tmp_path / "corpus.jsonl", docs=50)
    lines = corpus.read_bytes().splitlines(keepends=True)
    bad = [b"{broken\n", b"[1, 2]\n", b'{"text": 5}\n', b'{"id": "no-text"}\n', b"\n"]
    corpus.write_bytes(b"".join(lines[:20] + bad + lines[20:]))
    results = []
    for jobs in (1, 2):
        out = tmp_path / f"j{jobs}" / "clean.jsonl"
        summary = run([str(corpus)], out, jobs=jobs)
        rejects = (tmp_path / f"j{jobs}" / "clean.rejects.jsonl").read_bytes()
        results.append((out.read_bytes(), rejects, summary.docs_out, summary.rejected))
    assert results[0] == results[1]
    assert results[0][2:] == (50, 4)
    reasons = [json.loads(line)["reason"] for line in results[0][1].splitlines()]
    assert [json.loads(line)["input"]["line"] for line in results[0][1].splitlines()] == [21, 22, 23, 24]
    assert reasons[0].startswith("malformed JSON") and "not an object" in reasons[1]


def test_compression_follows_the_output_name(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus.jsonl", docs=60)
    plain, gz, zst = (tmp_path / n for n in ("o.jsonl", "o.jsonl.gz", "o.jsonl.zst"))
    for out in (plain, gz, zst):
        run([str(corpus)], out, commit_every=25)
    assert gzip.decompress(gz.read_bytes()) == plain.read_bytes()
    reader = zstandard.ZstdDecompressor().stream_reader(zst.read_bytes(), read_across_frames=True)
    assert reader.read() == plain.read_bytes()


def test_parquet_mirrors_schema_and_other_columns(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    corpus = make_corpus(tmp_path / "corpus.jsonl", docs=50)
    records = [json.loads(line) for line in corpus.read_text().splitlines()]
    table = pa.table(
        {
            "n": pa.array(range(50), pa.int32()),
            "text": [r["text"] for r in records],
            "id": [r["id"] for r in records],
            "tags": [["a", str(i)] for i in range(50)],
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    run([str(tmp_path / "in.parquet")], tmp_path / "out.parquet", commit_every=20)
    run([str(corpus)], tmp_path / "out.jsonl")
    result = pq.read_table(tmp_path / "out.parquet")
    assert result.schema == table.schema
    assert result.drop(["text"]).equals(table.drop(["text"]))
    expected = [json.loads(line)["text"] for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert result.column("text").to_pylist() == expected


def test_parquet_dates_and_times_python_cannot_hold_pass_through(tmp_path: Path) -> None:
    """Nanosecond timestamps and dates past year 9999 crashed the run (pyarrow cannot make Python objects of them
    without pandas); they pass through unchanged, next to ordinary ones."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    nanos = 1_700_000_000_123_456_789
    table = pa.table(
        {
            "id": ["a", "b"],
            "text": ["The parliament met on Monday to discuss the budget.\n", "Share this article\nA second story.\n"],
            "seen": pa.array([nanos, 1_600_000_000_000_000_000], pa.timestamp("ns")),
            "far": pa.array([3_000_000, 1], pa.date32()),
            "took": pa.array([1, nanos], pa.duration("ns")),
            "marks": pa.array([[nanos], []], pa.list_(pa.timestamp("ns", tz="UTC"))),
            "at": pa.array([{"t": 5}, {"t": 7}], pa.struct([("t", pa.time64("ns"))])),
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    summary = run([str(tmp_path / "in.parquet")], tmp_path / "out.parquet")
    assert (summary.docs_out, summary.rejected) == (2, 0)
    result = pq.read_table(tmp_path / "out.parquet")
    assert result.equals(table)


def test_a_parquet_date_column_keeps_one_representation_in_every_row(tmp_path: Path) -> None:
    """The integer fallback was decided per batch of 1,024 rows: dedup's JSON output showed one column as ISO
    strings in one batch and integers in the next."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cleaner.io import ReadOptions, read_inputs

    whole = [1_700_000_000_000_000_000 + i * 1000 for i in range(1030)]
    whole[1025] += 1  # one value with nanoseconds, in the second batch
    texts = [f"Row {i} about the harbour.\n" for i in range(1030)]
    table = pa.table({"id": [str(i) for i in range(1030)], "text": texts, "seen": pa.array(whole, pa.timestamp("ns"))})
    pq.write_table(table, tmp_path / "in.parquet")
    items = list(read_inputs([str(tmp_path / "in.parquet")], ReadOptions()))
    assert {type(item.meta["seen"]) for item in items} == {int}  # type: ignore[union-attr]
    run([str(tmp_path / "in.parquet")], tmp_path / "out.parquet")
    assert pq.read_table(tmp_path / "out.parquet").equals(table)


def test_parquet_with_two_columns_of_one_name_is_rejected(tmp_path: Path) -> None:
    """Rows as dicts kept one of the two `x` columns and wrote its values into both, with exit 0."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = [pa.array(["a"]), pa.array(["Some text about the budget.\n"]), pa.array([1]), pa.array([2])]
    pq.write_table(pa.Table.from_arrays(columns, names=["id", "text", "x", "x"]), tmp_path / "dup.parquet")
    summary = run([str(tmp_path / "dup.parquet")], tmp_path / "out.parquet")
    assert summary.rejected == 1 and summary.docs_out == 0
    (reject,) = read_jsonl(tmp_path / "out.rejects.jsonl")
    assert "more than one column named 'x'" in reject["reason"]


def test_several_inputs_go_under_their_names(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "in" / "a.jsonl", docs=10)
    (tmp_path / "in" / "d").mkdir()
    (tmp_path / "in" / "d" / "x.txt").write_text(f"{LONG}\n{LONG}\n")
    run([str(corpus), str(tmp_path / "in" / "d")], tmp_path / "out")
    files = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert files == ["a.jsonl", "d/x.txt"]
    assert (tmp_path / "out" / "d" / "x.txt").read_text() == f"{LONG}\n"


def test_truncated_and_unreadable_inputs_are_rejected_the_rest_is_kept(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c.jsonl", docs=200)
    data = gzip.compress(corpus.read_bytes())
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    (tmp_path / "in" / "gone.jsonl").symlink_to(tmp_path / "missing.jsonl")
    summary = run([str(tmp_path / "in")], tmp_path / "out")
    rejects = [json.loads(line) for line in (tmp_path / "out.rejects.jsonl").read_text().splitlines()]
    assert [r["input"]["file"].rsplit("/", 1)[1] for r in rejects] == ["cut.jsonl.gz", "gone.jsonl"]
    assert "truncated" in rejects[0]["reason"] and "cannot read file" in rejects[1]["reason"]
    kept = gzip.decompress((tmp_path / "out" / "cut.jsonl.gz").read_bytes()).count(b"\n")
    assert kept == summary.docs_out == rejects[0]["input"]["line"] - 1 > 0
    assert (tmp_path / "out" / "gone.jsonl").read_bytes() == b""  # mirrored, empty; the reason is in rejects


def test_refuses_to_write_over_or_inside_inputs(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c.jsonl", docs=3)
    before = corpus.read_bytes()
    with pytest.raises(ConfigError, match="over or inside an input"):
        run([str(corpus)], corpus)
    (tmp_path / "tree").mkdir()
    with pytest.raises(ConfigError, match="overlaps input directory"):
        run([str(tmp_path / "tree")], tmp_path / "tree" / "out")
    with pytest.raises(ConfigError, match="over or inside an input"):
        run([str(corpus)], tmp_path / "o.jsonl", ledger=str(corpus))
    assert corpus.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.jsonl", "tree"]


def test_usage_errors_write_nothing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        run([str(tmp_path / "missing.jsonl")], tmp_path / "o.jsonl")
    with pytest.raises(ConfigError, match="need -o"):
        run([str(tmp_path)], None)
    with pytest.raises(ConfigError, match="--resume needs -o"):
        run([str(make_corpus(tmp_path / "c.jsonl", 2))], None, resume=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.jsonl"]


def test_summary_counts_and_renders(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c.jsonl", docs=40)
    summary = run([str(corpus)], tmp_path / "o.jsonl")
    text = summary.render()
    assert "documents: 40 in, 40 cleaned, 0 rejected" in text
    assert "removals by stage: neardup" in text and "docs/s" in text and "MB/s" in text
    assert summary.chars_in - summary.chars_out == summary.chars_by_stage["neardup"]


def test_summary_counts_documents_where_a_rule_was_skipped(tmp_path: Path) -> None:
    """A rule that times out removes nothing in that document: the run's summary says how many documents that hit."""
    rules = slow_rule_dir(tmp_path / "rules")
    corpus = tmp_path / "in.jsonl"
    records = [{"id": "slow", "text": SLOW_LINE + "\n"}, {"id": "fine", "text": "ok\n"}]
    corpus.write_text("".join(json.dumps(record) + "\n" for record in records))
    ledger = tmp_path / "ledger.jsonl"
    summary = run([str(corpus)], tmp_path / "out.jsonl", rules=[str(rules)], ledger=str(ledger))
    assert (summary.docs_out, summary.docs_with_warnings) == (2, 1)
    assert "warnings: 1 document had a rule or a site's detect pattern skipped" in summary.render()
    assert [bool(entry.get("warnings")) for entry in read_jsonl(ledger)] == [True, False]
    assert Summary.from_json(summary.to_json()).docs_with_warnings == 1  # carried across --resume


@pytest.mark.parametrize("layout", ["same stem", "same directory name"])
def test_inputs_whose_mirrored_outputs_collide_are_refused(tmp_path: Path, layout: str) -> None:
    """story.html and story.htm both become story.txt; x/site and y/site both become OUT/site: one output would
    be lost without a word, so the run refuses before writing anything."""
    html = "<html><body><article><p>{}</p></article></body></html>"
    if layout == "same stem":
        (tmp_path / "in" / "c").mkdir(parents=True)
        (tmp_path / "in" / "c" / "story.html").write_text(html.format("One story about the city council."))
        (tmp_path / "in" / "c" / "story.htm").write_text(html.format("Another story about the harbour."))
        inputs = [str(tmp_path / "in")]
    else:
        for parent in ("x", "y"):
            (tmp_path / parent / "site").mkdir(parents=True)
            (tmp_path / parent / "site" / "p.txt").write_text(f"A page from {parent}.\n")
        inputs = [str(tmp_path / "x" / "site"), str(tmp_path / "y" / "site")]
    with pytest.raises(ConfigError, match="would both be written to"):
        run_batch(BatchConfig(inputs=inputs, output=str(tmp_path / "out")), note=lambda m: None)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("option", "name"),
    [
        ("ledger", "a.txt"),
        ("rejects", "sub/b.txt"),
        ("ledger", "x.jsonl"),
        ("ledger", "sub"),
        ("ledger", "a.txt/l.jsonl"),
    ],
)
def test_a_ledger_or_rejects_file_in_the_output_tree_never_replaces_a_mirrored_output(
    tmp_path: Path, option: str, name: str
) -> None:
    """`--ledger out/a.txt` replaced the cleaned a.txt with ledger lines (and for x.jsonl both wrote one part file)."""
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "a.txt").write_text("The parliament met on Monday to discuss the budget.\n")
    (tmp_path / "in" / "sub" / "b.txt").write_text("The harbour opened a new terminal this week.\n")
    (tmp_path / "in" / "x.jsonl").write_text('{"id":"x1","text":"A record about the city council.\\n"}\n')
    config = BatchConfig(inputs=[str(tmp_path / "in")], output=str(tmp_path / "out"))
    setattr(config, option, str(tmp_path / "out" / name))
    with pytest.raises(ConfigError, match=f"the --{option} file .* cannot both be written; put the --{option} file"):
        run_batch(config, note=lambda m: None)
    assert not (tmp_path / "out").exists()
    # Elsewhere inside OUT it is fine.
    setattr(config, option, str(tmp_path / "out" / "run.jsonl"))
    assert run_batch(config, note=lambda m: None).docs_out == 3
    assert (tmp_path / "out" / "a.txt").read_text() == (tmp_path / "in" / "a.txt").read_text()


def test_file_names_that_are_not_utf8_are_shown_escaped(tmp_path: Path) -> None:
    """A tree holding `bad\\xff.txt` crashed the run: ids and origins held lone surrogates, which JSON refuses."""
    tree = tmp_path / "in"
    tree.mkdir()
    good, bad = os.fsdecode(b"bad\xff.txt"), os.fsdecode(b"x\xfe.txt")
    (tree / good).write_text("The minister met reporters today in the capital.\n")
    (tree / bad).write_bytes(b"bad \xff\n")
    ledger = tmp_path / "ledger.jsonl"
    summary = run([str(tree)], tmp_path / "out", ledger=str(ledger))
    assert (summary.docs_out, summary.rejected) == (1, 1)
    assert (tmp_path / "out" / good).read_text() == "The minister met reporters today in the capital.\n"
    (reject,) = read_jsonl(tmp_path / "out.rejects.jsonl")
    assert reject["input"]["file"] == str(tree / "x\\xfe.txt")
    assert all(entry["id"] == "bad\\xff.txt" for entry in read_jsonl(ledger))


def test_dot_and_dotdot_directory_arguments_mirror_under_their_real_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`newsclean clean . ../b -o ../out` failed half-way: `.` has no name, so its files went to "/sub/s.txt"."""
    for file in ("a/top.txt", "a/sub/s.txt", "b/btop.txt"):
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file).write_text("The minister met reporters today in the capital.\n")
    monkeypatch.chdir(tmp_path / "a" / "sub")
    summary = run(["..", "../../b"], tmp_path / "out")
    assert summary.docs_out == 3
    written = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*.txt"))
    assert written == ["a/sub/s.txt", "a/top.txt", "b/btop.txt"]
    monkeypatch.chdir(tmp_path / "a")
    assert run([".", "../b"], tmp_path / "out2").docs_out == 3
    assert (tmp_path / "out2" / "a" / "sub" / "s.txt").exists()


def test_mirrored_text_and_parquet_outputs_reach_the_disk_before_the_state_counts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the ledger, rejects and state were fsync'ed: after a power loss the state could name outputs the disk
    never got. Mirrored text files are synced at each commit, Parquet chunks and files before their rename."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    synced: list[Path] = []
    monkeypatch.setattr("cleaner.batch.sinks.make_durable", lambda paths: synced.extend(paths))
    monkeypatch.setattr("cleaner.io.writers._fsync_file", synced.append)
    (tmp_path / "in").mkdir()
    for name in ("a", "b", "c"):
        (tmp_path / "in" / f"{name}.txt").write_text(f"Text of {name} about the city council.\n")
    texts = [f"Row {i} about the harbour.\n" for i in range(5)]
    pq.write_table(pa.table({"id": [str(i) for i in range(5)], "text": texts}), tmp_path / "in" / "rows.parquet")
    run([str(tmp_path / "in")], tmp_path / "out", commit_every=2)
    out = tmp_path / "out"
    assert {path.name for path in synced} >= {"a.txt", "b.txt", "c.txt", "rows.parquet.newsclean-part"}
    assert sum(path.suffix == ".tmp" for path in synced) == 3  # one per committed chunk of 2, 2 and 1 rows
    assert pq.read_table(out / "rows.parquet").column("text").to_pylist() == texts


def test_an_output_directory_this_process_may_not_write_is_refused_up_front(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only output directory was reported as an interrupted run (exit 3) suggesting --resume."""
    (tmp_path / "a.txt").write_text("A paragraph about the city council.\n")
    (tmp_path / "ro").mkdir()
    real_access = os.access
    monkeypatch.setattr(
        "cleaner.io.writers.os.access", lambda p, mode: Path(p) != tmp_path / "ro" and real_access(p, mode)
    )
    for options in (
        {"output": str(tmp_path / "ro" / "out.txt")},
        {"output": str(tmp_path / "o.txt"), "ledger": str(tmp_path / "ro" / "l.jsonl")},
    ):
        with pytest.raises(ConfigError, match=r"cannot create files in .*ro \(permission denied\)"):
            run_batch(BatchConfig(inputs=[str(tmp_path / "a.txt")], **options), note=lambda m: None)
    assert not (tmp_path / "o.txt").exists()


def test_a_tree_file_rejected_on_a_rerun_leaves_no_cleaned_copy_from_before(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    page = tmp_path / "in" / "a.txt"
    page.write_text("The minister met reporters today in the capital.\n")
    run([str(tmp_path / "in")], tmp_path / "out")
    assert (tmp_path / "out" / "a.txt").exists()
    page.write_bytes(b"\xff\xfe\xfd bad")
    summary = run([str(tmp_path / "in")], tmp_path / "out")
    assert summary.rejected == 1
    assert not (tmp_path / "out" / "a.txt").exists()
    (reject,) = read_jsonl(tmp_path / "out.rejects.jsonl")
    assert reject["input"]["file"] == str(page)


def test_outputs_may_end_as_inputs_do_and_a_trailing_slash_names_a_directory(tmp_path: Path) -> None:
    """`-o y.ndjson` and `-o y.pq` were refused although those endings are read; `-o newdir/` wrote a file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = tmp_path / "in.ndjson"
    records.write_text('{"id":"a","text":"A record about the harbour.\\n"}\n')
    run([str(records)], tmp_path / "out.ndjson")
    assert (tmp_path / "out.ndjson").read_text() == records.read_text()
    pq.write_table(pa.table({"id": ["a"], "text": ["Row about the council.\n"]}), tmp_path / "in.pq")
    run([str(tmp_path / "in.pq")], tmp_path / "out.pq")
    assert pq.read_table(tmp_path / "out.pq").column("text").to_pylist() == ["Row about the council.\n"]
    (tmp_path / "a.txt").write_text("The minister met reporters today.\n")
    run_batch(BatchConfig(inputs=[str(tmp_path / "a.txt")], output=f"{tmp_path}/newdir/"), note=lambda m: None)
    assert (tmp_path / "newdir" / "a.txt").read_text() == "The minister met reporters today.\n"


@pytest.mark.parametrize("name", ["x.parquet", "y.jsonl", "z.txt"])
def test_a_fifo_in_a_tree_is_rejected_without_being_opened_or_leaving_an_output(tmp_path: Path, name: str) -> None:
    """A FIFO named *.parquet hung the run (its schema was read before the reader's check); *.jsonl left an
    empty output."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("The minister met reporters today.\n")
    os.mkfifo(tmp_path / "in" / name)
    summary = run([str(tmp_path / "in")], tmp_path / "out")
    assert (summary.docs_out, summary.rejected) == (1, 1)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt"]
    (reject,) = read_jsonl(tmp_path / "out.rejects.jsonl")
    assert "not a regular file" in reject["reason"]


def test_root_names_are_taken_per_run_not_cached_across_working_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache keyed by the relative Path('.') filed a second run's '.' under the first run's directory name."""
    for name in ("alpha", "beta", "gamma"):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.txt").write_text(f"Text from {name} about the council.\n")
    monkeypatch.chdir(tmp_path / "alpha")
    run([".", "../gamma"], tmp_path / "out1")
    monkeypatch.chdir(tmp_path / "beta")
    run([".", "../gamma"], tmp_path / "out2")
    assert (tmp_path / "out2" / "beta" / "beta.txt").exists()


def test_a_single_rejected_file_cleaned_into_a_directory_leaves_a_file_there_alone(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("The user's own notes.\n")
    (tmp_path / "notes.txt").write_bytes(b"\xff\xfe\xfd bad")
    summary = run_batch(
        BatchConfig(inputs=[str(tmp_path / "notes.txt")], output=f"{tmp_path}/docs/"), note=lambda m: None
    )
    assert summary.rejected == 1
    assert (tmp_path / "docs" / "notes.txt").read_text() == "The user's own notes.\n"
