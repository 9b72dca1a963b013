"""Cable text made inert for a terminal: shown, never interpreted.

Cables (and the names of the files they come from) are untrusted: "\\x1b[2J" must not
clear the screen nor "\\x1b]0;...\\x07" set the window title. Each control character
is replaced by one visible character, so offsets into the text (`Hit.highlights`)
still line up: C0 controls by their Unicode "control picture" (ESC → ␛), DEL by ␡,
the C1 block (CSI, 0x9b, included) and lone surrogates (undecodable file-name bytes) by �.
Newline and tab are kept.

JSON output must stay exact instead: `printable_json` writes the same characters as
JSON escapes, which a terminal shows as text and a JSON reader turns back into them.
"""

from __future__ import annotations

import json
import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\ud800-\udfff]")
# What `json.dumps(ensure_ascii=False)` leaves raw: it escapes C0 itself, but not DEL, C1 or lone surrogates.
_RAW_IN_JSON = re.compile(r"[\x7f-\x9f\ud800-\udfff]")


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


def printable_json(data: object, *, indent: int | None = 2) -> str:
    """`data` as JSON, other scripts left readable, with every control character written as its `\\u` escape."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
