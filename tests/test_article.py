"""An article's text from a saved web page of any site (`cableqa.article`), and news pages carrying a cable."""

import difflib
import re
import shutil

import lxml.html
import pytest
from conftest import FIXTURES

import cableqa
from cableqa.article import is_html, read_page

PAGES = FIXTURES / "news-pages"
# Words a reader sees around the article on each page (navigation, comment counts, sign-in), never in it.
FURNITURE = {
    "bbc-1": ["BBC navigation", "View comments"],
    "telegraph": ["My newsletters", "Subscribe - 30 days free"],
    "wapo-1": ["Sign In Username", "PostTV"],
}


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@pytest.mark.parametrize("site", sorted(FURNITURE))
def test_the_article_text_is_what_readability_extracts(site):
    page = read_page((PAGES / site / "source.html").read_text(encoding="utf-8"))
    expected = words(lxml.html.fromstring((PAGES / site / "expected.html").read_text(encoding="utf-8")).text_content())
    got = words(page.text)
    matched = sum(
        block.size for block in difflib.SequenceMatcher(None, expected, got, autojunk=False).get_matching_blocks()
    )
    assert matched / len(expected) >= 0.97 and matched / len(got) >= 0.97, (matched, len(expected), len(got))
    flat = " ".join(page.text.split())
    assert not [furniture for furniture in FURNITURE[site] if furniture in flat]
    assert page.title


def test_block_quotes_become_markdown_block_quotes_and_pre_keeps_its_lines():
    page = read_page(
        "<html><body><article><p>A first paragraph, long enough to be the article's own text, with commas, and more.</p>"
        "<blockquote><p>Quoted paragraph one.</p><p>Quoted paragraph two.</p></blockquote>"
        "<pre>1. (C) A CABLE LINE\nWRAPPED AS SENT</pre></article></body></html>"
    )
    assert page.text.split("\n\n")[1:] == [
        "> Quoted paragraph one.",
        "> Quoted paragraph two.",
        "1. (C) A CABLE LINE\nWRAPPED AS SENT",
    ]


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<!DOCTYPE html><p>x</p>", True),
        ('\ufeff<?xml version="1.0" encoding="utf-8"?>\n<html><body>x</body></html>', True),
        ("<!-- saved --><html>", True),
        ("<div>x</div>\n<body>", True),
        ("The cable said <b>this</b>.", False),
        ("> a block quote, not a page", False),
        ("", False),
    ],
)
def test_pages_are_told_from_text(text, html):
    assert is_html(text) is html


def test_a_page_that_does_not_parse_has_no_article():
    assert read_page("").text == "" and read_page("<html></html>").text == ""
    assert (
        read_page('<?xml version="1.0" encoding="utf-8"?><html><body><p>Declared.</p></body></html>').text
        == "Declared."
    )


def test_a_news_page_of_any_site_carrying_a_cable_reads_as_the_cable(tmp_path):
    text = (FIXTURES / "formats" / "09PARIS119.txt").read_text(encoding="utf-8")
    page = tmp_path / "news.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>Cablegate: Leaked cable on the EU and Guantanamo</title></head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li><li>Subscribe</li></ul></nav>"
        "<article><h1>The cable</h1><p>Advertisement</p><pre>"
        + text.replace("&", "&amp;").replace("<", "&lt;")
        + "</pre>"
        "</article><section id='comments'><h2>42 comments</h2><p>First! Great leak, thanks for sharing it.</p>"
        "</section><footer>© A News Site 2010. All rights reserved.</footer></body></html>",
        encoding="utf-8",
    )
    shutil.copy(FIXTURES / "formats" / "09PARIS119.txt", tmp_path / "plain.txt")
    from_page, from_text = sorted(cableqa.read(tmp_path), key=lambda cable: cable.source)
    assert from_page.source.endswith("news.html")
    assert (from_page.doc_id, from_page.body, from_page.origin) == (from_text.doc_id, from_text.body, from_text.origin)
    assert from_page.subject == "Leaked cable on the EU and Guantanamo"
    assert "comments" not in from_page.body and "Advertisement" not in from_page.body
