"""Cable text as terminal content that is shown literally, never interpreted.

Cables are untrusted text: "[red]" must not turn red and "\\x1b[2J" must not clear
the screen. Every piece of cable text reaches the screen through `literal`, which
builds a `Content` object from the plain string (no markup parsing) after replacing
each control character with its visible Unicode "control picture" one for one, so
offsets from the API (`Hit.highlights`, `Hit.excerpt_start`) still line up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from textual.content import Content

# C0 controls except tab and newline, DEL and the C1 block (which includes CSI, 0x9b).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␛ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def printable(text: str) -> str:
    """`text` with every control character replaced by one visible character."""
    return _CONTROL.sub(_picture, text)


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
