"""Search benchmark: build throughput, index size, warm and cold query latency.

    python benchmarks/bench_search.py [--corpus ../shared/corpus/cablegate-html] [--work /tmp/cableqa-bench]

Prints figures and ratios from one run:
- build throughput over the corpus (sections/s, vectors/s) and index size on disk;
- warm `Assistant.ask` p50/p95 over the corpus index, beside a plain
  `SentenceTransformer.encode` of the same questions in the same process;
- cold `cableqa ask` on the seed index (a fresh process), beside a fresh
  `python -c "import sentence_transformers"`.
The corpus index is kept in --work and reused when it is already built (pass --rebuild to time the build).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus" / "cablegate-html"))
    parser.add_argument("--questions", default=str(REPO.parent / "shared" / "eval" / "cables_dev.jsonl"))
    parser.add_argument("--work", default="/tmp/cableqa-bench")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the corpus index (times the build)")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the questions for warm timings")
    args = parser.parse_args()

    import cableqa
    from cableqa.evaluate import read_questions

    work = Path(args.work)
    corpus_index = work / "corpus-index"
    if args.rebuild or not (corpus_index / "manifest.json").exists():
        report = cableqa.build([args.corpus], corpus_index, rebuild=True)
        print(
            f"build: {report.cables} cables, {report.sections} sections, {report.vectors} vectors in {report.seconds:.1f} s"
        )
        print(
            f"build: {report.sections / report.seconds:.1f} sections/s, {report.vectors / report.seconds:.1f} vectors/s"
        )
    qa = cableqa.load(corpus_index, build_missing=False)
    info = qa.info()
    print(
        f"index: {info.cables} cables, {info.sections} sections, {info.vectors} vectors, {info.size_bytes / 1e6:.1f} MB on disk"
    )

    questions = [item["question"] for item in read_questions(args.questions)]
    qa.ask(questions[0])  # warm-up
    timings = []
    for _ in range(args.repeat):
        for question in questions:
            started = time.perf_counter()
            qa.ask(question)
            timings.append(time.perf_counter() - started)
    p50, p95 = _percentile(timings, 50), _percentile(timings, 95)

    from cableqa.embed import load_encoder

    plain = load_encoder(None, purpose="build")  # SentenceTransformer
    encode_timings = []
    for _ in range(args.repeat):
        for question in questions:
            started = time.perf_counter()
            plain.encode([question])
            encode_timings.append(time.perf_counter() - started)
    e50, e95 = _percentile(encode_timings, 50), _percentile(encode_timings, 95)
    print(f"warm ask:    p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms over {len(timings)} questions")
    print(f"plain encode (SentenceTransformer): p50 {e50 * 1000:.0f} ms, p95 {e95 * 1000:.0f} ms")
    print(f"ratio ask/encode: p50 {p50 / e50:.1f}x, p95 {p95 / e95:.1f}x")

    seed_index = work / "seed-index"
    if not (seed_index / "manifest.json").exists():
        cableqa.build([REPO / "seeds"], seed_index)
    cold_ask = _best_of(
        3,
        [
            sys.executable,
            "-m",
            "cableqa",
            "ask",
            "How much heroin was seized at Dunkerque?",
            "--index",
            str(seed_index),
            "--json",
        ],
    )
    cold_import = _best_of(3, [sys.executable, "-c", "import sentence_transformers"])
    print(f"cold `cableqa ask` (seed index): {cold_ask:.2f} s (best of 3)")
    print(f"cold `import sentence_transformers`: {cold_import:.2f} s (best of 3)")
    print(f"ratio cold ask / bare import: {cold_ask / cold_import:.2f}")
    print(
        json.dumps(
            {
                "warm_p50_ms": round(p50 * 1000),
                "warm_p95_ms": round(p95 * 1000),
                "cold_ask_s": round(cold_ask, 2),
                "cold_import_s": round(cold_import, 2),
            }
        )
    )


def _best_of(times: int, command: list[str]) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=REPO)
        best = min(best, time.perf_counter() - started)
    return best


def _percentile(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1] if len(values) > 1 else values[0]


if __name__ == "__main__":
    main()
