"""How the index database keeps vectors: 8-bit codes and one scale per vector.

A unit vector of 384 float32 components is 1,536 bytes (768 as float16, as sentences were kept
before); as int8 codes scaled by its largest component it is 388. On the 1,295 shared cables the
codes' cosine with the stored vectors is 0.99997 on average (worst 0.99989), and the answers to
`eval/test` are the same (docs/scale.md, "Disk"). FAISS is built from these codes too, so the
database holds the only copy of each vector and the FAISS file can always be rebuilt from it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# `PRAGMA user_version` of a database in this format (codes, the text once); 0 is the format before,
# whose windows were float32 and sentences float16 (`LEGACY_TYPES`), read as they are.
CODES_FORMAT = 3
LEGACY_TYPES = {"windows": np.float32, "sentences": np.float16}
SCALE_TYPE = np.dtype("<f4")  # the scale leads each code, so a blob is self-contained
CODE_RANGE = 127  # int8's symmetric range: the largest component maps to ±127


def encode(vectors: np.ndarray) -> list[bytes]:
    """One blob per row of `vectors` (n, dimension): its scale, then its int8 codes."""
    vectors = np.asarray(vectors, dtype=np.float32)
    largest = np.abs(vectors).max(axis=1, keepdims=True) if len(vectors) else np.ones((0, 1), np.float32)
    scales = np.where(largest > 0, largest / CODE_RANGE, 1.0).astype(SCALE_TYPE)
    codes = np.clip(np.rint(vectors / scales), -CODE_RANGE, CODE_RANGE).astype(np.int8)
    return [scale.tobytes() + code.tobytes() for scale, code in zip(scales, codes, strict=True)]


def decode(blobs: Sequence[bytes], dimension: int) -> np.ndarray:
    """float32 (len(blobs), dimension) from blobs `encode` made."""
    width = SCALE_TYPE.itemsize + dimension
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), width)
    scales = raw[:, : SCALE_TYPE.itemsize].copy().view(SCALE_TYPE)
    return raw[:, SCALE_TYPE.itemsize :].view(np.int8).astype(np.float32) * scales


def decode_legacy(blobs: Sequence[bytes], dimension: int, table: str) -> np.ndarray:
    """float32 (len(blobs), dimension) from a format-0 database's `table` ("windows", "sentences")."""
    values = np.frombuffer(b"".join(blobs), dtype=LEGACY_TYPES[table])
    return values.reshape(len(blobs), dimension).astype(np.float32)


def dimension_of(blob_length: int) -> int:
    """The dimension of the vector a code of `blob_length` bytes holds."""
    return blob_length - SCALE_TYPE.itemsize


def recode_legacy(table: str):
    """A SQLite function turning one format-0 blob of `table` into a code (to convert an index in place)."""

    def recode(blob: bytes | None) -> bytes | None:
        if blob is None:
            return None
        vector = np.frombuffer(blob, dtype=LEGACY_TYPES[table]).astype(np.float32)
        return encode(vector[None, :])[0]

    return recode
