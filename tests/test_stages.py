"""The Stage interface: a stage defined here, registered with one line, runs in the settle loop like the built-in
ones (its removals are applied, explained in the ledger, and it looks again after other stages cut)."""

from __future__ import annotations

from collections.abc import Sequence

from cleaner import Cleaner
from cleaner.record import Document, Removal
from cleaner.stages import Stage, settle
from tests.helpers import assert_invariants


class ShoutingStage:
    """A toy stage: removes lines written all in capitals (and counts how often it was asked to look)."""

    name = "shouting"

    def __init__(self) -> None:
        self.calls: list[tuple[int, bool]] = []

    def mark(self, docs: Sequence[Document], again: bool) -> None:
        self.calls.append((len(docs), again))
        for doc in docs:
            taken = [(r.start, r.end) for r in doc.removals]
            for start, end in doc.paragraphs:
                line = doc.source[start:end]
                free = not any(a < end + 1 and b > start for a, b in taken)
                if free and line.isupper() and len(line) > 3:
                    doc.removals.append(Removal(start, end + 1, line + "\n", stage=self.name, reason="all capitals"))


def test_a_toy_stage_needs_one_definition_and_one_registration() -> None:
    cleaner = Cleaner(rules=[])
    toy = ShoutingStage()
    assert isinstance(toy, Stage)
    cleaner.stages.append(toy)  # the one registration
    result = cleaner.clean("A headline\nBUY NOW BUY NOW\nThe body of the story.\n")
    assert result.text == "A headline\nThe body of the story.\n"
    assert [(r.stage, r.reason) for r in result.removals] == [("shouting", "all capitals")]
    assert_invariants(result, cleaner)


def test_settle_runs_a_stage_again_only_on_documents_others_changed() -> None:
    first, second = ShoutingStage(), ShoutingStage()

    class DropFirstLine:
        name = "drop-first"

        def mark(self, docs: Sequence[Document], again: bool) -> None:
            for doc in docs:
                if not again and not doc.removals:
                    start, end = doc.paragraphs[0]
                    doc.removals.append(Removal(start, end + 1, doc.source[start : end + 1], self.name, "first"))

    docs = [Document(id=str(k), source=text) for k, text in enumerate(["One\nTwo\n", "Three\nFour\n"])]
    for doc in docs:
        doc.paragraphs = [(0, 3), (4, 7)] if doc.id == "0" else [(0, 5), (6, 10)]
    settle([first, DropFirstLine(), second], docs)
    # Round one: every stage sees both documents. Then only the stage before the one that cut looks again.
    assert first.calls == [(2, False), (2, True)]
    assert second.calls == [(2, False)]
