"""One scoring function: each candidate run of sentences gets a feature vector, and its
score is the fitted weights times those features.

A run is 1-3 consecutive sentences of a candidate section (at most `excerpt.MAX_EXCERPT_WORDS`
words). The best run of a section is its excerpt; sections rank by their best run. The
weights, the confidence model and where both came from live in one table,
`data/ranking.json`, written by `tools/fit_weights.py` from the committed training
questions (`eval/train/`); nothing here is set by hand.

Features, each kept because leaving it out lowered cross-validated excerpt@1 on the
training questions (the ablation is in eval/README.md; nothing is encoded here):

| name | what it measures |
|---|---|
| dense_rank | retrieval: RRF_K / (RRF_K + the section's rank by its best window's cosine), 0 if missed |
| cos_question | the best cosine of a sentence of the run with the question |
| cos_focus | the same with the question's focus clause (what is asked) |
| cos_neighbours | the other sentences' mean cosine (question and focus), summed |
| cover_focus | idf-weighted share of the focus clause's words (names aside) that the run contains |
| cover_section | idf-weighted share of all the question's words in section text, title and subject |
| summary | the section is a summary (which restates a paragraph in brief) |
| date_month | the cable is of the month the question names, or the month after |

The confidence model reads the top run's features and a few more signals (`CONFIDENCE_FEATURES`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

import numpy as np

from cableqa.excerpt import MAX_EXCERPT_SENTENCES, MAX_EXCERPT_WORDS, cited_sentences
from cableqa.question import Question
from cableqa.search import RRF_K, Candidate, cable_votes
from cableqa.terms import find_terms
from cableqa.trees import TreeModel
from cableqa.types import StoredSection

FEATURES = (
    "dense_rank",
    "cos_question",
    "cos_focus",
    "cos_neighbours",
    "cover_focus",
    "cover_section",
    "summary",
    "date_month",
)
# Columns of a run's table beyond FEATURES: what only the confidence model reads, and candidates
# measured by tools/fit_weights.py (eval/README.md says which earned a place, with figures).
SIGNALS = ("keyword_rank", "window_cosine", "cover_all", "cable_votes", "cable_cover", "position", "terse")
COLUMNS = FEATURES + SIGNALS
# What the confidence model reads of the top answer (see `confidence_features`).
CONFIDENCE_FEATURES = (
    "score",
    "margin",
    "cos_question",
    "cos_focus",
    "cover_all",
    "cover_section",
    "keyword_rank",
    "window_cosine",
    "best_window",
    "unseen_share",
    "after_index",
)
SUMMARY_TITLE = re.compile(r"\s*summary", re.IGNORECASE)
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Weights:
    """The fitted ranking and confidence models (`data/ranking.json`, and the tree model it names).

    Runs are scored by the tree model when the table names one (`trees`, over `tree_columns`
    of COLUMNS), else by the linear weights over FEATURES."""

    ranking: np.ndarray  # one weight per FEATURES
    confidence: np.ndarray  # one weight per CONFIDENCE_FEATURES
    confidence_bias: float
    threshold: float  # the probability from which an answer is shown as confident
    not_found: np.ndarray  # one weight per CONFIDENCE_FEATURES: the logistic model of "nothing indexed answers"
    not_found_bias: float
    not_found_threshold: float  # the probability from which "not in these cables" is said
    source: str  # how the table was made
    trees: TreeModel | None = None
    tree_columns: tuple[int, ...] = ()  # the COLUMNS the trees read, in their feature order

    @classmethod
    def from_dict(cls, data: dict, trees: TreeModel | None = None) -> Weights:
        return cls(
            ranking=np.array([data["ranking"][name] for name in FEATURES], dtype=np.float64),
            confidence=np.array([data["confidence"]["weights"][name] for name in CONFIDENCE_FEATURES]),
            confidence_bias=float(data["confidence"]["bias"]),
            threshold=float(data["confidence"]["threshold"]),
            not_found=np.array([data["not_found"]["weights"][name] for name in CONFIDENCE_FEATURES]),
            not_found_bias=float(data["not_found"]["bias"]),
            not_found_threshold=float(data["not_found"]["threshold"]),
            source=data["source"],
            trees=trees,
            tree_columns=tuple(COLUMNS.index(name) for name in trees.feature_names) if trees else (),
        )

    def score(self, values: np.ndarray) -> np.ndarray:
        """Each run's score from its row of COLUMNS."""
        if self.trees is not None:
            return self.trees.predict(values[:, self.tree_columns])
        return values[:, : len(FEATURES)] @ self.ranking

    def contributions(self, row: np.ndarray) -> dict[str, float]:
        """Each feature's share of one run's score (linear: weight × value; trees: its moves along each tree's path)."""
        if self.trees is not None:
            _, shares = self.trees.contributions(row[list(self.tree_columns)])
            names = self.trees.feature_names
        else:
            shares, names = row[: len(FEATURES)] * self.ranking, FEATURES
        return {name: round(float(value), 4) for name, value in zip(names, shares, strict=True)}


