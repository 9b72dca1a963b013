"""The write side of an index database, used by the build only: the files indexed, storing cables
and their embedded windows and sentences, the build's own bookkeeping, and the vectors FAISS is
built from.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from cableqa.cutting import EmbeddedSection, SectionText
from cableqa.index_files import IndexState
from cableqa.store import codes, schema
from cableqa.store.reading import IndexReader
from cableqa.store.schema import SECTION_TEXT, file_name, stored_name
from cableqa.types import Cable, Section

# How long a write waits for a reader's brief lock (switching to write-ahead log needs a moment alone).
BUSY_TIMEOUT_MS = 10_000


class IndexWriter(IndexReader):
    """A connection to a build's own database: a new generation's, or the current one's to update in place.

    In place (`in_place`), the whole update is one transaction: `commit` only marks progress (it
    commits nothing), and `commit_build` commits it all, with the new state, at once. Readers, and
    a kill at any moment, see the state before or the one after, never a mix.
    """

    writable = True

    def __init__(self, path: Path, *, in_place: bool = False):
        self.in_place = in_place
        self._next_window_id: int | None = None  # `_take_window_ids`
        super().__init__(path)
        if in_place:
            self.db.execute("DELETE FROM build_progress")  # the last build's counts; this update counts its own

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA foreign_keys = ON")
        schema.prepare(db)
        return db

    def drop_source(self, path: str) -> set[str]:
        """Forget a source file and the cables no other indexed file holds.

        Returns the other files to read again: those holding a cable whose stored copy came from `path`.
        """
        reread = self.release(path, self.cables_held_by(path))
        self.db.execute("DELETE FROM sources WHERE path = ?", (stored_name(path),))
        return reread

    def cables_held_by(self, path: str) -> set[str]:
        return {
            row[0]
            for row in self.db.execute("SELECT doc_id FROM cable_files WHERE source_path = ?", (stored_name(path),))
        }

    def release(self, path: str, doc_ids: set[str]) -> set[str]:
        """`path` no longer holds these cables: drop each one no other file holds, or whose
        stored copy came from `path`; return the other files holding a dropped cable, to read again.

        Those files are marked unread (hashed to "") with the drop, so that a build stopped before
        it read them again reads them when it resumes, and the cable is not lost."""
        key = stored_name(path)
        reread = set()
        for doc_id in sorted(doc_ids):
            self.db.execute("DELETE FROM cable_files WHERE doc_id = ? AND source_path = ?", (doc_id, key))
            others = [
                row[0] for row in self.db.execute("SELECT source_path FROM cable_files WHERE doc_id = ?", (doc_id,))
            ]
            read_from = self.db.execute("SELECT source_path FROM cables WHERE doc_id = ?", (doc_id,)).fetchone()
            if not others or (read_from is not None and read_from[0] == key):
                self.drop_cable(doc_id)
                reread.update(file_name(other) for other in others)
        self.db.executemany(
            "UPDATE sources SET sha256 = '' WHERE path = ?", [(stored_name(other),) for other in reread]
        )
        return reread

    def keep_cable(self, cable: Cable, source_path: str) -> bool:
        """Note that `source_path` holds `cable`, unchanged from its stored copy (its digest
        is the same), and return True; False when the cable is new or changed."""
        key = stored_name(source_path)
        row = self.db.execute("SELECT digest, source_path FROM cables WHERE doc_id = ?", (cable.doc_id,)).fetchone()
        if row is None or row[0] != cable_digest(cable):
            return False
        self.db.execute("INSERT OR IGNORE INTO cable_files VALUES (?, ?)", (cable.doc_id, key))
        if row[1] == key:  # a row of a dump may have moved: keep "path#row" true
            self.db.execute("UPDATE cables SET source = ? WHERE doc_id = ?", (stored_name(cable.source), cable.doc_id))
        return True

    def drop_cable(self, doc_id: str) -> None:
        section_rows = "SELECT rowid FROM sections WHERE doc_id = ?"
        self.db.execute(f"DELETE FROM windows WHERE section_rowid IN ({section_rows})", (doc_id,))
        self.db.execute(f"DELETE FROM sentences WHERE section_rowid IN ({section_rows})", (doc_id,))
        self.db.execute(f"DELETE FROM sections_fts WHERE rowid IN ({section_rows})", (doc_id,))
        self.db.execute("DELETE FROM sections WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM cable_tags WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM cable_refs WHERE citing = ?", (doc_id,))
        self.db.execute("DELETE FROM cables WHERE doc_id = ?", (doc_id,))

    def add_source(self, path: str, sha256: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO sources(path, sha256) VALUES (?, ?)", (stored_name(path), sha256))

    def add_cable(self, cable: Cable, source_path: str) -> list[int]:
        """Store a cable (replacing an earlier one with the same ID); return its section rowids."""
        self.drop_cable(cable.doc_id)
        self.db.execute(
            "INSERT INTO cables(doc_id, source_path, source, subject, date, released, origin, classification,"
            " tags, refs, body, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cable.doc_id,
                stored_name(source_path),
                stored_name(cable.source),
                cable.subject,
                cable.date,
                cable.released,
                cable.origin,
                cable.classification,
                json.dumps(list(cable.tags)),
                json.dumps(list(cable.references)),
                cable.body,
                cable_digest(cable),
            ),
        )
        self.db.executemany("INSERT INTO cable_tags VALUES (?, ?)", [(cable.doc_id, tag) for tag in cable.tags])
        self.db.executemany(
            "INSERT INTO cable_refs VALUES (?, ?, ?, ?, ?)",
            [(cable.doc_id, n, ref.label, ref.doc_id, ref.written) for n, ref in enumerate(cable.cited)],
        )
        self.db.execute("INSERT OR IGNORE INTO cable_files VALUES (?, ?)", (cable.doc_id, stored_name(source_path)))
        rowids = []
        for ord_, section in enumerate(cable.sections):
            cursor = self.db.execute(
                "INSERT INTO sections(id, doc_id, ord, title, paragraphs, start, end) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    section.id,
                    cable.doc_id,
                    ord_,
                    section.title,
                    json.dumps(list(section.paragraphs)),
                    *_span(cable, section),
                ),
            )
            rowid = cursor.lastrowid
            self.db.execute(
                "INSERT INTO sections_fts(rowid, subject, title, text) VALUES (?, ?, ?, ?)",
                (rowid, cable.subject, section.title, section.text),
            )
            rowids.append(rowid)
        return rowids

    def put_embedded(self, section: EmbeddedSection) -> None:
        """Store a section's windows and sentences with their vectors, in place of any it had.

        A new window's id is above every id the vector file holds (`IndexState.vectors_upto`), even one
        removed since, so that a reader tells the windows added since the file from those in it."""
        for table in ("windows", "sentences"):
            self.db.execute(f"DELETE FROM {table} WHERE section_rowid = ?", (section.rowid,))
        first = self._take_window_ids(len(section.windows))
        self.db.executemany(
            "INSERT INTO windows(id, section_rowid, start, end, vector) VALUES (?, ?, ?, ?, ?)",
            [
                (first + n, section.rowid, start, end, code)
                for n, ((start, end), code) in enumerate(
                    zip(section.windows, codes.encode(section.window_vectors), strict=True)
                )
            ],
        )
        self.db.executemany(
            "INSERT INTO sentences(section_rowid, start, end, vector) VALUES (?, ?, ?, ?)",
            [
                (section.rowid, start, end, code)
                for (start, end), code in zip(section.sentences, codes.encode(section.sentence_vectors), strict=True)
            ],
        )

    def put_all_embedded(self, sections: Iterable[EmbeddedSection]) -> None:
        for section in sections:
            self.put_embedded(section)

    def _take_window_ids(self, count: int) -> int:
        """The first of `count` new window ids (found once, then counted: this writer is the only one)."""
        if self._next_window_id is None:
            upto = self.db.execute(
                "SELECT json_extract(value, '$.vectors.upto') FROM index_state WHERE key = 'state'"
            ).fetchone()
            self._next_window_id = max(self.largest_window_id(), (upto and upto[0]) or 0) + 1
        first, self._next_window_id = self._next_window_id, self._next_window_id + count
        return first

    def put_state(self, state: IndexState, *, new_vector_file: bool) -> None:
        """Record what the generation holds. A `new_vector_file` holds every window there is, so the
        windows removed from the one before are no longer to be removed from it."""
        if new_vector_file:
            self.db.execute("DELETE FROM windows_removed")
        self.db.execute("INSERT OR REPLACE INTO index_state VALUES ('state', ?)", (state.to_json(),))

    def vector_changes(self, upto: int) -> int:
        """How many windows were added or removed since the vector file holding the windows up to `upto`."""
        added = self.db.execute("SELECT count(*) FROM windows WHERE id > ?", (upto,)).fetchone()[0]
        return added + self.db.execute("SELECT count(*) FROM windows_removed").fetchone()[0]

    def largest_window_id(self) -> int:
        return self.db.execute("SELECT max(id) FROM windows").fetchone()[0] or 0

    def count_terms(self) -> None:
        """Bring `term_sections` in line with the FTS index (one pass over it: 18-38 s at 251,287 cables).

        Only the counts that changed are written: an update in place adding a few cables rewrites a
        few thousand rows, not the table (every page written goes to the write-ahead log, on disk).
        """
        self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.text_terms USING fts5vocab(main, sections_fts, 'col')")
        self.db.execute("DROP TABLE IF EXISTS temp.counted")
        self.db.execute("CREATE TEMP TABLE counted (term TEXT PRIMARY KEY, sections INTEGER NOT NULL) WITHOUT ROWID")
        self.db.execute("INSERT INTO temp.counted SELECT term, doc FROM temp.text_terms WHERE col = 'text'")
        self.db.execute("DELETE FROM term_sections WHERE term NOT IN (SELECT term FROM temp.counted)")
        self.db.execute(
            "INSERT INTO term_sections SELECT term, sections FROM temp.counted WHERE true"
            " ON CONFLICT(term) DO UPDATE SET sections = excluded.sections WHERE sections != excluded.sections"
        )
        self.db.execute("DROP TABLE temp.counted")
        self._term_counts = None

    def count_progress(self, name: str) -> None:
        """Add one to the build's count `name`; it is committed with the work it counts."""
        self.db.execute(
            "INSERT INTO build_progress VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1", (name,)
        )

    def progress_count(self, name: str) -> int:
        row = self.db.execute("SELECT value FROM build_progress WHERE name = ?", (name,)).fetchone()
        return 0 if row is None else row[0]

    def commit(self) -> None:
        """Commit the work so far: a build resumes from here. In place, nothing is committed before `commit_build`."""
        if not self.in_place:
            self.db.commit()

    def commit_build(self) -> None:
        """Commit the build's last work (all of an update in place), then copy the write-ahead log into
        the database file as far as no reader still reading an older state holds it, without waiting
        for those readers (the log is emptied by the last connection to close, or the next update)."""
        self.db.commit()
        self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def holds_cables(self) -> bool:
        """Whether any cable is stored (without counting them all)."""
        return self.db.execute("SELECT 1 FROM cables LIMIT 1").fetchone() is not None

    def pending_sections(self) -> list[int]:
        """Rowids of the sections not embedded yet: those without windows, or with a window or sentence
        still without a vector (a partial generation of an older cableqa stored spans before vectors)."""
        rows = self.db.execute(
            "SELECT rowid FROM sections WHERE rowid NOT IN (SELECT section_rowid FROM windows)"
            " UNION SELECT section_rowid FROM windows WHERE vector IS NULL"
            " UNION SELECT section_rowid FROM sentences WHERE vector IS NULL ORDER BY 1"
        )
        return [row[0] for row in rows]

    def section_texts(self, rowids: list[int]) -> list[SectionText]:
        """The text and context of sections, in rowid order."""
        marks = ",".join("?" * len(rowids))
        rows = self.db.execute(
            f"SELECT s.rowid, c.subject, s.title, {SECTION_TEXT} FROM sections s JOIN cables c ON c.doc_id = s.doc_id"
            f" WHERE s.rowid IN ({marks}) ORDER BY s.rowid",
            rowids,
        )
        return [SectionText(*row) for row in rows]

    def vector_dimension(self) -> int | None:
        """The length of the stored window vectors; None while there are none."""
        row = self.db.execute("SELECT length(vector) FROM windows WHERE vector IS NOT NULL LIMIT 1").fetchone()
        if row is None:
            return None
        return row[0] // 4 if self._legacy_vectors else codes.dimension_of(row[0])  # legacy: float32

    def sample_window_vectors(self, dimension: int, count: int) -> np.ndarray:
        """About `count` window vectors spread evenly over the whole index (to train an approximate index on)."""
        total = self.counts()["vectors"]
        step = max(1, total // max(count, 1))
        rows = self.db.execute(
            "SELECT id, vector FROM (SELECT id, vector, row_number() OVER (ORDER BY id) AS n"
            " FROM windows WHERE vector IS NOT NULL) WHERE n % ? = 0 LIMIT ?",
            (step, count),
        ).fetchall()
        return self._vector_rows(rows, dimension)[1]


def cable_digest(cable: Cable) -> str:
    """What an update compares to tell a changed cable: all it holds but where it was read from
    (a row of a dump keeps its digest when other rows come or go)."""
    content = {name: value for name, value in cable.to_dict().items() if name != "source"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _span(cable: Cable, section: Section) -> tuple[int, int]:
    """Where `section` lies in the cable's body, which is all the index keeps of its text."""
    if cable.body[section.start : section.end] != section.text:
        raise ValueError(f"{section.id}: a section must be its cable's body[start:end]")
    return section.start, section.end
