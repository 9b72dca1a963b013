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

from collections.abc import Callable, Sequence

import numpy as np

from cableqa.store import SectionUnits, Store, window_text

# Windows handed to the encoder at once: it sorts them by length, so the larger this is, the less
# each batch pads; 256 windows of <= 256 pieces keep the token states of one call under ~100 MB.
WINDOWS_PER_CALL = 256
# Sections read from the database at once (bounded memory at any corpus size).
SECTIONS_PER_READ = 500

Unit = tuple[int, int, int]  # (row id, start, end) in the section text


def sentence_windows(windows: Sequence[Unit], sentences: Sequence[Unit]) -> tuple[dict[int, list[Unit]], list[Unit]]:
    """({window id: the sentences pooled from it}, sentences no window holds whole).

    Each sentence goes to the window that holds it whole with the most text on its narrower
    side, so it is read with as much context before and after as the windows allow.
    """
    chosen: dict[int, list[Unit]] = {window_id: [] for window_id, _, _ in windows}
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


def embed_pending(store: Store, encoder, batch_size: int, notify: Callable[[str, int, int | None], None]) -> int:
    """Embed the windows and sentences of every section that still lacks a vector; return how many
    vectors were stored. Progress goes to notify("embed", done, total)."""
    rowids = store.pending_sections()
    total = store.pending_vectors()
    done = 0
    notify("embed", done, total)
    batch: list[SectionUnits] = []
    for first in range(0, len(rowids), SECTIONS_PER_READ):
        for section in store.section_units(rowids[first : first + SECTIONS_PER_READ]):
            batch.append(section)
            if sum(len(item.windows) for item in batch) >= WINDOWS_PER_CALL:
                done += _embed_sections(store, encoder, batch, batch_size)
                store.commit()  # what is embedded stays embedded if the build is killed
                notify("embed", done, total)
                batch = []
    if batch:
        done += _embed_sections(store, encoder, batch, batch_size)
        store.commit()
        notify("embed", done, total)
    return done


def _embed_sections(store: Store, encoder, sections: list[SectionUnits], batch_size: int) -> int:
    texts, spans, window_ids, sentence_ids, alone = [], [], [], [], []
    for section in sections:
        chosen, unplaced = sentence_windows(section.windows, section.sentences)
        prefix = len(window_text(section.subject, section.title, ""))
        for window_id, start, end in section.windows:
            texts.append(window_text(section.subject, section.title, section.text[start:end]))
            spans.append([(prefix + s - start, prefix + e - start) for _, s, e in chosen[window_id]])
            window_ids.append(window_id)
            sentence_ids.extend(sentence_id for sentence_id, _, _ in chosen[window_id])
        alone.extend((sentence_id, section.text[s:e]) for sentence_id, s, e in unplaced)
    window_vectors, span_vectors = encoder.encode_spans(texts, spans, batch_size=batch_size)
    store.set_vectors("windows", window_ids, window_vectors)
    if sentence_ids:
        store.set_vectors("sentences", sentence_ids, np.concatenate(span_vectors))
    if alone:
        store.set_vectors("sentences", [id_ for id_, _ in alone], encoder.encode([text for _, text in alone]))
    return len(window_ids) + len(sentence_ids) + len(alone)