@lru_cache(maxsize=1)
def fitted_weights() -> Weights:
    data = resources.files("cableqa").joinpath("data")
    table = json.loads(data.joinpath("ranking.json").read_text())
    trees = TreeModel.from_text(data.joinpath(table["trees"]).read_text()) if table.get("trees") else None
    return Weights.from_dict(table, trees)


@dataclass(frozen=True)
class Runs:
    """Every citable run of one section, its features, and which one is best."""

    spans: list[tuple[int, int]]  # (start, end) offsets into the section text, one per run
    values: np.ndarray  # (runs, len(COLUMNS)): the features, then the confidence signals
    scores: np.ndarray  # Weights.score(values)

    @cached_property
    def best(self) -> int:
        return int(np.argmax(self.scores))


@dataclass(frozen=True)
class RankedSection:
    stored: StoredSection
    runs: Runs
    highlights: tuple[tuple[int, int], ...]  # the question's words in the best run, offsets into it

    @property
    def score(self) -> float:
        return float(self.runs.scores[self.runs.best])

    @property
    def span(self) -> tuple[int, int]:
        return self.runs.spans[self.runs.best]

    def contributions(self, weights: Weights) -> dict[str, float]:
        """Each feature's share of the best run's score."""
        return weights.contributions(self.runs.values[self.runs.best])


def rank_sections(
    question: Question,
    vectors: np.ndarray,
    candidates: list[Candidate],
    sections: dict[int, StoredSection],
    sentences: dict,
    weights: Weights,
) -> list[RankedSection]:
    """Score every run of every candidate section; sections best first.

    `vectors` are the question's and its focus clause's, one row each; `sentences` the
    stored sentence spans and vectors of each section (store.Sentences).
    """
    ranked = []
    shares = _TermShares.of(question)
    matches = {c.rowid: find_terms(sections[c.rowid].section.text, list(question.terms)) for c in candidates}
    cables = _CableEvidence.of(question, candidates, sections, matches, shares)
    for candidate in candidates:
        stored = sections[candidate.rowid]
        runs = _runs(question, vectors, shares, candidate, stored, sentences[candidate.rowid], matches, cables, weights)
        if runs is None:
            continue
        start, end = runs.spans[runs.best]
        highlights = tuple((s - start, e - start) for s, e, _ in matches[candidate.rowid] if s >= start and e <= end)
        ranked.append(RankedSection(stored, runs, highlights))
    ranked.sort(key=lambda section: -section.score)
    return ranked


def confidence_features(ranked: list[RankedSection], unseen_share: float, after_index: bool) -> np.ndarray:
    """What decides how likely the top excerpt is to answer: its score, its lead over the
    next section, how closely it matches the question in meaning and in words, how close the
    nearest window of any candidate is, how much of the question the index never mentions
    (`Question.unseen_share`), and whether it asks of a year after the newest cable's."""
    top = ranked[0]
    columns = dict(zip(COLUMNS, top.runs.values[top.runs.best], strict=True))
    runner_up = ranked[1].score if len(ranked) > 1 else top.score - 1.0
    window = COLUMNS.index("window_cosine")
    values = {
        "score": top.score,
        "margin": top.score - runner_up,
        "best_window": max(float(section.runs.values[0, window]) for section in ranked),
        "unseen_share": unseen_share,
        "after_index": float(after_index),
        **columns,
    }
    return np.array([values[name] for name in CONFIDENCE_FEATURES], dtype=np.float64)


