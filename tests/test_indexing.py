"""Building, updating and opening an index (fake "hashing" encoder: logic, not quality)."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, SEED_ID, SEEDS

import cableqa
from cableqa.buildlock import LOCK_FILE
from cableqa.errors import CableQAError
from cableqa.index_files import MANIFEST, check_index, open_index
from cableqa.store.embedding_cache import UPDATE_CACHE

CABLES = FIXTURES / "cables"


def build(sources, index, **options):
    return cableqa.build([sources], index, model="hashing", **options)


def test_build_stores_every_section_of_every_cable(sources, tmp_path):
    report = build(sources, tmp_path / "index")
    read = list(cableqa.read(sources))
    assert report.cables == len(read) == 3
    assert report.sections == sum(len(cable.sections) for cable in read)
    assert report.vectors >= report.sections  # at least one window per section
    index = open_index(tmp_path / "index")
    for cable in read:
        assert index.store.cable(cable.doc_id) == cable


def test_unchanged_files_are_not_read_again(sources, tmp_path):
    build(sources, tmp_path / "index")
    generation = json.loads((tmp_path / "index" / MANIFEST).read_text())["generation"]
    again = build(sources, tmp_path / "index")
    assert (again.files_read, again.files_unchanged, again.vectors_embedded) == (0, 3, 0)
    assert json.loads((tmp_path / "index" / MANIFEST).read_text())["generation"] == generation


def test_a_changed_file_is_reembedded_and_a_deleted_one_dropped(sources, tmp_path):
    index = tmp_path / "index"
    first = build(sources, index)
    seed = sources / "seed.txt"
    seed.write_text(seed.read_text().replace("Dunkerque", "Saint-Nazaire"))
    (sources / "09OTTAWA64.html").unlink()
    second = build(sources, index)
    assert (second.files_read, second.files_unchanged, second.files_removed) == (1, 1, 1)
    assert second.cables == first.cables - 1
    qa = cableqa.load(index)
    assert qa.cable("09OTTAWA64") is None
    assert "Saint-Nazaire" in qa.cable(SEED_ID).body
    assert "Dunkerque" not in qa.cable(SEED_ID).body


def test_new_sources_add_to_the_roots_already_indexed(sources, tmp_path):
    index = tmp_path / "index"
    build(sources, index)
    extra = tmp_path / "more"
    extra.mkdir()
    shutil.copy(CABLES / "09PARIS119.html", extra)
    report = build(extra, index)
    assert report.cables == 4 and report.files_read == 1


def test_a_build_that_dies_leaves_the_old_index_working(sources, tmp_path, monkeypatch):
    index = tmp_path / "index"
    build(sources, index)
    qa = cableqa.load(index)
    (sources / "seed.txt").write_text((sources / "seed.txt").read_text() + "\nA new closing line.\n")

    def die(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("cableqa.indexing._embed_missing", die)
    with pytest.raises(KeyboardInterrupt):
        build(sources, index)
    assert qa.ask("heroin seized at Dunkerque").hits
    reopened = cableqa.load(index)
    assert reopened.ask("heroin seized at Dunkerque").hits[0].doc_id == SEED_ID
    assert "A new closing line." not in reopened.cable(SEED_ID).body  # none of the update was committed


def test_an_interrupted_build_resumes_where_it_stopped(sources, tmp_path, monkeypatch):
    from cableqa import cutting

    whole = build(sources, tmp_path / "whole")
    monkeypatch.setattr(cutting, "WINDOWS_PER_CALL", 8)  # several commits in this small build
    embed, calls = cutting.embed_sections, []

    def interrupted_after_two_batches(*args, **kwargs):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(1)
        return embed(*args, **kwargs)

    monkeypatch.setattr(cutting, "embed_sections", interrupted_after_two_batches)
    index = tmp_path / "index"
    with pytest.raises(KeyboardInterrupt):
        build(sources, index)
    monkeypatch.setattr(cutting, "embed_sections", embed)
    reads = []
    resumed = build(sources, index, progress=lambda stage, done, total: reads.append(done) if stage == "read" else None)
    assert resumed.resumed and reads == [0]  # the reading stage starts (files are hashed), and reads nothing again
    assert (resumed.files_read, resumed.cables_embedded) == (whole.files_read, whole.cables_embedded) == (3, 3)
    assert 0 < resumed.vectors_embedded < whole.vectors_embedded
    assert (resumed.cables, resumed.sections, resumed.vectors) == (whole.cables, whole.sections, whole.vectors)
    assert not list(index.glob("*.partial"))
    question = "heroin seized at Dunkerque"
    assert cableqa.load(index).ask(question).hits == cableqa.load(tmp_path / "whole").ask(question).hits


def test_a_partial_of_another_plan_is_not_resumed(sources, tmp_path, monkeypatch):
    index = tmp_path / "index"

    def die(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("cableqa.indexing._embed_missing", die)
    with pytest.raises(KeyboardInterrupt):
        build(sources, index)
    monkeypatch.undo()
    other = cableqa.build([SEEDS], index, model="hashing", rebuild=True)
    assert not other.resumed and not list(index.glob("*.partial"))


# Run as a child process: update (or with argv[4] "rebuild", rebuild) the index in argv[1], and kill -9
# itself at the phase argv[2], on the argv[3]-th call of what it patches. Commits and folds are made
# small and frequent so that each phase has work done.
KILLED_UPDATE = """
import os, signal, sys
from pathlib import Path
import cableqa
from cableqa import cutting, indexing, vectors
from cableqa.store.embedding_cache import EmbeddingCache
from cableqa.store.writing import IndexWriter

