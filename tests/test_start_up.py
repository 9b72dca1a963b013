"""Start-up: what asking imports, when the TUI starts loading, the query encoder's cache layout.

The figures themselves come from `benchmarks/bench_tui.py`; these tests keep the causes in place.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO, SEED_ID
from tui_fixtures import FakeAssistant, settle

from cableqa.tui.app import make_app

# Modules a question over an existing index must not import: the build (and its readers and their
# HTML parser) and the build-time model stack.
NOT_ON_THE_ASK_PATH = ("cableqa.indexing", "cableqa.readers", "lxml", "torch", "sentence_transformers")


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.model
def test_asking_imports_neither_the_build_nor_torch(real_seed_index):
    """Load and ask over an existing index, in a fresh process: the modules above stay unimported."""
    script = (
        "import sys, cableqa\n"
        f"qa = cableqa.load({str(real_seed_index)!r}, build_missing=False)\n"
        "print(qa.ask('How much heroin was seized at Dunkerque?').hits[0].doc_id)\n"
        f"banned = {NOT_ON_THE_ASK_PATH!r}\n"
        "print(*[m for m in sorted(sys.modules) if any(m == b or m.startswith(b + '.') for b in banned)] or ['none'])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.split() == [SEED_ID, "none"]


@pytest.mark.model
def test_an_older_onnx_export_is_converted_in_place_without_torch(real_seed_index, tmp_path):
    """An export from before the weights moved to model.onnx.data (one self-contained model.onnx,
    no "layout" in export.json) still serves queries: converted on first use, torch never loaded."""
    import onnx

    from cableqa import embed
    from cableqa.files import file_sha256

    name, path = embed.resolve_model(None)
    current = embed._cached_export_dir(name, path)  # the seed's build made it
    older = tmp_path / "cache" / current.name
    older.mkdir(parents=True)
    shutil.copy2(current / "tokenizer.json", older / "tokenizer.json")
    onnx.save(onnx.load(str(current / "model.onnx")), str(older / "model.onnx"))  # the weights inside
    exported = json.loads((current / "export.json").read_text())
    del exported["layout"]
    exported["files"] = {
        file.name: {"size": file.stat().st_size, "mtime_ns": file.stat().st_mtime_ns, "sha256": file_sha256(file)}
        for file in (older / "model.onnx", older / "tokenizer.json")
    }
    (older / "export.json").write_text(json.dumps(exported))
    script = (
        "import json, sys; from cableqa.embed import load_encoder\n"
        "encoder = load_encoder(purpose='query')\n"
        "print(json.dumps([type(encoder).__name__, 'torch' in sys.modules, encoder.encode([sys.argv[1]]).tolist()]))\n"
    )
    question = "How much heroin was seized at Dunkerque?"
    result = subprocess.run(
        [sys.executable, "-c", script, question],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={**os.environ, "CABLEQA_CACHE_DIR": str(tmp_path / "cache")},
    )
    kind, torch_loaded, vectors = json.loads(result.stdout)
    assert (kind, torch_loaded) == ("OnnxEncoder", False)
    assert json.loads((older / "export.json").read_text())["layout"] == embed._EXPORT_LAYOUT
    assert (older / "model.onnx.data").stat().st_size > 80e6 > (older / "model.onnx").stat().st_size
    assert sorted(path.name for path in older.parent.iterdir()) == [older.name]  # nothing left beside it
    expected = embed.OnnxEncoder(name, current).encode([question])
    assert float(np.dot(np.asarray(vectors, dtype=np.float32)[0], expected[0])) >= 0.9999


@pytest.mark.anyio
async def test_the_tui_draws_its_first_frame_before_the_index_starts_loading():
    """Loading (numpy, FAISS, onnxruntime imported on the assistant thread) waits for the first frame.

    A frame is what Textual hands its driver: `App._display` with an update, outside a batch."""
    frames: list[object] = []
    frames_when_loading: list[int] = []

    def load(index_dir, *, model=None, progress=None):
        frames_when_loading.append(len(frames))
        return FakeAssistant(str(index_dir))

    app = make_app("fake-index", assistant_factory=load)
    display = app._display

    def counting(screen, renderable):
        if renderable is not None and not app._batch_count:
            frames.append(renderable)
        display(screen, renderable)

    app._display = counting
    async with app.run_test(size=(100, 32)) as pilot:
        for _ in range(500):
            await settle(pilot)
            if app.loaded:
                break
    assert app.loaded
    assert frames_when_loading[0] >= 1


@pytest.mark.model
def test_the_one_shot_encoder_gives_the_same_vectors(real_seed_index, monkeypatch):
    """`cableqa ask` opens the query encoder without packing its weights (`embed.ONE_SHOT_VARIABLE`): same vectors."""
    from cableqa import embed

    name, path = embed.resolve_model(None)
    export = embed._cached_export_dir(name, path)
    texts = ["How much heroin was seized at Dunkerque?", "The embassy reported a meeting. " * 20]
    packed = embed.OnnxEncoder(name, export).encode(texts)
    monkeypatch.setenv(embed.ONE_SHOT_VARIABLE, "1")
    assert np.abs(embed.OnnxEncoder(name, export).encode(texts) - packed).max() < 1e-5
