"""Word-level matching of a quotation against a cable's text: where it is, and how it differs.

Both sides are compared as words: letters and digits, case-folded, accents, dots and
apostrophes dropped, so case, whitespace, punctuation, hyphens, curly or straight marks
and "U.S." for "US" never count as a difference. A cable's paragraph numbers and classification marks ("2. (C)") are not
words of its text. A quotation's elisions (`...`, `…`, `[...]`) and `[bracketed]`
insertions split it into fragments: the cable may hold anything at an elision and a
few words (or none) where an insertion stands.

`find_verbatim` says where every fragment occurs, in order, word for word. `align`
finds the closest passages when there is no such place: the quotation's longest run
found in the cable anchors a window in which the rest is aligned word by word
(difflib), and a stretch of the quotation left over (a second sentence joined to the
first) is located the same way on its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

# A word: letters and digits, with the apostrophes inside it ("don’t", "al-Qa’ida" -> "qaida"); an
# abbreviation written with dots is one word, as written without ("U.S." = "US", "U.N." = "UN").
WORD = re.compile(r"(?:\w\.){2,}|\w+(?:['’ʼ]\w+)*")
NOT_IN_WORD = re.compile(r"[.'’ʼ]")
# What a cable writes that is not its text: "2. (C)" opening a paragraph, "(S/NF)" marks.
CABLE_MARK = re.compile(
    r"(?m)^[ \t]*(?:¶[ \t]*)?\d{1,3}\.(?=\s)"
    r"|\((?:U|C|S|TS|SBU|LOU|NF|U//FOUO|(?:S|C|TS|SBU)//?(?:NF|NOFORN|REL[^)]{0,30}))\)"
)
ELISION = re.compile(r"\[\s*(?:\.\s*){3}\]|\[\s*…\s*\]|\.\s*\.\s*\.|…")
INSERTION = re.compile(r"\[[^\]\n]{0,200}\]")
# An insertion stands for at most this many of the cable's words ("[the minister]" for "he").
INSERTION_MAX_WORDS = 8
# An elision may leave out this many words at most: a few sentences, not another part of the cable.
ELISION_MAX_WORDS = 400
# `align`: a stretch of the quotation is located on its own when it is at least this long
# (shorter leftovers are words the quotation adds), and the anchor run must be this long.
PIECE_MIN_WORDS = 3
ANCHOR_MIN_WORDS = 2
MAX_PIECES = 4  # passages one quotation may join: two merged sentences, a few elided ones
# Two located passages closer than this in the cable are one passage with words dropped between.
JOIN_WORDS = 6
JOINED_SHOWN_WORDS = 12  # of the cable's words a joined quotation skips, this many are shown


@dataclass(frozen=True)
class Words:
    """Text as matching sees it: each word's folded form and its (start, end) in `text`."""

    text: str
    folded: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    def surface(self, start: int, end: int) -> str:
        """Words [start, end) as the text writes them (whitespace made single spaces)."""
        if start >= end:
            return ""
        return " ".join(self.text[self.spans[start][0] : self.spans[end - 1][1]].split())

    def positions(self) -> dict[str, list[int]]:
        where: dict[str, list[int]] = defaultdict(list)
        for position, word in enumerate(self.folded):
            where[word].append(position)
        return where


@lru_cache(maxsize=1 << 17)
def fold(word: str) -> str:
    """`Intérieur` -> `interieur`, `U.S.` -> `us`, `Qa’ida` -> `qaida`: case, accents, dots and apostrophes
    never count."""
    if word.isascii():
        return NOT_IN_WORD.sub("", word).lower() if "." in word or "'" in word else word.lower()
    decomposed = unicodedata.normalize("NFKD", NOT_IN_WORD.sub("", word).casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def words(text: str, *, cable: bool = False) -> Words:
    """The words of `text`; of a cable's text, without its paragraph numbers and classification marks."""
    read = CABLE_MARK.sub(lambda mark: " " * len(mark.group()), text) if cable else text  # offsets kept
    found = list(WORD.finditer(read))
    return Words(text, tuple(map(fold, (match.group() for match in found))), tuple(match.span() for match in found))


@dataclass(frozen=True)
class Fragment:
    """A stretch of a quotation between elisions and insertions, as words; `after` says what
    separates it from the fragment before ("" for the first, "elision" or "insertion")."""

    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]  # in the quotation's text
    after: str


def quote_words(quote: str, parts: list[Fragment]) -> Words:
    """The fragments' words end to end, as `Words` of the quotation's text."""
    return Words(quote, tuple(w for part in parts for w in part.words), tuple(s for part in parts for s in part.spans))


def fragments(quote: str) -> list[Fragment]:
    """The quotation's fragments, empty ones (a quotation opening with "...") left out."""
    separators = sorted(
        [(m.start(), m.end(), "elision") for m in ELISION.finditer(quote)]
        + [(m.start(), m.end(), "insertion") for m in INSERTION.finditer(quote)]
    )
    parts, position, after = [], 0, ""
    for start, end, kind in separators:
        if start < position:  # "[...]" is both an elision and a bracket: the elision came first
            continue
        parts.append((position, start, after))
        position, after = end, ("elision" if kind == "elision" or after == "elision" else kind)
    parts.append((position, len(quote), after))
    found, pending = [], ""
    for start, end, kind in parts:
        piece = words(quote[start:end])
        pending = "elision" if "elision" in (kind, pending) else (kind or pending)
        if piece.folded:
            spans = tuple((a + start, b + start) for a, b in piece.spans)
            found.append(Fragment(piece.folded, spans, pending if found else ""))
            pending = ""
    return found


