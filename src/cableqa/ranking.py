"""One scoring function: each candidate run of sentences gets a feature vector, and its
score is the fitted weights times those features.

A run is 1-3 consecutive sentences of a candidate section (at most `excerpt.MAX_EXCERPT_WORDS`
words). The best run of a section is its excerpt; sections rank by their best run. The
weights, the confidence model and where both came from live in one table,
`data/ranking.json`, written by `tools/fit_weights.py` from the committed training
questions (`eval/train/`); nothing here is set by hand.

Features (all computed from the index and the question; nothing is encoded here):

| name | what it measures |
|---|---|
| dense_rank | retrieval: RRF_K / (RRF_K + the section's rank by its best window's cosine), 0 if not retrieved |
| keyword_rank | retrieval: the same for its BM25 rank |
| window_cosine | retrieval: its best window's cosine with the question (0 if dense search missed it) |
| cos_question | the best cosine of a sentence of the run with the question |
| cos_focus | the same with the question's focus clause (what is asked) |
| cos_neighbours | the other sentences' mean cosine (question and focus), summed |
| cover_focus | idf-weighted share of the focus clause's words the run contains |
| cover_context | the same for the question's other words |
| cover_names | the same for the names in the question |
| cover_section | the same for all the question's words, over section text, title and subject |
| number | the question asks how many/much and the run states a number it does not |
| summary | the section is a summary (which restates a paragraph in brief) |
| date_month | the cable is of the month the question names, or the month after |
| date_year | the cable is of a year the question names |
| extra_sentences | sentences in the run beyond the first |
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from cableqa.excerpt import MAX_EXCERPT_SENTENCES, MAX_EXCERPT_WORDS, cited_sentences
from cableqa.question import ROLES, Question
from cableqa.search import RRF_K, Candidate
from cableqa.store import StoredSection
from cableqa.terms import find_terms, quantities

FEATURES = (
    "dense_rank",
    "keyword_rank",
    "window_cosine",
    "cos_question",
    "cos_focus",
    "cos_neighbours",
    "cover_focus",
    "cover_context",
    "cover_names",
    "cover_section",
    "number",
    "summary",
    "date_month",
    "date_year",
    "extra_sentences",
)
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
)
SUMMARY_TITLE = re.compile(r"\s*summary", re.IGNORECASE)
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Weights:
    """The fitted ranking and confidence models (`data/ranking.json`)."""

    ranking: np.ndarray  # one weight per FEATURES
    confidence: np.ndarray  # one weight per CONFIDENCE_FEATURES
    confidence_bias: float
    threshold: float  # the probability from which an answer is shown as confident
    source: str  # how the table was made

    @classmethod
    def from_dict(cls, data: dict) -> Weights:
        return cls(
            ranking=np.array([data["ranking"][name] for name in FEATURES], dtype=np.float64),
            confidence=np.array([data["confidence"]["weights"][name] for name in CONFIDENCE_FEATURES]),
            confidence_bias=float(data["confidence"]["bias"]),
            threshold=float(data["confidence"]["threshold"]),
            source=data["source"],
        )


@lru_cache(maxsize=1)
def fitted_weights() -> Weights:
    return Weights.from_dict(json.loads(resources.files("cableqa").joinpath("data/ranking.json").read_text()))


@dataclass(frozen=True)
class Runs:
    """Every citable run of one section, its features, and which one is best."""

    spans: list[tuple[int, int]]  # (start, end) offsets into the section text, one per run
    sentence_counts: np.ndarray  # sentences in each run
    features: np.ndarray  # (runs, len(FEATURES))
    cover_all: np.ndarray  # idf share of all the question's words, per run (for confidence)
    scores: np.ndarray  # features @ weights

    @property
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
        """Each feature's share of the best run's score: weight × value."""
        values = self.runs.features[self.runs.best] * weights.ranking
        return {name: round(float(value), 4) for name, value in zip(FEATURES, values, strict=True)}


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
    role_weights = _role_weight_matrix(question)
    for candidate in candidates:
        stored = sections[candidate.rowid]
        runs, matches = _runs(question, vectors, role_weights, candidate, stored, sentences[candidate.rowid], weights)
        if runs is None:
            continue
        start, end = runs.spans[runs.best]
        highlights = tuple((s - start, e - start) for s, e, _ in matches if s >= start and e <= end)
        ranked.append(RankedSection(stored, runs, highlights))
    ranked.sort(key=lambda section: -section.score)
    return ranked


def confidence_features(ranked: list[RankedSection], unseen_share: float) -> np.ndarray:
    """What decides how likely the top excerpt is to answer: its score, its lead over the
    next section, how closely it matches the question in meaning and in words, how close the
    nearest window of any candidate is, and how much of the question the index never mentions
    (`Question.unseen_share`)."""
    top = ranked[0]
    best = top.runs.best
    features = dict(zip(FEATURES, top.runs.features[best], strict=True))
    runner_up = ranked[1].score if len(ranked) > 1 else top.score - 1.0
    values = {
        "score": top.score,
        "margin": top.score - runner_up,
        "cover_all": float(top.runs.cover_all[best]),
        "best_window": max(float(section.runs.features[0, FEATURES.index("window_cosine")]) for section in ranked),
        "unseen_share": unseen_share,
        **features,
    }
    return np.array([values[name] for name in CONFIDENCE_FEATURES], dtype=np.float64)


def probability(ranked: list[RankedSection], question: Question, weights: Weights) -> float:
    """The fitted probability that the top excerpt answers the question (0 with no candidate)."""
    if not ranked:
        return 0.0
    logit = weights.confidence_bias + float(confidence_features(ranked, question.unseen_share) @ weights.confidence)
    return float(1.0 / (1.0 + np.exp(-logit)))


def _runs(question, vectors, role_weights, candidate, stored, stored_sentences, weights):
    """The runs of one section and their features; `role_weights` is `_role_weight_matrix(question)`."""
    section = stored.section
    spans, sentence_vectors = cited_sentences(section.text, stored_sentences, section.title)
    if not spans:
        return None, []
    text = section.text
    cos = sentence_vectors @ vectors.T  # (sentences, 2): question, focus
    term_index = {term: i for i, term in enumerate(question.terms)}
    matches = find_terms(text, list(question.terms))
    starts = np.array([start for start, _ in spans])
    present = np.zeros((len(spans), len(question.terms)), dtype=bool)
    for start, end, term in matches:
        i = int(np.searchsorted(starts, start, side="right")) - 1
        if i >= 0 and end <= spans[i][1]:
            present[i, term_index[term]] = True
    words = np.array([len(_WORD.findall(text[s:e])) for s, e in spans])
    states_number = np.array(
        [question.asks_number and bool(quantities(text[s:e]) - question.stated_numbers) for s, e in spans], dtype=bool
    )
    firsts, lasts, per_run = _run_table(
        cos_question=cos[:, 0],
        cos_focus=cos[:, 1],
        mean_cos=cos.mean(axis=1),
        present=present,
        states_number=states_number,
        words=words,
    )
    covered = per_run.pop("covered")
    for column, role in enumerate(("focus", "context", "names")):
        per_run[f"cover_{role}"] = covered @ role_weights[:, column]
    per_run["cover_all"] = covered @ role_weights[:, -1]
    section_terms = _section_coverage(question, stored, present, role_weights[:, -1])
    month, year = _date_agreement(stored.date, question)
    constant = {
        "dense_rank": _reciprocal(candidate.dense_rank),
        "keyword_rank": _reciprocal(candidate.keyword_rank),
        "window_cosine": candidate.window_cosine or 0.0,
        "cover_section": section_terms,
        "summary": float(bool(SUMMARY_TITLE.match(section.title.rsplit(" › ", 1)[-1]))),
        "date_month": month,
        "date_year": year,
    }
    features = np.column_stack(
        [per_run[name] if name in per_run else np.full(len(firsts), constant[name]) for name in FEATURES]
    )
    runs = Runs(
        spans=[(spans[first][0], spans[last][1]) for first, last in zip(firsts, lasts, strict=True)],
        sentence_counts=lasts - firsts + 1,
        features=features,
        cover_all=per_run["cover_all"],
        scores=features @ weights.ranking,
    )
    return runs, matches


def _run_table(cos_question, cos_focus, mean_cos, present, states_number, words):
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
        "number": states_number,
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
                "number": run["number"][:-1] | states_number[nxt],
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
            "number": run["number"][keep].astype(np.float64),
            "extra_sentences": np.full(len(first), length - 1, dtype=np.float64),
        }
        for name, values in columns.items():
            parts.setdefault(name, []).append(values)
    table = {name: np.concatenate(values) for name, values in parts.items()}
    order = np.lexsort((table["last"], table["first"]))
    table = {name: values[order] for name, values in table.items()}
    return table.pop("first"), table.pop("last"), table


def _role_weight_matrix(question: Question) -> np.ndarray:
    """(terms, roles + 1): each term's idf share within its role, and within all terms (last column)."""
    matrix = np.zeros((len(question.terms), len(ROLES) + 1))
    idf = np.array(question.idf, dtype=np.float64)
    for column, role in enumerate(ROLES):
        mask = np.array([r == role for r in question.roles], dtype=bool)
        total = idf[mask].sum()
        if total > 0:
            matrix[mask, column] = idf[mask] / total
    if idf.sum() > 0:
        matrix[:, -1] = idf / idf.sum()
    return matrix


def _section_coverage(question: Question, stored: StoredSection, present: np.ndarray, shares: np.ndarray) -> float:
    """The idf share of the question's words found anywhere in the section, its title or its cable's subject."""
    covered = present.any(axis=0)
    heading = f"{stored.subject} {stored.section.title}"
    for _, _, term in find_terms(heading, list(question.terms)):
        covered[question.terms.index(term)] = True
    return float(covered @ shares)


def _reciprocal(rank: int | None) -> float:
    return 0.0 if rank is None else RRF_K / (RRF_K + rank)


def _date_agreement(date: str | None, question: Question) -> tuple[float, float]:
    """(month, year): the cable is of a month the question names or the month after (cables
    report what just happened); the cable is of a year it names."""
    if not date:
        return 0.0, 0.0
    month = date[:7]
    in_month = month in question.months or _previous_month(month) in question.months
    return float(in_month), float(date[:4] in question.years)


def _previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - (number == 1)}-{(number - 2) % 12 + 1:02d}"
