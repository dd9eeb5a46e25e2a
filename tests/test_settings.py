"""Config file: `newsclean.toml` or `[tool.newsclean]` in `pyproject.toml` in the working directory sets defaults;
the command line wins; bad files are usage errors naming the file, the key and the valid keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner.errors import ConfigError
from cleaner.settings import KEYS, load_settings
from tests.helpers import run_main


def _corpus(directory: Path) -> Path:
    path = directory / "in.jsonl"
    records = [{"doc": "a", "body": "Hello there.\nShare this article\n"}, {"doc": "b", "body": "Second.\n"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_no_file_no_settings(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.path is None and settings.default_map() == {}


def test_top_level_keys_reach_the_commands_that_take_them(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "newsclean.toml").write_text(
        'rules = ["rules"]\nthreshold = 0.7\njobs = 2\ntext-field = "body"\nid_field = "doc"\n'
        "[dedup]\nthreshold = 0.9\n"
    )
    defaults = load_settings(tmp_path).default_map()
    assert defaults["clean"] == {
        "rules": [str(tmp_path / "rules")],
        "threshold": 0.7,
        "jobs": 2,
        "text_field": "body",
        "id_field": "doc",
    }
    assert defaults["diff"]["threshold"] == 0.7 and "jobs" not in defaults["diff"]
    assert defaults["dedup"]["threshold"] == 0.9 and defaults["dedup"]["jobs"] == 2 and "rules" not in defaults["dedup"]
    assert defaults["learn"]["rules"] == [str(tmp_path / "rules")] and "threshold" not in defaults["learn"]


def test_pyproject_table_and_which_file_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.newsclean]\njobs = 3\n')
    settings = load_settings(tmp_path)
    assert settings.path == tmp_path / "pyproject.toml" and settings.default_map()["clean"] == {"jobs": 3}
    (tmp_path / "newsclean.toml").write_text("jobs = 4\n")
    settings = load_settings(tmp_path)
    assert settings.path == tmp_path / "newsclean.toml" and settings.default_map()["clean"] == {"jobs": 4}
    assert any("is not" in note for note in settings.notes)


def test_a_pyproject_without_the_table_is_no_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_settings(tmp_path).path is None
    (tmp_path / "pyproject.toml").write_text("[project\nbroken = \n")  # not ours to complain about
    assert load_settings(tmp_path).path is None
    (tmp_path / "pyproject.toml").write_text("[tool.newsclean\njobs = 2\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml: not valid TOML"):
        load_settings(tmp_path)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("treshold = 0.5\n", "unknown key 'treshold' (did you mean 'threshold'?); valid keys are: "),
        ("[dedup]\nrules = ['x']\n", "[dedup]: unknown key 'rules'; valid keys for `newsclean dedup` are: "),
        ("[clean]\nmin-docs = 3\n", "unknown key 'min-docs'"),
        ("threshold = 1.5\n", "threshold it must be in (0, 1]"),
        ("jobs = 'many'\n", "jobs must be a whole number"),
        ("jobs = -1\n", "jobs must be a whole number"),
        ("text-field = 3\n", "text-field must be a non-empty string"),
        ("stdin-format = 'xml'\n", "stdin-format must be one of 'auto', 'text', 'jsonl'"),
        ("[clean]\ntitle-in-text = 'sideways'\n", "title-in-text must be one of 'keep', 'drop'"),
        ("rules = 'missing'\n", "rules: 'missing' is not a directory"),
        ("rules = [1]\n", "rules must be a directory or a list of directories"),
        ("clean = 3\n", "[clean]: must be a table"),
        ("jobs = \n", "not valid TOML"),
    ],
)
def test_bad_files_name_the_file_and_the_key(tmp_path: Path, text: str, says: str) -> None:
    (tmp_path / "newsclean.toml").write_text(text)
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path)
    assert str(tmp_path / "newsclean.toml") in str(error.value) and says in str(error.value), str(error.value)


def test_unknown_keys_list_every_valid_one(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.newsclean]\nfoo = 1\n")
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path)
    message = str(error.value)
    assert "[tool.newsclean]" in message and all(key in message for key in KEYS)


def test_the_command_uses_the_file_and_the_command_line_wins(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    corpus = _corpus(tmp_path)
    (tmp_path / "newsclean.toml").write_text('text-field = "body"\nid-field = "doc"\njobs = 1\n')
    code, out, err = run_main(["clean", str(corpus), "-v", "--jobs", "2"], capsys, monkeypatch)
    assert code == 0, err
    assert [json.loads(line)["body"] for line in out.splitlines()] == ["Hello there.\n", "Second.\n"]
    assert f"setting --text-field = 'body' ({tmp_path / 'newsclean.toml'})" in err
    assert "setting --jobs = 2 (command line)" in err
    assert "setting --threshold = 0.8 (default)" in err
    assert f"config: reading {tmp_path / 'newsclean.toml'}" in err


def test_a_bad_file_is_exit_2_without_a_traceback(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newsclean.toml").write_text("thresold = 0.9\n")
    code, out, err = run_main(["clean", str(_corpus(tmp_path))], capsys, monkeypatch)
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith("newsclean: error: config file ") and "unknown key 'thresold'" in err


def test_rules_from_the_file_are_used(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    rules = tmp_path / "my_rules"
    rules.mkdir()
    (rules / "_default.toml").write_text(
        '[[rule]]\nid = "hello"\nkind = "line"\npattern = \'Hello there\\.\'\nreason = "a greeting"\n'
    )
    (tmp_path / "newsclean.toml").write_text('rules = "my_rules"\ntext-field = "body"\nid-field = "doc"\n')
    code, out, err = run_main(["clean", str(_corpus(tmp_path)), "-q"], capsys, monkeypatch)
    assert code == 0, err
    assert "Hello there." not in json.loads(out.splitlines()[0])["body"]  # (it replaced the bundled _default.toml)


def test_title_in_text_from_the_file_drops_the_texts_copy_of_the_title(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    record = {"id": "1", "title": "The minister resigned", "text": "The minister resigned\nThe body of it, in words."}
    corpus = tmp_path / "a.jsonl"
    corpus.write_text(json.dumps(record) + "\n")
    (tmp_path / "newsclean.toml").write_text('[clean]\ntitle-in-text = "drop"\n')
    code, out, err = run_main(["clean", str(corpus), "-v"], capsys, monkeypatch)
    assert code == 0, err
    assert json.loads(out)["text"] == "The body of it, in words.\n"
    assert f"setting --title-in-text = 'drop' ({tmp_path / 'newsclean.toml'})" in err
