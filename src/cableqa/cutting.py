"""Cutting a section into what gets embedded: overlapping windows, and single sentences.

The model reads only its first `max_tokens` word pieces, so a long section is embedded as
several windows (overlapping by a few sentences' worth) and found by its best one. The
sentences are the units an excerpt is made of. A `Cutter` needs only the model's tokenizer
and length limit, not the model, so it runs wherever it is cheapest (`cableqa.ray_build`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cableqa.excerpt import sentence_units
from cableqa.text import split_sentences

# Word pieces two neighbouring windows share, so that a passage cut at a window's end is
# whole in the next one: about two sentences of a cable.
WINDOW_OVERLAP_PIECES = 48
# No window is given less room than this, however long the subject and title before it.
MIN_WINDOW_PIECES = 32

# Windows handed to the encoder at once, with their sections' sentences: it sorts each call by length,
# so the larger this is, the less a batch pads; 256 windows are about a minute of work on 2 cores.
WINDOWS_PER_CALL = 256

Span = tuple[int, int]


@dataclass(frozen=True)
class SectionText:
    """A section as embedding reads it: its text and its context."""

    rowid: int
    subject: str
    title: str
    text: str


@dataclass(frozen=True)
class EmbeddedSection:
    """What embedding a section gives: the spans of its windows and sentences, with their vectors."""

    rowid: int
    windows: list[tuple[int, int]]  # (start, end) in the section text
    window_vectors: np.ndarray  # float32 (len(windows), dimension)
    sentences: list[tuple[int, int]]
    sentence_vectors: np.ndarray  # float32 (len(sentences), dimension)

    @property
    def vectors(self) -> int:
        return len(self.windows) + len(self.sentences)


def window_text(subject: str, title: str, passage: str) -> str:
    """What the encoder reads for a window: the passage in its context (cable subject, section title)."""
    context = ". ".join(part for part in (subject.strip(), title.strip()) if part)
    return f"{context}.\n{passage}" if context else passage


@dataclass(frozen=True)
class CutSection:
    """A section and the spans of its windows and sentences, to be embedded."""

    section: SectionText
    windows: list[Span]
    sentences: list[Span]


class Cutter:
    def __init__(self, model: str | None, *, allow_download: bool = False):
        from cableqa.embed import max_tokens, word_pieces

        self._pieces = word_pieces(model, allow_download=allow_download)
        self._max_tokens = max_tokens(model, allow_download=allow_download)

    def cut(self, section: SectionText) -> CutSection:
        context = self._pieces.count(window_text(section.subject, section.title, ""))
        budget = self._max_tokens - 2 - context  # the model adds [CLS] and [SEP]
        windows = window_spans(section.text, self._pieces.offsets(section.text), budget)
        return CutSection(section, windows, sentence_units(section.text))


def window_spans(text: str, pieces: list[Span], budget: int) -> list[Span]:
    """Overlapping character spans of `text`, each at most `budget` word pieces.

    Windows end at sentence boundaries where that costs little.
    """
    budget = max(budget, MIN_WINDOW_PIECES)
    if len(pieces) <= budget:
        return [(0, len(text))]
    starts = {start for start, _ in split_sentences(text)}
    sentence_tokens = [i for i, (start, _) in enumerate(pieces) if start in starts or _after_boundary(text, start)]
    spans = []
    first = 0
    while True:
        last = min(first + budget, len(pieces))
        if last < len(pieces):
            boundary = max((t for t in sentence_tokens if first < t <= last), default=last)
            last = boundary if boundary - first >= budget // 2 else last
        spans.append((pieces[first][0], pieces[last - 1][1]))
        if last >= len(pieces):
            return spans
        resume = last - WINDOW_OVERLAP_PIECES
        first = max(min((t for t in sentence_tokens if resume <= t < last), default=resume), first + 1)


def _after_boundary(text: str, offset: int) -> bool:
    """Whether only spaces lie between `offset` and the start of its line (no copy of the text before it:
    this runs for every word piece of a section)."""
    start = offset
    while start > 0 and text[start - 1] == " ":
        start -= 1
    return start == 0 or text[start - 1] == "\n"


def embed_sections(encoder, sections: list[CutSection], batch_size: int) -> list[EmbeddedSection]:
    """The vectors of cut sections: each window read in its context, each sentence on its own, in one
    call to the encoder (which sorts them by length, so that a batch pads little)."""
    texts = []
    for cut in sections:
        section = cut.section
        texts += [window_text(section.subject, section.title, section.text[start:end]) for start, end in cut.windows]
        texts += [section.text[start:end] for start, end in cut.sentences]
    vectors = encoder.encode(texts, batch_size=batch_size)
    embedded, row = [], 0
    for cut in sections:
        windows_end = row + len(cut.windows)
        sentences_end = windows_end + len(cut.sentences)
        embedded.append(
            EmbeddedSection(
                cut.section.rowid,
                cut.windows,
                vectors[row:windows_end],
                cut.sentences,
                vectors[windows_end:sentences_end],
            )
        )
        row = sentences_end
    return embedded
