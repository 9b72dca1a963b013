"""The words of a question that matter, and where they occur in a passage.

Search uses them for the keyword half of the query; excerpts use them to pick and
highlight sentences. Matching is deliberately forgiving ("seized" finds "seizure",
"arrests" finds "arrested") without a full stemmer: light suffix stripping plus a
shared-prefix rule.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Function words and question scaffolding: they say how something is asked, not what.
STOPWORDS = frozenset(
    """
    a about above according after again against all also am an and any are as at be been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    many much did does whose tell told say said according per s t let get got
    """.split()
)

WORD = re.compile(r"[A-Za-z0-9]+(?:[.,'’-][A-Za-z0-9]+)*")
_POSSESSIVE = re.compile(r"['’]s$")  # "Bolivia's" asks about Bolivia, wherever a cable names it
_SUFFIXES = tuple("ational ization ations ation ments ment ings ing ies ied ers ed es er ly s".split())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stem: lower case, possessive and common suffixes removed (never below 3 letters)."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    return word


def same_term(a: str, b: str) -> bool:
    """Whether two stems name the same thing: equal, or one a close prefix of the other."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 3


def query_terms(question: str) -> list[str]:
    """The content words of a question, in order, without repeats (original spelling, lower case)."""
    seen: set[str] = set()
    terms = []
    for match in WORD.finditer(question):
        word = _POSSESSIVE.sub("", match.group().lower()).strip(".,'’-")
        if not word or word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        key = stem(word)
        if key not in seen:
            seen.add(key)
            terms.append(word)
    return terms


_NAMED = re.compile(r"(?<=[\w,;:)] )[A-Z][\w'’.-]*")


def named_terms(question: str) -> set[str]:
    """The question's terms written with a capital inside the sentence: names, titles, places.

    They mostly say whose words and which cable ("What did Minister Atmar tell Ambassador
    Mussomeli ..."); within that cable they point at the sentence that introduces the
    meeting more than at the one that answers.
    """
    return {term for match in _NAMED.finditer(question) for term in query_terms(match.group())}


WH_WORD = re.compile(r"\b(how|what|which|who|whom|whose|where|when|why)\b", re.IGNORECASE)
# "When did ..." asks; "When the delegation visited Rome, ..." sets the scene.
_ASKS_ONLY_BEFORE_AUXILIARY = {"when", "where"}
_AUXILIARIES = frozenset(
    "am is are was were be do does did has have had can could will would shall should may might must".split()
)
_PREPOSITIONS = frozenset("about at by for from in into of on through to toward towards under with within".split())
_CLAUSE = re.compile(r"(?:[^,;]|,(?=\s*\d{4}\b))+")  # "January 30, 2010" stays one clause
_COORDINATION = re.compile(r"\s*(?:and|or|but)\b", re.IGNORECASE)
# A clause after the ask that only says where to look: "..., according to the embassy".
_SETTING = re.compile(
    r"\s*(?:according|as|in|during|when|after|before|while|since|compared|following)\b", re.IGNORECASE
)


def focus_clause(question: str) -> str:
    """The words that say what is asked, without those that say where to look.

    The ask starts at the question's interrogative wh-word: at the start of a clause,
    possibly after a preposition ("Through whom did ..."), and not a scene-setting
    "When X happened, ...". It runs to the end of its clause, skips an appositive
    between commas ("how did Nowak, Tusk's aide, correct ..." keeps "correct ...") and
    keeps a second ask joined by "and"; a trailing "according to ..." is dropped, and so
    is a reporting frame ("did Atmar tell Mussomeli in June ..." is where to look).
    "... merged into how many?" asks about its own clause, from "that" on. A question
    without a wh-word is all focus.
    """
    clauses = list(_CLAUSE.finditer(question))
    for index, clause in enumerate(clauses):
        start = _ask_start(clause.group())
        if start is not None:
            kept = [clause.group()[start:].strip()]
            rest = clauses[index + 1 :]
            for position, later in enumerate(rest):
                text = later.group()
                if _COORDINATION.match(text) and WH_WORD.search(text):
                    kept = [text.strip()]  # a follow-up ask is the more specific one
                elif position == len(rest) - 1 and position > 0 and not _SETTING.match(text):
                    kept.append(text.strip())
            return _reported_content(" ".join(kept))
    matches = list(WH_WORD.finditer(question))
    if not matches:
        return question
    clause = next(c for c in clauses if c.start() <= matches[-1].start() < c.end())
    head = question[clause.start() : matches[-1].start()]
    that = [m.end() for m in re.finditer(r"\bthat\b", head)]
    return question[clause.start() + (that[-1] if that else 0) : clause.end()].strip()


