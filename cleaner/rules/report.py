"""What `newsclean rules check` and `rules test` report: every problem in every file, not just the first.

They run exactly the checks that loading the rules for `clean` runs (`load.chosen_rule_files`, `load_rule_file`,
then every `removes`/`keeps` example, as `Cleaner` does), on the files that would be in force: a file that a
later directory overrides is not loaded by `clean`, so it is not checked here either. Where `clean` stops at the
first problem, these collect them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cleaner.rules.examples import ExampleFailure, check_rule_file
from cleaner.rules.load import DEFAULT_TIMEOUT, RuleError, RuleFile, check_timeout, chosen_rule_files, load_rule_file


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

    @property
    def problems(self) -> list[str]:
        return self.errors + [str(failure) for failure in self.failures]


def check_dirs(
    dirs: Sequence[str | Path], timeout: float = DEFAULT_TIMEOUT, *, option: str = "--timeout"
) -> RulesReport:
    """Load the rule files in force from `dirs` and run their examples, collecting every problem."""
    timeout = check_timeout(timeout, option)
    report = RulesReport()
    chosen: dict[str, Path] = {}
    for directory in dirs:
        try:
            chosen.update(chosen_rule_files([directory]))
        except RuleError as error:
            report.errors.append(str(error))
    for name in sorted(chosen):
        try:
            report.files.append(load_rule_file(chosen[name]))
        except RuleError as error:
            report.errors.append(str(error))
    for rule_file in report.files:
        report.examples += sum(len(rule.removes) + len(rule.keeps) for rule in rule_file.rules)
        report.failures.extend(check_rule_file(rule_file, timeout))
    return report


test_dirs = check_dirs  # `rules test` runs the same checks; it differs only in what it prints
