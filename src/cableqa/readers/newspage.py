"""Cables republished on news sites: a saved page (HTML, from any site) or its text, like the seed.

A page's article is found by `cableqa.article` (Readability, with no rule for any one site).
A page saved as text (the seed is a Scoop page saved so) has no markup to tell the article
from the page, so furniture is told by what it says: a line standing alone that is a
news-site prompt (advertisement, newsletter, subscription, paywall, "learn more"), in words
news sites share, and everything from the page's copyright line on. The title "Cablegate:
<subject>" (the leak's name, as sites title these pages) gives the subject.
"""

from __future__ import annotations

import re
from pathlib import Path

from cableqa.article import read_page
from cableqa.header import Header, parse_transmission
from cableqa.readers.assemble import NotACable, assemble
from cableqa.readers.plaintext import looks_like_cable
from cableqa.types import Cable

TITLE_RE = re.compile(r"^\s*Cablegate:\s*(.+?)\s*$", re.M)
COPYRIGHT_RE = re.compile(r"^\s*(?:©|\(c\)|Copyright\b)", re.I)
# Prompts news sites put between an article's paragraphs, in words they share; a cable line saying
# the same stands inside its hard-wrapped paragraph, never alone. "Classified website" is the posts'
# own trailer, a link to their intranet site that republished copies mangle, not the cable's text.
FURNITURE_RE = re.compile(
    r"\b(?:advertisement|subscribe|newsletter|paywall|sign up|learn more|read more|share this|cookies"
    r"|classified website)\b",
    re.I,
)
PARAGRAPH_MARK_RE = re.compile(r"^\s*\d{1,3}\.\s")


def is_news_page(head: str) -> bool:
    """A page saved as text: its title names the leak, or it carries a site's copyright line."""
    return bool(TITLE_RE.search(head)) or any(COPYRIGHT_RE.match(line) for line in head.splitlines())


def read_file(path: Path, text: str) -> Cable:
    """A news page saved as text."""
    title = TITLE_RE.search(text)
    return _cable(path, _article_lines(text), title.group(1) if title else None)


def read_html(path: Path, html: str) -> Cable:
    """A news page saved as HTML, from any site; `NotACable` when its article carries no cable."""
    page = read_page(html)
    if not page.text.strip() or not looks_like_cable(page.text):
        raise NotACable("an HTML page that carries no cable")
    title = TITLE_RE.search(page.title)
    return _cable(path, _article_lines(page.text), title.group(1) if title else None)


def _cable(path: Path, body_text: str, subject: str | None) -> Cable:
    header = Header()
    parse_transmission(body_text, header)
    return assemble(body_text, source=str(path), header=header, fallback_id=path.stem, subject=subject)


def _article_lines(text: str) -> str:
    """The page's text less its furniture: lone prompt lines, the title, and all from the copyright line on."""
    lines = text.splitlines()
    kept = []
    for number, line in enumerate(lines):
        if COPYRIGHT_RE.match(line):
            break
        if TITLE_RE.match(line) or (_stands_alone(lines, number) and _is_furniture(line)):
            continue
        kept.append(line)
    return "\n".join(kept)


def _stands_alone(lines: list[str], number: int) -> bool:
    before = number == 0 or not lines[number - 1].strip()
    after = number + 1 == len(lines) or not lines[number + 1].strip()
    return before and after


def _is_furniture(line: str) -> bool:
    return not PARAGRAPH_MARK_RE.match(line) and bool(FURNITURE_RE.search(line))
