"""The Stage interface, the default list of stages, and the settle loop that runs them to a fixpoint.

A stage marks spans on a batch of prepared documents (dolma's tag-then-remove): it appends `Removal`s and never
deletes. `settle` runs every stage once on every document, then runs a stage again on the documents that another
stage has changed since it last looked, until no stage finds anything new: removing a repeated block can expose
boilerplate to a rule (a sidebar that is now the page's tail) and a rule removal can make a repeat adjacent to its
source, and cleaning the cleaned text must change nothing.

Adding a stage: write a module with a class that has a `name` and a `mark(docs, again)` method, and add one line to
`default_stages`. Nothing else names stages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from cleaner.record import Document

if TYPE_CHECKING:
    from cleaner.neardup import NearDupOptions
    from cleaner.rules.load import RuleSet
    from cleaner.stutter import TitleOptions

# Rounds after the first; each round removes something, and the cap only bounds the time a pathological rule set
# can take (as `rules.apply.MAX_PASSES` does inside the rule stage).
MAX_SETTLE_ROUNDS = 16


@runtime_checkable
class Stage(Protocol):
    """One stage of the data flow: marks spans on documents, deletes nothing."""

    name: str

    def mark(self, docs: Sequence[Document], again: bool) -> None:
        """Append this stage's removals (and warnings) to each of `docs`.

        `again` is True when the stage has seen these documents before and other stages have since cut them: a
        stage may then look only at what can have changed (a rule that judges each line alone cannot match anew).
        """
        ...


class RuleStage:
    """Site and `_default` rule files (cleaner.rules)."""

    name = "rule"  # the `stage` of its removals (learned rules' removals say "learned")

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset

    def mark(self, docs: Sequence[Document], again: bool) -> None:
        from cleaner.rules import apply_rules

        for doc in docs:
            apply_rules(doc, self.ruleset, again=again)


class NearDupStage:
    """Repeated blocks of units inside a document (cleaner.neardup)."""

    name = "neardup"

    def __init__(self, options: NearDupOptions) -> None:
        self.options = options

    def mark(self, docs: Sequence[Document], again: bool) -> None:
        from cleaner.neardup import mark_near_duplicates

        mark_near_duplicates(docs, self.options)


class StutterStage:
    """Short units copied right after themselves, and the headline or title repeated at the start
    (cleaner.stutter)."""

    name = "stutter"

    def __init__(self, options: TitleOptions) -> None:
        self.options = options

    def mark(self, docs: Sequence[Document], again: bool) -> None:
        from cleaner.stutter import mark_stutters

        mark_stutters(docs, self.options)


def default_stages(ruleset: RuleSet | None, neardup: NearDupOptions, title: TitleOptions) -> list[Stage]:
    """The stages of `Cleaner`, in the order of the data flow: rules, near-duplicates, stutters."""
    stages: list[Stage] = []
    if ruleset is not None:
        stages.append(RuleStage(ruleset))
    stages.append(NearDupStage(neardup))
    # After near-duplicates: it then looks once at what they left, and only the few documents it cuts go back to
    # the others (before them, every document they cut came back to it).
    stages.append(StutterStage(title))
    return stages


def settle(stages: Sequence[Stage], docs: Sequence[Document]) -> None:
    """Run `stages` in order on `docs`, then again on what others changed, until nothing new is found.

    A stage is its own fixpoint (it loops inside until it finds nothing more), so a document goes back to a stage
    only when a removal was added after that stage last ran on it.
    """
    seen: list[list[int]] = [[len(doc.removals) for doc in docs] for _ in stages]
    for index, stage in enumerate(stages):
        stage.mark(docs, again=False)
        seen[index] = [len(doc.removals) for doc in docs]
    for _ in range(MAX_SETTLE_ROUNDS):
        progressed = False
        for index, stage in enumerate(stages):
            counts = seen[index]
            pending = [k for k, doc in enumerate(docs) if len(doc.removals) > counts[k]]
            if not pending:
                continue
            stage.mark([docs[k] for k in pending], again=True)
            for k in pending:
                if len(docs[k].removals) > counts[k]:
                    progressed = True
                counts[k] = len(docs[k].removals)
        if not progressed:
            return
