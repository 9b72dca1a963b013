"""The question-answering API: `load` an index, `ask` it questions.

This is the one path every front end takes: the CLI, the TUI and Python users call
the same `Assistant.ask`.
"""

from __future__ import annotations

import os
import shlex
import time
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from cableqa import paper_trail, ranking
from cableqa.errors import CableQAError
from cableqa.excerpt import opening
from cableqa.filters import FILTER_NAMES, Filters
from cableqa.index_files import OpenIndex, is_index, not_an_index, open_index
from cableqa.locations import default_index
from cableqa.question import Question, parse_question
from cableqa.search import retrieve, with_favoured_cables
from cableqa.sections import paragraphs_between
from cableqa.types import Answer, Cable, CableLink, FacetValue, Hit, RelatedCable, StoredSection, paragraph_range
from cableqa.wording import folder

if TYPE_CHECKING:
    from cableqa.check import ArticleCheck

CANDIDATES = 20  # sections whose sentences are read before the final order is set
# In a large index the keyword search takes the question's words rarest first while the sections
# holding them add up to at most KEYWORD_SECTIONS_SCORED (the rarest word always stays): FTS5 scores
# every section matching any word before it keeps the best, ~3 µs each, so this bounds its time at
# any size. At 100,000 cables (551,156 sections), keyword search alone over the 40 cables_dev
# questions, one run with a build beside it: every word p50 254 / p95 390 ms, 15,000 sections 43 / 120 ms.
# What it costs in answers, scaled to the 1,295 shared cables as at the full release (15,000 of
# 1.8 M sections, 0.83 %), excerpt@1: eval/test 0.693 -> 0.683 (confidently wrong 0.081 -> 0.063),
# cables_dev 0.725 -> 0.700, cables_heldout 0.55 -> 0.55; at 0.55 % (10,000) 0.672 / 0.675 / 0.55,
# too much. Up to KEYWORD_ALL_WORDS_UP_TO sections every word counts (docs/scale.md).
KEYWORD_SECTIONS_SCORED = 15_000
KEYWORD_ALL_WORDS_UP_TO = 100_000  # sections: about 14,000 real cables at the shared corpus's 7.2 a cable


@dataclass(frozen=True)
class IndexInfo:
    index_dir: str
    cables: int
    sections: int
    vectors: int
    model: str
    dimension: int
    built_at: str
    size_bytes: int


def load(index_dir: str | os.PathLike | None = None, *, model: str | None = None) -> Assistant:
    """Open the index in `index_dir` (default: `locations.default_index()`) for questions.

    `model` names the embedding model the caller expects (default: the index's own);
    an index built by another model is refused. A missing index is an error: building one
    is for `cableqa.load`, the CLI and the TUI, so that asking never imports the build.
    """
    directory = Path(index_dir) if index_dir is not None else default_index()
    if not is_index(directory):
        raise not_an_index(directory)
    index = open_index(directory)
    if model is not None:
        from cableqa.embed import resolve_model

        index.manifest.check_compatible(resolve_model(model)[0], directory)
    return Assistant(index)


