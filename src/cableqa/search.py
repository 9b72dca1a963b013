"""Hybrid retrieval: dense (FAISS) and keyword (FTS5 BM25) candidates, fused per section.

Dense search runs over windows; a section scores by its best window, so a long
section is found by whatever part of it answers. Both rankings are merged with
reciprocal rank fusion (RRF, Cormack et al. 2009): score = sum of 1 / (k + rank)
over the rankings a section appears in. RRF needs no score calibration between
cosine and BM25, which have nothing in common but their order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cableqa.filters import Filters
from cableqa.index_files import OpenIndex
from cableqa.terms import fts_query

RRF_K = 60
DENSE_WINDOWS = 200  # windows fetched from FAISS before grouping into sections
KEYWORD_SECTIONS = 100
# The cables the candidates favour most (by their sections' summed fused weight) bring their other
# sections along, up to SECTIONS_PER_EXPANDED_CABLE each: a reporter's or a terse question often
# finds the right cable through one section while the answer is in another (eval/README.md).
EXPANDED_CABLES = 3
SECTIONS_PER_EXPANDED_CABLE = 12


@dataclass(frozen=True)
class Candidate:
    """A section retrieval found, with its ranks (1-based; None where that half missed it)."""

    rowid: int
    dense_rank: int | None
    keyword_rank: int | None
    window_cosine: float | None  # its best window's cosine with the question, when dense search found it


def retrieve(
    index: OpenIndex,
    question_vector: np.ndarray,
    terms: list[str],
    limit: int,
    filters: Filters,
    within: tuple[str, ...] = (),
) -> list[Candidate]:
    """The `limit` best sections for a question by fused rank, best first (of the cables `within`, when given)."""
    allowed_sections, allowed_windows = None, None
    if filters or within:
        allowed_sections, allowed_windows = index.store.filtered(filters, within)
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


def cable_votes(candidates: list[Candidate], doc_of: dict[int, str]) -> dict[str, float]:
    """Each cable's share of the retrieved candidates' fused weight, 1 / (RRF_K + rank) summed over its
    sections (sections that only came along with their cable cast no vote)."""
    mass: dict[str, float] = dict.fromkeys(doc_of.values(), 0.0)
    for rank, candidate in enumerate(candidates, start=1):
        if candidate.dense_rank is None and candidate.keyword_rank is None:
            continue
        doc_id = doc_of[candidate.rowid]
        mass[doc_id] = mass.get(doc_id, 0.0) + 1.0 / (RRF_K + rank)
    total = sum(mass.values()) or 1.0
    return {doc_id: value / total for doc_id, value in mass.items()}


def with_favoured_cables(index: OpenIndex, candidates: list[Candidate], doc_of: dict[int, str]) -> list[Candidate]:
    """The candidates, then the other sections of the EXPANDED_CABLES cables they favour most."""
    votes = cable_votes(candidates, doc_of)
    favoured = sorted(votes, key=lambda doc_id: (-votes[doc_id], doc_id))[:EXPANDED_CABLES]
    known = {candidate.rowid for candidate in candidates}
    added = []
    for doc_id in favoured:
        others = [rowid for rowid in index.store.section_rowids_of(doc_id) if rowid not in known]
        added += [Candidate(rowid, None, None, None) for rowid in others[:SECTIONS_PER_EXPANDED_CABLE]]
    return candidates + added
