"""Matching a quotation against a cable's words (`cableqa.alignment`): verbatim, and the differences."""

from cableqa.alignment import align, find_verbatim, fragments, quote_words, words

CABLE = """1. (C) Summary: Nicolas Sarkozy is the most pro-American French
President since World War II and arguably the most influential
leader in Europe. He is thin-skinned and authoritarian.

2. (S/NF) The Elysee staff fear his temper. End summary. The
Ambassador met the Diplomatic Adviser on Tuesday to discuss Iran.
"""


def verbatim(quote: str, cable: str = CABLE):
    cable_words = words(cable, cable=True)
    runs = find_verbatim(fragments(quote), cable_words, cable_words.positions())
    return None if runs is None else [cable_words.surface(run.cable_start, run.cable_end) for run in runs]


def differences(quote: str, cable: str = CABLE):
    parts = fragments(quote)
    cable_words = words(cable, cable=True)
    found = align(parts, quote_words(quote, parts), cable_words, cable_words.positions())
    return found, [(difference.kind, difference.quote, difference.cable) for difference in found.differences]


def test_case_whitespace_punctuation_and_marks_are_no_difference():
    assert verbatim("nicolas sarkozy is the most PRO AMERICAN French president since World War II") == [
        "Nicolas Sarkozy is the most pro-American French President since World War II"
    ]
    assert verbatim("“He is thin‑skinned, and authoritarian”") is not None


def test_paragraph_numbers_and_classification_marks_are_not_cable_words():
    assert verbatim("He is thin-skinned and authoritarian. The Elysee staff fear his temper") is not None
    assert "s" not in words(CABLE, cable=True).folded and "1" not in words(CABLE, cable=True).folded


def test_elisions_may_leave_out_anything_between_fragments_in_order():
    for elision in ("...", "…", ". . .", "[...]", "[…]"):
        quote = (
            f"Nicolas Sarkozy is the most pro-American French President {elision} the most influential leader in Europe"
        )
        assert verbatim(quote) == [
            "Nicolas Sarkozy is the most pro-American French President",
            "the most influential leader in Europe",
        ], elision
    assert verbatim("the most influential leader in Europe ... Nicolas Sarkozy is the most pro-American") is None


def test_an_elided_quotation_is_placed_where_its_fragments_are_closest():
    cable = "1. Summary: the minister will resign soon. End summary.\n\n2. The minister will resign soon, and the party, angry at him, will split."
    assert verbatim("the minister will resign ... the party, angry at him", cable) == [
        "The minister will resign",
        "the party, angry at him",
    ]


def test_a_bracketed_insertion_stands_for_a_few_cable_words_or_none():
    assert verbatim("[Sarkozy] is thin-skinned and authoritarian") is not None
    assert verbatim("The Ambassador met the [French president's] Diplomatic Adviser on Tuesday") is not None
    assert verbatim("The Elysee staff fear [Sarkozy's] temper") is not None  # standing for "his"
    assert verbatim("Nicolas Sarkozy [is] the most influential leader in Europe") is None  # too far apart


def test_a_word_changed_dropped_or_added_is_marked():
    found, changed = differences("Nicolas Sarkozy is the most pro-British French President since World War II")
    assert changed == [("changed", "British", "American")] and found.coverage > 0.9
    assert differences("Nicolas Sarkozy is the most pro-American President since World War II")[1] == [
        ("dropped", "", "French")
    ]
    assert differences("He is thin-skinned and very authoritarian")[1] == [("added", "very", "")]
    assert differences("The Elysee staff fear his famous temper and rages")[1][0] == ("added", "famous", "")


def test_a_changed_word_at_either_end_is_changed_not_added():
    assert differences("Sarkozy is the most pro-American French President since World War I")[1] == [
        ("changed", "I", "II")
    ]
    assert differences("Francois Sarkozy is the most pro-American French President")[1] == [
        ("changed", "Francois", "Nicolas")
    ]


def test_two_sentences_merged_are_two_passages_joined():
    found, marked = differences(
        "Nicolas Sarkozy is the most pro-American French President since World War II. "
        "The Ambassador met the Diplomatic Adviser on Tuesday"
    )
    assert found.coverage == 1.0 and len(found.pieces) == 2
    assert [kind for kind, _, _ in marked] == ["joined"]
    assert marked[0][2] == "and arguably the most influential leader … staff fear his temper. End summary"


def test_text_in_no_cable_has_no_passage():
    parts = fragments("The submarine contract was cancelled without notice")
    cable_words = words(CABLE, cable=True)
    assert align(parts, quote_words("x", parts), cable_words, cable_words.positions()) is None