class Assistant:
    """Answers questions from one open index. The query encoder is loaded by the first question:
    `cable`, `info` and `facets` need no model."""

    def __init__(self, index: OpenIndex):
        self.index = index
        self.weights = ranking.fitted_weights()
        self._frequency: dict[str, int] = {}  # per term; the index this assistant has open never changes
        self._encoder = None

    @property
    def encoder(self):
        if self._encoder is None:
            from cableqa.embed import load_encoder

            self._encoder = load_encoder(self.index.manifest.model_source, purpose="query")
        return self._encoder

    def ask(
        self,
        question: str,
        k: int = 5,
        *,
        origin: str | None = None,
        since: str | None = None,
        until: str | None = None,
        classification: str | None = None,
        tag: str | None = None,
        doc_id: str | None = None,
    ) -> Answer:
        """The `k` best cited excerpts for a question, best first, and whether the first answers it;
        for a question that is just an indexed cable's reference ID, its first `k` sections in order."""
        started = time.perf_counter()
        _check_arguments(question, k, origin, since, until, classification, tag, doc_id)
        self._require_cables()
        filters = Filters(origin, since, until, classification, tag, doc_id)
        filters.check(self.index)
        parsed = self.parse(question)
        cited = self.index.store.stored_id(parsed.reference) if parsed.reference else None
        if cited and not filters:
            hits = self._counting_references(self._first_sections(cited, k))
            return Answer(question, True, hits, time.perf_counter() - started, probability=1.0, verdict="answer")
        hits, probability, not_found = self._search(parsed, k, filters)
        hits = self._counting_references(hits)
        verdict = ranking.verdict(probability, not_found, self.weights)
        # With no hits, say whether the filters left no cable at all (then they, not the question, are why).
        excluded = not hits and bool(filters) and not self.index.store.filtered(filters)[0]
        return Answer(
            question,
            verdict == "answer",
            hits,
            time.perf_counter() - started,
            probability=round(probability, 4),
            filters=filters.items(),
            excluded_by_filters=excluded,
            verdict=verdict,
            not_found_probability=round(not_found, 4),
        )

    def check(self, text: str) -> ArticleCheck:
        """Where each quotation of an article comes from: `verbatim`, `altered` or `not_found` in the
        indexed cables, with the cable, paragraphs, its own words and the differences; and the cables
        the article names. `text`: plain text, Markdown or a saved web page (HTML, any site)."""
        from cableqa.check import Checker

        _check_text("the article", text)
        return Checker(self.index, lambda texts: self.encoder.encode(texts), self._frequencies).check(text)

    def _require_cables(self) -> None:
        """An index with no cable (built by a cableqa that allowed it) answers nothing: say why."""
        if not self.index.state.counts.get("cables"):
            directory = self.index.directory
            raise CableQAError(
                f"the index in {folder(directory)} holds no cables;"
                f" index some with `cableqa index CABLES --index {shlex.quote(str(directory))}`"
            )

    def cable(self, doc_id: str) -> Cable | None:
        """The whole indexed cable, with its sections; its ID in any case (`IndexReader.stored_id`)."""
        _check_text("doc_id", doc_id)
        stored = self.index.store.stored_id(doc_id)
        return None if stored is None else self.index.store.cable(stored)

    def files_of(self, doc_id: str) -> list[str]:
        """The indexed files that hold a cable (one cable may come in several, e.g. its page and a CSV dump)."""
        cable = self.cable(doc_id)
        return self.index.store.files_of(cable.doc_id) if cable is not None else []

    def info(self) -> IndexInfo:
        """What the open index holds: the state this assistant opened, whatever builds came since.

        The counts are those its build or update recorded (`IndexState`): counting the rows took 14 s at
        the full release with the file cached (~100 s without, the TUI "loading" all that time).
        `built_at` is when that build or update ended."""
        counts = self.index.state.counts
        return IndexInfo(
            index_dir=str(self.index.directory),
            cables=counts["cables"],
            sections=counts["sections"],
            vectors=counts["vectors"],
            model=self.index.manifest.model,
            dimension=self.index.manifest.dimension,
            built_at=self.index.state.updated_at,
            size_bytes=self.index.size_bytes,
        )

    def references(self, doc_id: str) -> list[CableLink]:
        """The cables `doc_id` cites, in REF-line order: (label, doc_id, indexed, subject, date)."""
        return paper_trail.references(self.index, doc_id)

    def cited_by(self, doc_id: str) -> list[CableLink]:
        """The indexed cables citing `doc_id`, oldest first."""
        return paper_trail.cited_by(self.index, doc_id)

    def related(self, doc_id: str, k: int = 5) -> list[RelatedCable]:
        """The `k` indexed cables nearest `doc_id` in meaning, except itself and the cables it cites."""
        return paper_trail.related(self.index, doc_id, k)

    def facets(self) -> dict[str, list[FacetValue]]:
        """What the filters can take: for "origin", "classification", "tag" and "year", each value
        present with how many cables have it (`FacetValue(value, count)`), most cables first (years in order)."""
        return self.index.store.facets()

    def parse(self, question: str) -> Question:
        """The question as ranking reads it: its words, their roles and weights, what it asks."""
        sections = self.index.state.counts.get("sections", 1)
        return parse_question(question, self._frequencies, sections, self._newest_year)

    @cached_property
    def _newest_year(self) -> int | None:
        return self.index.store.newest_year()

    def _frequencies(self, terms: list[str]) -> dict[str, int]:
        unknown = [term for term in terms if term not in self._frequency]
        if unknown:
            self._frequency.update(self.index.store.section_frequencies(unknown))
        return {term: self._frequency[term] for term in terms}

    def rank(self, question: Question, k: int, filters: Filters) -> list[ranking.RankedSection]:
        """Candidate sections for a question, each with every citable run scored, best first."""
        vectors = self.encoder.encode([question.text, question.focus])
        terms = self._keyword_terms(question)
        candidates = retrieve(self.index, vectors[0], terms, max(k, CANDIDATES), filters)
        thread = paper_trail.thread_of_question(self.index, question)
        candidates = self._with_thread(candidates, thread, vectors[0], terms, filters)
        sections = self.index.store.sections(candidate.rowid for candidate in candidates)
        candidates = with_favoured_cables(self.index, candidates, {rowid: s.doc_id for rowid, s in sections.items()})
        sections |= self.index.store.sections(c.rowid for c in candidates if c.rowid not in sections)
        sentences = self.index.store.sentences(sections, self.index.manifest.dimension)
        ranked = ranking.rank_sections(question, vectors, candidates, sections, sentences, self.weights)
        return paper_trail.prefer_thread(ranked, thread)

    def _keyword_terms(self, question: Question) -> list[str]:
        """The question's words the keyword search matches: in a large index, the rarest that fit its budget."""
        if not question.terms:
            return []
        sections = self.index.state.counts.get("sections", 1)
        if sections <= KEYWORD_ALL_WORDS_UP_TO:
            return list(question.terms)
        frequencies = self._frequencies(list(question.terms))
        kept, scored = set(), 0
        for term in sorted(question.terms, key=frequencies.__getitem__):
            if kept and scored + frequencies[term] > KEYWORD_SECTIONS_SCORED:
                break
            kept.add(term)
            scored += frequencies[term]
        return [term for term in question.terms if term in kept]

    def _counting_references(self, hits: tuple[Hit, ...]) -> tuple[Hit, ...]:
        """The hits with `cites` and `cited_by` set: the indexed cables each one's cable cites, and citing it."""
        counts = self.index.store.reference_counts(hit.doc_id for hit in hits)
        return tuple(replace(hit, cites=counts[hit.doc_id][0], cited_by=counts[hit.doc_id][1]) for hit in hits)

    def _with_thread(self, candidates, thread: set[str], vector, terms: list[str], filters: Filters) -> list:
        """The candidates, and the best sections of the thread's cables that retrieval left out."""
        if not thread:
            return candidates
        known = {candidate.rowid for candidate in candidates}
        more = retrieve(self.index, vector, terms, CANDIDATES, filters, within=tuple(sorted(thread)))
        return candidates + [candidate for candidate in more if candidate.rowid not in known]

    def _search(self, question: Question, k: int, filters: Filters) -> tuple[tuple[Hit, ...], float, float]:
        """The hits, the probability that the first answers, and the probability that nothing indexed does."""
        ranked = self.rank(question, k, filters)
        hits = tuple(
            _hit(
                rank,
                section.stored,
                section.span,
                section.highlights,
                section.score,
                section.contributions(self.weights),
            )
            for rank, section in enumerate(ranked[:k], start=1)
        )
        return (
            hits,
            ranking.probability(ranked, question, self.weights),
            ranking.not_found_probability(ranked, question, self.weights),
        )

    def _first_sections(self, doc_id: str, k: int) -> tuple[Hit, ...]:
        """A cable's first `k` sections in order, each with its opening as the excerpt."""
        store = self.index.store
        rowids = store.section_rowids_of(doc_id)[:k]
        sections = store.sections(rowids)
        return tuple(
            _hit(rank, sections[rowid], opening(sections[rowid].section.text), (), 1.0)
            for rank, rowid in enumerate(rowids, start=1)
        )


