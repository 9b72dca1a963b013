"""The cables a cable cites: its REF line, item by item, as reference IDs.

A REF line names earlier cables by post and number, lettered when there are
several: `REF: A. STATE 123456 B. 07 PARIS 4321 C. HALL E-MAIL OF 3/23`. Each item
becomes a `Reference(label, doc_id, written)`; `doc_id` is the WikiLeaks reference
ID (`07PARIS4321`) or None when the item names no cable (an e-mail, a meeting, an
intelligence report). An item naming several cables (`REF: STATE 1, PARIS 2`) gives one
`Reference` each, written as its own words. The forms read: letters `A.`, `A)`, `(A)`, `a.`, a letter
repeated (`A. A)`), none at all; `STATE 123456`, `PARIS 4321`, `07PARIS4321`,
`05 PARIS 7528`, `2005 MADRID 3528`, `(08) SAO PAULO 581`, `DOHA 152 (08)`,
`MOSCOW 03242 2008`; the field names REF, REFS, REFTEL, REFERENCE.

**The year rule.** A reference that states its year (`05 PARIS 7528`, `2005 ...`,
`(08)`, `07PARIS4321`) keeps it. One that does not takes the citing cable's year,
except that a reference to the citing post's own series with a number not below
the citing cable's own is from the year before: a post numbers its cables from 1
each January, so on 6 January 2005 `PARIS 8729` (cited by 05PARIS104) is 04PARIS8729.

In-text mentions ("as reported reftel", "(REF A)") point back at these items and
add no edges of their own. `references_in_question` reads the same forms in a
question ("What did Paris reply to STATE 123456?").
"""

from __future__ import annotations

import re
from functools import lru_cache

from cableqa.header import routing_table
from cableqa.types import Reference

# Words that can stand before a number without being a post: connectives, months,
# and the kinds of documents REF lines name besides cables (intelligence reports,
# open-source items, date-time groups, e-mails, daily reports).
NOT_POSTS = {
    "AND", "OF", "THE", "SEPTEL", "NOTAL", "PARA", "PARAS", "DATED", "EMAIL", "MAIL", "TELCON", "MEMCON",
    "IIR", "OSC", "TD", "TDX", "FBI", "DTG", "SECDEF", "USDAO", "DAO", "HOTR", "MSG", "SUBJ", "REPORT", "REPORTS",
    "DAILY", "POINTS", "POINT", "SVTC", "DVC", "LETTER", "NONE", "CIRCULAR", "SECTION", "PAGE", "REF", "REFS",
    "REFTEL", "REFTELS", "NO", "NUMBER", "ITEM", "PARAGRAPH", "WHITE", "HOUSE", "USDEL", "SECTO", "TOSEC", "IMSWM",
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "SEPT", "OCT", "NOV", "DEC",
    "JANUARY", "FEBRUARY", "MARCH", "APRIL", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER",
}  # fmt: skip
# Words that may lead a post's name without being part of its code ("EMBASSY VIENNA 1450").
LEADING_NOISE = {"AND", "OF", "THE", "EMBASSY", "AMEMBASSY", "AMCONSUL", "CONSULATE", "USMISSION", "SEE", "PER", "ALSO"}
SHORT_WORDS = {"LA", "DE", "AU", "ST", "EL"}  # two-letter words that occur in post names (LA PAZ, RIO DE JANEIRO)
# How REF lines abbreviate or misspell posts, against the code in reference IDs.
POST_ALIASES = {
    "SECSTATE": "STATE",
    "RIO": "RIODEJANEIRO",
    "CASA": "CASABLANCA",
    "UNVIE": "UNVIEVIENNA",
    "USUN": "USUNNEWYORK",
    "USEU": "USEUBRUSSELS",
    "TALLIN": "TALLINN",
    "HAGUE": "THEHAGUE",
    "DUBAIRPO": "RPODUBAI",
    "IRPODUBAI": "RPODUBAI",
}

