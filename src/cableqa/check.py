"""Check an article against the cables: where each quotation comes from, and which are in none.

For each quotation (`quotes.find_quotes`) the candidate cables are found without scanning
the corpus: the cables the article names; the keyword index (FTS5) searched for the
quotation's longest fragment as a phrase (its words in a row) and for its rarest words. A
candidate holding every fragment word for word makes the quotation `verbatim`
(`alignment.find_verbatim`). Otherwise more candidates come from the keyword index searched
for the quotation's runs of three words, each a phrase, and from the window vectors (FAISS)
nearest the quotation in meaning; the closest passage of any candidate (`alignment.align`)
makes it `altered` when it holds most of the quotation's words, run for run; else it is
`not_found`, and the sentences nearest it in meaning (their stored vectors) are listed as
not a match.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from cableqa.alignment import (
    CABLE_MARK,
    Difference,
    Fragment,
    Words,
    align,
    find_verbatim,
    fragments,
    quote_words,
    words,
)
from cableqa.article import article_text, is_html
from cableqa.assistant import citation
from cableqa.errors import CableQAError
from cableqa.index_files import OpenIndex
from cableqa.quotes import Quote, cables_named, find_quotes
from cableqa.sections import paragraphs_between
from cableqa.terms import STOPWORDS, fts_query
from cableqa.text import split_sentences
from cableqa.types import StoredSection

# Candidates. The keyword index is searched for the quotation's RAREST_WORDS rarest words (any of
# them, BM25: a passage holding all ranks first, and one word changed leaves the others); the cables of
# the best KEYWORD_SECTIONS sections, CANDIDATE_CABLES at most, are compared word by word.
# FTS5 scores (BM25) every section a query matches, ~1 µs each ("the", in 110,327 of the 110,993 sections
# of a 20,000-cable synthetic index: 107 ms): the words and runs searched for one quotation add up to
# this many sections at most, so a query costs ~15 ms at any size. Below it (the 1,295 shared cables
# have 9,377 sections) every word counts.
SECTIONS_SCORED = 15_000
RAREST_WORDS = 6
KEYWORD_SECTIONS = 30
PHRASE_SECTIONS = 10  # sections holding the quotation's longest fragment as an FTS5 phrase (words in a row)
# A quotation found nowhere word for word is also searched as runs of SHINGLE_WORDS words, each a phrase.
SHINGLE_WORDS = 3
SHINGLES_SEARCHED = 24
CANDIDATE_CABLES = 8
DENSE_WINDOWS = 40  # windows FAISS returns for a quotation found nowhere word for word
DENSE_CABLES = 4  # of whose cables this many are compared too
# `altered`: the closest passage holds this share of the quotation's words, with a run of at least
# ALTERED_MIN_RUN of them in a row; below, the quotation is `not_found`. On eval/quotes over the 1,295
# shared cables, the closest passage held 0.833 of the words or more of every altered variant (0.733 of
# reporters' own changes at the 5th percentile), and 0.667 or less of 85 of the 87 quotations that no
# indexed cable holds (the 2 others are in it after all: eval/quotes/README.md).
ALTERED_MIN_COVERAGE = 0.7
ALTERED_MIN_RUN = 3
NEAREST_SHOWN = 3  # sentences listed, as not a match, for a quotation not found
# Bounds on what one check reads: an article, not a corpus. A longer quotation (a whole cable
# reproduced) is compared on its first QUOTE_MAX_WORDS words.
MAX_QUOTES = 500
QUOTE_MAX_WORDS = 400
ARTICLE_MAX_BYTES = 50_000_000  # an article, not a corpus: a larger file is refused before it is read
STATUSES = ("verbatim", "altered", "not_found")
BLANKS = re.compile(r"[\s•·-]+")  # blanks and the dashes or bullets that open list items


@dataclass(frozen=True)
class Passage:
    """A place in a cable: its paragraphs, the cable's sentences there, and the citation line."""

    doc_id: str
    paragraphs: tuple[int, ...]
    text: str
    citation: str


@dataclass(frozen=True)
class QuoteCheck:
    """What the cables say of one quotation. `passage` is where it is (`verbatim`, `altered`) or, for
    `not_found`, the nearest sentence, which is not a match (`nearest` lists the NEAREST_SHOWN nearest)."""

    quote: Quote
    status: str
    passage: Passage | None
    differences: tuple[Difference, ...] = ()
    named_in_article: bool = False
    nearest: tuple[Passage, ...] = ()

    def to_dict(self) -> dict:
        passage = self.passage
        return {
            "quote": self.quote.text,
            "status": self.status,
            "doc_id": passage.doc_id if passage else None,
            "paragraphs": list(passage.paragraphs) if passage else [],
            "cable_text": passage.text if passage else None,
            "differences": [difference.to_dict() for difference in self.differences],
            "named_in_article": self.named_in_article,
        }


