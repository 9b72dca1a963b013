"""The FAISS half of an index: window vectors, searched by inner product.

Vectors are L2-normalised, so inner product is cosine similarity. The ids are the
window rowids of the SQLite store. This is the only module that imports faiss.

Up to `EXACT_UP_TO` windows the index is exact (a flat scan). Above it, a flat scan grows
slow and large (the full Cablegate release is ~3 M windows: 4.6 GB, ~0.4 s a query), so
the windows go into an inverted file of `lists_for(n)` k-means cells with 8-bit scalar
quantisation (1 byte a dimension: ~1.2 GB at 3 M), and a query scans the `PROBED_SHARE` of the
cells nearest to it. Filters are applied inside the scan (an `IDSelector`), before
ranking; a filter that admits a share f of the windows probes 1/f times as many cells, so
about as many admitted windows are compared as without one (a one-cable filter probes all
cells, i.e. is exact).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from cableqa.errors import IndexDamaged

# Windows up to which search is exact. Measured (benchmarks/bench_scale.py; docs/scale.md) on the
# 2-core machine: a flat scan for 200 neighbours takes ~11 ms at 100 k windows and ~25 ms at 200 k,
# against a 150 ms budget for a whole answer; below 100 k windows (~8,000 cables) exact costs little.
EXACT_UP_TO = 100_000
# Cells of the inverted file: ~4·sqrt(n) (the usual FAISS guidance), so a cell holds ~sqrt(n)/4 windows.
LISTS_PER_SQRT = 4
# Share of the cells a query scans. Recall@10 against exact search on the shared corpus's 15,630 real
# window vectors (IVF400, benchmarks/bench_ann.py; docs/scale.md): 0.978 for its questions and 0.992 for
# windows as queries at 8 % (32 cells), 0.938 and 0.984 at 4 %. A share, not a count, so that recall holds
# as cells multiply with the corpus (at 3 M windows: 555 of 6,928 cells, ~240,000 codes a query).
PROBED_SHARE = 0.08
# Training vectors per cell for k-means, and the fewest FAISS accepts without a warning.
TRAINING_PER_LIST = 64
MIN_TRAINING_PER_LIST = 39


def lists_for(count: int) -> int:
    """Cells of the inverted file for `count` vectors."""
    return max(1, min(int(LISTS_PER_SQRT * math.sqrt(count)), count // MIN_TRAINING_PER_LIST))


def probed_lists(lists: int, admitted: float = 1.0) -> int:
    """Cells a query scans when a filter admits the share `admitted` of the windows: as many admitted
    windows are compared as without a filter, so a narrow filter scans every cell (exact)."""
    return min(lists, math.ceil(PROBED_SHARE * lists / max(admitted, 1e-9)))


class Vectors:
    def __init__(self, index, path: Path | None = None):
        self._index = index
        self.path = path  # the file it was loaded from, if any

    @classmethod
    def from_arrays(cls, ids: np.ndarray, vectors: np.ndarray, dimension: int, *, exact_up_to: int | None = None):
        """An index of these vectors: exact while there are at most `exact_up_to`, approximate above."""

        def sample(count: int) -> np.ndarray:
            step = max(1, len(vectors) // count)
            return vectors[::step][:count]

        return cls.build(dimension, len(ids), [(ids, vectors)], sample, exact_up_to=exact_up_to)

    @classmethod
    def build(
        cls,
        dimension: int,
        count: int,
        chunks: Iterable[tuple[np.ndarray, np.ndarray]],
        sample: Callable[[int], np.ndarray],
        *,
        exact_up_to: int | None = None,
    ) -> Vectors:
        """An index of `count` vectors arriving as (ids, vectors) chunks, so they need never all be in
        memory at once; `sample(n)` gives about n of them, spread over the whole set, to train on.
        Exact up to `exact_up_to` vectors (default `EXACT_UP_TO`), approximate above."""
        import faiss

        if count <= (EXACT_UP_TO if exact_up_to is None else exact_up_to):
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        else:
            lists = lists_for(count)
            index = faiss.index_factory(dimension, f"IVF{lists},SQ8", faiss.METRIC_INNER_PRODUCT)
            index.train(np.ascontiguousarray(sample(lists * TRAINING_PER_LIST), dtype=np.float32))
            index.nprobe = probed_lists(lists)
        for ids, vectors in chunks:
            if len(ids):
                index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
        return cls(index)

    @classmethod
    def load(cls, path: Path, dimension: int) -> Vectors:
        import faiss

        try:
            index = faiss.read_index(str(path))
        except RuntimeError as error:
            raise IndexDamaged(path.parent.parent, f"cannot read {path.name}: {error.args[0]}") from None
        if index.d != dimension:
            raise IndexDamaged(
                path.parent.parent, f"{path.name} has dimension {index.d}, the manifest says {dimension}"
            )
        return cls(index, path)

    def apply_changes(self, removed_ids: np.ndarray, added: Iterable[tuple[np.ndarray, np.ndarray]]) -> None:
        """Bring vectors loaded from a file up to date: remove the windows removed since it was written,
        add the (ids, vectors) chunks added since (to an approximate index, in the cells it was trained on)."""
        import faiss

        if len(removed_ids):
            self._index.remove_ids(faiss.IDSelectorBatch(removed_ids.astype(np.int64)))
        for ids, vectors in added:
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))

    def save(self, path: Path) -> None:
        """Write the index through Python's file object, so a full disk is an `OSError` (ENOSPC)."""
        import faiss

        with open(path, "wb") as handle:
            handle.write(faiss.serialize_index(self._index))

    def __len__(self) -> int:
        return self._index.ntotal

    @property
    def exact(self) -> bool:
        return not hasattr(self._index, "nlist")

    def search(self, query: np.ndarray, limit: int, allowed_ids: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(window id, cosine) of the nearest windows, best first; only `allowed_ids` when given."""
        import faiss

        limit = min(limit, len(self))
        if limit <= 0 or (allowed_ids is not None and not len(allowed_ids)):
            return []
        selector = None if allowed_ids is None else _bitmap_selector(allowed_ids)
        if self.exact:
            params = None if selector is None else faiss.SearchParameters(sel=selector)
        else:
            admitted = 1.0 if allowed_ids is None else len(allowed_ids) / len(self)
            params = faiss.SearchParametersIVF(nprobe=probed_lists(self._index.nlist, admitted), sel=selector)
        scores, ids = self._index.search(query.reshape(1, -1).astype(np.float32), limit, params=params)
        if not np.isfinite(scores[ids != -1]).all():  # garbled vectors: never rank by NaN
            where = self.path.parent.parent if self.path else "memory"
            raise IndexDamaged(where, "its vectors hold values that are not numbers")
        return [(int(id_), float(score)) for id_, score in zip(ids[0], scores[0], strict=True) if id_ != -1]


def _bitmap_selector(ids: np.ndarray):
    """A FAISS selector of these ids: a bitmap, one bit per id up to the largest. At 2.55 M windows
    with a filter admitting 257,383, it took 1.5 ms to make and 76 ms to search against a hash set's
    (`IDSelectorBatch`) 42 and 160 ms (docs/scale.md)."""
    import faiss

    admitted = np.zeros(int(ids.max()) + 1, dtype=bool)
    admitted[ids] = True
    return faiss.IDSelectorBitmap(np.packbits(admitted, bitorder="little"))
