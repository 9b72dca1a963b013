"""The vector index: exact while small, approximate (IVF + 8-bit scalar quantisation) above a size,
with filters applied inside the scan. Thresholds are lowered here so small data crosses them."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FIXTURES, SEEDS

import cableqa
from cableqa import vectors as vectors_module
from cableqa.index_files import open_index
from cableqa.vectors import Vectors

DIMENSION = 32


@pytest.fixture(scope="module")
def clustered():
    """3,000 unit vectors in 60 clusters, with ids that are not their positions."""
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((60, DIMENSION))
    points = centres[rng.integers(0, 60, 3000)] + 0.35 * rng.standard_normal((3000, DIMENSION))
    points = (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)
    ids = np.arange(3000, dtype=np.int64) * 7 + 5
    return ids, points


def top_ids(index: Vectors, query: np.ndarray, k: int = 10, allowed=None) -> list[int]:
    return [id_ for id_, _ in index.search(query, k, allowed)]


def test_small_indexes_are_exact_and_large_ones_approximate(clustered):
    ids, points = clustered
    assert Vectors.from_arrays(ids, points, DIMENSION, exact_up_to=len(ids)).exact
    assert not Vectors.from_arrays(ids, points, DIMENSION, exact_up_to=len(ids) - 1).exact


def test_approximate_search_finds_nearly_what_exact_search_finds(clustered):
    ids, points = clustered
    exact = Vectors.from_arrays(ids, points, DIMENSION, exact_up_to=len(ids))
    approximate = Vectors.from_arrays(ids, points, DIMENSION, exact_up_to=100)
    queries = points[:100] + 0.05
    recall = np.mean([len(set(top_ids(exact, q)) & set(top_ids(approximate, q))) / 10 for q in queries])
    assert recall >= 0.9


def test_filters_apply_before_ranking_in_the_approximate_index(clustered, monkeypatch):
    monkeypatch.setattr(vectors_module, "PROBED_SHARE", 0.02)  # unfiltered, a query scans 2 of 76 cells
    ids, points = clustered
    exact = Vectors.from_arrays(ids, points, DIMENSION, exact_up_to=len(ids))
    approximate = Vectors.from_arrays(ids, points, DIMENSION, exact_up_to=100)
    allowed = ids[::40]  # 75 of 3,000: a filter this narrow probes every cell
    for query in points[1:20]:
        found = top_ids(approximate, query, allowed=allowed)
        assert len(found) == 10 and set(found) <= set(allowed)
        assert len(set(found) & set(top_ids(exact, query, allowed=allowed))) >= 9
    assert top_ids(approximate, points[0], allowed=ids[[1234]]) == [int(ids[1234])]
    assert top_ids(approximate, points[0], allowed=np.array([], dtype=np.int64)) == []


def test_an_index_past_the_threshold_is_built_approximate_and_still_answers(tmp_path, monkeypatch):
    monkeypatch.setattr(vectors_module, "EXACT_UP_TO", 40)
    index_dir = tmp_path / "index"
    cableqa.build([SEEDS, FIXTURES / "cables"], index_dir, model="hashing")
    index = open_index(index_dir)
    assert len(index.vectors) > 40 and not index.vectors.exact
    qa = cableqa.load(index_dir, build_missing=False)
    answer = qa.ask("heroin seized at Dunkerque", doc_id="07PARIS4695")
    assert answer.hits and {hit.doc_id for hit in answer.hits} == {"07PARIS4695"}
    assert qa.ask("heroin seized at Dunkerque").hits[0].doc_id == "07PARIS4695"
