"""The Python API: Cleaner.clean / clean_many, records and rejects, errors at the door, light imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cleaner import Cleaner
from cleaner.apply import restore
from cleaner.errors import ConfigError
from cleaner.io.base import InputDoc
from cleaner.record import Document, Origin, Reject
from tests.helpers import SEEDS

SEED_000 = (SEEDS / "000_4110ac0129b996c5.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def plain() -> Cleaner:
    return Cleaner(rules=[])


def test_clean_returns_text_source_and_ledger(plain: Cleaner) -> None:
    result = plain.clean(SEED_000)
    assert result.text.count("\n") == 13
    assert result.source.count("\n") == 24
    assert [r.stage for r in result.removed] == ["neardup"]
    assert restore(result.text, result.removed) == result.source
    entry = result.ledger_entry()
    assert entry["chars_in"] == len(result.source) and entry["chars_out"] == len(result.text)


def test_clean_many_streams_in_order_with_rejects(plain: Cleaner) -> None:
    records = [
        SEED_000,
        {"id": "a", "text": "One line.\nOne line.", "url": "https://example.com/x", "lang": "en"},
        {"id": "b", "text": 42},
        {"id": "c"},
        InputDoc(origin=Origin("corpus.jsonl", line=5), text="  \n\t "),
        InputDoc(origin=Origin("corpus.jsonl", line=6), text="Kept paragraph.", url="https://example.com/y"),
    ]
    results = list(plain.clean_many(records))
    assert [isinstance(r, Document) for r in results] == [True, True, False, False, False, True]
    assert results[0].text == plain.clean(SEED_000).text
    assert results[1].meta == {"lang": "en"} and results[1].url == "https://example.com/x"
    assert "not a string" in results[2].reason and "missing" in results[3].reason
    assert "empty" in results[4].reason and results[4].origin.line == 5
    assert results[5].id == "corpus.jsonl:6" and results[5].text == "Kept paragraph.\n"


def test_batches_do_not_change_results(plain: Cleaner) -> None:
    texts = [SEED_000, "A short one.", SEED_000.replace("Iran", "Iraq")] * 120  # crosses a batch boundary
    many = [r.text for r in plain.clean_many(texts)]
    assert many == [plain.clean(t).text for t in texts]


def test_arguments_are_checked_at_the_door() -> None:
    with pytest.raises(ConfigError, match="threshold must be in"):
        Cleaner(rules=[], threshold=0)
    with pytest.raises(ConfigError, match="did you mean rules="):
        Cleaner(rules="rules/")
    with pytest.raises(ConfigError, match="does not exist"):
        Cleaner(rules=["/no/such/rules/dir"])
    with pytest.raises(TypeError, match="decode bytes first"):
        Cleaner(rules=[]).clean(b"bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize("rules", [5, [None], b"rules", ["ok", 3], {"rules/": 1}, {"a/", "b/"}])
def test_rules_of_the_wrong_type_say_what_to_pass(rules: object) -> None:
    """`rules=5` said "'int' object is not iterable", `rules=[None]` spoke of os.PathLike."""
    with pytest.raises(ConfigError, match=r"rules must be a list of rule directories \(str or Path\)"):
        Cleaner(rules=rules)  # type: ignore[arg-type]


def test_rules_may_come_from_any_iterable(tmp_path: Path) -> None:
    (tmp_path / "x.com.toml").write_text('[[rule]]\nid = "a"\nkind = "line"\npattern = "Ad"\nreason = "ad"\n')
    assert Cleaner(rules=(d for d in [tmp_path])).clean("Text.\nAd\n", url="https://x.com/1").text == "Text.\n"


def test_clean_checks_id_and_meta(plain: Cleaner) -> None:
    """`id=b"x"` was accepted and failed later, when the ledger entry was written."""
    with pytest.raises(TypeError, match="id must be str"):
        plain.clean("Some text.", id=b"x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="meta must be a dict"):
        plain.clean("Some text.", meta=[1])  # type: ignore[arg-type]


def test_an_html_record_that_cannot_be_extracted_is_a_reject_and_the_others_are_kept(plain: Cleaner) -> None:
    """`InputDoc(html=5)` raised out of clean_many, and the valid document before it was lost."""
    records = ["First article text.", InputDoc(Origin(file="x"), html=5), "Third article text."]  # type: ignore[arg-type]
    results = list(plain.clean_many(records))
    assert [isinstance(r, Document) for r in results] == [True, False, True]
    assert "html is not str or bytes (int)" in results[1].reason  # type: ignore[union-attr]


def test_empty_text_cleans_to_empty(plain: Cleaner) -> None:
    result = plain.clean("")
    assert result.text == "" and result.removed == []


def test_importing_the_package_and_cli_stays_light() -> None:
    code = (
        "import sys, cleaner, cleaner.cli; from cleaner import Cleaner; "
        "heavy = [m for m in ('datasketch', 'trafilatura', 'pyarrow', 'dask', 'ftfy', 'scipy') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_a_ledger_line_alone_rebuilds_the_input() -> None:
    """Like ftfy's apply_plan: the JSON ledger entry plus the cleaned text give back the normalized input."""
    import json

    from cleaner.record import Removal

    result = Cleaner().clean((SEEDS / "003_1fd8782e2133a4c6.txt").read_text(encoding="utf-8"))
    entry = json.loads(json.dumps(result.ledger_entry()))
    removals = [Removal.from_json(r) for r in entry["removed"]]
    assert {r.stage for r in removals} == {"rule", "neardup"}
    assert restore(result.text, removals) == result.source
    assert len(result.source) == entry["chars_in"] and len(result.text) == entry["chars_out"]


