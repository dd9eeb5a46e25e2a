"""Learn each site's boilerplate from a corpus and write it as reviewable rule files.

Per document (mapped over partitions by an engine): normalize, find the site, cut the text into units (each
line, and the sentences of lines that have several: flattened corpora have no line breaks left, and a boilerplate
sentence is often glued to a paragraph), drop units the existing rules already remove, and mask each unit
(`cleaner.corpus.masking`). On the driver, per site: a unit is boilerplate when its masked key occurs in at least
`min_docs` documents and `min_share` of the site's documents; near-variants are grouped first with MinHash LSH
over the keys' signatures (`cleaner.minhash`), verified with exact Jaccard.

The safety rule: a learned rule never removes text that occurs in only one document of the site. Every rule is
run over all of the site's single-document units before it is written and dropped if it removes anything there
that does not itself recur; the units it leaves alone supply its `keeps` examples. Files are then loaded and
example-tested with `cleaner.rules`, so what is written passes `newsclean rules check` and `rules test`.
"""

from __future__ import annotations

import functools
import itertools
import math
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import regex
import xxhash

from cleaner import minhash
from cleaner.corpus.learned import (
    SAFETY_TIMEOUT,
    WORD,
    LearnedRule,
    LearnOptions,
    compiled,
    keeps,
    render_file,
    slug,
)
from cleaner.corpus.masking import has_literal_words, mask, template
from cleaner.corpus.mining import Edges, edges_of, ends_at_abbreviation
from cleaner.corpus.unionfind import UnionFind
from cleaner.errors import ConfigError
from cleaner.io.base import InputDoc, ReadItem
from cleaner.normalize import normalize
from cleaner.record import Document, Origin, Reject
from cleaner.segment import paragraphs, sentences, unit_breaks
from cleaner.segment import units as unit_spans

# A sentence rule removes a span at a sentence boundary: after the line start or after a sentence end and a space,
# and up to the line end or (when the sentence itself ends with punctuation) a space.
# (\x27 is the apostrophe, written so that patterns stay TOML literal strings.)
_SENTENCE_START = r'(?:(?<![^\n])|(?<=[.!?…]["\x27\p{Pf}\p{Pe}]? ))'
_SENTENCE_END = r'(?=\n|\Z|(?<=[.!?…]["\x27\p{Pf}\p{Pe}]?) )'
# A sentence unit needs this many words: sentence splitting also cuts after abbreviations ("Mr.", "Aug.", "U.S."),
# and such a fragment recurs in many articles without being boilerplate.
_MIN_SENTENCE_WORDS = 2


# What a worker returns per document: (site, [(unit text, masked key, is_sentence)], its edges) or a reject reason.
DocUnits = tuple[str | None, list[tuple[str, str, bool]], Edges | None]
Payload = tuple[str | None, str | bytes | None, str | None]


def units_partition(payloads: list[Payload], rule_dirs: tuple[str, ...], options: LearnOptions) -> list[DocUnits | str]:
    """Units of each document of a partition; a pure function of its inputs, run the same on any engine."""
    from cleaner.corpus.sites import ruleset_for, site_of

    ruleset = ruleset_for(rule_dirs)
    out: list[DocUnits | str] = []
    for text, html, url in payloads:
        if text is None and html is not None:
            from cleaner.extract import extract

            extracted = extract(html, url)
            if extracted.text is None:
                out.append(f"no article text extracted: {extracted.reason}")
                continue
            text = extracted.text
        source = normalize(text) if isinstance(text, str) else ""
        if not source:
            out.append("empty text (nothing left after normalization)")
            continue
        site = site_of(url, source, ruleset)
        if site is None:
            out.append((None, [], None))
            continue
        # Segmented as `clean` segments it, so that rules are learned on the units they will see.
        doc = Document(id="learn", source=source, url=url)
        doc.paragraphs = paragraphs(source)
        doc.units = unit_spans(source, doc.paragraphs)
        taken: list[tuple[int, int]] = []
        if ruleset is not None:
            from cleaner.rules import apply_rules

            apply_rules(doc, ruleset)
            taken = [(r.start, r.end) for r in doc.removals]
        from cleaner.rules.view import view_of

        edges = edges_of(view_of(source, doc.removals, unit_breaks(doc.units, doc.paragraphs)).text)
        units: dict[str, tuple[str, str, bool]] = {}
        for span in doc.paragraphs:
            parts = sentences(source, span)
            pieces = [(span, False)] + ([(part, True) for part in parts] if len(parts) > 1 else [])
            for index, ((start, end), is_sentence) in enumerate(pieces):
                if end - start > options.max_unit_chars or any(s < end and start < e for s, e in taken):
                    continue
                unit = source[start:end]
                if is_sentence and len(WORD.findall(unit)) < _MIN_SENTENCE_WORDS:
                    continue
                if is_sentence and index + 1 < len(pieces) and ends_at_abbreviation(unit):
                    continue  # "The U.S." cut from "The U.S. Senate ...": a fragment, not boilerplate
                key = mask(unit)
                if key and key not in units:
                    units[key] = (unit, key, is_sentence)
        out.append((site, list(units.values()), edges))
    return out


