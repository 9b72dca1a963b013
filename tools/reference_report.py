"""Report on the references of a folder of cables: how many, how many canonicalised, how many resolve.

Every cable under CORPUS_DIR is read (as `cableqa index` would) and its REF line items
counted: found, canonicalised to a reference ID, and resolving to a cable of the same
folder (what an index of it would hold). `--sample N` then prints N canonicalised
edges drawn at random (fixed seed) with the REF item as written and the citing cable's
date, for checking by hand against the cable text.

    python tools/reference_report.py [CORPUS_DIR] [--sample N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import cableqa

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "cablegate-html"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sample", type=int, default=0, metavar="N", help="print N random canonicalised edges")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"{args.corpus}: no such folder", file=sys.stderr)
        return 2
    started = time.perf_counter()
    cables = list(cableqa.read(args.corpus, on_skip=lambda source, reason: None))
    indexed = {cable.doc_id for cable in cables}
    items = [(cable, item) for cable in cables for item in cable.cited]
    edges = [(cable, item) for cable, item in items if item.doc_id]
    resolved = [(cable, item) for cable, item in edges if item.doc_id in indexed]
    citing = {cable.doc_id for cable in cables if cable.cited}

    def share(part: list, whole: list) -> str:
        return f"{len(part):,} ({len(part) / max(len(whole), 1):.1%})"

    print(f"cables read                      {len(cables):,} in {time.perf_counter() - started:.1f} s")
    print(f"cables with a REF line           {len(citing):,}")
    print(f"references found (REF items)     {len(items):,}")
    print(f"canonicalised to a reference ID  {share(edges, items)}")
    print(f"resolving to a cable read here   {share(resolved, items)} of all, {share(resolved, edges)} of canonical")
    print(f"cables cited by another here     {len({item.doc_id for _, item in resolved}):,}")
    if args.sample:
        print(f"\n{args.sample} canonicalised edges (seed {args.seed}): citing, its date, label, ID <- as written")
        for cable, item in random.Random(args.seed).sample(edges, min(args.sample, len(edges))):
            print(
                f"  {cable.doc_id:<20} {(cable.date or '')[:10]}  {item.label or '·'}  {item.doc_id:<20} <- {item.written}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
