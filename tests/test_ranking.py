"""Each ranking feature, on hand-made sections and vectors: with its fitted weight it decides
between two passages that differ in it alone; with its weight at 0 they tie and the test fails.

Vectors live in a 4-d space: axis 0 is the question, axis 1 its focus clause, axis 2 says
nothing. A sentence's cosines with question and focus are set directly by its coordinates.
"""

import numpy as np
import pytest

from cableqa.question import Question
from cableqa.ranking import COLUMNS, FEATURES, fitted_weights, rank_sections
from cableqa.search import RRF_K, Candidate
from cableqa.store.reading import Sentences
from cableqa.types import Section, StoredSection

QUESTION_VECTORS = np.eye(4, dtype=np.float32)[:2]
FILLER = " ".join(["officials"] * 45)  # a sentence this long cannot share an excerpt with another


def question(terms=(), roles=(), months=()) -> Question:
    return Question(
        text="q",
        focus="q",
        terms=tuple(terms),
        roles=tuple(roles),
        idf=tuple(1.0 for _ in terms),
        unseen=tuple(False for _ in terms),
        months=frozenset(months),
        reference=None,
        cited=(),
        style="full",
    )


def vector(q=0.5, f=0.5):
    return [q, f, np.sqrt(max(0.0, 1 - q * q - f * f)), 0.0]


def section(rowid, sentences, *, title="Details", subject="Talks", date="2008-01-10", dense=1, keyword=1, window=0.5):
    """A candidate section made of (text, vector) sentences."""
    text, spans = "", []
    for sentence, _ in sentences:
        start = len(text) + (1 if text else 0)
        text = f"{text} {sentence}" if text else sentence
        spans.append((start, len(text)))
    stored = StoredSection(
        rowid, Section(f"C{rowid}:1", title, (1,), 0, len(text), text), f"C{rowid}", subject, date, "Embassy", "U"
    )
    vectors = np.array([v for _, v in sentences], dtype=np.float32)
    return Candidate(rowid, dense, keyword, window), stored, Sentences(spans, vectors)


def top(q: Question, *sections, weights=None):
    """The best section's doc_id and its excerpt."""
    candidates = [c for c, _, _ in sections]
    stored = {c.rowid: s for c, s, _ in sections}
    sentences = {c.rowid: v for c, _, v in sections}
    ranked = rank_sections(q, QUESTION_VECTORS, candidates, stored, sentences, weights or fitted_weights())
    start, end = ranked[0].span
    return ranked[0].stored.doc_id, ranked[0].stored.section.text[start:end]


# feature -> (question, the passage with more of it, the passage with less), as section kwargs
def _with_sentence(text=f"The talks went on. {FILLER}.", q=0.5, f=0.5):
    return {"sentences": [(text, vector(q, f))]}


SCENARIOS = {
    "dense_rank": (question(), {"dense": 1}, {"dense": None}),
    "cos_question": (question(), _with_sentence(q=0.7), _with_sentence(q=0.5)),
    "cos_focus": (question(), _with_sentence(f=0.7), _with_sentence(f=0.5)),
    "cover_focus": (question(["heroin"], ["focus"]), _with_sentence(f"Heroin went on. {FILLER}."), {}),
    "cover_section": (question(["heroin"], ["context"]), {"subject": "Heroin"}, {}),
    "summary": (question(), {"title": "Summary"}, {}),
    "date_month": (question(months={"2009-09"}), {"date": "2009-09-20"}, {"date": "2009-03-20"}),
}


def _build(rowid, spec):
    spec = dict(spec)
    sentences = spec.pop("sentences", [(f"The talks went on. {FILLER}.", vector())])
    return section(rowid, sentences, **spec)


def test_every_feature_has_a_test():
    assert set(SCENARIOS) | {"cos_neighbours"} == set(FEATURES)


@pytest.mark.parametrize("feature", sorted(SCENARIOS))
def test_a_feature_decides_between_passages_that_differ_in_it_alone(feature):
    q, more, less = SCENARIOS[feature]
    weight = fitted_weights().ranking[FEATURES.index(feature)]
    favoured, other = (_build(1, more), _build(2, less)) if weight > 0 else (_build(2, less), _build(1, more))
    # The favoured passage comes second: at a tie (weight 0), the first would win.
    assert top(q, other, favoured)[0] == favoured[1].doc_id


def test_neighbouring_sentences_close_in_meaning_join_the_excerpt():
    q = question()
    alone = section(1, [("Heroin was seized.", vector(0.9, 0.3)), ("Nothing.", vector(0.0, 0.0))])
    joined = section(2, [("Heroin was seized.", vector(0.9, 0.3)), ("At Dunkerque, 356 kg.", vector(0.8, 0.3))])
    assert top(q, alone, joined) == ("C2", "Heroin was seized. At Dunkerque, 356 kg.")


def _column(ranked, doc_id, name):
    section = next(s for s in ranked if s.stored.doc_id == doc_id)
    return float(section.runs.values[section.runs.best, COLUMNS.index(name)])


def test_a_cable_is_weighed_by_all_its_retrieved_sections_and_all_the_words_they_hold():
    from dataclasses import replace

    q = question(["heroin", "dunkerque"], ["focus", "focus"])
    first = section(1, [(f"Heroin went on. {FILLER}.", vector())])
    second = section(2, [(f"Dunkerque went on. {FILLER}.", vector())])
    other = section(3, [(f"Heroin went on. {FILLER}.", vector())])
    # Sections 1 and 2 are of one cable; section 4 only came along with it (no rank of its own).
    first, second = [(c, replace(s, doc_id="C1"), v) for c, s, v in (first, second)]
    along = section(4, [(f"Talks went on. {FILLER}.", vector())], dense=None, keyword=None)
    along = (along[0], replace(along[1], doc_id="C1"), along[2])
    sections = [first, other, second, along]
    ranked = rank_sections(
        q,
        QUESTION_VECTORS,
        [c for c, _, _ in sections],
        {c.rowid: s for c, s, _ in sections},
        {c.rowid: v for c, _, v in sections},
        fitted_weights(),
    )
    mass = [1 / (RRF_K + rank) for rank in (1, 2, 3)]  # the fourth casts no vote
    assert _column(ranked, "C1", "cable_votes") == pytest.approx((mass[0] + mass[2]) / sum(mass))
    assert _column(ranked, "C3", "cable_votes") == pytest.approx(mass[1] / sum(mass))
    assert _column(ranked, "C1", "cable_cover") == pytest.approx(1.0)  # heroin in one section, Dunkerque in another
    assert _column(ranked, "C3", "cable_cover") == pytest.approx(0.5)
