"""Read cables from files and folders, whatever their format.

Formats are detected per file: the WikiLeaks 2010 cable viewer's HTML, news-site
pages carrying a cable (HTML from any site, or saved as text like the seed), plain-text cables and the 2011 `cables.csv` dump. A file that
is not a cable is skipped and reported to `on_skip(source, reason)`, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from cableqa.errors import CableQAError
from cableqa.files import visible_files
from cableqa.readers import csvdump, newspage, plaintext, wikileaks
from cableqa.readers.assemble import NotACable
from cableqa.types import Cable

SNIFF_BYTES = 8192
# `holds_cables` tries this many files of a folder: enough to tell a folder of cables, given as
# an index by mistake, from notes or an empty folder.
FILES_TRIED = 10
log = logging.getLogger("cableqa")

SkipHandler = Callable[[str, str], None]


def read(
    path: str | Path, *, on_skip: SkipHandler | None = None, on_bytes: Callable[[int], None] | None = None
) -> Iterator[Cable]:
    """Yield the cables in a file, or in every file under a folder (walked in sorted order).

    Skipped files and rows go to `on_skip(source, reason)`; by default a one-line warning
    on the "cableqa" logger. A path that does not exist raises `CableQAError`.
    Inside a cable dump, `on_bytes(offset)` follows how far into the file reading has got.
    """
    path = Path(path)
    if not path.exists():
        raise CableQAError(f"{path}: no such file or folder")
    report = on_skip or _warn
    for file in visible_files(path, report):
        try:
            yield from read_file(file, on_skip=report, on_bytes=on_bytes)
        except NotACable as skip:
            report(str(file), str(skip))


def read_file(path: Path, *, on_skip: SkipHandler, on_bytes: Callable[[int], None] | None = None) -> Iterator[Cable]:
    """The cables in one file; raises `NotACable` for a file that holds none."""
    start = _start(path)
    if csvdump.is_cable_dump(start) or path.suffix.lower() == ".csv":  # a bad byte in a dump costs one row
        yield from csvdump.read_file(path, on_skip, on_bytes)
        return
    head = _as_text(start)
    if head.lstrip().startswith("<") and "<html" in head.lower():
        if wikileaks.is_wikileaks_page(head):
            yield wikileaks.read_file(path)
        else:
            yield newspage.read_html(path, _read_text(path))
        return
    text = _read_text(path)
    if newspage.is_news_page(text):
        yield newspage.read_file(path, text)
    else:
        yield plaintext.read_file(path, text)


def holds_cables(path: str | Path) -> bool:
    """Whether a file, or one of the first `FILES_TRIED` files under a folder, holds a cable."""
    for file in visible_files(Path(path))[:FILES_TRIED]:
        try:
            if next(read_file(file, on_skip=lambda source, reason: None), None) is not None:
                return True
        except (NotACable, OSError):
            continue
    return False


def _start(path: Path) -> bytes:
    """The first SNIFF_BYTES of the file; raises `NotACable` for an empty file or one that cannot be read."""
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
    except OSError as error:
        raise NotACable(f"cannot read ({error.strerror})") from error
    if not head.strip():
        raise NotACable("empty file")
    return head


def _as_text(head: bytes) -> str:
    """The start of a file that is not a dump, as text; raises `NotACable` for binary or non-UTF-8 files."""
    if b"\0" in head:
        raise NotACable("binary file")
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not merely a character cut at the sniff boundary
            raise NotACable("not UTF-8 text") from error
        return head[: error.start].decode("utf-8")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise NotACable("not UTF-8 text") from error


def _warn(source: str, reason: str) -> None:
    log.warning("skipped %s: %s", source, reason)
