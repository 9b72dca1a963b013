"""Bad input on the command line is one line on stderr and exit status 2, never a traceback;
the same input to the Python API is one `CableQAError`."""

import json
import shutil
import subprocess

import pytest
from conftest import SEED_ID, SEEDS

import cableqa
from cableqa.cli import main
from cableqa.errors import CableQAError

QUESTION = "How much heroin was seized at Dunkerque?"


def one_error_line(capsys) -> str:
    """The one line a failed command wrote, without its `cableqa: error: ` prefix."""
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("cableqa: error: ") and captured.err.count("\n") == 1
    return captured.err.removeprefix("cableqa: error: ").rstrip("\n")


def asked(index, *options: str, capsys) -> list[tuple[str, str]]:
    assert main(["ask", QUESTION, "--index", str(index), "--json", *options]) == 0
    return [(hit["doc_id"], hit["section_id"]) for hit in json.loads(capsys.readouterr().out)["hits"]]


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--since", "--until"])
@pytest.mark.parametrize(
    "day", ["0000-01-01", "10000-01-01", "2007-02-30", "2007-1-1", "２００７-01-01", "2007-01-01T00:00"]
)
def test_a_day_that_is_not_one_is_one_line_and_exit_2(hashing_seed_index, option, day, capsys):
    assert main(["ask", QUESTION, "--index", str(hashing_seed_index), option, day]) == 2
    name = option.removeprefix("--")
    assert one_error_line(capsys) == f"{name}: {day!r} is not a date like 2007-12-13 (YYYY-MM-DD)"
    with pytest.raises(CableQAError) as error:
        cableqa.load(hashing_seed_index).ask(QUESTION, **{name: day})
    assert str(error.value) == f"{name}: {day!r} is not a date like 2007-12-13 (YYYY-MM-DD)"


def test_the_first_and_last_days_there_are_bound_nothing(hashing_seed_index, capsys):
    """9999-12-31 has no day after it: as --until it once overflowed computing one."""
    everything = asked(hashing_seed_index, capsys=capsys)
    assert SEED_ID in {doc_id for doc_id, _ in everything}
    assert asked(hashing_seed_index, "--until", "9999-12-31", capsys=capsys) == everything
    assert asked(hashing_seed_index, "--since", "0001-01-01", "--until", "9999-12-31", capsys=capsys) == everything
    qa = cableqa.load(hashing_seed_index)
    assert [hit.doc_id for hit in qa.ask(QUESTION, until="9999-12-31").hits] == [doc_id for doc_id, _ in everything]
    assert main(["ask", QUESTION, "--index", str(hashing_seed_index), "--since", "9999-12-31"]) == 0
    assert capsys.readouterr().out.strip() == "No cable matches the filters (since 9999-12-31)."
    assert qa.ask(QUESTION, since="9999-12-31", until="9999-12-31").excluded_by_filters


# --- an --index that cannot hold an index ------------------------------------------------------


def index_argv(target) -> list[str]:
    return ["index", str(SEEDS), "--index", str(target), "--model", "hashing"]


@pytest.mark.parametrize("under", ["", "sub/folder"])
def test_an_index_folder_that_is_a_file_or_under_one_is_one_line(tmp_path, under, capsys):
    data = tmp_path / "cables.csv"
    data.write_text("precious\n")
    target = data / under if under else data
    assert main(index_argv(target)) == 2
    assert one_error_line(capsys) == f"cannot build an index in {target}: {data} is a file, not a folder"
    assert data.read_text() == "precious\n"
    with pytest.raises(CableQAError, match=f"^cannot build an index in {target}: "):
        cableqa.build([SEEDS], target, model="hashing")


@pytest.mark.parametrize(
    "target, message",
    [
        ("cables.csv", "{target} is a file, not a cableqa index"),
        ("empty", "{target} is not a cableqa index; build one with `cableqa index CABLES --index {target}`"),
        (
            "nowhere",
            "{target} is not a cableqa index (it does not exist); build one with `cableqa index CABLES --index {target}`",
        ),
    ],
)
def test_checking_what_is_not_an_index_says_so_in_one_line(tmp_path, target, message, capsys):
    (tmp_path / "cables.csv").write_text("precious\n")
    (tmp_path / "empty").mkdir()
    target = tmp_path / target
    assert main(["index", "--check", "--index", str(target)]) == 2
    assert one_error_line(capsys) == message.format(target=target)


