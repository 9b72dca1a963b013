"""Cable text as terminal content that is shown literally, never interpreted.

Cables are untrusted text: "[red]" must not turn red and "\\x1b[2J" must not clear
the screen. Every piece of cable text reaches the screen through `literal`, which
builds a `Content` object from the plain string (no markup parsing) after replacing
each control character with a visible one, one for one (`cableqa.inert.printable`,
shared with the CLI), so offsets from the API (`Hit.highlights`, `Hit.excerpt_start`) still line up.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content

from cableqa.inert import printable


def literal(
    text: str,
    style: str = "",
    spans: Iterable[tuple[int, int]] = (),
    span_style: str = "",
) -> Content:
    """Plain `text` as Content, optionally styled, with `spans` (offsets into `text`) marked."""
    content = Content.styled(printable(text), style, strip_control_codes=False)
    for start, end in spans:
        content = content.stylize(span_style, start, end)
    return content


def one_line(text: str) -> str:
    """`text` with runs of whitespace (newlines included) collapsed to one space."""
    return " ".join(text.split())