_YEAR_BEFORE = r"(?:\((?P<paren_before>\d{2})\)\s*|(?P<before>(?:19|20)\d{2}|\d{2})\s*)?"
_POST = r"(?P<post>[A-Z]{2,}(?:[ \t]+[A-Z]{2,}){0,2})"
# Not a page mark (PARIS 00000119 001.2 OF 002), a date (5/16) or a classification reason (1.4).
_NUMBER = r"[ \t]*0*(?P<number>\d{1,6})(?![\d/])(?!\.\d)(?![ \t]+\d{3}\.\d)"
_YEAR_AFTER = r"(?:[ \t]*\((?P<paren_after>\d{2})\)|[ \t]+(?P<after>(?:19|20)\d{2})(?![\d/])(?![ \t]*[A-Z]))?"
MENTION_RE = re.compile(r"(?<![A-Z0-9/-])" + _YEAR_BEFORE + _POST + _NUMBER + _YEAR_AFTER)
FIELD_NAME_RE = re.compile(r"^\s*(?:REF(?:TEL|ERENCE)?S?\b\s*:?\s*)?")
CLASSIFIED_BY_RE = re.compile(r"\bCLASSIFIED BY\b|\bDERIVED FROM\b", re.I)  # a header field glued to the line
REFERENCE_ID_RE = re.compile(r"^(\d{2})([A-Z]+?)(\d+)$")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def parse_reference_line(text: str, citing_id: str = "", date: str | None = None) -> tuple[Reference, ...]:
    """The items of a REF line, in order, each with its cable's reference ID when it names one.

    `citing_id` and `date` (ISO 8601) are the citing cable's, for the year rule (module
    docstring). A cable naming itself (a page mark caught in the line) is dropped.
    """
    flat = CLASSIFIED_BY_RE.split(" ".join(text.split()), maxsplit=1)[0].strip()
    offset = FIELD_NAME_RE.match(flat.translate(_ASCII_UPPER)).end()
    written_text, upper = flat[offset:], flat[offset:].translate(_ASCII_UPPER)
    if not upper or upper in {"NONE", "N/A"}:
        return ()
    found = []
    for label, start, end in _items(upper):
        named = _cables_named(upper, start, end, citing_id, date)
        if not named:
            written = written_text[start:end].strip(" ;,:")
            found += [Reference(label, None, written)] if written else []
            continue
        # An item naming several cables gives each its own words, up to where the next one is
        # named: the whole item for each grew with the square of a long line (50,000 items of
        # one unlettered line: 35 GB of `written`).
        starts = [start, *(where for _, where in named[1:])]
        ends = [*starts[1:], end]
        found += [
            Reference(label, target, written_text[begin:finish].strip(" ;,:"))
            for (target, _), begin, finish in zip(named, starts, ends, strict=True)
        ]
    return tuple(found)


def merge_listed(parsed: tuple[Reference, ...], listed: list[str]) -> tuple[Reference, ...]:
    """Join a REF line's items with the IDs a references column lists (cables.csv).

    The column's IDs win (WikiLeaks resolved their years); an item that names the
    same post and number lends its letter. Listed IDs that no item names come last,
    unlettered.
    """
    listed_ids = [_alias_id(entry.strip().upper()) for entry in listed if entry.strip()]
    by_series = {_series(doc_id): doc_id for doc_id in listed_ids}
    merged, used = [], set()
    for item in parsed:
        known = by_series.get(_series(item.doc_id)) if item.doc_id else None
        merged.append(Reference(item.label, known, item.written) if known else item)
        used.add(known or item.doc_id)
    merged += [Reference("", doc_id, doc_id) for doc_id in listed_ids if doc_id not in used]
    return tuple(merged)


def reference_ids(references: tuple[Reference, ...], references_text: str = "") -> tuple[str, ...]:
    """`Cable.references`: the distinct IDs cited; the REF text itself when it names no cable."""
    ids = tuple(dict.fromkeys(item.doc_id for item in references if item.doc_id))
    text = " ".join(references_text.split())
    return ids or ((text,) if text else ())


def references_in_question(question: str) -> tuple[str, ...]:
    """The cable IDs a question names: `07PARIS4321`, `STATE 123456`, `07 PARIS 4321`.

    Posts must be written in capitals (cables' own style), so "Paris 2007" in prose is
    no reference. A reference without a year comes back without one (`STATE123456`):
    `year_free` matches it against IDs of any year.
    """
    found = []
    for match in re.finditer(r"\b(\d{2})([A-Za-z]{2,})(\d{1,6})\b", question):
        year, post, number = match.groups()
        code = _post_code(post.upper())
        if code:
            found.append(f"{year}{code}{int(number)}")
    for match in MENTION_RE.finditer(question):
        code = _post_code(match["post"])
        if code:
            year = _stated_year(match)
            found.append(f"{year or ''}{code}{int(match['number'])}")
    return tuple(dict.fromkeys(found))


