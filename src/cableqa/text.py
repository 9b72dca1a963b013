"""Cable prose as readers want it: hard-wrapped lines reflowed into paragraphs, and sentences.

Reflow changes only whitespace, never a word: a cable excerpt must stay the cable's
own text (a word hyphenated across a line break keeps its hyphen and gains a space).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CLASSIFICATION_MARK_RE = re.compile(r"\((?:TS|S|C|U|SBU|LOU)(?://?[A-Z]{1,5})*\)")
# "1. (C) ...", "¶3. ...", and the rarer "(C) 4. ..." with the marking first.
PARAGRAPH_MARK_RE = re.compile(
    rf"^\s*(?:{CLASSIFICATION_MARK_RE.pattern}\s*)?(?:¶\s*(\d{{1,3}})|(\d{{1,2}}))\s*\.(?=\s|\()"
)
RULE_RE = re.compile(r"^\s*(?:[-=_*]\s?){3,}\s*$")
BULLET_RE = re.compile(r"^\s*(?:--|[-*•])\s+\S")
WRAP_WIDTH = 90  # lines longer than this mean the text was not hard-wrapped
TERMINAL = tuple('.:;?!")’”')


@dataclass(frozen=True)
class Block:
    """One paragraph of the reflowed body (a heading is a paragraph too)."""

    text: str
    line_count: int  # source lines it was joined from
    ruled: bool = False  # set off by a line of dashes, as cables mark headings

    @property
    def number(self) -> int | None:
        """The cable's paragraph number (`1. (C) ...`, `¶3. ...`), if the block opens with one."""
        return paragraph_number(self.text)


def paragraph_number(text: str) -> int | None:
    """The paragraph number a paragraph of cable text opens with (`1. (C) ...`, `¶3. ...`), or None."""
    match = PARAGRAPH_MARK_RE.match(text)
    return int(match.group(1) or match.group(2)) if match else None


def is_hard_wrapped(lines: list[str]) -> bool:
    """True when the text was wrapped at a fixed width (telegrams wrap at ~70 columns)."""
    text_lines = [line for line in lines if line.strip()]
    too_long = sum(len(line.rstrip()) > WRAP_WIDTH for line in text_lines)
    return too_long <= len(text_lines) // 10


def reflow(lines: list[str]) -> list[Block]:
    """Join lines into paragraphs.

    Paragraphs end at blank lines, rules of dashes, numbered-paragraph marks and bullets.
    In text that was not hard-wrapped every line is a paragraph. Either way a line that
    plainly continues a sentence (it starts in lower case after no final punctuation)
    joins it, across a blank line too: that blank is a lost page break, not a paragraph's end.
    """
    wrapped = is_hard_wrapped(lines)
    blocks: list[Block] = []
    current: list[str] = []
    rule_above = False
    gap = False  # blank lines since the last text line

    def close(ruled: bool = False) -> None:
        nonlocal current, rule_above
        if current:
            text = " ".join(" ".join(current).split())
            blocks.append(Block(text, len(current), ruled or rule_above))
            rule_above = False
        current = []

    for line in lines:
        if not line.strip():
            gap = True
            continue
        if gap and not (current and _continues(current[-1], line)):
            close()
        gap = False
        if RULE_RE.match(line):
            if current:
                close(ruled=True)
            elif blocks and not blocks[-1].ruled and blocks[-1].line_count <= 3 and not rule_above:
                blocks[-1] = Block(blocks[-1].text, blocks[-1].line_count, True)
            else:
                rule_above = True
        elif PARAGRAPH_MARK_RE.match(line) or BULLET_RE.match(line):
            close()
            current.append(line)
        elif current and not wrapped and not _continues(current[-1], line):
            close()
            current.append(line)
        else:
            current.append(line)
    close()
    return blocks


def _continues(previous: str, line: str) -> bool:
    stripped = line.lstrip()
    return bool(stripped) and stripped[0].islower() and not previous.rstrip().endswith(TERMINAL)


# --- sentences ------------------------------------------------------------------------

