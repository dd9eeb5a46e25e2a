"""The registry of rule kinds (cleaner/rules/kinds.py): a new kind is one definition and one registration, and
an unknown kind is a load error that names the file and rule and lists the kinds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import regex

from cleaner.normalize import normalize
from cleaner.record import Document, Span
from cleaner.rules import KINDS, Kind, RuleError, apply_rules, check_examples, load_rule_file, load_ruleset, register
from cleaner.rules.kinds import finditer, line_end, line_start


def _last_line(pattern: regex.Pattern[str], view: str, deadline: float) -> list[Span]:
    """A toy kind: the document's last line, when a match touches it."""
    last = line_start(view, len(view) - 1)
    hits = [m for m in finditer(pattern, view, deadline) if m.end() > last and m.end() > m.start()]
    return [(last, line_end(view, last) + 1)] if hits else []


@pytest.fixture
def toy_kind() -> Iterator[Kind]:
    kind = register(Kind("last-line", _last_line, summary="the last line, when a match touches it"))
    yield kind
    del KINDS[kind.name]  # the registration ends with the test


def test_a_toy_kind_is_one_definition_and_one_registration(tmp_path: Path, toy_kind: Kind) -> None:
    (tmp_path / "_toy.toml").write_text(
        "[[rule]]\n"
        'id = "sign-off"\n'
        'kind = "last-line"\n'
        "pattern = 'Reporting by'\n"
        'reason = "agency sign-off"\n'
        'removes = [{ text = "Body text.\\nReporting by Jane Doe", cleaned = "Body text." }]\n'
        'keeps = ["Reporting by Jane Doe\\nBody text."]\n'
    )
    ruleset = load_ruleset([tmp_path])
    assert check_examples(ruleset) == []  # its examples run through the same stage
    doc = Document(id="t", source=normalize("Reporting by A. Smith\nMiddle.\nLast line, Reporting by B. Jones\n"))
    apply_rules(doc, ruleset)
    assert [(r.text, r.rule) for r in doc.removals] == [("Last line, Reporting by B. Jones\n", "_toy/sign-off")]
    assert ruleset.files["_toy"].rules[0].sees_context  # a kind sees context unless it says otherwise


def test_an_unknown_kind_names_the_file_and_rule_and_lists_every_kind(tmp_path: Path, toy_kind: Kind) -> None:
    path = tmp_path / "site.toml"
    path.write_text("[[rule]]\nid = 'teasers'\nkind = 'lines'\npattern = 'x'\nreason = 'r'\n")
    with pytest.raises(RuleError) as error:
        load_rule_file(path)
    message = str(error.value)
    assert str(path) in message and "rule 'teasers'" in message
    assert "unknown kind 'lines'; valid kinds are: line, span, block, tail, head, last-line" in message


def test_no_kind_falls_back_to_another() -> None:
    """A rule built in code with a kind nobody registered is refused too (it once ran as `head`)."""
    from cleaner.rules import Rule

    with pytest.raises(RuleError, match="unknown kind 'heads'"):
        Rule(id="x", kind="heads", pattern=regex.compile("x"), reason="r", file="_t")


def test_a_taken_name_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="'line' is registered already"):
        register(Kind("line", _last_line))


def test_only_kinds_that_judge_lines_alone_get_a_line_trigger() -> None:
    assert [name for name, kind in KINDS.items() if kind.line_trigger] == ["line"]
    assert [name for name, kind in KINDS.items() if not kind.sees_context] == ["line"]