def year_free(doc_id: str) -> str:
    """`07PARIS4321` -> `PARIS4321`: what a reference without its year can match."""
    return doc_id[2:] if doc_id[:2].isdigit() else doc_id


def _items(text: str) -> list[tuple[str, int, int]]:
    """(label, start, end) of each lettered item of `text`; one unlettered item when it has no `A.`."""
    first = _label_at(text, "A", 0)
    if first is None or text[: first.start()].strip():
        return [("", 0, len(text))]
    items = []
    letter, match = "A", first
    while match is not None:
        content_start = match.end()
        repeated = re.compile(rf"\s*(?:\({letter}\)|{letter}[.):])\s*").match(text, content_start)
        if repeated:  # "A. A) MADRID 156": the letter written twice
            content_start = repeated.end()
        following = chr(ord(letter) + 1)
        next_match = _label_at(text, following, content_start) if letter < "Z" else None
        items.append((letter, content_start, next_match.start() if next_match else len(text)))
        letter, match = following, next_match
    return items


def _cables_named(text: str, start: int, end: int, citing_id: str, date: str | None) -> list[tuple[str, int]]:
    """(reference ID, where it is named) of each cable `text[start:end]` names, first naming only,
    the citing cable left out."""
    named: dict[str, int] = {}
    for mention in MENTION_RE.finditer(text, start, end):
        target = _canonical(mention, citing_id, date)
        if target and target != citing_id:
            named.setdefault(target, mention.start())
    return list(named.items())


def _label_at(text: str, letter: str, start: int) -> re.Match | None:
    """The first item label for `letter` at or after `start`: `B.`, `B)`, `(B)`, `B:` or a lone `B `."""
    pattern = re.compile(rf"(?:(?<=[\s;,])|^)(?:\({letter}\)|{letter}[.):](?!\w\.)|{letter}(?=\s+[A-Z0-9(]))\s*")
    return pattern.search(text, start)


def _canonical(match: re.Match, citing_id: str, date: str | None) -> str | None:
    code = _post_code(match["post"])
    if not code:
        return None
    number = int(match["number"])
    year = _stated_year(match) or _inferred_year(code, number, citing_id, date)
    return f"{year}{code}{number}" if year else None


def _stated_year(match: re.Match) -> str | None:
    for group in ("paren_before", "before", "paren_after", "after"):
        if match[group]:
            return match[group][-2:]
    return None


def _inferred_year(code: str, number: int, citing_id: str, date: str | None) -> str | None:
    """The citing cable's year, or the year before for a higher number of its own series."""
    own = REFERENCE_ID_RE.match(citing_id)
    year = int(date[:4]) if date and date[:4].isdigit() else (_full_year(own.group(1)) if own else None)
    if year is None:
        return None
    if own and own.group(2) == code and number >= int(own.group(3)):
        year -= 1
    return f"{year % 100:02d}"


def _full_year(two_digits: str) -> int:
    return (1900 if int(two_digits) >= 50 else 2000) + int(two_digits)


def _post_code(post: str) -> str | None:
    """The post's code in reference IDs (`BUENOS AIRES` -> `BUENOSAIRES`), or None for a non-post."""
    words = post.split()
    while words and words[0] in LEADING_NOISE:
        words.pop(0)
    # "ANSWER SECSTATE 1234": the post is the longest tail of the words that is a known
    # post code, or failing one, the longest that could be a post's name.
    codes = ["".join(words[first:]) for first in range(len(words)) if _is_post_name(words[first:])]
    codes = [POST_ALIASES.get(code, code) for code in codes]
    return next((code for code in codes if code in _known_post_codes()), codes[0] if codes else None)


@lru_cache(maxsize=1)
def _known_post_codes() -> frozenset[str]:
    return frozenset(post.code for post in routing_table().values())


def _is_post_name(words: list[str]) -> bool:
    if any(word in NOT_POSTS or set(word) == {"X"} for word in words) or len(words[-1]) < 3:
        return False
    return all(len(word) > 2 or word in SHORT_WORDS for word in words)


def _alias_id(doc_id: str) -> str:
    match = REFERENCE_ID_RE.match(doc_id)
    if not match:
        return doc_id
    year, post, number = match.groups()
    return f"{year}{POST_ALIASES.get(post, post)}{number}"


def _series(doc_id: str | None) -> str | None:
    """Post and number without the year: what a REF item and a listed ID must share to be one cable."""
    match = REFERENCE_ID_RE.match(doc_id or "")
    return f"{match.group(2)}{int(match.group(3))}" if match else None
