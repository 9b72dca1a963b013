"""What a CUDA GPU gives a build, measured in one run on the machine that has it.

    python benchmarks/bench_gpu.py [CABLES] [--model PATH] [--windows 8192] [--cpu-sample 200] [--json out.json]

1. The build encoder alone, on `--windows` real windows cut from CABLES as the indexer cuts them:
   windows/s at each batch size in float32, and in float16 at the best of them, with the cosine
   of its vectors to float32's (float16 is measured, not used by cableqa).
2. `cableqa.build` of CABLES with `--device cuda`: wall time split into its stages (reading and
   cutting, embedding, writing), windows/s, cables/min, and the projected full-release time.
3. The same build of `--cpu-sample` of CABLES with `--device cpu` on all of the machine's cores:
   what a many-core server without a GPU does.

CABLES defaults to the shared corpus (../shared/corpus/cablegate-html). Without a GPU it says so and stops.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from bench_build_encoder import SHARED_CORPUS, sample_windows, timed
from bench_scale import model_throughput

BATCH_SIZES = (64, 128, 256, 512, 1024)


def encoder_sweep(cables: Path, model: str | None, count: int) -> dict:
    import torch

    from cableqa.embed import SentenceTransformerEncoder, load_encoder

    texts, _ = sample_windows(cables, count, model)
    encoder = load_encoder(model, purpose="build", device="cuda")
    encoder.encode(texts[:256], batch_size=256)  # CUDA context, kernels, allocator
    rows, vectors_by_batch = [], {}
    for batch in BATCH_SIZES:
        torch.cuda.synchronize()
        seconds, vectors_by_batch[batch] = timed(lambda batch=batch: encoder.encode(texts, batch_size=batch))
        rows.append({"precision": "float32", "batch": batch, "windows_per_s": round(len(texts) / seconds)})
    best = max(rows, key=lambda row: row["windows_per_s"])["batch"]
    half = SentenceTransformerEncoder(encoder.name, copy.deepcopy(encoder._transformer).half())
    half.encode(texts[:256], batch_size=256)
    seconds, half_vectors = timed(lambda: half.encode(texts, batch_size=best))
    cosine = np.sum(half_vectors.astype(np.float32) * vectors_by_batch[best], axis=1)
    rows.append(
        {
            "precision": "float16",
            "batch": best,
            "windows_per_s": round(len(texts) / seconds),
            "cosine_min": round(float(cosine.min()), 5),
        }
    )
    return {"windows": len(texts), "gpu": torch.cuda.get_device_name(), "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cables", nargs="?", type=Path, default=SHARED_CORPUS)
    parser.add_argument("--model", help="a local model folder (default: the bundled all-MiniLM-L6-v2)")
    parser.add_argument("--windows", type=int, default=8192)
    parser.add_argument("--cpu-sample", type=int, default=200, help="cables built on the CPU (0: skip)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/cableqa-gpu"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    started = time.perf_counter()

    import torch

    if not torch.cuda.is_available():
        sys.exit("bench_gpu: torch sees no CUDA GPU here")
    results = {"encoder": encoder_sweep(args.cables, args.model, args.windows)}
    results["gpu_build"] = model_throughput(args.cables, 10**9, args.work / "cuda", device="cuda", model=args.model)
    if args.cpu_sample:
        results["cpu_build"] = model_throughput(
            args.cables, args.cpu_sample, args.work / "cpu", device="cpu", model=args.model
        )
        results["cpu_build"]["cores"] = os.cpu_count()
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(f"bench_gpu: {time.perf_counter() - started:.0f} s")


def print_table(results: dict) -> None:
    encoder = results["encoder"]
    print(f"{encoder['gpu']}: build encoder on {encoder['windows']} windows")
    for row in encoder["rows"]:
        extra = f"  cosine to float32 >= {row['cosine_min']}" if "cosine_min" in row else ""
        print(f"  {row['precision']:<8} batch {row['batch']:>5}  {row['windows_per_s']:>7,} windows/s{extra}")
    for key in ("gpu_build", "cpu_build"):
        if key not in results:
            continue
        build = results[key]
        stages = ", ".join(f"{stage} {seconds} s" for stage, seconds in build["stage_seconds"].items())
        where = "cuda" if key == "gpu_build" else f"cpu, {build['cores']} cores"
        print(
            f"build ({where}): {build['cables']} cables in {build['seconds']} s ({stages}):"
            f" {build['windows_per_s']} windows/s, {build['vectors_per_s']} vectors/s,"
            f" {build['cables_per_min']} cables/min; full release {build['full_release_hours']} h"
        )


if __name__ == "__main__":
    main()
