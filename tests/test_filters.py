"""The one set of filters and the one day parser behind the API, CLI and TUI."""

from datetime import date

import numpy as np
import pytest

from cableqa.errors import CableQAError
from cableqa.filters import Filters, parse_day
from cableqa.store.reading import filter_sql


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


def test_the_sql_keeps_until_inclusive_and_matches_the_spellings_stored():
    class Stored:
        def matching_values(self, column: str, value: str) -> tuple[str, ...]:
            return ("EMBASSY PARIS", "Embassy Paris") if (column, value) == ("origin", "embassy paris") else ()

    filters = Filters(origin="embassy paris", since="2007-01-01", until="2007-12-31")
    conditions, params = filter_sql(filters, Stored().matching_values)
    assert conditions == ["c.origin COLLATE NOCASE IN (?,?)", "c.date >= ?", "c.date < ?"]
    assert params == ["EMBASSY PARIS", "Embassy Paris", "2007-01-01", "2008-01-01"]


def test_a_filter_matches_its_value_in_any_case_beyond_ascii(tmp_path):
    """Issue 19 row 9: `--origin "CONSULATE SÃO PAULO"` matched nothing, SQLite's NOCASE folding ASCII only."""
    import csv

    import cableqa

    rows = [
        ("1", "3/2/2009 12:00", "09SAOPAULO100", "Consulate São Paulo", "UNCLASSIFIED", "", "",
         "TAGS: ÉCON\nSUBJECT: ETHANOL\n\n1. (U) Ethanol exports grew in the state of São Paulo."),
        ("2", "3/3/2009 12:00", "09BRASILIA200", "Embassy Brasilia", "UNCLASSIFIED", "", "",
         "TAGS: PREL\nSUBJECT: ETHANOL TALKS\n\n1. (U) Ethanol talks were held in Brasilia."),
    ]  # fmt: skip
    with (tmp_path / "cables.csv").open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream, quoting=csv.QUOTE_ALL).writerows(rows)
    cableqa.build([tmp_path / "cables.csv"], tmp_path / "index", model="hashing")
    qa = cableqa.load(tmp_path / "index", build_missing=False)
    for filters in (
        {"origin": "CONSULATE SÃO PAULO"},
        {"tag": "écon"},
        {"origin": "consulate são paulo", "tag": "Écon"},
    ):
        assert {hit.doc_id for hit in qa.ask("ethanol", **filters).hits} == {"09SAOPAULO100"}, filters
    with pytest.raises(CableQAError, match="no indexed cable has origin 'CONSULATE SAO PAULO'"):
        qa.ask("ethanol", origin="CONSULATE SAO PAULO")  # another letter, not another case


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
    sections, _ = store.filtered(filters)
    store.facets()
    store.db.set_trace_callback(None)
    plan = [step[3] for sql in statements for step in store.db.execute(f"EXPLAIN QUERY PLAN {sql}")]
    assert sections  # whatever the case of the value
    scans = [step for step in plan if step.startswith(("SCAN cables", "SCAN c ")) and "COVERING INDEX" not in step]
    assert not scans, plan  # `c`: the table as the filters' conditions name it


def test_an_open_index_keeps_what_its_latest_filters_admit(hashing_seed_index, monkeypatch):
    import cableqa
    from cableqa.store import reading as store_module

    monkeypatch.setattr(store_module, "FILTERS_KEPT", 2)
    store = cableqa.load(hashing_seed_index, build_missing=False).index.store
    (origin,) = store.known_values("origin")
    filters = (Filters(origin=origin), Filters(since="2000-01-01"), Filters(until="2100-01-01"))
    paris, other, third = filters
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    first = store.filtered(paris)
    asked = len(statements)
    assert first[0] and len(first[1])  # the seed's cable: its sections and windows
    assert store.filtered(paris) is first and store.known_values("origin") == {origin}
    assert len(statements) == asked  # both answered without asking SQLite again
    store.filtered(other)
    store.filtered(third)  # the third pushes out the least recently used, `paris`
    assert len(statements) == asked + 2
    again = store.filtered(paris)
    # asked again: the spellings of its origin, then what it admits
    assert len(statements) == asked + 4 and again[0] == first[0] and np.array_equal(again[1], first[1])
    with pytest.raises(ValueError):
        again[1][0] = 0  # shared between asks, so nobody may change it


def test_the_filter_names_are_said_in_one_place():
    from dataclasses import fields

    from cableqa.filters import FACETS, FILTER_NAMES, VALUE_FILTERS, Filters
    from cableqa.store.reading import FILTER_VALUES

    assert FILTER_NAMES == tuple(field.name for field in fields(Filters))
    assert set(FACETS) <= set(VALUE_FILTERS) == set(FILTER_VALUES) < set(FILTER_NAMES)
