"""Rule directories: one resolver, and `rules check` running exactly the checks `clean` runs (issue 15: 7, 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.rules import RuleError, bundled_rules_dir, resolve_rule_dirs
from tests.helpers import run_main

GOOD = "[[rule]]\nid = 'ad'\nkind = 'line'\npattern = 'Advertisement'\nreason = 'ad'\nremoves = ['Advertisement']\n"


def rules_dir(path: Path, **files: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / f"{name}.toml").write_text(text, encoding="utf-8")
    return path


def test_the_bundled_rules_come_first_then_the_extra_directories_in_order(tmp_path: Path) -> None:
    a, b = rules_dir(tmp_path / "a", _a=GOOD), rules_dir(tmp_path / "b", _b=GOOD)
    assert resolve_rule_dirs([a, str(b)]) == [bundled_rules_dir(), a, b]
    assert resolve_rule_dirs([b], bundled=False) == [b]
    assert resolve_rule_dirs([]) == [bundled_rules_dir()]


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: p / "missing", "does not exist or is not a directory"),
        (lambda p: (p / "file.toml").write_text(GOOD) and p / "file.toml", "does not exist or is not a directory"),
        (lambda p: rules_dir(p / "empty"), "has no rule files (*.toml); is it the right one?"),
    ],
    ids=["missing", "a-file", "empty"],
)
def test_a_bad_directory_is_refused_before_any_work(tmp_path: Path, make, says: str) -> None:  # type: ignore[no-untyped-def]
    directory = make(tmp_path)
    with pytest.raises(RuleError, match=r"--rules '.*'") as error:
        resolve_rule_dirs([directory], what="--rules")
    assert says in str(error.value) and str(directory) in str(error.value)


def test_a_single_path_is_not_a_list_of_directories(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="must be a list, got the single path"):
        resolve_rule_dirs(str(tmp_path))  # type: ignore[arg-type]


def dangling(tmp_path: Path) -> Path:
    directory = rules_dir(tmp_path / "r", _ok=GOOD)
    (directory / "gone.toml").symlink_to(tmp_path / "nowhere.toml")
    return directory


def test_a_dangling_rule_file_is_a_rule_directory_error_for_the_resolver(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"gone\.toml: the rule file is a dangling link"):
        resolve_rule_dirs([dangling(tmp_path)])


def test_rules_check_and_clean_refuse_a_dangling_rule_file_alike(tmp_path: Path, capsys, monkeypatch) -> None:
    """It once passed `rules check` while `clean` exited 3 with a disk-full message."""
    directory = dangling(tmp_path)
    text = tmp_path / "in.txt"
    text.write_text("Body text.\nAdvertisement\n", encoding="utf-8")
    for args in (
        ["rules", "check", str(directory)],
        ["clean", str(text), "--rules", str(directory)],
        ["clean", str(text), "--rules", str(directory), "-o", str(tmp_path / "out.txt"), "--jobs", "2"],
    ):
        code, out, err = run_main(args, capsys, monkeypatch)
        assert code == 2 and out == "", args
        assert f"{directory / 'gone.toml'}: the rule file is a dangling link" in err, args
    assert not (tmp_path / "out.txt").exists()


def test_rules_check_runs_the_examples_as_clean_does(tmp_path: Path, capsys, monkeypatch) -> None:
    """It once passed a file that `clean --rules` then refused for a failing example."""
    failing = GOOD.replace("removes = ['Advertisement']", "removes = ['Advertisement here']")
    directory = rules_dir(tmp_path / "r", _ads=failing)
    text = tmp_path / "in.txt"
    text.write_text("Body text.\n", encoding="utf-8")
    code, _, check_err = run_main(["rules", "check", str(directory)], capsys, monkeypatch)
    assert code == 2 and "_ads.toml: rule _ads/ad: removes[0] failed" in check_err
    code, _, clean_err = run_main(["clean", str(text), "--rules", str(directory)], capsys, monkeypatch)
    assert code == 2 and "_ads.toml: rule _ads/ad: removes[0] failed" in clean_err
    why = "the pattern matched 'Advertisement' instead, and a line rule removes whole lines it fully matches"
    assert why in check_err and why in clean_err


def test_a_failing_example_shows_what_the_pattern_matched_across_the_line_end(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """`\\s*` carried the span over the line end: the message used to blame the example ("did not match")."""
    directory = rules_dir(
        tmp_path / "r",
        _media=(
            "[[rule]]\nid = 'media'\nkind = 'span'\npattern = 'Media playback is not supported on this device\\s*'\n"
            "reason = 'player'\nremoves = ['Media playback is not supported on this device']\n"
        ),
    )
    code, _, err = run_main(["rules", "check", str(directory)], capsys, monkeypatch)
    assert code == 2
    assert (
        "expected a removal, but the pattern matched 'Media playback is not supported on this device\\n' (across a "
        "line end" in err
    )
    assert "a span rule removes the matched text inside one line" in err


def test_rules_check_checks_its_timeout(capsys, monkeypatch) -> None:
    code, _, err = run_main(["rules", "check", "--timeout", "0"], capsys, monkeypatch)
    assert code == 2 and "--timeout must be a number of seconds in (0, 3600]" in err
