from cableqa.text import Block, is_hard_wrapped, reflow, split_sentences

WRAPPED = """1. (C) PRESS REPORTS AND VARIETY EMBASSY SOURCES CONFIRM
NEW ARGENTINE LEGISLATION UNILATERALLY CHANGING SEAS JURIS-
DICTION NOW UNDER ADVANCED REVIEW.
2. (C) NAVATT STATES ARGENTINE NAVY THINKING OF PREFERENTIAL
JURISDICTION OUT TO 200 MILES.

MASS ACTION IS ON THE TABLE
---------------------------

3. (C) THE OPPOSITION LEADER WENT ON.""".splitlines()


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def test_reflow_joins_wrapped_lines_and_changes_no_word():
    blocks = reflow(WRAPPED)
    assert [block.number for block in blocks] == [1, 2, None, 3]
    assert blocks[0].text.endswith("CHANGING SEAS JURIS- DICTION NOW UNDER ADVANCED REVIEW.")
    source_words = [word for line in WRAPPED if not set(line) <= {"-"} for word in line.split()]
    assert [word for block in blocks for word in block.text.split()] == source_words


def test_a_line_of_dashes_marks_the_line_above_as_ruled():
    blocks = reflow(WRAPPED)
    assert blocks[2] == Block("MASS ACTION IS ON THE TABLE", 1, ruled=True)
    assert not blocks[3].ruled


def test_unwrapped_text_keeps_one_paragraph_per_line_but_joins_broken_sentences():
    lines = [
        "¶1. (S) Summary and introduction: In his January 12 meeting with Assistant Secretary " * 2,
        "Afghanistan -- Rhetoric and Bugti",
        "¶3. (C) President Musharraf decried the heated rhetoric emanating from Afghan officials, and " * 2,
        "continued at length.",
    ]
    assert not is_hard_wrapped(lines)
    texts = [block.text for block in reflow(lines)]
    assert texts[1] == "Afghanistan -- Rhetoric and Bugti"
    assert len(texts) == 3 and texts[2].endswith("and continued at length.")


def test_a_blank_line_inside_a_sentence_is_a_lost_page_break_not_a_paragraph_end():
    lines = [
        "(C) 4. So far the Embassy has received",
        "",
        "paperwork for 15 claims.",
        "",
        "(C) 5. The Committee met.",
        "",
        "New paragraph.",
        "",
        "lower case after a full stop starts a paragraph",
    ]
    blocks = reflow(lines)
    assert [block.text for block in blocks] == [
        "(C) 4. So far the Embassy has received paperwork for 15 claims.",
        "(C) 5. The Committee met.",
        "New paragraph.",
        "lower case after a full stop starts a paragraph",
    ]
    assert [block.number for block in blocks] == [4, 5, None, None]


def test_a_paragraph_mark_after_its_classification_opens_the_sentence():
    text = "(C) 4. The Embassy sent a team. (S/NF) 12. Another paragraph."
    assert [text[start:end] for start, end in split_sentences(text)] == [
        "(C) 4. The Embassy sent a team.",
        "(S/NF) 12. Another paragraph.",
    ]


def test_sentences_survive_abbreviations_initials_and_numbers():
    text = (
        "1. (C) Summary: The U.S. Embassy met Mr. Smith and Gen. J. R. Allen on Jan. 5. "
        "Seizures rose to 1.2 million euros (approx. $1.6 million), No. 3 in Europe. "
        "Cooperation with the U.S. The French agreed."
    )
    assert sentences(text) == [
        "1. (C) Summary: The U.S. Embassy met Mr. Smith and Gen. J. R. Allen on Jan. 5.",
        "Seizures rose to 1.2 million euros (approx. $1.6 million), No. 3 in Europe.",
        "Cooperation with the U.S.",
        "The French agreed.",
    ]


def test_sentences_end_at_paragraph_breaks_and_question_marks():
    text = "II. Status of Country\n\nWho pays? The drug user pays 450 euros.\n\n2. (SBU) Begin Text:"
    assert sentences(text) == [
        "II. Status of Country",
        "Who pays?",
        "The drug user pays 450 euros.",
        "2. (SBU) Begin Text:",
    ]


def test_sentence_spans_are_trimmed_offsets_into_the_text():
    text = "  ALL CAPS CABLE TEXT.  U.S. OFFICIALS AGREED.   THE END  "
    spans = split_sentences(text)
    assert [text[start:end] for start, end in spans] == ["ALL CAPS CABLE TEXT.", "U.S. OFFICIALS AGREED.", "THE END"]
    assert all(text[start] != " " and text[end - 1] != " " for start, end in spans)


def test_no_sentences_in_blank_text():
    assert split_sentences("") == [] and split_sentences(" \n\n ") == []
