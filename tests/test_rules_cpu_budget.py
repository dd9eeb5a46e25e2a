"""A rule's time budget is CPU time, as `regex` counts its own timeouts: a paused or loaded process does not use
it up (output must not depend on load), while a pattern that really takes its budget still times out."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cleaner.rules import load_ruleset
from cleaner.rules.kinds import RuleTimeout, cpu_clock, fullmatched_lines
from tests.conftest import SLOW_LINE, slow_rule_dir

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
