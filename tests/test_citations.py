"""A citation names the paragraphs its excerpt is in, not the whole section's (issue 20).

Checked on every real cable the tests ship: for every sentence that could be cited, the
paragraphs named are exactly those whose text, found by their marks in the cable's whole
body, the sentence touches.
"""

import re
from pathlib import Path

import pytest

import cableqa
from cableqa.excerpt import sentence_units
from cableqa.sections import TITLE_SEPARATOR, paragraphs_between
from cableqa.text import PARAGRAPH_MARK_RE

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = Path(__file__).resolve().parents[1] / "seeds"
REAL_CABLES = [FIXTURES / "cables", FIXTURES / "ranking-corpus", SEED]


def body_paragraphs(body: str) -> list[tuple[int, int, int]]:
    """(start, end, number) of each numbered paragraph in a whole body, from its mark to the next."""
    marks = []
    for block in re.finditer(r"(?:^|(?<=\n\n))[^\n]", body):
        match = PARAGRAPH_MARK_RE.match(body[block.start() : block.start() + 40])
        if match:
            marks.append((block.start(), int(match.group(1) or match.group(2))))
    ends = [start for start, _ in marks[1:]] + [len(body)]
    return [(start, end, number) for (start, number), end in zip(marks, ends[: len(marks)], strict=True)]


def expected_paragraphs(paragraphs, start: int, end: int) -> tuple[int, ...]:
    return tuple(dict.fromkeys(n for s, e, n in paragraphs if s < end and e > start))


def is_heading(text: str, title: str) -> bool:
    """A heading standing as a sentence is never cited (excerpt.cited_sentences)."""
    key = lambda value: " ".join(value.split()).strip(" .:-–—").casefold()  # noqa: E731
    return key(text) in {key(part) for part in title.split(TITLE_SEPARATOR)}


def heads_the_section(section, start: int) -> bool:
    """Text before the section's first paragraph mark, when the section opens with that paragraph:
    a heading over it (one split over two lines, say), which belongs to no paragraph."""
    marks = [(block.start(), PARAGRAPH_MARK_RE.match(section.text[block.start() : block.start() + 40]))
             for block in re.finditer(r"(?:^|(?<=\n\n))[^\n]", section.text)]  # fmt: skip
    first = next(((offset, mark) for offset, mark in marks if mark), None)
    if first is None or start >= first[0]:
        return False
    return section.paragraphs[0] == int(first[1].group(1) or first[1].group(2))


@pytest.fixture(scope="module")
def cables():
    return [cable for folder in REAL_CABLES for cable in cableqa.read(folder)]


def test_every_citable_sentence_is_cited_to_the_paragraphs_it_is_in(cables):
    checked = narrower = 0
    for cable in cables:
        paragraphs = body_paragraphs(cable.body)
        for section in cable.sections:
            for start, end in sentence_units(section.text):
                if is_heading(section.text[start:end], section.title):
                    continue
                cited = paragraphs_between(section, start, end)
                if heads_the_section(section, start):
                    assert cited == ()
                    continue
                assert cited == expected_paragraphs(paragraphs, section.start + start, section.start + end), (
                    cable.doc_id,
                    section.id,
                    section.text[start:end][:80],
                )
                checked += 1
                narrower += cited != section.paragraphs
    assert checked > 1000 and narrower > checked // 4  # most sections span several paragraphs


def test_an_excerpt_across_paragraphs_names_each(cables):
    (seed,) = [cable for cable in cables if cable.doc_id == "07PARIS4695"]
    opening = seed.sections[0]
    assert opening.paragraphs == (1, 2)
    second = opening.text.index("\n\n2.") if "\n\n2." in opening.text else None
    assert second is not None
    assert paragraphs_between(opening, 0, 10) == (1,)
    assert paragraphs_between(opening, second - 5, second + 10) == (1, 2)
    assert paragraphs_between(opening, second + 5, second + 10) == (2,)