def _check_arguments(question, k, *filters) -> None:
    """One clear error for each argument of `ask` that is not what it should be."""
    _check_text("the question", question)
    if not question.strip():
        raise CableQAError("the question is empty")
    if isinstance(k, bool) or not isinstance(k, int):
        raise CableQAError(f"k must be a whole number, not {k!r}")
    if k < 1:
        raise CableQAError(f"k must be at least 1, not {k}")
    for name, value in zip(FILTER_NAMES, filters, strict=True):
        if value is not None:
            _check_text(name, value)


def _check_text(name: str, value: object) -> None:
    """`value` must be a str that can be written as UTF-8 (no lone surrogate from undecodable bytes)."""
    if not isinstance(value, str):
        raise CableQAError(f"{name} must be text, not {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise CableQAError(f"{name} is not valid text: invalid UTF-8 at character {error.start + 1}") from None


def _hit(
    rank: int,
    stored: StoredSection,
    span: tuple[int, int],
    highlights: tuple[tuple[int, int], ...],
    score: float,
    features: dict[str, float] | None = None,
) -> Hit:
    section = stored.section
    start, end = span
    paragraphs = paragraphs_between(section, start, end)
    return Hit(
        rank=rank,
        doc_id=stored.doc_id,
        section_id=section.id,
        section=section.name,
        paragraphs=paragraphs,
        section_paragraphs=section.paragraphs,
        score=round(score, 4),
        citation=citation(stored, paragraphs),
        excerpt=section.text[start:end],
        excerpt_start=start,
        excerpt_end=end,
        highlights=highlights,
        text=section.text,
        subject=stored.subject,
        date=stored.date,
        origin=stored.origin,
        classification=stored.classification,
        features=features or {},
    )


def citation(stored: StoredSection, paragraphs: tuple[int, ...]) -> str:
    """The line under an excerpt, naming the `paragraphs` it spans, e.g.
    "07PARIS4695 ¶2 · III. Country Actions … › Law Enforcement Efforts · 2007-12-13 · Embassy Paris · UNCLASSIFIED"."""
    where = f"{stored.doc_id} {paragraph_range(paragraphs)}".strip()
    parts = [where, stored.section.name, (stored.date or "")[:10], stored.origin, stored.classification]
    return " · ".join(part for part in parts if part)
