"""Edge rules: the site's mined trailer and header families (`cleaner.corpus.mining`) as learned rules, each
checked against every document's edge before it is written, with `keeps` that pass as `rules test` runs them."""

from __future__ import annotations

from cleaner.corpus import mining
from cleaner.corpus.learned import SAFETY_TIMEOUT, WORD, LearnedRule, LearnOptions, compiled, keeps, slug
from cleaner.corpus.masking import has_literal_words, mask
from cleaner.corpus.mining import Edges


def not_redundant(edge_rules: list[LearnedRule], unit_rules: list[LearnedRule]) -> list[LearnedRule]:
    """Edge rules whose text a unit rule does not remove everywhere already (one rule per text; a `span` edge rule
    stays, as it also finds its text glued to the word before), and separator rules only where a span rule on
    their side is left."""
    removed = set().union(*(rule.masks for rule in unit_rules)) if unit_rules else set()
    # A unit rule starts only at a unit or sentence start: an edge `span` rule also takes the text glued on.
    kept = [r for r in edge_rules if not r.masks or r.kind == "span" or not r.masks <= removed]
    sides = {r.side for r in kept if r.masks and r.kind == "span"}
    return [r for r in kept if r.masks or r.side in sides]


def edge_rules(
    site: str,
    docs: int,
    edges: dict[int, Edges],
    need: int,
    options: LearnOptions,
    unit_recurring: set[str],
    single: list[str],
) -> tuple[list[LearnedRule], dict[str, set[int]], list[str]]:
    """Rules for the recurring ends and starts of the site's documents (`cleaner.corpus.mining`), each checked
    against every document's edge; the masked texts they remove, with the documents they remove them from (so
    the unit learner need not write the same text again); why families were not written."""
    rules: list[LearnedRule] = []
    covered: dict[str, set[int]] = {}
    dropped: list[str] = []
    for tail in (True, False):
        windows = {d: (e.tail, e.tail_whole) if tail else (e.head, e.head_whole) for d, e in edges.items()}
        families, recurring = mining.mine(windows, need, tail)
        spans_mid_line = False
        for family in families:
            kind, pattern = mining.family_pattern(family, tail)
            members = {m.doc for m in family.members}
            rule = LearnedRule(
                slug(mining.top_piece(family)), kind, pattern,
                f"learned by newsclean learn: {'ends' if tail else 'starts'} {len(members)} of {docs} documents "
                f"({len(members) / docs:.0%}) of {site}{mining.describe(family)}",
                len(members), mining.examples(family, options.max_examples),
            )  # fmt: skip
            why, hit_docs = _edge_safety(rule, windows, members, recurring)
            if why is not None:
                dropped.append(f"{rule.id}: {why}")
                continue
            known = (recurring, unit_recurring)
            rule.keeps = keeps(rule, _edge_pool(windows, hit_docs | members, known, options), options, True)
            if not rule.keeps:  # every document is a member: keep the text next to the trailer (or header)
                rule.keeps = keeps(rule, _edge_pool(windows, hit_docs, known, options), options, True)
            if not rule.keeps:  # every edge holds it glued to article text: the site's one-document units
                pool = [(text, {w.casefold() for w in WORD.findall(text)}) for text in single
                        if len(text) <= options.max_keep_chars]  # fmt: skip
                rule.keeps = keeps(rule, pool, options, True)
            if not rule.keeps and rule.removes:  # no article text alone anywhere: show that position counts
                example = rule.removes[0]
                moved = f"{example} The story goes on here." if tail else f"The story starts here. {example}"
                rule.keeps = keeps(rule, [(moved, set())], options, True)
            rule.masks = {mask(member.piece) for member in family.members}
            rule.side = "tail" if tail else "head"
            rules.append(rule)
            spans_mid_line = spans_mid_line or kind == "span"
            for member in family.members:
                covered.setdefault(mask(member.piece), set()).add(member.doc)
        if spans_mid_line:  # a span rule can leave the separator before its text alone on a line of its own
            kind, pattern = mining.SEPARATOR_TAIL if tail else mining.SEPARATOR_HEAD
            where = "end" if tail else "start"
            rules.append(LearnedRule(
                f"learned-separator-at-{where}", kind, pattern,
                f"learned by newsclean learn: a separator left at the document's {where} once the learned "
                f"{'trailers after' if tail else 'headers before'} it are removed",
                0, ["-", "|"], ["He said - and then left."], side="tail" if tail else "head",
            ))  # fmt: skip
    return rules, covered, dropped


def _edge_pool(
    windows: dict[int, tuple[str, bool]], skip: set[int], known: tuple[set[str], set[str]], options: LearnOptions
) -> list[tuple[str, set[str]]]:
    """Candidate `keeps` for an edge rule: the lines of the documents' edges that are not recurring text, from
    documents the rule does not touch (a rule anchored at the edge leaves them alone standing by themselves)."""
    seen: set[str] = set()
    pool = []
    for doc, (window, _whole) in sorted(windows.items()):
        if doc in skip:
            continue
        for line in window.split("\n"):
            if line in seen or len(line) > options.max_keep_chars or not has_literal_words(line):
                continue
            seen.add(line)
            key = mask(line)
            if "e\x00" + key not in known[0] and key not in known[1]:
                pool.append((line, {w.casefold() for w in WORD.findall(line)}))
    return pool


def _edge_safety(
    rule: LearnedRule, windows: dict[int, tuple[str, bool]], members: set[int], recurring: set[str]
) -> tuple[str | None, set[int]]:
    """Why an edge rule may not be written (None: it may), and the documents outside its family it matches: a
    match there must be text that recurs in the site's edges, never text of one document."""
    from cleaner.rules.apply import RuleTimeout, find_spans

    pattern = compiled(rule)
    hit_docs: set[int] = set()
    for doc, (window, _whole) in sorted(windows.items()):
        text = window + "\n"
        try:
            hits = find_spans(pattern, text, SAFETY_TIMEOUT)
        except RuleTimeout:
            return "pattern too slow to check against the site's documents", hit_docs
        if not hits or doc in members:
            continue
        hit_docs.add(doc)
        for start, end in hits:
            piece = text[start:end].strip(" \n" + mining.SEPARATORS)
            if piece and "e\x00" + mask(piece) not in recurring:
                return f"would also remove single-document text {piece[:80]!r}", hit_docs
    return None, hit_docs