@dataclass(slots=True)
class _Key:
    docs: list[int] = field(default_factory=list)
    texts: Counter[str] = field(default_factory=Counter)
    sentence: bool = False


def _digest(text: str) -> int:
    return xxhash.xxh64_intdigest(text.encode("utf-8", "surrogatepass"))


@dataclass(slots=True)
class _Site:
    docs: int = 0  # pages: documents that share a URL or a text count once (set by `_count_pages`)
    keys: dict[str, _Key] = field(default_factory=dict)
    members: list[int] = field(default_factory=list)  # its documents' indices
    first_with: dict[int, int] = field(default_factory=dict)  # hash of a URL or text -> first document with it
    edges: dict[int, Edges] = field(default_factory=dict)  # document (page, once counted) -> its edges


def _identities(url: str | None, units: list[tuple[str, str, bool]]) -> list[int]:
    """What makes two documents one page: the same URL, or the same text (its units as written: pages of one
    template that differ only in their figures are pages of their own)."""
    identities = [_digest("url:" + url)] if url else []
    if units:
        identities.append(_digest("text:" + "\n".join(text for text, _key, _sentence in units)))
    return identities


def _count_pages(sites: dict[str, _Site], same_page: list[tuple[int, int]], documents: int) -> int:
    """Count every page once: a page scraped several times (by URL, or by text under other URLs) would otherwise
    make its article recur in enough "documents" to look like boilerplate. Pages are the connected groups of
    documents sharing a URL or a text, so the count does not depend on input order. Returns the repeats."""
    if not same_page:  # most corpora: every document is a page of its own
        for stats in sites.values():
            stats.docs = len(stats.members)
        return 0
    pages = UnionFind(documents)
    pages.union_pairs(same_page)
    page_of = pages.roots()
    repeats = 0
    for stats in sites.values():
        stats.docs = len(np.unique(page_of[stats.members]))
        edges: dict[int, Edges] = {}
        for doc in sorted(stats.edges):  # a page's edges once: those of its first document
            edges.setdefault(int(page_of[doc]), stats.edges[doc])
        stats.edges = edges
        repeats += len(stats.members) - stats.docs
        for entry in stats.keys.values():
            if len(entry.docs) == 1:
                entry.docs = [int(page_of[entry.docs[0]])]
            else:
                entry.docs = np.unique(page_of[entry.docs]).tolist()
    return repeats


@dataclass(slots=True)
class SiteRules:
    """What was learned for one site, and the rule file text to write for it."""

    site: str
    docs: int
    rules: list[LearnedRule]
    text: str
    dropped: list[str] = field(default_factory=list)  # why candidate rules were not written
    merged_from: Path | None = None  # the existing rule file whose text `text` starts with


@dataclass(slots=True)
class LearnResult:
    sites: list[SiteRules]
    documents: int = 0
    without_site: int = 0
    rejects: list[Reject] = field(default_factory=list)
    repeats: int = 0  # documents whose URL or text an earlier document of their site had: counted once
    notes: list[str] = field(default_factory=list)  # sites not learned, and why


