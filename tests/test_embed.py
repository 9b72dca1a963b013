"""The encoder: the hashing fake, word pieces, model resolution, and (marked `model`) the real paths.

The real-model tests state the contract between the paths: the ONNX export run by onnxruntime
gives the SentenceTransformer's vectors (cosine ≥ 0.9999), truncation and padding included, and
a CPU build runs that same export.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cableqa import embed
from cableqa.embed import (
    DEFAULT_MODEL,
    HashingEncoder,
    OnnxEncoder,
    SentenceTransformerEncoder,
    load_encoder,
    resolve_model,
    word_pieces,
)
from cableqa.errors import CableQAError

LONG_TEXT = " ".join(f"Paragraph {n}: the ambassador met officials about narcotics seizures." for n in range(60))
TEXTS = [
    "How much heroin was seized at Dunkerque?",
    "Ok.",
    "The embassy reported that customs officers seized thirty kilograms of heroin in a truck.",
    LONG_TEXT,
    "Embassy Paris",
]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True, timeout=300
    )


# --- model names ---------------------------------------------------------------------------------


def test_default_model_resolves_to_the_bundled_folder():
    name, path = resolve_model(None)
    assert name == DEFAULT_MODEL
    assert (Path(path) / "modules.json").is_file()
    assert resolve_model(f"sentence-transformers/{DEFAULT_MODEL}") == (name, path)


def test_hashing_names_carry_their_dimension():
    assert resolve_model("hashing") == ("hashing:384", "hashing:384")
    assert resolve_model("hashing:16")[0] == "hashing:16"
    with pytest.raises(CableQAError, match="positive whole number"):
        resolve_model("hashing:many")


def test_local_folder_is_named_by_its_folder(tmp_path):
    folder = tmp_path / "my-model"
    folder.mkdir()
    assert resolve_model(str(folder)) == ("my-model", str(folder.resolve()))


def test_missing_local_path_is_a_clear_error(tmp_path):
    with pytest.raises(CableQAError, match="not a folder"):
        resolve_model(str(tmp_path / "absent"))


def test_hub_names_pass_through():
    assert resolve_model("someone/some-model") == ("someone/some-model", "someone/some-model")


def test_cache_dir_prefers_cableqa_then_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("CABLEQA_CACHE_DIR", str(tmp_path / "mine"))
    assert embed.cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("CABLEQA_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert embed.cache_dir() == tmp_path / "xdg" / "cableqa"


# --- the hashing encoder -------------------------------------------------------------------------


def test_hashing_vectors_are_unit_float32_rows():
    vectors = HashingEncoder().encode(TEXTS + [""])
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(TEXTS) + 1, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_hashing_is_deterministic_and_order_preserving():
    together = HashingEncoder().encode(TEXTS, batch_size=2)
    one_by_one = np.vstack([HashingEncoder().encode([text]) for text in TEXTS])
    np.testing.assert_array_equal(together, one_by_one)


def test_hashing_texts_sharing_words_are_closer():
    question, answer, unrelated = HashingEncoder().encode(
        ["heroin seized at Dunkerque", "Customs at Dunkerque seized heroin.", "The minister visited Brazil."]
    )
    assert question @ answer > 0.7
    assert question @ answer > question @ unrelated + 0.5


def test_hashing_dimension_is_configurable():
    encoder = load_encoder("hashing:16")
    assert (encoder.name, encoder.dimension) == ("hashing:16", 16)
    assert encoder.encode(["a b c"]).shape == (1, 16)


def test_on_batch_reports_every_text_once():
    reported: list[int] = []
    HashingEncoder().encode(TEXTS, batch_size=2, on_batch=reported.append)
    assert reported == [2, 2, 1]


def test_empty_input_gives_an_empty_matrix():
    assert HashingEncoder().encode([]).shape == (0, 384)


# --- word pieces ---------------------------------------------------------------------------------


def test_hashing_word_pieces_are_words_and_punctuation():
    text = "Embassy Paris, 12 May: seized."
    pieces = [text[start:end] for start, end in word_pieces("hashing").offsets(text)]
    assert pieces == ["Embassy", "Paris", ",", "12", "May", ":", "seized", "."]


def test_minilm_word_pieces_cover_the_text_without_special_tokens():
    pieces = word_pieces()
    text = "Dunkerque customs seized 30 kg of heroin."
    offsets = pieces.offsets(text)
    assert pieces.count(text) == len(offsets) > len(text.split())  # "Dunkerque" splits into pieces
    assert "".join(text[start:end] for start, end in offsets) == text.replace(" ", "")
    assert pieces.count("") == 0


def test_minilm_word_pieces_do_not_truncate():
    assert word_pieces().count(LONG_TEXT) > 256


def test_light_paths_do_not_import_torch():
    result = run_python(
        "import sys; from cableqa.embed import word_pieces, load_encoder;"
        "word_pieces().count('x'); load_encoder('hashing').encode(['x']);"
        "print(sorted(m for m in ('torch', 'sentence_transformers') if m in sys.modules))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- which pipelines can be exported -------------------------------------------------------------


class Transformer:
    pass


class Normalize:
    pass


class Dense:
    pass


class Pooling:
    def __init__(self, config: dict):
        self.config = config

    def get_config_dict(self) -> dict:
        return self.config


@pytest.mark.parametrize(
    "modules, expected",
    [
        ([Transformer(), Pooling({"pooling_mode": "mean"}), Normalize()], "mean"),
        ([Transformer(), Pooling({"pooling_mode": "cls"})], "cls"),
        ([Transformer(), Pooling({"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False})], "cls"),
        ([Transformer(), Pooling({"pooling_mode": "max"})], None),
        ([Transformer(), Pooling({"pooling_mode": ["mean", "max"]})], None),
        ([Transformer(), Pooling({"pooling_mode": "mean"}), Dense(), Normalize()], None),
    ],
)
def test_only_mean_or_cls_pooled_transformers_are_exported(modules, expected):
    assert embed._exportable_pooling(modules) == expected


# --- the real model (slow) -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cableqa-cache")


@pytest.fixture(scope="module")
def both_paths(model_cache):
    """(the torch path, as a GPU build runs it; the ONNX export, as questions are encoded)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CABLEQA_CACHE_DIR", str(model_cache))
        query = load_encoder(purpose="query")  # exports the model on first use
    torch_path = SentenceTransformerEncoder(DEFAULT_MODEL, embed._load_sentence_transformer(resolve_model(None)[1]))
    return torch_path, query


