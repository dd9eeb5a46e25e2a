"""learn on a multi-site corpus: trailers and headers at the documents' edges, variant families, separators,
abbreviation fragments, golden rule files, and bad input (tiny sites, identical pages, a 1 MB trailer pile)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from cleaner import Cleaner
from cleaner.corpus.learn import LearnOptions, learn, write_rule_files
from cleaner.corpus.masking import mask, template
from cleaner.corpus.mining import edges_of, ends_at_abbreviation
from cleaner.io.base import InputDoc
from cleaner.record import Origin
from cleaner.rules import check_rule_file, load_rule_file
from tests.test_learn_sites import Page, articles, build, score

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "fixtures" / "learn_sites"
UPDATE = os.environ.get("NEWSCLEAN_REGEN") == "1"
SITES = ("wire.example", "tips.example", "pages.example")


def _pages() -> list[Page]:
    return build(articles(60, sentences_each=1), SITES)  # 20 documents a site


def _learn(pages: list[Page], flat: bool, out: Path) -> Cleaner:
    result = learn([p.doc(flat) for p in pages], LearnOptions())
    write_rule_files(out, result)
    return Cleaner(rules=[out])


@pytest.fixture(scope="module", params=[True, False], ids=["flat", "paragraphs"])
def learned(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[bool, Path]:
    out = tmp_path_factory.mktemp("flat" if request.param else "paragraphs")
    _learn(_pages(), request.param, out)
    return request.param, out


def test_rule_files_match_golden(learned: tuple[bool, Path]) -> None:
    flat, out = learned
    golden = GOLDEN / ("flat" if flat else "paragraphs")
    written = sorted(p.name for p in out.glob("*.toml"))
    assert written == [f"{site}.toml" for site in sorted(SITES)]
    for name in written:
        actual = (out / name).read_text(encoding="utf-8")
        if UPDATE:
            golden.mkdir(parents=True, exist_ok=True)
            (golden / name).write_text(actual, encoding="utf-8")
        assert actual == (golden / name).read_text(encoding="utf-8"), name


def test_files_pass_their_examples_and_say_where(learned: tuple[bool, Path]) -> None:
    _flat, out = learned
    edge_reasons = 0
    for path in sorted(out.glob("*.toml")):
        rule_file = load_rule_file(path)
        assert check_rule_file(rule_file, timeout=5.0) == []
        for rule in rule_file.rules:
            assert rule.removes and rule.keeps, rule.id
            if rule.id.startswith("learned-separator-at-"):
                assert rule.kind in ("tail", "head")
            elif rule.kind in ("tail", "head") or " ends " in rule.reason or " starts " in rule.reason:
                edge_reasons += 1
                assert " documents (" in rule.reason
    assert edge_reasons >= 3


def test_trailers_removed_and_unique_sentences_kept(learned: tuple[bool, Path]) -> None:
    flat, out = learned
    pages = _pages()
    cleaner = Cleaner(rules=[out])
    docs = [p.doc(flat) for p in pages]
    cleaned = [cleaner.clean(d.text or "", url=d.url).text for d in docs]
    result = score(pages, cleaned)
    assert result.kept_share == 1.0
    assert result.removed_share >= 0.9, result
    assert result.dangling == 0
    for doc, text in zip(docs, cleaned, strict=True):  # idempotent with the learned rules
        assert cleaner.clean(text, url=doc.url).text == text


def test_agency_names_are_one_family(learned: tuple[bool, Path]) -> None:
    _flat, out = learned
    wire = load_rule_file(out / "wire.example.toml")
    agency = [r for r in wire.rules if "contributed to this report" in r.pattern.pattern]
    assert len(agency) == 1
    assert "one family by names" in agency[0].reason
    assert len(agency[0].removes) >= 2 and len({e.text.split(" contributed")[0] for e in agency[0].removes}) >= 2


def test_a_header_and_its_separator_go_together(learned: tuple[bool, Path]) -> None:
    flat, out = learned
    cleaner = Cleaner(rules=[out])
    page = next(p for p in _pages() if p.site == "wire.example")
    text = cleaner.clean(page.doc(flat).text or "", url=page.doc(flat).url).text
    assert not text.startswith(("WIRE", "-")) and text[0].isupper()


def test_permalink_ids_and_glued_page_numbers_are_masked() -> None:
    a = "Permalink: https://pages.example/s/08d12dfd This story appeared in print on page24 of the weekend edition."
    b = "Permalink: https://pages.example/s/1fe68e72 This story appeared in print on page7 of the weekend edition."
    assert mask(a) == mask(b)
    assert mask("Read more at https://other.example/x") != mask("Read more at https://pages.example/x")
    import regex

    assert regex.fullmatch(template(a), b)


def test_abbreviation_fragments_are_never_learned() -> None:
    assert ends_at_abbreviation("The U.S.") and ends_at_abbreviation("On Feb.") and ends_at_abbreviation("Gov.")
    assert not ends_at_abbreviation("The talks ended.")
    bodies = articles(15, sentences_each=4)
    continuations = [f"The U.S. {word} said nothing more on the matter." for word in
                     ("Senate", "Army", "Embassy", "Treasury", "Navy", "Congress", "Mint", "Coast Guard")]  # fmt: skip
    docs = _site_docs("abbr.example", [f"{bodies[i]} {continuations[i]}" for i in range(8)])
    for min_share in (0.05, 0.2):
        sites = learn(docs, LearnOptions(min_docs=3, min_share=min_share)).sites
        patterns = [r.pattern for s in sites for r in s.rules]
        assert not any("U\\.S" in p for p in patterns), patterns


def test_edges_of_keeps_the_last_and_first_lines() -> None:
    view = "Head line\nBody one.\nBody two.\nTrailer here\n"
    edges = edges_of(view)
    assert edges.tail.endswith("Trailer here") and edges.tail_whole
    assert edges.head.startswith("Head line") and edges.head_whole
    long = "x" * 5000
    edges = edges_of(long + "\n")
    assert len(edges.tail) <= 800 and not edges.tail_whole


# --- bad input ------------------------------------------------------------------------------------------------------


def _site_docs(site: str, texts: list[str]) -> list[InputDoc]:
    return [InputDoc(Origin(f"{site}.jsonl", line=i), text=t, id=str(i), url=f"https://{site}/{i}")
            for i, t in enumerate(texts)]  # fmt: skip


def test_a_site_with_two_documents_learns_nothing() -> None:
    bodies = articles(2)
    docs = _site_docs("two.example", [f"{b}\nDo you have a tip for us? Email us." for b in bodies])
    assert learn(docs, LearnOptions()).sites == []
    assert learn(docs, LearnOptions(min_docs=2, min_share=0.0)).sites is not None  # no error at the floor either


def test_a_site_whose_every_document_is_the_same_learns_nothing() -> None:
    text = articles(1)[0] + "\nDo you have a tip for us? Email us."
    result = learn(_site_docs("same.example", [text] * 12), LearnOptions())
    assert result.sites == [] and result.repeats == 11


def test_one_document_of_a_megabyte_of_repeated_trailers() -> None:
    bodies = articles(10, sentences_each=2)
    trailer = "Do you have a tip for us? Email tips@pile.example today."
    texts = [f"{b} {trailer}" for b in bodies]
    texts.append(" ".join([trailer] * (1_000_000 // (len(trailer) + 1))))
    start = time.process_time()
    result = learn(_site_docs("pile.example", texts), LearnOptions())
    assert time.process_time() - start < 60
    assert len(result.sites) == 1
    rules = result.sites[0].rules
    assert any("tip for us" in r.pattern for r in rules)


def test_the_pile_document_cleans(tmp_path: Path) -> None:
    bodies = articles(10, sentences_each=2)
    trailer = "Do you have a tip for us? Email tips@pile.example today."
    texts = [f"{b} {trailer}" for b in bodies] + [" ".join([trailer] * 2000)]
    docs = _site_docs("pile.example", texts)
    write_rule_files(tmp_path, learn(docs, LearnOptions()))
    cleaner = Cleaner(rules=[tmp_path])
    for doc, body in zip(docs, bodies, strict=False):
        text = cleaner.clean(doc.text or "", url=doc.url).text
        assert "tip for us" not in text and " ".join(body.split()) in " ".join(text.split())
