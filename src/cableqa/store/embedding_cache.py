"""What an update in place has embedded, kept beside the index until the update commits.

An update in place is one SQLite transaction (`IndexWriter(in_place=True)`): one that is killed
loses all of it, by design, so that the index is the old one or the new one. The model's work is
the costly part, so each batch it embeds is committed here first, keyed by what was embedded (the
model and the section's subject, title and text, never a rowid, which the next run may assign
anew); the next run reads the files again and takes these vectors instead of embedding again.
The vectors are kept as the index keeps them (`codes`: decoding and encoding again gives the same
codes), so the index an update makes is the same, byte for byte, whether or not it was stopped.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import numpy as np

from cableqa.cutting import EmbeddedSection, SectionText
from cableqa.store import codes

UPDATE_CACHE = "update.partial.sqlite"  # in the index folder

SCHEMA = """
CREATE TABLE IF NOT EXISTS embedded (
    key TEXT PRIMARY KEY,
    windows TEXT NOT NULL,
    window_vectors BLOB NOT NULL,
    sentences TEXT NOT NULL,
    sentence_vectors BLOB NOT NULL
)
"""


class EmbeddingCache:
    def __init__(self, index_dir: Path, model: str):
        self.path = index_dir / UPDATE_CACHE
        self.model = model
        try:
            self.db = sqlite3.connect(self.path)
            self.db.execute(SCHEMA)
            self.db.execute("SELECT count(*) FROM embedded").fetchone()
        except sqlite3.DatabaseError:  # torn by a crash, or not ours: what it held is embedded again
            self.db.close()
            self.path.unlink(missing_ok=True)
            self.db = sqlite3.connect(self.path)
            self.db.execute(SCHEMA)

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM embedded").fetchone()[0]

    def key(self, section: SectionText) -> str:
        what = json.dumps([self.model, section.subject, section.title, section.text], ensure_ascii=False)
        return hashlib.sha256(what.encode()).hexdigest()

    def has(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM embedded WHERE key = ?", (key,)).fetchone() is not None

    def get(self, section: SectionText) -> EmbeddedSection | None:
        """The section as embedded before, under its rowid now; None when it was not."""
        row = self.db.execute(
            "SELECT windows, window_vectors, sentences, sentence_vectors FROM embedded WHERE key = ?",
            (self.key(section),),
        ).fetchone()
        if row is None:
            return None
        windows, sentences = (list(map(tuple, json.loads(spans))) for spans in (row[0], row[2]))
        width = len(row[1]) // len(windows)  # a section has one window or more
        return EmbeddedSection(section.rowid, windows, _decode(row[1], width), sentences, _decode(row[3], width))

    def put(self, sections: list[EmbeddedSection], keys: dict[int, str]) -> None:
        """Keep a batch as embedded (`keys`: each section's key, by its rowid) and commit it."""
        self.db.executemany(
            "INSERT OR REPLACE INTO embedded VALUES (?, ?, ?, ?, ?)",
            [
                (
                    keys[section.rowid],
                    json.dumps(section.windows),
                    b"".join(codes.encode(section.window_vectors)),
                    json.dumps(section.sentences),
                    b"".join(codes.encode(section.sentence_vectors)),
                )
                for section in sections
            ],
        )
        self.db.commit()

    def remove(self) -> None:
        """The update committed: nothing here is needed any more."""
        self.db.close()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        self.db.close()


def _decode(blob: bytes, width: int) -> np.ndarray:
    """The vectors of `codes.encode`'s blobs of `width` bytes each, joined."""
    blobs = [blob[start : start + width] for start in range(0, len(blob), width)]
    return codes.decode(blobs, codes.dimension_of(width)) if blobs else np.zeros((0, codes.dimension_of(width)))
