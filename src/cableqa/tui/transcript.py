"""The conversation as Markdown, for the "Export conversation" command."""

from __future__ import annotations

from collections.abc import Sequence

from cableqa.tui.literal import one_line, printable
from cableqa.types import Answer, Hit
from cableqa.wording import excluded_by_filters, verdict_line


def _quote(hit: Hit) -> str:
    return f"> {printable(one_line(hit.excerpt))}\n>\n> — {printable(hit.citation)} (score {hit.score:.2f})"


def conversation_markdown(answers: Sequence[Answer]) -> str:
    """Each question as a heading, then its cited excerpts as block quotes."""
    parts = ["# cableqa conversation\n"]
    for answer in answers:
        parts.append(f"## {printable(one_line(answer.question))}\n")
        if not answer.hits:
            excluded = excluded_by_filters(answer)
            parts.append(
                f"{excluded}.\n" if excluded else "Nothing in the cables answers this, and no passage came close.\n"
            )
            continue
        if answer.verdict == "answer":
            top, *rest = answer.hits
            parts.append(_quote(top) + "\n")
            if rest:
                parts.append("Also relevant:\n")
        else:
            rest = list(answer.hits)
            parts.append(verdict_line(answer) + "\n")
        parts.extend(_quote(hit) + "\n" for hit in rest)
    return "\n".join(parts)
