"""`clean --report`, `--title-field/--title-in-text` and `--max-doc-chars` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import SEEDS, run_main


def test_clean_writes_the_report_at_the_end_of_the_run(tmp_path: Path, capsys, monkeypatch) -> None:
    out, ledger, report = tmp_path / "out", tmp_path / "ledger.jsonl", tmp_path / "review.html"
    code, _, _ = run_main(
        ["clean", str(SEEDS), "-o", str(out), "--ledger", str(ledger), "--report", str(report), "-q"],
        capsys,
        monkeypatch,
    )
    assert code == 0
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "turan.az/sidebar-teasers" in page


def test_a_report_without_a_ledger_keeps_its_ledger_next_to_it(tmp_path: Path, capsys, monkeypatch) -> None:
    report = tmp_path / "r.html"
    code, _, _ = run_main(
        ["clean", str(SEEDS), "-o", str(tmp_path / "out"), "--report", str(report), "-q"], capsys, monkeypatch
    )
    assert code == 0 and report.exists()
    assert len((tmp_path / "r.ledger.jsonl").read_text().splitlines()) == 2


@pytest.mark.parametrize(
    ("args", "text"), [([], "Banker loses sexism claim\nA body.\n"), (["--title-in-text", "drop"], "A body.\n")]
)
def test_title_in_text(tmp_path: Path, capsys, monkeypatch, args: list[str], text: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(
            {
                "headline": "Banker loses sexism claim",
                "text": "Banker loses sexism claim\nBanker loses sexism claim\nA body.\n",
            }
        )
        + "\n"
    )
    code, out, _ = run_main(["clean", str(source), "--title-field", "headline", *args, "-q"], capsys, monkeypatch)
    assert code == 0 and json.loads(out)["text"] == text


def test_documents_over_max_doc_chars_are_rejects(tmp_path: Path, capsys, monkeypatch) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "big", "text": "x" * 200}) + "\n" + json.dumps({"text": "Small."}) + "\n")
    code, _, _ = run_main(
        ["clean", str(source), "-o", str(tmp_path / "o.jsonl"), "--max-doc-chars", "100", "-q"], capsys, monkeypatch
    )
    assert code == 1
    rejects = (tmp_path / "o.rejects.jsonl").read_text()
    assert "--max-doc-chars" in rejects and '"big"' in rejects