def probability(ranked: list[RankedSection], question: Question, weights: Weights) -> float:
    """The fitted probability that the top excerpt answers the question (0 with no candidate)."""
    return _logistic(ranked, question, weights.confidence_bias, weights.confidence) if ranked else 0.0


def not_found_probability(ranked: list[RankedSection], question: Question, weights: Weights) -> float:
    """The fitted probability that nothing indexed answers the question (1 with no candidate)."""
    return _logistic(ranked, question, weights.not_found_bias, weights.not_found) if ranked else 1.0


def _logistic(ranked: list[RankedSection], question: Question, bias: float, coefficients: np.ndarray) -> float:
    """A logistic model over the top answer's `confidence_features`."""
    logit = bias + float(confidence_features(ranked, question.unseen_share, question.after_index) @ coefficients)
    return float(1.0 / (1.0 + np.exp(-logit)))


def verdict(probability: float, not_found_probability: float, weights: Weights) -> str:
    """What the answer says of itself (types.VERDICTS): sure first, then sure of nothing, else possible."""
    if probability >= weights.threshold:
        return "answer"
    return "not_found" if not_found_probability >= weights.not_found_threshold else "possible"


def _runs(question, vectors, shares, candidate, stored, stored_sentences, matches, cables, weights):
    """The runs of one section and their features; `shares` is `_TermShares.of(question)`,
    `matches` the question's words in each candidate section, `cables` what is known of each cable."""
    section = stored.section
    spans, sentence_vectors = cited_sentences(section.text, stored_sentences, section.title)
    if not spans:
        return None
    text = section.text
    matches = matches[candidate.rowid]
    cos = sentence_vectors @ vectors.T  # (sentences, 2): question, focus
    term_index = {term: i for i, term in enumerate(question.terms)}
    starts = np.array([start for start, _ in spans])
    present = np.zeros((len(spans), len(question.terms)), dtype=bool)
    for start, end, term in matches:
        i = int(np.searchsorted(starts, start, side="right")) - 1
        if i >= 0 and end <= spans[i][1]:
            present[i, term_index[term]] = True
    words = np.array([len(_WORD.findall(text[s:e])) for s, e in spans])
    firsts, lasts, per_run = _run_table(
        cos_question=cos[:, 0], cos_focus=cos[:, 1], mean_cos=cos.mean(axis=1), present=present, words=words
    )
    covered = per_run.pop("covered")
    per_run["cover_focus"] = covered @ shares.focus
    per_run["cover_all"] = covered @ shares.all
    per_run["position"] = 1.0 / (1.0 + firsts)
    constant = {
        "cable_votes": cables.votes[stored.doc_id],
        "cable_cover": cables.cover[stored.doc_id],
        "terse": float(question.style == "terse"),
        "dense_rank": _reciprocal(candidate.dense_rank),
        "keyword_rank": _reciprocal(candidate.keyword_rank),
        "window_cosine": candidate.window_cosine or 0.0,
        "cover_section": _section_coverage(question, stored, present, shares.all),
        "summary": float(bool(SUMMARY_TITLE.match(section.title.rsplit(" › ", 1)[-1]))),
        "date_month": _in_month_asked(stored.date, question),
    }
    values = np.column_stack(
        [per_run[name] if name in per_run else np.full(len(firsts), constant[name]) for name in COLUMNS]
    )
    runs = Runs(
        spans=[(spans[first][0], spans[last][1]) for first, last in zip(firsts, lasts, strict=True)],
        values=values,
        scores=weights.score(values),
    )
    return runs


