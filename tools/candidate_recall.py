"""How often the right section is among a question's candidates, per style (issue 20 item 3).

    python tools/candidate_recall.py --index CORPUS-INDEX eval/train/*.jsonl [--feedback]

A section is right when it is of the question's cable and holds one of its answer spans. For
each answerable question it counts whether a right section is among the CANDIDATES sections
retrieval returns (`search.retrieve`), and among all the sections the ranking reads (those and
the sections of the cables they favour, `search.with_favoured_cables`). The ranking can only
find an answer the candidates hold, so this is the ceiling of excerpt@1 for each style.

--feedback also measures pseudo-relevance feedback on the keyword side (RM3, Lavrenko and
Croft 2001; Abdul-Jaleel et al. 2004): the words that weigh most in the first retrieved
sections, each weighted by its share of a section times the section's fused weight times
the word's idf, are added to the keyword query, and that ranking joins the fusion.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter, defaultdict

from fit_weights import normalise  # a sibling in tools/: answer spans are matched as the fit matches them

import cableqa
from cableqa.assistant import CANDIDATES
from cableqa.evaluate import read_questions
from cableqa.filters import Filters
from cableqa.search import KEYWORD_SECTIONS, RRF_K, Candidate, retrieve, with_favoured_cables
from cableqa.terms import fts_query, query_terms, stem

FEEDBACK_SECTIONS = 5  # sections read for feedback words (RM3's usual 5-10 documents)
FEEDBACK_WORDS = 10  # words added to the query (RM3's usual 10-20)
MIN_FEEDBACK_DF = 2  # a word in one section only is a name of that section, not of the topic
# Each list of retrieved sections, and its name once the sections of its favoured cables join it.
WITH_FAVOURED = {"retrieved": "with favoured cables", "feedback": "feedback + favoured"}


def feedback_words(qa, candidates: list[Candidate], terms: list[str]) -> list[str]:
    """The FEEDBACK_WORDS words RM3 weighs most in the first FEEDBACK_SECTIONS candidates."""
    top = candidates[:FEEDBACK_SECTIONS]
    sections = qa.index.store.sections(candidate.rowid for candidate in top)
    weight: Counter = Counter()
    asked = {stem(term) for term in terms}
    for rank, candidate in enumerate(top, start=1):
        words = [word for word in query_terms_all(sections[candidate.rowid].section.text) if stem(word) not in asked]
        counts = Counter(words)
        for word, count in counts.items():
            weight[word] += count / max(len(words), 1) / (RRF_K + rank)
    pool = [word for word, _ in weight.most_common(FEEDBACK_WORDS * 4) if not word.isdigit()]
    total = qa.index.state.counts.get("sections", 1)
    frequency = qa.index.store.section_frequencies(pool)
    scored = {
        word: weight[word] * math.log(total / frequency[word])
        for word in pool
        if frequency.get(word, 0) >= MIN_FEEDBACK_DF
    }
    return sorted(scored, key=scored.__getitem__, reverse=True)[:FEEDBACK_WORDS]


def query_terms_all(text: str) -> list[str]:
    """The content words of a text, each counted once per sentence (query_terms drops repeats)."""
    return [word for sentence in re.split(r"(?<=[.!?])\s+", text) for word in query_terms(sentence)]


def with_feedback(qa, candidates: list[Candidate], terms: list[str]) -> list[Candidate]:
    """The candidates fused again with a third ranking: the keyword query with feedback words."""
    expanded = terms + feedback_words(qa, candidates, terms)
    ranked = qa.index.store.keyword_search(fts_query(expanded), KEYWORD_SECTIONS, None)
    fused: dict[int, float] = {}
    for rank, candidate in enumerate(candidates, start=1):
        fused[candidate.rowid] = 1 / (RRF_K + rank)  # the first fusion's order stands for its two rankings
    for rank, rowid in enumerate(ranked, start=1):
        fused[rowid] = fused.get(rowid, 0.0) + 0.5 / (RRF_K + rank)
    known = {candidate.rowid: candidate for candidate in candidates}
    best = sorted(fused, key=lambda rowid: (-fused[rowid], rowid))[: len(candidates)]
    return [known.get(rowid, Candidate(rowid, None, None, None)) for rowid in best]


def right_sections(qa, item: dict, rowids: list[int]) -> set[int]:
    spans = [normalise(span) for span in item["answers"]]
    sections = qa.index.store.sections(rowids)
    return {
        rowid
        for rowid, stored in sections.items()
        if stored.doc_id == item["doc_id"] and any(span in normalise(stored.section.text) for span in spans)
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--feedback", action="store_true", help="also measure RM3 feedback on the keyword side")
    parser.add_argument("questions", nargs="+")
    args = parser.parse_args()
    qa = cableqa.load(args.index, build_missing=False)
    variants = [name for pair in WITH_FAVOURED.items() for name in pair][: 4 if args.feedback else 2]
    found: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    items = [item for path in args.questions for item in read_questions(path) if item["answers"] and item.get("doc_id")]
    for number, item in enumerate(items, start=1):
        question = qa.parse(item["question"])
        vector = qa.encoder.encode([question.text])[0]
        terms = qa._keyword_terms(question)
        candidates = retrieve(qa.index, vector, terms, CANDIDATES, Filters())
        lists = {"retrieved": candidates}
        if args.feedback:
            lists["feedback"] = with_feedback(qa, candidates, terms)
        for name, retrieved in list(lists.items()):
            doc_of = {rowid: s.doc_id for rowid, s in qa.index.store.sections(c.rowid for c in retrieved).items()}
            lists[WITH_FAVOURED[name]] = with_favoured_cables(qa.index, retrieved, doc_of)
        style = item.get("style", "full")
        for name in variants:
            rowids = [candidate.rowid for candidate in lists[name]]
            found[style][name].append(bool(right_sections(qa, item, rowids)))
        if number % 200 == 0:
            print(f"{number}/{len(items)} questions", file=sys.stderr)
    print("| style | questions | " + " | ".join(variants) + " |")
    print("|---|---|" + "---|" * len(variants))
    for style in sorted(found) + ["all"]:
        rows = found[style] if style != "all" else {n: [x for s in found.values() for x in s[n]] for n in variants}
        count = len(rows[variants[0]])
        print(f"| {style} | {count} | " + " | ".join(f"{sum(rows[n]) / count:.3f}" for n in variants) + " |")


if __name__ == "__main__":
    main()