@pytest.mark.parametrize("argv", [[], ["info"], ["ask", QUESTION], ["index", "--check"], ["refs", SEED_ID]])
def test_a_folder_of_cables_given_as_the_index_says_so_and_how_to_index_it(tmp_path, argv, capsys, monkeypatch):
    """It once suggested `cableqa index --index CABLES`, which would have built the seed into the cables folder."""
    cables = tmp_path / "my cables"
    cables.mkdir()
    shutil.copy(next(SEEDS.glob("*.txt")), cables / "seed.txt")
    monkeypatch.setattr("cableqa.tui.run", lambda *args, **kwargs: pytest.fail("the chat opened"))
    assert main(["--index", str(cables), *argv]) == 2
    assert one_error_line(capsys) == (
        f"{cables} holds cables, not an index; index them with `cableqa index '{cables}' --index NEWDIR`"
    )
    with pytest.raises(CableQAError, match="holds cables, not an index"):
        cableqa.load(cables)  # the API would build a missing index: never into a folder of cables
    assert [path.name for path in cables.iterdir()] == ["seed.txt"]
    assert main(["info", "--index", str(cables / "seed.txt")]) == 2
    assert one_error_line(capsys).startswith(f"{cables}/seed.txt is a file of cables, not an index; index it with")


def test_a_folder_for_the_lock_file_is_one_line_and_the_index_stays(tmp_path, capsys):
    fresh = tmp_path / "fresh"
    (fresh / "build.lock").mkdir(parents=True)
    assert main(index_argv(fresh)) == 2
    assert one_error_line(capsys) == (
        f"cannot build an index in {fresh}: {fresh}/build.lock is a folder, not the lock file; remove it"
    )
    built = tmp_path / "built"
    cableqa.build([SEEDS], built, model="hashing")
    manifest = (built / "manifest.json").read_text()
    (built / "build.lock").unlink()
    (built / "build.lock").mkdir()
    assert main([*index_argv(built), "--rebuild"]) == 2
    assert "build.lock is a folder, not the lock file; remove it" in one_error_line(capsys)
    assert (built / "manifest.json").read_text() == manifest
    assert cableqa.load(built).cable(SEED_ID) is not None


def test_a_folder_in_the_way_of_the_manifest_is_one_line_and_the_index_stays(tmp_path, capsys):
    index = tmp_path / "index"
    cableqa.build([SEEDS], index, model="hashing")
    before = sorted(path.name for path in index.iterdir())
    manifest = (index / "manifest.json").read_text()
    (index / "manifest.json.tmp").mkdir()
    assert main([*index_argv(index), "--rebuild"]) == 2
    *progress, last = capsys.readouterr().err.splitlines()  # it failed at the end, after the progress display
    assert last == (
        f"cableqa: error: cannot write the index in {index} (Is a directory: {index}/manifest.json.tmp);"
        " the previous index is untouched"
    )
    assert not any("error" in line or "Traceback" in line for line in progress)
    assert sorted(path.name for path in index.iterdir()) == sorted([*before, "manifest.json.tmp"])
    assert (index / "manifest.json").read_text() == manifest
    assert cableqa.load(index).cable(SEED_ID) is not None


def test_a_read_only_file_system_is_one_line(tmp_path, capsys):
    mount = tmp_path / "read-only"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(mount)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        for target in (mount, mount / "index"):
            assert main(index_argv(target)) == 2
            assert one_error_line(capsys) == f"cannot build an index in {target}: read-only file system"
    finally:
        subprocess.run(["umount", "--lazy", str(mount)])


def test_a_file_for_the_generation_folder_is_one_line_for_every_reader(tmp_path, capsys):
    index = tmp_path / "index"
    cableqa.build([SEEDS], index, model="hashing")
    generation = json.loads((index / "manifest.json").read_text())["generation"]
    shutil.rmtree(index / generation)
    (index / generation).write_text("not a folder")
    damaged = f"the index in {index} is damaged (its generation folder {generation} is missing)"
    for argv in (["info"], ["ask", QUESTION], ["show", SEED_ID], ["refs", SEED_ID], ["related", SEED_ID]):
        assert main([*argv, "--index", str(index)]) == 2, argv
        assert one_error_line(capsys).startswith(damaged), argv
    assert main(index_argv(index)) == 0  # an update rebuilds a damaged index
    assert cableqa.load(index).cable(SEED_ID) is not None
