"""The default index: index/ inside a checkout, the user's data folder anywhere else, $CABLEQA_INDEX
everywhere; and a command that fails leaves no folder behind."""

import json
import os
from pathlib import Path

import pytest
from conftest import REPO, SEED_ID, SEEDS

import cableqa
from cableqa import locations
from cableqa.cli import main
from cableqa.errors import CableQAError
from cableqa.wording import folder

QUESTION = "How much heroin was seized at Dunkerque?"


@pytest.fixture
def elsewhere(tmp_path, monkeypatch) -> Path:
    """The current folder is outside any checkout, and the user's data folder is empty."""
    here = tmp_path / "elsewhere"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv("CABLEQA_DATA_DIR", str(tmp_path / "data"))
    return here


@pytest.fixture
def no_seed(monkeypatch, tmp_path):
    """cableqa installed from a wheel: no checkout to take the seed from."""
    monkeypatch.setattr(locations, "PACKAGE_ROOT", tmp_path / "site-packages")


def test_inside_a_checkout_the_default_index_is_its_index_folder(monkeypatch):
    monkeypatch.chdir(REPO)
    assert locations.default_index() == Path("index")
    assert locations.shipped_seeds() == Path("seeds")
    monkeypatch.chdir(REPO / "src" / "cableqa")
    assert locations.default_index() == Path("../../index")  # the checkout's, not src/cableqa/index


def test_anywhere_else_it_is_in_the_users_data_folder(elsewhere, tmp_path, monkeypatch):
    assert locations.default_index() == tmp_path / "data" / "index"
    assert locations.shipped_seeds() == SEEDS  # from the checkout cableqa runs from
    monkeypatch.delenv("CABLEQA_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # what platformdirs reads on Linux
    if os.name == "posix" and not os.uname().sysname == "Darwin":
        assert locations.default_index() == tmp_path / "xdg" / "cableqa" / "index"
    monkeypatch.setenv("CABLEQA_INDEX", str(tmp_path / "mine"))
    assert locations.default_index() == tmp_path / "mine"
    monkeypatch.chdir(REPO)
    assert locations.default_index() == tmp_path / "mine"  # named by the user: everywhere


def test_asking_from_elsewhere_builds_the_seed_into_the_data_folder_and_says_where(elsewhere, tmp_path, capsys):
    """It once failed here ("the default, seeds/, is not here") and left an index/ folder behind."""
    assert main(["ask", QUESTION, "--model", "hashing", "--json"]) == 0
    captured = capsys.readouterr()
    index = tmp_path / "data" / "index"
    assert f"cableqa: no index in {index}/ yet; building it from " in captured.err
    assert json.loads(captured.out)["hits"][0]["doc_id"] == SEED_ID
    assert list(elsewhere.iterdir()) == []
    assert main(["info"]) == 0
    assert f"index     {index}/\n" in capsys.readouterr().out
    assert main(["info", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["index_dir"] == str(index)


def test_without_a_seed_asking_says_how_to_build_one_and_leaves_no_folder(elsewhere, tmp_path, no_seed, capsys):
    data = tmp_path / "data"
    assert main(["ask", QUESTION]) == 2
    assert capsys.readouterr() == (
        "",
        f"cableqa: error: no index in {data}/index/ yet; build one with `cableqa index CABLES`\n",
    )
    with pytest.raises(CableQAError, match=r"^no cables to index: give a file or folder"):
        cableqa.load()  # what the chat does: the build fails in the folders it made, and removes them
    assert not data.exists() and list(elsewhere.iterdir()) == []


def test_a_failed_build_removes_the_folders_it_made_and_nothing_else(elsewhere, tmp_path, no_seed, capsys):
    target = tmp_path / "new" / "deep" / "index"
    assert main(["index", "--index", str(target)]) == 2  # no PATH, and no seed to default to
    assert capsys.readouterr().err.startswith("cableqa: error: no cables to index: give a file or folder")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["elsewhere"]
    kept = tmp_path / "mine"
    kept.mkdir()  # made by the user: it stays, empty
    assert main(["index", "--index", str(kept)]) == 2
    assert kept.is_dir() and list(kept.iterdir()) == []


def test_a_build_waiting_on_a_failed_one_builds_in_a_new_folder(tmp_path):
    """A build that waited for the lock of a folder the failed build removed takes the new lock file."""
    import threading

    from cableqa.buildlock import LOCK_FILE, build_lock

    target = tmp_path / "index"
    locked, waiting, done = threading.Event(), threading.Event(), []

    def second() -> None:
        locked.wait(10)
        with build_lock(target, on_wait=lambda pid: waiting.set()):
            done.append((target / LOCK_FILE).read_text().strip())

    thread = threading.Thread(target=second)
    thread.start()
    with pytest.raises(RuntimeError), build_lock(target):
        locked.set()
        waiting.wait(10)
        raise RuntimeError("the first build fails")
    thread.join(10)
    assert done == [str(os.getpid())] and (target / LOCK_FILE).is_file()


def test_info_and_the_status_line_name_the_index_folder(tmp_path, capsys):
    from cableqa.tui.status_bar import StatusBar

    index = tmp_path / "index"
    cableqa.build([SEEDS], index, model="hashing")
    info = cableqa.load(index).info()
    assert main(["info", "--index", str(index)]) == 0
    assert f"index     {folder(index)}\n" in capsys.readouterr().out
    shown = []
    bar = StatusBar()
    bar._set = lambda widget_id, content: shown.append(str(content))
    bar.ready(info)
    assert shown == [f"{folder(index)} · 1 cable · {info.sections} sections · model hashing:384"]


def test_a_folder_in_the_home_folder_is_shown_from_tilde(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert folder(tmp_path / ".local" / "share" / "cableqa" / "index") == "~/.local/share/cableqa/index/"
    assert folder(Path("index")) == "index/" and folder("/elsewhere/index") == "/elsewhere/index/"
