"""Nothing lost, nothing interpreted (issue 9): concurrent builds, damaged files, hostile input.

Each test is named in docs/reliability.md beside the promise it holds. The fake "hashing"
encoder is enough here: these are about files, locks and input, not about quality.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from conftest import FIXTURES, REPO, SEED_ID

import cableqa
from cableqa.cli import main
from cableqa.errors import CableQAError
from cableqa.index_files import open_index

QUESTION = "How much heroin was seized at Dunkerque?"
PAGE = 4096  # SQLite's page size


def build(sources, index, **options):
    return cableqa.build([sources], index, model="hashing", **options)


def manifest_of(index) -> dict:
    return json.loads((index / "manifest.json").read_text())


def generation_of(index):
    return index / manifest_of(index)["generation"]


def touch(sources, line: str) -> None:
    """Change a source file, so that the next build writes a new generation."""
    seed = sources / "seed.txt"
    seed.write_text(seed.read_text() + f"\n{line}\n")


def one_error_line(capsys, *needles: str) -> str:
    """The one error line that ends stderr (after any build progress), holding each of `needles`."""
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines and lines[-1].startswith("cableqa: error: ") and "Traceback" not in err, err
    assert sum(line.startswith("cableqa: error: ") for line in lines) == 1, err
    for needle in needles:
        assert needle in lines[-1], err
    return lines[-1]


def python(*args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.Popen([sys.executable, *args], env=env, text=True, **kwargs)


# --- 1. one build at a time ------------------------------------------------------------------


def test_a_second_build_waits_for_the_first(sources, tmp_path, monkeypatch):
    """Row 1: a `cableqa index` started during a build waits for it; neither loses the other's work."""
    index = tmp_path / "index"
    build(sources, index)
    touch(sources, "A first new line.")
    from cableqa import indexing

    embed_missing = indexing._embed_missing
    seen = []

    def start_a_second_build(*args, **kwargs):
        second = python("-m", "cableqa", "index", "--index", str(index), stderr=subprocess.PIPE, stdout=subprocess.PIPE)
        for line in second.stderr:  # the waiting line, or nothing until it exits
            seen.append(line)
            if "waiting for the build by pid" in line:
                break
        seen.append(second)
        return embed_missing(*args, **kwargs)

    monkeypatch.setattr(indexing, "_embed_missing", start_a_second_build)
    build(sources, index)
    second = seen[-1]
    assert second.wait(timeout=120) == 0, second.stderr.read()
    assert f"waiting for the build by pid {os.getpid()}" in "".join(seen[:-1])
    assert not list(index.glob("*.partial"))
    assert cableqa.load(index).ask(QUESTION).hits[0].doc_id == SEED_ID


def test_no_wait_exits_2_in_one_line_while_another_build_runs(sources, tmp_path, capsys):
    """Row 1: `--no-wait` does not wait; the lock dies with the process that held it."""
    from cableqa.buildlock import build_lock

    index = tmp_path / "index"
    build(sources, index)
    with build_lock(index):
        assert main(["index", "--index", str(index), "--no-wait"]) == 2
    one_error_line(capsys, f"pid {os.getpid()}")
    holder = python(
        "-c",
        "import sys, time; from pathlib import Path; from cableqa.buildlock import build_lock\n"
        f"with build_lock(Path({str(index)!r})):\n    print('locked', flush=True); time.sleep(600)",
        stdout=subprocess.PIPE,
    )
    assert holder.stdout.readline().strip() == "locked"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert main(["index", "--index", str(index), "--no-wait"]) == 0  # no stale lock


# --- 2, 3. readers during rebuilds -----------------------------------------------------------


def test_a_reader_that_read_the_old_manifest_can_still_open_its_generation(sources, tmp_path):
    """Row 2: the previous generation stays until the next build makes a new one (docs/reliability.md)."""
    index = tmp_path / "index"
    build(sources, index)
    old_manifest = (index / "manifest.json").read_text()
    (sources / "09OTTAWA64.html").unlink()
    build(sources, index, rebuild=True)
    (index / "manifest.json").write_text(old_manifest)  # what a reader read just before the swap
    assert cableqa.load(index, build_missing=False).cable("09OTTAWA64") is not None


