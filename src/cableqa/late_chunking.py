"""Sentence vectors from the window pass (late chunking).

An excerpt is picked by comparing the question with each sentence's vector. Embedding every
sentence as a text of its own doubled the model's work (sentences hold about as many word
pieces as the windows that contain them). Instead each sentence's vector is pooled from the
token states of the window pass, over the sentence's own tokens, as the model pools a whole
text (Günther et al. 2024, "Late Chunking"): one forward pass per window gives the window
and all its sentences, each sentence read in its context.

A sentence that lies in two overlapping windows is pooled from the one where it sits most
centrally (the most text on its narrower side); one that no window holds whole (a cut
sentence longer than the window's room) is embedded on its own, as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cableqa.cutting import CutSection, EmbeddedSection, window_text

# Windows handed to the encoder at once: it sorts them by length, so the larger this is, the less
# each batch pads; 256 windows of <= 256 pieces keep the token states of one call under ~100 MB.
WINDOWS_PER_CALL = 256
Unit = tuple[int, int, int]  # (key, start, end) in the section text


def sentence_windows(windows: Sequence[Unit], sentences: Sequence[Unit]) -> tuple[dict[int, list[Unit]], list[Unit]]:
    """({window key: the sentences pooled from it}, sentences no window holds whole).

    Each sentence goes to the window that holds it whole with the most text on its narrower
    side, so it is read with as much context before and after as the windows allow.
    """
    chosen: dict[int, list[Unit]] = {key: [] for key, _, _ in windows}
    alone = []
    for sentence in sentences:
        _, start, end = sentence
        margins = [(min(start - w_start, w_end - end), window_id) for window_id, w_start, w_end in windows]
        holding = [(margin, window_id) for margin, window_id in margins if margin >= 0]
        if holding:
            chosen[max(holding)[1]].append(sentence)
        else:
            alone.append(sentence)
    return chosen, alone


def embed_sections(encoder, sections: Sequence[CutSection], batch_size: int) -> list[EmbeddedSection]:
    """The vectors of the windows and sentences of cut sections, by the encoder's `encode_spans`."""
    texts, spans, alone = [], [], []
    placed: list[list[list[int]]] = []  # per section, per window: the sentences pooled from it
    for number, cut in enumerate(sections):
        section = cut.section
        chosen, unplaced = sentence_windows(
            [(w, start, end) for w, (start, end) in enumerate(cut.windows)],
            [(s, start, end) for s, (start, end) in enumerate(cut.sentences)],
        )
        prefix = len(window_text(section.subject, section.title, ""))
        for w, (start, end) in enumerate(cut.windows):
            texts.append(window_text(section.subject, section.title, section.text[start:end]))
            spans.append([(prefix + s - start, prefix + e - start) for _, s, e in chosen[w]])
        placed.append([[s for s, _, _ in chosen[w]] for w in range(len(cut.windows))])
        alone.extend((number, s, section.text[start:end]) for s, start, end in unplaced)
    window_vectors, span_vectors = encoder.encode_spans(texts, spans, batch_size=batch_size)
    alone_vectors = encoder.encode([text for _, _, text in alone], batch_size=batch_size) if alone else []
    sentence_vectors = [np.zeros((len(cut.sentences), encoder.dimension), np.float32) for cut in sections]
    row = 0
    for number, windows in enumerate(placed):
        for sentence_numbers in windows:
            sentence_vectors[number][sentence_numbers] = span_vectors[row]
            row += 1
    for (number, s, _), vector in zip(alone, alone_vectors, strict=True):
        sentence_vectors[number][s] = vector
    embedded, row = [], 0
    for number, cut in enumerate(sections):
        count = len(cut.windows)
        vectors = window_vectors[row : row + count]
        embedded.append(
            EmbeddedSection(cut.section.rowid, cut.windows, vectors, cut.sentences, sentence_vectors[number])
        )
        row += count
    return embedded
