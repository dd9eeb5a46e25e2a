"""A multi-site corpus builder for `learn`: article text dressed per site with recurring trailers and templates.

Each site dresses its documents the way real scrapes of news sites look: agency sign-offs that vary by agency,
"do you have a tip for us" calls, a share label glued to one of twenty newsletter pitches, "learn more" prompts,
opinion disclaimers, page references with digits glued to letters ("page24"), permalinks with per-article ids,
headers at the document start, and the glue scrapers leave between pieces (no space after a full stop, a closing
quote, " - ", ".- ", " | ", a hashtag or a handle). Every piece keeps its role, so a benchmark or a test can say
which boilerplate was removed and which article sentences were kept, flattened (one line per document) and not.

The article text comes from the caller: `bench/bench_learn.py` passes the AEB gold bodies (read from
/work/shared at run time, never copied here); the tests pass the small hand-written articles of `articles()`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cleaner.io.base import InputDoc
from cleaner.normalize import normalize
from cleaner.record import Origin
from cleaner.segment import paragraphs, sentences

BOILERPLATE = "boilerplate"
ARTICLE = "article"
OTHER = "other"  # per-document text that is neither: a hashtag, a handle


@dataclass(frozen=True, slots=True)
class Piece:
    """A piece of a document: its text, its role, and how it is glued to the piece before it."""

    text: str
    role: str
    glue: str = " "  # in flattened text; in paragraph text a piece starts a new line unless `inline`
    inline: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    site: str
    index: int
    pieces: tuple[Piece, ...]

    def text(self, flat: bool) -> str:
        out = ""
        for piece in self.pieces:
            if not out:
                out = piece.text
            elif flat or piece.inline:
                out += piece.glue + piece.text
            else:
                out += "\n" + piece.text
        return out

    def doc(self, flat: bool) -> InputDoc:
        url = f"https://www.{self.site}/news/{self.index}"
        return InputDoc(Origin("corpus", record=self.index), text=self.text(flat), id=f"{self.site}-{self.index}",
                        url=url)  # fmt: skip


AGENCIES = ("Reuters", "AFP", "The Associated Press", "Bloomberg", "dpa")
REPORTERS = ("Anna Kovacs", "Tom Reyes", "Lena Ortiz", "Raj Patel", "Mia Chen", "Omar Haddad")
EDITORS = ("Paul Grant", "Ines Moreau", "Kate Walsh", "Yusuf Demir")
PITCHES = (
    "Sign up for the Morning Report, delivered to your inbox every weekday.",
    "Get our Evening Digest: the day's biggest stories in five minutes.",
    "Subscribe to The Briefing for the news you need before breakfast.",
    "Join 200,000 readers who start their day with our newsletter.",
    "Never miss a story: get breaking news alerts by email.",
    "Want more like this? Our weekly Long Read lands every Sunday.",
    "The Politics Memo brings you inside Westminster twice a week.",
    "Get smarter about money with our free Personal Finance newsletter.",
    "Love food? Try the Kitchen Notes newsletter, out every Thursday.",
    "Climate Watch explains the science behind the headlines each Friday.",
    "Our Tech Weekly newsletter decodes the gadgets and the giants.",
    "Sports fans: the Final Whistle newsletter has every result.",
    "Culture Club sends the best books, films and music to your inbox.",
    "Stay informed with the World Today, our global news roundup.",
    "Parents, the Family Hub newsletter is made for you.",
    "Travel Light: weekend ideas and deals, straight to your inbox.",
    "The Health Check newsletter brings expert advice every Monday.",
    "Get the Local Edition for news from your neighbourhood.",
    "Business Insider Daily: markets, deals and the people behind them.",
    "Start your weekend with The Saturday Edit, our best reads.",
)
TAGS = ("#Politics", "#Economy", "#World", "#Health", "#Tech", "#Climate")


def _wire(n: int, body: list[Piece]) -> list[Piece]:
    """Agency sign-offs: "... contributed to this report." by agency, and a reporting credit by names."""
    pieces = [Piece("WIRE EXAMPLE NEWS SERVICE", BOILERPLATE), Piece("-", BOILERPLATE), *body]
    if n % 5 != 4:
        glue = ("- ", " - ", " ")[n % 3]  # "said.- Reuters contributed ...": the dash glued to the full stop
        pieces.append(Piece(f"{AGENCIES[n % len(AGENCIES)]} contributed to this report.", BOILERPLATE, glue=glue,
                            inline=True))  # fmt: skip
    pieces.append(Piece(f"(Reporting by {REPORTERS[n % 6]}; Editing by {EDITORS[n % 4]})", BOILERPLATE,
                        inline=n % 2 == 0))  # fmt: skip
    return pieces


def _tips(n: int, body: list[Piece]) -> list[Piece]:
    """A tip call glued the way scrapers glue it: no space, " - ", " | "; a "learn more" prompt before it."""
    glue = ("", " ", " - ", " | ")[n % 4]
    pieces = list(body)
    if n % 3 == 0:
        pieces.append(Piece("Learn more about how we report and check our stories.", BOILERPLATE, glue=glue,
                            inline=True))  # fmt: skip
        glue = " "
    pieces.append(Piece("Do you have a tip for us? Email tips@tips.example or message us on Signal.", BOILERPLATE,
                        glue=glue, inline=n % 2 == 0))  # fmt: skip
    return pieces


def _letters(n: int, body: list[Piece]) -> list[Piece]:
    """A share label glued to one of twenty newsletter pitches; an opinion disclaimer on some pages."""
    pieces = list(body)
    if n % 4 == 1:
        pieces.append(Piece("Opinions expressed by contributors are their own and not those of Letters Example.",
                            BOILERPLATE))  # fmt: skip
    pieces.append(Piece(f"Share this article {PITCHES[n % len(PITCHES)]}", BOILERPLATE))
    return pieces


def _pages(n: int, body: list[Piece]) -> list[Piece]:
    """Page references with digits glued to letters, and permalinks with per-article ids, after a hashtag."""
    ident = f"{(n * 2654435761) % 16**8:08x}"
    return [
        *body,
        Piece(TAGS[n % len(TAGS)], OTHER, inline=True),
        Piece(f"Permalink: https://pages.example/s/{ident}", BOILERPLATE, inline=True),
        Piece(f"This story appeared in print on page{n % 40 + 2} of the weekend edition.", BOILERPLATE),
    ]


def _social(n: int, body: list[Piece]) -> list[Piece]:
    """A follow line after a handle, and a media notice inside the article."""
    pieces = list(body)
    if n % 2 == 0 and len(pieces) > 1:
        pieces.insert(1, Piece("Media playback is not supported on this device", BOILERPLATE))
    pieces.append(Piece(f"@{('anna', 'tom', 'lena', 'raj')[n % 4]}_reports", OTHER, inline=True))
    pieces.append(Piece("Follow us on X and Instagram for breaking news and live updates.", BOILERPLATE,
                        inline=True))  # fmt: skip
    return pieces


def _opinion(n: int, body: list[Piece]) -> list[Piece]:
    """A header at the start, a disclaimer and a letters prompt at the end, the last after a closing quote."""
    return [
        Piece("Opinion | Guest Essay", BOILERPLATE),
        *body,
        Piece("The views expressed here are the author's own.", BOILERPLATE, glue="", inline=n % 3 == 0),
        Piece("Have a response? Submit a letter to the editor.", BOILERPLATE, inline=True),
    ]


SITES: dict[str, Callable[[int, list[Piece]], list[Piece]]] = {
    "wire.example": _wire,
    "tips.example": _tips,
    "letters.example": _letters,
    "pages.example": _pages,
    "social.example": _social,
    "opinion.example": _opinion,
}


def body_pieces(body: str) -> list[Piece]:
    """An article body (paragraphs separated by line breaks) as article pieces, one per paragraph."""
    text = normalize(body)
    return [Piece(text[start:end], ARTICLE) for start, end in paragraphs(text)]


def build(bodies: Sequence[str], sites: Sequence[str] = tuple(SITES)) -> list[Page]:
    """One page per body, the sites taking turns; deterministic."""
    pages = []
    for n, body in enumerate(bodies):
        site = sites[n % len(sites)]
        pieces = body_pieces(body)
        if pieces:
            pages.append(Page(site, n, tuple(SITES[site](n // len(sites), pieces))))
    return pages


def boilerplate(page: Page) -> list[str]:
    return [p.text for p in page.pieces if p.role == BOILERPLATE and p.text != "-"]


def unique_sentences(pages: Sequence[Page]) -> list[list[str]]:
    """Per page, its article sentences that occur in no other page (the text a learned rule must never touch)."""
    per_page = []
    for page in pages:
        found = []
        for piece in page.pieces:
            if piece.role == ARTICLE:
                found += [piece.text[s:e] for s, e in sentences(piece.text)]
        per_page.append(found)
    counts = Counter(s for found in per_page for s in set(found))
    return [[s for s in found if counts[s] == 1] for found in per_page]


@dataclass(frozen=True, slots=True)
class Score:
    trailers: int
    trailers_removed: int
    sentences: int
    sentences_kept: int
    dangling: int  # cleaned documents that start or end with a separator

    @property
    def removed_share(self) -> float:
        return self.trailers_removed / self.trailers if self.trailers else 1.0

    @property
    def kept_share(self) -> float:
        return self.sentences_kept / self.sentences if self.sentences else 1.0


def score(pages: Sequence[Page], cleaned: Sequence[str]) -> Score:
    """Trailers gone from the cleaned text, unique article sentences still in it, dangling separators."""
    trailers = removed = total = kept = dangling = 0
    for page, text, unique in zip(pages, cleaned, unique_sentences(pages), strict=True):
        for piece in boilerplate(page):
            trailers += 1
            removed += piece not in text
        total += len(unique)
        kept += sum(sentence in text for sentence in unique)
        stripped = text.strip()
        dangling += bool(stripped) and (stripped[0] in "-|–—" or stripped[-1] in "-|–—")
    return Score(trailers, removed, total, kept, dangling)


# --- the hand-written articles of the test corpus ------------------------------------------------------------------

_ARTICLE_SENTENCES = (
    "The city council voted on Tuesday to close the old bridge for repairs.",
    "Engineers found cracks in two of its steel supports last month.",
    "Drivers will be sent along the river road until the work ends in spring.",
    "Local shops fear they will lose customers during the closure.",
    "The U.S. Senate passed the spending bill late on Thursday night.",
    "Negotiators from both parties had worked through the weekend.",
    "The bill now goes to the House, where its fate is less certain.",
    "A spokesman for the speaker said a vote could come next week.",
    "On Feb. 3 the museum will reopen its west wing after a long refit.",
    "Visitors will see paintings that have not been shown for a decade.",
    "The director said the new lighting protects the oldest canvases.",
    "Tickets for the first weekend sold out within an hour.",
    "Farmers in the valley are counting the cost of the summer drought.",
    "Yields of wheat fell by almost a third compared with last year.",
    "The regional government has promised emergency loans.",
    "Some growers say the help comes too late to save their farms.",
    "Dr. Maria Lind has led the hospital's heart unit since 2019.",
    "Under her care, waiting times for surgery fell by half.",
    "She will step down in the autumn to take up a post abroad.",
    "The board has not yet named her successor.",
    "The national team lost its opening match by two goals to one.",
    "Its coach blamed a tired defence and a wet pitch.",
    "Fans booed as the players left the field.",
    "The team plays its next game on Saturday in the capital.",
    "A new rail line will link the airport with the city centre by 2028.",
    "The project is expected to cost more than four billion euros.",
    "Critics say the money would be better spent on buses.",
    "Supporters point to the jobs the building work will bring.",
    "The U.S. Federal Reserve held interest rates steady on Wednesday.",
    "Markets had expected no change after a month of mixed data.",
    "Officials signalled that a cut could come before the year ends.",
    "Bond yields fell slightly after the announcement.",
    "A storm brought down power lines across the northern coast.",
    "Thousands of homes were without electricity overnight.",
    "Repair crews worked through the rain to restore supplies.",
    "Schools in the worst-hit towns stayed closed on Monday.",
    "The author's third novel is set in a fishing village in the north.",
    "It follows a family over three generations and two wars.",
    "Critics have praised its quiet, careful prose.",
    "The book is already on the shortlist for a national prize.",
    "Police have arrested two men after a break-in at the town hall.",
    "Computers and files were taken from the mayor's office.",
    "Officers believe the thieves were looking for cash.",
    "Both men will appear in court later this week.",
    "The university will open a new research centre for clean energy.",
    "It will employ about sixty scientists when it is complete.",
    "Funding comes from the state and from three private companies.",
    "The first projects will study cheaper ways to store solar power.",
    "Health officials urged older people to get their flu jabs early.",
    "Cases rose sharply in the last two weeks of October.",
    "Clinics will stay open late on Thursdays until Christmas.",
    "The vaccine is free for everyone over sixty-five.",
    "The zoo welcomed two red panda cubs born in early summer.",
    "Keepers say the cubs are healthy and growing fast.",
    "Visitors will be able to see them from next month.",
    "The zoo hopes the births will help protect the species.",
    "On Feb. 10 the airline will start flights to three new cities.",
    "Fares will start at under one hundred euros each way.",
    "The airline expects to carry a million more passengers a year.",
    "Unions have asked for talks about staffing on the new routes.",
)


def articles(count: int, sentences_each: int = 4) -> list[str]:
    """`count` small articles of the hand-written sentences, each sentence in one article only, flattened into
    paragraphs of two sentences (deterministic). `count * sentences_each` must not exceed the sentences."""
    if count * sentences_each > len(_ARTICLE_SENTENCES):
        raise ValueError(f"only {len(_ARTICLE_SENTENCES)} sentences for {count} articles of {sentences_each}")
    out = []
    for n in range(count):
        chunk = _ARTICLE_SENTENCES[n * sentences_each : (n + 1) * sentences_each]
        out.append("\n".join(" ".join(chunk[i : i + 2]) for i in range(0, len(chunk), 2)))
    return out


# --- tests of the builder itself -----------------------------------------------------------------------------------


def test_build_is_deterministic_and_keeps_roles() -> None:
    pages = build(articles(12))
    assert [p.text(True) for p in pages] == [p.text(True) for p in build(articles(12))]
    assert {p.site for p in pages} == set(SITES)
    for page in pages:
        flat = page.text(True)
        assert "\n" not in flat
        assert all(piece.text in flat for piece in page.pieces)
        assert boilerplate(page)


def test_score_counts_trailers_and_unique_sentences() -> None:
    pages = build(articles(6))
    untouched = score(pages, [p.text(True) for p in pages])
    assert untouched.trailers_removed == 0 and untouched.kept_share == 1.0
    assert untouched.sentences == 24
    emptied = score(pages, ["" for _ in pages])
    assert emptied.removed_share == 1.0 and emptied.sentences_kept == 0
