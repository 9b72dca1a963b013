"""Every long phase of a build has its own progress line from its first second: reading, loading
the model, embedding, writing; in the CLI and in the TUI's status line."""

import threading

import pytest
from conftest import SEEDS
from tui_fixtures import FakeAssistant, settle, visible

import cableqa
from cableqa.cli import main
from cableqa.tui.app import make_app
from cableqa.wording import BUILD_STAGES


def test_a_build_reports_each_stage_as_it_starts_the_model_before_it_loads(tmp_path, monkeypatch):
    """The model's load once sat silently at "embedding 0/N" for 10-15 s."""
    import cableqa.embed

    log: list[tuple] = []
    load_encoder = cableqa.embed.load_encoder

    def loading(*args, **kwargs):
        log.append(("encoder loaded",))
        return load_encoder(*args, **kwargs)

    monkeypatch.setattr(cableqa.embed, "load_encoder", loading)
    cableqa.build([SEEDS], tmp_path / "index", model="hashing", progress=lambda *report: log.append(report))
    assert log[0] == ("read", 0, None)  # before the files are hashed
    starts = [report for i, report in enumerate(log) if i == 0 or report[0] != log[i - 1][0]]
    assert [report[0] for report in starts] == ["read", "model", "encoder loaded", "embed", "write"]
    assert ("model", 0, None) in starts and starts[3][1] == 0


def test_an_update_with_nothing_to_embed_loads_no_model(sources, tmp_path):
    cableqa.build([sources], tmp_path / "index", model="hashing")
    (sources / "09OTTAWA64.html").unlink()  # a change, and nothing new to embed
    stages = []
    report = cableqa.build(None, tmp_path / "index", progress=lambda stage, done, total: stages.append(stage))
    assert report.files_removed == 1 and report.vectors_embedded == 0
    assert "model" not in stages and "read" in stages and "write" in stages


def test_the_cli_shows_a_line_for_each_stage(tmp_path, capsys):
    assert main(["index", str(SEEDS), "--index", str(tmp_path / "index"), "--model", "hashing"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    local_stages = [BUILD_STAGES[stage] for stage in ("read", "model", "embed", "write")]  # no cluster to join
    assert [line.split("━")[0].strip() for line in lines] == local_stages
    assert "loading the model" in BUILD_STAGES.values()


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_the_status_line_says_the_model_is_loading_then_the_embedding():
    reported = [threading.Event(), threading.Event()]  # the loader reported a stage (the UI has it)
    read = [threading.Event(), threading.Event()]  # the test read the status line

    def load(index_dir, *, model=None, progress=None):
        for (stage, total), done, seen in zip((("model", None), ("embed", 11)), reported, read, strict=True):
            progress(stage, 0, total)  # returns once the UI thread has run it
            done.set()
            seen.wait(10)
        return FakeAssistant(str(index_dir))

    app = make_app("fake-index", assistant_factory=load)
    async with app.run_test(size=(100, 32)) as pilot:
        texts = []
        for done, seen in zip(reported, read, strict=True):
            while not done.is_set():
                await pilot.pause(0.01)
            texts.append(str(app.status.query_one("#status-index").render()))
            seen.set()
        await settle(pilot)
        assert texts == ["Building the index: loading the model", "Building the index: embedding passages 0/11"]
        assert "fake-index/ · 3 cables · 4 sections · model fake" in visible(app)
