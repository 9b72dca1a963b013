"""Pick the sentences of a section to cite, and the words in them to highlight.

Each sentence is scored by what it means (its embedding's cosine with the
question's, and with the question's focus clause: see `terms.focus_clause`) and by
what it says (the share of the question's rarer words it contains, weighted by idf).
Sentence vectors are stored in the index, so no text is encoded at question time. The excerpt is the run of 1-3 consecutive sentences,
at most 80 words, around the best sentence whose neighbours add most. Sentences
longer than that are cut into word runs, so an excerpt is always the cable's own
words, never more than 80 of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from cableqa.store import Sentences
from cableqa.terms import find_terms
from cableqa.text import split_sentences

MAX_WORDS = 80
MAX_SENTENCES = 3
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 0.6
NEIGHBOUR_WEIGHT = 0.25  # how much a neighbouring sentence's own score adds to a run

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Excerpt:
    start: int  # offsets into the section text
    end: int
    highlights: tuple[tuple[int, int], ...]  # offsets into the excerpt
    sentence_score: float  # the best sentence's score: how directly this section answers
    dense: float  # that sentence's cosine with the question
    lexical: float  # that sentence's share of the question's idf weight


def excerpt(text: str, sentences: Sentences, question_vectors: np.ndarray, terms: list[str], idf: dict[str, float]) -> Excerpt:
    """The best excerpt of a section; `question_vectors` are the question's and its focus clause's."""
    dense = (sentences.vectors @ question_vectors.T).mean(axis=1) if sentences.spans else np.zeros(0)
    lexical = np.array([lexical_share(text[start:end], terms, idf) for start, end in sentences.spans])
    return _best_run(text, sentences.spans, dense, lexical, terms)


def sentence_units(text: str) -> list[tuple[int, int]]:
    """Sentence spans of `text`, with any sentence over MAX_WORDS cut into runs of words."""
    units = []
    for start, end in split_sentences(text) or [(0, len(text))]:
        words = [(start + m.start(), start + m.end()) for m in _WORD.finditer(text[start:end])]
        for first in range(0, len(words), MAX_WORDS):
            chunk = words[first : first + MAX_WORDS]
            if chunk:
                units.append((chunk[0][0], chunk[-1][1]))
    return units


def lexical_share(passage: str, terms: list[str], idf: dict[str, float]) -> float:
    """The idf-weighted share of the question's terms that occur in the passage (0..1)."""
    total = sum(idf.get(term, 0.0) for term in terms)
    if not total:
        return 0.0
    present = {term for _, _, term in find_terms(passage, terms)}
    return sum(idf.get(term, 0.0) for term in present) / total


def opening(text: str) -> Excerpt:
    """The first sentences of a text, as many as fit an excerpt: how a section introduces itself."""
    spans = sentence_units(text)
    words = [len(_WORD.findall(text[start:end])) for start, end in spans]
    last = 0
    while last + 1 < min(len(spans), MAX_SENTENCES) and sum(words[: last + 2]) <= MAX_WORDS:
        last += 1
    end = spans[last][1] if spans else 0
    return Excerpt(0, end, (), 1.0, 1.0, 1.0)


def _best_run(text: str, spans: list[tuple[int, int]], dense: np.ndarray, lexical: np.ndarray, terms: list[str]) -> Excerpt:
    if not spans:
        return Excerpt(0, 0, (), 0.0, 0.0, 0.0)
    scores = DENSE_WEIGHT * dense + LEXICAL_WEIGHT * lexical
    words = [len(_WORD.findall(text[start:end])) for start, end in spans]
    best, best_value = (0, 0), -np.inf
    for first in range(len(spans)):
        for last in range(first, min(first + MAX_SENTENCES, len(spans))):
            if sum(words[first : last + 1]) > MAX_WORDS and last > first:
                break
            run = scores[first : last + 1]
            value = run.max() + NEIGHBOUR_WEIGHT * (run.sum() - run.max())
            if value > best_value + 1e-9:
                best, best_value = (first, last), value
    first, last = best
    peak = first + int(np.argmax(scores[first : last + 1]))
    start, end = spans[first][0], spans[last][1]
    excerpt = text[start:end]
    highlights = tuple((s, e) for s, e, _ in find_terms(excerpt, terms))
    return Excerpt(start, end, highlights, float(scores[peak]), float(dense[peak]), float(lexical[peak]))
