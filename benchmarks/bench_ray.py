"""The Ray build (`cableqa index --ray`) against the single-process build, on real cables.

Builds the same sample of the shared corpus twice with the real model, in one run: in this
process, then with a local Ray over all cores (started by the build, as a user's would be:
Ray's start-up and the encoder actors' model loads are part of its time). Also times the cut
stage alone (tokenizer only), the share of the work that the cut tasks take.

    python benchmarks/bench_ray.py [--cables 100] [--corpus ../shared/corpus/cablegate-html] [--json out.json]

Prints one table and writes it as JSON (--json, default bench_ray.json in a temporary folder).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import cableqa
from cableqa.cutting import Cutter
from cableqa.index_files import DATABASE, Manifest
from cableqa.indexing import BuildReport
from cableqa.store.writing import IndexWriter

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "cablegate-html"


def sample(corpus: Path, count: int, folder: Path) -> Path:
    files = sorted(corpus.rglob("*.html"))
    random.Random(0).shuffle(files)
    folder.mkdir()
    for path in files[:count]:
        shutil.copy(path, folder / path.name)
    return folder


def timed_build(sources: Path, index: Path, **options) -> tuple[float, BuildReport]:
    started = time.perf_counter()
    report = cableqa.build([sources], index, **options)
    return time.perf_counter() - started, report


def cut_seconds(index: Path) -> tuple[float, int]:
    """(seconds to cut every section of the index again, sections)."""
    store = IndexWriter(index / Manifest.read(index).generation / DATABASE)  # a disposable index
    sections = store.section_texts([row[0] for row in store.db.execute("SELECT rowid FROM sections")])
    cutter = Cutter(None)
    started = time.perf_counter()
    for section in sections:
        cutter.cut(section)
    return time.perf_counter() - started, len(sections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cables", type=int, default=100)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cableqa-bench-ray-"))
    sources = sample(args.corpus, args.cables, work / "cables")
    local_seconds, local = timed_build(sources, work / "local")
    ray_seconds, on_ray = timed_build(sources, work / "ray", engine="ray")
    cutting, sections = cut_seconds(work / "local")
    assert (on_ray.cables, on_ray.sections, on_ray.vectors) == (local.cables, local.sections, local.vectors)
    results = {
        "cables": local.cables,
        "sections": sections,
        "vectors_embedded": local.vectors_embedded,
        "cores": os.cpu_count(),
        "local_seconds": round(local_seconds, 1),
        "ray_seconds": round(ray_seconds, 1),
        "local_cables_per_min": round(local.cables / local_seconds * 60, 1),
        "ray_cables_per_min": round(on_ray.cables / ray_seconds * 60, 1),
        "ray_over_local": round(ray_seconds / local_seconds, 3),
        "local_vectors_per_s": round(local.vectors_embedded / local_seconds, 1),
        "ray_vectors_per_s": round(on_ray.vectors_embedded / ray_seconds, 1),
        "cut_seconds": round(cutting, 2),
        "cut_share_of_local_build": round(cutting / local_seconds, 4),
    }
    width = max(map(len, results))
    for name, value in results.items():
        print(f"{name:<{width}}  {value}")
    target = args.json or work / "bench_ray.json"
    target.write_text(json.dumps(results, indent=2))
    print(f"written to {target}")


if __name__ == "__main__":
    main()
