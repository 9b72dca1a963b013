"""Excerpt choice over hand-made sentence vectors: the scoring rules, without a model."""

import numpy as np

from cableqa.excerpt import MAX_WORDS, excerpt
from cableqa.store import Sentences
from cableqa.terms import quantities

FILLER = " ".join(["officials"] * 45)  # long sentences: each run is one sentence
RESTATES = f"The delegation discussed troops for Afghanistan with {FILLER}."
STATES_NUMBER = f"Italy will send 1000 more troops to Afghanistan, {FILLER}."
TEXT = f"{RESTATES} {STATES_NUMBER}"
SPANS = [(0, len(RESTATES)), (len(RESTATES) + 1, len(TEXT))]
SAME_MEANING = Sentences(SPANS, np.ones((2, 4), dtype=np.float32) / 2)  # both sentences equally close
QUESTION = np.ones((2, 4), dtype=np.float32) / 2
TERMS = ["troops", "afghanistan"]
IDF = {"troops": 1.0, "afghanistan": 1.0}


def _cited(asked_quantity):
    cited = excerpt(TEXT, SAME_MEANING, QUESTION, TERMS, IDF, asked_quantity=asked_quantity)
    return TEXT[cited.start : cited.end]


def test_when_two_sentences_match_alike_the_first_is_cited():
    assert len(RESTATES.split()) + len(STATES_NUMBER.split()) > MAX_WORDS
    assert _cited(None) == RESTATES


def test_a_how_many_question_cites_the_sentence_that_states_a_number():
    assert _cited(quantities("How many troops will Italy send to Afghanistan?")) == STATES_NUMBER


def test_a_number_the_question_gives_itself_is_no_answer():
    assert _cited({"1000"}) == RESTATES
