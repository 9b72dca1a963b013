"""A LightGBM model, read from LightGBM's own text format and evaluated with numpy.

The ranking's tree model is fitted with LightGBM (`tools/fit_weights.py`) and shipped as the
text file LightGBM writes (`Booster.save_model`): readable, diffable, loaded without pickle.
Asking needs only its predictions, so it is read here rather than by importing LightGBM,
which takes 2.6 s with its scikit-learn dependency on the 2-core machine: the CLI's cold
`ask` is about 0.5 s in all.

Only what the fit writes is read: numerical splits (`x <= threshold` goes left; a missing
value goes where the split's default says). A categorical split is refused when loading.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_LEFT = 2  # decision_type bit: a missing value goes left
CATEGORICAL = 1  # decision_type bit: a categorical split


@dataclass(frozen=True)
class Tree:
    split_feature: np.ndarray  # per internal node
    threshold: np.ndarray
    default_left: np.ndarray
    left: np.ndarray  # child of each internal node: >= 0 another node, < 0 the leaf ~child
    right: np.ndarray
    leaf_value: np.ndarray
    internal_value: np.ndarray  # each internal node's expected output (the root's: the tree's mean)

    def leaves(self, x: np.ndarray) -> np.ndarray:
        """The leaf each row of `x` falls into."""
        if not len(self.split_feature):
            return np.zeros(len(x), dtype=np.int64)
        node = np.zeros(len(x), dtype=np.int64)
        active = np.arange(len(x))
        leaf = np.empty(len(x), dtype=np.int64)
        while len(active):
            current = node[active]
            values = x[active, self.split_feature[current]]
            go_left = np.where(np.isnan(values), self.default_left[current], values <= self.threshold[current])
            child = np.where(go_left, self.left[current], self.right[current])
            done = child < 0
            leaf[active[done]] = ~child[done]
            node[active] = child
            active = active[~done]
        return leaf

    def path_contributions(self, row: np.ndarray, features: int) -> np.ndarray:
        """How each feature moved this tree's output for one row, from the tree's mean to its leaf
        (the per-node differences along the path, Saabas's attribution): they sum to leaf - mean."""
        contributions = np.zeros(features)
        if not len(self.split_feature):
            return contributions
        node = 0
        while True:
            feature = self.split_feature[node]
            value = row[feature]
            go_left = self.default_left[node] if np.isnan(value) else value <= self.threshold[node]
            child = self.left[node] if go_left else self.right[node]
            after = self.leaf_value[~child] if child < 0 else self.internal_value[child]
            contributions[feature] += after - self.internal_value[node]
            if child < 0:
                return contributions
            node = child


@dataclass(frozen=True)
class TreeModel:
    """A sum of regression trees over named features (a LightGBM text model)."""

    feature_names: tuple[str, ...]
    trees: tuple[Tree, ...]

    @classmethod
    def from_text(cls, text: str) -> TreeModel:
        header, *blocks = text.split("\nTree=")
        names = _fields(header)["feature_names"].split()
        trees = []
        for block in blocks:
            block = block.split("\nend of trees", 1)[0]
            trees.append(_tree(_fields(block)))
        return cls(tuple(names), tuple(trees))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """One score per row of `x` (columns in `feature_names` order)."""
        x = np.asarray(x, dtype=np.float64)
        scores = np.zeros(len(x))
        for tree in self.trees:
            scores += tree.leaf_value[tree.leaves(x)]
        return scores

    def contributions(self, row: np.ndarray) -> tuple[float, np.ndarray]:
        """The model's mean output and each feature's share of the difference for one row:
        `mean + contributions.sum() == predict([row])[0]`."""
        row = np.asarray(row, dtype=np.float64)
        mean = sum(
            float(tree.internal_value[0]) if len(tree.split_feature) else float(tree.leaf_value[0])
            for tree in self.trees
        )
        total = np.zeros(len(self.feature_names))
        for tree in self.trees:
            total += tree.path_contributions(row, len(self.feature_names))
        return mean, total


def _fields(block: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in block.splitlines() if "=" in line)


def _tree(fields: dict[str, str]) -> Tree:
    def numbers(name: str, kind=float) -> np.ndarray:
        return np.array(fields.get(name, "").split(), dtype=kind)

    if int(fields.get("num_cat", "0")):
        raise ValueError("categorical splits are not supported")
    decision = numbers("decision_type", np.int64)
    if (decision & CATEGORICAL).any():
        raise ValueError("categorical splits are not supported")
    return Tree(
        split_feature=numbers("split_feature", np.int64),
        threshold=numbers("threshold"),
        default_left=(decision & DEFAULT_LEFT).astype(bool),
        left=numbers("left_child", np.int64),
        right=numbers("right_child", np.int64),
        leaf_value=numbers("leaf_value"),
        internal_value=numbers("internal_value"),
    )
