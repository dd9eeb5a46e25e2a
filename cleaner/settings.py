"""Defaults from a config file: `newsclean.toml` in the working directory, else `[tool.newsclean]` in its
`pyproject.toml` (as ruff reads `ruff.toml` before `pyproject.toml`).

```toml
rules = ["my_rules/"]      # clean, diff, learn: rule directories after the bundled ones (relative to this file)
threshold = 0.85           # clean, diff: near-duplicate paragraph similarity
jobs = 2                   # clean, learn, dedup: worker processes (0: one per CPU)
text-field = "body"        # and id-field, url-field, html-field, title-field, stdin-format

[dedup]                    # a table per command overrides the top level for that command only
threshold = 0.9            # dedup's threshold is a document-level Jaccard: only set here, never from the top level
```

The values become click's `default_map`, so an option given on the command line wins; `--verbose` says where each
setting came from. A bad file (TOML error, unknown key, wrong type) is a `ConfigError` naming the file, the key and
the valid choices: exit 2 before anything runs.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.checks import check_threshold
from cleaner.errors import ConfigError

CONFIG_FILE = "newsclean.toml"
PYPROJECT = "pyproject.toml"

COMMANDS = ("clean", "diff", "learn", "dedup")


def _string(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"must be a non-empty string, got {value!r}")
    return value


def _jobs(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"must be a whole number, at least 0 (0: one worker per CPU), got {value!r}")
    return value


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"must be a whole number, at least 1, got {value!r}")
    return value


def _share(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise ValueError(f"must be a number in (0, 1], got {value!r}")
    return float(value)


def _threshold(value: object) -> float:
    return check_threshold(value, "it")


def _comments(value: object) -> str:
    from cleaner.checks import check_comments

    return check_comments(value, "it")


def _choice(*choices: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(map(repr, choices))}, got {value!r}")
        return str(value)

    return check


@dataclass(frozen=True, slots=True)
class Key:
    """A config key: the command option it sets, how it is checked, and which commands take it (from the top
    level, and in their own table)."""

    param: str  # the option's Python name (click's default_map key)
    check: Callable[[object], Any]
    commands: tuple[str, ...]  # where a top-level value applies
    also_in_table: tuple[str, ...] = ()  # commands whose table may set it though the top level does not reach them


_FIELDS = ("clean", "diff", "learn", "dedup")
KEYS: dict[str, Key] = {
    "rules": Key("rules", lambda v: v, ("clean", "diff", "learn")),  # checked by _rule_dirs (needs the file's place)
    "threshold": Key("threshold", _threshold, ("clean", "diff"), also_in_table=("dedup",)),
    "jobs": Key("jobs", _jobs, ("clean", "learn", "dedup")),
    "text-field": Key("text_field", _string, _FIELDS),
    "id-field": Key("id_field", _string, _FIELDS),
    "url-field": Key("url_field", _string, _FIELDS),
    "html-field": Key("html_field", _string, _FIELDS),
    "stdin-format": Key("stdin_format", _choice("auto", "text", "jsonl"), _FIELDS),
    "title-field": Key("title_field", _string, ("clean",)),
    "title-in-text": Key("title_in_text", _choice("keep", "drop"), ("clean",)),
    "comments": Key("comments", _comments, ("clean", "diff")),
    "min-docs": Key("min_docs", _count, ("learn",)),
    "min-share": Key("min_share", _share, ("learn",)),
    "keep": Key("keep", _choice("first", "longest"), ("dedup",)),
}


def _keys_of(command: str) -> list[str]:
    return [name for name, key in KEYS.items() if command in key.commands or command in key.also_in_table]


@dataclass(slots=True)
class Settings:
    """What a config file sets: per command, {option's Python name: value}; `path` is None without a file."""

    path: Path | None = None
    commands: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what --verbose says about finding the file

    def default_map(self) -> dict[str, dict[str, Any]]:
        """click's `default_map`: command name -> defaults of its options."""
        return {command: dict(values) for command, values in self.commands.items() if values}


def load_settings(directory: Path | None = None) -> Settings:
    """The settings of the config file in `directory` (the working directory), or empty settings."""
    directory = directory or Path.cwd()
    own, pyproject = directory / CONFIG_FILE, directory / PYPROJECT
    if own.is_file():
        settings = _parse(own, _read_toml(own), table=None)
        if pyproject.is_file() and "newsclean" in _read_toml(pyproject).get("tool", {}):
            settings.notes.append(f"config: {own} is read; [tool.newsclean] in {pyproject} is not")
        return settings
    if pyproject.is_file():
        try:
            text = pyproject.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        if "newsclean" not in text:  # someone else's pyproject: its errors are not ours to report
            return Settings(notes=[f"config: no {CONFIG_FILE}, and no [tool.newsclean] in {pyproject}"])
        tool = _read_toml(pyproject).get("tool", {})
        if isinstance(tool, dict) and "newsclean" in tool:
            return _parse(pyproject, tool["newsclean"], table="tool.newsclean")
    return Settings(notes=[f"config: no {CONFIG_FILE} or [tool.newsclean] in {PYPROJECT} in {directory}"])


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path}: not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"config file {path}: cannot be read: {error.strerror or error}") from None


