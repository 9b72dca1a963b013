"""The transmission header of a cable: what it says about itself before its first paragraph.

A cable announces its date-time group (`R 130959Z DEC 07`), its routing line
(`DE RUEHFR #4695/01 3470959`), a classification banner (`C O N F I D E N T I A L
SECTION 01 OF 02 PARIS 000119`) and the fields E.O., TAGS, SUBJECT, REF and
"Classified By". `split_header` separates those lines from the body and drops the
transmission noise that telegraph and archive processing left inside the body
(SIPDIS, page-break lines, repeated banners).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from cableqa.text import TERMINAL

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
MONTH_NAMES = (
    "JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE",
    "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER",
)  # fmt: skip

DTG_RE = re.compile(r"\b([0-3]\d)([0-2]\d)([0-5]\d)Z\s+(" + "|".join(MONTHS) + r")\w*\s+(\d{4}|\d{2})\b", re.I)
LONG_DATE_RE = re.compile(
    r"^\s*(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\s+(\d{1,2})\s+(\w+)\s+(\d{4}),\s+(\d{2}):(\d{2})\s*$", re.I
)
DE_LINE_RE = re.compile(r"^\s*DE\s+(R[A-Z]{3,6})\s+#(\d{1,6})(?:/\d+)?\s+(\d{7})", re.M)
FM_LINE_RE = re.compile(r"^\s*FM\s+(AMEMBASSY|AMCONSUL|USMISSION|SECSTATE|USUN)\s+(.+?)\s*$", re.M)

_SPACED = (
    r"(?:C\s?O\s?N\s?F\s?I\s?D\s?E\s?N\s?T\s?I\s?A\s?L|S\s?E\s?C\s?R\s?E\s?T|UNCLAS(?:SIFIED)?|LIMITED OFFICIAL USE)"
)
BANNER_RE = re.compile(
    rf"^\s*({_SPACED})(?:\s*//\s*([A-Z ]+?))?(?:\s+SECTION\s+\d+\s+OF\s+\d+)?\s+([A-Z][A-Z .'-]*?)\s+0*(\d{{1,6}})\s*$"
)
LONE_CLASSIFICATION_RE = re.compile(rf"^\s*(?:{_SPACED})(?:\s*//\s*[A-Z ]+)?(?:\s+[A-Z]{{2,4}}\d{{3,5}})?\s*$")
PAGE_BREAK_RES = (
    re.compile(
        r"^\s*[A-Z][A-Z .'-]*\s+0*\d{1,6}\s+\d{3}(?:\.\d)?\s+OF\s+\d{3}\s*$", re.I
    ),  # PARIS 00002069 001.2 OF 002
    re.compile(r"^\s*PAGE\s+\d{2}\s+[A-Z][A-Z .'-]*\s+\d{3,6}\s"),  # PAGE 02 HARARE 06677 01 OF 03 291400Z
)
NOISE_RES = (
    re.compile(r"^\s*SIPDIS\s*$"),
    re.compile(
        r"^\s*(?:NOFORN|SENSITIVE|SENSITIVE BUT UNCLASSIFIED|NOT FOR INTERNET DISTRIBUTION|EXDIS|NODIS|LIMDIS)\s*$"
    ),
    re.compile(r"^\s*(?:VZCZC|NNNN\s*$)"),
    re.compile(r"^\s*DE\s+R[A-Z]{3,6}\s+#\d"),
    re.compile(r"^\s*[A-Z]{1,2}\s+[0-3]\d{5}Z\s+[A-Z]{3}\s+\d{2,4}\s*$"),  # date-time group line
    re.compile(r"^\s*(?:ZNY|ZNR|ZZH)\s"),
    re.compile(r"^\s*(?:ACTION|INFO)\s+[A-Z]+-\d\d\b"),
    re.compile(r"^\s*-{5,}[A-Z0-9]+\s+\d{6}Z\s"),  # ------------------A54E56 291401Z /38
    re.compile(r"^\s*(?:E\.\s?O\.|EO)\s+1\d{4}\b"),
    re.compile(r"^\s*TAGS\s*:?\s+[A-Z]{2,}"),
    LONE_CLASSIFICATION_RE,
    BANNER_RE,
    LONG_DATE_RE,
    *PAGE_BREAK_RES,
)
FIELD_RES = {
    "eo": re.compile(r"^\s*(?:E\.\s?O\.|EO)\s+(1\d{4}\b.*)$"),
    "tags": re.compile(r"^\s*TAGS\s*:?\s+(.*)$"),
    "subject": re.compile(r"^\s*SUBJ(?:ECT)?\s*:\s*(.*)$", re.I),
    "references": re.compile(r"^\s*(?:REFS?|REFTELS?|REFERENCES?)\s*:\s*(.*)$", re.I),
    "classified_by": re.compile(r"^\s*(?:CLASSIFIED\s+BY|DERIVED\s+FROM)\b\s*:?\s*(.*)$", re.I),
}
CONTINUED_FIELDS = {"subject": 3, "references": 6, "classified_by": 2}  # most continuation lines each takes
BODY_OPENER_RE = re.compile(r"^\s*(?:¶\s*\d|\d{1,2}\s*\.\s|\(\w{1,3}(?:/\w{1,4})?\)\s|(?:BEGIN\s+)?SUMMARY\b)", re.I)
INLINE_REF_RE = re.compile(r"\s+REF(?:TEL)?S?:\s*")  # "SUBJECT: ... REF: MOSCOW 00079" on one line
REFERENCE_ITEM_RE = re.compile(r"^\s*(?:[A-Z]\.|\([A-Z]\))\s+\S")


class DeLine(NamedTuple):
    indicator: str  # e.g. RUEHFR
    number: int  # the message number, e.g. 4695


class Post(NamedTuple):
    origin: str  # e.g. "Embassy Paris"
    code: str  # as used in reference IDs, e.g. "PARIS"


@dataclass
class Header:
    """What a cable says about itself; every field is optional."""

    subject: str = ""
    tags: tuple[str, ...] = ()
    references_text: str = ""
    eo: str = ""
    classified_by: str = ""
    date: str | None = None  # ISO 8601
    de_line: DeLine | None = None
    classification: str = ""
    banner_post: str = ""  # post code from the classification banner, e.g. "BUENOSAIRES"
    banner_number: int | None = None
    fm_post: str = ""  # e.g. "Embassy Paris" from `FM AMEMBASSY PARIS`

    @property
    def year(self) -> str | None:
        return self.date[:4] if self.date else None


def parse_dtg(text: str) -> str | None:
    """The first date-time group in `text` as ISO 8601 (`R 130959Z DEC 07` -> 2007-12-13T09:59Z)."""
    for match in DTG_RE.finditer(text):
        day, hour, minute, month, year = match.groups()
        if 1 <= int(day) <= 31 and int(hour) <= 23:
            return f"{_full_year(year)}-{MONTHS.index(month[:3].upper()) + 1:02d}-{day}T{hour}:{minute}Z"
    return None


def parse_long_date(line: str) -> str | None:
    """`Wednesday, 17 January 2007, 06:41` (newspaper releases) as ISO 8601."""
    match = LONG_DATE_RE.match(line)
    if not match or match.group(2).upper() not in MONTH_NAMES:
        return None
    day, month, year, hour, minute = match.groups()
    return f"{year}-{MONTH_NAMES.index(month.upper()) + 1:02d}-{int(day):02d}T{hour}:{minute}"


def _full_year(year: str) -> str:
    if len(year) == 4:
        return year
    return ("19" if int(year) >= 50 else "20") + year


def parse_de_line(text: str) -> DeLine | None:
    """The routing indicator and message number of the first DE line in `text`."""
    match = DE_LINE_RE.search(text)
    return DeLine(match.group(1), int(match.group(2))) if match else None


def canonical_id(year: str, post_code: str, number: int) -> str:
    """`canonical_id("2007", "PARIS", 4695) == "07PARIS4695"`: the reference ID WikiLeaks uses."""
    return f"{year[-2:]}{post_code}{number}"


WHOLE_REFERENCE_ID_RE = re.compile(r"^\s*(\d{2}[A-Z][A-Z0-9-]*?\d+)\s*$", re.IGNORECASE)


def reference_id(text: str) -> str | None:
    """The cable reference ID `text` consists of (" 07paris4695 " -> "07PARIS4695"), if it is nothing else."""
    match = WHOLE_REFERENCE_ID_RE.match(text)
    return match.group(1).upper() if match else None


@lru_cache(maxsize=1)
def routing_table() -> dict[str, Post]:
    """Routing indicator -> post, generated by tools/build_routing_table.py from the WikiLeaks pages."""
    path = Path(__file__).parent / "data" / "routing_indicators.tsv"
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        indicator, origin, code = line.split("\t")
        table[indicator] = Post(origin, code)
    return table


def post_for_indicator(indicator: str) -> Post | None:
    return routing_table().get(indicator)


def post_code(name: str) -> str:
    """A post's name as it appears in reference IDs: `BUENOS AIRES` -> `BUENOSAIRES`."""
    return re.sub(r"[^A-Z]", "", name.upper())


