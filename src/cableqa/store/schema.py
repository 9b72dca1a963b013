"""The layout of an index database: its tables, how it is brought up to date, and how names are kept.

One database file per index generation, in write-ahead-log mode so that an update can change it in
place, in one transaction, while readers go on reading the state they opened. Each thing is kept once: a cable's text in `cables.body`
(a section is a span of it, read with `SECTION_TEXT`; FTS5 indexes the `section_texts` view as
its external content), and each vector as an 8-bit code (`codes`) from which the FAISS file is
built, so the two never drift apart (the FAISS id of a window is its rowid here).
"""

from __future__ import annotations

import os
import sqlite3

from cableqa.store import codes

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
-- What the generation holds now (`index_files.IndexState`, as JSON under the key 'state'): written
-- in the transaction that changes the rows, so that the two commit together.
CREATE TABLE IF NOT EXISTS index_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- Windows the vector file holds that were removed since it was written (it holds the windows up to
-- the state's vectors.upto): a reader removes them from the vectors it loads, and a fold empties it.
CREATE TABLE IF NOT EXISTS windows_removed (
    id INTEGER PRIMARY KEY
);
CREATE TRIGGER IF NOT EXISTS windows_removed_from_the_vector_file AFTER DELETE ON windows
WHEN old.id <= (SELECT json_extract(value, '$.vectors.upto') FROM index_state WHERE key = 'state')
BEGIN
    INSERT OR IGNORE INTO windows_removed VALUES (old.id);
END;
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


def prepare(db: sqlite3.Connection) -> None:
    """Make `db` a database of this format: created, or brought up to date from an older cableqa's."""
    if _is_legacy(db):
        _convert_legacy(db)
    db.executescript(SCHEMA)
    db.execute(f"PRAGMA user_version = {codes.CODES_FORMAT}")
    db.execute(BACKFILL_CABLE_FILES)
    if "digest" not in {row[1] for row in db.execute("PRAGMA table_info(cables)")}:
        db.execute(ADD_DIGEST_COLUMN)


def has_legacy_vectors(db: sqlite3.Connection) -> bool:
    """Whether the vectors are those of an older cableqa (float32 windows, float16 sentences), not codes."""
    return db.execute("PRAGMA user_version").fetchone()[0] < codes.CODES_FORMAT


def _is_legacy(db: sqlite3.Connection) -> bool:
    """Whether the database was built by a cableqa before `codes.CODES_FORMAT` (sections kept their text)."""
    return "text" in {row[1] for row in db.execute("PRAGMA table_info(sections)")}


def _convert_legacy(db: sqlite3.Connection) -> None:
    """Bring an older cableqa's database to this format in place, in one transaction: the text once
    (the sections' own copy and FTS5's dropped, FTS5 rebuilt over `section_texts`) and the vectors
    as codes. Run on a build's copy, so the old generation answers until the new one is ready."""
    for table in codes.LEGACY_TYPES:
        db.create_function(f"recode_{table}", 1, codes.recode_legacy(table), deterministic=True)
    db.executescript(
        "BEGIN; DROP TABLE sections_fts; ALTER TABLE sections DROP COLUMN text;"
        + SCHEMA
        + "UPDATE windows SET vector = recode_windows(vector); UPDATE sentences SET vector = recode_sentences(vector);"
        + "INSERT INTO sections_fts(sections_fts) VALUES ('rebuild');"
        + f"PRAGMA user_version = {codes.CODES_FORMAT}; COMMIT;"
    )
    db.execute("VACUUM")  # give the space back: the file is about half its size


def stored_name(path: str) -> str | bytes:
    """A file name as the database keeps it: text, or its bytes when it is not valid UTF-8 (lossless)."""
    return path if is_text(path) else os.fsencode(path)


def file_name(stored: str | bytes) -> str:
    """The file name `stored_name` kept, as the file system gives it."""
    return os.fsdecode(stored) if isinstance(stored, bytes) else stored


def is_text(value: str) -> bool:
    """Whether SQLite can take `value` (a lone surrogate, from undecodable bytes, cannot be UTF-8)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
