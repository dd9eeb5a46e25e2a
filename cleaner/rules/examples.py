"""`removes` / `keeps` examples: each rule carries its own tests (`newsclean rules test`, and the test suite).

A rule runs alone on the normalized example, without `max_fraction` (an example is usually all boilerplate). The
example is segmented like a document (paragraphs, then units: the sentences of its only or of a long paragraph), so
a flattened example, several sentences on one line, is seen as the rules see a flattened document.
- `removes = ["..."]`: the rule removes the whole example.
- `removes = [{ text = "...", cleaned = "..." }]`: the rule turns `text` into exactly `cleaned` (for context).
- `keeps = ["..."]`: the rule removes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from cleaner.apply import delete_spans
from cleaner.normalize import normalize
from cleaner.record import Document
from cleaner.rules.apply import run_rules
from cleaner.rules.load import Example, Rule, RuleFile, RuleSet
from cleaner.rules.view import view_of
from cleaner.segment import paragraphs, unit_breaks, units


@dataclass(frozen=True, slots=True)
class ExampleFailure:
    """One example that did not do what it says, and why."""

    file: str  # path of the rule file
    rule: str  # qualified id
    which: str  # "removes[0]" / "keeps[2]"
    why: str

    def __str__(self) -> str:
        return f"{self.file}: rule {self.rule}: {self.which} failed: {self.why}"


def _short(text: str, limit: int = 120) -> str:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(text)


def example_document(text: str) -> Document:
    """An example as the pipeline prepares a document: normalized, with its paragraphs and units."""
    source = normalize(text)
    doc = Document(id="example", source=source)
    doc.paragraphs = paragraphs(source)
    doc.units = units(source, doc.paragraphs)
    return doc


def run_example(rule: Rule, example: Example, expect_removal: bool, timeout: float) -> str | None:
    """None when the example passes, else the reason it failed."""
    doc = example_document(example.text)
    source = doc.source
    run_rules(doc, [rule], timeout, enforce_max_fraction=False)
    if doc.warnings:
        return "; ".join(doc.warnings)
    cleaned = delete_spans(source, sorted((r.start, r.end) for r in doc.removals))
    removed = [r.text for r in doc.removals]
    if not expect_removal:
        return None if not removed else f"expected nothing removed, but it removed {_short(''.join(removed))}"
    if not source:
        return "the example is empty"
    expected = "" if example.cleaned is None else normalize(example.cleaned)
    if cleaned == expected:
        return None
    if not removed:
        return f"expected a removal, but {_what_matched(rule, doc, timeout)}"
    if example.cleaned is None:
        return f"expected the whole example removed, but it kept {_short(cleaned)}"
    return f"expected cleaned text {_short(expected)}, got {_short(cleaned)} (it removed {_short(''.join(removed))})"


def _what_matched(rule: Rule, doc: Document, timeout: float) -> str:
    r"""Why a rule removed nothing: the pattern found nothing in the text as rules see it, or what it matched
    instead, which its kind does not remove (a `\s*` carrying a span over the line end, a line matched in part)."""
    view = view_of(doc.source, [], unit_breaks(doc.units, doc.paragraphs)).text
    try:
        found = [m.group() for m in rule.pattern.finditer(view, timeout=timeout) if m.group()]
    except TimeoutError:
        found = []
    if not found:
        lines = " (its units as lines)" if view != doc.source else ""
        return f"the pattern did not match {_short(view)}{lines}"
    shown = ", ".join(_short(text) for text in found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
    across = (
        ' (across a line end: a `\\s*` or a negated class can take the "\\n")' if any("\n" in t for t in found) else ""
    )
    kind = rule.definition
    return f"the pattern matched {shown}{across} instead, and a {kind.name} rule removes {kind.summary}" + (
        f"; the text as rules see it (one unit a line) is {_short(view)}" if view != doc.source else ""
    )


def check_rule_file(rule_file: RuleFile, timeout: float) -> list[ExampleFailure]:
    failures: list[ExampleFailure] = []
    for rule in rule_file.rules:
        for expect_removal, examples, label in ((True, rule.removes, "removes"), (False, rule.keeps, "keeps")):
            for index, example in enumerate(examples):
                why = run_example(rule, example, expect_removal, timeout)
                if why is not None:
                    failures.append(ExampleFailure(str(rule_file.path), rule.qualified_id, f"{label}[{index}]", why))
    return failures


def check_examples(ruleset: RuleSet) -> list[ExampleFailure]:
    """Every failing example of every rule in `ruleset`. A file whose examples passed before, with the same text,
    time budget and code (`RuleFile.checked`, from `cleaner.rules.cache`), is not run again; a file that passes
    now is remembered there. A failing file is never remembered: it fails, with the same message, every time."""
    failures: list[ExampleFailure] = []
    for rule_file in ruleset.files.values():
        if rule_file.checked:
            continue
        found = check_rule_file(rule_file, ruleset.timeout)
        failures.extend(found)
        if not found and rule_file.cache_key is not None:
            from cleaner.rules import cache
            from cleaner.rules.load import cache_entry

            if cache.store(rule_file.cache_key, cache_entry(rule_file)):
                rule_file.checked = True
    return failures