def parse_tags(text: str) -> tuple[str, ...]:
    text = text.split("SUBJECT")[0]
    return tuple(tag for tag in re.split(r"[\s,;]+", text.strip()) if tag)


def normalise_classification(banner: str, caveat: str | None = None) -> str:
    """`C O N F I D E N T I A L` -> `CONFIDENTIAL`, `UNCLAS` -> `UNCLASSIFIED`, plus any `//CAVEAT`."""
    word = re.sub(r"\s", "", banner.upper())
    word = {"UNCLAS": "UNCLASSIFIED", "LIMITEDOFFICIALUSE": "LIMITED OFFICIAL USE"}.get(word, word)
    return f"{word}//{caveat.strip()}" if caveat else word


def is_transmission_noise(line: str) -> bool:
    """A line that telegraph or archive processing added, never the cable's prose."""
    return any(pattern.match(line) for pattern in NOISE_RES)


def is_page_break(line: str) -> bool:
    return any(pattern.match(line) for pattern in PAGE_BREAK_RES)


def _field_of(line: str) -> tuple[str, str] | None:
    for name, pattern in FIELD_RES.items():
        match = pattern.match(line)
        if match:
            return name, match.group(1).strip()
    return None


def parse_transmission(text: str, header: Header) -> None:
    """Fill `header` with what a transmission header block (the part before the body) gives."""
    header.date = header.date or parse_dtg(text)
    header.de_line = header.de_line or parse_de_line(text)
    fm = FM_LINE_RE.search(text)
    if fm and not header.fm_post:
        kind = {"AMEMBASSY": "Embassy", "AMCONSUL": "Consulate", "USMISSION": "Mission"}.get(fm.group(1), "")
        if kind:
            header.fm_post = f"{kind} {fm.group(2).title()}"