@pytest.mark.parametrize("fold", [False, True])
def test_a_reader_keeps_the_index_it_opened_while_an_update_changes_it_in_place(sources, tmp_path, monkeypatch, fold):
    """Row 2: an update commits in one transaction; a reader open before it reads the state it opened,
    its database rows and its vectors alike, until it closes; one opened after reads the new state."""
    index = tmp_path / "index"
    build(sources, index)
    shutil.copytree(index, tmp_path / "as-it-was")
    before = cableqa.load(index, build_missing=False)  # and not read from until the update is done
    monkeypatch.setattr("cableqa.indexing.FOLD_SHARE", 0.0 if fold else 1.0)
    (sources / "09OTTAWA64.html").unlink()
    touch(sources, "A line the update adds to the seed.")
    report = build(sources, index)
    assert report.files_removed == 1 and len(list(index.glob("gen-*"))) == 1
    assert before.cable("09OTTAWA64") is not None and before.info().cables == report.cables + 1
    answer = cableqa.load(tmp_path / "as-it-was", build_missing=False).ask(QUESTION, k=20)
    assert [hit.text for hit in before.ask(QUESTION, k=20).hits] == [hit.text for hit in answer.hits]
    after = cableqa.load(index, build_missing=False)
    assert after.cable("09OTTAWA64") is None and after.info().cables == report.cables
    found = {hit.doc_id for hit in after.ask(QUESTION, k=20).hits}
    assert "09OTTAWA64" not in found and all(after.cable(doc_id) is not None for doc_id in found)


def test_opening_reads_the_manifest_again_when_its_generation_vanished(sources, tmp_path, monkeypatch):
    """Row 2: a reader whose generation was removed under it opens the current one."""
    from cableqa import index_files

    index = tmp_path / "index"
    build(sources, index)
    stale = index_files.Manifest.read(index)
    for line in ("One.", "Two."):
        touch(sources, line)
        build(sources, index, rebuild=True)
    assert not (index / stale.generation).exists()
    read = index_files.Manifest.read
    calls = []

    def stale_first(directory):
        calls.append(directory)
        return stale if len(calls) == 1 else read(directory)

    monkeypatch.setattr(index_files.Manifest, "read", staticmethod(stale_first))
    assert cableqa.load(index, build_missing=False).cable(SEED_ID) is not None


def test_info_describes_the_generation_it_opened(sources, tmp_path):
    """Row 3."""
    index = tmp_path / "index"
    build(sources, index)
    qa = cableqa.load(index)
    before = qa.info()
    for line in ("One.", "Two."):
        touch(sources, line)
        build(sources, index)
    assert qa.info() == before


# --- 4, 5, 6. damaged files ------------------------------------------------------------------


def use(index) -> None:
    """Everything a user does with an index; each may only succeed or raise CableQAError."""
    qa = cableqa.load(index, build_missing=False)
    qa.ask(QUESTION)
    qa.ask("Canada Arctic sovereignty", origin="Embassy Ottawa")
    qa.ask(SEED_ID)
    qa.cable(SEED_ID)
    qa.info()
    qa.facets()


def test_every_damaged_page_of_the_database_is_one_clear_error(sources, tmp_path):
    """Row 4: each 4 KB page of cables.sqlite overwritten in turn."""
    pristine = tmp_path / "pristine"
    build(sources, pristine)
    database = generation_of(pristine).relative_to(pristine) / "cables.sqlite"
    pages = (pristine / database).stat().st_size // PAGE
    errors = set()
    for page in range(pages):
        index = tmp_path / f"page-{page}"
        shutil.copytree(pristine, index)
        with open(index / database, "r+b") as handle:
            handle.seek(page * PAGE)
            handle.write(random.Random(page).randbytes(PAGE))
        try:
            use(index)
        except CableQAError as error:
            assert "\n" not in str(error)
            errors.add(type(error).__name__)
        shutil.rmtree(index)
    assert errors  # damage was found (and only ever as one line)


