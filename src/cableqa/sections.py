"""Cut a cable's reflowed body into sections along the cable's own structure.

Structure a cable shows: Roman-numeral headings ("II. Status of Country"), headings
set off by dashes or written in capitals in a mixed-case cable, short title lines
before a numbered paragraph, and run-in heads that open a paragraph ("Law
Enforcement Efforts. In 2007, ..."; "Summary: ... End summary."). Paragraphs under
the same title path form a section; a long run of them is split at paragraph
boundaries, so a cable with no structure falls back to groups of paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cableqa.text import BULLET_RE, Block
from cableqa.types import Section

TITLE_SEPARATOR = " › "
MAX_WORDS = 350  # a section longer than this is split at paragraph boundaries...
MIN_WORDS = 60  # ...into parts no shorter than this (a shorter tail joins the part before)

ROMAN_HEADING_RE = re.compile(r"^(?=[IVX])[IVX]{1,5}\.\s+\S")
PARAGRAPH_PREFIX_RE = re.compile(r"^\s*(?:(?:¶\s*\d{1,3}|\d{1,2})\s*\.\s*)?(?:\([A-Z/]{1,9}\)\s*)?")
KNOWN_RUN_IN_RE = re.compile(
    r"^(?:BEGIN\s+)?(SUMMARY(?:\s+AND\s+(?:COMMENT|INTRODUCTION|ACTION\s+REQUEST))?|COMMENT|BACKGROUND"
    r"|INTRODUCTION|ACTION\s+REQUEST|CONCLUSION)\s*(?::|\.|--?)\s*",
    re.I,
)
GENERIC_RUN_IN_RE = re.compile(
    r"^([A-Z][\w'’&/-]*(?:\s+(?:[A-Z][\w'’&/-]*|of|and|the|in|on|for|to|a|an|with|&|--)){0,6})([.:])\s+(?=[\"“(A-Z0-9$])"
)
STICKY_HEADS = ("Summary", "Comment")  # these run until "End summary" / "End comment"
END_OF_HEAD_RE = re.compile(r"\bEND\s+(SUMMARY|COMMENT)\b", re.I)
NOT_HEADS = frozenset("mr mrs ms dr st gen col lt amb no jan feb mar apr jun jul aug sep sept oct nov dec".split())


@dataclass
class _Part:
    """A run of blocks that will become one section."""

    title: str
    blocks: list[int]  # indexes into the cable's blocks
    heading_only: bool
    words: int


def cut_sections(doc_id: str, blocks: list[Block]) -> tuple[str, tuple[Section, ...]]:
    """Join `blocks` into the clean body and cut it into sections; returns `(body, sections)`."""
    offsets = []
    position = 0
    for block in blocks:
        offsets.append(position)
        position += len(block.text) + 2
    body = "\n\n".join(block.text for block in blocks)

    titles, is_heading = _title_paths(blocks)
    parts = _split_long(_merge_headings(_group(blocks, titles, is_heading)), blocks)
    numbers = _paragraph_numbers(blocks, is_heading)

    sections = []
    for n, part in enumerate(parts, start=1):
        first, last = part.blocks[0], part.blocks[-1]
        start, end = offsets[first], offsets[last] + len(blocks[last].text)
        paragraphs = tuple(dict.fromkeys(numbers[i] for i in part.blocks if numbers[i] is not None))
        sections.append(Section(f"{doc_id}:{n}", part.title, paragraphs, start, end, body[start:end]))
    return body, tuple(sections)


def _title_paths(blocks: list[Block]) -> tuple[list[str], list[bool]]:
    """The title path each block falls under, and which blocks are headings."""
    mixed_case = _is_mixed_case(blocks)
    end_marks = [bool(END_OF_HEAD_RE.search(block.text)) for block in blocks]
    roman = heading = run_in = ""
    run_in_sticky = False
    titles, is_heading = [], []
    for i, block in enumerate(blocks):
        next_block = blocks[i + 1] if i + 1 < len(blocks) else None
        level = _heading_level(block, next_block, mixed_case)
        if level == 1:
            roman, heading, run_in = block.text, "", ""
        elif level == 2:
            heading, run_in = block.text, ""
        else:
            head = _run_in_head(block.text, mixed_case)
            if head:
                run_in = head
                run_in_sticky = head in STICKY_HEADS and any(end_marks[i:])
            elif block.number is not None and not run_in_sticky:
                run_in = ""
        titles.append(TITLE_SEPARATOR.join(part for part in (roman, heading, run_in) if part))
        is_heading.append(level is not None)
        if run_in_sticky and end_marks[i]:
            run_in, run_in_sticky = "", False
    return titles, is_heading


def _is_mixed_case(blocks: list[Block]) -> bool:
    letters = [c for block in blocks for c in block.text if c.isalpha()]
    return sum(c.islower() for c in letters) > len(letters) // 4


def _heading_level(block: Block, next_block: Block | None, mixed_case: bool) -> int | None:
    """1 for a Roman-numeral heading, 2 for any other heading, None for a paragraph."""
    text = block.text
    words = text.split()
    if block.number is not None or BULLET_RE.match(text) or len(words) > 14 or len(text) > 110:
        return None
    if ROMAN_HEADING_RE.match(text):
        return 1
    if text.endswith((".", ",", ";", ":")) or sum(c.isalpha() for c in text) < 3:
        return None
    if block.ruled:
        return 2
    if mixed_case and text.isupper() and len(words) >= 2:
        return 2
    opens_numbered = next_block is not None and next_block.number is not None
    if mixed_case and text[0].isupper() and opens_numbered and block.line_count <= 2 and len(words) <= 10:
        return 2
    return None


def _run_in_head(text: str, mixed_case: bool) -> str:
    """The run-in head opening a paragraph ("Corruption. As a matter..." -> "Corruption"), or ""."""
    rest = text[PARAGRAPH_PREFIX_RE.match(text).end() :]
    known = KNOWN_RUN_IN_RE.match(rest)
    if known:
        return " ".join(known.group(1).split()).capitalize()
    if not mixed_case:
        return ""
    generic = GENERIC_RUN_IN_RE.match(rest)
    if not generic:
        return ""
    head = generic.group(1)
    last_word = head.split()[-1].lower().strip("'’")
    if last_word in NOT_HEADS or len(last_word) < 2 or head.isupper() and len(head) <= 4:
        return ""
    return head


def _group(blocks: list[Block], titles: list[str], is_heading: list[bool]) -> list[_Part]:
    parts: list[_Part] = []
    for i, block in enumerate(blocks):
        words = len(block.text.split())
        if parts and parts[-1].title == titles[i] and not (is_heading[i] and not parts[-1].heading_only):
            part = parts[-1]
            part.blocks.append(i)
            part.heading_only = part.heading_only and is_heading[i]
            part.words += words
        else:
            parts.append(_Part(titles[i], [i], is_heading[i], words))
    return parts


def _merge_headings(parts: list[_Part]) -> list[_Part]:
    """A heading with no text of its own opens the section that follows it."""
    merged: list[_Part] = []
    pending: _Part | None = None
    for part in parts:
        if pending:
            part = _Part(part.title, pending.blocks + part.blocks, part.heading_only, pending.words + part.words)
            pending = None
        if part.heading_only:
            pending = part
        else:
            merged.append(part)
    if pending:
        if merged:
            last = merged[-1]
            merged[-1] = _Part(last.title, last.blocks + pending.blocks, False, last.words + pending.words)
        else:
            merged.append(pending)
    return merged


def _split_long(parts: list[_Part], blocks: list[Block]) -> list[_Part]:
    """Split parts over MAX_WORDS at paragraph boundaries; a short tail joins the piece before."""
    result: list[_Part] = []
    for part in parts:
        if part.words <= MAX_WORDS:
            result.append(part)
            continue
        pieces: list[_Part] = []
        for i in part.blocks:
            words = len(blocks[i].text.split())
            if pieces and (pieces[-1].words + words <= MAX_WORDS or pieces[-1].words < MIN_WORDS):
                pieces[-1].blocks.append(i)
                pieces[-1].words += words
            else:
                pieces.append(_Part(part.title, [i], False, words))
        if len(pieces) > 1 and pieces[-1].words < MIN_WORDS:
            tail = pieces.pop()
            pieces[-1].blocks += tail.blocks
            pieces[-1].words += tail.words
        result.extend(pieces)
    return result


def _paragraph_numbers(blocks: list[Block], is_heading: list[bool]) -> list[int | None]:
    """Each block's paragraph number; unnumbered text continues the numbered paragraph before it."""
    numbers: list[int | None] = []
    current = None
    for block, heading in zip(blocks, is_heading):
        if block.number is not None:
            current = block.number
        numbers.append(None if heading else current)
    return numbers
