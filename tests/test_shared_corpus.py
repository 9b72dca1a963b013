"""Every cable of the shared WikiLeaks corpus parses, with its table's metadata and clean sections.

Skipped on a clone without ../shared beside it.
"""

import html
import re
from pathlib import Path

import pytest

import cableqa

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "cablegate-html"
PAGES = sorted(CORPUS.rglob("*.html")) if CORPUS.is_dir() else []
TABLE_CELL_RE = re.compile(r"<td>\s*<a [^>]*>(.*?)</a>\s*</td>", re.S)
TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>")

pytestmark = pytest.mark.skipif(not PAGES, reason="the shared corpus is not beside this clone")


def table_of(page: Path) -> dict:
    """The page's metadata table, read independently of the reader."""
    text = page.read_text(encoding="utf-8")
    table = text[text.index("<table class='cable'>") :]
    cells = [html.unescape(cell).strip() for cell in TABLE_CELL_RE.findall(table)[:5]]
    doc_id, created, released, classification, origin = cells
    return {
        "doc_id": doc_id,
        "date": created.replace(" ", "T"),
        "released": released.replace(" ", "T"),
        "classification": classification,
        "origin": origin,
    }


def test_all_shared_cables_parse_with_their_table_metadata_and_clean_sections():
    skipped = []
    cables = {Path(cable.source): cable for cable in cableqa.read(CORPUS, on_skip=lambda *skip: skipped.append(skip))}
    assert skipped == []
    assert len(cables) == len(PAGES) == 1295
    for page in PAGES:
        cable = cables[page]
        assert {
            key: getattr(cable, key) for key in ("doc_id", "date", "released", "classification", "origin")
        } == table_of(page)
        assert cable.sections, cable.doc_id
        for section in cable.sections:
            assert section.text.strip(), section.id
            assert section.text == cable.body[section.start : section.end], section.id
            assert not TAG_RE.search(section.text), (section.id, TAG_RE.search(section.text).group())
            assert html.unescape(section.text) == section.text, section.id  # no entity left to decode
            assert "partial extract of the original cable" not in section.text, section.id
