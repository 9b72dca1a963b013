"""The Python API contract of `ask`, over the fake "hashing" encoder (fast; quality is tested elsewhere)."""

import re

import pytest
from conftest import FIXTURES, SEED_ID, SEEDS

import cableqa
from cableqa.errors import CableQAError
from cableqa.terms import find_terms, query_terms
from cableqa.types import UNTITLED_SECTION, section_name

QUESTION = "How much heroin was seized at Dunkerque?"


@pytest.fixture(scope="module")
def qa(tmp_path_factory):
    index = tmp_path_factory.mktemp("api") / "index"
    cableqa.build([SEEDS, FIXTURES / "cables"], index, model="hashing")
    return cableqa.load(index, build_missing=False)


def test_hits_are_ranked_cited_excerpts_of_their_sections(qa):
    answer = qa.ask(QUESTION, k=5)
    assert [hit.rank for hit in answer.hits] == [1, 2, 3, 4, 5]
    assert [hit.score for hit in answer.hits] == sorted((hit.score for hit in answer.hits), reverse=True)
    for hit in answer.hits:
        assert hit.text[hit.excerpt_start : hit.excerpt_end] == hit.excerpt
        assert 0 < len(hit.excerpt.split()) <= 80
        assert hit.citation.startswith(hit.doc_id)
        cable = qa.cable(hit.doc_id)
        section = next(s for s in cable.sections if s.id == hit.section_id)
        assert section.text == hit.text and section.name == hit.section
        assert cable.body[section.start : section.end] == hit.text


def test_highlights_are_the_question_terms_in_the_excerpt(qa):
    hit = qa.ask(QUESTION).hits[0]
    assert hit.highlights, "the top excerpt should contain a question term"
    terms = query_terms(QUESTION)
    for start, end in hit.highlights:
        word = hit.excerpt[start:end]
        assert find_terms(word, terms), f"{word!r} is not a question term"


def test_the_answer_json_has_the_documented_keys(qa):
    data = qa.ask(QUESTION, k=2).to_dict()
    assert set(data) == {
        "question",
        "verdict",
        "confident",
        "probability",
        "not_found_probability",
        "filters",
        "excluded_by_filters",
        "hits",
    }
    assert data["verdict"] in ("answer", "possible", "not_found")
    assert {
        "rank",
        "doc_id",
        "section",
        "paragraphs",
        "section_paragraphs",
        "score",
        "citation",
        "excerpt",
        "highlights",
        "text",
    } <= set(data["hits"][0])
    assert isinstance(data["hits"][0]["paragraphs"], list) and isinstance(data["hits"][0]["highlights"], list)


def test_filters_apply_before_ranking(qa):
    paris = qa.ask(QUESTION, k=10, origin="embassy paris")
    assert paris.hits and {hit.origin for hit in paris.hits} == {"Embassy Paris"}
    others = qa.ask(QUESTION, k=10, doc_id="07LAPAZ2400")
    assert others.hits and {hit.doc_id for hit in others.hits} == {"07LAPAZ2400"}
    recent = qa.ask(QUESTION, k=20, since="2009-01-01")
    assert recent.hits and all(hit.date >= "2009-01-01" for hit in recent.hits)
    early = qa.ask(QUESTION, k=20, until="1990-12-31")
    assert early.hits and all(hit.date < "1991" for hit in early.hits)
    tagged = qa.ask(QUESTION, k=20, tag="PREL")
    assert tagged.hits and all("PREL" in qa.cable(hit.doc_id).tags for hit in tagged.hits)


def test_a_filter_nothing_has_is_an_error_not_an_empty_answer(qa):
    with pytest.raises(CableQAError, match="origin 'Embassy Atlantis'"):
        qa.ask(QUESTION, origin="Embassy Atlantis")
    with pytest.raises(CableQAError, match="origin 'Embasy Paris'; did you mean 'Embassy Paris'\\?$"):
        qa.ask(QUESTION, origin="Embasy Paris")
    with pytest.raises(CableQAError, match="tag 'PRLE'; did you mean 'PREL'"):
        qa.ask(QUESTION, tag="PRLE")
    with pytest.raises(CableQAError, match="YYYY-MM-DD"):
        qa.ask(QUESTION, since="last year")
    with pytest.raises(CableQAError, match="after"):
        qa.ask(QUESTION, since="2009-01-01", until="2008-01-01")


@pytest.mark.parametrize("question", ["", "   \n"])
def test_an_empty_question_is_refused(qa, question):
    with pytest.raises(CableQAError, match="empty"):
        qa.ask(question)


def test_a_reference_id_opens_that_cable_k_sections_at_a_time(qa):
    sections = [section.id for section in qa.cable(SEED_ID).sections]
    assert len(sections) > 5
    answer = qa.ask(" 07paris4695 ")
    assert answer.confident
    assert [hit.section_id for hit in answer.hits] == sections[:5]
    for k in (1, 2, len(sections), len(sections) + 10):
        answer = qa.ask(SEED_ID, k=k)
        assert [hit.section_id for hit in answer.hits] == sections[:k]
        assert [hit.rank for hit in answer.hits] == list(range(1, min(k, len(sections)) + 1))


def test_citation_names_cable_paragraphs_section_date_origin(qa):
    hit = next(hit for hit in qa.ask(QUESTION, k=10).hits if hit.doc_id == SEED_ID and hit.section)
    assert re.match(rf"{SEED_ID} ¶\d+", hit.citation)
    for part in (hit.section, "2007-12-13", "Embassy Paris"):
        assert part in hit.citation