# --- found by review ----------------------------------------------------------------------------------------


def test_documents_read_before_the_stream_failed_are_still_returned(plain: Cleaner) -> None:
    def records():
        for i in range(5):
            yield f"Paragraph number {i} of a short article about nothing much."
        raise RuntimeError("the source failed")

    results = []
    with pytest.raises(RuntimeError, match="the source failed"):
        for result in plain.clean_many(records()):
            results.append(result)
    assert [r.id for r in results] == ["0", "1", "2", "3", "4"]


@pytest.mark.parametrize("records", ["abc", b"abc", {"text": "abc"}])
def test_clean_many_wants_an_iterable_of_records(plain: Cleaner, records: object) -> None:
    with pytest.raises(TypeError, match="iterable of records"):
        list(plain.clean_many(records))  # type: ignore[arg-type]


def test_a_url_that_is_not_a_string_and_a_missing_id(plain: Cleaner) -> None:
    with pytest.raises(TypeError, match="url must be str or None, got int"):
        plain.clean("Some text.", url=5)  # type: ignore[arg-type]
    bad, unnamed = plain.clean_many([{"text": "Some text.", "url": 5}, {"text": "More text.", "id": None}])
    assert isinstance(bad, Reject) and bad.reason == "url field is not a string (int)"
    assert isinstance(unnamed, Document) and unnamed.id == "1"


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"shingle_size": 0}, "shingle_size must be between"),
        ({"num_perm": 0}, "num_perm must be at least 16"),
        ({"shingle_size": 2.5}, "shingle_size must be a whole number"),
        ({"min_words": "3"}, "min_words must be a whole number"),
        ({"threshold": "0.8"}, "threshold must be a number"),
        ({"threshold": None}, "threshold must be a number"),
    ],
)
def test_bad_options_are_refused_at_the_door(options: dict[str, object], says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        Cleaner(rules=[], **options)  # type: ignore[arg-type]


def test_a_rule_whose_example_fails_is_a_bad_rule_file(tmp_path) -> None:
    from cleaner.rules import RuleError

    (tmp_path / "_mine.toml").write_text(
        "[[rule]]\nid = 'ad'\nkind = 'line'\npattern = 'Advert'\nreason = 'ad'\nremoves = ['Advertisement']\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match=r"_mine\.toml: rule _mine/ad: removes\[0\] failed"):
        Cleaner(rules=[tmp_path])


def test_span_and_block_rules_keep_cleaning_idempotent(tmp_path) -> None:
    """A span whose removal would join a letter and a combining accent is not placed; a rule that matches anew
    after each of its removals runs until it matches no more."""
    (tmp_path / "_r.toml").write_text(
        "[[rule]]\nid = 'ad'\nkind = 'span'\npattern = '\\[AD\\]'\nreason = 'ad'\n"
        "[[rule]]\nid = 'm'\nkind = 'block'\npattern = '(?m)^M\\n(?=END\\n)'\nreason = 'm'\n",
        encoding="utf-8",
    )
    cleaner = Cleaner(rules=[tmp_path])
    for text in ["Cafe[AD]\u0301 owners protested.", "M\nM\nM\nM\nM\nM\nEND"]:
        once = cleaner.clean(text).text
        assert cleaner.clean(once).removed == []
    assert cleaner.clean("M\nM\nM\nM\nM\nM\nEND").text == "END\n"


def test_a_missing_url_as_pandas_gives_it_is_an_absent_url(plain: Cleaner) -> None:
    class NAType:  # what pandas.NA's type is called; pandas itself is not needed for the check
        pass

    records = [{"text": "Hello there.", "url": value} for value in (None, float("nan"), NAType())]
    results = list(plain.clean_many(records))
    assert all(isinstance(r, Document) and r.url is None for r in results)


def test_documents_over_the_cap_are_rejected_with_a_reason() -> None:
    capped = Cleaner(rules=[], max_doc_chars=100)
    long, short = {"text": "a" * 101}, {"text": "Short enough."}
    results = list(capped.clean_many([long, short]))
    assert isinstance(results[0], Reject) and "--max-doc-chars" in results[0].reason
    assert isinstance(results[1], Document)
    with pytest.raises(ValueError, match="over the cap of 100"):
        capped.clean("a" * 101)
    with pytest.raises(ConfigError, match="max_doc_chars"):
        Cleaner(rules=[], max_doc_chars=0)
