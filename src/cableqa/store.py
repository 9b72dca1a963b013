"""The SQLite half of an index: cables, sections, embedded windows and an FTS5 table.

One database file per index generation. Each thing is kept once: a cable's text in `cables.body`
(a section is a span of it, read with `SECTION_TEXT`; FTS5 indexes the `section_texts` view as
its external content), and each vector as an 8-bit code (`vector_codes`) from which the FAISS
file is built, so the two never drift apart (the FAISS id of a window is its rowid here).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cableqa import vector_codes
from cableqa.errors import IndexDamaged
from cableqa.types import Cable, CableLink, FacetValue, Reference, Section

FTS_TOKENIZER = "porter unicode61"  # of `sections_fts`, and of the question words looked up in `term_sections`
# A section's text (`s`) from its cable's body (`c`): SQLite's substr counts characters, as Python does.
SECTION_TEXT = "substr(c.body, s.start + 1, s.end - s.start)"

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS sources (
    path TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cables (
    doc_id TEXT PRIMARY KEY,
    source_path TEXT NOT NULL REFERENCES sources(path),
    source TEXT NOT NULL,
    subject TEXT NOT NULL,
    date TEXT,
    released TEXT,
    origin TEXT NOT NULL,
    classification TEXT NOT NULL,
    tags TEXT NOT NULL,
    refs TEXT NOT NULL,
    body TEXT NOT NULL,
    digest TEXT  -- `cable_digest`: an update re-embeds a cable only when this changes
);
CREATE INDEX IF NOT EXISTS cables_by_source ON cables(source_path);
-- What filters, their values and the facets read, without reading the cables' bodies: at 251,287
-- cables, a filter on origin scanned 2.3 GB of cable rows (3.1 s with the file cached), the facets 2.1 s.
CREATE INDEX IF NOT EXISTS cables_by_origin ON cables(origin COLLATE NOCASE, doc_id);
CREATE INDEX IF NOT EXISTS cables_by_classification ON cables(classification COLLATE NOCASE, doc_id);
CREATE INDEX IF NOT EXISTS cables_by_date ON cables(date, doc_id);
CREATE INDEX IF NOT EXISTS cables_by_id_nocase ON cables(doc_id COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS cable_tags (
    doc_id TEXT NOT NULL REFERENCES cables(doc_id),
    tag TEXT NOT NULL
);
DROP INDEX IF EXISTS cable_tags_by_tag;  -- an older cableqa's: filters now match tags without case
CREATE INDEX IF NOT EXISTS cable_tags_by_tag_nocase ON cable_tags(tag COLLATE NOCASE, doc_id);
-- Storing a cable first deletes its old tags: without this, each cable scanned every tag row,
-- and reading 100,000 cables took 19 min (quadratic in the cables already stored).
CREATE INDEX IF NOT EXISTS cable_tags_by_doc ON cable_tags(doc_id);
CREATE TABLE IF NOT EXISTS sections (
    rowid INTEGER PRIMARY KEY,
    id TEXT UNIQUE NOT NULL,
    doc_id TEXT NOT NULL REFERENCES cables(doc_id),
    ord INTEGER NOT NULL,
    title TEXT NOT NULL,
    paragraphs TEXT NOT NULL,
    start INTEGER NOT NULL,  -- the section's text is body[start:end] of its cable
    end INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sections_by_doc ON sections(doc_id, ord);
-- What FTS5 indexes, read from the cables' bodies: the text is not kept a second and third time.
CREATE VIEW IF NOT EXISTS section_texts AS
    SELECT s.rowid AS section_rowid, c.subject AS subject, s.title AS title, {SECTION_TEXT} AS text
    FROM sections s JOIN cables c ON c.doc_id = s.doc_id;
CREATE VIRTUAL TABLE IF NOT EXISTS sections_fts USING fts5(
    subject, title, text, content = 'section_texts', content_rowid = 'section_rowid', tokenize = '{FTS_TOKENIZER}'
);
-- How many sections' text holds each FTS term (a stemmed word), filled at the end of each build
-- (`count_terms`): counting at ask time took up to 300 ms a common word at 251,287 cables.
CREATE TABLE IF NOT EXISTS term_sections (
    term TEXT PRIMARY KEY,
    sections INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS windows (
    id INTEGER PRIMARY KEY,
    section_rowid INTEGER NOT NULL REFERENCES sections(rowid),
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    vector BLOB
);
CREATE INDEX IF NOT EXISTS windows_by_section ON windows(section_rowid);
CREATE TABLE IF NOT EXISTS sentences (
    id INTEGER PRIMARY KEY,
    section_rowid INTEGER NOT NULL REFERENCES sections(rowid),
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    vector BLOB
);
CREATE INDEX IF NOT EXISTS sentences_by_section ON sentences(section_rowid);
CREATE TABLE IF NOT EXISTS cable_refs (
    citing TEXT NOT NULL REFERENCES cables(doc_id),
    ord INTEGER NOT NULL,
    label TEXT NOT NULL,
    target TEXT,
    written TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cable_refs_by_citing ON cable_refs(citing, ord);
CREATE INDEX IF NOT EXISTS cable_refs_by_target ON cable_refs(target);
CREATE INDEX IF NOT EXISTS cable_refs_by_series ON cable_refs(substr(target, 3));
CREATE TABLE IF NOT EXISTS cable_files (
    doc_id TEXT NOT NULL,
    source_path TEXT NOT NULL,
    PRIMARY KEY (doc_id, source_path)
);
CREATE INDEX IF NOT EXISTS cable_files_by_source ON cable_files(source_path);
-- Counts of what the build of this generation did, committed with the work they count, so that a
-- build stopped and resumed reports the whole of it (`indexing`); not copied to the next build.
CREATE TABLE IF NOT EXISTS build_progress (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""
# Every file holding each cable (`cables.source_path` is the one its stored copy was read
# from): a cable stays while any of them does. Indexes built before this table get it
# filled from `cables` when next updated.
BACKFILL_CABLE_FILES = "INSERT OR IGNORE INTO cable_files SELECT doc_id, source_path FROM cables"
# A generation copied to start the next build leaves behind the counts of the build that made it.
FORGET_BUILD_PROGRESS = "DROP TABLE IF EXISTS build_progress"
# Indexes built before per-cable digests get the column (empty: each such cable is
# re-embedded once, the next time a file holding it changes).
ADD_DIGEST_COLUMN = "ALTER TABLE cables ADD COLUMN digest TEXT"

# Where each filter's values are stored: (table, column).
FILTER_VALUES = {
    "origin": ("cables", "origin"),
    "classification": ("cables", "classification"),
    "doc_id": ("cables", "doc_id"),
    "tag": ("cable_tags", "tag"),
}
BEYOND_ASCII = "*[^ -~]*"  # GLOB: a value holding a character other than printable ASCII
# A question word the FTS tokenizer splits ("u.s.", "2009-10") has no row in `term_sections`: its
# sections are counted at ask time, up to this many, beyond which it is taken to be as common as
# its rarest term. Counting "u.s." took 228 ms at 251,287 cables, up to 15,000 7 ms; below 15,000
# sections (the shared corpus has 9,377) every count is exact.
PHRASE_SECTIONS_COUNTED = 15_000
# Filters whose result a read-only store keeps (the latest ones). Asking again under the same
# filters, as the TUI does from one question to the next, then skips the join that finds what
# they admit: 1.0 of 1.4 s per ask at 100,000 cables with a filter admitting a tenth of them
# (docs/scale.md). Each result kept holds ~5 MB per 100,000 windows admitted.
FILTERS_KEPT = 4


@dataclass(frozen=True)
class StoredSection:
    """A section row with the metadata of its cable, as search needs it."""

    rowid: int
    section: Section
    doc_id: str
    subject: str
    date: str | None
    origin: str
    classification: str


@dataclass(frozen=True)
class Window:
    id: int
    section_rowid: int
    start: int  # offsets into the section text
    end: int


@dataclass(frozen=True)
class SectionText:
    """A section as embedding reads it: its text and its context."""

    rowid: int
    subject: str
    title: str
    text: str


@dataclass(frozen=True)
class EmbeddedSection:
    """What embedding a section gives: the spans of its windows and sentences, with their vectors."""

    rowid: int
    windows: list[tuple[int, int]]  # (start, end) in the section text
    window_vectors: np.ndarray  # float32 (len(windows), dimension)
    sentences: list[tuple[int, int]]
    sentence_vectors: np.ndarray  # float32 (len(sentences), dimension)

    @property
    def vectors(self) -> int:
        return len(self.windows) + len(self.sentences)


@dataclass(frozen=True)
class Sentences:
    """The excerpt units of one section: spans into its text and their vectors."""

    spans: list[tuple[int, int]]
    vectors: np.ndarray  # float32 (len(spans), dimension)


def _reads(method):
    """A query of the open index: SQLite (or a row it returns) found damaged becomes one clear error."""

    @functools.wraps(method)
    def guarded(self: Store, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.DatabaseError, ValueError) as error:  # ValueError: a garbled JSON column or vector blob
            raise self._damaged(error) from None

    return guarded


def stored_name(path: str) -> str | bytes:
    """A file name as the database keeps it: text, or its bytes when it is not valid UTF-8 (lossless)."""
    return path if _is_text(path) else os.fsencode(path)


def file_name(stored: str | bytes) -> str:
    """The file name `stored_name` kept, as the file system gives it."""
    return os.fsdecode(stored) if isinstance(stored, bytes) else stored


class Store:
    """A connection to one index database, with the queries cableqa needs."""

    def __init__(self, path: Path, *, readonly: bool = False):
        self.path = path
        # A read-only store is one generation, which never changes: what a filter admits is kept.
        self._filter_cache: OrderedDict[tuple, object] | None = OrderedDict() if readonly else None
        self._beyond_ascii: dict[str, dict[str, tuple[str, ...]]] = {}  # filter column -> `_by_folding`, read-only
        self._term_counts: bool | None = None  # whether `term_sections` is filled (see `section_frequencies`)
        self._tokenizing = threading.Lock()  # one question's words at a time in the temp table that tokenises them
        uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
        try:
            self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self.db.execute("PRAGMA foreign_keys = ON")
            if not readonly:
                if _is_legacy(self.db):
                    _convert_legacy(self.db)
                self.db.executescript(SCHEMA)
                self.db.execute(f"PRAGMA user_version = {vector_codes.CODES_FORMAT}")
                self.db.execute(BACKFILL_CABLE_FILES)
                if "digest" not in {row[1] for row in self.db.execute("PRAGMA table_info(cables)")}:
                    self.db.execute(ADD_DIGEST_COLUMN)
            self.db.execute("SELECT count(*) FROM sections").fetchone()
            self._legacy_vectors = self.db.execute("PRAGMA user_version").fetchone()[0] < vector_codes.CODES_FORMAT
        except sqlite3.DatabaseError as error:
            if not readonly:
                raise  # a build's own copy: the build tells a full disk from a damaged original
            raise self._damaged(error) from None

    def _vectors(self, blobs: list[bytes], dimension: int, table: str) -> np.ndarray:
        """float32 (len(blobs), dimension) from the stored blobs of `table` ("windows", "sentences")."""
        if self._legacy_vectors:  # built by an older cableqa and not updated since
            return vector_codes.decode_legacy(blobs, dimension, table)
        return vector_codes.decode(blobs, dimension)

    def _vector_rows(self, rows: list[tuple[int, bytes]], dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, float32 vectors) of (id, blob) window rows."""
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        return ids, self._vectors([row[1] for row in rows], dimension, "windows")

    def _damaged(self, error: Exception) -> IndexDamaged:
        return IndexDamaged(self.path.parent.parent, f"{self.path.parent.name}/{self.path.name}: {error}")

    def close(self) -> None:
        self.db.close()

    # -- writing ------------------------------------------------------------------

    def source_hashes(self) -> dict[str, str]:
        return {file_name(path): sha256 for path, sha256 in self.db.execute("SELECT path, sha256 FROM sources")}

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
        """Store a section's windows and sentences with their vectors, in place of any it had."""
        rows = {
            "windows": (section.windows, section.window_vectors),
            "sentences": (section.sentences, section.sentence_vectors),
        }
        for table, (spans, vectors) in rows.items():
            self.db.execute(f"DELETE FROM {table} WHERE section_rowid = ?", (section.rowid,))
            self.db.executemany(
                f"INSERT INTO {table}(section_rowid, start, end, vector) VALUES (?, ?, ?, ?)",
                [
                    (section.rowid, start, end, code)
                    for (start, end), code in zip(spans, vector_codes.encode(vectors), strict=True)
                ],
            )

    def count_terms(self) -> None:
        """Fill `term_sections` anew from the FTS index (one pass over it: 18-38 s at 251,287 cables)."""
        self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.text_terms USING fts5vocab(main, sections_fts, 'col')")
        self.db.execute("DELETE FROM term_sections")
        self.db.execute("INSERT INTO term_sections SELECT term, doc FROM temp.text_terms WHERE col = 'text'")
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
        self.db.commit()

    # -- reading ------------------------------------------------------------------

    @_reads
    def counts(self) -> dict[str, int]:
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "sources": one("SELECT count(*) FROM sources"),
            "cables": one("SELECT count(*) FROM cables"),
            "sections": one("SELECT count(*) FROM sections"),
            "vectors": one("SELECT count(*) FROM windows WHERE vector IS NOT NULL"),
        }

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
        return row[0] // 4 if self._legacy_vectors else vector_codes.dimension_of(row[0])  # legacy: float32

    def window_vectors(self, dimension: int, *, chunk: int = 100_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, vectors) of the embedded windows in chunks of `chunk`, for (re)building the FAISS index."""
        last = -1
        while True:
            rows = self.db.execute(
                "SELECT id, vector FROM windows WHERE vector IS NOT NULL AND id > ? ORDER BY id LIMIT ?", (last, chunk)
            ).fetchall()
            if not rows:
                return
            yield self._vector_rows(rows, dimension)
            last = rows[-1][0]

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

    @_reads
    def windows(self, ids: Iterable[int]) -> dict[int, Window]:
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(f"SELECT id, section_rowid, start, end FROM windows WHERE id IN ({marks})", ids)
        return {row[0]: Window(*row) for row in rows}

    @_reads
    def sentences(self, section_rowids: Iterable[int], dimension: int) -> dict[int, Sentences]:
        """The embedded sentences of each section, in text order."""
        rowids = list(section_rowids)
        marks = ",".join("?" * len(rowids))
        rows = self.db.execute(
            f"SELECT section_rowid, start, end, vector FROM sentences WHERE section_rowid IN ({marks})"
            " ORDER BY section_rowid, start",
            rowids,
        ).fetchall()
        grouped: dict[int, list[tuple]] = {rowid: [] for rowid in rowids}
        for row in rows:
            grouped[row[0]].append(row)
        return {
            rowid: Sentences(
                [(item[1], item[2]) for item in items],
                self._vectors([item[3] for item in items], dimension, "sentences"),
            )
            for rowid, items in grouped.items()
        }

    @_reads
    def sections(self, rowids: Iterable[int]) -> dict[int, StoredSection]:
        rowids = list(rowids)
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        rows = self.db.execute(
            f"SELECT s.rowid, s.id, s.title, s.paragraphs, s.start, s.end, {SECTION_TEXT},"
            " c.doc_id, c.subject, c.date, c.origin, c.classification"
            f" FROM sections s JOIN cables c ON c.doc_id = s.doc_id WHERE s.rowid IN ({marks})",
            rowids,
        )
        return {row[0]: _stored_section(row) for row in rows}

    @_reads
    def section_rowids_of(self, doc_id: str) -> list[int]:
        rows = self.db.execute("SELECT rowid FROM sections WHERE doc_id = ? ORDER BY ord", (doc_id,))
        return [row[0] for row in rows]

    @_reads
    def cable(self, doc_id: str) -> Cable | None:
        row = self.db.execute(
            "SELECT doc_id, subject, date, released, origin, classification, tags, refs, source, body"
            " FROM cables WHERE doc_id = ?",
            (doc_id,),
        ).fetchone()
        if row is None:
            return None
        sections = self.sections(self.section_rowids_of(doc_id))
        ordered = tuple(sections[rowid].section for rowid in self.section_rowids_of(doc_id))
        return Cable(
            doc_id=row[0],
            subject=row[1],
            date=row[2],
            released=row[3],
            origin=row[4],
            classification=row[5],
            tags=tuple(json.loads(row[6])),
            references=tuple(json.loads(row[7])),
            source=file_name(row[8]),
            body=row[9],
            sections=ordered,
            cited=tuple(
                Reference(*ref)
                for ref in self.db.execute(
                    "SELECT label, target, written FROM cable_refs WHERE citing = ? ORDER BY ord", (doc_id,)
                )
            ),
        )

    @_reads
    def files_of(self, doc_id: str) -> list[str]:
        """Every indexed file that holds a cable, sorted."""
        table = "cable_files" if self._has_cable_files() else "cables"
        rows = self.db.execute(f"SELECT source_path FROM {table} WHERE doc_id = ? ORDER BY source_path", (doc_id,))
        return [file_name(row[0]) for row in rows]

    def integrity_problems(self) -> list[str]:
        """What SQLite's own check finds wrong with the database (empty: nothing)."""
        try:
            rows = [row[0] for row in self.db.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as error:
            return [str(error)]
        return [] if rows == ["ok"] else rows

    def _has_cable_files(self) -> bool:
        """False for an index built before `cable_files` existed and not updated since."""
        return bool(self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'cable_files'").fetchone())

    @_reads
    def facets(self) -> dict[str, list[FacetValue]]:
        """Each filter's values (and each year) with how many cables have it, most cables first."""
        counted = lambda sql: [FacetValue(value, count) for value, count in self.db.execute(sql)]  # noqa: E731
        by_count = " GROUP BY 1 ORDER BY 2 DESC, 1"
        return {
            "origin": counted("SELECT origin, count(*) FROM cables WHERE origin != ''" + by_count),
            "classification": counted(
                "SELECT classification, count(*) FROM cables WHERE classification != ''" + by_count
            ),
            "tag": counted("SELECT tag, count(DISTINCT doc_id) FROM cable_tags" + by_count),
            "year": counted("SELECT substr(date, 1, 4), count(*) FROM cables WHERE date != '' GROUP BY 1 ORDER BY 1"),
        }

    # -- the reference graph: edges are stored as cited; whether a target is indexed is
    # -- read at query time, so adding or dropping a cable needs no edge updates.

    @_reads
    def newest_year(self) -> int | None:
        """The year of the newest dated cable (read through the date index: one step at any size)."""
        row = self.db.execute("SELECT max(date) FROM cables WHERE date != ''").fetchone()
        return int(row[0][:4]) if row and row[0] and row[0][:4].isdigit() else None

    @_reads
    def has_cable(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM cables WHERE doc_id = ?", (doc_id,)).fetchone() is not None

    @_reads
    def references_of(self, doc_id: str) -> list[CableLink]:
        """The cables `doc_id` cites, in REF-line order, each once (under its first letter)."""
        rows = self.db.execute(
            "SELECT r.label, r.target, c.doc_id IS NOT NULL, coalesce(c.subject, ''), c.date FROM cable_refs r"
            " LEFT JOIN cables c ON c.doc_id = r.target WHERE r.citing = ? AND r.target IS NOT NULL ORDER BY r.ord",
            (doc_id,),
        )
        links = {}
        for label, target, indexed, subject, date in rows:
            links.setdefault(target, CableLink(label, target, bool(indexed), subject, date))
        return list(links.values())

    @_reads
    def citing(self, doc_id: str) -> list[CableLink]:
        """The indexed cables that cite `doc_id`, oldest first; `label` is the letter they cite it under."""
        rows = self.db.execute(
            "SELECT min(r.label), c.doc_id, c.subject, c.date FROM cable_refs r JOIN cables c ON c.doc_id = r.citing"
            " WHERE r.target = ? GROUP BY c.doc_id ORDER BY c.date, c.doc_id",
            (doc_id,),
        )
        return [CableLink(label, citing, True, subject, date) for label, citing, subject, date in rows]

    @_reads
    def reference_counts(self, doc_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        """doc_id -> (indexed cables it cites, indexed cables citing it)."""
        counts = {}
        for doc_id in set(doc_ids):
            cites = self.db.execute(
                "SELECT count(DISTINCT r.target) FROM cable_refs r JOIN cables c ON c.doc_id = r.target"
                " WHERE r.citing = ?",
                (doc_id,),
            ).fetchone()[0]
            cited_by = self.db.execute(
                "SELECT count(DISTINCT citing) FROM cable_refs WHERE target = ?", (doc_id,)
            ).fetchone()[0]
            counts[doc_id] = (cites, cited_by)
        return counts

    @_reads
    def cables_citing_any(self, targets: Iterable[str]) -> set[str]:
        """Indexed cables citing any of `targets`; a target without its year (`STATE123456`) matches any year."""
        return self._ids_matching("SELECT citing FROM cable_refs", "target", targets)

    @_reads
    def indexed_among(self, targets: Iterable[str]) -> set[str]:
        """The indexed cables among `targets` (a target without its year matches any year)."""
        return self._ids_matching("SELECT doc_id FROM cables", "doc_id", targets)

    def _ids_matching(self, select: str, column: str, targets: Iterable[str]) -> set[str]:
        found = set()
        for target in targets:
            where = column if target[:2].isdigit() else f"substr({column}, 3)"
            found |= {row[0] for row in self.db.execute(f"{select} WHERE {where} = ?", (target,))}
        return found

    @_reads
    def reference_edges(self) -> list[tuple[str, str, str | None, str, bool]]:
        """Every stored REF item: (citing, label, target, written, whether the target is indexed)."""
        return self.db.execute(
            "SELECT r.citing, r.label, r.target, r.written, c.doc_id IS NOT NULL FROM cable_refs r"
            " LEFT JOIN cables c ON c.doc_id = r.target ORDER BY r.citing, r.ord"
        ).fetchall()

    @_reads
    def window_vectors_of(self, doc_id: str, dimension: int) -> np.ndarray:
        """The embedded window vectors of one cable, (n, dimension) float32."""
        rows = self.db.execute(
            "SELECT w.vector FROM windows w JOIN sections s ON s.rowid = w.section_rowid"
            " WHERE s.doc_id = ? AND w.vector IS NOT NULL",
            (doc_id,),
        ).fetchall()
        return self._vectors([row[0] for row in rows], dimension, "windows")

    @_reads
    def window_count(self, doc_ids: Iterable[str]) -> int:
        """How many embedded windows these cables have together."""
        doc_ids = list(doc_ids)
        return self.db.execute(
            "SELECT count(*) FROM windows w JOIN sections s ON s.rowid = w.section_rowid"
            f" WHERE s.doc_id IN ({','.join('?' * len(doc_ids))}) AND w.vector IS NOT NULL",
            doc_ids,
        ).fetchone()[0]

    @_reads
    def doc_ids_of_windows(self, ids: Iterable[int]) -> dict[int, str]:
        ids = list(ids)
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT w.id, s.doc_id FROM windows w JOIN sections s ON s.rowid = w.section_rowid WHERE w.id IN ({marks})",
            ids,
        )
        return dict(rows.fetchall())

    @_reads
    def cable_summaries(self, doc_ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        """doc_id -> (subject, date) of the indexed ones among `doc_ids`."""
        doc_ids = list(doc_ids)
        marks = ",".join("?" * len(doc_ids))
        rows = self.db.execute(f"SELECT doc_id, subject, date FROM cables WHERE doc_id IN ({marks})", doc_ids)
        return {doc_id: (subject, date) for doc_id, subject, date in rows}

    @_reads
    def keyword_search(self, match: str, limit: int, allowed: frozenset[int] | None) -> list[int]:
        """Section rowids ranked by BM25 for an FTS5 MATCH expression, best first."""
        if not match:
            return []
        try:
            rows = self.db.execute(
                "SELECT rowid FROM sections_fts WHERE sections_fts MATCH ?"
                " ORDER BY bm25(sections_fts, 0.5, 2.0, 1.0) LIMIT ?",
                (match, limit if allowed is None else limit * 20),
            ).fetchall()
        except sqlite3.OperationalError:
            return []
        ranked = [row[0] for row in rows]
        if allowed is not None:
            ranked = [rowid for rowid in ranked if rowid in allowed]
        return ranked[:limit]

    @_reads
    def section_frequencies(self, words: list[str]) -> dict[str, int]:
        """How many sections' text holds each word (as FTS5 matches it: stemmed, and as a phrase
        when the tokenizer splits it, like "u.s." or "2009-10")."""
        if not self.has_term_counts():  # built by an older cableqa: count each word
            return {word: self._phrase_sections(word, limit=None) for word in words}
        terms = self._fts_terms(words)
        distinct = sorted({term for found in terms.values() for term in found})
        marks = ",".join("?" * len(distinct))
        counted = dict(self.db.execute(f"SELECT term, sections FROM term_sections WHERE term IN ({marks})", distinct))
        frequencies = {}
        for word, found in terms.items():
            if len(found) == 1:
                frequencies[word] = counted.get(found[0], 0)
                continue
            frequencies[word] = self._phrase_sections(word, limit=PHRASE_SECTIONS_COUNTED)
            if frequencies[word] == PHRASE_SECTIONS_COUNTED:  # at least that many: bounded by its rarest term
                rarest = min((counted.get(term, 0) for term in found), default=0)
                frequencies[word] = max(PHRASE_SECTIONS_COUNTED, rarest)
        return frequencies

    def has_term_counts(self) -> bool:
        """False for an index of sections built before `term_sections` existed, and not updated since."""
        if self._term_counts is None:
            found = self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'term_sections'").fetchone()
            counted = found is not None and self.db.execute("SELECT 1 FROM term_sections").fetchone() is not None
            self._term_counts = counted or self.db.execute("SELECT 1 FROM sections").fetchone() is None
        return self._term_counts

    def _phrase_sections(self, word: str, limit: int | None) -> int:
        """How many sections' text holds `word` as a phrase, counted up to `limit`."""
        phrase = '"' + word.replace('"', "") + '"'
        matching = "SELECT 1 FROM sections_fts WHERE text MATCH ?" + ("" if limit is None else f" LIMIT {int(limit)}")
        try:
            return self.db.execute(f"SELECT count(*) FROM ({matching})", (phrase,)).fetchone()[0]
        except sqlite3.OperationalError:
            return 0

    def _fts_terms(self, words: list[str]) -> dict[str, list[str]]:
        """The FTS terms the tokenizer makes of each word, in order ("u.s." -> "u", "s")."""
        with self._tokenizing:
            self.db.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.words USING fts5(word, tokenize = '{FTS_TOKENIZER}')"
            )
            self.db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.word_terms USING fts5vocab(temp, words, 'instance')"
            )
            self.db.execute("DELETE FROM temp.words")
            self.db.executemany("INSERT INTO temp.words(rowid, word) VALUES (?, ?)", enumerate(words))
            rows = self.db.execute("SELECT doc, term FROM temp.word_terms ORDER BY doc, offset").fetchall()
        terms: list[list[str]] = [[] for _ in words]
        for number, term in rows:
            terms[number].append(term)
        return dict(zip(words, terms, strict=True))

    def _kept(self, key: tuple, compute):
        """compute(), remembered for the FILTERS_KEPT latest keys of a read-only store."""
        if self._filter_cache is None:
            return compute()
        if key not in self._filter_cache:
            self._filter_cache[key] = compute()
            if len(self._filter_cache) > FILTERS_KEPT:
                self._filter_cache.popitem(last=False)
        self._filter_cache.move_to_end(key)
        return self._filter_cache[key]

    @_reads
    def filtered(self, conditions: list[str], params: list) -> tuple[frozenset[int], np.ndarray]:
        """(section rowids, window ids) of the cables that meet every SQL condition on table `c`."""

        def select() -> tuple[frozenset[int], np.ndarray]:
            rows = self.db.execute(
                "SELECT s.rowid, w.id FROM sections s JOIN cables c ON c.doc_id = s.doc_id"
                f" LEFT JOIN windows w ON w.section_rowid = s.rowid WHERE {' AND '.join(conditions)}",
                params,
            ).fetchall()
            window_ids = np.array([row[1] for row in rows if row[1] is not None], dtype=np.int64)
            window_ids.flags.writeable = False  # it may be kept and handed out again
            return frozenset(row[0] for row in rows), window_ids

        return self._kept(("filtered", tuple(conditions), tuple(params)), select)

    @_reads
    def matching_values(self, column: str, value: str) -> tuple[str, ...]:
        """The stored values of a filter ("origin", "classification", "tag", "doc_id") that equal
        `value` but for case, sorted.

        Case is Unicode's (`str.casefold`). SQLite's NOCASE, which the columns' indexes use, folds
        ASCII letters only ("CONSULATE SÃO PAULO" missed "Consulate São Paulo"): it finds the values
        differing in those, and the values holding anything else, few, are folded here once.
        """
        if not _is_text(value):
            return ()
        table, name = FILTER_VALUES[column]
        rows = self.db.execute(f"SELECT DISTINCT {name} FROM {table} WHERE {name} = ? COLLATE NOCASE", (value,))
        found = {row[0] for row in rows}
        folded = self._beyond_ascii.get(column)
        if folded is None:
            rows = self.db.execute(f"SELECT DISTINCT {name} FROM {table} WHERE {name} GLOB ?", (BEYOND_ASCII,))
            folded = _by_folding(row[0] for row in rows)
            if self._filter_cache is not None:  # read-only: the values never change
                self._beyond_ascii[column] = folded
        return tuple(sorted(found | set(folded.get(value.casefold(), ()))))

    def stored_id(self, doc_id: str) -> str | None:
        """The ID a cable is stored under, given in any case: "07paris4695", or "FIELD_NOTES" for the
        cable of field_notes.txt (an ID taken from a file name keeps the name's case). Of several
        spellings, the one given, else the first."""
        doc_id = doc_id.strip()
        found = self.matching_values("doc_id", doc_id)
        return doc_id if doc_id in found else next(iter(found), None)

    @_reads
    def known_values(self, column: str) -> frozenset[str]:
        """The distinct values of a filter column, as the cables spell them."""

        def select() -> frozenset[str]:
            table, name = FILTER_VALUES[column]
            return frozenset(row[0] for row in self.db.execute(f"SELECT DISTINCT {name} FROM {table}"))

        return self._kept(("known", column), select)


def _by_folding(values: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each case-folded value -> the values that fold to it, sorted."""
    grouped: dict[str, list[str]] = {}
    for value in sorted(values):
        grouped.setdefault(value.casefold(), []).append(value)
    return {folded: tuple(spellings) for folded, spellings in grouped.items()}


def _is_text(value: str) -> bool:
    """Whether SQLite can take `value` (a lone surrogate, from undecodable bytes, cannot be UTF-8)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def cable_digest(cable: Cable) -> str:
    """What an update compares to tell a changed cable: all it holds but where it was read from
    (a row of a dump keeps its digest when other rows come or go)."""
    content = {name: value for name, value in cable.to_dict().items() if name != "source"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def window_text(subject: str, title: str, passage: str) -> str:
    """What the encoder reads for a window: the passage in its context (cable subject, section title)."""
    context = ". ".join(part for part in (subject.strip(), title.strip()) if part)
    return f"{context}.\n{passage}" if context else passage


def _span(cable: Cable, section: Section) -> tuple[int, int]:
    """Where `section` lies in the cable's body, which is all the index keeps of its text."""
    if cable.body[section.start : section.end] != section.text:
        raise ValueError(f"{section.id}: a section must be its cable's body[start:end]")
    return section.start, section.end


def _is_legacy(db: sqlite3.Connection) -> bool:
    """Whether the database was built by a cableqa before `vector_codes.CODES_FORMAT` (sections kept their text)."""
    return "text" in {row[1] for row in db.execute("PRAGMA table_info(sections)")}


def _convert_legacy(db: sqlite3.Connection) -> None:
    """Bring an older cableqa's database to this format in place, in one transaction: the text once
    (the sections' own copy and FTS5's dropped, FTS5 rebuilt over `section_texts`) and the vectors
    as codes. Run on a build's copy, so the old generation answers until the new one is ready."""
    for table in vector_codes.LEGACY_TYPES:
        db.create_function(f"recode_{table}", 1, vector_codes.recode_legacy(table), deterministic=True)
    db.executescript(
        "BEGIN; DROP TABLE sections_fts; ALTER TABLE sections DROP COLUMN text;"
        + SCHEMA
        + "UPDATE windows SET vector = recode_windows(vector); UPDATE sentences SET vector = recode_sentences(vector);"
        + "INSERT INTO sections_fts(sections_fts) VALUES ('rebuild');"
        + f"PRAGMA user_version = {vector_codes.CODES_FORMAT}; COMMIT;"
    )
    db.execute("VACUUM")  # give the space back: the file is about half its size


def _stored_section(row: tuple) -> StoredSection:
    rowid, id_, title, paragraphs, start, end, text, doc_id, subject, date, origin, classification = row
    section = Section(id=id_, title=title, paragraphs=tuple(json.loads(paragraphs)), start=start, end=end, text=text)
    return StoredSection(rowid, section, doc_id, subject, date, origin, classification)
