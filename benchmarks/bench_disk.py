"""Where an index's bytes go, and what the compact format (issue 23) saves on an index built before it.

    python benchmarks/bench_disk.py --index DIR [--convert OUT]

Prints the size of each table and index of the database (SQLite's `dbstat`) and of the FAISS
file. With --convert, copies the index to OUT, converts the copy as the next build would (the
text once, vectors as 8-bit codes: `IndexWriter` opens it), rebuilds its FAISS file from the
codes as a build does, records the new files in its manifest, and prints both layouts side by
side with the ratio. Then `cableqa eval --index OUT ...` measures the converted copy's answers.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

from cableqa.files import file_sha256
from cableqa.index_files import DATABASE, GENERATION_FILES, VECTORS, FileRecord, Manifest
from cableqa.indexing import write_vectors
from cableqa.store.writing import IndexWriter

MB = 1e6


def layout(index: Path) -> dict[str, int]:
    """Bytes per database table or index (with its FTS5 shadow tables summed), and the FAISS file."""
    generation = index / Manifest.read(index).generation
    db = sqlite3.connect(f"file:{generation / DATABASE}?mode=ro", uri=True)
    sizes: dict[str, int] = {}
    for name, size in db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
        owner = "sections_fts (all its tables)" if name.startswith("sections_fts") else name
        sizes[owner] = sizes.get(owner, 0) + size
    sizes["free pages"] = (
        db.execute("PRAGMA freelist_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]
    )
    sizes[VECTORS] = (generation / VECTORS).stat().st_size
    return sizes


def convert(index: Path, out: Path) -> float:
    """Copy `index` to `out` and convert the copy; return the seconds the conversion took."""
    shutil.copytree(index, out, ignore=shutil.ignore_patterns("build.lock"))
    manifest = Manifest.read(out)
    generation = out / manifest.generation
    started = time.perf_counter()
    store = IndexWriter(generation / DATABASE)
    try:
        write_vectors(store, generation / VECTORS, manifest.dimension)
    finally:
        store.close()
    seconds = time.perf_counter() - started
    files = {
        name: FileRecord((generation / name).stat().st_size, file_sha256(generation / name))
        for name in GENERATION_FILES
    }
    (out / "manifest.json").write_text(replace(manifest, files=files).to_json())
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--convert", type=Path, metavar="OUT", help="convert a copy of the index into OUT")
    args = parser.parse_args()
    before = layout(args.index)
    if args.convert is None:
        for name, size in sorted(before.items(), key=lambda item: -item[1]):
            print(f"{name:40} {size / MB:9.2f} MB")
        print(f"{'total':40} {sum(before.values()) / MB:9.2f} MB")
        return
    seconds = convert(args.index, args.convert)
    after = layout(args.convert)
    print(f"{'':40} {'before':>10} {'after':>10}")
    for name in sorted(before.keys() | after.keys(), key=lambda name: -before.get(name, after.get(name, 0))):
        print(f"{name:40} {before.get(name, 0) / MB:8.2f}MB {after.get(name, 0) / MB:8.2f}MB")
    total_before, total_after = sum(before.values()), sum(after.values())
    print(f"{'total':40} {total_before / MB:8.2f}MB {total_after / MB:8.2f}MB  ({total_after / total_before:.2f}x)")
    print(f"converted in {seconds:.1f} s (the database in place, then the FAISS file from its codes)")


if __name__ == "__main__":
    main()
