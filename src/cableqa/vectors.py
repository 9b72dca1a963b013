"""The FAISS half of an index: window vectors, searched by inner product.

Vectors are L2-normalised, so inner product is cosine similarity. The ids are the
window rowids of the SQLite store. This is the only module that imports faiss.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cableqa.errors import CableQAError


class Vectors:
    def __init__(self, index):
        self._index = index

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
            raise CableQAError(f"cannot read the vector index {path}: {error.args[0].splitlines()[0]}") from error
        if index.d != dimension:
            raise CableQAError(f"the vector index {path} has dimension {index.d}, the manifest says {dimension}")
        return cls(index)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

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
        return [(int(id_), float(score)) for id_, score in zip(ids[0], scores[0], strict=True) if id_ != -1]
