"""The quotations and cable reference IDs in an article: what `cableqa check` looks up.

A quotation is text between double quotation marks of one of the styles news writing
uses ("straight", “curly”, « guillemets », „low-high“) or a Markdown block quote (`>`
lines), of at least MIN_WORDS words. Quotations are read paragraph by paragraph: a
quotation that runs over several paragraphs (each reopened with a mark, closed only at
the end, as news style has it) gives one quotation per paragraph, and a mark that no
mark closes and no next paragraph continues is not a quotation. Quotation marks nested
in a quotation belong to it.

Reading is linear in the article's length, whatever it holds (megabytes, unclosed marks,
control characters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cableqa.references import references_in_question

# The issue's rule: shorter quoted text is mostly scare quotes, names and titles ("the 'axis').
MIN_WORDS = 4
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
BLOCK_QUOTE_LINE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.M)
WORD = re.compile(r"\w+")
# Opening mark -> (the marks that close it, style). „ closes with “ (German) or ” (Polish and others).
OPENERS = {
    "“": ("”", "curly"),
    "„": ("“”", "low-high"),
    "«": ("»", "guillemets"),
    '"': ('"', "straight"),
}
MARKS = re.compile('["“”„«»]')
# A straight mark opens where a word could start after it and nothing of a word stands before it.
_OPENING_CONTEXT = re.compile(r"[\s(\[{—–-]")


@dataclass(frozen=True)
class Quote:
    """A quotation: its text as the article writes it (marks excluded) and where it is."""

    text: str
    start: int  # offsets in the article of what `text` was read from (for a block quote, its lines)
    end: int
    style: str  # "straight", "curly", "guillemets", "low-high" or "block"


def find_quotes(article: str) -> list[Quote]:
    """Every quotation of MIN_WORDS words or more, in the order they appear."""
    found = []
    for start, end in _paragraph_spans(article):
        segments = _segments(article, start, end)
        for number, (segment_start, segment_end, is_block) in enumerate(segments):
            if is_block:
                found.extend(_block_quote(article, segment_start, segment_end))
            else:
                last = number == len(segments) - 1
                continues = _next_opens_quote(article, end) if last else None
                found.extend(_inline_quotes(article, segment_start, segment_end, continues))
    return [quote for quote in found if len(WORD.findall(quote.text)) >= MIN_WORDS]


def cables_named(article: str) -> tuple[str, ...]:
    """The cable reference IDs the article names (`09PARIS410`, `STATE 123456`), in order, each once;
    one without its year (`STATE123456`) stands for that post and number in any year."""
    return references_in_question(article)


def _paragraph_spans(article: str) -> list[tuple[int, int]]:
    spans, position = [], 0
    for match in PARAGRAPH_BREAK.finditer(article):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(article)))
    return [(start, end) for start, end in spans if article[start:end].strip()]


def _next_opens_quote(article: str, paragraph_end: int) -> str | None:
    """The opening mark the next paragraph starts with, if any: a quotation left open continues there."""
    following = PARAGRAPH_BREAK.match(article, paragraph_end)
    if following is None or following.end() >= len(article):
        return None
    first = article[following.end()]
    return first if first in OPENERS else None


def _inline_quotes(article: str, start: int, end: int, continues: str | None) -> list[Quote]:
    quotes = []
    position = start
    while True:
        opening = MARKS.search(article, position, end)
        if opening is None:
            return quotes
        mark = opening.group()
        if mark not in OPENERS or (mark == '"' and not _opens(article, opening.start(), start)):
            position = opening.end()
            continue
        closers, style = OPENERS[mark]
        closing = _closing(article, opening.end(), end, closers, mark)
        if closing is None:
            if continues == mark:  # left open for the next paragraph, which reopens it
                quotes.append(_quote(article, opening.end(), end, style))
            return quotes
        quotes.append(_quote(article, opening.end(), closing, style))
        position = closing + 1


def _opens(article: str, at: int, paragraph_start: int) -> bool:
    before_ok = at == paragraph_start or _OPENING_CONTEXT.match(article, at - 1) is not None
    after = article[at + 1 : at + 2]
    return before_ok and bool(after) and not after.isspace()


def _closing(article: str, position: int, end: int, closers: str, opener: str) -> int | None:
    """Where the quotation opened just before `position` closes, within its paragraph."""
    if opener == '"':
        index = article.find('"', position, end)
        return None if index < 0 else index
    found = [index for index in (article.find(mark, position, end) for mark in closers) if index >= 0]
    return min(found) if found else None


def _quote(article: str, start: int, end: int, style: str) -> Quote:
    text = article[start:end]
    stripped = text.strip()
    offset = start + (len(text) - len(text.lstrip()))
    return Quote(stripped, offset, offset + len(stripped), style)


def _segments(article: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """A paragraph's runs of block-quote lines and of other lines: (start, end, is_block)."""
    segments: list[tuple[int, int, bool]] = []
    position = start
    while position < end:
        line_end = article.find("\n", position, end)
        line_end = end if line_end < 0 else line_end
        is_block = BLOCK_QUOTE_LINE.match(article, position, line_end) is not None
        if segments and segments[-1][2] == is_block:
            segments[-1] = (segments[-1][0], line_end, is_block)
        else:
            segments.append((position, line_end, is_block))
        position = line_end + 1
    return segments


def _block_quote(article: str, start: int, end: int) -> list[Quote]:
    """A Markdown block quote: each paragraph of it one quotation (its own marks, if it wraps itself
    in them, taken off)."""
    text = BLOCK_QUOTE_LINE.sub("", article[start:end])
    quotes = []
    for paragraph in re.split(r"\n\s*\n", text):
        body = paragraph.strip()
        if len(body) >= 2 and body[0] in OPENERS and body[-1] in OPENERS[body[0]][0]:
            body = body[1:-1].strip()
        if body:
            quotes.append(Quote(" ".join(body.split()), start, end, "block"))
    return quotes
