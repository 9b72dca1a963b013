"""Follow the paper trail: what a cable cites, what cites it, and the cables nearest it in meaning.

Edges come from the REF lines stored at indexing time (`store.cable_refs`); whether
the cable at the other end is indexed is read at query time, so a cable indexed
later resolves the references to it, and a cable dropped takes its own edges along.
Nothing here needs the embedding model: `related` compares stored window vectors.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np

from cableqa.errors import CableQAError
from cableqa.index_files import OpenIndex
from cableqa.question import Question
from cableqa.types import CableLink, RelatedCable
from cableqa.wording import folder

T = TypeVar("T")

# `related` reranks this many cables (per related cable asked for) found through their
# nearest windows; enough that a cable whose best window ranks low still gets compared.
RELATED_POOL_PER_RESULT = 4
RELATED_POOL_MIN = 20
WINDOWS_PER_CABLE = 12  # windows fetched per pooled cable (a cable has ~12 windows on the corpus, README)


def indexed_id(index: OpenIndex, doc_id: str) -> str:
    """The ID `doc_id` is indexed under, given in any case (`07paris4695 ` -> `07PARIS4695`,
    `IndexReader.stored_id`); a one-line error when it is not indexed."""
    stored = index.store.stored_id(doc_id)
    if stored is None:
        raise CableQAError(f"{doc_id.strip() or 'an empty ID'} is not in the index in {folder(index.directory)}")
    return stored


def references(index: OpenIndex, doc_id: str) -> list[CableLink]:
    """The cables `doc_id` cites, in the order of its REF line, indexed or not."""
    return index.store.references_of(indexed_id(index, doc_id))


def cited_by(index: OpenIndex, doc_id: str) -> list[CableLink]:
    """The indexed cables that cite `doc_id`, oldest first."""
    return index.store.citing(indexed_id(index, doc_id))


def related(index: OpenIndex, doc_id: str, k: int = 5) -> list[RelatedCable]:
    """The `k` indexed cables nearest `doc_id` in meaning, itself and the cables it cites excluded.

    A cable's vector is the normalised mean of its window vectors; candidates are the
    cables owning the windows nearest that vector (FAISS), reranked by the cosine of
    their own mean vectors with it.
    """
    doc_id = indexed_id(index, doc_id)
    if k < 1:
        raise CableQAError(f"k must be at least 1, not {k}")
    query = _cable_vector(index, doc_id)
    if query is None:
        return []
    excluded = {doc_id} | {link.doc_id for link in index.store.references_of(doc_id)}
    pool_size = max(RELATED_POOL_MIN, RELATED_POOL_PER_RESULT * k)
    # The excluded cables' windows are often the nearest of all: a long cable's filled every window
    # searched (402 of them: nothing related). So as many more are searched as they have.
    hits = index.vectors.search(query, pool_size * WINDOWS_PER_CABLE + index.store.window_count(excluded))
    owners = index.store.doc_ids_of_windows(id_ for id_, _ in hits)
    pool = [owner for owner in dict.fromkeys(owners[id_] for id_, _ in hits) if owner not in excluded][:pool_size]
    scored = []
    for candidate in pool:
        vector = _cable_vector(index, candidate)
        if vector is not None:
            scored.append((float(vector @ query), candidate))
    scored.sort(key=lambda item: (-item[0], item[1]))
    summaries = index.store.cable_summaries(candidate for _, candidate in scored[:k])
    return [RelatedCable(candidate, *summaries[candidate], round(score, 4)) for score, candidate in scored[:k]]


def thread_of_question(index: OpenIndex, question: Question) -> set[str]:
    """The indexed cables that cite a cable the question names ("What did Paris reply to STATE
    123456?"), and that cable itself when indexed: the thread the question asks about."""
    named = question.cited
    if not named:
        return set()
    return index.store.cables_citing_any(named) | index.store.indexed_among(named)


def prefer_thread(ranked: list[T], thread: set[str]) -> list[T]:
    """The preference for a named cable's thread: its sections first, each group in score order.

    Applied to the ranked sections (`ranking.RankedSection`, anything with `.stored.doc_id`);
    scale-free, so it leaves the ranking's own scores alone.
    """
    if not thread:
        return ranked
    return sorted(ranked, key=lambda section: section.stored.doc_id not in thread)


def _cable_vector(index: OpenIndex, doc_id: str) -> np.ndarray | None:
    vectors = index.store.window_vectors_of(doc_id, index.manifest.dimension)
    if not len(vectors):
        return None
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else None
