"""Shared fixtures: paths, a per-test data dir, and indexes built once per session.

Indexes come in two kinds: over the fake "hashing" encoder (milliseconds, for logic)
and over the real bundled model (seconds, for integration tests marked `model`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
FIXTURES = REPO / "tests" / "fixtures"
SEED_ID = "07PARIS4695"


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory, monkeypatch):
    """Keep user state (TUI history) out of the user's real data directory, and the user's default
    index out of the tests."""
    monkeypatch.setenv("CABLEQA_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("CABLEQA_INDEX", raising=False)


@pytest.fixture(scope="session")
def hashing_seed_index(tmp_path_factory) -> Path:
    import cableqa

    directory = tmp_path_factory.mktemp("hashing-index") / "index"
    cableqa.build([SEEDS], directory, model="hashing")
    return directory


@pytest.fixture(scope="session")
def real_seed_index(tmp_path_factory) -> Path:
    """The seed indexed with the real bundled model (also exports its ONNX query encoder once)."""
    import cableqa

    directory = tmp_path_factory.mktemp("real-index") / "index"
    cableqa.build([SEEDS], directory)
    return directory


@pytest.fixture(scope="session")
def real_ranking_index(tmp_path_factory) -> Path:
    """The 30 cables of `fixtures/ranking-corpus` indexed with the real bundled model."""
    import cableqa

    directory = tmp_path_factory.mktemp("ranking-index") / "index"
    cableqa.build([FIXTURES / "ranking-corpus"], directory)
    return directory


@pytest.fixture(scope="session")
def real_seed_assistant(real_seed_index):
    import cableqa

    return cableqa.load(real_seed_index, build_missing=False)


@pytest.fixture
def sources(tmp_path):
    """A private copy of the seed and two fixture cables, free to edit and delete."""
    folder = tmp_path / "cables"
    folder.mkdir()
    shutil.copy(next(SEEDS.glob("*.txt")), folder / "seed.txt")
    for name in ("07LAPAZ2400.html", "09OTTAWA64.html"):
        shutil.copy(FIXTURES / "cables" / name, folder / name)
    return folder
