"""A learned rule as `newsclean learn` writes it, and the rule file text: shared by the unit learner
(`cleaner.corpus.learn`) and the edge learner (`cleaner.corpus.edges`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import regex
import xxhash

from cleaner.errors import ConfigError

ASCIIWORD = regex.compile(r"[A-Za-z0-9]+")
WORD = regex.compile(r"\w+")
SAFETY_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class LearnOptions:
    """When a unit is boilerplate, and how units and variants are found."""

    min_docs: int = 5
    min_share: float = 0.05
    threshold: float = 0.7  # Jaccard of masked word 2-shingles for near-variants (short lines need a low one)
    shingle_size: int = 2
    max_unit_chars: int = 1000
    max_examples: int = 3
    max_keeps: int = 3
    max_keep_chars: int = 300
    partition_docs: int = 256

    def __post_init__(self) -> None:
        if self.min_docs < 2:
            raise ConfigError(
                f"--min-docs must be at least 2, got {self.min_docs}: boilerplate is text that recurs across "
                "documents, and a learned rule never removes text found in only one document"
            )
        if not 0.0 <= self.min_share <= 1.0:
            raise ConfigError(f"--min-share must be a fraction in [0, 1], got {self.min_share} (default 0.05)")
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"variant threshold must be in (0, 1], got {self.threshold}")


@dataclass(slots=True)
class LearnedRule:
    id: str
    kind: str
    pattern: str
    reason: str
    docs: int
    removes: list[str]
    keeps: list[str] = field(default_factory=list)
    masks: set[str] = field(default_factory=set)  # masked texts it removes (not written: to find redundant rules)
    side: str = ""  # "tail" | "head" for rules mined at a document's edge


def slug(text: str) -> str:
    words = [w.lower() for w in ASCIIWORD.findall(text)][:5]
    if words:
        return "learned-" + "-".join(words)
    return "learned-" + xxhash.xxh3_64_hexdigest(text.encode("utf-8"))[:10]


def compiled(rule: LearnedRule) -> Any:
    from cleaner.rules import Rule

    return Rule(id=rule.id, kind=rule.kind, pattern=regex.compile(rule.pattern), reason=rule.reason, file="_",
                origin="learned")  # fmt: skip


def keeps(
    rule: LearnedRule, pool: list[tuple[str, set[str]]], options: LearnOptions, verify: bool = False
) -> list[str]:
    """Same-site text the rule leaves alone: single-document units most like the rule's own text first. With
    `verify`, each is run as `rules test` runs it (an edge text may hold the rule's own text glued to another)."""
    words = {w.casefold() for text in rule.removes for w in WORD.findall(text)}
    scored = sorted((-len(words & text_words), len(text), text) for text, text_words in pool)
    if not verify:
        return [text for *_rest, text in scored[: options.max_keeps]]
    from cleaner.rules.examples import run_example
    from cleaner.rules.load import Example

    pattern = compiled(rule)
    out: list[str] = []
    for *_rest, text in scored[:200]:  # most alike first; an edge text holding the rule's own text fails
        if run_example(pattern, Example(text), False, SAFETY_TIMEOUT) is None:
            out.append(text)
            if len(out) >= options.max_keeps:
                break
    return out


def _toml_string(value: str) -> str:
    """A TOML literal string when possible (patterns stay readable), else an escaped basic string."""
    if "'" not in value and not any(ord(c) < 32 or ord(c) == 127 for c in value):
        return f"'{value}'"
    escaped = []
    for char in value:
        if char in ('"', "\\"):
            escaped.append("\\" + char)
        elif ord(char) < 32 or ord(char) == 127:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _toml_list(values: list[str]) -> str:
    if not values:
        return "[]"
    return "[\n" + "".join(f"    {_toml_string(v)},\n" for v in values) + "]"


def render_file(site: str, docs: int, rules: list[LearnedRule], existing_text: str | None = None) -> str:
    """The rule file for a site: the existing file's text (a later rules directory replaces it) plus learned rules."""
    lines: list[str] = []
    if existing_text is not None:
        lines.append(existing_text.rstrip("\n"))
        lines.append("")
        lines.append(f"# Learned by `newsclean learn` from {docs} documents of {site}; review before committing.")
    else:
        lines.append(f"# Learned by `newsclean learn` from {docs} documents of {site}; review before committing.")
        lines.append("[site]")
        lines.append(f"domains = [{_toml_string(site)}, {_toml_string('*.' + site)}]")
    for rule in rules:
        lines += [
            "",
            "[[rule]]",
            f"id = {_toml_string(rule.id)}",
            f"kind = {_toml_string(rule.kind)}",
            f"origin = {_toml_string('learned')}",
            f"pattern = {_toml_string(rule.pattern)}",
            f"reason = {_toml_string(rule.reason)}",
            f"removes = {_toml_list(rule.removes)}",
            f"keeps = {_toml_list(rule.keeps)}",
        ]
    return "\n".join(lines) + "\n"
