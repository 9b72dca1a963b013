"""Which sentences of a section can be cited, and how an excerpt is bounded.

An excerpt is a run of 1-3 consecutive sentences, at most `MAX_EXCERPT_WORDS` words: the
cable's own words, never more than a reader takes in at a glance. Sentences are cut
at index time (`sentence_units`), so a sentence longer than that is stored as runs of
words. Which run is cited is decided in `ranking`.
"""

from __future__ import annotations

import re

import numpy as np

from cableqa.store.reading import Sentences
from cableqa.text import split_sentences

MAX_EXCERPT_WORDS = 80  # words in an excerpt, and in a stored sentence unit
MAX_EXCERPT_SENTENCES = 3  # sentences in an excerpt

_WORD = re.compile(r"\S+")


def cited_sentences(text: str, sentences: Sentences, title: str = "") -> tuple[list[tuple[int, int]], np.ndarray]:
    """The section's sentence spans and vectors that may be cited.

    The section's headings (its `title` parts, when they stand as sentences of the text)
    are never cited: the citation shows them already, and they answer nothing.
    """
    headings = {_heading_key(part) for part in title.split(" › ") if part.strip()}
    keep = [i for i, (start, end) in enumerate(sentences.spans) if _heading_key(text[start:end]) not in headings]
    if len(keep) == len(sentences.spans) or not keep:
        return sentences.spans, sentences.vectors
    return [sentences.spans[i] for i in keep], sentences.vectors[keep]


def _heading_key(text: str) -> str:
    return " ".join(text.split()).strip(" .:-–—").casefold()


def sentence_units(text: str) -> list[tuple[int, int]]:
    """Sentence spans of `text`, with any sentence over MAX_EXCERPT_WORDS cut into runs of words."""
    units = []
    for start, end in split_sentences(text) or [(0, len(text))]:
        words = [(start + m.start(), start + m.end()) for m in _WORD.finditer(text[start:end])]
        for first in range(0, len(words), MAX_EXCERPT_WORDS):
            chunk = words[first : first + MAX_EXCERPT_WORDS]
            if chunk:
                units.append((chunk[0][0], chunk[-1][1]))
    return units


def opening(text: str) -> tuple[int, int]:
    """The span of a text's first sentences, as many as fit an excerpt: how a section introduces itself."""
    spans = sentence_units(text)
    words = [len(_WORD.findall(text[start:end])) for start, end in spans]
    last = 0
    while last + 1 < min(len(spans), MAX_EXCERPT_SENTENCES) and sum(words[: last + 2]) <= MAX_EXCERPT_WORDS:
        last += 1
    return 0, spans[last][1] if spans else 0
