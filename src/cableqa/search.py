"""Hybrid retrieval: dense (FAISS) and keyword (FTS5 BM25) candidates, fused per section.

Dense search runs over windows; a section scores by its best window, so a long
section is found by whatever part of it answers. Both rankings are merged with
reciprocal rank fusion (RRF, Cormack et al. 2009): score = sum of 1 / (k + rank)
over the rankings a section appears in. RRF needs no score calibration between
cosine and BM25, which have nothing in common but their order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from cableqa.errors import CableQAError, did_you_mean
from cableqa.index_files import OpenIndex
from cableqa.terms import fts_query

RRF_K = 60
DENSE_WINDOWS = 200  # windows fetched from FAISS before grouping into sections
KEYWORD_SECTIONS = 100


@dataclass(frozen=True)
class Filters:
    """Restrictions on which cables may answer; all given ones must hold."""

    origin: str | None = None
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None  # YYYY-MM-DD, inclusive
    classification: str | None = None
    tag: str | None = None
    doc_id: str | None = None

    def __bool__(self) -> bool:
        return any(value is not None for value in vars(self).values())

    def sql(self) -> tuple[list[str], list]:
        """SQL conditions on the `cables` table (aliased `c`) and their parameters."""
        conditions, params = [], []
        for name in ("origin", "classification", "doc_id"):
            value = getattr(self, name)
            if value is not None:
                conditions.append(f"lower(c.{name}) = lower(?)")
                params.append(value)
        if self.tag is not None:
            conditions.append("c.doc_id IN (SELECT doc_id FROM cable_tags WHERE lower(tag) = lower(?))")
            params.append(self.tag)
        if self.since is not None:
            conditions.append("c.date >= ?")
            params.append(_parse_day(self.since, "since").isoformat())
        if self.until is not None:
            conditions.append("c.date < ?")
            params.append((_parse_day(self.until, "until") + timedelta(days=1)).isoformat())
        return conditions, params

    def check(self, index: OpenIndex) -> None:
        """Refuse a value no indexed cable has: a typo should not silently return nothing."""
        for name in ("origin", "classification", "tag", "doc_id"):
            value = getattr(self, name)
            if value is None:
                continue
            known = index.store.known_values(name)
            if value.lower() not in {choice.lower() for choice in known}:
                hint = did_you_mean(value, known) or " (`cableqa info` lists the values indexed)"
                raise CableQAError(f"no indexed cable has {name} {value!r}{hint}")
        if self.since and self.until and _parse_day(self.since, "since") > _parse_day(self.until, "until"):
            raise CableQAError(f"--since {self.since} is after --until {self.until}")


@dataclass(frozen=True)
class Candidate:
    """A section retrieval found, with its ranks (1-based; None where that half missed it)."""

    rowid: int
    dense_rank: int | None
    keyword_rank: int | None
    window_cosine: float | None  # its best window's cosine with the question, when dense search found it


def retrieve(
    index: OpenIndex, question_vector: np.ndarray, terms: list[str], limit: int, filters: Filters
) -> list[Candidate]:
    """The `limit` best sections for a question by fused rank, best first."""
    allowed_sections, allowed_windows = None, None
    if filters:
        allowed_sections, allowed_windows = index.store.filtered(*filters.sql())
    dense = _dense_sections(index, question_vector, allowed_windows)
    keyword = index.store.keyword_search(fts_query(terms), KEYWORD_SECTIONS, allowed_sections)
    dense_ranks = {rowid: rank for rank, rowid in enumerate(dense, start=1)}
    keyword_ranks = {rowid: rank for rank, rowid in enumerate(keyword, start=1)}
    fused: dict[int, float] = {}
    for ranks in (dense_ranks, keyword_ranks):
        for rowid, rank in ranks.items():
            fused[rowid] = fused.get(rowid, 0.0) + 1 / (RRF_K + rank)
    best = sorted(fused, key=lambda rowid: (-fused[rowid], rowid))[:limit]
    return [Candidate(rowid, dense_ranks.get(rowid), keyword_ranks.get(rowid), dense.get(rowid)) for rowid in best]


def _dense_sections(index: OpenIndex, question_vector: np.ndarray, allowed_windows) -> dict[int, float]:
    """Section rowid -> its best window's cosine with the question, best first."""
    hits = index.vectors.search(question_vector, DENSE_WINDOWS, allowed_windows)
    windows = index.store.windows(id_ for id_, _ in hits)
    best: dict[int, float] = {}
    for id_, score in hits:  # FAISS returns windows best first, so a section's first window is its best one
        best.setdefault(windows[id_].section_rowid, score)
    return best


REFERENCE_ID = re.compile(r"^\s*(\d{2}[A-Z][A-Z0-9-]*?\d+)\s*$", re.IGNORECASE)


def reference_id(question: str) -> str | None:
    """The cable reference ID a question consists of ("07PARIS4695"), if it is nothing else."""
    match = REFERENCE_ID.match(question)
    return match.group(1).upper() if match else None


def document_frequencies(index: OpenIndex, terms: list[str]) -> dict[str, int]:
    """How many indexed sections hold each term."""
    return {term: index.store.document_frequency(term) for term in terms}


def _parse_day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CableQAError(f"--{name} wants a date as YYYY-MM-DD, not {value!r}") from None
