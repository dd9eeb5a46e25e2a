"""A rule's time budget is CPU time, as `regex` counts its own timeouts: a paused or loaded process does not use
it up (output must not depend on load), while a pattern that really takes its budget still times out."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cleaner.record import Document
from cleaner.rules import load_ruleset
from cleaner.rules.kinds import RuleTimeout, cpu_clock, fullmatched_lines
from tests.helpers import SLOW_LINE, slow_rule_dir

BUDGET = 0.05


def _ruleset(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "_x.toml").write_text('[[rule]]\nid = "x"\nkind = "line"\npattern = \'Share this\'\nreason = "r"\n')
    return load_ruleset([tmp_path], timeout=BUDGET)


def test_a_stall_between_lines_does_not_use_up_a_line_rules_budget(tmp_path: Path) -> None:
    """The lines of one document share one deadline; time the process spends stopped (here: asleep) between them
    is not the pattern's. On a wall clock this run would time out at the second line."""
    rule = _ruleset(tmp_path).files["_x"].rules[0]
    source = "Share this\nBody text.\nShare this\n"

    def stalled_lines() -> Iterator[tuple[int, int]]:
        for span in [(0, 10), (11, 21), (22, 32)]:
            yield span
            time.sleep(2 * BUDGET)

    assert fullmatched_lines(rule.pattern, source, stalled_lines(), cpu_clock() + BUDGET) == [(0, 11), (22, 33)]


def test_a_pattern_that_takes_its_budget_of_cpu_still_times_out(tmp_path: Path) -> None:
    rule = load_ruleset([slow_rule_dir(tmp_path)], timeout=BUDGET).files["_slow"].rules[0]
    with pytest.raises(RuleTimeout):
        fullmatched_lines(rule.pattern, SLOW_LINE + "\n", [(0, len(SLOW_LINE))], cpu_clock() + BUDGET)


def _slow_and_repeating(directory: Path) -> Path:
    """`\\w+\\d` takes ~0.15 s a look at 4,500 letters (it backtracks from every letter); `\\(\\)` removes one
    pair of nested brackets a pass, so the rules look again and again (up to MAX_PASSES)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "_slow.toml").write_text(
        '[[rule]]\nid = "slow"\nkind = "span"\npattern = \'\\w+\\d\'\nreason = "backtracks"\n\n'
        '[[rule]]\nid = "pair"\nkind = "span"\npattern = \'\\(\\)\'\nreason = "a pair"\n'
    )
    return directory


def test_the_budget_is_per_pattern_per_document_over_every_pass(tmp_path: Path) -> None:
    """Ten documents of 4,500 letters: with a fresh budget each pass, this took 22 CPU s (16 passes x 0.15 s a
    document) and warned of nothing; now each pattern has 0.25 s per document in all, and the ledger says so."""
    from cleaner.pipeline import Cleaner

    cleaner = Cleaner(rules=[_slow_and_repeating(tmp_path / "r")])
    texts = ["Body text " + "(" * 40 + ")" * 40 + " " + "a" * 4500 + " end.\n" for _ in range(10)]
    started = time.process_time()
    docs = list(cleaner.clean_many(texts))
    assert time.process_time() - started < 10  # a liveness bound: the budget, not the speed, decides it
    for doc in docs:
        assert isinstance(doc, Document)
        assert doc.ledger_entry()["warnings"] == [
            "rule _slow/slow: pattern timed out after 0.25s; skipped for this document"
        ]
        assert doc.rule_time["_slow/slow"] < 0.25 + 0.1  # the budget, and at most the overshoot of one call
        assert len(doc.removals) > 1  # the other rule went on with its passes


def test_the_budget_carries_over_to_a_later_look_at_the_same_document(tmp_path: Path) -> None:
    """One look at 1,500 letters costs ~0.02 s, a tenth of the budget even on a loaded machine; the looks of the
    settle rounds add up until the budget is spent, and then the pattern is not run at all."""
    from cleaner.rules.apply import run_rules

    ruleset = load_ruleset([_slow_and_repeating(tmp_path / "r")], timeout=0.25)
    slow = ruleset.files["_slow"].rules[0]
    doc = Document(id="t", source="a" * 1500 + "\n")
    run_rules(doc, [slow], ruleset.timeout)
    spent = doc.rule_time["_slow/slow"]
    assert spent > 0 and doc.warnings == []  # one look: within its budget
    looks = 1
    while not doc.warnings and looks < 200:  # a settle round looks again, on the same budget
        run_rules(doc, [slow], ruleset.timeout)
        looks += 1
    assert looks > 1 and doc.rule_time["_slow/slow"] >= 0.25
    assert doc.warnings == ["rule _slow/slow: pattern timed out after 0.25s; skipped for this document"]
    before = doc.rule_time["_slow/slow"]
    run_rules(doc, [slow], ruleset.timeout)  # spent: not run at all
    assert doc.rule_time["_slow/slow"] == before
