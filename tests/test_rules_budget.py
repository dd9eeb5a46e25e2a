"""A rule's time budget is CPU time: a stalled process (paused, loaded) does not time a pattern out, so output does
not depend on load; a pattern that really uses its budget still times out, without a second try."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cleaner.record import Document
from cleaner.rules import apply as rules_apply
from cleaner.rules import apply_rules, load_ruleset
from cleaner.rules.budget import within_budget
from cleaner.segment import paragraphs

BUDGET = 0.05


def _busy(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_a_stalled_run_gets_a_second_try() -> None:
    calls: list[float] = []

    def run(seconds: float) -> str:
        calls.append(seconds)
        if len(calls) == 1:
            time.sleep(seconds)  # the wall time passes, the CPU time does not: a stall
            raise TimeoutError
        return "matched"

    assert within_budget(run, BUDGET) == "matched"
    assert calls[0] == BUDGET and calls[1] > BUDGET


def test_a_run_that_used_its_cpu_budget_times_out_at_once() -> None:
    calls: list[float] = []

    def run(seconds: float) -> str:
        calls.append(seconds)
        _busy(seconds)
        raise TimeoutError

    with pytest.raises(TimeoutError):
        within_budget(run, BUDGET)
    assert len(calls) == 1


def test_a_second_try_that_needs_more_cpu_than_the_budget_still_times_out() -> None:
    calls: list[float] = []

    def run(seconds: float) -> str:
        calls.append(seconds)
        if len(calls) == 1:
            time.sleep(seconds)
            raise TimeoutError
        _busy(2 * BUDGET)  # within the longer wall time, over the CPU budget: as slow as on a quiet machine
        return "matched"

    with pytest.raises(TimeoutError):
        within_budget(run, BUDGET)


def test_a_line_rule_stalled_once_still_removes_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "_x.toml").write_text('[[rule]]\nid = "x"\nkind = "line"\npattern = \'Share this\'\nreason = "r"\n')
    ruleset = load_ruleset([tmp_path], timeout=BUDGET)
    original = rules_apply._fullmatched_lines
    stalls = [1]

    def stalled_once(rule, source, lines, deadline):  # type: ignore[no-untyped-def]
        if stalls:
            stalls.pop()
            time.sleep(max(0.0, deadline - time.monotonic()))
            raise rules_apply.RuleTimeout
        return original(rule, source, lines, deadline)

    monkeypatch.setattr(rules_apply, "_fullmatched_lines", stalled_once)
    source = "Body text here.\nShare this\n"
    doc = Document(id="d", source=source, url=None, meta={}, origin=None)
    doc.paragraphs = paragraphs(source)
    apply_rules(doc, ruleset)
    assert not stalls  # the stall happened
    assert [r.text for r in doc.removals] == ["Share this\n"] and not doc.warnings
