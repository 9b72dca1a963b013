"""Compare the encoder's two paths: sentence-transformers (torch) and its ONNX export (onnxruntime).

Prints start-up costs, each measured in a fresh interpreter, and encode throughput for
index-sized windows (~200 word pieces, batched) and for questions (one at a time, as asked).

    python benchmarks/bench_encoder.py [--model NAME] [--windows 64] [--queries 64]

Uses a temporary export cache (removed afterwards), so the first step also times the one-off ONNX export.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "seeds"
WINDOW_PIECES = 200
QUESTIONS = [
    "How much heroin was seized at Dunkerque?",
    "Which drugs reach France, in order of importance?",
    "When was the MILDT created?",
    "How many people died of a drug overdose in 2005?",
    "Who coordinates French drug policy?",
    "What share of drug users in France use heroin?",
    "Does France cooperate with the DEA?",
    "How many drug seizures were reported in 2006?",
]


def timed_in_fresh_python(code: str, env: dict[str, str]) -> float:
    """Seconds a fresh interpreter takes to run `code` (its own import time included)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def seed_windows(count: int, model: str | None) -> list[str]:
    """`count` windows of ~WINDOW_PIECES word pieces cut from the shipped seed cable, reused cyclically."""
    from cableqa.embed import word_pieces

    text = " ".join(path.read_text() for path in sorted(SEED.glob("*.txt")))
    offsets = word_pieces(model).offsets(text)
    windows = [
        text[offsets[start][0] : offsets[min(start + WINDOW_PIECES, len(offsets)) - 1][1]]
        for start in range(0, len(offsets), WINDOW_PIECES)
    ]
    return [windows[n % len(windows)] for n in range(count)]


def per_second(count: int, encode) -> float:
    encode()  # warm-up: first-call allocations are not throughput
    started = time.perf_counter()
    encode()
    return count / (time.perf_counter() - started)


def measure_throughput(model: str | None, purpose: str, windows: int, queries: int) -> None:
    """Print one path's rates as JSON; run in its own interpreter so the ONNX path never has torch loaded."""
    from cableqa.embed import load_encoder

    encoder = load_encoder(model, purpose=purpose)
    texts = seed_windows(windows, model)
    questions = [QUESTIONS[n % len(QUESTIONS)] for n in range(queries)]
    print(
        json.dumps(
            {
                "encoder": type(encoder).__name__,
                "windows/s": per_second(len(texts), lambda: encoder.encode(texts, batch_size=32)),
                "queries/s": per_second(len(questions), lambda: [encoder.encode([q]) for q in questions]),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model name or path (default: the bundled MiniLM)")
    parser.add_argument("--windows", type=int, default=64)
    parser.add_argument("--queries", type=int, default=64)
    parser.add_argument("--measure", choices=["build", "query"], help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        measure_throughput(options.model, options.measure, options.windows, options.queries)
        return
    cache = tempfile.mkdtemp(prefix="cableqa-bench-")
    try:
        compare(options, cache)
    finally:
        shutil.rmtree(cache)


def compare(options: argparse.Namespace, cache: str) -> None:
    env = {**os.environ, "CABLEQA_CACHE_DIR": cache, "HF_HUB_OFFLINE": "1"}

    def load(purpose: str) -> str:
        return f"from cableqa.embed import load_encoder; load_encoder({options.model!r}, purpose={purpose!r})"

    startup = {  # in this order: the first build-path load makes the export the others use
        "import sentence_transformers": timed_in_fresh_python("import sentence_transformers", env),
        "load build path + ONNX export": timed_in_fresh_python(load("build"), env),
        "load build path (export cached)": timed_in_fresh_python(load("build"), env),
        "load query path (ONNX)": timed_in_fresh_python(load("query"), env),
    }
    print(f"model: {options.model or 'default'}   cores: {os.cpu_count()}")
    print("\nstart-up, fresh interpreter (s)")
    for label, seconds in startup.items():
        print(f"  {label:<34}{seconds:8.2f}")
    ratio = startup["load build path (export cached)"] / startup["load query path (ONNX)"]
    print(f"  {'ratio build / query path':<34}{ratio:8.1f}x")

    rates = {}
    for purpose in ("build", "query"):
        command = [
            sys.executable,
            __file__,
            "--measure",
            purpose,
            "--windows",
            str(options.windows),
            "--queries",
            str(options.queries),
        ] + (["--model", options.model] if options.model else [])
        output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
        rates[purpose] = json.loads(output.splitlines()[-1])
    print(
        f"\nthroughput: {options.windows} windows of ~{WINDOW_PIECES} word pieces (batch 32), "
        f"{options.queries} questions one at a time; each path in its own interpreter"
    )
    print(f"  {'':<28}{'windows/s':>12}{'queries/s':>12}")
    for rate in rates.values():
        print(f"  {rate['encoder']:<28}{rate['windows/s']:12.1f}{rate['queries/s']:12.1f}")
    print(f"  {'ratio onnx / torch':<28}", end="")
    print("".join(f"{rates['query'][unit] / rates['build'][unit]:11.2f}x" for unit in ("windows/s", "queries/s")))


if __name__ == "__main__":
    main()