@dataclass(frozen=True)
class Run:
    """Quotation words [quote_start, quote_end) placed at cable words [cable_start, cable_end)."""

    quote_start: int
    quote_end: int
    cable_start: int
    cable_end: int


def find_verbatim(parts: list[Fragment], cable: Words, where: dict[str, list[int]]) -> list[Run] | None:
    """Where every fragment occurs in the cable, word for word and in order, or None: of several such
    places, the tightest (a summary restating a paragraph must not lend an elided quotation its first
    half), then the earliest. Runs are numbered in words of the fragments put end to end."""
    if not parts:
        return None
    first = parts[0].words
    anchor = min(range(len(first)), key=lambda i: len(where.get(first[i], ())))
    best = None
    for position in where.get(first[anchor], ()):
        start = position - anchor
        if start < 0 or cable.folded[start : start + len(first)] != first:
            continue
        runs = [Run(0, len(first), start, start + len(first))]
        if _place_rest(parts, 1, runs, cable, where) and (best is None or _span(runs) < _span(best)):
            best = runs
        if best is not None and len(parts) == 1:
            break
    return best


def _span(runs: list[Run]) -> int:
    return runs[-1].cable_end - runs[0].cable_start


def _place_rest(parts: list[Fragment], number: int, runs: list[Run], cable: Words, where) -> bool:
    """Place fragments `number`... after the runs placed so far, each as early as it can go."""
    quote_position = runs[-1].quote_end
    for part in parts[number:]:
        after = runs[-1].cable_end
        reach = INSERTION_MAX_WORDS if part.after == "insertion" else ELISION_MAX_WORDS
        start = _next_occurrence(part.words, cable, where, after, after + reach)
        if start is None:
            return False
        runs.append(Run(quote_position, quote_position + len(part.words), start, start + len(part.words)))
        quote_position += len(part.words)
    return True


def _next_occurrence(sought: tuple[str, ...], cable: Words, where, low: int, high: int) -> int | None:
    anchor = min(range(len(sought)), key=lambda i: len(where.get(sought[i], ())))
    for position in where.get(sought[anchor], ()):
        start = position - anchor
        if start < low:
            continue
        if start > high:
            return None
        if cable.folded[start : start + len(sought)] == sought:
            return start
    return None


@dataclass(frozen=True)
class Difference:
    """How a quotation differs from the cable, at one place: `changed` (the quotation has other
    words), `added` (words the cable does not have there), `dropped` (cable words the quotation
    leaves out), `joined` (the quotation joins passages the cable has apart; `cable`: what lies between)."""

    kind: str
    quote: str
    cable: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "quote": self.quote, "cable": self.cable}


@dataclass(frozen=True)
class Alignment:
    """The closest passages: `runs` of the quotation matched word for word, `pieces` the
    (cable_start, cable_end) word ranges of the passages, and the differences."""

    matched: int  # quotation words matched
    total: int  # quotation words
    longest: int  # the longest run matched word for word
    pieces: tuple[tuple[int, int], ...]
    differences: tuple[Difference, ...]

    @property
    def coverage(self) -> float:
        return self.matched / self.total if self.total else 0.0


def align(parts: list[Fragment], said: Words, cable: Words, where: dict[str, list[int]]) -> Alignment | None:
    """The quotation's closest passages in the cable, or None when not even ANCHOR_MIN_WORDS words
    in a row of it occur there. `said` is `quote_words(quote, parts)`, `where` is `cable.positions()`."""
    quote = list(said.folded)
    if not quote:
        return None
    open_ranges = [(0, len(quote))]
    pieces: list[tuple[tuple[int, int], tuple[int, int], list]] = []  # quote range, cable range, blocks
    while open_ranges and len(pieces) < MAX_PIECES:
        low, high = max(open_ranges, key=lambda span: span[1] - span[0])
        if high - low < PIECE_MIN_WORDS:
            break
        open_ranges.remove((low, high))
        found = _locate(quote, low, high, cable.folded, where)
        if found is None:
            continue
        pieces.append(found)
        (quote_start, quote_end), _, _ = found
        open_ranges += [span for span in ((low, quote_start), (quote_end, high)) if span[1] > span[0]]
    if not pieces:
        return None
    pieces.sort()
    boundaries = _fragment_starts(parts)
    matched = sum(size for _, _, blocks in pieces for _, _, size in blocks)
    longest = max(size for _, _, blocks in pieces for _, _, size in blocks)
    differences = _differences(said, cable, pieces, boundaries)
    return Alignment(matched, len(quote), longest, tuple(c for _, c, _ in pieces), tuple(differences))


