"""What the ranking loses when sentence vectors come from a static embedder (issue 23 item 2).

    python tools/try_static_sentences.py --index CORPUS-INDEX eval/train/*.jsonl

A sentence vector costs a full pass of the model today, about half of a build's time. Model2Vec
(`model2vec.distill`) turns the bundled model into a static one: each word piece's vector,
computed once from the model's own weights, then mean-pooled, so a sentence costs a lookup.
This runs `tools/fit_weights.py` (features, a cross-validated linear fit and the verdicts;
no ablation, no trees, nothing written) with the ranking reading static vectors for every
sentence and for the question and its focus clause, in place of the stored ones. Compare
its CV excerpt@1 per style with the same fit on the stored vectors (eval/README.md).

Needs `pip install 'model2vec[distill]'` (then `pip uninstall kernels`: the version it pulls in
breaks importing transformers 5.25 here); the project does not.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

PCA_DIMS = None  # keep the model's 384 dimensions: the store's vectors have them too


def unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def use_static_sentences(static) -> None:
    """Make the ranking read `static`'s vectors for sentences, questions and focus clauses."""
    from cableqa import ranking
    from cableqa.store.reading import IndexReader, Sentences

    stored_sentences = IndexReader.sentences
    stored_rank = ranking.rank_sections

    def sentences(self, section_rowids, dimension):
        found = stored_sentences(self, section_rowids, dimension)
        texts = {rowid: stored.section.text for rowid, stored in self.sections(list(found)).items()}
        return {
            rowid: Sentences(
                item.spans,
                unit(static.encode([texts[rowid][a:b] for a, b in item.spans])) if item.spans else item.vectors,
            )
            for rowid, item in found.items()
        }

    def rank_sections(question, vectors, *rest):
        return stored_rank(question, unit(static.encode([question.text, question.focus])), *rest)

    IndexReader.sentences = sentences
    ranking.rank_sections = rank_sections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--cache", default="/tmp/cableqa-fit-static", type=Path)
    parser.add_argument("questions", nargs="+")
    args = parser.parse_args()
    from model2vec.distill import distill

    from cableqa.embed import resolve_model

    static = distill(resolve_model(None)[1], pca_dims=PCA_DIMS, device="cpu")
    use_static_sentences(static)
    sys.path.insert(0, str(Path(__file__).parent))
    import fit_weights

    sys.argv = [
        "fit_weights.py",
        "--index",
        args.index,
        "--cache",
        str(args.cache),
        "--linear-only",
        "--ablation",
        "none",
        *args.questions,
    ]
    fit_weights.main()


if __name__ == "__main__":
    main()
