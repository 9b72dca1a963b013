"""The full cable dump `cables.csv` released in 2011, streamed row by row.

No header row; eight double-quoted columns: row id, date (`M/D/YYYY H:MM`), reference
ID, origin, classification, references (comma-separated IDs), transmission header,
body. Bodies span many lines, and the real file is 1.6 GB, so it is never held in
memory: each row becomes a cable as soon as the csv module has read it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from cableqa.header import Header, parse_transmission
from cableqa.readers.assemble import NotACable, assemble
from cableqa.types import Cable

COLUMNS = 8
FIELD_LIMIT = 64 * 1024 * 1024  # the longest cable bodies exceed the csv module's default limit
FIRST_ROW_RE = re.compile(r'^"\d+","\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}","')


def is_cable_dump(head: str) -> bool:
    return bool(FIRST_ROW_RE.match(head))


def read_file(
    path: Path, on_skip: Callable[[str, str], None], on_bytes: Callable[[int], None] | None = None
) -> Iterator[Cable]:
    """Yield one cable per row; a row that cannot be read is reported to `on_skip` as `path#row`.

    After each row, `on_bytes(offset)`: how far into the file the rows read so far reach (to the
    next 8 KB; the text layer reads ahead), so that progress through a 1.6 GB dump can be shown.
    """
    csv.field_size_limit(FIELD_LIMIT)
    with path.open("rb") as binary:
        stream = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        rows = csv.reader(stream, strict=True)
        number = 0
        while True:
            number += 1
            try:
                row = next(rows)
            except StopIteration:
                return
            except csv.Error as error:  # the file ends inside a quoted field, or is not CSV at all
                on_skip(f"{path}#{number}", f"truncated or malformed row ({error})")
                return
            except UnicodeDecodeError:
                on_skip(f"{path}#{number}", "not UTF-8 text")
                return
            source = f"{path}#{row[0] if row and row[0].isdigit() else number}"
            try:
                yield _cable(row, source)
            except NotACable as skip:
                on_skip(source, str(skip))
            if on_bytes is not None:
                on_bytes(binary.tell())


def _cable(row: list[str], source: str) -> Cable:
    if len(row) != COLUMNS:
        raise NotACable(f"truncated or malformed row ({len(row)} of {COLUMNS} columns)")
    _row_id, date, doc_id, origin, classification, references, header_text, body_text = row
    header = Header()
    parse_transmission(header_text, header)
    return assemble(
        body_text,
        source=source,
        header=header,
        doc_id=doc_id.strip(),
        date=_iso(date),
        origin=origin.strip(),
        classification=classification.strip(),
        listed_references=references.split(","),
    )


def _iso(date: str) -> str:
    try:
        return datetime.strptime(date.strip(), "%m/%d/%Y %H:%M").strftime("%Y-%m-%dT%H:%M")
    except ValueError as error:
        raise NotACable(f"unreadable date {date!r}") from error
