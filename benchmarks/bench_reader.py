"""The reader's throughput, in MB/s, on ordinary cables and on input built to be slow.

Reading must stay linear in the input (issue 9): a one-paragraph body and pathological
markup are read at a rate of the same order as ordinary cables, and doubling the input
doubles the time. A clean `cables.csv` (`bench_scale.py`'s synthetic dump, --dump-cables rows)
is read at its own rate, which the dump reader's recovery from bad rows must not slow (issue 19).

    python benchmarks/bench_reader.py [--corpus ../shared/corpus/cablegate-html] [--megabytes 4] [--dump-cables 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_scale import write_dump

import cableqa

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "cablegate-html"
TABLE = (
    "<table class='cable'><tr><td>09X1</td><td>2009-01-01 00:00</td><td>2010-01-01 00:00</td>"
    "<td>SECRET</td><td>Embassy X</td></tr></table>"
)
SENTENCE = "The U.S. Amb. met Mr. Smith at approx. 5 p.m. and said no. "


def hostile(kind: str, size: int) -> tuple[str, str]:
    """(file name, text) of about `size` characters."""
    if kind == "one paragraph":
        return "paragraph.txt", "SUBJECT: ONE PARAGRAPH\n\n1. (C) " + SENTENCE * (size // len(SENTENCE))
    if kind == "unclosed <pre>":
        return "pre.html", "<html><title>Cable Viewer</title>" + TABLE + "<pre>" * (size // 25) + "x" * (size * 4 // 5)
    return "tables.html", "<html><title>Cable Viewer</title>" + "<table class='cable'>" * (size // 21) + "<pre>x</pre>"


def rate(path: Path) -> tuple[float, float]:
    """(megabytes, seconds) to read every cable under `path`."""
    size = sum(file.stat().st_size for file in ([path] if path.is_file() else path.rglob("*")) if file.is_file())
    started = time.perf_counter()
    for _ in cableqa.read(path, on_skip=lambda source, reason: None):
        pass
    return size / 1e6, time.perf_counter() - started


def show(label: str, path: Path) -> None:
    megabytes, seconds = rate(path)
    print(f"{label:<36}{megabytes:>8.1f}{seconds:>10.2f}{megabytes / seconds:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--megabytes", type=float, default=4.0, help="size of the largest hostile input")
    parser.add_argument("--dump-cables", type=int, default=2000, help="rows of the clean cables.csv (0: none)")
    args = parser.parse_args()
    print(f"{'input':<36}{'MB':>8}{'seconds':>10}{'MB/s':>8}")
    with tempfile.TemporaryDirectory() as folder:
        if args.corpus.is_dir():
            show(f"shared corpus ({args.corpus.name})", args.corpus)
            if args.dump_cables:
                dump = Path(folder) / "cables.csv"
                write_dump(dump, args.dump_cables, args.corpus)
                show(f"clean cables.csv ({args.dump_cables:,} rows)", dump)
        for kind in ("one paragraph", "unclosed <pre>", "nested table.cable"):
            for share in (0.5, 1.0):
                name, text = hostile(kind, int(args.megabytes * share * 1e6))
                path = Path(folder) / name
                path.write_text(text)
                show(kind, path)


if __name__ == "__main__":
    main()
