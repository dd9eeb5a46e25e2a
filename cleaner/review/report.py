"""The review page of a run: one self-contained HTML file (inline CSS, JavaScript and SVG; nothing fetched).

Two passes over the ledger keep memory and the page bounded whatever the corpus size: the first counts (stats,
histogram) and picks what to show (the documents with the largest removed share, and per rule and per stage a
sample of removals chosen by hashing ids, see `cleaner.review.sample`); the second joins the ledger to the cleaned
outputs, checking every document, and renders the picked ones with their context. Every piece of document text
goes through `html.escape`; no document text is ever placed inside a script.
"""

from __future__ import annotations

import heapq
import html
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cleaner.record import Document, Removal
from cleaner.review.diff import Gap, Header, Line, Warning, context_of, diff_items, header_parts, line_starts
from cleaner.review.ledger import LedgerEntry, LedgerError, default_rejects, iter_documents, iter_ledger, iter_rejects
from cleaner.review.page import CSS, JS, TEMPLATE
from cleaner.review.sample import Sample, sample_hash
from cleaner.review.stats import Row, Stats

# The bounds that keep the page small on any corpus (README, "Reviewing a run").
TOP_DOCUMENTS = 40
SAMPLES_PER_GROUP = 5
CONTEXT_CHARS = 160
REMOVAL_CHARS = 1_200
DIFF_CHARS = 30_000
LIST_LIMIT = 200  # rejects, warnings and sites listed
CHART_RULES = 30
HIST_BINS = 20


@dataclass(slots=True)
class _Pick:
    group: str  # "rule:ID" or "stage:NAME"
    line: int
    index: int  # the removal's index in its ledger line


@dataclass(slots=True)
class _Found:
    """What the first pass found."""

    stats: Stats = field(default_factory=Stats)
    histogram: list[int] = field(default_factory=lambda: [0] * (HIST_BINS + 1))
    top: list[tuple[float, int, int, str]] = field(default_factory=list)  # min-heap (share, chars, -line, id)
    samples: dict[str, Sample[_Pick]] = field(default_factory=dict)
    warnings: list[tuple[str, str, str]] = field(default_factory=list)  # (id, site, warning), first LIST_LIMIT
    warning_kinds: Counter[str] = field(default_factory=Counter)
    warnings_total: int = 0