@pytest.mark.model
def test_the_model_is_exported_once_and_every_cpu_path_runs_the_export(both_paths, model_cache, monkeypatch):
    _, query = both_paths
    monkeypatch.setenv("CABLEQA_CACHE_DIR", str(model_cache))
    build = load_encoder(purpose="build", device="cpu")
    assert isinstance(query, OnnxEncoder) and isinstance(build, OnnxEncoder)
    (export,) = model_cache.iterdir()
    assert export.name.startswith(DEFAULT_MODEL)
    exported = json.loads((export / "export.json").read_text())
    assert (exported["pooling"], exported["max_tokens"], exported["dimension"]) == ("mean", 256, 384)
    for encoder in (*both_paths, build):
        assert (encoder.name, encoder.dimension, encoder.max_tokens) == (DEFAULT_MODEL, 384, 256)


@pytest.mark.model
def test_a_cpu_build_gives_the_model_own_vectors(both_paths, model_cache, monkeypatch):
    torch_path, _ = both_paths
    monkeypatch.setenv("CABLEQA_CACHE_DIR", str(model_cache))
    build = load_encoder(purpose="build", device="cpu")
    texts = [*TEXTS, "  spaced out\n"]  # stripped, as sentence-transformers strips
    assert cosines(torch_path.encode(texts, batch_size=3), build.encode(texts, batch_size=3)).min() >= 0.9999