def test_a_damaged_database_is_one_line_and_check_says_what_is_wrong(sources, tmp_path, capsys):
    """Row 4: the CLI's one line, exit 2; `index --check` says OK or what is wrong."""
    index = tmp_path / "index"
    build(sources, index)
    assert main(["index", "--check", "--index", str(index)]) == 0
    assert capsys.readouterr().out.strip() == f"{index}: OK"
    database = generation_of(index) / "cables.sqlite"
    with open(database, "r+b") as handle:  # every page but the first: whatever the ask reads is damaged
        handle.seek(PAGE)
        handle.write(b"\xab" * (database.stat().st_size - PAGE))
    assert main(["ask", QUESTION, "--index", str(index)]) == 2
    one_error_line(capsys, f"the index in {index} is damaged", "cableqa index --rebuild")
    assert main(["index", "--check", "--index", str(index)]) == 2
    one_error_line(capsys, "cables.sqlite")


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda m: m["counts"].update(sections=999999), "the index state counts 999999 sections, cables.sqlite holds"),
        (lambda m: m["counts"].update(sources=m["counts"]["sources"] + 1), "sources, cables.sqlite holds"),
        (
            lambda m: m["vectors"].update(sha256="0" * 64),
            "vectors.faiss does not match its size and sha256 in the index",
        ),
        (lambda m: m["vectors"].pop("sha256"), "cables.sqlite: not an index state ('vectors.sha256')"),
    ],
)
def test_check_holds_the_state_to_the_database_and_to_its_checksums(sources, tmp_path, capsys, change, said):
    """Issue 19 row 10: `--check` said OK when the recorded counts disagreed with the database (its
    section count is the keyword weights' N: answers change), or when it recorded no checksums."""
    index = tmp_path / "index"
    build(sources, index)
    with closing(sqlite3.connect(generation_of(index) / "cables.sqlite")) as db, db:
        state = json.loads(db.execute("SELECT value FROM index_state WHERE key = 'state'").fetchone()[0])
        change(state)
        db.execute("UPDATE index_state SET value = ? WHERE key = 'state'", (json.dumps(state),))
    assert main(["index", "--check", "--index", str(index)]) == 2
    one_error_line(capsys, said, "--rebuild")
    assert build(sources, index).repaired  # an update, which checks as --check does, builds it again
    assert main(["index", "--check", "--index", str(index)]) == 0


