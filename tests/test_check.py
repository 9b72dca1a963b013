"""`check`: every quotation of an article against the cables, over the hashing index (logic) and the
real model on real cables (marked `model`). The CLI's `check` is tested in test_check_cli.py."""

import json

import pytest
from conftest import FIXTURES, SEEDS

import cableqa
from cableqa import check
from cableqa.alignment import fragments
from cableqa.check import MAX_QUOTES
from cableqa.errors import CableQAError

OTTAWA = "09OTTAWA64"
VERBATIM = (
    "Mission Canada warmly welcomes you and the First Lady to Ottawa. We and Canadians alike are thrilled "
    "that your first foreign trip as President will be to Canada"
)
# 09OTTAWA64 ¶5: "Canadians chafe about what they see as a "thickening of the border" caused by U.S. actions".
CHANGED = "With the border central to Canada's economic well being, Canadians complain about what they see"
INVENTED = "The ambassador privately told the defence minister that the submarine contract was finished."


@pytest.fixture(scope="module")
def qa(tmp_path_factory):
    directory = tmp_path_factory.mktemp("check") / "index"
    cableqa.build([SEEDS, FIXTURES / "cables"], directory, model="hashing")
    return cableqa.load(directory, build_missing=False)


def only(check):
    (quote,) = check.quotes
    return quote


def test_a_verbatim_quotation_gives_its_cable_paragraph_and_sentence(qa):
    quote = only(qa.check(f"The embassy wrote: “{VERBATIM.upper()}.”"))
    assert (quote.status, quote.passage.doc_id, quote.passage.paragraphs) == ("verbatim", OTTAWA, (1,))
    assert quote.passage.text.startswith("Mr. President, Mission Canada warmly welcomes you")
    assert quote.differences == () and quote.named_in_article is False


def test_an_altered_quotation_names_the_cable_and_marks_the_differences(qa):
    quote = only(qa.check(f'Diplomats wrote that "{CHANGED}".'))
    assert (quote.status, quote.passage.doc_id, quote.passage.paragraphs) == ("altered", OTTAWA, (5,))
    assert [(d.kind, d.quote, d.cable) for d in quote.differences] == [("changed", "complain", "chafe")]
    assert "Canadians chafe about what they see" in quote.passage.text


def test_words_dropped_and_sentences_merged_are_altered_with_the_right_cable(qa):
    dropped = only(qa.check(f'"{VERBATIM.replace("warmly ", "")}"'))
    assert (dropped.status, dropped.passage.doc_id) == ("altered", OTTAWA)
    assert [(d.kind, d.cable) for d in dropped.differences] == [("dropped", "warmly")]
    merged = only(qa.check(f'"{VERBATIM}. {CHANGED.replace("complain", "chafe")}"'))
    assert (merged.status, merged.passage.doc_id, merged.passage.paragraphs) == ("altered", OTTAWA, (1, 5))
    assert [d.kind for d in merged.differences] == ["joined"]


def test_a_quotation_in_no_cable_is_not_found_with_the_nearest_passages_not_a_match(qa):
    quote = only(qa.check(f"“{INVENTED}”"))
    assert quote.status == "not_found" and quote.named_in_article is False
    assert quote.nearest and quote.passage == quote.nearest[0]
    data = quote.to_dict()
    assert data["doc_id"] == quote.nearest[0].doc_id and data["differences"] == []


def test_a_quotation_sharing_a_few_words_with_a_cable_is_not_found(qa):
    borrowed = "Mission Canada warmly welcomes the new trade commissioner from Brazil and all of her staff next spring"
    quote = only(qa.check(f'"{borrowed}"'))
    assert quote.status == "not_found" and quote.differences == ()


def test_the_cables_an_article_names_are_compared_whatever_the_keyword_index_finds(qa, monkeypatch):
    monkeypatch.setattr(check, "CANDIDATE_CABLES", 0)  # the keyword index offers no cable
    assert only(qa.check(f'"{VERBATIM}"')).status != "verbatim"
    named = only(qa.check(f'Cable 09OTTAWA64: "{VERBATIM}"'))
    assert (named.status, named.passage.doc_id, named.named_in_article) == ("verbatim", OTTAWA, True)


def test_the_keyword_queries_of_a_quotation_keep_to_their_budget_of_sections(qa, monkeypatch):
    checker = check.Checker(qa.index, qa.encoder.encode, qa._frequencies)
    parts = fragments(CHANGED)
    assert checker._rarest_words(parts).count(" OR ") == 5 and checker._shingles(CHANGED, parts).count(" OR ") > 5
    monkeypatch.setattr(check, "SECTIONS_SCORED", 1)  # then the rarest word, and the rarest run, alone
    assert checker._rarest_words(parts).count(" OR ") == 0 and checker._shingles(CHANGED, parts).count(" OR ") == 0
    assert only(qa.check(f'"{CHANGED}"')).status == "altered"


