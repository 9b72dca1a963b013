"""An article's check as people read it: a table for the terminal, Markdown for an editor's notes.

The text returned is raw (quotations and cable text as written): every front end passes it
through its own inert gate (`cli.say`, `tui.literal`).
"""

from __future__ import annotations

import textwrap

from cableqa.alignment import Difference
from cableqa.check import ArticleCheck, NamedCable, QuoteCheck
from cableqa.types import paragraph_range
from cableqa.wording import count

VERDICTS = {"verbatim": "verbatim", "altered": "altered", "not_found": "not found"}
TABLE_WIDTH_MIN = 60  # narrower terminals get this width: wrapping into 2-character columns helps no one
VERDICT_COLUMN = 10


def summary(check: ArticleCheck) -> str:
    """`5 quotations: 3 verbatim, 1 altered, 1 not found; cables named: 09PARIS410 (indexed)`."""
    counts = check.counts()
    if not check.quotes:
        line = "No quotation of 4 words or more in the text"
    else:
        parts = ", ".join(f"{counts[status]} {VERDICTS[status]}" for status in counts if counts[status])
        line = f"{count(len(check.quotes), 'quotation')}: {parts}"
    if check.cables_named:
        line += "; cables named: " + ", ".join(_named(cable) for cable in check.cables_named)
    return line


def _named(cable: NamedCable) -> str:
    return f"{cable.doc_id} ({'indexed' if cable.indexed else 'not indexed'})"


def where(quote: QuoteCheck) -> str:
    """`09PARIS410 ¶2`, and whether the article names it; for a quotation not found, the nearest passage."""
    passage = quote.passage
    if passage is None:
        return "nothing near it in the index"
    cited = f"{passage.doc_id} {paragraph_range(passage.paragraphs)}".strip()
    if quote.status == "not_found":
        return f"nearest, not a match: {cited}"
    return cited + (" · named in the article" if quote.named_in_article else "")


def difference_text(difference: Difference) -> str:
    """One difference in words: `"British" where the cable has "American"`."""
    if difference.kind == "changed":
        return f"“{difference.quote}” where the cable has “{difference.cable}”"
    if difference.kind == "added":
        return f"adds “{difference.quote}”"
    if difference.kind == "dropped":
        return f"leaves out “{difference.cable}”"
    return f"joins passages the cable has apart (between them: “{difference.cable}”)"


def table(check: ArticleCheck, width: int = 100) -> str:
    """One row a quotation: number, verdict, the quotation (wrapped), and where it is; the differences
    of an altered quotation and the cable's own words below it."""
    width = max(width, TABLE_WIDTH_MIN)
    number_width = len(str(len(check.quotes))) + 1
    indent = number_width + 1 + VERDICT_COLUMN + 1
    text_width = width - indent
    lines = [summary(check)]
    for number, quote in enumerate(check.quotes, start=1):
        lines.append("")
        quoted = textwrap.wrap(f"“{' '.join(quote.quote.text.split())}”", text_width) or ["“”"]
        head = f"{number:>{number_width}} {VERDICTS[quote.status]:<{VERDICT_COLUMN}} "
        lines.append(head + quoted[0])
        lines += [" " * indent + line for line in quoted[1:]]
        details = [where(quote)]
        if quote.passage is not None and quote.status != "verbatim":
            details.append(f"cable: “{quote.passage.text}”")
        details += [difference_text(difference) for difference in quote.differences]
        for detail in details:
            wrapped = textwrap.wrap(detail, text_width - 2) or [""]
            lines += [" " * indent + "· " + wrapped[0]] + [" " * (indent + 2) + line for line in wrapped[1:]]
    return "\n".join(lines)


def markdown(check: ArticleCheck) -> str:
    """The article's quotations, each followed by its citation, ready to paste into an editor's notes."""
    parts = ["# Quotations checked against the cables", "", summary(check) + "."]
    for quote in check.quotes:
        parts += ["", f"> {' '.join(quote.quote.text.split())}", ""]
        parts += _markdown_verdict(quote)
    return "\n".join(parts) + "\n"


def _markdown_verdict(quote: QuoteCheck) -> list[str]:
    passage = quote.passage
    if quote.status == "not_found":
        lines = ["**Not found** in the indexed cables."]
        if quote.nearest:
            lines += ["", "Nearest passages (not a match):"]
            lines += [f"- {near.citation}: “{near.text}”" for near in quote.nearest]
        return lines
    named = " (named in the article)" if quote.named_in_article else ""
    lines = [f"**{VERDICTS[quote.status].capitalize()}** · {passage.citation}{named}", "", f"Cable: “{passage.text}”"]
    if quote.differences:
        lines += ["", "Differences:"] + [f"- {difference_text(difference)}" for difference in quote.differences]
    return lines
