"""The cache of checked rule files (`cleaner.rules.cache`): a hit skips the examples and the trigger analysis and
compiles patterns when first used; an edited file, another time budget, a corrupt or foreign entry, or a cache
that cannot be written all fall back to checking, with the same results and the same errors."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import regex

from cleaner import Cleaner
from cleaner.rules import RuleError, check_examples, examples, load_ruleset
from cleaner.rules.cache import CACHE_ENV, cache_dir
from cleaner.rules.load import KnownPattern, load_rule_file
from cleaner.rules.prefilter import trigger_for

GOOD = (
    "[[rule]]\nid = 'ad'\nkind = 'line'\npattern = '(?i)advertisement'\nreason = 'ad'\n"
    "removes = ['Advertisement']\nkeeps = ['An advertisement campaign ran all year.']\n"
)
TEXT = "The minister spoke on Monday.\nAdvertisement\nShare this article on Facebook\nShe left on Tuesday.\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    directory = cache_dir()
    assert directory is not None
    return directory


def rules(tmp_path: Path, text: str = GOOD) -> Path:
    directory = tmp_path / "rules"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "_mine.toml").write_text(text, encoding="utf-8")
    return directory


def checked(directory: Path) -> dict[str, bool]:
    ruleset = load_ruleset([directory])
    assert check_examples(ruleset) == []
    return {name: rule_file.checked for name, rule_file in ruleset.files.items()}


def no_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("examples ran although the cache vouches for them")

    monkeypatch.setattr(examples, "check_rule_file", refuse)


def test_a_hit_skips_examples_and_triggers_and_compiles_patterns_when_used(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = rules(tmp_path)
    assert checked(directory) == {"_mine": True}  # checked now, and remembered
    assert len(list(cache.glob("*.entry"))) == 1
    no_examples(monkeypatch)
    ruleset = load_ruleset([directory])
    (rule,) = ruleset.files["_mine"].rules
    assert ruleset.files["_mine"].checked and check_examples(ruleset) == []
    assert isinstance(rule.pattern, KnownPattern) and "_compiled" not in vars(rule.pattern)
    fresh = load_rule_file(directory / "_mine.toml").rules[0]
    assert rule.trigger == fresh.trigger == trigger_for(fresh.pattern, lines=True)
    assert rule.pattern == fresh.pattern and rule.pattern.flags == fresh.pattern.flags
    assert rule.pattern.fullmatch("ADVERTISEMENT") and "_compiled" in vars(rule.pattern)
    assert pickle.loads(pickle.dumps(rule)).pattern == fresh.pattern


def test_the_bundled_rules_clean_the_same_from_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Cleaner().clean(TEXT)  # checks the bundled files and remembers them
    run_them = examples.check_rule_file
    no_examples(monkeypatch)
    cached = Cleaner()
    assert cached.ruleset is not None and all(f.checked for f in cached.ruleset.files.values())
    second = cached.clean(TEXT)
    assert (second.text, second.removed) == (first.text, first.removed)
    assert first.removed, "the text has boilerplate the bundled rules remove"
    monkeypatch.setenv(CACHE_ENV, "")
    monkeypatch.setattr(examples, "check_rule_file", run_them)
    uncached = Cleaner()  # compiled at load, as without the cache
    assert uncached.ruleset is not None and not any(f.checked for f in uncached.ruleset.files.values())
    third = uncached.clean(TEXT)
    assert (third.text, third.removed) == (first.text, first.removed)


def test_an_edited_file_is_checked_again(cache: Path, tmp_path: Path) -> None:
    directory = rules(tmp_path)
    assert checked(directory) == {"_mine": True}
    rules(tmp_path, GOOD.replace("reason = 'ad'", "reason = 'an advertisement line'"))
    ruleset = load_ruleset([directory])
    assert not ruleset.files["_mine"].checked
    assert isinstance(ruleset.files["_mine"].rules[0].pattern, regex.Pattern)
    assert check_examples(ruleset) == [] and ruleset.files["_mine"].checked


def test_another_time_budget_is_another_entry(cache: Path, tmp_path: Path) -> None:
    directory = rules(tmp_path)
    assert checked(directory) == {"_mine": True}
    assert not load_ruleset([directory], timeout=0.5).files["_mine"].checked


def test_a_failing_example_fails_the_same_every_time_and_is_never_remembered(cache: Path, tmp_path: Path) -> None:
    directory = rules(tmp_path, GOOD.replace("removes = ['Advertisement']", "removes = ['Advertisement here']"))
    messages = []
    for _ in range(2):
        with pytest.raises(RuleError) as error:
            Cleaner(rules=[directory])
        messages.append(str(error.value))
    assert messages[0] == messages[1] and "removes[0] failed" in messages[0]
    assert not list(cache.glob("*.entry"))


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data.split(b"\n", 1)[0] + b"\nnot a pickle",
        lambda data: data.split(b"\n", 1)[0] + b"\n" + pickle.dumps({("ad", "line", "x"): "not a trigger"}),
        lambda data: b"garbage\n" + data.split(b"\n", 1)[1],  # another key
    ],
    ids=["empty", "truncated", "corrupt", "foreign-shape", "wrong-key"],
)
def test_a_damaged_entry_is_ignored_and_replaced(cache: Path, tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    directory = rules(tmp_path)
    assert checked(directory) == {"_mine": True}
    (entry,) = cache.glob("*.entry")
    entry.write_bytes(damage(entry.read_bytes()))
    ruleset = load_ruleset([directory])
    assert not ruleset.files["_mine"].checked
    assert check_examples(ruleset) == [] and ruleset.files["_mine"].checked  # checked, and stored again
    assert load_ruleset([directory]).files["_mine"].checked


def test_an_entry_of_another_file_is_not_used(cache: Path, tmp_path: Path) -> None:
    one, other = rules(tmp_path / "a"), rules(tmp_path / "b", GOOD.replace("'ad'", "'ads'"))
    assert checked(one) == {"_mine": True}
    (entry,) = cache.glob("*.entry")
    assert not load_ruleset([other]).files["_mine"].checked  # its key differs: another name for the entry
    assert checked(other) == {"_mine": True}
    entries = sorted(cache.glob("*.entry"), key=os.path.getmtime)
    entries[1].write_bytes(entry.read_bytes())  # one file's entry under the other's name
    assert not load_ruleset([other]).files["_mine"].checked


def test_a_cache_that_cannot_be_written_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    directory = rules(tmp_path)
    for _ in range(2):
        assert checked(directory) == {"_mine": False}  # checked each time, nothing stored, no error
        assert Cleaner(rules=[directory]).clean(TEXT).text == Cleaner(rules=[directory]).clean(TEXT).text


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root writes anywhere")
def test_a_read_only_cache_directory_works(cache: Path, tmp_path: Path) -> None:
    directory = rules(tmp_path)
    cache.mkdir(parents=True)
    cache.chmod(0o500)
    try:
        assert checked(directory) == {"_mine": False}
    finally:
        cache.chmod(0o700)


def test_a_read_only_cache_with_an_entry_is_still_read(cache: Path, tmp_path: Path) -> None:
    directory = rules(tmp_path)
    assert checked(directory) == {"_mine": True}
    cache.chmod(0o500)
    try:
        assert load_ruleset([directory]).files["_mine"].checked
    finally:
        cache.chmod(0o700)


def test_an_empty_setting_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "")
    assert cache_dir() is None
    assert checked(rules(tmp_path)) == {"_mine": False}


def test_the_default_place_is_the_users_cache_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if os.name == "posix" and os.uname().sysname == "Linux":
        assert cache_dir() == tmp_path / "xdg" / "newsclean" / "checked-rules"
        monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # ignored, as the XDG spec says
        assert cache_dir() == Path.home() / ".cache" / "newsclean" / "checked-rules"


def test_load_rule_file_and_rules_test_never_use_the_cache(cache: Path, tmp_path: Path) -> None:
    directory = rules(tmp_path)
    assert checked(directory) == {"_mine": True}
    rule_file = load_rule_file(directory / "_mine.toml")
    assert not rule_file.checked and isinstance(rule_file.rules[0].pattern, regex.Pattern)
