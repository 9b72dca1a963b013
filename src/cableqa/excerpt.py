"""Pick the sentences of a section to cite, and the words in them to highlight.

A run of 1-3 consecutive sentences (at most 80 words) is scored by what it means
and what it says: the best cosine of its sentences with the question (averaged with
the question's focus clause, see `terms.focus_clause`; neighbours add a little), plus
the idf-weighted share of the question's words the run contains as a whole, so a run
whose sentences together cover the question beats one sentence that repeats its
setting; and, when the question asks how many or how much, a run that states a
number the question does not. Sentence vectors are stored in the index: nothing is
encoded at question time. A sentence longer than 80 words is cut into runs of words, so an excerpt is
always the cable's own words, never more than 80 of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from cableqa.store import Sentences
from cableqa.terms import find_terms, quantities
from cableqa.text import split_sentences

MAX_WORDS = 80
MAX_SENTENCES = 3
LEXICAL_WEIGHT = 0.6  # the run's share of the question's idf weight, against its best cosine
NEIGHBOUR_WEIGHT = 0.25  # how much the other sentences' cosines add to a run
QUANTITY_WEIGHT = 0.15  # a run stating a number, when the question asks how many

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Excerpt:
    start: int  # offsets into the section text
    end: int
    highlights: tuple[tuple[int, int], ...]  # offsets into the excerpt
    score: float  # the run's score: how directly this section answers
    dense: float  # the best cosine of a sentence of the run with the question
    lexical: float  # the run's share of the question's idf weight (0..1)


def excerpt(
    text: str,
    sentences: Sentences,
    question_vectors: np.ndarray,
    terms: list[str],
    idf: dict[str, float],
    title: str = "",
    asked_quantity: set[str] | None = None,
) -> Excerpt:
    """The best excerpt of a section; `question_vectors` are the question's and its focus clause's.

    `asked_quantity` is set when the question asks for a number ("how many ..."): it holds
    the numbers the question states itself, and a run stating another number gains.

    The section's headings (its `title` parts, when they stand as sentences of the text)
    are never cited: the citation shows them already, and they answer nothing.
    """
    sentences = _without_headings(text, sentences, title)
    if not sentences.spans:
        return Excerpt(0, 0, (), 0.0, 0.0, 0.0)
    dense = (sentences.vectors @ question_vectors.T).mean(axis=1)
    present = [{term for _, _, term in find_terms(text[start:end], terms)} for start, end in sentences.spans]
    words = [len(_WORD.findall(text[start:end])) for start, end in sentences.spans]
    total = sum(idf.get(term, 0.0) for term in terms) or 1.0
    states_number = [
        asked_quantity is not None and bool(quantities(text[start:end]) - asked_quantity)
        for start, end in sentences.spans
    ]
    best, best_value, best_lexical = (0, 0), -np.inf, 0.0
    for first in range(len(words)):
        for last in range(first, min(first + MAX_SENTENCES, len(words))):
            if sum(words[first : last + 1]) > MAX_WORDS and last > first:
                break
            run = dense[first : last + 1]
            lexical = sum(idf.get(term, 0.0) for term in set().union(*present[first : last + 1])) / total
            value = run.max() + NEIGHBOUR_WEIGHT * (run.sum() - run.max()) + LEXICAL_WEIGHT * lexical
            value += QUANTITY_WEIGHT * any(states_number[first : last + 1])
            if value > best_value + 1e-9:
                best, best_value, best_lexical = (first, last), value, lexical
    first, last = best
    start, end = sentences.spans[first][0], sentences.spans[last][1]
    highlights = tuple((s, e) for s, e, _ in find_terms(text[start:end], terms))
    return Excerpt(start, end, highlights, float(best_value), float(dense[first : last + 1].max()), best_lexical)


def _without_headings(text: str, sentences: Sentences, title: str) -> Sentences:
    headings = {_heading_key(part) for part in title.split(" › ") if part.strip()}
    keep = [i for i, (start, end) in enumerate(sentences.spans) if _heading_key(text[start:end]) not in headings]
    if len(keep) == len(sentences.spans) or not keep:
        return sentences
    return Sentences([sentences.spans[i] for i in keep], sentences.vectors[keep])


def _heading_key(text: str) -> str:
    return " ".join(text.split()).strip(" .:-–—").casefold()


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


def opening(text: str) -> Excerpt:
    """The first sentences of a text, as many as fit an excerpt: how a section introduces itself."""
    spans = sentence_units(text)
    words = [len(_WORD.findall(text[start:end])) for start, end in spans]
    last = 0
    while last + 1 < min(len(spans), MAX_SENTENCES) and sum(words[: last + 2]) <= MAX_WORDS:
        last += 1
    end = spans[last][1] if spans else 0
    return Excerpt(0, end, (), 1.0, 1.0, 1.0)