def split_header(lines: list[str], header: Header | None = None) -> tuple[Header, list[str]]:
    """Parse the header lines at the top of a cable body; return the header and the body lines.

    The body starts at the first real paragraph: after the last header field that comes
    before the first numbered paragraph (or summary), and after that field's continuation.
    Transmission noise is dropped from the whole body.
    """
    header = header or Header()
    first_paragraph = next((i for i, line in enumerate(lines) if BODY_OPENER_RE.match(line)), len(lines))
    body_start = 0
    current, continuation_left = None, 0
    last_field = None  # the field a lettered reference line ("B. PARIS 1817") would continue
    for i, line in enumerate(lines[:first_paragraph]):
        field_match = _field_of(line)
        if field_match:
            current, value = field_match
            continuation_left = CONTINUED_FIELDS.get(current, 0)
            _set_field(header, current, value)
            body_start = i + 1
        elif _parse_header_line(line, header):
            continue
        elif current and continuation_left and line.strip():
            _set_field(header, current, line.strip(), append=True)
            continuation_left -= 1
            body_start = i + 1
        elif last_field == "references" and REFERENCE_ITEM_RE.match(line):
            _set_field(header, "references", line.strip(), append=True)
            body_start = i + 1
        else:
            current, continuation_left = None, 0
        last_field = current or (last_field if not line.strip() else None)
    if body_start == 0:
        body_start = next((i for i, line in enumerate(lines) if line.strip() and not is_transmission_noise(line)), 0)
    for line in lines[body_start:first_paragraph]:
        _parse_header_line(line, header)
    return header, drop_transmission_noise(lines[body_start:])


def _parse_header_line(line: str, header: Header) -> bool:
    """Read a banner, date or caveat line into `header`; True when the line was one."""
    banner = BANNER_RE.match(line)
    if banner:
        header.classification = header.classification or normalise_classification(banner.group(1), banner.group(2))
        header.banner_post = header.banner_post or post_code(banner.group(3))
        header.banner_number = header.banner_number or int(banner.group(4))
        return True
    long_date = parse_long_date(line)
    if long_date:
        header.date = header.date or long_date
        return True
    if line.strip() == "NOFORN" and header.classification and "//" not in header.classification:
        header.classification += "//NOFORN"
        return True
    return is_transmission_noise(line)


def _set_field(header: Header, name: str, value: str, append: bool = False) -> None:
    if name == "tags":
        header.tags = header.tags or parse_tags(value)
    elif name == "eo":
        header.eo = header.eo or value
        tags = re.search(r"\bTAGS\s*:?\s+(.*)$", value)
        if tags and not header.tags:
            header.tags = parse_tags(tags.group(1))
    elif name == "subject" and INLINE_REF_RE.search(value):
        subject, references = INLINE_REF_RE.split(value, maxsplit=1)
        _set_field(header, "subject", subject, append)
        _set_field(header, "references", references)
    else:
        attribute = "references_text" if name == "references" else name
        old = getattr(header, attribute)
        if append or not old:
            setattr(header, attribute, f"{old} {value}".strip() if append else value)


def drop_transmission_noise(lines: list[str]) -> list[str]:
    """Remove noise lines; a page break inside a paragraph takes its blank lines with it."""
    kept: list[str] = []
    joining = False
    for line in lines:
        if is_transmission_noise(line):
            if is_page_break(line):
                last_text = next((k for k in reversed(kept) if k.strip()), "")
                if last_text and not last_text.rstrip().endswith(TERMINAL):
                    while kept and not kept[-1].strip():
                        kept.pop()
                    joining = True
            continue
        if joining and not line.strip():
            continue
        joining = False
        kept.append(re.sub(r"^(\s*)SIPDIS\s+(?=\S)", r"\1", line))
    while kept and not kept[-1].strip():
        kept.pop()
    first_text = next((i for i, line in enumerate(kept) if line.strip()), len(kept))
    return kept[first_text:]
