"""The read side of an index database: what asking, the TUI and the paper trail need of it.

Sections and their sentences, keyword search, the filters (their SQL lives here) and facets,
and the reference graph. A reader reads in one SQLite read transaction from opening to closing: it
sees the state it opened, whatever an update commits in place meanwhile, so what a filter admits is kept.
"""

from __future__ import annotations

import datetime
import functools
import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cableqa.errors import IndexDamaged
from cableqa.filters import VALUE_FILTERS, Filters
from cableqa.index_files import IndexState
from cableqa.store import codes
from cableqa.store.schema import FTS_TOKENIZER, SECTION_TEXT, file_name, has_legacy_vectors, is_text
from cableqa.types import Cable, CableLink, FacetValue, Reference, Section, StoredSection

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
class Window:
    id: int
    section_rowid: int
    start: int  # offsets into the section text
    end: int


@dataclass(frozen=True)
class Sentences:
    """The excerpt units of one section: spans into its text and their vectors."""

    spans: list[tuple[int, int]]
    vectors: np.ndarray  # float32 (len(spans), dimension)


def _reads(method):
    """A query of the open index: SQLite (or a row it returns) found damaged becomes one clear error."""

    @functools.wraps(method)
    def guarded(self: IndexReader, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.DatabaseError, ValueError) as error:  # ValueError: a garbled JSON column or vector blob
            raise self._damaged(error) from None

    return guarded


class IndexReader:
    """A read-only connection to one generation's database, with the queries asking needs."""

    writable = False  # `IndexWriter`'s is True: it opens the database to change it

    def __init__(self, path: Path):
        self.path = path
        # A read-only generation never changes: what a filter admits, and the values beyond ASCII, are kept.
        self._filter_cache: OrderedDict[tuple, object] | None = None if self.writable else OrderedDict()
        self._beyond_ascii: dict[str, dict[str, tuple[str, ...]]] = {}  # filter column -> `_by_folding`, read-only
        self._term_counts: bool | None = None  # whether `term_sections` is filled (see `section_frequencies`)
        self._tokenizing = threading.Lock()  # one question's words at a time in the temp table that tokenises them
        try:
            self.db = self._connect()
            self.db.execute("SELECT count(*) FROM sections").fetchone()
            self._legacy_vectors = has_legacy_vectors(self.db)
        except sqlite3.DatabaseError as error:
            if self.writable:
                raise  # a build's own copy: the build tells a full disk from a damaged original
            raise self._damaged(error) from None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        db.execute("BEGIN")  # the snapshot this reader keeps: its first read (in __init__) fixes it
        return db

    def _vectors(self, blobs: list[bytes], dimension: int, table: str) -> np.ndarray:
        """float32 (len(blobs), dimension) from the stored blobs of `table` ("windows", "sentences")."""
        if self._legacy_vectors:  # built by an older cableqa and not updated since
            return codes.decode_legacy(blobs, dimension, table)
        return codes.decode(blobs, dimension)

    def _damaged(self, error: Exception) -> IndexDamaged:
        return IndexDamaged(self.path.parent.parent, f"{self.path.parent.name}/{self.path.name}: {error}")

    def close(self) -> None:
        self.db.close()

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

    def source_hashes(self) -> dict[str, str]:
        """The files indexed, with the sha256 each had when read."""
        return {file_name(path): sha256 for path, sha256 in self.db.execute("SELECT path, sha256 FROM sources")}

    @_reads
    def state(self) -> IndexState | None:
        """What the generation holds, as its last build or update recorded; None in a format-2 generation."""
        if self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'index_state'").fetchone() is None:
            return None
        row = self.db.execute("SELECT value FROM index_state WHERE key = 'state'").fetchone()
        return None if row is None else IndexState.from_json(row[0])

    @_reads
    def windows_removed(self) -> np.ndarray:
        """Ids of the windows the vector file holds that were removed since it was written."""
        rows = self.db.execute("SELECT id FROM windows_removed").fetchall()
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    def window_vectors(
        self, dimension: int, *, after: int = -1, chunk: int = 100_000
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, vectors) of the embedded windows with an id above `after`, in chunks of `chunk`: to build
        the FAISS index, or to add to its file the windows added since it was written."""
        while (found := self._window_chunk(dimension, after, chunk)) is not None:
            yield found
            after = int(found[0][-1])

    @_reads
    def _window_chunk(self, dimension: int, after: int, chunk: int) -> tuple[np.ndarray, np.ndarray] | None:
        rows = self.db.execute(
            "SELECT id, vector FROM windows WHERE vector IS NOT NULL AND id > ? ORDER BY id LIMIT ?", (after, chunk)
        ).fetchall()
        return self._vector_rows(rows, dimension) if rows else None

    def _vector_rows(self, rows: list[tuple[int, bytes]], dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, float32 vectors) of (id, blob) window rows."""
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        return ids, self._vectors([row[1] for row in rows], dimension, "windows")

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
    def filtered(self, filters: Filters, within: tuple[str, ...] = ()) -> tuple[frozenset[int], np.ndarray]:
        """(section rowids, window ids) of the cables that meet `filters` (and are `within` these, when given)."""

        def select() -> tuple[frozenset[int], np.ndarray]:
            conditions, params = filter_sql(filters, self.matching_values, within)
            rows = self.db.execute(
                "SELECT s.rowid, w.id FROM sections s JOIN cables c ON c.doc_id = s.doc_id"
                f" LEFT JOIN windows w ON w.section_rowid = s.rowid WHERE {' AND '.join(conditions)}",
                params,
            ).fetchall()
            window_ids = np.array([row[1] for row in rows if row[1] is not None], dtype=np.int64)
            window_ids.flags.writeable = False  # it may be kept and handed out again
            return frozenset(row[0] for row in rows), window_ids

        return self._kept(("filtered", filters, within), select)

    @_reads
    def matching_values(self, column: str, value: str) -> tuple[str, ...]:
        """The stored values of a filter ("origin", "classification", "tag", "doc_id") that equal
        `value` but for case, sorted.

        Case is Unicode's (`str.casefold`). SQLite's NOCASE, which the columns' indexes use, folds
        ASCII letters only ("CONSULATE SÃO PAULO" missed "Consulate São Paulo"): it finds the values
        differing in those, and the values holding anything else, few, are folded here once.
        """
        if not is_text(value):
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