def learn(
    items: Iterable[ReadItem | InputDoc],
    options: LearnOptions,
    rule_dirs: Sequence[str | Path] = (),
    engine: Any = None,
) -> LearnResult:
    """Learn boilerplate rules per site from a stream of documents."""
    from cleaner.corpus.engines import LocalEngine

    engine = engine if engine is not None else LocalEngine(jobs=1)
    dirs = tuple(str(d) for d in rule_dirs)
    rejects: list[Reject] = []
    origins: list[tuple[Origin, str | None, str | None]] = []  # per document: to name rejects, and its URL

    def partitions() -> Iterable[list[Payload]]:
        batch: list[Payload] = []
        for item in items:
            if isinstance(item, Reject):
                rejects.append(item)
                continue
            origins.append((item.origin, item.id, item.url))
            batch.append((item.text, item.html, item.url))
            if len(batch) >= options.partition_docs:
                yield batch
                batch = []
        if batch:
            yield batch

    sites: dict[str, _Site] = {}
    same_page: list[tuple[int, int]] = []  # (earlier, later) documents with the same URL or text
    without_site = 0
    index = 0
    work = functools.partial(units_partition, rule_dirs=dirs, options=options)
    for part in engine.map(work, partitions()):
        for result in part:
            doc_index = index
            index += 1
            origin, doc_id, url = origins[doc_index]
            if isinstance(result, str):
                rejects.append(Reject(origin, result, id=doc_id or origin.default_id(doc_index)))
                continue
            site, units, edges = result
            if site is None:
                without_site += 1
                continue
            stats = sites.setdefault(site, _Site())
            stats.members.append(doc_index)
            if edges is not None:
                stats.edges[doc_index] = edges
            for identity in _identities(url, units):
                earlier = stats.first_with.setdefault(identity, doc_index)
                if earlier != doc_index:
                    same_page.append((earlier, doc_index))
            for text, key, is_sentence in units:
                entry = stats.keys.setdefault(key, _Key())
                entry.docs.append(doc_index)
                entry.texts[text] += 1
                entry.sentence = entry.sentence or is_sentence

    repeats = _count_pages(sites, same_page, index)
    existing = _existing_files(dirs)
    learned = []
    notes = []
    for site in sorted(sites):
        if site.startswith("_"):  # the name of a rule file for every document
            notes.append(f"{site}: not learned: a rule file named after it would apply to every site")
            continue
        site_rules = learn_site(site, sites[site], options, existing.get(site))
        if site_rules is not None:
            learned.append(site_rules)
    return LearnResult(learned, index, without_site, rejects, repeats, notes)


def _existing_files(dirs: tuple[str, ...]) -> dict[str, Path]:
    from cleaner.corpus.sites import ruleset_for

    ruleset = ruleset_for(dirs)
    if ruleset is None:
        return {}
    return {f.name: f.path for f in ruleset.site_files}


def learn_site(site: str, stats: _Site, options: LearnOptions, existing: Path | None = None) -> SiteRules | None:
    """The rules for one site, safety-checked and example-tested, or None when nothing qualifies."""
    if stats.docs < options.min_docs:
        return None
    need = max(options.min_docs, math.ceil(options.min_share * stats.docs), 2)
    recurring = {k for k, v in stats.keys.items() if len(v.docs) >= 2}
    from cleaner.corpus.edges import edge_rules as mine_edges
    from cleaner.corpus.edges import not_redundant

    single = sorted(_top(v.texts) for v in stats.keys.values() if len(v.docs) == 1)
    edge_rules, covered, dropped = mine_edges(site, stats.docs, stats.edges, need, options, recurring, single)
    multi = sorted(k for k, v in stats.keys.items() if len(v.docs) >= 2 and has_literal_words(_top(v.texts)))
    groups = _variant_groups(multi, options) if multi else []
    candidates: list[LearnedRule] = []
    for group in groups:
        docs = len({d for key in group for d in stats.keys[key].docs})
        if docs < need:
            continue
        if all(key in covered and set(stats.keys[key].docs) <= covered[key] for key in group):
            continue  # every occurrence is at a document's edge, where an edge rule removes it already
        candidates.append(_make_rule(site, stats, group, docs, options))
    if not candidates and not edge_rules:
        return None
    existing_text = existing.read_text(encoding="utf-8") if existing is not None else None
    taken_ids = _existing_ids(existing)
    for rule in sorted(candidates + edge_rules, key=lambda r: (-r.docs, r.pattern)):
        rule.id = _unique_id(rule.id, taken_ids)
    safe, unsafe = _safety_check(candidates, single, recurring, options)
    dropped += unsafe
    safe += not_redundant(edge_rules, safe)
    safe.sort(key=lambda r: (-r.docs, r.id))
    safe, failed = _example_check(site, stats.docs, safe, existing_text)
    dropped += failed
    if not safe:
        return None
    text = render_file(site, stats.docs, safe, existing_text)
    return SiteRules(site, stats.docs, safe, text, dropped, existing)


