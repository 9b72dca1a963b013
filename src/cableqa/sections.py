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

from cableqa.text import ABBREVIATIONS, BULLET_RE, Block, paragraph_number, split_sentences
from cableqa.types import Section

TITLE_SEPARATOR = " › "
BLOCK_SEPARATOR = "\n\n"  # between the paragraphs (blocks) of a clean body
MAX_SECTION_WORDS = 350  # a section longer than this is split at paragraph boundaries...
MIN_WORDS = 60  # ...into parts no shorter than this (a shorter tail joins the part before)
TINY_WORDS = 20  # a section shorter than this joins a neighbour, whatever its title

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


@dataclass(frozen=True)
class _Unit:
    """The smallest piece a section is made of: a paragraph, or a run of sentences of a huge one."""

    block: int  # index into the cable's blocks
    start: int  # offsets into the body
    end: int
    words: int


@dataclass
class _Part:
    """A run of units that will become one section."""

    title: str
    units: list[_Unit]
    heading_only: bool

    @property
    def words(self) -> int:
        return sum(unit.words for unit in self.units)


def cut_sections(doc_id: str, blocks: list[Block]) -> tuple[str, tuple[Section, ...]]:
    """Join `blocks` into the clean body and cut it into sections; returns `(body, sections)`."""
    body = BLOCK_SEPARATOR.join(block.text for block in blocks)
    titles, is_heading = _title_paths(blocks)
    parts = _group(_units(blocks), titles, is_heading)
    parts = _merge_tiny(_split_long(_merge_headings(parts)))
    numbers = _paragraph_numbers(blocks, is_heading)

    sections = []
    for n, part in enumerate(parts, start=1):
        start, end = part.units[0].start, part.units[-1].end
        paragraphs = tuple(dict.fromkeys(numbers[u.block] for u in part.units if numbers[u.block] is not None))
        sections.append(Section(f"{doc_id}:{n}", part.title, paragraphs, start, end, body[start:end]))
    return body, tuple(sections)


def _units(blocks: list[Block]) -> list[_Unit]:
    """One unit per paragraph; a paragraph longer than MAX_SECTION_WORDS is cut between sentences."""
    units = []
    position = 0
    for i, block in enumerate(blocks):
        words = len(block.text.split())
        if words <= MAX_SECTION_WORDS:
            units.append(_Unit(i, position, position + len(block.text), words))
        else:
            units.extend(_sentence_runs(i, block.text, position))
        position += len(block.text) + len(BLOCK_SEPARATOR)
    return units


def _sentence_runs(block: int, text: str, offset: int) -> list[_Unit]:
    runs: list[_Unit] = []
    run_start = run_end = run_words = 0
    for start, end in split_sentences(text):
        words = len(text[start:end].split())
        if run_words and run_words + words > MAX_SECTION_WORDS:
            runs.append(_Unit(block, offset + run_start, offset + run_end, run_words))
            run_start, run_words = start, 0
        run_end, run_words = end, run_words + words
    runs.append(_Unit(block, offset + run_start, offset + run_end, run_words))
    return runs


def _title_paths(blocks: list[Block]) -> tuple[list[str], list[bool]]:
    """The title path each block falls under, and which blocks are headings."""
    mixed_case = _is_mixed_case(blocks)
    end_marks = [bool(END_OF_HEAD_RE.search(block.text)) for block in blocks]
    roman = heading = run_in = ""
    run_in_sticky = False
    keep_through_number = False  # a run-in set by a heading covers the numbered paragraph below it
    titles, is_heading = [], []
    for i, block in enumerate(blocks):
        next_block = blocks[i + 1] if i + 1 < len(blocks) else None
        level = _heading_level(block, next_block, mixed_case)
        if level == 1:
            roman, heading, run_in = _heading_title(block.text), "", ""
        elif level == 2 and _heading_title(block.text).capitalize() in STICKY_HEADS:
            # A "SUMMARY" heading heads the summary only, like the run-in "Summary:".
            heading, run_in = "", _heading_title(block.text).capitalize()
            run_in_sticky = any(end_marks[i:])
            keep_through_number = True
        elif level == 2:
            heading, run_in = _heading_title(block.text), ""
        else:
            head = _run_in_head(block.text, mixed_case)
            if head and head.lower() == heading.lower():
                head = ""  # "COMMENT" over "14. (C) COMMENT: ..." is one title
            if head:
                run_in = head
                # "Comment:" alone over numbered paragraphs heads them all, like a heading.
                heads_what_follows = len(block.text.split()) <= 12 and next_block and next_block.number is not None
                run_in_sticky = bool(heads_what_follows) or head in STICKY_HEADS and any(end_marks[i:])
            elif block.number is not None and not run_in_sticky and not keep_through_number:
                run_in = ""
            keep_through_number = False
        titles.append(TITLE_SEPARATOR.join(part for part in (roman, heading, run_in) if part))
        is_heading.append(level is not None)
        if run_in_sticky and end_marks[i]:
            run_in, run_in_sticky = "", False
    return titles, is_heading


def _is_mixed_case(blocks: list[Block]) -> bool:
    letters = "".join(filter(str.isalpha, "".join(block.text for block in blocks)))  # C loops: read time is O(text)
    return sum(map(str.islower, letters)) > len(letters) // 4


