"""Ranking quality floors: the real model on 30 real cables, and questions nobody fitted on.

The cables and questions come from `eval/test/` (written from the cable texts by people
who had not seen the ranking; none of its cables is in the training set). A ranking
change that costs answers, or shows wrong answers as confident, fails here.
"""

import pytest
from conftest import FIXTURES

from cableqa.evaluate import evaluate, read_questions

pytestmark = pytest.mark.model

# Measured with the weights fitted on 4,402 questions (issue 20): excerpt@1 0.739, confidently wrong
# 0.077, unanswerable said "Not in these cables" 0.917, answerable said so 0.17; less a margin. The last
# is high on this 30-cable index: the not-found model was fitted on the 1,295-cable one, where its
# questions' words and cosines find more (eval/test and eval/test2 there: 0.00-0.15 by style).
EXCERPT_AT_1_FLOOR = 0.70
CONFIDENTLY_WRONG_CEILING = 0.12
UNANSWERABLE_NOT_FOUND_FLOOR = 0.80
ANSWERABLE_NOT_FOUND_CEILING = 0.25


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


def test_a_question_the_cables_cannot_answer_is_said_not_to_be_in_them(report):
    assert report.metrics()["unanswerable_not_found"] >= UNANSWERABLE_NOT_FOUND_FLOOR
    assert report.metrics()["answerable_not_found"] <= ANSWERABLE_NOT_FOUND_CEILING
