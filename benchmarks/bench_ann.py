"""Recall of the approximate vector index against exact search, on an index's real window vectors.

    python benchmarks/bench_ann.py [--index ../corpus-index] [--questions FILE.jsonl ...]

Reads the window vectors out of the index's FAISS file (the index is not modified), builds the
approximate index cableqa switches to above `vectors.EXACT_UP_TO` windows (IVF + SQ8) over them,
and prints recall@10 against exact search for several numbers of probed cells, for

* the questions of the given question sets, encoded as `ask` encodes them;
* 500 windows used as queries (each window's own id left out of both result lists);
* the same questions under a filter (the commonest origin), applied inside the scan;

with the query time of each and the size of both index files.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARES = (0.01, 0.02, 0.04, 0.08, 0.16)  # of the cells probed
K = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, default=REPO.parent / "corpus-index")
    parser.add_argument(
        "--questions",
        nargs="*",
        type=Path,
        default=[REPO.parent / "shared" / "eval" / "cables_dev.jsonl", REPO / "eval" / "cables_heldout.jsonl"],
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    import faiss

    from cableqa import vectors as vectors_module
    from cableqa.embed import load_encoder
    from cableqa.evaluate import read_questions
    from cableqa.store.reading import IndexReader
    from cableqa.vectors import Vectors

    manifest = json.loads((args.index / "manifest.json").read_text())
    generation = args.index / manifest["generation"]
    flat = faiss.read_index(str(generation / "vectors.faiss"))
    ids = faiss.vector_to_array(flat.id_map).astype(np.int64)
    windows = flat.index.reconstruct_n(0, flat.ntotal)
    exact = Vectors(flat)
    approximate = Vectors.from_arrays(ids, windows, windows.shape[1], exact_up_to=0)

    questions = [item["question"] for path in args.questions for item in read_questions(path)]
    question_vectors = load_encoder(manifest["model"]["source"], purpose="query").encode(questions)
    sampled = np.random.default_rng(0).choice(len(ids), size=min(500, len(ids)), replace=False)
    store = IndexReader(generation / "cables.sqlite")
    origin = store.db.execute("SELECT origin FROM cables GROUP BY origin ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    _, allowed = store.filtered(["c.origin = ?"], [origin])

    query_sets = {
        f"{len(questions)} questions": [(vector, None, None) for vector in question_vectors],
        f"{len(sampled)} windows as queries": [(windows[i], None, int(ids[i])) for i in sampled],
        f"{len(questions)} questions, origin={origin} ({len(allowed) / len(ids):.1%} of windows)": [
            (vector, allowed, None) for vector in question_vectors
        ],
    }
    results = {"windows": len(ids), "lists": approximate._index.nlist, "rows": []}
    for name, queries in query_sets.items():
        truth = [top(exact, vector, allowed_ids, own) for vector, allowed_ids, own in queries]
        for share in SHARES:
            vectors_module.PROBED_SHARE = share
            probes = vectors_module.probed_lists(approximate._index.nlist)
            started = time.perf_counter()
            found = [top(approximate, vector, allowed_ids, own) for vector, allowed_ids, own in queries]
            milliseconds = 1000 * (time.perf_counter() - started) / len(queries)
            recall = np.mean([len(set(a) & set(b)) / max(len(a), 1) for a, b in zip(truth, found, strict=True)])
            results["rows"].append(
                {
                    "queries": name,
                    "share": share,
                    "probed": probes,
                    "recall_at_10": round(float(recall), 3),
                    "ms_per_query": round(milliseconds, 2),
                }
            )

    with tempfile.TemporaryDirectory() as folder:
        approximate.save(Path(folder) / "ivf.faiss")
        results["bytes"] = {
            "exact": (generation / "vectors.faiss").stat().st_size,
            "approximate": (Path(folder) / "ivf.faiss").stat().st_size,
        }
    print(f"{results['windows']:,} windows from {args.index}; approximate index: IVF{results['lists']},SQ8")
    for row in results["rows"]:
        print(
            f"{row['queries']:<62} probed {row['share']:.0%} ({row['probed']:>3})  recall@10 {row['recall_at_10']:.3f}  {row['ms_per_query']:.2f} ms"
        )
    print(
        f"index files: exact {results['bytes']['exact'] / 1e6:.1f} MB, approximate {results['bytes']['approximate'] / 1e6:.1f} MB"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def top(index, vector: np.ndarray, allowed_ids, own: int | None) -> list[int]:
    """The K nearest window ids (leaving out the query window itself)."""
    found = [id_ for id_, _ in index.search(vector, K + 1, allowed_ids) if id_ != own]
    return found[:K]


if __name__ == "__main__":
    main()
