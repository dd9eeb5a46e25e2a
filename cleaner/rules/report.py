"""What `newsclean rules check` and `rules test` report: every problem in every file, not just the first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cleaner.rules.examples import ExampleFailure, check_rule_file
from cleaner.rules.load import DEFAULT_TIMEOUT, RuleError, RuleFile, check_timeout, load_rule_file, rule_files_in


@dataclass(slots=True)
class RulesReport:
    files: list[RuleFile] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failures: list[ExampleFailure] = field(default_factory=list)
    examples: int = 0

    @property
    def rules(self) -> int:
        return sum(len(f.rules) for f in self.files)

    def summary(self) -> str:
        text = f"{len(self.files)} rule files, {self.rules} rules"
        if self.examples:
            text += f", {self.examples} examples ({len(self.failures)} failed)"
        return text


def check_dirs(dirs: Sequence[str | Path]) -> RulesReport:
    """Load every rule file of every directory (also those a later directory overrides), collecting errors."""
    report = RulesReport()
    for directory in dirs:
        try:
            paths = rule_files_in(directory)
        except RuleError as error:
            report.errors.append(str(error))
            continue
        if not paths:
            report.errors.append(f"{directory}: no rule files (*.toml) here; is this the rules directory?")
        for path in paths:
            try:
                report.files.append(load_rule_file(path))
            except RuleError as error:
                report.errors.append(str(error))
    return report


def test_dirs(dirs: Sequence[str | Path], timeout: float = DEFAULT_TIMEOUT) -> RulesReport:
    """`check_dirs`, then run the `removes`/`keeps` examples of every rule that loaded."""
    timeout = check_timeout(timeout, "--timeout")
    report = check_dirs(dirs)
    for rule_file in report.files:
        report.examples += sum(len(rule.removes) + len(rule.keeps) for rule in rule_file.rules)
        report.failures.extend(check_rule_file(rule_file, timeout))
    return report
