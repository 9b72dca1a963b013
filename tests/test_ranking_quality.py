"""Ranking quality floors: the real model on 30 real cables, and questions nobody fitted on.

The cables and questions come from `eval/test/` (written from the cable texts by people
who had not seen the ranking; none of its cables is in the training set). A ranking
change that costs answers, or shows wrong answers as confident, fails here.
"""

import pytest
from conftest import FIXTURES

from cableqa.evaluate import evaluate, read_questions

pytestmark = pytest.mark.model

# Measured when the weights were fitted: excerpt@1 0.75, confidently wrong 0.03 (1 of 34); less a margin.
EXCERPT_AT_1_FLOOR = 0.70
CONFIDENTLY_WRONG_CEILING = 0.10


@pytest.fixture(scope="module")
def report(real_ranking_index):
    import cableqa

    qa = cableqa.load(real_ranking_index, build_missing=False)
    return evaluate(qa.ask, read_questions(FIXTURES / "ranking-questions.jsonl"), name="ranking")


def test_the_top_excerpt_answers_often_enough(report):
    assert report.answerable >= 80 and report.unanswerable >= 20
    assert report.metrics()["excerpt@1"] >= EXCERPT_AT_1_FLOOR


def test_a_card_shown_as_confident_is_rarely_wrong(report):
    assert report.metrics()["confidently_wrong"] <= CONFIDENTLY_WRONG_CEILING
