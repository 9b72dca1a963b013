"""The one set of filters and the one day parser behind the API, CLI and TUI."""

from datetime import date

import numpy as np
import pytest

from cableqa.errors import CableQAError
from cableqa.filters import Filters, parse_day


def test_a_day_is_read_as_written():
    assert parse_day("2007-12-13", "since") == date(2007, 12, 13)


@pytest.mark.parametrize("text", ["last week", "20071213", "2007-12-32", "2007-1-3", " 2007-12-13", ""])
def test_anything_but_a_yyyy_mm_dd_day_is_one_clear_error(text):
    with pytest.raises(CableQAError) as error:
        parse_day(text, "until")
    assert str(error.value) == f"until: {text!r} is not a date like 2007-12-13 (YYYY-MM-DD)"


def test_filters_refuse_a_bad_day_or_a_reversed_range_when_made():
    with pytest.raises(CableQAError, match="^since: 'yesterday' is not a date"):
        Filters(since="yesterday")
    with pytest.raises(CableQAError, match="^since 2009-01-01 is after until 2008-01-01$"):
        Filters(since="2009-01-01", until="2008-01-01")
    assert Filters(since="2008-01-01", until="2008-01-01").since == "2008-01-01"


def test_only_the_filters_set_are_listed_and_described_in_field_order():
    filters = Filters(tag="PREL", origin="Embassy Paris", since="2011-01-01")
    assert filters.items() == (("origin", "Embassy Paris"), ("since", "2011-01-01"), ("tag", "PREL"))
    assert filters.describe() == "origin Embassy Paris, since 2011-01-01, tag PREL"
    assert filters and not Filters() and Filters().describe() == ""


def test_setting_a_blank_value_clears_that_filter():
    filters = Filters().set("origin", "Embassy Paris")
    assert filters == Filters(origin="Embassy Paris")
    assert filters.set("origin", "") == Filters()


def test_the_sql_keeps_until_inclusive_and_matches_values_in_any_case():
    conditions, params = Filters(origin="embassy paris", since="2007-01-01", until="2007-12-31").sql()
    assert conditions == ["c.origin = ? COLLATE NOCASE", "c.date >= ?", "c.date < ?"]
    assert params == ["embassy paris", "2007-01-01", "2008-01-01"]


@pytest.mark.parametrize(
    "filters",
    [
        Filters(origin="EMBASSY LA PAZ"),
        Filters(classification="confidential"),
        Filters(tag="prel"),
        Filters(since="2007-01-01", until="2007-12-31"),
        Filters(doc_id="09ottawa64"),
    ],
    ids=lambda filters: filters.describe(),
)
def test_a_filter_and_the_facets_are_found_through_indexes_not_by_reading_every_cable(sources, tmp_path, filters):
    import cableqa

    cableqa.build([sources], tmp_path / "index", model="hashing")
    store = cableqa.load(tmp_path / "index", build_missing=False).index.store
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    sections, _ = store.filtered(*filters.sql())
    store.facets()
    store.db.set_trace_callback(None)
    plan = [step[3] for sql in statements for step in store.db.execute(f"EXPLAIN QUERY PLAN {sql}")]
    assert sections  # whatever the case of the value
    assert not [step for step in plan if step.startswith("SCAN cables") and "COVERING INDEX" not in step], plan


def test_an_open_index_keeps_what_its_latest_filters_admit(hashing_seed_index, monkeypatch):
    import cableqa
    from cableqa import store as store_module

    monkeypatch.setattr(store_module, "FILTERS_KEPT", 2)
    store = cableqa.load(hashing_seed_index, build_missing=False).index.store
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    (origin,) = store.known_values("origin")
    paris, other, third = (Filters(origin=origin), Filters(since="2000-01-01"), Filters(until="2100-01-01"))
    first = store.filtered(*paris.sql())
    asked = len(statements)
    assert first[0] and len(first[1])  # the seed's cable: its sections and windows
    assert store.filtered(*paris.sql()) is first and store.known_values("origin") == {origin}
    assert len(statements) == asked  # both answered without asking SQLite again
    store.filtered(*other.sql())
    store.filtered(*third.sql())  # the third pushes out the least recently used, `paris`
    assert len(statements) == asked + 2
    again = store.filtered(*paris.sql())
    assert len(statements) == asked + 3 and again[0] == first[0] and np.array_equal(again[1], first[1])
    with pytest.raises(ValueError):
        again[1][0] = 0  # shared between asks, so nobody may change it