# "What did X tell Y in May 2009 was the motive ...": who told whom, and when, say where to
# look; what was told is the ask. A verb of telling has a listener to skip, one of saying none.
_REPORTED = re.compile(
    r"^(?P<wh>.*?)\s+(?:did|does|do|had|has|have|would|will)\s+.*?"
    r"\b(?:(?P<telling>tell|inform|assure|warn)|say|claim|report|believe|think|expect|predict|suggest)\s+(?P<rest>.*)$",
    re.IGNORECASE,
)
_NAME_OR_NUMBER = re.compile(r"^(?:[A-Z][\w'’.-]*|\d[\d,]*)$")
_TIME_LINKS = {"in", "on", "during"}


def _reported_content(ask: str) -> str:
    """The ask without its reporting frame: "What ... was the motive ..."."""
    match = _REPORTED.match(ask)
    if not match:
        return ask
    words = match.group("rest").split()
    skip = 0
    while skip < len(words):
        word, following = words[skip].lower(), words[skip + 1] if skip + 1 < len(words) else ""
        if word in _TIME_LINKS and _NAME_OR_NUMBER.match(following):  # "in February 2010"
            skip += 2
            while skip < len(words) and _NAME_OR_NUMBER.match(words[skip]):
                skip += 1
        elif match.group("telling") and (
            _NAME_OR_NUMBER.match(words[skip]) or word == "and" and _NAME_OR_NUMBER.match(following)
        ):
            skip += 1
        else:
            skip += word == "that"
            break
    content = words[skip:]
    return f"{match.group('wh')} {' '.join(content)}" if len(content) >= 3 else ask


def _ask_start(clause: str) -> int | None:
    """Where an interrogative wh-word opens this clause (after "and" or a preposition), if one does."""
    words = list(re.finditer(r"[A-Za-z'’/-]+", clause))
    skip = 1 if words and words[0].group().lower() in ("and", "or", "but") else 0
    opening = skip
    if len(words) > skip and words[skip].group().lower() in _PREPOSITIONS:
        skip += 1
    if len(words) <= skip or not WH_WORD.fullmatch(words[skip].group()):
        return None
    wh = words[skip].group().lower()
    following = words[skip + 1].group().lower() if len(words) > skip + 1 else ""
    if wh in _ASKS_ONLY_BEFORE_AUXILIARY and following not in _AUXILIARIES:
        return None
    return words[opening].start()


MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_YEAR = re.compile(rf"\b({'|'.join(MONTHS)})(?:\s+\d{{1,2}})?,?\s+((?:19|20)\d\d)\b", re.IGNORECASE)


def asked_months(question: str) -> set[str]:
    """The months ("2009-09") a question names."""
    return {f"{year}-{MONTHS.index(name.lower()) + 1:02d}" for name, year in _MONTH_YEAR.findall(question)}


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def asked_years(question: str) -> set[int]:
    """The years (1900-2099) a question names."""
    return {int(year) for year in _YEAR.findall(question)}


def find_terms(text: str, terms: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) for every word of `text` that matches one of `terms`."""
    stems = tuple((stem(term), term) for term in terms)
    if not stems:
        return []
    found = []
    for match in _candidate_words(stems).finditer(text):
        term = _matching_term(stem(match.group()), stems)
        if term is not None:
            found.append((match.start(), match.end(), term))
    return found


@lru_cache(maxsize=256)
def _candidate_words(stems: tuple[tuple[str, str], ...]) -> re.Pattern:
    """The words of WORD that can match a term: stemming only cuts a word's end, and
    `same_term` needs one stem to begin the other, so a match shares a term's first letters."""
    prefixes = sorted({re.escape(term_stem[:3]) for term_stem, _ in stems}, key=len, reverse=True)
    token_start = r"(?<![A-Za-z0-9])(?<![A-Za-z0-9][.,'’-])"  # where WORD would start a word
    return re.compile(rf"{token_start}(?=(?:{'|'.join(prefixes)}))" + WORD.pattern, re.IGNORECASE)


@lru_cache(maxsize=65536)
def _matching_term(word_stem: str, stems: tuple[tuple[str, str], ...]) -> str | None:
    return next((term for term_stem, term in stems if same_term(word_stem, term_stem)), None)


def fts_query(terms: list[str]) -> str:
    """An FTS5 MATCH expression: any of the terms, each as a quoted phrase."""
    phrases = ['"' + term.replace('"', "") + '"' for term in terms if term.strip('"')]
    return " OR ".join(phrases)
