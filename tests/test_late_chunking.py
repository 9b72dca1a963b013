"""Sentence vectors pooled from the window pass (late chunking).

Which window a sentence is pooled from, that the spans line up with the text (the hashing fake's
word vectors ignore context, so its late-chunked sentence vectors must equal embedding each
sentence alone), and, marked `model`, what the real model's late-chunked vectors are worth.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SEEDS

import cableqa
from cableqa import embed
from cableqa.cutting import window_text
from cableqa.embed import HashingEncoder, load_encoder
from cableqa.excerpt import sentence_units
from cableqa.index_files import open_index
from cableqa.late_chunking import sentence_windows


def test_a_sentence_is_pooled_from_the_window_where_it_is_most_central():
    windows = [(1, 0, 100), (2, 60, 160)]
    sentences = [(10, 0, 30), (11, 65, 95), (12, 90, 110), (13, 130, 160)]
    chosen, alone = sentence_windows(windows, sentences)
    # 65-95: 5 chars from window 2's start, 5 from window 1's end: a tie goes to the later window;
    # 90-110 lies whole only in window 2.
    assert chosen == {1: [(10, 0, 30)], 2: [(11, 65, 95), (12, 90, 110), (13, 130, 160)]}
    assert alone == []


def test_a_sentence_no_window_holds_whole_is_embedded_alone():
    windows = [(1, 0, 100), (2, 80, 180)]
    long_sentence = (10, 50, 150)  # longer than the overlap, cut by both windows
    chosen, alone = sentence_windows(windows, [long_sentence, (11, 160, 180)])
    assert alone == [long_sentence]
    assert chosen == {1: [], 2: [(11, 160, 180)]}


def test_spans_line_up_with_the_text_they_pool(tmp_path):
    """With context-free word vectors, pooling a sentence's span = embedding the sentence alone."""
    index_dir = tmp_path / "index"
    cableqa.build([SEEDS], index_dir, model="hashing")
    index = open_index(index_dir)
    encoder = HashingEncoder()
    rowids = [row[0] for row in index.store.db.execute("SELECT rowid FROM sections")]
    stored = index.store.sentences(rowids, encoder.dimension)
    sections = index.store.sections(rowids)
    checked = 0
    for rowid, sentences in stored.items():
        text = sections[rowid].section.text
        alone = encoder.encode([text[start:end] for start, end in sentences.spans])
        kept = sentences.vectors / np.linalg.norm(sentences.vectors, axis=1, keepdims=True)  # 8-bit codes
        assert np.sum(alone * kept, axis=1).min() >= 0.999
        checked += len(sentences.spans)
    assert checked > 50


@pytest.fixture(scope="module")
def real_encoder():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(embed, "LATE_CHUNKING", True)  # off by default (docs/scale.md): test it where it is on
        yield load_encoder(purpose="build", device="cpu")


def seed_windows() -> tuple[list[str], list[list[tuple[int, int]]]]:
    """The seed's sections as windows in context, with the spans of their sentences."""
    (cable,) = cableqa.read(SEEDS)
    texts, spans = [], []
    for section in cable.sections:
        passage = section.text[:1000]
        offset = len(window_text(cable.subject, section.title, ""))
        texts.append(window_text(cable.subject, section.title, passage))
        spans.append([(offset + s, offset + e) for s, e in sentence_units(passage) if e < len(passage)])
    return texts, spans


@pytest.mark.model
def test_sentences_are_embedded_alone_unless_late_chunking_is_on(real_encoder, monkeypatch):
    texts, spans = seed_windows()
    monkeypatch.setattr(embed, "LATE_CHUNKING", False)
    _, pooled = real_encoder.encode_spans(texts[:2], spans[:2])
    alone = real_encoder.encode([texts[0][s:e] for s, e in spans[0]])
    assert np.sum(pooled[0] * alone, axis=1).min() >= 0.9999


@pytest.mark.model
def test_late_chunking_gives_the_model_own_window_vectors(real_encoder):
    texts, spans = seed_windows()
    windows, _ = real_encoder.encode_spans(texts, spans, batch_size=4)
    assert np.sum(windows * real_encoder.encode(texts), axis=1).min() >= 0.9999


@pytest.mark.model
def test_late_chunked_sentences_stay_close_to_sentences_embedded_alone(real_encoder):
    texts, spans = seed_windows()
    _, pooled = real_encoder.encode_spans(texts, spans, batch_size=4)
    pooled = np.concatenate(pooled)
    alone = real_encoder.encode(
        [text[s:e] for text, text_spans in zip(texts, spans, strict=True) for s, e in text_spans]
    )
    assert len(alone) > 40
    cosines = np.sum(pooled * alone, axis=1)
    # Read in context, a sentence's vector moves towards its window's; measured on the seed: mean 0.74.
    assert cosines.mean() >= 0.65
    # ... but, the window's shared context taken out, it still points at its own sentence: nearer it
    # than the other sentences are (76 of 79 on the seed; 60 with the context left in).
    own = np.mean((pooled @ alone.T).argmax(axis=1) == np.arange(len(alone)))
    assert own >= 0.9


@pytest.mark.model
def test_a_span_cut_off_by_the_length_limit_is_embedded_alone(real_encoder):
    filler = "The ambassador met the minister again. " * 80  # far past 256 word pieces
    tail = "Customs seized thirty kilograms of heroin."
    text = filler + tail
    _, (pooled,) = real_encoder.encode_spans([text], [[(len(filler), len(text))]])
    assert float(pooled[0] @ real_encoder.encode([tail])[0]) >= 0.9999