@dataclass(frozen=True)
class NamedCable:
    doc_id: str  # as the article names it (a reference without its year: `STATE123456`)
    indexed: bool

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "indexed": self.indexed}


@dataclass(frozen=True)
class ArticleCheck:
    """Every quotation of an article, in order, with its verdict; and the cables the article names."""

    quotes: tuple[QuoteCheck, ...]
    cables_named: tuple[NamedCable, ...]
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "quotes": [quote.to_dict() for quote in self.quotes],
            "cables_named": [cable.to_dict() for cable in self.cables_named],
        }

    def counts(self) -> dict[str, int]:
        return {status: sum(quote.status == status for quote in self.quotes) for status in STATUSES}


@dataclass
class _Cable:
    """A candidate cable as matching reads it: its sections and their words, end to end."""

    sections: list[StoredSection]
    starts: list[int]  # where each section's text starts in `words.text`
    words: Words

    @cached_property
    def where(self) -> dict[str, list[int]]:
        return self.words.positions()


@dataclass
class _Pending:
    quote: Quote
    parts: list[Fragment]
    candidates: list[str]
    vector: np.ndarray | None = None
    checked: QuoteCheck | None = None


class Checker:
    """One article's check over an open index; `encode` gives quotation vectors (the query encoder),
    called only when some quotation is not found word for word."""

    def __init__(
        self,
        index: OpenIndex,
        encode: Callable[[list[str]], np.ndarray],
        frequencies: Callable[[list[str]], dict[str, int]],
    ) -> None:
        self.index = index
        self.encode = encode
        self.frequencies = frequencies
        self._cables: dict[str, _Cable | None] = {}

    def check(self, text: str) -> ArticleCheck:
        started = time.perf_counter()
        article = article_text(text) if is_html(text) else text
        quotes = find_quotes(article)
        if len(quotes) > MAX_QUOTES:
            raise CableQAError(
                f"the text holds {len(quotes):,} quotations; a check reads at most {MAX_QUOTES:,} (split the text)"
            )
        named = [NamedCable(doc_id, bool(self.index.store.indexed_among([doc_id]))) for doc_id in cables_named(article)]
        named_indexed = sorted(self.index.store.indexed_among([cable.doc_id for cable in named if cable.indexed]))
        pending = [self._pending(quote, named_indexed) for quote in quotes]
        for item in pending:
            item.checked = self._verbatim(item, named_indexed)
        unresolved = [item for item in pending if item.checked is None]
        if unresolved:
            vectors = self.encode([" ".join(" ".join(part.words) for part in item.parts) for item in unresolved])
            for item, vector in zip(unresolved, vectors, strict=True):
                item.vector = vector
                runs = self._cables_of(self._shingles(item.quote.text, item.parts), KEYWORD_SECTIONS)
                item.candidates = list(dict.fromkeys([*item.candidates, *runs, *self._dense(vector)]))
                item.checked = self._closest(item, named_indexed)
        return ArticleCheck(
            tuple(item.checked for item in pending), tuple(named), round(time.perf_counter() - started, 4)
        )

    # Candidates

    def _pending(self, quote: Quote, named: list[str]) -> _Pending:
        parts = _bounded(fragments(quote.text))
        longest = max(parts, key=lambda part: len(part.words), default=None)
        exact = self._cables_of(_phrase(quote.text, longest.spans), PHRASE_SECTIONS) if longest else []
        rarest = self._cables_of(self._rarest_words(parts), KEYWORD_SECTIONS)
        return _Pending(quote, parts, list(dict.fromkeys([*named, *exact, *rarest])))

    def _rarest_words(self, parts: list[Fragment]) -> str:
        """An FTS5 query for any of the quotation's RAREST_WORDS rarest words that the index holds, within
        the SECTIONS_SCORED budget (the rarest always)."""
        folded = list(dict.fromkeys(word for part in parts for word in part.words))
        content = [word for word in folded if word not in STOPWORDS] or folded
        frequency = self.frequencies(content)
        present = sorted((word for word in content if frequency[word]), key=lambda word: (frequency[word], word))
        return fts_query(_within_budget(present[:RAREST_WORDS], [frequency[word] for word in present]))

    def _shingles(self, text: str, parts: list[Fragment]) -> str:
        """An FTS5 query for any of the quotation's runs of SHINGLE_WORDS words (each holding a word that is
        not a stop word), SHINGLES_SEARCHED of them at most, spread over it, within the SECTIONS_SCORED
        budget (a run matches no more sections than its rarest word): a passage with a word or two
        changed still holds most of them."""
        runs: dict[str, tuple[str, ...]] = {}
        for part in parts:
            for start in range(max(len(part.words) - SHINGLE_WORDS + 1, 0)):
                run = part.words[start : start + SHINGLE_WORDS]
                if any(word not in STOPWORDS for word in run):
                    runs.setdefault(_phrase(text, part.spans[start : start + SHINGLE_WORDS]), run)
        step = max(1, -(-len(runs) // SHINGLES_SEARCHED))
        spread = list(runs)[::step]
        frequency = self.frequencies(sorted({word for phrase in spread for word in runs[phrase]}))
        bound = {phrase: min(frequency[word] for word in runs[phrase]) for phrase in spread}
        cheapest = sorted((phrase for phrase in spread if bound[phrase]), key=bound.__getitem__)
        kept = set(_within_budget(cheapest, [bound[phrase] for phrase in cheapest]))
        return " OR ".join(phrase for phrase in spread if phrase in kept)

    def _cables_of(self, match: str, sections: int) -> list[str]:
        """The cables of the `sections` best sections for an FTS5 query (BM25), CANDIDATE_CABLES at most."""
        rowids = self.index.store.keyword_search(match, sections, None) if match else []
        stored = self.index.store.sections(rowids)
        owners = dict.fromkeys(stored[rowid].doc_id for rowid in rowids if rowid in stored)
        return list(owners)[:CANDIDATE_CABLES]

    def _dense(self, vector: np.ndarray) -> list[str]:
        hits = self.index.vectors.search(vector, DENSE_WINDOWS)
        owners = self.index.store.doc_ids_of_windows(id_ for id_, _ in hits)
        return list(dict.fromkeys(owners[id_] for id_, _ in hits if id_ in owners))[:DENSE_CABLES]

    def _cable(self, doc_id: str) -> _Cable | None:
        if doc_id not in self._cables:
            self._cables[doc_id] = self._read_cable(doc_id)
        return self._cables[doc_id]

    def _read_cable(self, doc_id: str) -> _Cable | None:
        rowids = self.index.store.section_rowids_of(doc_id)
        stored = self.index.store.sections(rowids)
        sections = [stored[rowid] for rowid in rowids if rowid in stored]
        if not sections:
            return None
        starts, position = [], 0
        for section in sections:
            starts.append(position)
            position += len(section.section.text) + 2
        text = "\n\n".join(section.section.text for section in sections)
        return _Cable(sections, starts, words(text, cable=True))

    # Verdicts

    def _verbatim(self, item: _Pending, named: list[str]) -> QuoteCheck | None:
        for doc_id in item.candidates:
            cable = self._cable(doc_id)
            if cable is None:
                continue
            runs = find_verbatim(item.parts, cable.words, cable.where)
            if runs is not None:
                passage = _passage(cable, [(run.cable_start, run.cable_end) for run in runs])
                return QuoteCheck(item.quote, "verbatim", passage, (), doc_id in named)
        return None

    def _closest(self, item: _Pending, named: list[str]) -> QuoteCheck:
        said = quote_words(item.quote.text, item.parts)
        best = None
        for rank, doc_id in enumerate(item.candidates):
            cable = self._cable(doc_id)
            if cable is None:
                continue
            found = align(item.parts, said, cable.words, cable.where)
            if found is None:
                continue
            key = (found.coverage, found.longest, doc_id in named, -rank)
            if best is None or key > best[0]:
                best = (key, doc_id, cable, found)
        if best is not None:
            _, doc_id, cable, found = best
            if found.coverage >= ALTERED_MIN_COVERAGE and found.longest >= ALTERED_MIN_RUN:
                passage = _passage(cable, list(found.pieces))
                return QuoteCheck(item.quote, "altered", passage, found.differences, doc_id in named)
        nearest = self._nearest(item)
        return QuoteCheck(item.quote, "not_found", nearest[0] if nearest else None, nearest=nearest)

    def _nearest(self, item: _Pending) -> tuple[Passage, ...]:
        """The NEAREST_SHOWN sentences of the candidate cables nearest the quotation in meaning."""
        cables = {doc_id: cable for doc_id in item.candidates if (cable := self._cable(doc_id)) is not None}
        rowids = [section.rowid for cable in cables.values() for section in cable.sections]
        if not rowids or item.vector is None:
            return ()
        stored = self.index.store.sentences(rowids, self.index.manifest.dimension)
        scored = []
        for doc_id, cable in cables.items():
            for number, section in enumerate(cable.sections):
                sentences = stored.get(section.rowid)
                if sentences is None or not len(sentences.spans):
                    continue
                cosines = sentences.vectors @ item.vector
                for (start, end), cosine in zip(sentences.spans, cosines, strict=True):
                    scored.append((float(cosine), doc_id, number, start, end))
        scored.sort(key=lambda entry: -entry[0])
        passages = []
        for _, doc_id, number, start, end in scored[:NEAREST_SHOWN]:
            passages.append(_section_passage(cables[doc_id].sections[number], start, end))
        return tuple(passages)


def _phrase(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """An FTS5 phrase of `text` from the first span's start to the last's end: those words in a row."""
    return '"' + text[spans[0][0] : spans[-1][1]].replace('"', '""') + '"'


def _within_budget(items: list, costs: list[int]) -> list:
    """The first `items` (cheapest first) whose `costs` add up to SECTIONS_SCORED at most; the first always."""
    kept, spent = [], 0
    for item, cost in zip(items, costs, strict=False):
        if kept and spent + cost > SECTIONS_SCORED:
            break
        kept.append(item)
        spent += cost
    return kept


def _bounded(parts: list[Fragment]) -> list[Fragment]:
    """The fragments, cut after QUOTE_MAX_WORDS words."""
    kept, left = [], QUOTE_MAX_WORDS
    for part in parts:
        if left <= 0:
            break
        kept.append(Fragment(part.words[:left], part.spans[:left], part.after))
        left -= len(part.words)
    return kept


def _passage(cable: _Cable, runs: list[tuple[int, int]]) -> Passage:
    """The passage that cable words `runs` are in: their paragraphs, and the cable's sentences holding them."""
    paragraphs: list[int] = []
    sentences: dict[tuple[int, int], str] = {}  # (section, start) -> the sentence, for each sentence touched
    first_section = None
    for word_start, word_end in sorted(runs):
        start, end = cable.words.spans[word_start][0], cable.words.spans[word_end - 1][1]
        for number, section in enumerate(cable.sections):
            offset = cable.starts[number]
            local_start, local_end = max(start - offset, 0), min(end - offset, len(section.section.text))
            if local_start >= local_end:
                continue
            first_section = first_section or section
            paragraphs += paragraphs_between(section.section, local_start, local_end)
            spans = split_sentences(section.section.text)
            for order, (sentence_start, sentence_end) in enumerate(spans):
                if sentence_start < local_end and sentence_end > local_start:
                    sentences[(number, order)] = _sentence(section.section.text[sentence_start:sentence_end])
    paragraphs = list(dict.fromkeys(paragraphs))
    return Passage(
        first_section.doc_id, tuple(paragraphs), _joined(sentences), citation(first_section, tuple(paragraphs))
    )


def _sentence(text: str) -> str:
    """A cable sentence on one line, without the paragraph number and classification mark it may open with."""
    start = 0
    while match := CABLE_MARK.match(text, start) or BLANKS.match(text, start):
        if match.end() == start:
            break
        start = match.end()
    return " ".join(text[start:].split())


def _joined(sentences: dict[tuple[int, int], str]) -> str:
    """The sentences in order: one after the other where they follow each other, " … " where text lies between."""
    parts, previous = [], None
    for (section, order), sentence in sorted(sentences.items()):
        if parts:
            parts.append(" " if (section, order - 1) == previous else " … ")
        parts.append(sentence)
        previous = (section, order)
    return "".join(parts)


def _section_passage(section: StoredSection, start: int, end: int) -> Passage:
    paragraphs = paragraphs_between(section.section, start, end)
    return Passage(
        section.doc_id, paragraphs, _sentence(section.section.text[start:end]), citation(section, paragraphs)
    )


def read_article_file(name: str | os.PathLike) -> str:
    """The text of the article in a file; one clear `CableQAError` for what cannot be read."""
    path = Path(name)
    try:
        if path.is_dir():
            raise CableQAError(f"{name} is a folder, not an article")
        if path.stat().st_size > ARTICLE_MAX_BYTES:
            raise CableQAError(f"{name} is larger than {ARTICLE_MAX_BYTES // 1_000_000} MB: an article, not a corpus")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CableQAError(f"{name}: no such file") from None
    except OSError as error:
        raise CableQAError(f"{name}: cannot read ({error.strerror})") from None
    return article_from_bytes(data, str(name))


def article_from_bytes(data: bytes, where: str) -> str:
    """An article's bytes as text: UTF-8 (a byte-order mark dropped), at most ARTICLE_MAX_BYTES."""
    if len(data) > ARTICLE_MAX_BYTES:
        raise CableQAError(f"{where} is larger than {ARTICLE_MAX_BYTES // 1_000_000} MB: an article, not a corpus")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CableQAError(f"{where} is not UTF-8 text (byte {error.start + 1})") from None