@pytest.mark.model
def test_onnx_and_sentence_transformer_vectors_agree(both_paths):
    build, query = both_paths
    assert word_pieces().count(LONG_TEXT) > build.max_tokens  # so truncation is exercised
    expected = build.encode(TEXTS, batch_size=3)  # mixed lengths in one batch: padding exercised
    actual = query.encode(TEXTS, batch_size=3)
    assert actual.dtype == np.float32 and actual.shape == (len(TEXTS), 384)
    assert cosines(expected, actual).min() >= 0.9999


@pytest.mark.model
def test_build_encoder_tokenises_as_sentence_transformers_does(both_paths):
    build, _ = both_paths
    texts = [*TEXTS, "  spaced out\n", "", "ÉMBASSY résumé — naïve"]
    # Its own encode, as sentence-transformers tokenises: stripped, truncated, padded per batch.
    expected = build._transformer.encode(texts, batch_size=4, normalize_embeddings=True, convert_to_numpy=True)
    actual = build.encode(texts, batch_size=4)
    assert build._batch_tokenizer is not None  # the fast path ran
    assert np.abs(expected - actual).max() < 1e-5


@pytest.mark.model
def test_padding_and_truncation_do_not_change_onnx_vectors(both_paths):
    _, query = both_paths
    alone = np.vstack([query.encode([text]) for text in TEXTS])
    batched = query.encode(TEXTS, batch_size=len(TEXTS))
    assert cosines(alone, batched).min() >= 0.9999
    # Everything past the model's window is cut off, so appending more changes nothing.
    longer = query.encode([LONG_TEXT + " And then the ministers talked about something else entirely."])
    assert cosines(alone[[3]], longer)[0] >= 0.9999


@pytest.mark.model
@pytest.mark.parametrize("purpose", ["query", "build"])
def test_a_cached_export_is_run_without_importing_torch(both_paths, model_cache, purpose):
    result = run_python(
        "import sys; from cableqa.embed import load_encoder;"
        f"encoder = load_encoder(purpose={purpose!r}, device='cpu'); encoder.encode(['x']);"
        "print(type(encoder).__name__, 'torch' in sys.modules)",
        CABLEQA_CACHE_DIR=str(model_cache),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "OnnxEncoder False"


@pytest.mark.model
def test_unexportable_model_falls_back_to_sentence_transformers(monkeypatch, tmp_path, both_paths):
    monkeypatch.setenv("CABLEQA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(embed, "_exportable_pooling", lambda transformer: None)
    encoder = load_encoder(purpose="query")
    assert isinstance(encoder, SentenceTransformerEncoder)
    assert list(tmp_path.iterdir()) == []
    assert cosines(encoder.encode(TEXTS[:2]), both_paths[1].encode(TEXTS[:2])).min() >= 0.9999


# --- the build device ----------------------------------------------------------------------------


def test_cpu_is_cpu_without_asking_torch():
    assert embed.resolve_device("cpu") == "cpu"


def test_auto_uses_cuda_only_when_torch_sees_a_gpu(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert embed.resolve_device("auto") == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert embed.resolve_device("auto") == "cuda"
    assert embed.batch_size_for("cuda") > embed.batch_size_for("cpu")


def test_cuda_without_a_gpu_is_a_clear_error(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(CableQAError, match="no CUDA GPU"):
        embed.resolve_device("cuda")
    with pytest.raises(CableQAError, match="unknown device"):
        embed.resolve_device("tpu")


@pytest.mark.model
def test_the_build_encoder_runs_where_auto_points(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    encoder = load_encoder(purpose="build", device="auto")
    assert encoder.device == "cpu"
    assert encoder.encode(TEXTS[:1]).shape == (1, 384)
