"""Cables republished on news sites, like the seed (a Scoop "Cablegate:" page saved as text).

Everything the site added (ads, paywall and newsletter blurbs, headline lists) goes;
every line of the cable stays. The page title "Cablegate: <subject>" gives the subject.
"""

from __future__ import annotations

import re
from pathlib import Path

from cableqa.header import Header, parse_transmission
from cableqa.readers.assemble import assemble
from cableqa.types import Cable

TITLE_RE = re.compile(r"^\s*Cablegate:\s*(.+?)\s*$", re.M)
BOILERPLATE_RES = tuple(
    re.compile(pattern)
    for pattern in (
        r"^Scoop has an Ethical Paywall$",
        r"^Work smarter with a Pro licence\b",
        r"^Advertisement - scroll to continue reading$",
        r"^Are you getting our free newsletter\?$",
        r"^Subscribe to Scoop.*newsletter",
        r"^World Headlines$",
        r"^© Scoop Media$",
        r"^Please visit .*Classified Website\b",
        r"^Join Our Free Newsletter$",
        r"^Cablegate:\s",
    )
)


def is_news_page(head: str) -> bool:
    return bool(TITLE_RE.search(head)) or "© Scoop Media" in head


def read_file(path: Path, text: str) -> Cable:
    title = TITLE_RE.search(text)
    lines = [line for line in text.splitlines() if not _is_boilerplate(line.strip())]
    body_text = "\n".join(lines)
    header = Header()
    parse_transmission(body_text, header)
    return assemble(
        body_text,
        source=str(path),
        header=header,
        fallback_id=path.stem,
        subject=title.group(1) if title else None,
    )


def _is_boilerplate(line: str) -> bool:
    return any(pattern.search(line) for pattern in BOILERPLATE_RES)
