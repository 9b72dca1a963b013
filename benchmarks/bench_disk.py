"""Where an index's bytes go, and what the compact format (issue 23) saves on an index built before it.

    python benchmarks/bench_disk.py --index DIR [--convert OUT]

Prints the size of each table and index of the database (SQLite's `dbstat`) and of the FAISS
file. With --convert, copies the index to OUT, converts the copy with the build that converts an
index of an older cableqa (the text once, vectors as 8-bit codes, its state in the database: a
new generation, nothing read or embedded again), and prints both layouts side by side with the
ratio. Then `cableqa eval --index OUT ...` measures the converted copy's answers.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import time
from pathlib import Path

import cableqa
from cableqa.index_files import DATABASE, Manifest

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
    for path in generation.glob("*.faiss"):
        sizes[path.name] = path.stat().st_size
    return sizes


def convert(index: Path, out: Path) -> float:
    """Copy `index` to `out` and convert the copy; return the seconds the conversion took."""
    shutil.copytree(index, out, ignore=shutil.ignore_patterns("build.lock"))
    started = time.perf_counter()
    report = cableqa.build([], out)
    if not report.upgraded or report.files_read or report.vectors_embedded:
        raise SystemExit(f"{index} was not converted as an index of an older cableqa: {report}")
    return time.perf_counter() - started


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
    print(f"converted in {seconds:.1f} s (a copy of the database converted, then the FAISS file from its codes)")


if __name__ == "__main__":
    main()
