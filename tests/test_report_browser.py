"""The report page in a real browser: Debian's headless Chromium, driven by Playwright, loads it from disk.

Skipped when Playwright or /usr/bin/chromium is missing, unless NEWSCLEAN_REQUIRE_BROWSER=1 (CI), where that is a
failure. Playwright never downloads a browser here: it is pointed at the system's.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cleaner.review.report import write_report
from tests.test_review import make_run

CHROMIUM = os.environ.get("NEWSCLEAN_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not found (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _missing()
    if missing:
        if os.environ.get("NEWSCLEAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"NEWSCLEAN_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    run = make_run(tmp_path_factory.mktemp("report"))
    run["report"] = run["out"].with_name("report.html")
    write_report(run["ledger"], [run["out"]], run["report"])
    return run


@pytest.fixture
def page(browser, reported) -> Iterator[tuple[Any, list[str], dict[str, Path]]]:
    run, report = reported, reported["report"]
    context = browser.new_context(offline=True)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    tab.goto(report.as_uri())
    tab.wait_for_load_state("load")
    yield tab, errors, run
    assert requests == [report.as_uri()]  # nothing fetched but the page itself
    context.close()


def _visible(tab: Any, selector: str) -> int:
    return tab.evaluate(
        f"Array.from(document.querySelectorAll({json.dumps(selector)})).filter(e => e.offsetParent !== null).length"
    )


def test_page_renders_totals_rules_sites_and_charts(page) -> None:
    tab, errors, run = page
    assert errors == []
    lines = [json.loads(line) for line in run["ledger"].read_text().splitlines()]
    rejects = run["rejects"].read_text().splitlines()
    removed = sum(line["chars_in"] - line["chars_out"] for line in lines)
    assert tab.inner_text("#docs-in") == f"{len(lines) + len(rejects):,}"
    assert tab.inner_text("#docs-out") == f"{len(lines):,}"
    assert tab.inner_text("#docs-rejected") == f"{len(rejects):,}" == "1"
    assert tab.inner_text("#chars-removed") == f"{removed:,}"
    assert tab.inner_text("#chars-in") == f"{sum(line['chars_in'] for line in lines):,}"
    rules = {r["rule"] for line in lines for r in line["removed"] if r["rule"]}
    table_rules = set(tab.eval_on_selector_all("#table-rule td.key", "cells => cells.map(c => c.textContent)"))
    assert table_rules == rules and len(rules) == 4
    sites = set(tab.eval_on_selector_all("#table-site td.key", "cells => cells.map(c => c.textContent)"))
    assert sites == {"turan.az", "news.example.com", "other.example.org", "evil.example.net"}
    options = set(tab.eval_on_selector_all("#f-rule option", "os => os.map(o => o.value)"))
    assert options == rules | {""}
    # charts drawn: one histogram bar per bin, one bar per rule
    assert tab.locator("#hist rect").count() == 21
    assert tab.locator("#rulechart rect").count() == len(rules)
    heights = tab.eval_on_selector_all("#hist rect", "rs => rs.map(r => r.getBBox().height)")
    assert sum(h > 0 for h in heights) >= 2
    assert "nobody" in tab.inner_text("#rejects")
    assert "timed out" in tab.inner_text("#warnings") and "slow" in tab.inner_text("#warnings")


def test_filters_change_what_is_shown(page) -> None:
    tab, errors, _ = page
    cards = _visible(tab, ".card")
    documents = _visible(tab, "details.doc")
    assert cards > 4 and documents == 4
    tab.select_option("#f-rule", "_promo/promo")
    assert _visible(tab, "details.doc") == 1
    assert 0 < _visible(tab, ".card") < cards
    assert all("_promo/promo" in text for text in tab.eval_on_selector_all(
        ".card", "cs => cs.filter(c => c.offsetParent !== null).map(c => c.textContent)"))
    assert "of" in tab.inner_text("#shown")
    tab.click("#f-clear")
    assert _visible(tab, ".card") == cards
    tab.select_option("#f-site", "turan.az")
    assert _visible(tab, "details.doc") == 1 and _visible(tab, "#table-site tbody tr") == 1
    tab.click("#f-clear")
    tab.select_option("#f-stage", "neardup")
    shown = tab.eval_on_selector_all(".card", "cs => cs.filter(c => c.offsetParent !== null).length")
    assert 0 < shown < cards
    tab.click("#f-clear")
    tab.fill("#f-q", "harbour and the ships")
    assert 0 < _visible(tab, ".item") < _visible(tab, "tr") + cards + documents
    tab.fill("#f-q", "no such text anywhere 123")
    assert _visible(tab, ".card") == 0 and _visible(tab, "details.doc") == 0
    assert errors == []


def test_html_in_removed_text_is_shown_escaped(page) -> None:
    tab, errors, _ = page
    assert tab.evaluate("document.getElementById('injected')") is None
    assert tab.title() == "newsclean report"
    assert tab.locator("script").count() == 1
    tab.select_option("#f-rule", "_promo/promo")
    texts = tab.eval_on_selector_all(".card", "cs => cs.filter(c => c.offsetParent !== null).map(c => c.textContent)")
    assert any("</script><img id=injected" in text for text in texts)  # shown as text
    assert "promo line <i>with markup</i>" in tab.inner_text("body")
    tab.click("details.doc:not(.hidden) summary")  # open the document's diff
    assert "[-" not in tab.inner_text("details.doc[open] .diff")
    assert "</script><img id=injected" in tab.inner_text("details.doc[open] .diff del")
    assert tab.evaluate("document.getElementById('injected')") is None and errors == []


def test_single_document_report(browser, tmp_path, capsys, monkeypatch) -> None:
    from tests.helpers import FIXTURES, run_main

    out, ledger = tmp_path / "out.txt", tmp_path / "l.jsonl"
    seed = FIXTURES / "rules" / "seed_003" / "input.txt"
    code, _, _ = run_main(["clean", str(seed), "-o", str(out), "--ledger", str(ledger), "-q"], capsys, monkeypatch)
    assert code == 0
    write_report(ledger, [out], tmp_path / "r.html")
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto((tmp_path / "r.html").as_uri())
    assert errors == [] and tab.inner_text("#docs-out") == "1"
    assert _visible(tab, "details.doc .diff") == 1  # the one document opens its diff
    assert "No document was rejected" in tab.inner_text("body")
    tab.close()
