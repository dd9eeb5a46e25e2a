"""Shared test helpers: golden files and the invariants every cleaned document must satisfy.

Kept out of conftest.py so that tests import them like any module (`from tests.helpers import ...`).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from cleaner.apply import restore
from cleaner.normalize import normalize
from cleaner.record import Document

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SEEDS = ROOT / "seeds"
# NEWSCLEAN_REGEN=1 rewrites expected files from real output; review the diff before committing.
REGEN = os.environ.get("NEWSCLEAN_REGEN") == "1"


# A line rule that backtracks for ever on SLOW_LINE (exponentially many ways to split the a's): it times out.
SLOW_LINE = "a" * 60 + "c b"


def slow_rule_dir(directory: Path) -> Path:
    """A rule directory holding one rule that times out on SLOW_LINE."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "_slow.toml").write_text(
        '[[rule]]\nid = "slow"\nkind = "line"\npattern = \'(?:a|aa)+b\'\nreason = "backtracks forever"\n'
    )
    return directory


def check_golden(path: Path, actual: str) -> None:
    """Compare real output with the expected file kept under fixtures/."""
    if REGEN:
        path.write_text(actual, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"missing golden file {path}; run with NEWSCLEAN_REGEN=1 and review it")
    assert actual == path.read_text(encoding="utf-8"), f"output differs from {path}"


def ledger_json(doc: Document) -> str:
    return json.dumps([r.to_json() for r in doc.removals], indent=1, ensure_ascii=False) + "\n"


def assert_invariants(doc: Document, cleaner) -> None:
    """DESIGN.md's invariants: the ledger rebuilds the source, output is canonical, cleaning is idempotent."""
    assert doc.text is not None
    assert restore(doc.text, doc.removals) == doc.source
    for removal in doc.removals:
        assert doc.source[removal.start : removal.end] == removal.text
    assert normalize(doc.text) == doc.text
    again = cleaner.clean(doc.text, url=doc.url)
    assert again.text == doc.text, [r.to_json() for r in again.removals]


def run_main(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple:
    """Run the real entry point in-process: (exit status, stdout, stderr)."""
    from cleaner.cli import main

    monkeypatch.setattr(sys, "argv", ["newsclean", *args])
    with pytest.raises(SystemExit) as done:
        main()
    out, err = capsys.readouterr()
    return done.value.code or 0, out, err