def _stored_section(row: tuple) -> StoredSection:
    rowid, id_, title, paragraphs, start, end, text, doc_id, subject, date, origin, classification = row
    section = Section(id=id_, title=title, paragraphs=tuple(json.loads(paragraphs)), start=start, end=end, text=text)
    return StoredSection(rowid, section, doc_id, subject, date, origin, classification)


def filter_sql(
    filters: Filters, spellings: Callable[[str, str], tuple[str, ...]], within: tuple[str, ...] = ()
) -> tuple[list[str], list]:
    """SQL conditions on the `cables` table (aliased `c`) for `filters`, and their parameters.

    A value matches every spelling the index holds of it in any case (`spellings(filter, value)`,
    `IndexReader.matching_values`), compared with NOCASE only so that the columns' indexes (which
    are NOCASE) serve them. `until` is inclusive. `within`, when given, keeps to those cables.
    """
    conditions, params = [], []
    for name in VALUE_FILTERS:
        value = getattr(filters, name)
        if value is None:
            continue
        found = spellings(name, value)
        marks = ",".join("?" * len(found))
        if name == "tag":
            conditions.append(f"c.doc_id IN (SELECT doc_id FROM cable_tags WHERE tag COLLATE NOCASE IN ({marks}))")
        else:
            conditions.append(f"c.{name} COLLATE NOCASE IN ({marks})")
        params += found
    if filters.since is not None:
        conditions.append("c.date >= ?")
        params.append(filters.since)
    if filters.until is not None:
        until = datetime.date.fromisoformat(filters.until)
        if until < datetime.date.max:
            conditions.append("c.date < ?")
            params.append((until + datetime.timedelta(days=1)).isoformat())
        else:  # 9999-12-31 has no day after; every date is on or before it
            conditions.append("c.date IS NOT NULL")
    if within:
        conditions.append(f"c.doc_id IN ({','.join('?' * len(within))})")
        params += within
    return conditions, params
