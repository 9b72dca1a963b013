"""The words every front end shares: counts, filters, and why an answer is empty."""

from cableqa.errors import did_you_mean
from cableqa.types import Answer
from cableqa.wording import count, describe_filters, excluded_by_filters, folder


def test_counts_agree_in_number():
    assert [count(n, "cable") for n in (0, 1, 2, 2048)] == ["0 cables", "1 cable", "2 cables", "2,048 cables"]


def test_a_folder_reads_as_a_folder():
    assert folder("index") == "index/" and folder("/tmp/x/") == "/tmp/x/"


def test_only_filters_that_are_set_are_described():
    assert describe_filters([("origin", "Embassy Paris"), ("tag", None), ("since", "2011-01-01")]) == (
        "origin Embassy Paris, since 2011-01-01"
    )


def test_an_answer_emptied_by_its_filters_names_them():
    filters = (("origin", "Embassy Paris"), ("since", "2011-01-01"))
    excluded = Answer("q", False, (), filters=filters, excluded_by_filters=True)
    assert excluded_by_filters(excluded) == "No cable matches the filters (origin Embassy Paris, since 2011-01-01)"
    assert excluded_by_filters(Answer("q", False, (), filters=filters)) == ""


def test_did_you_mean_names_the_nearest_known_values_only():
    known = ["Embassy Paris", "Embassy Madrid", "Embassy Panama", "Consulate Lyon"]
    assert did_you_mean("embasy paris", known) == "; did you mean 'Embassy Paris'?"
    assert did_you_mean("PRLE", ["PREL", "PGOV"]) == "; did you mean 'PREL'?"
    assert did_you_mean("Atlantis", known) == ""
