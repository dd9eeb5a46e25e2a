"""Site rule files: `rules/*.toml` loaded, validated and applied as the rule stage of the pipeline.

`load.py` turns TOML into compiled rules, `kinds.py` is the registry of rule kinds (how each finds its spans),
`match.py` picks the site of a document, `apply.py` marks removals, `examples.py` runs each rule's
`removes`/`keeps` examples, `prefilter.py` skips rules that cannot match, `report.py` backs `rules check|test`.
"""

from __future__ import annotations

from cleaner.rules.apply import apply_rules, find_spans, run_rules
from cleaner.rules.examples import ExampleFailure, check_examples, check_rule_file
from cleaner.rules.kinds import KINDS, Kind, register
from cleaner.rules.load import (
    DEFAULT_TIMEOUT,
    RULE_KEYS,
    Rule,
    RuleError,
    RuleFile,
    RuleSet,
    bundled_rules_dir,
    check_timeout,
    load_rule_file,
    load_ruleset,
    resolve_rule_dirs,
    rule_files_in,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "KINDS",
    "RULE_KEYS",
    "ExampleFailure",
    "Kind",
    "Rule",
    "RuleError",
    "RuleFile",
    "RuleSet",
    "apply_rules",
    "bundled_rules_dir",
    "check_examples",
    "check_rule_file",
    "check_timeout",
    "find_spans",
    "load_rule_file",
    "load_ruleset",
    "register",
    "resolve_rule_dirs",
    "rule_files_in",
    "run_rules",
]
