"""Consecutive line rules run as one combined scan; the rule stage must place exactly what running the rules one
by one places."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.normalize import normalize
from cleaner.rules import apply as rules_apply
from cleaner.rules import bundled_rules_dir, load_ruleset
from tests.conftest import SEEDS

RULESET = load_ruleset([bundled_rules_dir()])
RULES = [rule for rule_file in RULESET.global_files for rule in rule_file.rules]
EXAMPLE_LINES = sorted({example.text for rule in RULES for example in [*rule.removes, *rule.keeps]})
SEED_LINES = [line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text(encoding="utf-8").splitlines()]


def placed(view: str) -> list[tuple[tuple[int, int], str]]:
    return [(span, rule.qualified_id) for span, rule in rules_apply._one_pass(view, RULES, 1.0, True, {}, {})]


def test_the_default_rules_do_combine() -> None:
    groups = [g for g in rules_apply._groups(RULES, enforce_max_fraction=True) if len(g) > 1]
    assert groups and sum(len(g) for g in groups) >= 5


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(EXAMPLE_LINES + SEED_LINES), min_size=1, max_size=30))
def test_combined_scan_places_what_rules_one_by_one_place(lines: list[str]) -> None:
    view = normalize("\n".join(lines))
    combined = placed(view)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rules_apply, "_combined_line_spans", lambda group, view, timeout: None)
        assert combined == placed(view)