def _top(texts: Counter[str]) -> str:
    """The most frequent original text of a key (ties: alphabetical), so output is stable across runs."""
    return min(texts.items(), key=lambda item: (-item[1], item[0]))[0]


def _variant_groups(keys: list[str], options: LearnOptions) -> list[list[str]]:
    """Keys grouped with their near-variants: LSH candidates on signatures, exact Jaccard, union-find."""
    uf = UnionFind(len(keys))
    if len(keys) >= 2:
        sig, shingles = minhash.text_signatures(keys, options.shingle_size)
        band_threshold = min(max(options.threshold - 0.1, 0.05), 0.95)
        for a, b in minhash.candidate_pairs(sig, band_threshold).tolist():
            if minhash.exact_jaccard(shingles.unique_of(a), shingles.unique_of(b)) >= options.threshold:
                uf.union(a, b)
    roots = uf.roots()
    groups: dict[int, list[str]] = {}
    for i, root in enumerate(roots.tolist()):
        groups.setdefault(root, []).append(keys[i])
    return [groups[root] for root in sorted(groups)]


def _key_pattern(entry: _Key) -> str:
    """The template of a key's most frequent text; case-insensitive when its variants differ in case."""
    text = _top(entry.texts)
    pattern = template(text)
    if any(regex.fullmatch(pattern, t) is None for t in entry.texts):
        pattern = f"(?i:{pattern})"  # masking folds case, so the key's variants may differ in case
    return pattern


def _make_rule(site: str, stats: _Site, group: list[str], docs: int, options: LearnOptions) -> LearnedRule:
    members = sorted(group, key=lambda k: (-len(stats.keys[k].docs), k))
    patterns = sorted({_key_pattern(stats.keys[k]) for k in members})
    body = patterns[0] if len(patterns) == 1 else "(?:" + "|".join(patterns) + ")"
    sentence = any(stats.keys[k].sentence for k in members)
    pattern = f"{_SENTENCE_START}{body}{_SENTENCE_END}" if sentence else body
    removes: list[str] = []
    for key in members:
        for text, _count in sorted(stats.keys[key].texts.items(), key=lambda item: (-item[1], item[0])):
            if len(removes) < options.max_examples and text not in removes:
                removes.append(text)
    share = docs / stats.docs
    variants = f", {len(members)} variants" if len(members) > 1 else ""
    reason = f"learned by newsclean learn: recurs in {docs} of {stats.docs} documents ({share:.0%}) of {site}{variants}"
    return LearnedRule(slug(_top(stats.keys[members[0]].texts)), "span" if sentence else "line", pattern, reason,
                       docs, removes, masks=set(members))  # fmt: skip


def _unique_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _existing_ids(path: Path | None) -> set[str]:
    if path is None:
        return set()
    from cleaner.rules import load_rule_file

    return {rule.id for rule in load_rule_file(path).rules}


