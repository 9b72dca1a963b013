"""Question-set metrics: hit@k, excerpt@1, MRR, abstention and confidently wrong.

A question set is JSON lines `{"id", "question", "answers": [spans], "doc_id"?}`.
A result answers a question when one span, whitespace collapsed and case ignored,
lies inside it (and it comes from `doc_id`, when given). Questions whose `answers`
is empty should be answered "not confident".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from cableqa.errors import CableQAError
from cableqa.types import Answer, Hit

CUTOFFS = (1, 3, 5)


@dataclass
class Report:
    name: str
    answerable: int = 0
    unanswerable: int = 0
    hits_at: dict[int, int] = field(default_factory=lambda: dict.fromkeys(CUTOFFS, 0))
    excerpt_at_1: int = 0
    reciprocal_ranks: float = 0.0
    abstained: int = 0  # unanswerable questions answered "not confident"
    doubted: int = 0  # answerable questions wrongly answered "not confident"
    confident: int = 0  # answers shown as confident, unanswerable questions included
    confidently_wrong: int = 0  # of those, the ones whose top excerpt holds no answer
    answerable_confident: int = 0  # answerable questions whose answer was shown as confident and is right
    unanswerable_not_found: int = 0  # unanswerable questions answered "Not in these cables"
    answerable_not_found: int = 0  # answerable questions answered "Not in these cables"
    misses: list[str] = field(default_factory=list)  # ids of answerable questions with no hit in the top k

    def metrics(self) -> dict[str, float | int | None]:
        share = lambda count, total: round(count / total, 3) if total else None  # noqa: E731
        return {
            "questions": self.answerable + self.unanswerable,
            **{f"hit@{k}": share(self.hits_at[k], self.answerable) for k in CUTOFFS},
            "excerpt@1": share(self.excerpt_at_1, self.answerable),
            "mrr": share(self.reciprocal_ranks, self.answerable),
            "abstention": share(self.abstained, self.unanswerable),
            "wrongly_not_confident": share(self.doubted, self.answerable),
            "confidently_wrong": share(self.confidently_wrong, self.confident),
            "answerable_confident": share(self.answerable_confident, self.answerable),
            "unanswerable_not_found": share(self.unanswerable_not_found, self.unanswerable),
            "answerable_not_found": share(self.answerable_not_found, self.answerable),
        }


def read_questions(path: str | Path) -> list[dict]:
    questions = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CableQAError(f"cannot read question set {path}: {error}") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item.get("question"), str) or not isinstance(item.get("answers"), list):
                raise ValueError("needs a 'question' string and an 'answers' list")
        except (ValueError, AttributeError) as error:
            raise CableQAError(f"{path}:{number}: not a question ({error})") from None
        questions.append(item)
    return questions


def evaluate(ask, questions: list[dict], name: str = "", k: int = 5) -> Report:
    """Score `ask(question) -> Answer` on a question set."""
    report = Report(name=name)
    for item in questions:
        answer: Answer = ask(item["question"], k=max(k, max(CUTOFFS)))
        right = bool(item["answers"]) and bool(answer.hits) and answers(answer.hits[0].excerpt, answer.hits[0], item)
        report.confident += answer.confident
        report.confidently_wrong += answer.confident and not right
        not_found = answer.verdict == "not_found"
        if not item["answers"]:
            report.unanswerable += 1
            report.abstained += not answer.confident
            report.unanswerable_not_found += not_found
            continue
        report.answerable += 1
        report.doubted += not answer.confident
        report.answerable_confident += answer.confident and right
        report.answerable_not_found += not_found
        rank = first_answering_rank(answer.hits, item)
        if rank is None:
            report.misses.append(str(item.get("id", item["question"])))
            continue
        report.reciprocal_ranks += 1 / rank
        for cutoff in CUTOFFS:
            report.hits_at[cutoff] += rank <= cutoff
        report.excerpt_at_1 += right
    return report


def by_style(questions: list[dict]) -> dict[str, list[dict]]:
    """A question set split by its questions' `style` ("full", "terse", ...; "" where none is given)."""
    styles: dict[str, list[dict]] = {}
    for item in questions:
        styles.setdefault(str(item.get("style", "")), []).append(item)
    return styles


def first_answering_rank(hits: tuple[Hit, ...], item: dict) -> int | None:
    return next((hit.rank for hit in hits if answers(hit.text, hit, item)), None)


def answers(passage: str, hit: Hit, item: dict) -> bool:
    if item.get("doc_id") and hit.doc_id != item["doc_id"]:
        return False
    haystack = _normalise(passage)
    return any(_normalise(span) in haystack for span in item["answers"])


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()
