"""Cable text made inert for a terminal: shown, never interpreted.

Cables (and the names of the files they come from) are untrusted: "\\x1b[2J" must not
clear the screen nor "\\x1b]0;...\\x07" set the window title. Each control character
is replaced by one visible character, so offsets into the text (`Hit.highlights`)
still line up: C0 controls by their Unicode "control picture" (ESC → ␛), DEL by ␡,
the C1 block (CSI, 0x9b, included) and lone surrogates (undecodable file-name bytes) by �.
Newline and tab are kept.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\ud800-\udfff]")


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
