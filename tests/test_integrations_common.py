"""What both pipeline integrations share: a scraped corpus made by bench/make_corpus.py and the CLI's results for
it, to compare with; and that `import cleaner` pulls in neither `datasets` nor datatrove."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from tests.helpers import FIXTURES, ROOT, SEEDS, run_main

# Records the CLI rejects, by id: each must be rejected by the integrations too, with the same reason.
BAD_RECORDS = [
    {"id": "bad-null", "url": "https://turan.az/news/x", "source": "hand", "text": None},
    {"id": "bad-empty", "url": "https://turan.az/news/y", "source": "hand", "text": ""},
    {"id": "bad-blank", "url": None, "source": "hand", "text": " \n\t\u200b\n"},
]


def _make_corpus_module():  # bench/ is not a package; load the real generator from its file
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "bench" / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scraped_corpus(path: Path, docs: int = 300, seed: int = 1) -> Path:
    """bench/make_corpus.py's documents, dressed from article bodies shipped in the repository (the seeds and the
    fixtures' cleaned texts; the AEB gold file of the benchmarks is not needed), followed by BAD_RECORDS."""
    bodies = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    bodies += [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*/*/expected.txt"))]
    gold = {f"article-{i:03d}": {"articleBody": body, "url": ""} for i, body in enumerate(bodies) if body.strip()}
    with tempfile.TemporaryDirectory() as scratch:  # not beside the corpus: a reader of its directory would read it
        gold_path = Path(scratch) / "gold.json"
        gold_path.write_text(json.dumps(gold), encoding="utf-8")
        _make_corpus_module().write_corpus(path, docs, seed, gold_path)
    with open(path, "ab") as out:
        for record in BAD_RECORDS:
            out.write(orjson.dumps(record) + b"\n")
    return path


@dataclass
class CliResult:
    texts: dict[str, str]  # id -> cleaned text, in output order
    removed: dict[str, list[dict]]  # id -> the ledger's `removed`
    rejects: dict[str, str]  # id -> reason
    warnings: dict[str, list[str]]  # id -> the ledger's `warnings`, for documents that have any


def cli_clean(corpus: Path, workdir: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch) -> CliResult:
    """`newsclean clean CORPUS -o OUT --ledger LEDGER`, through the real entry point."""
    out, ledger = workdir / "cli.jsonl", workdir / "cli.ledger.jsonl"
    code, _, err = run_main(["clean", str(corpus), "-o", str(out), "--ledger", str(ledger)], capsys, mp)
    assert code == 1, err  # exit 1: some documents rejected (BAD_RECORDS)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    entries = [json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines()]
    rejects = [json.loads(line) for line in (workdir / "cli.rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    return CliResult(
        texts={r["id"]: r["text"] for r in records},
        removed={e["id"]: e["removed"] for e in entries},
        rejects={r["id"]: r["reason"] for r in rejects},
        warnings={e["id"]: e["warnings"] for e in entries if e.get("warnings")},
    )


def test_corpus_exercises_both_stages(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    """The comparison corpus is worth comparing on: the CLI removes repeats and boilerplate from most documents,
    and rejects exactly the bad records."""
    corpus = scraped_corpus(tmp_path / "corpus.jsonl", docs=120)
    cli = cli_clean(corpus, tmp_path, capsys, monkeypatch)
    assert len(cli.texts) == 120 and sorted(cli.rejects) == sorted(r["id"] for r in BAD_RECORDS)
    stages = {removal["stage"] for removed in cli.removed.values() for removal in removed}
    assert {"neardup", "rule"} <= stages
    assert sum(1 for removed in cli.removed.values() if removed) > 60


def test_import_cleaner_imports_neither_library() -> None:
    """`import cleaner`, a Cleaner and its clean_batch need neither `datasets` nor datatrove."""
    code = (
        "import sys, cleaner, cleaner.integrations\n"
        "out = cleaner.Cleaner().clean_batch({'text': ['Share this article\\nThe parliament met on Monday.']})\n"
        "assert out['text'] == ['The parliament met on Monday.\\n'], out\n"
        "loaded = sorted(m for m in ('datasets', 'datatrove') if m in sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_datatrove_missing_names_the_extra() -> None:
    """Without datatrove, importing the step says which extra to install, instead of a bare ModuleNotFoundError."""
    code = (
        "import sys\n"
        "class Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'datatrove' or name.startswith('datatrove.'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Hide())\n"
        "try:\n"
        "    import cleaner.integrations.datatrove\n"
        "except ImportError as error:\n"
        "    print(error)\n"
        "else:\n"
        "    raise SystemExit('imported without datatrove')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True)
    assert "pip install 'newsclean[datatrove]'" in done.stdout