def _safety_check(
    rules: list[LearnedRule], single: list[str], multi_keys: set[str], options: LearnOptions
) -> tuple[list[LearnedRule], list[str]]:
    """Drop every rule that would remove text found in only one document of the site; pick its keeps.

    The rule runs over all single-document units at once. A hit is allowed only where the removed text itself
    recurs (its masked key is in `multi_keys`: a recurring sentence inside a longer, unique line); anything else
    drops the rule. Units the rule leaves untouched supply its `keeps` examples.
    """
    import bisect

    from cleaner.rules.apply import RuleTimeout, find_spans

    pool = [  # keep candidates, with their words, computed once per site
        (text, {w.casefold() for w in WORD.findall(text)})
        for text in single
        if len(text) <= options.max_keep_chars and has_literal_words(text)
    ]

    corpus = "".join(text + "\n" for text in single)
    starts = list(itertools.accumulate((len(t) + 1 for t in single[:-1]), initial=0)) if single else []
    safe, dropped = [], []
    for rule in rules:
        try:
            hits = find_spans(compiled(rule), corpus, SAFETY_TIMEOUT) if corpus else []
        except RuleTimeout:
            dropped.append(f"{rule.id}: pattern too slow to check against the site's article text")
            continue
        bad = [(a, b) for a, b in hits if mask(corpus[a:b].strip()) not in multi_keys]
        if bad:
            start, end = bad[0]
            dropped.append(f"{rule.id}: would also remove single-document text {corpus[start:end].strip()[:80]!r}")
            continue
        touched = {single[bisect.bisect_right(starts, a) - 1] for a, _b in hits}
        rule.keeps = keeps(rule, [entry for entry in pool if entry[0] not in touched], options)
        safe.append(rule)
    return safe, dropped


def _example_check(
    site: str, docs: int, rules: list[LearnedRule], existing_text: str | None
) -> tuple[list[LearnedRule], list[str]]:
    """Load the rendered file with `cleaner.rules` and run its examples; drop rules whose examples fail."""
    from cleaner.rules import check_rule_file, load_rule_file

    dropped: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for _attempt in range(3):
            path = Path(tmp) / f"{site}.toml"
            path.write_text(render_file(site, docs, rules, existing_text), encoding="utf-8")
            failures = check_rule_file(load_rule_file(path), SAFETY_TIMEOUT)
            bad = {f.rule.split("/", 1)[1] for f in failures}
            learned_ids = {r.id for r in rules}
            if not bad & learned_ids:
                return rules, dropped
            dropped += [f"{f.rule}: {f.which}: {f.why}" for f in failures if f.rule.split("/", 1)[1] in learned_ids]
            rules = [r for r in rules if r.id not in bad]
    return [], dropped


def write_rule_files(directory: Path, result: LearnResult) -> list[Path]:
    """Write one file per site (atomically); returns the paths written, in site order. A file there that holds
    hand-written rules is never replaced, unless its text was merged into the new one (it was a `--rules` file)."""
    from cleaner.corpus.output import atomic_binary

    for site_rules in result.sites:
        _check_replaceable(directory / f"{site_rules.site}.toml", site_rules.merged_from, directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for site_rules in result.sites:
        path = directory / f"{site_rules.site}.toml"
        with atomic_binary(path) as stream:
            stream.write(site_rules.text.encode("utf-8"))
        paths.append(path)
    return paths


def _check_replaceable(path: Path, merged_from: Path | None, directory: Path) -> None:
    """A file may be replaced when all its hand-written rules are in the new text too: those of the file merged
    into it (a `--rules` file, or the bundled one, which an earlier run of the same command merged as well)."""
    if not path.exists() or (merged_from is not None and path.resolve() == merged_from.resolve()):
        return
    from cleaner.rules import RuleError, load_rule_file

    carried = {rule.id for rule in load_rule_file(merged_from).rules} if merged_from is not None else set()
    try:
        lost = [r.id for r in load_rule_file(path).rules if r.origin != "learned" and r.id not in carried]
    except RuleError:
        lost = ["(the file is not a valid rule file)"]
    if lost:
        raise ConfigError(
            f"-o {directory}: {path.name} already holds hand-written rules ({', '.join(lost)}) that the new file "
            f"would lose; pass --rules {directory} to merge the learned rules into it, or choose another -o directory"
        )