def test_garbled_vectors_are_caught_and_never_scored_as_nan(sources, tmp_path, capsys):
    """Row 5: sizes and sha256 in the manifest; opening checks sizes; no NaN score ever."""
    index = tmp_path / "index"
    build(sources, index)
    vectors = generation_of(index) / "vectors.faiss"
    with closing(open_index(index)) as opened:
        assert opened.state.vectors_record.size == vectors.stat().st_size
    with open(vectors, "r+b") as handle:  # NaN bytes in the middle, the size unchanged
        handle.seek(vectors.stat().st_size // 2)
        handle.write(b"\xff" * 4096)
    try:
        scores = [hit.score for hit in cableqa.load(index).ask(QUESTION, k=20).hits]
        assert all(score == score for score in scores), scores  # NaN != NaN
    except CableQAError as error:
        assert "damaged" in str(error)
    assert main(["index", "--check", "--index", str(index)]) == 2
    one_error_line(capsys, "vectors.faiss does not match")
    with open(vectors, "r+b") as handle:
        handle.truncate(vectors.stat().st_size - 100)
    with pytest.raises(CableQAError, match="vectors.faiss has .* bytes, the index state says"):
        cableqa.load(index)


@pytest.mark.parametrize("damage", ["truncate vectors", "garble database"])
def test_an_update_rebuilds_a_damaged_generation(sources, tmp_path, damage):
    """Row 6: not "already up to date" over a generation that does not open."""
    index = tmp_path / "index"
    build(sources, index)
    generation = generation_of(index)
    if damage == "truncate vectors":
        with open(generation / "vectors.faiss", "r+b") as handle:
            handle.truncate(1000)
    else:
        with open(generation / "cables.sqlite", "r+b") as handle:
            handle.seek(PAGE)
            handle.write(b"\xab" * 8 * PAGE)
    report = build(sources, index)
    assert report.changed and report.repaired
    use(index)
    assert cableqa.load(index).ask(QUESTION).hits[0].doc_id == SEED_ID


# --- 7. a full disk --------------------------------------------------------------------------


def assert_untouched(index, generation: str) -> None:
    assert manifest_of(index)["generation"] == generation
    assert sorted(path.name for path in index.iterdir() if path.name.startswith("gen-")) == [generation]
    assert not list(index.glob("*.tmp"))
    assert cableqa.load(index).ask(QUESTION).hits[0].doc_id == SEED_ID


@pytest.mark.parametrize("where", ["database", "the update's commit", "manifest"])
def test_a_full_disk_is_one_line_and_leaves_nothing_behind(sources, tmp_path, monkeypatch, capsys, where):
    """Row 7: ENOSPC from SQLite while writing or committing an update in place, or from the file
    system on the manifest swap of a rebuild."""
    index = tmp_path / "index"
    build(sources, index)
    generation = manifest_of(index)["generation"]
    touch(sources, "A line the update adds.")

    def sqlite_full(self):
        raise sqlite3.OperationalError("database or disk is full")

    def manifest_full(source, target, *args, **kwargs):
        if str(target).endswith("manifest.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return replace(source, target, *args, **kwargs)

    replace = os.replace
    if where == "manifest":
        monkeypatch.setattr(os, "replace", manifest_full)
    else:
        method = "commit" if where == "database" else "commit_build"
        monkeypatch.setattr(f"cableqa.store.writing.IndexWriter.{method}", sqlite_full)
    rebuild = ["--rebuild"] if where == "manifest" else []
    assert main(["index", str(sources), "--index", str(index), "--model", "hashing", *rebuild]) == 2
    one_error_line(capsys, "no space left on device while writing the index in", "the previous index is untouched")
    monkeypatch.undo()
    assert_untouched(index, generation)
    report = build(sources, index)  # and the next run completes it
    assert report.files_read == 1 and cableqa.load(index).info().cables == report.cables


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_a_real_full_disk_is_one_line_and_leaves_nothing_behind(sources, tmp_path, capsys):
    """Row 7, on a real 1 MB file system: the first build fits, the second (bigger) does not."""
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        index = mount / "index"
        cableqa.build([sources / "seed.txt"], index, model="hashing")
        generation = manifest_of(index)["generation"]
        assert main(["index", str(sources), str(FIXTURES / "cables"), "--index", str(index)]) == 2
        one_error_line(capsys, "no space left on device")
        assert_untouched(index, generation)
    finally:
        subprocess.run(["umount", "--lazy", str(mount)])  # lazy: the test still holds the index open


# --- 8. cable text is never interpreted ------------------------------------------------------

HOSTILE = "SUBJECT: SCREEN \x1b[2J CLEARED\n\n1. (C) The embassy \x1b]0;owned\x07 reported \x1b[31mred\x1b[0m text \x9b2J here.\n"


def test_cable_text_reaches_the_terminal_inert(tmp_path, capsys):
    """Row 8: `show` and `ask` print control characters visibly; --json keeps them exactly."""
    folder = tmp_path / "cables"
    folder.mkdir()
    (folder / "hostile.txt").write_text(HOSTILE)
    index = tmp_path / "index"
    cableqa.build([folder], index, model="hashing")
    outputs = []
    for argv in (["show", str(folder / "hostile.txt")], ["show", "hostile", "--index", str(index)]):
        assert main(argv) == 0
        outputs.append(capsys.readouterr().out)
    assert main(["ask", "embassy reported red text", "--index", str(index)]) == 0
    outputs.append(capsys.readouterr().out)
    for out in outputs:
        assert not any(character in out for character in "\x1b\x07\x9b"), repr(out)
        assert "␛[2J" in out or "␛[31mred" in out
    assert main(["show", str(folder / "hostile.txt"), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert "\x1b]0;owned\x07" in shown["sections"][0]["text"] and shown["subject"] == "SCREEN \x1b[2J CLEARED"
    assert main(["ask", "embassy reported red text", "--index", str(index), "--json"]) == 0
    assert "\x1b[31mred" in json.loads(capsys.readouterr().out)["hits"][0]["text"]


# --- 9. reading is linear in the input -------------------------------------------------------

READ_SCRIPT = """
import sys, time, cableqa
started = time.perf_counter()
cables = list(cableqa.read(sys.argv[1], on_skip=lambda source, reason: None))
print(len(cables), round(time.perf_counter() - started, 2))
"""
TABLE = (
    "<table class='cable'><tr><td>09X1</td><td>2009-01-01 00:00</td><td>2010-01-01 00:00</td>"
    "<td>SECRET</td><td>Embassy X</td></tr></table>"
)
HOSTILE_INPUTS = {
    "paragraph.txt": "SUBJECT: ONE LONG PARAGRAPH\n\n1. (C) "
    + " ".join(["The U.S. Amb. met Mr. Smith at approx. 5 p.m. and said no."] * 68_000),  # 4 MB, no blank line
    "pre.html": "<html><title>Cable Viewer</title>" + TABLE + "<pre>" * 80_000 + "x" * 1_600_000,  # 2 MB
    "tables.html": "<html><title>Cable Viewer</title>" + "<table class='cable'>" * 200_000 + "<pre>x</pre>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_INPUTS))
def test_reading_hostile_input_takes_seconds_not_minutes(tmp_path, name):
    """Row 9: a 4 MB one-paragraph body and 2-4 MB of hostile markup each read in seconds.

    The limit only tells linear from quadratic (these took 2 to over 5 minutes); the
    reader's speed is measured by benchmarks/bench_reader.py.
    """
    path = tmp_path / name
    path.write_text(HOSTILE_INPUTS[name])
    reader = python("-c", READ_SCRIPT, str(path), stdout=subprocess.PIPE)
    try:
        out, _ = reader.communicate(timeout=60)
    finally:
        reader.kill()
    assert reader.returncode == 0


# --- 10. file names and unreadable files -----------------------------------------------------


def test_undecodable_names_are_kept_and_unreadable_files_skipped(sources, tmp_path, monkeypatch, capsys):
    """Row 10: a non-UTF-8 file name is indexed under its exact bytes; an unreadable file is one warning."""
    import builtins
    import io

    bad = os.fsdecode(os.fsencode(str(sources)) + b"/bad\xff\xfe.txt")
    os.rename(sources / "seed.txt", bad)
    locked = sources / "locked.txt"
    locked.write_text("SUBJECT: LOCKED\n\n1. (C) Nobody may read this.\n")
    opened = builtins.open

    def refuse(file, *args, **kwargs):
        if os.fspath(file) == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", str(locked))
        return opened(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    index = tmp_path / "index"
    assert main(["index", str(sources), "--index", str(index), "--model", "hashing"]) == 0
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if "locked.txt" in line] == [
        f"cableqa: warning: skipped {locked}: cannot read (Permission denied); its cables are kept as they were"
    ]
    with closing(open_index(index)) as current:
        assert os.fsencode(bad) in [os.fsencode(name) for name in current.store.source_hashes()]
    qa = cableqa.load(index)
    assert os.fsencode(qa.cable(SEED_ID).source) == os.fsencode(bad)
    again = build(sources, index)
    assert (again.files_read, again.files_removed) == (0, 0)


# --- 11. a cable in several files ------------------------------------------------------------


@pytest.mark.parametrize("deleted", ["seed.txt", "seed-copy.txt"])
def test_a_cable_stays_while_any_file_holds_it(sources, tmp_path, capsys, deleted):
    """Row 11, and `show ID` names the files that hold it."""
    shutil.copy(sources / "seed.txt", sources / "seed-copy.txt")
    index = tmp_path / "index"
    build(sources, index)
    assert main(["show", SEED_ID, "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert f"held in        {sources / 'seed-copy.txt'}" in out and f"held in        {sources / 'seed.txt'}" in out
    (sources / deleted).unlink()
    report = build(sources, index)
    assert report.files_removed == 1
    assert cableqa.load(index).cable(SEED_ID) is not None
    assert build(sources, index).cables == 3
    (sources.glob("seed*.txt").__next__()).unlink()
    assert cableqa.load(index).cable(SEED_ID) is not None  # still the last build's
    assert build(sources, index).cables == 2


# --- 12. bad arguments -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, options, message",
    [
        ("embassy \udcff report", {}, "not valid text"),
        ("embassy \ud800 report", {}, "not valid text"),
        (b"embassy report", {}, "must be text"),
        (QUESTION, {"k": 2.5}, "whole number"),
        (QUESTION, {"k": "5"}, "whole number"),
        (QUESTION, {"k": True}, "whole number"),
        (QUESTION, {"origin": 5}, "origin must be text"),
        (QUESTION, {"since": b"2007-01-01"}, "since must be text"),
    ],
)
def test_bad_questions_and_arguments_are_one_clear_error(sources, tmp_path, question, options, message):
    """Row 12."""
    index = tmp_path / "index"
    build(sources, index)
    with pytest.raises(CableQAError, match=message):
        cableqa.load(index).ask(question, **options)


def test_an_invalid_utf8_question_on_the_command_line_is_one_line(sources, tmp_path, capsys):
    """Row 12: `cableqa ask $'embassy \\xff report'`."""
    index = tmp_path / "index"
    build(sources, index)
    assert main(["ask", os.fsdecode(b"embassy \xff report"), "--index", str(index)]) == 2
    one_error_line(capsys, "not valid text")


# --- 13. no network unless asked -------------------------------------------------------------

HUB_MODEL = "sentence-transformers/all-mpnet-base-v2"


@pytest.fixture
def no_network(monkeypatch, tmp_path):
    """An empty Hugging Face cache, offline mode unset, and every network call recorded and refused."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "0")
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError(errno.ENETUNREACH, "no network in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_a_manifest_naming_a_hub_model_never_reaches_the_network(sources, tmp_path, no_network, capsys):
    """Row 13, and the "Also": the model error is one line."""
    index = tmp_path / "index"
    build(sources, index)
    manifest = manifest_of(index)
    manifest["model"].update(name=HUB_MODEL, source=HUB_MODEL)
    (index / "manifest.json").write_text(json.dumps(manifest))
    assert main(["ask", QUESTION, "--index", str(index)]) == 2
    one_error_line(capsys, HUB_MODEL, "--allow-download")
    assert main(["index", str(sources), "--index", str(tmp_path / "other"), "--model", HUB_MODEL]) == 2
    one_error_line(capsys, "--allow-download")
    assert no_network == []
    assert not (tmp_path / "other" / "manifest.json").exists()


# --- 14. the query encoder's cache (real model) ----------------------------------------------


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """A valid ONNX export of the bundled model, made once."""
    from cableqa.embed import load_encoder

    cache = tmp_path_factory.mktemp("export-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CABLEQA_CACHE_DIR", str(cache))
        reference = load_encoder(purpose="query").encode([QUESTION])
    (folder,) = cache.iterdir()
    return folder, reference


DAMAGES = {
    "model.onnx truncated": lambda folder: os.truncate(folder / "model.onnx", 1000),
    "model.onnx empty": lambda folder: os.truncate(folder / "model.onnx", 0),
    "model.onnx deleted": lambda folder: (folder / "model.onnx").unlink(),
    "model.onnx rewritten": lambda folder: (folder / "model.onnx").write_bytes(
        b"\0" * (folder / "model.onnx").stat().st_size
    ),
    "export.json garbage": lambda folder: (folder / "export.json").write_text("{ not json"),
    "tokenizer.json deleted": lambda folder: (folder / "tokenizer.json").unlink(),
}


@pytest.mark.model
@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_export_is_detected(export, tmp_path, monkeypatch, damage):
    """Row 14: every damage is told from the checksums and the damaged export removed."""
    from cableqa import embed

    folder, _ = export
    monkeypatch.setenv("CABLEQA_CACHE_DIR", str(tmp_path))
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    name, path = embed.resolve_model(None)
    assert embed._cached_export_dir(name, path) == copy  # intact
    DAMAGES[damage](copy)
    assert embed._cached_export_dir(name, path) is None
    assert not copy.exists()


@pytest.mark.model
@pytest.mark.parametrize("cache", ["damaged", "uncreatable"])
def test_the_query_encoder_remakes_a_damaged_export_or_uses_a_temporary_cache(export, tmp_path, monkeypatch, cache):
    """Row 14: a truncated export is made again; a cache that cannot be created gives way to a temporary one."""
    from cableqa.embed import OnnxEncoder, load_encoder

    folder, reference = export
    if cache == "damaged":
        monkeypatch.setenv("CABLEQA_CACHE_DIR", str(tmp_path))
        shutil.copytree(folder, tmp_path / folder.name)
        os.truncate(tmp_path / folder.name / "model.onnx", 1000)
    else:
        (tmp_path / "a-file").write_text("")
        monkeypatch.setenv("CABLEQA_CACHE_DIR", str(tmp_path / "a-file" / "cache"))
    encoder = load_encoder(purpose="query")
    assert isinstance(encoder, OnnxEncoder)
    assert float((encoder.encode([QUESTION]) * reference).sum()) >= 0.9999


# --- 15. the manifest's schema ---------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m["model"].pop("name"),
        lambda m: m.pop("created_at"),
        lambda m: m["model"].update(dimension="384"),
        lambda m: m.update(chunker=2),
        lambda m: m.update(generation="../elsewhere"),
        lambda m: m.update(roots="seeds"),
        lambda m: m.update(created_at=None),
    ],
)
def test_a_manifest_with_any_gap_is_the_one_line_error(sources, tmp_path, capsys, change):
    """Row 15."""
    index = tmp_path / "index"
    build(sources, index)
    manifest = manifest_of(index)
    change(manifest)
    (index / "manifest.json").write_text(json.dumps(manifest))
    for argv in (["index", "--index", str(index)], ["ask", QUESTION, "--index", str(index)]):
        assert main(argv) == 2
        one_error_line(capsys, "not a cableqa manifest", "--rebuild")


# --- Also ------------------------------------------------------------------------------------


def test_a_cable_named_by_its_file_can_be_shown_by_that_id(tmp_path, capsys):
    """The "Also" line: an ID from a file name (no DE line, no banner) works with `show ID`."""
    folder = tmp_path / "cables"
    folder.mkdir()
    (folder / "mycable.txt").write_text("SUBJECT: NO REFERENCE ID\n\n1. (C) A cable without its ID.\n")
    index = tmp_path / "index"
    cableqa.build([folder], index, model="hashing")
    assert main(["show", "mycable", "--index", str(index), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["doc_id"] == "mycable"
    assert main(["show", "nosuchcable", "--index", str(index)]) == 2
    one_error_line(capsys, "nosuchcable: no such file or folder, nor a cable in the index")
