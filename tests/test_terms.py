from cableqa.terms import find_terms, focus_clause, fts_query, query_terms, same_term, stem


def test_query_terms_drop_question_scaffolding_and_repeats():
    assert query_terms("How much heroin was seized at Dunkerque? Heroin!") == ["heroin", "seized", "dunkerque"]


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
