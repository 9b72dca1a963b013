"""The 2010 WikiLeaks cable viewer: one HTML page per cable.

The metadata table (`table.cable`) gives Reference ID, Created, Released,
Classification and Origin; two `<pre>` blocks hold the transmission header and the body.
Pages are parsed with an HTML parser, never searched with patterns over the markup:
lxml (libxml2), which stays linear in the page whatever its markup, since it stops
nesting at 256 levels (an HTML5 parser checks the stack of open elements at each tag,
and 80,000 unclosed `<pre>` take it minutes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cableqa.header import Header, parse_transmission
from cableqa.readers.assemble import NotACable, assemble
from cableqa.types import Cable

TITLE_RE = re.compile(r"Viewing cable [^,]+, (.*)", re.S)
PARTIAL_EXTRACT_RE = re.compile(r"^\s*This record is a partial extract of the original cable\..*$", re.M)
TABLE_FIELDS = 5  # Reference ID, Created, Released, Classification, Origin


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
    import lxml.etree
    import lxml.html

    try:
        text = path.read_text(encoding="utf-8")  # strict: bytes, to lxml, because pages declare their encoding
        page = lxml.html.document_fromstring(text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except UnicodeDecodeError:
        raise NotACable("not UTF-8 text") from None
    except (lxml.etree.ParserError, ValueError) as error:
        raise NotACable(f"unreadable HTML ({error})") from None
    table = next(iter(page.xpath("//table[@class='cable']")), None)
    pres = page.xpath("//pre")
    if table is None or not pres:
        raise NotACable("a WikiLeaks page without a cable table or body")
    cells = [_plain(cell).strip() for cell in table.xpath(".//td[not(@*)]")]  # not the colspan row
    if len(cells) < TABLE_FIELDS:
        raise NotACable("a WikiLeaks cable table without its five fields")
    doc_id, created, released, classification, origin = cells[:TABLE_FIELDS]
    title = next(filter(None, (TITLE_RE.match(heading.text_content()) for heading in page.xpath("//h3"))), None)
    header, body = (pres[0], pres[-1]) if len(pres) > 1 else (None, pres[0])
    return Page(
        doc_id=doc_id,
        created=_iso(created),
        released=_iso(released) if released else None,
        classification=classification,
        origin=origin,
        subject=" ".join(title.group(1).split()) if title else "",
        header_text=_plain(header) if header is not None else "",
        body_text=_plain(body),
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


def _plain(element) -> str:
    """An element's text: paragraph anchors (`<a id='par3'>¶</a>`) dropped, other tags unwrapped, entities decoded."""
    for anchor in element.xpath(".//a[starts-with(@id, 'par')]"):
        if anchor.text_content() == "¶":
            anchor.drop_tree()  # keeps the text after it
    return PARTIAL_EXTRACT_RE.sub("", element.text_content())


def _iso(stamp: str) -> str:
    return stamp.strip().replace(" ", "T")
