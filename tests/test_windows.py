import re

import numpy as np

from cableqa.cutting import window_spans


def _pieces(text):
    return [(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)]


def test_a_short_section_is_one_window():
    text = "One sentence. Another one."
    assert window_spans(text, _pieces(text), 256) == [(0, len(text))]


def test_long_section_windows_cover_all_of_it_within_budget_and_overlap():
    text = " ".join(f"Sentence number {i} says something about topic {i}." for i in range(200))
    pieces = _pieces(text)
    spans = window_spans(text, pieces, 100)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False):
        assert next_start < end, "consecutive windows overlap"
    for start, end in spans:
        assert sum(1 for s, e in pieces if s >= start and e <= end) <= 100
    # windows end at sentence ends when they can
    assert all(text[end - 1] == "." for _, end in spans)


def test_the_last_words_of_a_long_section_are_embedded():
    text = "Filler words go here. " * 300 + "The secret is saffron."
    spans = window_spans(text, _pieces(text), 200)
    assert "saffron" in text[spans[-1][0] : spans[-1][1]]


def test_each_window_is_embedded_in_its_context_and_each_sentence_on_its_own():
    from cableqa.cutting import Cutter, SectionText, embed_sections, window_text
    from cableqa.embed import HashingEncoder

    encoder = HashingEncoder()
    sections = [
        Cutter("hashing").cut(SectionText(rowid, "HEROIN SEIZURE", title, text))
        for rowid, title, text in (
            (7, "Summary", "Customs seized heroin at Dunkerque. The truck came from Turkey."),
            (9, "", " ".join(f"Sentence {n} on saffron exports." for n in range(80))),  # several windows
        )
    ]
    embedded = embed_sections(encoder, sections, batch_size=4)
    assert [item.rowid for item in embedded] == [7, 9] and len(sections[1].windows) > 1
    for cut, item in zip(sections, embedded, strict=True):
        text, title = cut.section.text, cut.section.title
        windows = [window_text("HEROIN SEIZURE", title, text[start:end]) for start, end in cut.windows]
        assert item.windows == cut.windows and item.sentences == cut.sentences
        assert np.allclose(item.window_vectors, encoder.encode(windows))
        assert np.allclose(item.sentence_vectors, encoder.encode([text[start:end] for start, end in cut.sentences]))
