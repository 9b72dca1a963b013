"""What the build encoder costs, and what makes it cheaper: late chunking, padding, threads, int8.

On a sample of real windows (cut from the cables in CABLES as the indexer cuts them, with the
sentences inside each), measures on this machine:

* today's scheme (each window, then each sentence, embedded on its own) against late chunking
  (one pass per window; sentence vectors pooled from it): wall time, windows/s, vectors/s;
* batches in arrival order against batches sorted by length (padding);
* 1 thread against all of them;
* int8 dynamic quantisation of the transformer's linear layers, per tensor and per channel:
  speed, and cosine of its window and sentence vectors with the float32 model's.

    python benchmarks/bench_build_encoder.py [CABLES] [--windows 384] [--json out.json]

CABLES defaults to the shared corpus (../shared/corpus/cablegate-html) or else seeds/.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = ROOT.parent / "shared" / "corpus" / "cablegate-html"


def sample_windows(folder: Path, count: int, model: str | None = None) -> tuple[list[str], list[list[tuple[int, int]]]]:
    """`count` windows in context, as the indexer embeds them, and the spans of the sentences each holds whole."""
    import cableqa
    from cableqa.cutting import Cutter, SectionText, window_text
    from cableqa.late_chunking import sentence_windows

    cutter = Cutter(model)
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    random.Random(0).shuffle(files)
    texts, spans = [], []
    for path in files:
        for cable in cableqa.read(path, on_skip=lambda *_: None):
            for section in cable.sections:
                cut = cutter.cut(SectionText(0, cable.subject, section.title, section.text))
                prefix = window_text(cable.subject, section.title, "")
                windows = [(n, *span) for n, span in enumerate(cut.windows)]
                chosen, _ = sentence_windows(windows, [(n, *span) for n, span in enumerate(cut.sentences)])
                for n, start, end in windows:
                    texts.append(prefix + section.text[start:end])
                    spans.append([(len(prefix) + s - start, len(prefix) + e - start) for _, s, e in chosen[n]])
                    if len(texts) == count:
                        return texts, spans
    return texts, spans


def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def quantised(encoder, per_channel: bool):
    import torch
    from torch.ao.quantization import default_dynamic_qconfig, per_channel_dynamic_qconfig, quantize_dynamic

    from cableqa.embed import SentenceTransformerEncoder

    transformer = copy.deepcopy(encoder._transformer)
    qconfig = per_channel_dynamic_qconfig if per_channel else default_dynamic_qconfig
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated in favour of torchao (not installed)
        quantize_dynamic(transformer, {torch.nn.Linear: qconfig}, dtype=torch.qint8, inplace=True)
    return SentenceTransformerEncoder(encoder.name, transformer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "cables", nargs="?", type=Path, default=SHARED_CORPUS if SHARED_CORPUS.is_dir() else ROOT / "seeds"
    )
    parser.add_argument("--windows", type=int, default=384)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    import torch

    from cableqa import embed
    from cableqa.embed import batch_size_for, load_encoder

    embed.LATE_CHUNKING = True  # off by default (docs/scale.md); measured here

    texts, spans = sample_windows(args.cables, args.windows)
    sentences = [text[s:e] for text, text_spans in zip(texts, spans, strict=True) for s, e in text_spans]
    encoder = load_encoder(purpose="build", device="cpu")
    batch = batch_size_for("cpu")
    encoder.encode(texts[:batch])  # warm up
    vectors = len(texts) + len(sentences)
    rows: list[dict] = []

    def record(name: str, seconds: float, **extra) -> None:
        rows.append(
            {
                "scheme": name,
                "seconds": round(seconds, 2),
                "windows_per_s": round(len(texts) / seconds, 1),
                "vectors_per_s": round(vectors / seconds, 1),
                **extra,
            }
        )

    seconds_windows, window_vectors = timed(lambda: encoder.encode(texts, batch_size=batch))
    seconds_sentences, sentence_vectors = timed(lambda: encoder.encode(sentences, batch_size=batch))
    record("separate: windows + sentences (before)", seconds_windows + seconds_sentences)
    seconds, (late_windows, late_sentences) = timed(lambda: encoder.encode_spans(texts, spans, batch_size=batch))
    late_sentences = np.concatenate(late_sentences)
    cosine = np.sum(late_sentences * sentence_vectors, axis=1)
    record(
        "late chunking (after)",
        seconds,
        sentence_cosine_mean=round(float(cosine.mean()), 3),
        sentence_cosine_min=round(float(cosine.min()), 3),
    )

    order = list(range(len(texts)))
    random.Random(1).shuffle(order)

    def unsorted() -> list:
        return [encoder._encode_batch([texts[i] for i in order[k : k + batch]]) for k in range(0, len(order), batch)]

    record("windows only, batches unsorted", timed(unsorted)[0])
    record("windows only, batches sorted by length", seconds_windows)

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    record("late chunking, 1 thread", timed(lambda: encoder.encode_spans(texts, spans, batch_size=batch))[0])
    torch.set_num_threads(threads)

    for per_channel in (False, True):
        int8 = quantised(encoder, per_channel)
        int8.encode(texts[:batch])
        seconds, (int8_windows, int8_sentences) = timed(
            lambda int8=int8: int8.encode_spans(texts, spans, batch_size=batch)
        )
        window_cosine = np.sum(int8_windows * late_windows, axis=1)
        sentence_cosine = np.sum(np.concatenate(int8_sentences) * late_sentences, axis=1)
        record(
            f"late chunking, int8 {'per channel' if per_channel else 'per tensor'}",
            seconds,
            window_cosine_min=round(float(window_cosine.min()), 4),
            window_cosine_mean=round(float(window_cosine.mean()), 4),
            sentence_cosine_min=round(float(sentence_cosine.min()), 4),
        )

    print(f"{len(texts)} windows ({len(sentences)} sentences held whole) from {args.cables}; torch threads {threads}")
    for row in rows:
        extra = "  ".join(
            f"{k}={v}" for k, v in row.items() if k not in ("scheme", "seconds", "windows_per_s", "vectors_per_s")
        )
        print(
            f"{row['scheme']:<44} {row['seconds']:>7.2f} s {row['windows_per_s']:>7.1f} windows/s {row['vectors_per_s']:>7.1f} vectors/s  {extra}"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"windows": len(texts), "sentences": len(sentences), "threads": threads, "rows": rows}, indent=2)
        )


if __name__ == "__main__":
    main()
