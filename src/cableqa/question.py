"""A question, read once: its words and their roles, what it asks, and when.

Every later stage (retrieval, excerpt features, confidence) takes this one frozen object,
so the question is parsed once per `ask`, and what the ranking knows of it can be printed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from cableqa.header import reference_id
from cableqa.references import references_in_question
from cableqa.terms import WH_WORD, asked_months, asked_years, focus_clause, named_terms, query_terms

# A term's role: what is asked (the focus clause), the setting around it, or a name.
# Names are kept apart from the focus: inside a cable they point at the sentence that
# introduces a meeting more than at the one that answers (terms.named_terms).
ROLES = ("focus", "context", "name")
# How it is asked: a search-box query ("Dunkerque heroin seizure": no question word or mark,
# a few words) or a written question. The ranking reads it: a terse query has no focus clause.
STYLES = ("terse", "full")
TERSE_MAX_WORDS = 8  # the terse style's bound in eval/README.md


@dataclass(frozen=True)
class Question:
    text: str
    focus: str  # the clause that says what is asked (terms.focus_clause)
    terms: tuple[str, ...]  # content words, in order, without repeats
    roles: tuple[str, ...]  # one of ROLES per term
    idf: tuple[float, ...]  # one inverse section frequency per term (BM25's idf)
    unseen: tuple[bool, ...]  # per term: no indexed section holds it
    months: frozenset[str]  # the months it names, "2009-09"
    reference: str | None  # the cable reference ID the question is, and nothing else ("07PARIS4695")
    cited: tuple[str, ...]  # the cable IDs it names ("STATE 123456" -> "STATE123456"; references_in_question)
    style: str  # one of STYLES
    after_index: bool = False  # it names a year after the newest indexed cable's: what no cable can tell

    @property
    def unseen_share(self) -> float:
        """The idf-weighted share of the question's words that no indexed section holds:
        a question about what the cables never mention ("the 2014 World Cup") is unanswered."""
        total = sum(self.idf)
        return sum(w for w, u in zip(self.idf, self.unseen, strict=True) if u) / total if total else 0.0


def parse_question(
    text: str, frequencies: Callable[[list[str]], dict[str, int]], sections: int, newest_year: int | None = None
) -> Question:
    """Read a question; `frequencies(terms)` says how many of the index's `sections` hold each term,
    `newest_year` is the year of the newest indexed cable."""
    text = text.strip()
    terms = query_terms(text)
    focus = focus_clause(text)
    in_focus = set(query_terms(focus))
    names = named_terms(text)
    roles = tuple("name" if t in names else "focus" if t in in_focus else "context" for t in terms)
    counts = frequencies(terms)
    return Question(
        text=text,
        focus=focus,
        terms=tuple(terms),
        roles=roles,
        idf=tuple(idf(counts[t], sections) for t in terms),
        unseen=tuple(counts[t] == 0 for t in terms),
        months=frozenset(asked_months(text)),
        reference=reference_id(text),
        cited=references_in_question(text),
        style=question_style(text),
        after_index=newest_year is not None and any(year > newest_year for year in asked_years(text)),
    )


def question_style(text: str) -> str:
    """ "terse" for a search-box query (no question word or mark, at most TERSE_MAX_WORDS words), else "full"."""
    asks = "?" in text or WH_WORD.match(text.strip()) is not None
    return "full" if asks or len(text.split()) > TERSE_MAX_WORDS else "terse"


def idf(frequency: int, total: int) -> float:
    """BM25's inverse document frequency: rare words weigh more."""
    total = max(total, 1)
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))
