"""An article's own text from a saved web page of any site: what a reader of the page reads.

Readability (Mozilla's algorithm, in readability-lxml) finds the article among the page's
furniture by what its blocks hold (text, commas, links, class names), with no rule for any
one site; navigation, comments, captions, share buttons and ads are left out. On the
five real pages of `../shared/news-pages` it keeps 0.88-1.0 of the words Mozilla's own
Readability keeps and adds none that it leaves out (tests/test_article.py); the words it
misses are image captions. The article is then written as text: a blank line between
blocks, block quotes as Markdown `>` lines (so `quotes.find_quotes` reads them), the lines
of `<pre>` (a cable's hard-wrapped telegram) as they are.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

# A page: it opens (after blanks, a byte-order mark, an XML declaration or comments) with a doctype or a
# document element, or names <html> or <body> near its start.
HTML_OPENING = re.compile(
    r"\A[\s\ufeff]*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
SNIFF_CHARACTERS = 4096
BLOCK_TAGS = frozenset(
    "address article aside body center dd details dialog div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5"
    " h6 header hgroup hr li main nav ol p section summary table tbody td tfoot th thead tr ul".split()
)
UNREAD_TAGS = frozenset("head script style noscript template".split())  # text no reader of the page sees


# readability-lxml logs a traceback before it raises on a page with no document; the raise is ours to report.
logging.getLogger("readability").propagate = False
logging.getLogger("readability").addHandler(logging.NullHandler())
UNTITLED = "[no-title]"  # what readability-lxml calls a page without a title


@dataclass(frozen=True)
class Page:
    title: str
    text: str


def is_html(text: str) -> bool:
    """Whether `text` is a web page rather than plain text or Markdown."""
    head = text[:SNIFF_CHARACTERS]
    if HTML_OPENING.match(head):
        return True
    return head.lstrip("\ufeff \t\r\n").startswith("<") and bool(re.search(r"<(?:html|body)\b", head, re.I))


def read_page(html: str) -> Page:
    """The page's title and its article's text (empty when the page has none)."""
    import lxml.html
    from lxml.etree import ParserError
    from readability import Document
    from readability.readability import Unparseable

    if not html.strip():
        return Page("", "")
    try:
        document = Document(_without_declaration(html))
        summary = document.summary(html_partial=True)
        title = document.title() or ""
        title = "" if title == UNTITLED else title
        tree = lxml.html.fromstring(summary)
    except (Unparseable, ParserError, ValueError):  # nothing that parses as a document: no article
        return Page("", "")
    blocks: list[str] = []
    _blocks(tree, blocks, "")
    return Page(" ".join(title.split()), "\n\n".join(blocks))


def article_text(html: str) -> str:
    """The text of the article a web page carries."""
    return read_page(html).text


def _without_declaration(html: str) -> str:
    """lxml refuses a str that declares its encoding (`<?xml ... encoding=...?>`): the text is decoded already."""
    return re.sub(r"\A([\s\ufeff]*)<\?xml[^>]*>", r"\1", html, count=1)


def _blocks(element, out: list[str], prefix: str) -> None:
    """Append the text blocks of `element` to `out`, each line after `prefix` ("> " in block quotes)."""
    inline: list[str] = [element.text or ""]

    def flush() -> None:
        text = " ".join("".join(inline).split())
        if text:
            out.append(prefix + text)
        inline.clear()

    for child in element:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "pre":
            flush()
            lines = child.text_content().strip("\n").splitlines()
            if any(line.strip() for line in lines):
                out.append("\n".join(prefix + line.rstrip() for line in lines))
        elif tag == "blockquote":
            flush()
            _blocks(child, out, prefix + "> ")
        elif tag == "br":
            inline.append(" ")
        elif tag in BLOCK_TAGS:
            flush()
            _blocks(child, out, prefix)
        elif tag and tag not in UNREAD_TAGS:  # inline markup: its words join the block's
            inline.append(child.text_content())
        inline.append(child.tail or "")  # after a comment, a script or any element, the text goes on
    flush()