def _run_table(cos_question, cos_focus, mean_cos, present, words):
    """Every run of 1-MAX_EXCERPT_SENTENCES consecutive sentences within MAX_EXCERPT_WORDS words (a single
    sentence always counts: stored sentences are already cut to MAX_EXCERPT_WORDS), ordered by first
    sentence then length, with its per-run values.

    Computed one run length at a time: the runs of length n are those of length n-1, each
    extended by the sentence after it, so every value is one numpy operation per length.
    """
    run = {  # the runs of the current length, indexed by their first sentence
        "cos_question": cos_question,
        "cos_focus": cos_focus,
        "mean_cos_sum": mean_cos,
        "mean_cos_max": mean_cos,
        "covered": present,
        "words": words.astype(np.int64),
    }
    parts: dict[str, list[np.ndarray]] = {}
    for length in range(1, min(MAX_EXCERPT_SENTENCES, len(words)) + 1):
        if length > 1:
            nxt = slice(length - 1, None)  # the sentence after each run
            run = {
                "cos_question": np.maximum(run["cos_question"][:-1], cos_question[nxt]),
                "cos_focus": np.maximum(run["cos_focus"][:-1], cos_focus[nxt]),
                "mean_cos_sum": run["mean_cos_sum"][:-1] + mean_cos[nxt],
                "mean_cos_max": np.maximum(run["mean_cos_max"][:-1], mean_cos[nxt]),
                "covered": run["covered"][:-1] | present[nxt],
                "words": run["words"][:-1] + words[nxt],
            }
        keep = run["words"] <= MAX_EXCERPT_WORDS if length > 1 else np.ones(len(run["words"]), dtype=bool)
        first = np.flatnonzero(keep)
        columns = {
            "first": first,
            "last": first + length - 1,
            "cos_question": run["cos_question"][keep],
            "cos_focus": run["cos_focus"][keep],
            "cos_neighbours": (run["mean_cos_sum"] - run["mean_cos_max"])[keep],
            "covered": run["covered"][keep],
        }
        for name, values in columns.items():
            parts.setdefault(name, []).append(values)
    table = {name: np.concatenate(values) for name, values in parts.items()}
    order = np.lexsort((table["last"], table["first"]))
    table = {name: values[order] for name, values in table.items()}
    return table.pop("first"), table.pop("last"), table


@dataclass(frozen=True)
class _TermShares:
    """Each term's share of the question's idf weight: among the focus clause's terms, and among all."""

    focus: np.ndarray
    all: np.ndarray

    @classmethod
    def of(cls, question: Question) -> _TermShares:
        idf = np.array(question.idf, dtype=np.float64)
        in_focus = np.where([role == "focus" for role in question.roles], idf, 0.0)
        share = lambda weights: weights / weights.sum() if weights.sum() > 0 else weights  # noqa: E731
        return cls(focus=share(in_focus), all=share(idf))


@dataclass(frozen=True)
class _CableEvidence:
    """What the candidates say of each cable they come from, as a whole.

    A question is often about one cable whose answer lies in a section that matches it less well
    than another section of the same cable (a terse query, a reporter's paraphrase): how much of
    the candidates' fused weight the cable holds, and how much of the question its sections and
    subject cover together, let the ranking prefer that cable's sections.
    """

    votes: dict[str, float]  # doc_id -> its candidates' share of 1 / (RRF_K + fused rank), summed
    cover: dict[str, float]  # doc_id -> idf share of the question's words in its candidates and subject

    @classmethod
    def of(cls, question: Question, candidates: list[Candidate], sections, matches, shares) -> _CableEvidence:
        words: dict[str, set[str]] = {}
        for candidate in candidates:
            stored = sections[candidate.rowid]
            if stored.doc_id not in words:  # the subject once per cable
                words[stored.doc_id] = {term for _, _, term in find_terms(stored.subject, list(question.terms))}
            words[stored.doc_id].update(term for _, _, term in matches[candidate.rowid])
        weight = dict(zip(question.terms, shares.all, strict=True))
        return cls(
            votes=cable_votes(
                candidates, {candidate.rowid: sections[candidate.rowid].doc_id for candidate in candidates}
            ),
            cover={doc_id: float(sum(weight[term] for term in found)) for doc_id, found in words.items()},
        )


def _section_coverage(question: Question, stored: StoredSection, present: np.ndarray, shares: np.ndarray) -> float:
    """The idf share of the question's words found anywhere in the section, its title or its cable's subject."""
    covered = present.any(axis=0)
    heading = f"{stored.subject} {stored.section.title}"
    for _, _, term in find_terms(heading, list(question.terms)):
        covered[question.terms.index(term)] = True
    return float(covered @ shares)


def _reciprocal(rank: int | None) -> float:
    return 0.0 if rank is None else RRF_K / (RRF_K + rank)


def _in_month_asked(date: str | None, question: Question) -> float:
    """1 when the cable is of a month the question names, or the month after (cables report
    what just happened)."""
    if not date:
        return 0.0
    month = date[:7]
    return float(month in question.months or _previous_month(month) in question.months)


def _previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - (number == 1)}-{(number - 2) % 12 + 1:02d}"