def _heading_level(block: Block, next_block: Block | None, mixed_case: bool) -> int | None:
    """1 for a Roman-numeral heading, 2 for any other heading, None for a paragraph."""
    text = block.text
    words = text.split()
    if block.number is not None or BULLET_RE.match(text) or len(words) > 14 or len(text) > 110:
        return None
    if ROMAN_HEADING_RE.match(text):
        return 1
    if sum(c.isalpha() for c in text) < 3:
        return None
    if block.ruled:
        return 2  # before the final-punctuation test: "Iranian Nuclear Ambitions:" over dashes
    if text.endswith((".", ",", ";", ":")):
        return None
    if mixed_case and text.isupper() and len(words) >= 2:
        return 2
    opens_numbered = next_block is not None and next_block.number is not None
    if mixed_case and text.lstrip("/")[:1].isupper() and opens_numbered and block.line_count <= 2 and len(words) <= 10:
        return 2
    return None


def _heading_title(text: str) -> str:
    """A heading as a title: without a classification mark or a final colon."""
    return re.sub(r"^\([A-Z/]{1,9}\)\s*", "", text).strip(" :-/") or text


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
    if last_word in ABBREVIATIONS or len(last_word) < 2 or head.isupper() and len(head) <= 4:
        return ""
    return head


def _group(units: list[_Unit], titles: list[str], is_heading: list[bool]) -> list[_Part]:
    """Consecutive units under one title path; a heading after text opens a new part."""
    parts: list[_Part] = []
    for unit in units:
        title, heading = titles[unit.block], is_heading[unit.block]
        if parts and parts[-1].title == title and not (heading and not parts[-1].heading_only):
            parts[-1].units.append(unit)
            parts[-1].heading_only = parts[-1].heading_only and heading
        else:
            parts.append(_Part(title, [unit], heading))
    return parts


def _merge_headings(parts: list[_Part]) -> list[_Part]:
    """A heading with no text of its own opens the section that follows it."""
    merged: list[_Part] = []
    pending: list[_Unit] = []
    for part in parts:
        if part.heading_only:
            pending += part.units
        else:
            merged.append(_Part(part.title, pending + part.units, False))
            pending = []
    if pending and merged:
        merged[-1].units += pending
    elif pending:
        merged.append(_Part(parts[-1].title, pending, True))
    return merged


def _split_long(parts: list[_Part]) -> list[_Part]:
    """Split parts over MAX_SECTION_WORDS between units; a short tail joins the piece before."""
    result: list[_Part] = []
    for part in parts:
        if part.words <= MAX_SECTION_WORDS:
            result.append(part)
            continue
        pieces: list[_Part] = []
        for unit in part.units:
            if pieces and (pieces[-1].words + unit.words <= MAX_SECTION_WORDS or pieces[-1].words < MIN_WORDS):
                pieces[-1].units.append(unit)
            else:
                pieces.append(_Part(part.title, [unit], False))
        if len(pieces) > 1 and pieces[-1].words < MIN_WORDS:
            pieces[-2].units += pieces.pop().units
        result.extend(pieces)
    return result


def _merge_tiny(parts: list[_Part]) -> list[_Part]:
    """A part under TINY_WORDS (a signature, a one-line preamble) joins its neighbour.

    It joins the part before it, or the part after it when it comes first; the
    receiving part keeps its title.
    """
    merged: list[_Part] = []
    leading: list[_Unit] = []
    for part in parts:
        if part.words < TINY_WORDS and merged:
            merged[-1].units += part.units
        elif part.words < TINY_WORDS and part is not parts[-1]:
            leading += part.units
        else:
            merged.append(_Part(part.title, leading + part.units, False))
            leading = []
    return merged


def _paragraph_numbers(blocks: list[Block], is_heading: list[bool]) -> list[int | None]:
    """Each block's paragraph number; unnumbered text continues the numbered paragraph before it."""
    numbers: list[int | None] = []
    current = None
    for block, heading in zip(blocks, is_heading, strict=True):
        if block.number is not None:
            current = block.number
        numbers.append(None if heading else current)
    return numbers


def paragraphs_between(section: Section, start: int, end: int) -> tuple[int, ...]:
    """The cable's paragraph numbers that the text `section.text[start:end]` (an excerpt) touches.

    A section spans whole paragraphs (`section.paragraphs`), but a citation names the ones its
    excerpt is in: a sentence of ¶9 is cited ¶9, not the section's ¶8-10. Read from the text
    itself: each paragraph opens with its mark, and unmarked paragraphs continue the one before.
    Text before the cable's first numbered paragraph (a heading, an introduction) has none.
    """
    numbers = []
    blocks = section.text.split(BLOCK_SEPARATOR)
    current = _continued_paragraph(section, blocks)
    position = 0
    for block in blocks:
        block_end = position + len(block)
        current = paragraph_number(block) or current
        if current is not None and position < end and block_end > start:
            numbers.append(current)
        position = block_end + len(BLOCK_SEPARATOR)
    return tuple(dict.fromkeys(numbers))


def _continued_paragraph(section: Section, blocks: list[str]) -> int | None:
    """The paragraph that the section's unmarked opening text continues, if it continues one.

    `section.paragraphs` lists the paragraphs its text is in: a first number that no paragraph
    mark of its text opens is a paragraph begun in the section before."""
    if not section.paragraphs:
        return None
    first_marked = next(filter(None, map(paragraph_number, blocks)), None)
    return section.paragraphs[0] if section.paragraphs[0] != first_marked else None