index, phase, nth, rebuild = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "rebuild"
indexing.CABLES_PER_COMMIT = 2
cutting.WINDOWS_PER_CALL = 8


def kill_on_call(owner, name, when=lambda *args: True, first=lambda *args: None):
    original, calls = getattr(owner, name), []

    def killed(*args, **kwargs):
        if when(*args):
            calls.append(args)
            if len(calls) == nth:
                first(original, *args)
                os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)

    setattr(owner, name, killed)


def half_written(original, vectors, path):
    original(vectors, path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def manifest_half_written(original, path, text):
    path.with_name(path.name + ".tmp").write_text(text[: len(text) // 2])


{
    "copying": lambda: kill_on_call(indexing, "_copy_database"),
    "reading": lambda: kill_on_call(IndexWriter, "add_cable"),
    "embedding": lambda: kill_on_call(cutting, "embed_sections"),
    "writing the vectors": lambda: kill_on_call(vectors.Vectors, "save", first=half_written),
    "committing": lambda: kill_on_call(IndexWriter, "commit_build"),
    "removing what it had embedded": lambda: kill_on_call(EmbeddingCache, "remove"),
    "swapping the manifest": lambda: kill_on_call(
        indexing, "_write_atomically", when=lambda path, text: path.name == "manifest.json", first=manifest_half_written
    ),
}[phase]()
cableqa.build([], index, model="hashing" if rebuild else None, rebuild=rebuild)  # a rebuild takes the default model
"""


def kill_an_update(index, phase: str, nth: int = 1, *, rebuild: bool = False) -> None:
    """Update (or rebuild) `index` in a child process killed with SIGKILL at `phase` (see KILLED_UPDATE)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    how = "rebuild" if rebuild else "update"
    child = subprocess.run([sys.executable, "-c", KILLED_UPDATE, str(index), phase, str(nth), how], env=env)
    assert child.returncode == -signal.SIGKILL, f"the update was not killed at {phase}"


def new_dump(folder, rows: int = 12):
    """A cables.csv of `rows` cables none of the `sources` fixture has; their IDs."""
    fixture = _dump_rows(FIXTURES / "formats" / "cables.csv")
    many = [[str(n), row[1], f"{row[2]}X{n}", *row[3:]] for n, row in enumerate(fixture * rows, start=1)][:rows]
    _write_dump(folder / "cables.csv", many)
    return [row[2] for row in many]


def current_generation(index):
    return index / json.loads((index / MANIFEST).read_text())["generation"]


def vector_file(index):
    """The current vector file of an index (its name is in the database's state)."""
    with closing(open_index(index)) as opened:
        return current_generation(index) / opened.state.vectors_file


def assert_identical_index(index, other) -> None:
    """The same cables, sections, windows and vectors, and the same FAISS file, byte for byte."""
    ours, theirs = (sqlite3.connect(current_generation(path) / "cables.sqlite") for path in (index, other))
    for query in (
        "SELECT doc_id, digest FROM cables ORDER BY doc_id",
        "SELECT rowid, id, start, end FROM sections ORDER BY rowid",
        "SELECT id, section_rowid, start, end, vector FROM windows ORDER BY id",
        "SELECT id, section_rowid, start, end, vector FROM sentences ORDER BY id",
    ):
        assert ours.execute(query).fetchall() == theirs.execute(query).fetchall(), query
    faiss_files = [vector_file(path).read_bytes() for path in (index, other)]
    assert faiss_files[0] == faiss_files[1]


def report_counts(report) -> tuple:
    fields = ("files_read", "files_unchanged", "files_removed", "cables_embedded", "cables", "sections", "vectors")
    return tuple(getattr(report, name) for name in fields)


@pytest.mark.parametrize(
    "phase, nth, resumed",
    [
        ("reading", 7, False),  # nothing embedded yet: read and embedded again
        ("embedding", 3, True),  # 2 batches embedded: taken from what it kept, the rest embedded
        ("writing the vectors", 1, True),  # 12 cables added to 3: a new vector file (a fold)
        ("committing", 1, True),
    ],
)
def test_an_update_killed_at_any_phase_leaves_the_old_index_and_the_next_run_completes_it(
    sources, tmp_path, phase, nth, resumed
):
    index, uninterrupted = tmp_path / "index", tmp_path / "uninterrupted"
    build(sources, index)
    build(sources, uninterrupted)
    new_ids = new_dump(sources)
    expected = build(sources, uninterrupted)
    assert expected.cables_embedded == len(new_ids) == 12

    kill_an_update(index, phase, nth)
    old = cableqa.load(index, build_missing=False)
    assert old.info().cables == 3 and old.cable(new_ids[0]) is None
    assert old.ask("heroin seized at Dunkerque").hits[0].doc_id == SEED_ID

    report = cableqa.build([], index)
    assert report.resumed == resumed and report.changed
    assert report_counts(report) == report_counts(expected)
    if phase == "embedding":
        assert 0 < report.vectors_embedded < expected.vectors_embedded
    if phase in ("writing the vectors", "committing"):
        assert report.vectors_embedded == 0  # all of it embedded before the kill
    assert_identical_index(index, uninterrupted)
    assert not (index / UPDATE_CACHE).exists() and not list(index.glob("*.tmp")) and check_index(index) == []
    assert len(list(index.glob("gen-*"))) == 1  # updated in place
    assert all(cableqa.load(index).cable(doc_id) is not None for doc_id in new_ids)
    assert not cableqa.build([], index).changed


def test_an_update_killed_after_it_committed_is_complete(sources, tmp_path):
    index = tmp_path / "index"
    build(sources, index)
    new_ids = new_dump(sources)
    kill_an_update(index, "removing what it had embedded")
    assert cableqa.load(index, build_missing=False).info().cables == 15
    report = cableqa.build([], index)
    assert not report.changed and report.vectors_embedded == 0 and report.cables == 15
    assert not (index / UPDATE_CACHE).exists() and check_index(index) == []
    assert cableqa.load(index).cable(new_ids[-1]) is not None


@pytest.mark.parametrize(
    "phase, nth, resumed",
    [
        ("reading", 7, True),  # 5 of its cables committed in the new generation
        ("embedding", 3, True),  # 2 batches committed
        ("writing the vectors", 1, True),
        ("swapping the manifest", 1, False),  # the new generation is named but not the manifest's: started over
    ],
)
def test_a_rebuild_killed_at_any_phase_leaves_the_old_index_and_the_next_run_completes_it(
    sources, tmp_path, phase, nth, resumed
):
    index, uninterrupted = tmp_path / "index", tmp_path / "uninterrupted"
    build(sources, index)
    new_ids = new_dump(sources)
    build(sources, uninterrupted, rebuild=True)

    kill_an_update(index, phase, nth, rebuild=True)
    old = cableqa.load(index, build_missing=False)
    assert old.info().cables == 3 and old.cable(new_ids[0]) is None

    report = cableqa.build([], index, model="hashing", rebuild=True)
    assert report.resumed == resumed and report.cables == 15
    assert_identical_index(index, uninterrupted)
    assert not list(index.glob("*.partial")) and not list(index.glob("*.tmp")) and check_index(index) == []
    assert len(list(index.glob("gen-*"))) == 2  # the new generation and the one before it


def test_a_killed_update_reads_again_a_file_it_had_marked_to_read_again(sources, tmp_path):
    """A removed file's cable that another file holds is read again from that file; an update killed
    after committing the removal, before that read, reads it when resumed: the cable is not lost."""
    shutil.copy(sources / "seed.txt", sources / "another-seed.txt")  # its stored copy is read from here
    index, uninterrupted = tmp_path / "index", tmp_path / "uninterrupted"
    build(sources, index)
    build(sources, uninterrupted)
    (sources / "another-seed.txt").unlink()
    new_ids = new_dump(sources)
    expected = build(sources, uninterrupted)

    kill_an_update(index, "reading", len(new_ids) + 1)  # storing the seed cable again, read from seed.txt
    assert cableqa.load(index, build_missing=False).cable(SEED_ID) is not None

    report = cableqa.build([], index)
    assert report_counts(report) == report_counts(expected)
    assert cableqa.load(index).cable(SEED_ID) is not None
    assert_identical_index(index, uninterrupted)


def test_a_resumed_update_killed_again_still_completes(sources, tmp_path):
    index, uninterrupted = tmp_path / "index", tmp_path / "uninterrupted"
    build(sources, index)
    build(sources, uninterrupted)
    (sources / "09OTTAWA64.html").unlink()
    new_dump(sources, rows=30)
    expected = build(sources, uninterrupted)
    for phase, nth in (("reading", 9), ("reading", 15), ("embedding", 3), ("writing the vectors", 1)):
        kill_an_update(index, phase, nth)
    assert cableqa.load(index, build_missing=False).info().cables == 3
    report = cableqa.build([], index)
    assert report.resumed and report_counts(report) == report_counts(expected)
    assert_identical_index(index, uninterrupted)


def test_an_update_whose_new_file_is_gone_when_it_resumes_is_up_to_date(sources, tmp_path):
    index = tmp_path / "index"
    build(sources, index)
    generations = sorted(index.glob("gen-*"))
    new_dump(sources)
    kill_an_update(index, "embedding", 3)
    (sources / "cables.csv").unlink()
    report = cableqa.build([], index)
    assert report.resumed and not report.changed
    assert (report.cables, report.files_read, report.cables_embedded) == (3, 0, 0)
    assert sorted(index.glob("gen-*")) == generations  # the partial is removed, no generation written


def test_a_reader_keeps_its_index_while_a_new_one_replaces_it(sources, tmp_path):
    index = tmp_path / "index"
    build(sources, index)
    reader = cableqa.load(index)
    (sources / "09OTTAWA64.html").unlink()
    build(sources, index)
    assert reader.cable("09OTTAWA64") is not None  # still the generation it opened
    assert cableqa.load(index).cable("09OTTAWA64") is None


def test_an_index_of_another_model_is_refused_with_the_way_out(sources, tmp_path):
    index = tmp_path / "index"
    build(sources, index)
    with pytest.raises(CableQAError, match="--rebuild"):
        cableqa.build([sources], index, model="hashing:64")
    with pytest.raises(CableQAError, match="--rebuild"):
        cableqa.load(index, model="hashing:64")
    assert cableqa.build([sources], index, model="hashing:64", rebuild=True).vectors > 0


def test_an_index_of_another_chunker_version_is_refused(sources, tmp_path):
    index = tmp_path / "index"
    build(sources, index)
    manifest = json.loads((index / MANIFEST).read_text())
    manifest["chunker"] = "0"
    (index / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(CableQAError, match="index --rebuild"):
        cableqa.load(index)


@pytest.mark.parametrize("damage", ["manifest", "database", "vectors"])
def test_a_damaged_index_is_a_clear_error(sources, tmp_path, damage):
    index = tmp_path / "index"
    build(sources, index)
    generation = index / json.loads((index / MANIFEST).read_text())["generation"]
    target = {
        "manifest": index / MANIFEST,
        "database": generation / "cables.sqlite",
        "vectors": generation / "vectors.faiss",
    }
    target[damage].write_bytes(b"this is not an index")
    with pytest.raises(CableQAError):
        cableqa.load(index, build_missing=False)


def test_the_index_holds_no_pickles(sources, tmp_path):
    build(sources, tmp_path / "index")
    for path in (tmp_path / "index").rglob("*"):
        if path.is_file():
            head = path.read_bytes()[:16]
            if path.name == LOCK_FILE:
                assert head == b""  # a pid while a build runs
                continue
            assert not head.startswith(b"\x80"), f"{path.name} looks like a pickle"
            assert head.startswith((b"{", b"SQLite format 3", b"IxM", b"IwFl", b"IbFl")), path.name


def test_a_missing_index_is_built_from_seeds_when_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(SEEDS.parent)
    qa = cableqa.load(tmp_path / "fresh", model="hashing")
    assert qa.info().cables == 1
    with pytest.raises(CableQAError, match="not a cableqa index"):
        cableqa.load(tmp_path / "absent", build_missing=False)


def test_rebuild_starts_over_on_the_same_folders(sources, tmp_path):
    index = tmp_path / "index"
    build(sources, index)
    report = cableqa.build(None, index, model="hashing", rebuild=True)
    assert (report.files_read, report.files_unchanged, report.cables) == (3, 0, 3)


def _dump_rows(path):
    """The rows of a cables.csv, as csv.reader gives them."""
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _write_dump(path, rows):
    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)


def test_one_changed_row_of_a_dump_reembeds_one_cable(tmp_path):
    dump = tmp_path / "dump" / "cables.csv"
    dump.parent.mkdir()
    rows = _dump_rows(FIXTURES / "formats" / "cables.csv")
    _write_dump(dump, rows)
    index = tmp_path / "index"
    first = cableqa.build([dump.parent], index, model="hashing")
    assert first.cables_embedded == first.cables == 3

    rows[1][-1] = rows[1][-1].replace("NAVY", "ARGENTINE NAVY", 1)  # the body of the second cable
    _write_dump(dump, rows)
    changed = cableqa.build([dump.parent], index, model="hashing")
    assert changed.files_read == 1 and changed.cables_embedded == 1 and changed.cables == 3
    assert "ARGENTINE NAVY" in cableqa.load(index).cable(rows[1][2]).body

    _write_dump(dump, [rows[0], rows[2]])  # a row removed; the rows after it move up
    removed = cableqa.build([dump.parent], index, model="hashing")
    assert removed.cables_embedded == 0 and removed.cables == 2
    qa = cableqa.load(index)
    assert qa.cable(rows[1][2]) is None and qa.cable(rows[2][2]) is not None


def test_reading_a_dump_reports_cables_of_an_estimate_from_its_first_rows(tmp_path):
    dump = tmp_path / "cables.csv"
    rows = _dump_rows(FIXTURES / "formats" / "cables.csv")
    many = [[str(n), *row[1:2], f"{row[2]}X{n}", *row[3:]] for n, row in enumerate(rows * 100, start=1)]
    _write_dump(dump, many)
    reports = []
    cableqa.build([dump], tmp_path / "index", model="hashing", progress=lambda *report: reports.append(report))
    assert reports[0] == ("read", 0, None)  # from the start, before the dump is hashed
    reading = [(done, total) for stage, done, total in reports[1:] if stage == "read"]
    assert [done for done, _ in reading] == [100, 200, 300, 300]  # every READ_PROGRESS_EVERY cables, then the end
    assert all(abs(total - 300) <= 30 for _, total in reading[:2])  # estimated from bytes read (to 8 KB)
    assert reading[-1] == (300, 300)


def test_storing_and_replacing_a_cable_searches_by_index_never_scans_a_table(tmp_path):
    """A per-cable statement that scans a table makes reading a dump quadratic (one scan per
    cable over all cables stored before it): every statement a store or replace runs must
    find its rows through an index."""
    from cableqa.store.writing import IndexWriter

    (cable,) = cableqa.read(SEEDS)
    store = IndexWriter(tmp_path / "cables.sqlite")
    statements = []
    for source in ("first", "second"):
        store.add_source(source, "")
    store.add_cable(cable, "first")
    store.db.set_trace_callback(statements.append)
    store.keep_cable(cable, "second")
    store.add_cable(cable, "second")  # replaces the stored copy: drops it first
    store.release("first", {cable.doc_id})
    store.db.set_trace_callback(None)
    assert any(statement.startswith("DELETE FROM cable_tags") for statement in statements)
    for statement in statements:
        if statement.startswith(("SELECT", "DELETE", "UPDATE")):
            plan = [row[3] for row in store.db.execute("EXPLAIN QUERY PLAN " + statement)]
            scans = [step for step in plan if step.startswith("SCAN") and "VIRTUAL TABLE INDEX 0:=" not in step]
            assert not scans, (statement, plan)


def test_section_frequencies_are_counted_by_the_build_and_kept_true_by_updates(sources, tmp_path):
    index = tmp_path / "index"
    words = ["Dunkerque", "heroin", "seizures", "customs", "u.s.", "saint-nazaire", "zyzzyva"]

    def frequencies_and_counting_statements():
        store = open_index(index).store
        statements = []
        store.db.set_trace_callback(statements.append)
        found = store.section_frequencies(words)
        store.db.set_trace_callback(None)
        counted = {word: store._phrase_sections(word, limit=None) for word in words}  # every section, one by one
        return found, counted, [sql for sql in statements if "sections_fts WHERE text MATCH" in sql]

    build(sources, index)
    found, counted, matching = frequencies_and_counting_statements()
    assert found == counted and found["Dunkerque"] > 0 and found["zyzzyva"] == 0
    assert len(matching) == 2 and all("u.s." in sql or "saint-nazaire" in sql for sql in matching)  # phrases only
    seed = sources / "seed.txt"
    seed.write_text(seed.read_text().replace("Dunkerque", "Saint-Nazaire"))
    build(sources, index)
    found, counted, _ = frequencies_and_counting_statements()
    assert found == counted and found["Dunkerque"] == 0 and found["saint-nazaire"] > 0


def test_a_common_phrase_is_counted_up_to_a_limit_then_bounded_by_its_rarest_term(sources, tmp_path, monkeypatch):
    build(sources, tmp_path / "index")
    store = open_index(tmp_path / "index").store
    monkeypatch.setattr("cableqa.store.reading.PHRASE_SECTIONS_COUNTED", 1)
    assert store._phrase_sections("u.s.", limit=None) > 1
    rarest = min(store._phrase_sections("u", limit=None), store._phrase_sections("s", limit=None))
    assert store.section_frequencies(["u.s."]) == {"u.s.": rarest}


def test_a_window_added_in_place_never_takes_the_id_of_one_the_vector_file_holds(sources, tmp_path, monkeypatch):
    """Ids at or below the vector file's largest are its own: a new window given a removed one's id
    would be taken for the removed one by every reader (removed from the file, not added)."""
    index = tmp_path / "index"
    build(sources, index)
    with closing(open_index(index)) as opened:
        upto = opened.state.vectors_upto
        (last_source,) = opened.store.db.execute(
            "SELECT c.source_path FROM windows w JOIN sections s ON s.rowid = w.section_rowid"
            " JOIN cables c ON c.doc_id = s.doc_id WHERE w.id = ?",
            (upto,),
        ).fetchone()
    monkeypatch.setattr("cableqa.indexing.FOLD_SHARE", 1.0)  # no new vector file: the changes are applied
    (sources / Path(last_source).name).unlink()
    shutil.copy(CABLES / "10MADRID49.html", sources)
    assert build(sources, index).files_removed == 1
    with closing(open_index(index)) as opened:
        assert opened.state.vectors_upto == upto and opened.state.vectors_file == "vectors.faiss"
        added = [row[0] for row in opened.store.db.execute("SELECT id FROM windows WHERE id > ?", (upto,))]
        assert added and min(added) > upto
    assert check_index(index) == [] and cableqa.load(index).ask("Madrid").hits
