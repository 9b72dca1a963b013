"""The question-answering API: `load` an index, `ask` it questions.

This is the one path every front end takes: the CLI, the TUI and Python users call
the same `Assistant.ask`.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from cableqa import excerpt as excerpts
from cableqa.errors import CableQAError
from cableqa.indexing import OpenIndex, Progress, build, open_index
from cableqa.search import Filters, idf, reference_id, retrieve
from cableqa.store import StoredSection
from cableqa.terms import asked_dates, asks_quantity, focus_clause, named_terms, quantities, query_terms
from cableqa.types import Answer, Cable, Hit, paragraph_range

# An answer is confident when its best sentence is close to the question in meaning
# (cosine with the question and its focus clause), or somewhat close and sharing enough
# of the question's rarer words: any one (min cosine, min idf share) pair suffices.
# Set on the dev sets together with questions the seed does not answer (README, "Quality").
CONFIDENT_IF = ((0.50, 0.0), (0.40, 0.30), (0.25, 0.60))
CANDIDATES = 20  # sections whose sentences are read before the final order is set
FOCUS_WEIGHT = 2.0  # how much more a word of the question's focus clause counts in a sentence
NAME_WEIGHT = 0.35  # how much a name in the question counts there (see `terms.named_terms`)
FUSED_WEIGHT = 20.0  # retrieval's fused score against the best sentence's, in the final order
# A cable's summary restates its paragraphs in brief; when both match, cite the paragraph.
SUMMARY_PENALTY = 0.2
# Questions about cables say when ("in September 2009"): a cable of that month, or
# failing that of that year, is the likelier source (README, "How answers are chosen").
DATE_BONUS = 0.2
YEAR_SHARE = 0.5
SUMMARY_TITLE = re.compile(r"\s*summary", re.IGNORECASE)


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


def load(
    index_dir: str | os.PathLike = "index",
    *,
    model: str | None = None,
    progress: Progress | None = None,
    build_missing: bool = True,
) -> Assistant:
    """Open the index in `index_dir`; build it from `seeds/` first when it is missing.

    `model` names the embedding model the caller expects (default: the index's own);
    an index built by another model is refused. `build_missing=False` makes a
    missing index an error instead.
    """
    directory = Path(index_dir)
    if not (directory / "manifest.json").exists():
        if not build_missing:
            raise CableQAError(
                f"{directory} is not a cableqa index; build one with `cableqa index --index {directory}`"
            )
        build(None, directory, model=model, progress=progress)
    index = open_index(directory)
    if model is not None:
        from cableqa.embed import resolve_model

        index.manifest.check_compatible(resolve_model(model)[0], directory)
    return Assistant(index)


class Assistant:
    """Answers questions from one open index."""

    def __init__(self, index: OpenIndex):
        from cableqa.embed import load_encoder

        self.index = index
        self.encoder = load_encoder(index.manifest.model_source, purpose="query")

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
        """The `k` best cited excerpts for a question, best first, and whether the first answers it."""
        started = time.perf_counter()
        if not isinstance(question, str) or not question.strip():
            raise CableQAError("the question is empty")
        if k < 1:
            raise CableQAError(f"k must be at least 1, not {k}")
        filters = Filters(origin, since, until, classification, tag, doc_id)
        filters.check(self.index)
        cited = reference_id(question)
        if cited and self.index.store.cable(cited) is not None and not filters:
            hits = self._whole_cable(cited)
            return Answer(question, True, hits, time.perf_counter() - started)
        hits, confident = self._search(question.strip(), k, filters)
        return Answer(question, confident, hits, time.perf_counter() - started)

    def cable(self, doc_id: str) -> Cable | None:
        """The whole indexed cable, with its sections."""
        return self.index.store.cable(doc_id.strip().upper())

    def info(self) -> IndexInfo:
        return describe(self.index)

    def facets(self) -> dict[str, list[str]]:
        """The filter values present in the index."""
        return self.index.store.facets()

    def _search(self, question: str, k: int, filters: Filters) -> tuple[tuple[Hit, ...], bool]:
        terms = query_terms(question)
        focus = focus_clause(question)
        focus_terms = set(query_terms(focus))
        named = named_terms(question)
        weights = {
            term: weight * (FOCUS_WEIGHT if term in focus_terms else 1.0) * (NAME_WEIGHT if term in named else 1.0)
            for term, weight in idf(self.index, terms).items()
        }
        vectors = self.encoder.encode([question, focus])
        when = asked_dates(question)
        asked_quantity = quantities(question) if asks_quantity(question) else None
        candidates = retrieve(self.index, vectors[0], terms, max(k, CANDIDATES), filters)
        sections = self.index.store.sections(candidate.rowid for candidate in candidates)
        sentences = self.index.store.sentences(sections, self.index.manifest.dimension)
        scored = []
        for candidate in candidates:
            stored = sections[candidate.rowid]
            section = stored.section
            cited = excerpts.excerpt(
                section.text, sentences[candidate.rowid], vectors, terms, weights, section.title, asked_quantity
            )
            scored.append((_final_score(candidate.score, cited, stored, when), stored, cited))
        scored.sort(key=lambda item: -item[0])
        hits = tuple(
            _hit(rank, stored, cited, score) for rank, (score, stored, cited) in enumerate(scored[:k], start=1)
        )
        return hits, bool(scored) and _confident(scored[0][2])

    def _whole_cable(self, doc_id: str) -> tuple[Hit, ...]:
        store = self.index.store
        sections = store.sections(store.section_rowids_of(doc_id))
        hits = []
        for rank, rowid in enumerate(store.section_rowids_of(doc_id), start=1):
            hits.append(_hit(rank, sections[rowid], excerpts.opening(sections[rowid].section.text), 1.0))
        return tuple(hits)


def describe(index: OpenIndex) -> IndexInfo:
    """What an open index holds (needs no model)."""
    counts = index.store.counts()
    return IndexInfo(
        index_dir=str(index.directory),
        cables=counts["cables"],
        sections=counts["sections"],
        vectors=counts["vectors"],
        model=index.manifest.model,
        dimension=index.manifest.dimension,
        built_at=index.manifest.built_at,
        size_bytes=index.size_bytes(),
    )


def _final_score(
    fused: float, excerpt: excerpts.Excerpt, stored: StoredSection, when: tuple[set[str], set[str]]
) -> float:
    """Order sections by retrieval rank fused with how well their best sentence answers."""
    own_title = stored.section.title.rsplit(" › ", 1)[-1]
    penalty = SUMMARY_PENALTY if SUMMARY_TITLE.match(own_title) else 0.0
    return fused * FUSED_WEIGHT + excerpt.score - penalty + DATE_BONUS * _date_agreement(stored.date, when)


def _date_agreement(date: str | None, when: tuple[set[str], set[str]]) -> float:
    """How well a cable's date fits the dates a question names: 1 for the month named or
    the month after (cables report what just happened), YEAR_SHARE for the year alone."""
    years, months = when
    if not date:
        return 0.0
    year, month = date[:4], date[:7]
    if month in months or _previous_month(month) in months:
        return 1.0
    return YEAR_SHARE if year in years else 0.0


def _previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - (number == 1)}-{(number - 2) % 12 + 1:02d}"


def _confident(excerpt: excerpts.Excerpt) -> bool:
    return any(excerpt.dense >= dense and excerpt.lexical >= lexical for dense, lexical in CONFIDENT_IF)


def _hit(rank: int, stored: StoredSection, excerpt: excerpts.Excerpt, score: float) -> Hit:
    section = stored.section
    return Hit(
        rank=rank,
        doc_id=stored.doc_id,
        section_id=section.id,
        section=section.title,
        paragraphs=section.paragraphs,
        score=round(score, 4),
        citation=citation(stored),
        excerpt=section.text[excerpt.start : excerpt.end],
        excerpt_start=excerpt.start,
        excerpt_end=excerpt.end,
        highlights=excerpt.highlights,
        text=section.text,
        subject=stored.subject,
        date=stored.date,
        origin=stored.origin,
        classification=stored.classification,
    )


def citation(stored: StoredSection) -> str:
    """The line under an excerpt, e.g.
    "07PARIS4695 ¶2 · III. Country Actions … › Law Enforcement Efforts · 2007-12-13 · Embassy Paris · UNCLASSIFIED"."""
    where = f"{stored.doc_id} {paragraph_range(stored.section.paragraphs)}".strip()
    parts = [where, stored.section.title, (stored.date or "")[:10], stored.origin, stored.classification]
    return " · ".join(part for part in parts if part)
