"""Finding quotations and cable reference IDs in an article (`cableqa.quotes`)."""

import pytest

from cableqa.quotes import MIN_WORDS, cables_named, find_quotes


def texts(article: str) -> list[str]:
    return [quote.text for quote in find_quotes(article)]


@pytest.mark.parametrize(
    ("article", "style"),
    [
        ('The cable said "France is a major transshipment point" in 2007.', "straight"),
        ("The cable said “France is a major transshipment point” in 2007.", "curly"),
        ("Le câble dit « France is a major transshipment point » en 2007.", "guillemets"),
        ("Das Kabel sagt „France is a major transshipment point“ im Jahr 2007.", "low-high"),
        ("Het bericht zegt „France is a major transshipment point” in 2007.", "low-high"),
        ("The cable said:\n> France is a major\n> transshipment point\n\nThen more.", "block"),
    ],
)
def test_each_quotation_style_is_found_with_its_words_and_offsets(article, style):
    (quote,) = find_quotes(article)
    assert (quote.text, quote.style) == ("France is a major transshipment point", style)
    if style != "block":
        assert article[quote.start : quote.end] == quote.text


def test_quotations_come_in_article_order_and_short_ones_are_not_quotations():
    article = (
        'A "scare quote" here. “Sarkozy is thin-skinned and authoritarian,” one cable said, '
        'and another: "the most pro-American French president since World War II".'
    )
    assert MIN_WORDS == 4
    assert texts(article) == [
        "Sarkozy is thin-skinned and authoritarian,",
        "the most pro-American French president since World War II",
    ]


def test_a_quotation_nested_in_another_belongs_to_it():
    (curly,) = find_quotes("“He called it a «cheap trick» of the regime and left,” the cable said.")
    assert curly.text == "He called it a «cheap trick» of the regime and left,"
    (straight,) = find_quotes('"He called it a “cheap trick of the regime” and left," the cable said.')
    assert straight.text == "He called it a “cheap trick of the regime” and left,"


def test_a_quotation_over_paragraphs_gives_one_per_paragraph_and_an_unclosed_mark_none():
    article = (
        '"The first paragraph of a long quotation goes on\n\n'
        '"and the second closes it here," the diplomat wrote.\n\n'
        'Then an "unclosed mark that nothing ever closes at all\n\nand a last paragraph.'
    )
    assert texts(article) == [
        "The first paragraph of a long quotation goes on",
        "and the second closes it here,",
    ]


def test_block_quotes_of_several_paragraphs_and_after_a_line_of_prose():
    article = "The cable reads:\n> “First paragraph of the block quote.”\n>\n> Second paragraph of the block quote."
    quotes = find_quotes(article)
    assert [quote.text for quote in quotes] == [
        "First paragraph of the block quote.",
        "Second paragraph of the block quote.",
    ]
    assert {quote.style for quote in quotes} == {"block"}


def test_straight_marks_in_words_and_measures_open_nothing():
    article = 'The 12" gun and the 6" shell, he said, "were never sent to the border at all".'
    assert texts(article) == ["were never sent to the border at all"]


def test_hostile_text_is_read_whole_without_error():
    control = "\x1b[2J\x00\x07"
    article = f"{control}“words {control} of a quotation here”" + ("word " * 200_000 + "\n\n") * 5 + '"unclosed'
    assert len(article) > 5_000_000
    assert texts(article) == [f"words {control} of a quotation here"]
    assert find_quotes("") == [] and find_quotes("\n\n\n") == []


def test_cables_named_in_any_form_each_once():
    article = (
        "The cable (09PARIS410), a reply to STATE 123456, and 09paris410 again; see "
        "https://wikileaks.org/cable/2007/12/07PARIS4695.html. Paris 2009 is not one."
    )
    assert cables_named(article) == ("09PARIS410", "07PARIS4695", "STATE123456")