def _longest_run(quote: list[str], low: int, high: int, where: dict[str, list[int]]) -> tuple[int, int, int]:
    """(quote start, cable start, length) of the longest run of quote[low:high] found word for word in the
    cable (the earliest of the longest), as difflib's `find_longest_match`, over positions already indexed."""
    best = (low, 0, 0)
    ending: dict[int, int] = {}  # cable position -> length of the run ending there, at the previous word
    for position in range(low, high):
        now = {}
        for at in where.get(quote[position], ()):
            length = now[at] = ending.get(at - 1, 0) + 1
            if length > best[2]:
                best = (position - length + 1, at - length + 1, length)
        ending = now
    return best


def _locate(quote: list[str], low: int, high: int, cable: tuple[str, ...], where: dict[str, list[int]]):
    """quote[low:high]'s passage in the cable: its longest run found there anchors a window, in which
    the rest is aligned; stray single words at either end (chance matches) are let go."""
    anchor_a, anchor_b, size = _longest_run(quote, low, high, where)
    if size < ANCHOR_MIN_WORDS:
        return None
    slack = max(2, (high - low) // 4)
    window_start = max(0, anchor_b - (anchor_a - low) - slack)
    window_end = min(len(cable), anchor_b + size + (high - anchor_a - size) + slack)
    local = SequenceMatcher(None, quote[low:high], cable[window_start:window_end], autojunk=False)
    blocks = [(a + low, b + window_start, size) for a, b, size in local.get_matching_blocks() if size]
    while len(blocks) > 1 and _stray(blocks[0], blocks[1]):
        blocks.pop(0)
    while len(blocks) > 1 and _stray(blocks[-1], blocks[-2]):
        blocks.pop()
    first, last = blocks[0], blocks[-1]
    return (first[0], last[0] + last[2]), (first[1], last[1] + last[2]), blocks


def _stray(block: tuple[int, int, int], neighbour: tuple[int, int, int]) -> bool:
    """A single word matched apart from the rest, in the quotation or in the cable: chance, not the passage."""
    (a, b, size), (c, d, other) = sorted((block, neighbour))
    return block[2] < 2 and (c - (a + size) >= 2 or d - (b + size) >= 2)


def _fragment_starts(parts: list[Fragment]) -> set[int]:
    """Positions (in words of the fragments end to end) where an elision or insertion stood."""
    starts, position = set(), 0
    for part in parts:
        if part.after:
            starts.add(position)
        position += len(part.words)
    return starts


def _differences(quote: Words, cable: Words, pieces, boundaries: set[int]) -> list[Difference]:
    differences: list[Difference] = []
    previous_quote_end, previous_cable_end = 0, None
    for number, ((quote_start, quote_end), (cable_start, cable_end), blocks) in enumerate(pieces):
        if number == 0 and 0 < quote_start < PIECE_MIN_WORDS:  # a word or two before the passage: other words
            start = max(0, cable_start - quote_start)
            differences += _edit(quote, cable, 0, quote_start, start, cable_start, boundaries)
        elif quote_start > previous_quote_end:  # quotation words found nowhere near
            differences.append(Difference("added", quote.surface(previous_quote_end, quote_start), ""))
        if previous_cable_end is not None and previous_quote_end not in boundaries:
            gap = cable_start - previous_cable_end
            if 0 < gap <= JOIN_WORDS:
                differences.append(Difference("dropped", "", cable.surface(previous_cable_end, cable_start)))
            elif gap != 0:
                differences.append(Difference("joined", "", _skipped(cable, previous_cable_end, cable_start)))
        previous_quote, previous_cable = quote_start, cable_start
        for a, b, size in [*blocks, (quote_end, cable_end, 0)]:
            if a > previous_quote or b > previous_cable:
                differences.extend(_edit(quote, cable, previous_quote, a, previous_cable, b, boundaries))
            previous_quote, previous_cable = a + size, b + size
        previous_quote_end, previous_cable_end = quote_end, cable_end
    left = len(quote.folded) - previous_quote_end
    if 0 < left < PIECE_MIN_WORDS:  # a word or two after the passage: the cable's next words, changed
        end = min(len(cable.folded), previous_cable_end + left)
        differences += _edit(quote, cable, previous_quote_end, len(quote.folded), previous_cable_end, end, boundaries)
    elif left:
        differences.append(Difference("added", quote.surface(previous_quote_end, len(quote.folded)), ""))
    return differences


def _edit(quote: Words, cable: Words, quote_start, quote_end, cable_start, cable_end, boundaries) -> list[Difference]:
    said, written = quote.surface(quote_start, quote_end), cable.surface(cable_start, cable_end)
    if said and written:
        return [Difference("changed", said, written)]
    if said:
        return [Difference("added", said, "")]
    if quote_start in boundaries:  # the cable's words an elision or insertion stands for
        return []
    return [Difference("dropped", "", written)]


def _skipped(cable: Words, start: int, end: int) -> str:
    low, high = min(start, end), max(start, end)
    if high - low <= JOINED_SHOWN_WORDS:
        return cable.surface(low, high)
    half = JOINED_SHOWN_WORDS // 2
    return f"{cable.surface(low, low + half)} … {cable.surface(high - half, high)}"