ABBREVIATIONS = frozenset(
    """mr mrs ms dr st gen col lt maj sgt capt cpt adm amb ambs sen rep reps gov pres prof rev hon jr sr
    no nos vol vols approx est ca e.g i.e vs cf fig para paras ref reftel jan feb mar apr jun jul aug sep
    sept oct nov dec inc corp co ltd dept govt min mil pol econ mgr asst dep sec secy cmdr cdr brig
    a.m p.m u.s u.k u.n e.u d.c u.s.a u.a.e p.r.c r.o.c al op art arts sq ft km kg lb mt bn mn""".split()
)
SENTENCE_STARTERS = frozenset(
    """the a an he she it they we i this that these those there in on at for but however and
    his her their our its if when while after before as although since so then also according""".split()
)
# A candidate end: a run of .!? (tried from its first mark only, so a long run costs its
# length once), closing quotes or brackets, then a capital, digit or opening mark; or a blank line.
BOUNDARY_RE = re.compile(r"(?<![.!?])[.!?]+[\"')\]’”]*(?=\s+[\"'(\[“‘A-Z0-9¶-]|\s*$)|\n\s*\n")
CLOSERS = "\"')]’”"
OPENERS = "\"'(“‘["
# What may come before a sentence's first word: blanks, ¶ and classification marks ("(C) ¶ 1. ...").
SENTENCE_OPENING_RE = re.compile(rf"(?:\s|¶|{CLASSIFICATION_MARK_RE.pattern})*")
WORD_RE = re.compile(r"\S+")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans `(start, end)` as character offsets into `text`, whitespace trimmed.

    Tuned for cable prose: abbreviations (U.S., approx., Mr., No.), initials,
    decimals (1.2 million), paragraph marks (`1. (C)`) and blank-line paragraph
    breaks, which always end a sentence. Linear in the text: each candidate end looks
    only at the word before it and the word after it.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    opening_end = SENTENCE_OPENING_RE.match(text).end()
    for match in BOUNDARY_RE.finditer(text):
        end = match.end()
        if not match.group().startswith("\n") and not _is_sentence_end(text, start, opening_end, match):
            continue
        _add_span(spans, text, start, end)
        start = end
        opening_end = SENTENCE_OPENING_RE.match(text, start).end()
    _add_span(spans, text, start, len(text))
    return spans


def _add_span(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    if right > left:
        spans.append((start + left, start + right))


def _is_sentence_end(text: str, sentence_start: int, opening_end: int, match: re.Match) -> bool:
    """Whether a candidate end ends the sentence begun at `sentence_start` (whose first
    word begins at `opening_end`, after any paragraph or classification marks)."""
    if match.group()[0] in "!?":
        return True
    word_start = match.end()  # the word the mark ends: back to the last blank, not before the sentence
    while word_start > sentence_start and not text[word_start - 1].isspace():
        word_start -= 1
    marks_start = match.end()
    while marks_start > word_start and text[marks_start - 1] in CLOSERS:
        marks_start -= 1
    while marks_start > word_start and text[marks_start - 1] in ".!?":
        marks_start -= 1
    if marks_start == word_start:  # the word is all marks: its first one counts as the word
        if match.end() - word_start < 2 or text[word_start + 1] not in ".!?":
            return True
        marks_start = word_start + 1
    token = text[word_start:marks_start].lstrip(OPENERS)
    following = WORD_RE.search(text, match.end())
    next_word = following.group().strip(OPENERS) if following else ""
    opens_sentence = word_start <= opening_end
    if opens_sentence and (token.isdigit() and len(token) <= 3 or re.fullmatch(r"[IVX]{1,5}", token)):
        return False  # a paragraph mark or heading number opening the sentence: "1. (C) ...", "II. Status"
    if len(token) == 1 and token.isalpha() and token.isupper():
        return False  # an initial: "John F. Kennedy", or a list mark "A."
    lowered = token.lower()
    if lowered in ABBREVIATIONS:
        return "." in lowered and next_word.lower() in SENTENCE_STARTERS  # "... the U.S. The ..."
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", token):
        return next_word.lower() in SENTENCE_STARTERS
    return True