def _scan(ledger: Path) -> _Found:
    found = _Found()
    for entry in iter_ledger(ledger):
        found.stats.add(entry)
        share = entry.share
        found.histogram[0 if not entry.removed else max(1, min(HIST_BINS, -int(-share * HIST_BINS // 1)))] += 1
        if entry.removed:
            key = (share, entry.chars_removed, -entry.line, entry.id)
            if len(found.top) < TOP_DOCUMENTS:
                heapq.heappush(found.top, key)
            elif key > found.top[0]:
                heapq.heapreplace(found.top, key)
        for index, removal in enumerate(entry.removed):
            groups = [f"stage:{removal.stage}"] + ([f"rule:{removal.rule}"] if removal.rule else [])
            for group in groups:
                sample = found.samples.get(group) or found.samples.setdefault(group, Sample(SAMPLES_PER_GROUP))
                sample.add(sample_hash(group, entry.id, str(index)), _Pick(group, entry.line, index))
        for warning in entry.warnings:
            found.warnings_total += 1
            found.warning_kinds[_warning_kind(warning)] += 1
            if len(found.warnings) < LIST_LIMIT:
                found.warnings.append((entry.id, entry.site_key, warning))
    return found


def _warning_kind(warning: str) -> str:
    if "timed out" in warning:
        return "pattern timed out"
    if "max_fraction" in warning:
        return "refused by max_fraction"
    return "other"


def write_report(
    ledger_path: Path | str,
    cleaned_paths: Sequence[Path | str],
    out_path: Path | str,
    rejects: Path | str | None = None,
    text_field: str = "text",
    id_field: str = "id",
) -> int:
    """Write the review page of the run a ledger describes; returns its size in bytes. `cleaned_paths` are the
    run's outputs (a file, or the mirrored directory); without them removals are shown without context. The
    rejects file defaults to the one `clean` writes next to the output."""
    ledger = Path(ledger_path)
    cleaned = [Path(p) for p in cleaned_paths]
    found = _scan(ledger)
    rejects_file = Path(rejects) if rejects is not None else default_rejects(cleaned)
    if rejects is not None and not Path(rejects).exists():
        raise LedgerError(f"rejects file {rejects} does not exist")
    reject_rows: list[tuple[str, str, str]] = []
    rejected = 0
    reasons: Counter[str] = Counter()
    if rejects_file is not None and rejects_file.exists():
        for reject in iter_rejects(rejects_file):
            rejected += 1
            reasons[_reason_kind(reject.reason)] += 1
            if len(reject_rows) < LIST_LIMIT:
                reject_rows.append((reject.id or "", reject.where, reject.reason))
    if not found.stats.documents and not rejected:
        raise LedgerError(f"ledger {ledger} holds no documents and no rejects were found: nothing to report")
    picks: dict[int, list[_Pick]] = {}
    for sample in found.samples.values():
        for pick in sample.items():
            picks.setdefault(pick.line, []).append(pick)
    top_lines = {-line for _, _, line, _ in found.top}
    rendered: dict[str, str] = {}  # pick key -> card
    diffs: dict[int, str] = {}
    for entry, text in _entries(ledger, cleaned, text_field, id_field):
        if entry.line not in picks and entry.line not in top_lines:
            continue
        doc = entry.document(text) if text is not None else None
        for pick in picks.get(entry.line, []):
            rendered[f"{pick.group}\x1f{pick.line}\x1f{pick.index}"] = _sample_card(entry, doc, pick)
        if entry.line in top_lines:
            diffs[entry.line] = _diff_html(doc, entry, ledger, cleaned)
    page = _page(ledger, cleaned, found, rendered, diffs, rejected, reject_rows, reasons, rejects_file)
    data = page.encode("utf-8")
    out = Path(out_path)
    from cleaner.io.writers import write_atomic

    write_atomic(out, data)
    return len(data)


def _entries(
    ledger: Path, cleaned: list[Path], text_field: str, id_field: str
) -> Iterator[tuple[LedgerEntry, str | None]]:
    """Ledger lines with their cleaned text (checked), or with None when no cleaned output was given."""
    if cleaned:
        yield from iter_documents(ledger, cleaned, text_field, id_field)
    else:
        yield from ((entry, None) for entry in iter_ledger(ledger))


def _reason_kind(reason: str) -> str:
    """A reject reason without its specifics (numbers, quoted names), to count alike reasons together."""
    import re

    return re.sub(r"'[^']*'|\"[^\"]*\"|\d[\d,.]*", "…", reason)[:160]


# ---------------------------------------------------------------------------------------------------------------
# Pieces of the page


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _attr_list(values: Sequence[str] | set[str]) -> str:
    """A filter attribute: values between bars, so that "|a|" is found in "|a|b|" whatever the values hold."""
    return _e("|" + "|".join(sorted(values)) + "|")


_ESCAPED_WIDTH = {"&": 5, "<": 4, ">": 4, '"': 6, "'": 6}


def _cut(text: str, limit: int = REMOVAL_CHARS, newlines: bool = False) -> str:
    """Escaped text of at most about `limit` characters of HTML: beyond it, the middle is left out and said so."""
    shown = _shown if newlines else _e
    escaped = shown(text)
    if len(escaped) <= limit:
        return escaped
    half = limit // 2

    def fitting(chars: str) -> int:
        used = count = 0
        for char in chars:
            used += _ESCAPED_WIDTH.get(char, 1) + (24 if newlines and char == "\n" else 0)
            if used > half:
                break
            count += 1
        return count

    head = fitting(text)
    tail = fitting(reversed(text[head:]))
    left_out = len(text) - head - tail
    return f"{shown(text[:head])}<span class=cut>[… {left_out:,} characters …]</span>{shown(text[len(text) - tail :])}"


def _shown(text: str) -> str:
    """Line breaks inside a snippet as a visible mark, the text escaped."""
    return _e(text).replace("\n", "<span class=nl>⏎</span>\n")


def _sample_card(entry: LedgerEntry, doc: Document | None, pick: _Pick) -> str:
    removal = entry.removed[pick.index]
    starts = line_starts(doc.source) if doc is not None else []
    where = " · ".join(header_parts(removal, starts)) if doc is not None else _plain_reason(removal)
    attrs = (
        f'class="item f card" data-rule={_attr_list([removal.rule] if removal.rule else [])}'
        f" data-stage={_attr_list([removal.stage])} data-site={_attr_list([entry.site_key])}"
    )
    head = f"<div class=meta><b>{_e(entry.id)}</b> <span class=site>{_e(entry.site_key)}</span> {_e(where)}</div>"
    if doc is None:
        body = f"<pre class=snip><del>{_cut(removal.text)}</del></pre>"
    elif removal.dup_of is not None:
        original = doc.source[removal.dup_of[0] : removal.dup_of[1]]
        body = (
            f"<div class=pair><div><div class=label>source (kept)</div>"
            f"<pre class=snip>{_cut(original, newlines=True)}</pre></div>"
            f"<div><div class=label>copy (removed)</div><pre class=snip><del>{_cut(removal.text, newlines=True)}</del>"
            "</pre></div></div>"
        )
    else:
        body = f"<pre class=snip>{_in_context(doc, removal)}</pre>"
    return f"<div {attrs}>{head}{body}</div>"


def _in_context(doc: Document, removal: Removal) -> str:
    """A removal struck through with CONTEXT_CHARS of the source on each side; text that other removals took
    out of that context is struck through too, in a lighter style, so the context never passes for kept text."""
    before, after, cut_before, cut_after = context_of(doc.source, removal, CONTEXT_CHARS)
    start, end = removal.start - len(before), removal.end + len(after)
    out = ["…" if cut_before else ""]
    cursor = start
    for other in doc.removals:
        if other.end <= start or other.start >= end:
            continue
        piece_start, piece_end = max(other.start, cursor), min(other.end, end)
        if piece_start >= piece_end:
            continue
        out.append(_shown(doc.source[cursor:piece_start]))
        if other is removal:
            out.append(f"<del>{_cut(removal.text, newlines=True)}</del>")
        else:
            reason = _plain_reason(other)
            out.append(f"<del class=other title={_e(reason)}>{_shown(doc.source[piece_start:piece_end])}</del>")
        cursor = piece_end
    out.append(_shown(doc.source[cursor:end]))
    out.append("…" if cut_after else "")
    return "".join(out)


def _plain_reason(removal: Removal) -> str:
    parts = [removal.stage + (f" {removal.rule}" if removal.rule else "")]
    if removal.score is not None:
        parts.append(f"score {removal.score:.3f}")
    if removal.reason:
        parts.append(removal.reason)
    return " · ".join(parts)


def _diff_html(doc: Document | None, entry: LedgerEntry, ledger: Path, cleaned: list[Path]) -> str:
    """A document's diff, cut after DIFF_CHARS characters of HTML (a long line is cut in its middle)."""
    out: list[str] = []
    budget = DIFF_CHARS
    items = (
        diff_items(doc)
        if doc is not None
        else (part for r in entry.removed for part in (Header(r, _plain_reason(r)), Line(0, "-", [(r.text, True)])))
    )
    for item in items:
        if budget <= 0:
            command = f"newsclean diff --ledger {ledger} " + " ".join(f"--cleaned {p}" for p in cleaned)
            out.append(f"<div class=cut>… diff cut here; all of it: {_e(command)} --id {_e(entry.id)}</div>")
            break
        if isinstance(item, Header):
            piece = f"<div class=h>{_cut(item.text, max(400, budget))}</div>"
        elif isinstance(item, Warning):
            piece = f"<div class=w>!! {_cut(item.text, max(400, budget))}</div>"
        elif isinstance(item, Gap):
            piece = "<div class=k>…</div>"
        else:
            room = max(200, budget // max(1, len(item.parts)))
            cells = "".join(f"<del>{_cut(t, room)}</del>" if removed else _cut(t, room) for t, removed in item.parts)
            css = {" ": "k", "-": "r", "~": "p"}[item.mark]
            number = f"<span class=n>{item.number}</span>" if item.number else ""
            piece = f"<div class={css}>{number}{cells}</div>"
        out.append(piece)
        budget -= len(piece)
    return "<div class=diff>" + "".join(out) + "</div>"


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%" if value >= 0.001 or value == 0 else f"{100 * value:.2f}%"


def _histogram(bins: list[int]) -> str:
    """Documents by removed share: one bar for unchanged documents, then one per 5%."""
    width, height, left, bottom = 640, 220, 44, 34
    top = max(bins) or 1
    bar = (width - left - 10) / len(bins)
    parts = [
        f'<svg class=chart id=hist viewBox="0 0 {width} {height}" role=img aria-label="documents by removed share">'
    ]
    ticks = sorted({round(top * tick / 4) for tick in range(5)})
    for value in ticks:
        y = height - bottom - (height - bottom - 14) * value / top
        parts.append(f'<line x1="{left}" x2="{width - 6}" y1="{y:.1f}" y2="{y:.1f}" class=grid />')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor=end class=tick>{value:,}</text>')
    step = 100 // HIST_BINS
    for index, count in enumerate(bins):
        label = "unchanged" if index == 0 else f"{(index - 1) * step}–{index * step}%"
        h = (height - bottom - 14) * count / top
        x = left + index * bar
        css = "bar zero" if index == 0 else "bar"
        parts.append(
            f'<rect class="{css}" x="{x + 1:.1f}" y="{height - bottom - h:.1f}" width="{bar - 2:.1f}" '
            f'height="{h:.1f}"><title>{_e(label)}: {count:,} documents</title></rect>'
        )
        if index == 0 or index % 4 == 0:
            text = "0" if index == 0 else f"{index * step}%"
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" text-anchor=middle class=tick>{text}</text>'
            )
    parts.append(
        f'<text x="{(width + left) / 2}" y="{height - 4}" text-anchor=middle class=axis>'
        "share of the document removed (first bar: nothing removed)</text></svg>"
    )
    return "".join(parts)


def _rule_chart(rows: list[Row]) -> str:
    shown = rows[:CHART_RULES]
    if not shown:
        return "<p class=none>No rule removed anything.</p>"
    width, label_w, row_h = 640, 230, 20
    height = row_h * len(shown) + 10
    top = max(r.chars for r in shown) or 1
    parts = [f'<svg class=chart id=rulechart viewBox="0 0 {width} {height}" role=img aria-label="characters by rule">']
    for i, row in enumerate(shown):
        y = 5 + i * row_h
        w = (width - label_w - 90) * row.chars / top
        name = row.key if len(row.key) <= 34 else row.key[:33] + "…"
        parts.append(f"<g class=fr data-rule={_attr_list([row.key])}>")
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor=end class=tick>{_e(name)}</text>')
        parts.append(
            f'<rect class=bar x="{label_w}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row_h - 6}">'
            f"<title>{_e(row.key)}: {row.chars:,} characters in {row.removals:,} removals</title></rect>"
        )
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 14}" class=tick>{row.chars:,}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    more = (
        f"<p class=note>The {CHART_RULES} rules that removed most; the table lists all.</p>"
        if len(rows) > len(shown)
        else ""
    )
    return "".join(parts) + more


def _table(kind: str, rows: list[Row], stats: Stats) -> str:
    per_site = kind == "site"
    head = (
        f"<tr><th>{kind}</th>"
        + ("<th>documents</th><th>changed</th>" if per_site else "<th>documents</th>")
        + "<th>removals</th><th>characters</th><th title='"
        + ("removed characters over the site&#x27;s input characters" if per_site else "over all input characters")
        + "'>share</th></tr>"
    )
    body = []
    for row in rows:
        share = (row.chars / row.chars_in if row.chars_in else 0.0) if per_site else stats.share(row.chars)
        attr = f"data-{kind}={_attr_list([row.key])}" + (" data-stage=|rule|" if kind == "rule" else "")
        counts = f"<td>{row.docs_total:,}</td><td>{row.documents:,}</td>" if per_site else f"<td>{row.documents:,}</td>"
        body.append(
            f"<tr class=f {attr}><td class=key>{_e(row.key)}</td>{counts}<td>{row.removals:,}</td>"
            f"<td>{row.chars:,}</td><td>{_pct(share)}</td></tr>"
        )
    return f"<table class=stats id=table-{kind}><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def _options(values: list[str]) -> str:
    return "".join(f"<option value={_e(v)}>{_e(v)}</option>" for v in values)


def _page(
    ledger: Path,
    cleaned: list[Path],
    found: _Found,
    rendered: dict[str, str],
    diffs: dict[int, str],
    rejected: int,
    reject_rows: list[tuple[str, str, str]],
    reasons: Counter[str],
    rejects_file: Path | None,
) -> str:
    stats = found.stats
    stages = stats.ranked(stats.by_stage)
    rules = stats.ranked(stats.by_rule)
    sites = stats.ranked(stats.by_site)
    sites_shown = sites[:LIST_LIMIT]
    totals = [
        ("docs-in", "documents in", f"{stats.documents + rejected:,}"),
        ("docs-out", "cleaned", f"{stats.documents:,}"),
        ("docs-rejected", "rejected", f"{rejected:,}"),
        ("docs-changed", "changed", f"{stats.changed:,}"),
        ("chars-in", "characters in", f"{stats.chars_in:,}"),
        ("chars-removed", "characters removed", f"{stats.chars_removed:,}"),
        ("share-removed", "share removed", _pct(stats.share(stats.chars_removed))),
        ("removals", "removals", f"{stats.removals:,}"),
    ]
    cards = "".join(
        f"<div class=total><div class=v id={k}>{v}</div><div class=l>{_e(label)}</div></div>" for k, label, v in totals
    )
    # The documents that lost most
    top = sorted(found.top, reverse=True)
    doc_rows = []
    for share, chars, neg_line, doc_id in top:
        line = -neg_line
        diff = diffs.get(line, "")
        doc_rows.append((line, share, chars, doc_id, diff))
    entries = {line: None for line, *_ in doc_rows}
    meta = _doc_meta(ledger, set(entries)) if entries else {}
    doc_html = []
    opened = " open" if len(doc_rows) == 1 else ""
    for line, share, chars, doc_id, diff in doc_rows:
        site, rule_ids, stage_names = meta.get(line, ("", set(), set()))
        doc_html.append(
            f"<details{opened} class='item f doc' data-site={_attr_list([site])} data-rule={_attr_list(rule_ids)} "
            f"data-stage={_attr_list(stage_names)}><summary><b>{_pct(share)}</b> removed · {chars:,} characters · "
            f"<b>{_e(doc_id)}</b> <span class=site>{_e(site)}</span> <span class=muted>ledger line {line}</span>"
            f"</summary>{diff}</details>"
        )
    # Samples, one section per stage and per rule
    sample_html = []
    groups = [f"stage:{r.key}" for r in stages] + [f"rule:{r.key}" for r in rules]
    for group in groups:
        kind, _, name = group.partition(":")
        row = (stats.by_stage if kind == "stage" else stats.by_rule)[name]
        sample = found.samples.get(group)
        cards_html = "".join(
            rendered.get(f"{p.group}\x1f{p.line}\x1f{p.index}", "") for p in (sample.items() if sample else [])
        )
        attr = (
            f"data-stage={_attr_list([name])}"
            if kind == "stage"
            else f"data-rule={_attr_list([name])} data-stage=|rule|"
        )
        sample_html.append(
            f"<section class='group f' {attr}><h3>{_e(kind)} <code>{_e(name)}</code> <span class=muted>"
            f"{_n(row.removals, 'removal')} in {_n(row.documents, 'document')}, {_n(row.chars, 'character')}; "
            f"{len(sample) if sample else 0} shown</span></h3>{cards_html}</section>"
        )
    # Rejects and warnings
    if rejected:
        reason_rows = "".join(f"<tr><td>{n:,}</td><td>{_e(r)}</td></tr>" for r, n in reasons.most_common(20))
        reject_list = "".join(
            f"<tr class='item f'><td>{_e(i)}</td><td>{_e(w)}</td><td>{_e(r)}</td></tr>" for i, w, r in reject_rows
        )
        more = f"<p class=note>The first {LIST_LIMIT:,} of {rejected:,}.</p>" if rejected > len(reject_rows) else ""
        rejects_html = (
            f"<p>From <code>{_e(rejects_file)}</code>.</p><table class='stats text'><thead><tr><th>documents</th>"
            f"<th>reason</th></tr></thead><tbody>{reason_rows}</tbody></table>"
            f"<table class='stats text' id=rejects><thead><tr><th>id</th><th>input</th><th>reason</th></tr></thead>"
            f"<tbody>{reject_list}</tbody></table>{more}"
        )
    else:
        if rejects_file is None:
            where = "no rejects file was given"
        else:
            state = "holds none" if rejects_file.exists() else "does not exist"
            where = f"<code>{_e(rejects_file)}</code> {state}"
        rejects_html = f"<p class=none>No document was rejected ({where}).</p>"
    if found.warnings_total:
        kinds = "".join(f"<tr><td>{n:,}</td><td>{_e(k)}</td></tr>" for k, n in found.warning_kinds.most_common())
        rows = "".join(
            f"<tr class='item f' data-site={_attr_list([s])}><td>{_e(i)}</td><td>{_e(w)}</td></tr>"
            for i, s, w in found.warnings
        )
        more = (
            f"<p class=note>The first {LIST_LIMIT:,} of {found.warnings_total:,}.</p>"
            if found.warnings_total > len(found.warnings)
            else ""
        )
        warnings_html = (
            "<table class='stats text'><thead><tr><th>warnings</th><th>kind</th></tr></thead>"
            f"<tbody>{kinds}</tbody></table>"
            f"<table class='stats text' id=warnings><thead><tr><th>document</th><th>warning</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>{more}"
        )
    else:
        warnings_html = "<p class=none>No pattern timed out and no rule was refused by max_fraction.</p>"
    no_context = (
        ""
        if cleaned
        else ("<p class=warn>No cleaned output was given (--cleaned): removals are shown without their context.</p>")
    )
    more_sites = (
        f"<p class=note>The {LIST_LIMIT} sites that lost most of {len(sites):,};"
        " <code>newsclean stats</code> lists all.</p>"
        if len(sites) > LIST_LIMIT
        else ""
    )
    source = _e(ledger) + ("" if not cleaned else " + " + ", ".join(_e(p) for p in cleaned))
    return TEMPLATE.format(
        css=CSS,
        js=JS,
        source=source,
        no_context=no_context,
        totals=cards,
        histogram=_histogram(found.histogram),
        rule_chart=_rule_chart(rules),
        stage_table=_table("stage", stages, stats),
        rule_table=_table("rule", rules, stats) if rules else "<p class=none>No rule removed anything.</p>",
        site_table=_table("site", sites_shown, stats) + more_sites,
        rule_options=_options([r.key for r in rules]),
        stage_options=_options([r.key for r in stages]),
        site_options=_options([r.key for r in sites_shown]),
        top_heading=(
            "The document that lost the largest share"
            if len(doc_html) == 1
            else f"The {len(doc_html)} documents that lost the largest share"
        ),
        documents="".join(doc_html) or "<p class=none>No document lost any text.</p>",
        samples="".join(sample_html) or "<p class=none>Nothing was removed.</p>",
        per_group=SAMPLES_PER_GROUP,
        rejects=rejects_html,
        warnings=warnings_html,
    )


def _doc_meta(ledger: Path, lines: set[int]) -> dict[int, tuple[str, set[str], set[str]]]:
    """Site, rules and stages of the given ledger lines (a third, cheap pass: only counters were kept)."""
    meta: dict[int, tuple[str, set[str], set[str]]] = {}
    for entry in iter_ledger(ledger):
        if entry.line in lines:
            rules = {r.rule for r in entry.removed if r.rule}
            meta[entry.line] = (entry.site_key, rules, {r.stage for r in entry.removed})
    return meta
