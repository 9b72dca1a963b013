"""A cable body saved as plain text: whatever header lines it carries are read."""

from __future__ import annotations

import re
from pathlib import Path

from cableqa.header import BANNER_RE, DE_LINE_RE, DTG_RE, FIELD_RES, Header, parse_transmission
from cableqa.readers.assemble import NotACable, assemble
from cableqa.types import Cable

CLASSIFIED_PARAGRAPH_RE = re.compile(r"^\s*(?:¶\s*)?\d{1,2}\.\s+\((?:U|C|S|SBU|S/NF|C/NF|LOU)\)", re.M)
HEADER_LINE_LIMIT = 80  # header lines are looked for near the top only


def looks_like_cable(text: str) -> bool:
    """A header field, a DE line, a date-time group, a banner or a classified paragraph mark."""
    top = "\n".join(text.splitlines()[:HEADER_LINE_LIMIT])
    has_field = any(pattern.search(line) for line in top.splitlines() for pattern in FIELD_RES.values())
    has_banner = any(BANNER_RE.match(line) for line in top.splitlines())
    return (
        has_field
        or has_banner
        or bool(DE_LINE_RE.search(top) or DTG_RE.search(top) or CLASSIFIED_PARAGRAPH_RE.search(text))
    )


def read_file(path: Path, text: str) -> Cable:
    if not looks_like_cable(text):
        raise NotACable("no cable header (SUBJECT, TAGS, DE line, date-time group) or classified paragraph found")
    header = Header()
    parse_transmission("\n".join(text.splitlines()[:HEADER_LINE_LIMIT]), header)
    return assemble(text, source=str(path), header=header, fallback_id=path.stem)
