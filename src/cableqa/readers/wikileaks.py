"""The 2010 WikiLeaks cable viewer: one HTML page per cable.

The metadata table (`table.cable`) gives Reference ID, Created, Released,
Classification and Origin; two `<pre>` blocks hold the transmission header and the body.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from cableqa.header import Header, parse_transmission
from cableqa.readers.assemble import NotACable, assemble
from cableqa.types import Cable

TABLE_RE = re.compile(r"<table class=['\"]cable['\"]>(.*?)</table>", re.S)
CELL_RE = re.compile(r"<td>(.*?)</td>", re.S)
TITLE_RE = re.compile(r"<h3>Viewing cable [^,<]+, (.*?)</h3>", re.S)
PRE_RE = re.compile(r"<pre>(.*?)</pre>", re.S)
ANCHOR_RE = re.compile(r"<a id=['\"]par\w+['\"][^>]*>¶</a>")
TAG_RE = re.compile(r"<[^>]+>")
PARTIAL_EXTRACT_RE = re.compile(r"^\s*This record is a partial extract of the original cable\..*$", re.M)


def is_wikileaks_page(head: str) -> bool:
    return "<title>Cable Viewer</title>" in head or "table class='cable'" in head


@dataclass(frozen=True)
class Page:
    doc_id: str
    created: str  # ISO 8601, minutes
    released: str | None
    classification: str
    origin: str
    subject: str
    header_text: str
    body_text: str


def read_page(path: Path) -> Page:
    """The fields of one cable-viewer page, markup removed."""
    page = path.read_text(encoding="utf-8")
    table = TABLE_RE.search(page)
    pres = PRE_RE.findall(page)
    if not table or not pres:
        raise NotACable("a WikiLeaks page without a cable table or body")
    cells = [_plain(cell).strip() for cell in CELL_RE.findall(table.group(1))]
    if len(cells) < 5:
        raise NotACable("a WikiLeaks cable table without its five fields")
    doc_id, created, released, classification, origin = cells[:5]
    title = TITLE_RE.search(page)
    header_text, body_text = (pres[0], pres[-1]) if len(pres) > 1 else ("", pres[0])
    return Page(
        doc_id=doc_id,
        created=_iso(created),
        released=_iso(released) if released else None,
        classification=classification,
        origin=origin,
        subject=" ".join(_plain(title.group(1)).split()) if title else "",
        header_text=_plain(header_text),
        body_text=_plain(body_text),
    )


def read_file(path: Path) -> Cable:
    page = read_page(path)
    header = Header()
    parse_transmission(page.header_text, header)
    return assemble(
        page.body_text,
        source=str(path),
        header=header,
        doc_id=page.doc_id,
        subject=page.subject,
        date=page.created,
        released=page.released,
        origin=page.origin,
        classification=page.classification,
    )


def _plain(fragment: str) -> str:
    """Markup-free text: paragraph anchors dropped, other tags unwrapped, entities decoded."""
    text = TAG_RE.sub("", ANCHOR_RE.sub("", fragment))
    return PARTIAL_EXTRACT_RE.sub("", html.unescape(text))


def _iso(stamp: str) -> str:
    return stamp.strip().replace(" ", "T")
