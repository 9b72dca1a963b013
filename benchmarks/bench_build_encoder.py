"""What the build encoder costs on a CPU: torch, the ONNX export, and the export with 8-bit weights.

On a sample of real windows and sentences (cut from the cables in CABLES as the indexer cuts
them), each encoder embeds the windows, then the sentences, in rounds that alternate the
encoders (so a machine that slows down in the middle slows all of them alike). Prints, per
encoder: the median seconds, windows/s, vectors/s, its speed against torch, and the cosine of
its window and sentence vectors with torch's (the model's own vectors).

The 8-bit contender (onnxruntime's `quantize_dynamic`, per channel, one text a run: its products
scale a run's activations by the whole run's range, so in batches a vector depends on its batch)
was measured and not adopted; docs/scale.md says why. It is made here, in a temporary folder.

    python benchmarks/bench_build_encoder.py [CABLES] [--windows 256] [--rounds 3] [--json out.json]

CABLES defaults to the shared corpus (../shared/corpus/cablegate-html) or else seeds/.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = ROOT.parent / "shared" / "corpus" / "cablegate-html"


def sample(folder: Path, count: int) -> tuple[list[str], list[str]]:
    """`count` windows as the indexer embeds them (subject and title first), and the sentences of their sections."""
    import cableqa
    from cableqa.cutting import Cutter, SectionText, window_text

    cutter = Cutter(None)
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    random.Random(0).shuffle(files)
    windows, sentences = [], []
    for path in files:
        for cable in cableqa.read(path, on_skip=lambda *_: None):
            for section in cable.sections:
                cut = cutter.cut(SectionText(0, cable.subject, section.title, section.text))
                windows += [window_text(cable.subject, section.title, section.text[a:b]) for a, b in cut.windows]
                sentences += [section.text[a:b] for a, b in cut.sentences]
                if len(windows) >= count:
                    return windows[:count], sentences
    return windows, sentences


class Int8Encoder:
    """The export with its matrix products' weights as 8-bit integers, one text a run."""

    def __init__(self, name: str, export_dir: Path, folder: Path):
        import onnx
        import onnxruntime
        from onnxruntime.quantization import QuantType, quantize_dynamic

        from cableqa import embed

        quantised = folder / "model.int8.onnx"
        quantize_dynamic(
            export_dir / embed._ONNX_FILE,
            quantised,
            weight_type=QuantType.QInt8,
            per_channel=True,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},  # the export's fused operators
        )
        self._encoder = embed.OnnxEncoder(name, export_dir)
        self._encoder._session = onnxruntime.InferenceSession(str(quantised), providers=["CPUExecutionProvider"])

    def encode(self, texts, *, batch_size=32):
        return self._encoder.encode(texts, batch_size=1)


def encoders(folder: Path) -> dict[str, object]:
    from cableqa import embed

    name, path = embed.resolve_model(None)
    export_dir = embed._cached_export_dir(name, path) or embed._export_onnx(
        embed._load_sentence_transformer(path), name, path
    )
    return {
        "torch": embed.SentenceTransformerEncoder(name, embed._load_sentence_transformer(path)),
        "onnx": embed.OnnxEncoder(name, export_dir),
        "onnx int8": Int8Encoder(name, export_dir, folder),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "cables", nargs="?", type=Path, default=SHARED_CORPUS if SHARED_CORPUS.is_dir() else ROOT / "seeds"
    )
    parser.add_argument("--windows", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from cableqa.embed import batch_size_for

    windows, sentences = sample(args.cables, args.windows)
    batch = batch_size_for("cpu")
    contenders = encoders(Path(tempfile.mkdtemp(prefix="bench-build-encoder-")))
    for encoder in contenders.values():
        encoder.encode(windows[:batch], batch_size=batch)  # warm up
    seconds: dict[str, list[float]] = {name: [] for name in contenders}
    vectors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for _ in range(args.rounds):
        for name, encoder in contenders.items():
            started = time.perf_counter()
            vectors[name] = (encoder.encode(windows, batch_size=batch), encoder.encode(sentences, batch_size=batch))
            seconds[name].append(time.perf_counter() - started)
    torch_seconds = statistics.median(seconds["torch"])
    rows = []
    for name in contenders:
        median = statistics.median(seconds[name])
        window_cosine = np.sum(vectors[name][0] * vectors["torch"][0], axis=1)
        sentence_cosine = np.sum(vectors[name][1] * vectors["torch"][1], axis=1)
        rows.append(
            {
                "encoder": name,
                "seconds": round(median, 2),
                "range": [round(min(seconds[name]), 2), round(max(seconds[name]), 2)],
                "windows_per_s": round(len(windows) / median, 1),
                "vectors_per_s": round((len(windows) + len(sentences)) / median, 1),
                "speed_vs_torch": round(torch_seconds / median, 2),
                "window_cosine": [round(float(window_cosine.min()), 4), round(float(window_cosine.mean()), 4)],
                "sentence_cosine": [round(float(sentence_cosine.min()), 4), round(float(sentence_cosine.mean()), 4)],
            }
        )
    print(
        f"{len(windows)} windows and {len(sentences)} sentences from {args.cables}; {os.cpu_count()} cores,"
        f" median of {args.rounds} alternated rounds"
    )
    for row in rows:
        print(
            f"{row['encoder']:<10} {row['seconds']:>7.2f} s ({row['range'][0]}-{row['range'][1]})"
            f" {row['windows_per_s']:>6.1f} windows/s {row['vectors_per_s']:>6.1f} vectors/s"
            f" {row['speed_vs_torch']:>5.2f}x torch  cosine with torch: windows min {row['window_cosine'][0]}"
            f" mean {row['window_cosine'][1]}, sentences min {row['sentence_cosine'][0]} mean {row['sentence_cosine'][1]}"
        )
    if args.json:
        args.json.write_text(json.dumps({"windows": len(windows), "sentences": len(sentences), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
