"""What the index database keeps: each text once, each vector as an 8-bit code (issue 23, item 1).

`fixtures/legacy-index` is an index of three fixture cables built, with the hashing encoder, by
cableqa as it was before this format (commit b45364b): sections kept their text, FTS5 kept its
own copy, windows were float32 and sentences float16.
"""

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

import cableqa
from cableqa.files import file_sha256
from cableqa.index_files import DATABASE, FORMAT_VERSION, MANIFEST, Manifest, check_index, open_index
from cableqa.store import codes
from cableqa.store.reading import IndexReader
from cableqa.store.writing import IndexWriter

FIXTURES = Path(__file__).parent / "fixtures"
LEGACY = FIXTURES / "legacy-index"
WORDS = ("heroin", "minister", "nuclear", "embassy", "election")


def test_a_code_keeps_a_vectors_direction_in_a_quarter_of_the_bytes():
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(500, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    blobs = codes.encode(np.vstack([vectors, np.zeros((1, 384), np.float32)]))
    assert {len(blob) for blob in blobs} == {388} and codes.dimension_of(388) == 384
    decoded = codes.decode(blobs, 384)
    cosine = np.sum(decoded[:-1] * vectors, axis=1) / np.linalg.norm(decoded[:-1], axis=1)
    assert cosine.min() >= 0.9999
    assert not decoded[-1].any()  # a zero vector stays zero


def database(index: Path) -> sqlite3.Connection:
    return sqlite3.connect(index / Manifest.read(index).generation / DATABASE)


def columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def fts_is_consistent(db: sqlite3.Connection) -> bool:
    """FTS5's own check of its index against the content it indexes (an error when they differ)."""
    db.execute("INSERT INTO sections_fts(sections_fts, rank) VALUES ('integrity-check', 1)")
    db.rollback()  # the check is a write statement: it holds the database until its transaction ends
    return True


def test_a_sections_text_is_kept_once_in_its_cables_body_and_fts_indexes_it_there(tmp_path):
    cables = tmp_path / "cables"
    shutil.copytree(FIXTURES / "cables", cables)
    index = tmp_path / "index"
    cableqa.build([cables], index, model="hashing")
    db = database(index)
    assert "text" not in columns(db, "sections") and db.execute("PRAGMA user_version").fetchone()[0] == 3
    assert (
        "content = 'section_texts'"
        in db.execute("SELECT sql FROM sqlite_master WHERE name = 'sections_fts'").fetchone()[0]
    )
    store = open_index(index).store
    for doc_id in ("07PARIS2027", "10MADRID49"):
        cable = store.cable(doc_id)
        assert cable.sections and all(cable.body[s.start : s.end] == s.text for s in cable.sections)
    assert fts_is_consistent(db)
    found = store.keyword_search("heroin", 50, None)
    assert found and {store.sections(found)[rowid].doc_id for rowid in found}

    dropped = next(iter({store.sections(found)[rowid].doc_id for rowid in found}))
    (cables / f"{dropped}.html").unlink()
    cableqa.build([cables], index, model="hashing")
    store = open_index(index).store
    assert dropped not in {
        section.doc_id for section in store.sections(store.keyword_search("heroin", 50, None)).values()
    }
    assert fts_is_consistent(database(index))


def legacy_copy(tmp_path: Path) -> Path:
    index = tmp_path / "legacy"
    shutil.copytree(LEGACY, index)
    return index / Manifest.read(index).generation / DATABASE


def what_it_answers(store: IndexReader) -> dict:
    rowids = [row[0] for row in store.db.execute("SELECT rowid FROM sections ORDER BY rowid")]
    return {
        "found": {word: store.keyword_search(word, 20, None) for word in WORDS},
        "texts": {rowid: stored.section.text for rowid, stored in store.sections(rowids).items()},
        "sentences": store.sentences(rowids, 384),
        "windows": store.window_vectors_of("10MADRID49", 384),
        "cable": store.cable("10MADRID49"),
    }


def test_an_index_of_the_format_before_answers_as_it_did(tmp_path):
    index = legacy_copy(tmp_path).parent.parent
    db = database(index)
    assert "text" in columns(db, "sections") and db.execute("PRAGMA user_version").fetchone()[0] == 0
    store = open_index(index).store
    answers = what_it_answers(store)
    assert any(answers["found"].values()) and len(answers["texts"]) == 30
    assert all(
        text == db.execute("SELECT text FROM sections WHERE rowid = ?", (rowid,)).fetchone()[0]
        for rowid, text in answers["texts"].items()
    )
    norms = np.linalg.norm(answers["windows"], axis=1)
    assert np.allclose(norms, 1, atol=1e-3)  # float32 read as float32, not as codes


def test_an_index_of_the_format_before_is_converted_in_place_by_the_build_that_opens_it(tmp_path):
    path = legacy_copy(tmp_path)
    before_size = path.stat().st_size
    with closing(IndexReader(path)) as reader:  # a reader keeps its snapshot, and so its lock, until it closes
        before = what_it_answers(reader)

    converted = IndexWriter(path)  # a build's copy is opened for writing: converted, in one transaction
    assert converted.vector_dimension() == 384
    converted.close()
    store = IndexReader(path)
    after = what_it_answers(store)
    db = sqlite3.connect(path)
    assert "text" not in columns(db, "sections") and db.execute("PRAGMA user_version").fetchone()[0] == 3
    assert fts_is_consistent(db)
    assert after["found"] == before["found"] and after["texts"] == before["texts"] and after["cable"] == before["cable"]
    for rowid, sentences in before["sentences"].items():
        kept = after["sentences"][rowid]
        assert kept.spans == sentences.spans
        cosine = (
            np.sum(kept.vectors * sentences.vectors, axis=1)
            / np.linalg.norm(kept.vectors, axis=1)
            / np.linalg.norm(sentences.vectors, axis=1)
        )
        assert cosine.min() >= 0.999
    assert after["windows"].shape == before["windows"].shape
    assert np.sum(after["windows"] * before["windows"], axis=1).min() >= 0.999
    assert path.stat().st_size < 0.6 * before_size


def test_a_section_that_is_not_its_cables_words_is_refused(tmp_path):
    cable = next(iter(cableqa.read(FIXTURES / "cables" / "10MADRID49.html")))
    first = cable.sections[0]
    altered = type(cable)(**{**cable.__dict__, "sections": (type(first)(**{**first.__dict__, "text": "other words"}),)})
    store = IndexWriter(tmp_path / "cables.sqlite")
    store.add_source("x.html", "0")
    with pytest.raises(ValueError, match="body"):
        store.add_cable(altered, "x.html")


def test_an_index_of_the_format_before_is_converted_by_the_next_build_without_reading_or_embedding(tmp_path):
    cables = tmp_path / "legacy-cables"
    cables.mkdir()
    for doc_id in ("07PARIS2027", "09OTTAWA64", "10MADRID49"):  # what it was built from
        shutil.copy(FIXTURES / "cables" / f"{doc_id}.html", cables)
    path = legacy_copy(tmp_path)
    index = path.parent.parent
    with closing(sqlite3.connect(path)) as db, db:  # its files are where this test put them
        for table, column in (("sources", "path"), ("cables", "source_path")):
            db.execute(f"UPDATE {table} SET {column} = replace({column}, '/tmp/legacy-cables', ?)", (str(cables),))
    manifest = json.loads((index / MANIFEST).read_text().replace("/tmp/legacy-cables", str(cables)))
    manifest["files"][DATABASE] = {"size": path.stat().st_size, "sha256": file_sha256(path)}
    (index / MANIFEST).write_text(json.dumps(manifest))
    before = what_it_answers(open_index(index).store)

    report = cableqa.build([], index)
    assert report.upgraded and report.changed and (report.files_read, report.vectors_embedded) == (0, 0)
    assert json.loads((index / MANIFEST).read_text())["format"] == FORMAT_VERSION and check_index(index) == []
    after = what_it_answers(open_index(index).store)
    assert after["found"] == before["found"] and after["texts"] == before["texts"]
    again = cableqa.build([], index)
    assert not again.upgraded and not again.changed