def test_filters_that_leave_no_cable_say_so(qa):
    empty = qa.ask(QUESTION, origin="Embassy Paris", since="2011-01-01")
    assert not empty.hits and empty.excluded_by_filters
    assert empty.filters == (("origin", "Embassy Paris"), ("since", "2011-01-01"))
    assert empty.to_dict()["filters"] == {"origin": "Embassy Paris", "since": "2011-01-01"}
    answered = qa.ask(QUESTION, origin="Embassy Paris")
    assert answered.hits and not answered.excluded_by_filters
    assert not qa.ask(QUESTION).excluded_by_filters


def test_the_untitled_opening_section_has_one_name_everywhere(qa):
    opening = qa.cable(SEED_ID).sections[0]
    assert opening.title == "" and opening.name == UNTITLED_SECTION == section_name("  ")
    assert opening.to_dict()["name"] == UNTITLED_SECTION
    hit = qa.ask(SEED_ID).hits[0]  # a reference ID lists the cable's sections in order
    assert hit.section_id == opening.id and hit.section == UNTITLED_SECTION
    assert f" · {UNTITLED_SECTION} · " in hit.citation


def test_info_takes_its_counts_from_the_manifest_without_counting_rows(qa):
    statements: list[str] = []
    qa.index.store.db.set_trace_callback(statements.append)
    info = qa.info()
    qa.index.store.db.set_trace_callback(None)
    assert (info.cables, info.sections, info.vectors) == tuple(
        qa.index.store.counts()[name] for name in ("cables", "sections", "vectors")
    )
    assert not [sql for sql in statements if "count(" in sql.lower()]


def test_facets_and_info_describe_the_index(qa):
    facets = qa.facets()
    origins = dict(facets["origin"])
    assert origins["Embassy Paris"] >= 1 and dict(facets["tag"])["PREL"] >= 1
    counts = [value.count for value in facets["origin"]]
    assert counts == sorted(counts, reverse=True)
    years = [value.value for value in facets["year"]]
    assert "2007" in years and years == sorted(years)
    assert sum(value.count for value in facets["year"]) <= qa.info().cables
    info = qa.info()
    assert info.cables == len(list(cableqa.read(FIXTURES / "cables"))) + 1
    assert info.model == "hashing:384" and info.size_bytes > 0


def _plain_cable(number: int, dtg: str) -> str:
    return (
        f"DE RUEHFR #{number:04d}/01 0271814\nO {dtg}\nFM AMEMBASSY PARIS\n\n"
        f"UNCLAS PARIS {number:06d}\n\nSUBJECT: HARBOR TRAFFIC\n\n"
        "1. The port of Le Havre handled record container traffic, harbor officials said.\n"
    )


@pytest.mark.parametrize(("month", "expected"), [("March 2008", "08PARIS501"), ("June 2009", "09PARIS502")])
def test_of_two_cables_saying_the_same_the_one_dated_as_asked_comes_first(tmp_path, month, expected):
    (tmp_path / "a.txt").write_text(_plain_cable(501, "271814Z MAR 08"))
    (tmp_path / "b.txt").write_text(_plain_cable(502, "021200Z JUL 09"))  # reported the month after
    cableqa.build([tmp_path], tmp_path / "index", model="hashing")
    qa = cableqa.load(tmp_path / "index", build_missing=False)
    answer = qa.ask(f"How much container traffic did Le Havre handle in {month}?", k=2)
    assert [hit.doc_id for hit in answer.hits][0] == expected
    assert {hit.doc_id for hit in answer.hits} == {"08PARIS501", "09PARIS502"}


def test_a_large_index_keyword_searches_the_rarest_words_that_fit_its_budget(hashing_seed_index, monkeypatch):
    from cableqa import assistant

    qa = cableqa.load(hashing_seed_index, build_missing=False)
    question = qa.parse("How much heroin did French customs seize at the port of Dunkerque?")
    assert qa._keyword_terms(question) == list(question.terms)  # a small index: every word
    frequencies = qa._frequencies(list(question.terms))
    rarest_first = sorted(question.terms, key=frequencies.__getitem__)
    monkeypatch.setattr(assistant, "KEYWORD_ALL_WORDS_UP_TO", 0)  # as if it were large
    budget = frequencies[rarest_first[0]] + frequencies[rarest_first[1]]
    monkeypatch.setattr(assistant, "KEYWORD_SECTIONS_SCORED", budget)
    kept = qa._keyword_terms(question)
    assert sum(frequencies[term] for term in kept) <= budget
    assert set(rarest_first[:2]) <= set(kept) < set(question.terms)  # the rarest, and not every word
    assert kept == [term for term in question.terms if term in kept]  # in the question's order
    monkeypatch.setattr(assistant, "KEYWORD_SECTIONS_SCORED", 0)
    assert qa._keyword_terms(question) == [rarest_first[0]]  # the rarest word always stays


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("Dunkerque heroin seizure", "terse"),
        ("heroin seized at Dunkerque in 2007 by French customs officers", "full"),  # over 8 words
        ("How much heroin was seized?", "full"),
        ("heroin seizure?", "full"),
        ("Who met the ambassador", "full"),
    ],
)
def test_a_question_is_read_once_with_its_style_and_the_cables_it_names(text, style):
    from cableqa.question import parse_question

    question = parse_question(text, lambda terms: dict.fromkeys(terms, 1), 10)
    assert question.style == style
    assert question.reference is None and question.cited == ()
    named = parse_question("What did Paris reply to STATE 123456?", lambda terms: dict.fromkeys(terms, 1), 10)
    assert named.cited == ("STATE123456",) and named.reference is None
    assert parse_question(" 07paris4695 ", lambda terms: dict.fromkeys(terms, 1), 10).reference == "07PARIS4695"