def test_elisions_and_bracketed_insertions_are_tolerated(qa):
    elided = "Mission Canada warmly welcomes you … your first foreign trip as President will be to Canada"
    inserted = "[The U.S. embassy] warmly welcomes you and the First Lady to Ottawa"
    statuses = [quote.status for quote in qa.check(f'"{elided}" and "{inserted}"').quotes]
    assert statuses == ["verbatim", "verbatim"]


def test_each_quotation_style_is_checked(qa):
    first, second = VERBATIM[:64], VERBATIM[65:]  # the block quote's two lines, cut at a space
    article = f'"{VERBATIM}"\n\n“{VERBATIM}”\n\n« {VERBATIM} »\n\n„{VERBATIM}“\n\nThe cable:\n> {first}\n> {second}'
    check = qa.check(article)
    assert [quote.quote.style for quote in check.quotes] == ["straight", "curly", "guillemets", "low-high", "block"]
    assert {quote.status for quote in check.quotes} == {"verbatim"}


def test_a_quotation_found_in_a_cable_the_article_names_says_so(qa):
    named = qa.check(f"In cable 09OTTAWA64 the embassy wrote: “{VERBATIM}.” See also STATE 999999.")
    assert only(named).named_in_article is True
    assert [(cable.doc_id, cable.indexed) for cable in named.cables_named] == [(OTTAWA, True), ("STATE999999", False)]
    elsewhere = qa.check(f"In cable 07PARIS4695 the embassy wrote: “{VERBATIM}.”")
    assert only(elsewhere).named_in_article is False  # attributed to one cable, found in another


def test_the_json_contract(qa):
    data = qa.check(f'09OTTAWA64: "{VERBATIM}", "{CHANGED}" and "{INVENTED}"').to_dict()
    assert set(data) == {"quotes", "cables_named"}
    assert [quote["status"] for quote in data["quotes"]] == ["verbatim", "altered", "not_found"]
    for quote in data["quotes"]:
        assert set(quote) == {
            "quote",
            "status",
            "doc_id",
            "paragraphs",
            "cable_text",
            "differences",
            "named_in_article",
        }
        assert isinstance(quote["paragraphs"], list) and isinstance(quote["named_in_article"], bool)
    assert data["quotes"][1]["differences"] == [{"kind": "changed", "quote": "complain", "cable": "chafe"}]
    assert data["cables_named"] == [{"doc_id": OTTAWA, "indexed": True}]
    json.dumps(data)


def test_an_empty_article_and_one_without_quotations_give_an_empty_report(qa):
    for article in ("", "   \n\n ", "An article that quotes nobody, and names no cable at all."):
        assert qa.check(article).to_dict() == {"quotes": [], "cables_named": []}


def test_a_saved_web_page_is_read_for_its_article_only(qa):
    page = (
        "<!DOCTYPE html><html><head><title>Leaks</title></head><body><nav><a href='/'>Home</a> "
        f"<a href='/world'>“{VERBATIM}”</a></nav><article><h1>What the cable said</h1>"
        "<p>An embassy in a friendly capital sent a long cable before the visit, and in it the embassy "
        "described the mood of the country and what its people expected of the new president.</p>"
        f"<blockquote><p>{VERBATIM}</p></blockquote><p>It went on, at length, about trade, the border, "
        "the climate and the Arctic, in a tone that diplomats who read it called warm.</p></article>"
        f"<section class='comments'><p>“{CHANGED}”, a reader wrote.</p></section></body></html>"
    )
    check = qa.check(page)
    assert [(quote.quote.style, quote.status) for quote in check.quotes] == [("block", "verbatim")]


def test_hostile_input_gives_a_report_not_a_traceback(qa):
    control = "\x1b\x00\x07\x9b\x7f"  # not words: a quotation holding them is the words around them
    article = f"\x1b[2J“{control}{VERBATIM}{control}” " + ("padding words " * 400_000) + '"unclosed'
    assert len(article.encode()) > 5_000_000
    check = qa.check(article)
    assert [quote.status for quote in check.quotes] == ["verbatim"]
    with pytest.raises(CableQAError, match=f"at most {MAX_QUOTES}"):
        qa.check('"one two three four" ' * (MAX_QUOTES + 1))
    with pytest.raises(CableQAError, match="not valid text"):
        qa.check("\udcff")
    with pytest.raises(CableQAError, match="must be text"):
        qa.check(b"bytes")


@pytest.mark.model
def test_real_model_on_real_cables(real_ranking_index):
    qa = cableqa.load(real_ranking_index, build_missing=False)
    cable = qa.cable("09KABUL376")
    sentence = next(s for section in cable.sections for s in [section.text] if len(s.split()) > 40)
    words = " ".join(sentence.split()).split(" ")[5:25]
    exact = " ".join(words)
    changed = " ".join(words[:8] + ["certainly"] + words[9:])
    check = qa.check(f'"{exact}" and "{changed}" but "{INVENTED}"')
    assert [(quote.status, quote.passage.doc_id) for quote in check.quotes[:2]] == [
        ("verbatim", "09KABUL376"),
        ("altered", "09KABUL376"),
    ]
    assert check.quotes[2].status == "not_found"
