import pytest

from cableqa.terms import (
    asked_months,
    find_terms,
    focus_clause,
    fts_query,
    named_terms,
    query_terms,
    same_term,
    stem,
)


def test_query_terms_drop_question_scaffolding_and_repeats():
    assert query_terms("How much heroin was seized at Dunkerque? Heroin!") == ["heroin", "seized", "dunkerque"]


def test_query_terms_drop_a_possessive_so_the_keyword_search_finds_every_mention_of_the_name():
    assert query_terms("What was Bolivia's stance, and the embassy’s?") == ["bolivia", "stance", "embassy"]
    assert query_terms("Yar'Adua met the U.S. team") == ["yar'adua", "met", "u.s", "team"]


def test_query_terms_keep_numbers_and_acronyms():
    assert query_terms("When was the MILDT created, in 1990?") == ["mildt", "created", "1990"]


def test_inflections_match_without_matching_unrelated_words():
    assert same_term(stem("seized"), stem("seizure"))
    assert same_term(stem("arrests"), stem("arrested"))
    assert not same_term(stem("cannabis"), stem("cocaine"))
    assert not same_term(stem("is"), stem("island"))


def test_find_terms_gives_offsets_of_matching_words():
    text = "French customs officials seized 356 kg of heroin at Dunkerque."
    spans = find_terms(text, ["heroin", "seizure", "dunkerque"])
    assert [text[start:end] for start, end, _ in spans] == ["seized", "heroin", "Dunkerque"]


def test_fts_query_quotes_every_term_so_operators_stay_words():
    assert fts_query(["not", 'say"', "near"]) == '"not" OR "say" OR "near"'


def test_focus_clause_is_what_is_asked_not_where_to_look():
    question = "According to the embassy in 2009, how many Canadian troops were in Kandahar, by then?"
    assert focus_clause(question) == "how many Canadian troops were in Kandahar"
    assert focus_clause("Does France grow opium poppies?") == "Does France grow opium poppies?"


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        # an appositive between commas is skipped, the ask goes on after it
        (
            "During the visit, how did Nowak, top aide to Tusk, correct his interpreter?",
            "how did Nowak correct his interpreter?",
        ),
        # a scene-setting "When ..." is not the ask; "When did ..." is
        ("When the delegation visited Rome, how many troops would Italy send?", "how many troops would Italy send?"),
        ("When was the MILDT created?", "When was the MILDT created?"),
        # a preposition before the wh-word belongs to the ask
        ("Through whom did Egypt pass its assurances?", "Through whom did Egypt pass its assurances?"),
        # a trailing source is where to look, not what is asked
        ("How many scholarships does India give, according to Rao?", "How many scholarships does India give"),
        # a wh-word at the end asks about its own clause
        (
            "The minister said that the 64 regions were merged into how many?",
            "the 64 regions were merged into how many?",
        ),
        # a follow-up ask joined by "and" is the specific one
        ("Who made the decision, and whom did he overrule?", "and whom did he overrule?"),
        # a date's comma does not end the clause
        ("How far did the January 30, 2010 strike land?", "How far did the January 30, 2010 strike land?"),
        # who told whom, and when, is where to look; what was told is the ask
        (
            "What offense did Minister Atmar tell Ambassador Mussomeli in June 2009 he was charging?",
            "What offense he was charging?",
        ),
        ("Which city did Kirill say in 2008 had kept its character?", "Which city had kept its character?"),
        ("How did Bachelet describe Lula?", "How did Bachelet describe Lula?"),
        # a relative "who" inside the ask is not a second ask
        (
            "What sentence was the motorist who drove across the route given?",
            "What sentence was the motorist who drove across the route given?",
        ),
    ],
)
def test_focus_clause_finds_the_interrogative_clause(question, focus):
    assert focus_clause(question) == focus


def test_asked_months_are_the_months_a_question_names():
    months = asked_months("After the January 30, 2010 strike and a September 2009 cable, in mid-2008?")
    assert months == {"2010-01", "2009-09"}


def test_named_terms_are_the_capitalised_words_inside_the_question():
    question = "What did Interior Minister Atmar tell Ambassador Mussomeli about the police, in June?"
    assert named_terms(question) == {"interior", "minister", "atmar", "ambassador", "mussomeli", "june"}
    assert named_terms("Which drugs reach France?") == {"france"}
    assert named_terms("How many people died of an overdose?") == set()
