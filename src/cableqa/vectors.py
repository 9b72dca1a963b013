"""The FAISS half of an index: window vectors, searched by inner product.

Vectors are L2-normalised, so inner product is cosine similarity. The ids are the
window rowids of the SQLite store. This is the only module that imports faiss.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cableqa.errors import IndexDamaged


class Vectors:
    def __init__(self, index, path: Path | None = None):
        self._index = index
        self.path = path  # the file it was loaded from, if any

    @classmethod
    def from_arrays(cls, ids: np.ndarray, vectors: np.ndarray, dimension: int) -> Vectors:
        import faiss

        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
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

    def save(self, path: Path) -> None:
        """Write the index through Python's file object, so a full disk is an `OSError` (ENOSPC)."""
        import faiss

        with open(path, "wb") as handle:
            handle.write(faiss.serialize_index(self._index))

    def __len__(self) -> int:
        return self._index.ntotal

    def search(self, query: np.ndarray, limit: int, allowed_ids: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(window id, cosine) of the nearest windows, best first; only `allowed_ids` when given."""
        import faiss

        params = None
        if allowed_ids is not None:
            if not len(allowed_ids):
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed_ids.astype(np.int64)))
        limit = min(limit, len(self))
        if limit <= 0:
            return []
        scores, ids = self._index.search(query.reshape(1, -1).astype(np.float32), limit, params=params)
        if not np.isfinite(scores[ids != -1]).all():  # garbled vectors: never rank by NaN
            where = self.path.parent.parent if self.path else "memory"
            raise IndexDamaged(where, "its vectors hold values that are not numbers")
        return [(int(id_), float(score)) for id_, score in zip(ids[0], scores[0], strict=True) if id_ != -1]
