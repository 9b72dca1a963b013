"""The cut and embed stages on Ray Data (`cableqa index --ray`): the same index as a local build,
and a build that survives an encoder actor killed under it.

Skipped where the `ray` extra is not installed (`pip install 'cableqa[ray]'`); CI installs it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, SEEDS

import cableqa
from cableqa import ray_build
from cableqa.cli import main
from cableqa.errors import CableQAError
from cableqa.evaluate import read_questions
from cableqa.index_files import DATABASE, Manifest
from cableqa.store import codes

ray = pytest.importorskip("ray", reason="the ray extra is not installed: pip install 'cableqa[ray]'")
pytest.importorskip("ray.data", reason="the ray extra is not installed: pip install 'cableqa[ray]'")

ENCODER_PROCESS = "ray::MapWorker(MapBatches(_Encoder))"
VECTOR_TOLERANCE = 1e-5  # cosine, as the issue asks of a Ray build against a local one


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    """One local Ray of 2 CPUs for this module (a build joins a running Ray and leaves it running)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def database(index: Path) -> sqlite3.Connection:
    return sqlite3.connect(index / Manifest.read(index).generation / DATABASE)


def assert_same_index(ray_index: Path, local_index: Path) -> None:
    ours, theirs = database(ray_index), database(local_index)
    for query in (
        "SELECT doc_id, digest FROM cables ORDER BY doc_id",
        "SELECT rowid, id, title, start, end FROM sections ORDER BY rowid",
        "SELECT id, section_rowid, start, end FROM windows ORDER BY id",
        "SELECT id, section_rowid, start, end FROM sentences ORDER BY id",
    ):
        assert ours.execute(query).fetchall() == theirs.execute(query).fetchall(), query
    for table in ("windows", "sentences"):
        query = f"SELECT vector FROM {table} ORDER BY id"
        a, b = (codes.decode([row[0] for row in db.execute(query)], 384) for db in (ours, theirs))
        cosine = np.sum(a * b, axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
        assert len(a) > 10 and cosine.min() >= 1 - VECTOR_TOLERANCE, table


@pytest.mark.model
def test_a_ray_build_is_the_same_index_as_a_local_one(real_ranking_index, tmp_path):
    index = tmp_path / "index"
    report = cableqa.build([FIXTURES / "ranking-corpus"], index, engine="ray")
    assert report.cables == 30 and report.vectors_embedded > 1000
    assert_same_index(index, real_ranking_index)
    on_ray, local = cableqa.load(index, build_missing=False), cableqa.load(real_ranking_index, build_missing=False)
    questions = [question["question"] for question in read_questions(FIXTURES / "ranking-questions.jsonl")]
    assert len(questions) > 100
    for question in questions:
        # The encoder batches differ (an actor's batch is not the local build's), so vectors differ
        # in the last bits of a float: the same passages, excerpts and order, scores to 1e-3.
        ours, theirs = on_ray.ask(question).hits, local.ask(question).hits
        assert [passage(hit) for hit in ours] == [passage(hit) for hit in theirs], question
        assert [hit.score for hit in ours] == pytest.approx([hit.score for hit in theirs], abs=1e-3), question


def passage(hit) -> tuple:
    return hit.doc_id, hit.section_id, hit.paragraphs, hit.excerpt


def encoder_pids() -> set[int]:
    pids = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes().startswith(ENCODER_PROCESS.encode()):
                pids.add(int(entry.name))
        except OSError:  # gone meanwhile
            continue
    return pids


def test_an_encoder_actor_killed_mid_build_is_restarted_and_the_build_completes(tmp_path, monkeypatch):
    sources = [SEEDS, FIXTURES / "cables", FIXTURES / "ranking-corpus"]
    local = cableqa.build(sources, tmp_path / "local", model="hashing")
    monkeypatch.setattr(ray_build, "SECTIONS_PER_BATCH", 4)  # many batches, so the kill lands mid-build
    killed, restarted = [], []

    def kill_one_encoder_then_watch() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not restarted:
            pids = encoder_pids()
            if pids and not killed:
                killed.append(min(pids))
                os.kill(killed[0], signal.SIGKILL)
            elif pids - set(killed):
                restarted.extend(pids - set(killed))
            time.sleep(0.05)

    def start_killer(stage: str, done: int, total: int | None) -> None:
        if stage == "embed" and done == 0:
            threading.Thread(target=kill_one_encoder_then_watch, daemon=True).start()

    report = cableqa.build(sources, tmp_path / "ray", model="hashing", engine="ray", progress=start_killer)
    assert killed and restarted, "an encoder actor was killed, and Ray started another"
    assert (report.cables, report.sections, report.vectors) == (local.cables, local.sections, local.vectors)
    assert_same_index(tmp_path / "ray", tmp_path / "local")


def test_a_killed_ray_build_resumes_where_it_stopped(tmp_path, monkeypatch):
    sources = [SEEDS, FIXTURES / "cables"]
    monkeypatch.setattr(ray_build, "SECTIONS_PER_BATCH", 4)
    batches = []

    def interrupt_after_two_batches(stage: str, done: int, total: int | None) -> None:
        if stage == "embed" and done:
            batches.append(done)
            if len(batches) == 2:
                raise KeyboardInterrupt

    index = tmp_path / "index"
    with pytest.raises(KeyboardInterrupt):
        cableqa.build(sources, index, model="hashing", engine="ray", progress=interrupt_after_two_batches)
    resumed = cableqa.build(sources, index, model="hashing")  # without Ray: the same batches either way
    whole = cableqa.build(sources, tmp_path / "whole", model="hashing")
    assert resumed.resumed and 0 < resumed.vectors_embedded < whole.vectors_embedded
    assert_same_index(index, tmp_path / "whole")


def test_ray_address_takes_an_address_and_leaves_a_path(tmp_path):
    from cableqa.cli import ray_address

    existing = tmp_path / "cables.csv"
    existing.write_text("")
    assert ray_address(["a"], None) == (["a"], None)
    assert ray_address(["a"], "") == (["a"], None)
    assert ray_address(["a"], "ray://head:10001") == (["a"], "ray://head:10001")
    assert ray_address(["a"], "auto") == (["a"], "auto")
    assert ray_address(["a"], str(existing)) == (["a", str(existing)], None)


def test_index_ray_without_the_extra_is_one_line_naming_it(tmp_path, monkeypatch, capsys):
    real_find_spec = ray_build.importlib.util.find_spec
    monkeypatch.setattr(
        ray_build.importlib.util,
        "find_spec",
        lambda name, *a: None if name.startswith("ray") else real_find_spec(name, *a),
    )
    index = tmp_path / "index"
    assert main(["index", str(SEEDS), "--index", str(index), "--model", "hashing", "--ray"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'cableqa[ray]'" in err
    assert not index.exists() or not (index / "manifest.json").exists()


def test_device_cuda_on_a_cluster_without_gpus_is_one_clear_error(tmp_path):
    with pytest.raises(CableQAError, match="the Ray cluster has no GPU"):
        cableqa.build([SEEDS], tmp_path / "index", model="hashing", engine="ray", device="cuda")
    assert not list((tmp_path / "index").glob("gen-*"))  # nothing half-built is left


def test_a_cluster_that_cannot_be_reached_is_one_line_before_any_file_is_read(tmp_path, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Could not find any running Ray instance")

    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", unreachable)
    reports = []
    with pytest.raises(CableQAError, match="cannot reach the Ray cluster at auto: Could not find any running Ray"):
        cableqa.build(
            [SEEDS],
            tmp_path / "index",
            model="hashing",
            engine="ray",
            address="auto",
            progress=lambda *report: reports.append(report),
        )
    assert reports == [("join", 0, None)]  # not a file read first