def _parse(path: Path, data: object, table: str | None) -> Settings:
    """Check every key of the file (or of its `[tool.newsclean]` table) and spread the values over the commands."""
    where = f"{path}" + (f" [{table}]" if table else "")
    if not isinstance(data, dict):
        raise ConfigError(f"config file {where}: must be a table of settings, got {data!r}")
    settings = Settings(path=path, commands={command: {} for command in COMMANDS})
    settings.notes.append(f"config: reading {where}")
    top_level = sorted([*KEYS, *COMMANDS])
    for name, value in data.items():
        if name in COMMANDS:
            continue
        key = KEYS.get(name.replace("_", "-"))
        if key is None:
            raise ConfigError(_unknown(where, name, top_level))
        checked = _value(path, where, name, key, value)
        for command in key.commands:
            settings.commands[command][key.param] = checked
    for command in COMMANDS:  # command tables after the top level: they override it
        section = data.get(command)
        if section is None:
            continue
        here = f"{where} [{command}]" if not table else f"{path} [{table}.{command}]"
        if not isinstance(section, dict):
            raise ConfigError(f"config file {here}: must be a table of settings for `newsclean {command}`")
        valid = _keys_of(command)
        for name, value in section.items():
            normal = name.replace("_", "-")
            if normal not in valid:
                raise ConfigError(_unknown(here, name, valid, command))
            key = KEYS[normal]
            settings.commands[command][key.param] = _value(path, here, name, key, value)
    return settings


def _unknown(where: str, name: str, valid: list[str], command: str | None = None) -> str:
    import difflib

    close = difflib.get_close_matches(name.replace("_", "-"), valid, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    scope = f"for `newsclean {command}` " if command else ""
    return f"config file {where}: unknown key {name!r}{hint}; valid keys {scope}are: {', '.join(valid)}"


def _value(path: Path, where: str, name: str, key: Key, value: object) -> Any:
    if key.param == "rules":
        return _rule_dirs(path, where, name, value)
    try:
        return key.check(value)
    except ValueError as error:
        raise ConfigError(f"config file {where}: {name} {error}") from None


def _rule_dirs(path: Path, where: str, name: str, value: object) -> list[str]:
    """A rule directory or a list of them, relative to the config file's directory; each must exist."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        raise ConfigError(f"config file {where}: {name} must be a directory or a list of directories, got {value!r}")
    dirs = []
    for given in values:
        directory = Path(given).expanduser()
        if not directory.is_absolute():
            directory = path.parent / directory
        if not directory.is_dir():
            raise ConfigError(f"config file {where}: {name}: {given!r} is not a directory ({directory})")
        dirs.append(str(directory))
    return dirs
