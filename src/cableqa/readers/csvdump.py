"""The full cable dump `cables.csv` released in 2011, streamed row by row.

No header row; eight double-quoted columns: row id, date (`M/D/YYYY H:MM`), reference
ID, origin, classification, references (comma-separated IDs), transmission header,
body. Bodies span many lines, and the real file is 1.6 GB, so it is never held in
memory: each row becomes a cable as soon as it has been read.

The real file is not clean, and one bad row must cost that row only. Every row starts a
line with `"N","M/D/YYYY H:MM","`, which no well-quoted field can hold (its quotes are
doubled), so the file is cut at those row starts into stretches of one row each, and each
stretch is decoded and parsed by the csv module on its own. Its records are rows when
all of them are whole: UTF-8, no NUL byte, eight columns, no stray quote. Otherwise the
stretch is skipped with one warning that names its row and byte offset, and reading goes
on at the next row start. (A row whose own start is garbled shares a stretch with the row
before it; the csv module's record boundaries still part the two when both are whole.)
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from cableqa.header import Header, parse_transmission
from cableqa.readers.assemble import NotACable, assemble
from cableqa.types import Cable

COLUMNS = ("row id", "date", "reference ID", "origin", "classification", "references", "header", "body")
# A row longer than this is skipped. The longest cable bodies exceed the csv module's default
# field limit (128 KB); 64 MB bounds the memory one row can take.
ROW_LIMIT = 64 * 1024 * 1024
LINE_PIECE = 1024 * 1024  # a file with no line breaks is read a megabyte at a time, never whole
ROW_START_RE = re.compile(rb'"(\d+)","\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}","')
LINE_ROW_START_RE = re.compile(rb"\n" + ROW_START_RE.pattern)


class _Unreadable(Exception):
    """A stretch of the file that is not whole rows; `str(error)` says why."""


def is_cable_dump(head: bytes) -> bool:
    """The start of a file is a dump's when it starts with a row (after a byte-order mark), or,
    its first row being damaged, when a later line of it does."""
    return bool(ROW_START_RE.match(head.removeprefix(codecs.BOM_UTF8)) or LINE_ROW_START_RE.search(head))


def read_file(
    path: Path, on_skip: Callable[[str, str], None], on_bytes: Callable[[int], None] | None = None
) -> Iterator[Cable]:
    """Yield one cable per row; a row that cannot be read is reported to `on_skip` as `path#row id`.

    A reference ID that an earlier row of the file has already given is skipped too (the first
    row is kept: a streaming reader can take back no cable it has given), naming both rows.
    After each row, `on_bytes(offset)`: how far into the file reading has got, so that progress
    through a 1.6 GB dump can be shown.
    """
    csv.field_size_limit(ROW_LIMIT)
    first_row_of: dict[str, tuple[str, int]] = {}  # reference ID -> (row id, byte offset) of the row that gave it
    rows_read = 0
    with path.open("rb") as binary:
        for start, stretch_row_id, data in _stretches(binary):
            try:
                rows = _rows(data, start)
            except _Unreadable as error:
                rows_read += 1
                why = str(error) if stretch_row_id else f"not a cables.csv row: {error}"
                on_skip(f"{path}#{stretch_row_id or rows_read}", f"row at byte {start}: {why}")
                rows = []
            for offset, row in rows:
                rows_read += 1
                row_id = row[0] if row[0].isdigit() else str(rows_read)
                try:
                    cable = _cable(row, f"{path}#{row_id}")
                    first_id, first_offset = first_row_of.setdefault(cable.doc_id, (row_id, offset))
                    if first_offset != offset:
                        raise NotACable(
                            f"its reference ID {cable.doc_id!r} is row {first_id}'s too (at byte {first_offset});"
                            " the first row is kept"
                        )
                except NotACable as skip:
                    on_skip(f"{path}#{row_id}", f"row at byte {offset}: {skip}")
                    continue
                yield cable
            if on_bytes is not None:
                on_bytes(binary.tell())


def _stretches(binary: BinaryIO) -> Iterator[tuple[int, str | None, bytes | None]]:
    """(byte offset, row id, bytes) of each stretch of the file from one row start to the next.

    The row id is None where the file does not start with a row. A stretch over ROW_LIMIT is
    measured but not kept: its bytes are None.
    """
    start = len(codecs.BOM_UTF8) if binary.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8 else 0
    binary.seek(start)
    lines, size, at_line_start, row_id = [], 0, True, None
    while line := binary.readline(LINE_PIECE):
        if at_line_start and line[:1] == b'"' and (row_start := ROW_START_RE.match(line)):
            if size:
                yield start, row_id, b"".join(lines) if size <= ROW_LIMIT else None
                start, lines, size = start + size, [], 0
            row_id = row_start[1].decode()
        size += len(line)
        if size <= ROW_LIMIT:
            lines.append(line)
        else:
            lines.clear()
        at_line_start = line[-1:] == b"\n"
    if size:
        yield start, row_id, b"".join(lines) if size <= ROW_LIMIT else None


def _rows(data: bytes | None, start: int) -> list[tuple[int, list[str]]]:
    """(byte offset, columns) of each row in a stretch that starts at byte `start` of the file;
    raises `_Unreadable` unless every record in it is a whole row."""
    if data is None:
        raise _Unreadable(f"over {ROW_LIMIT // 1024 // 1024} MB")
    if b"\0" in data:
        where = data.index(b"\0")
        raise _Unreadable(f"a NUL byte in the {_column_at(data, where)} (byte {start + where})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        where = error.start
        raise _Unreadable(
            f"not UTF-8 text: byte 0x{data[where]:02x} in the {_column_at(data, where)} (byte {start + where})"
        ) from None
    records = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, first_line = [], 0
    try:
        for record in records:
            if record:  # a blank line between rows is nothing
                rows.append((first_line, record))
            first_line = records.line_num
    except csv.Error as error:
        raise _Unreadable(f"truncated or malformed ({error})") from None
    for _, record in rows:
        if len(record) != len(COLUMNS):
            raise _Unreadable(f"truncated or malformed ({len(record)} of {len(COLUMNS)} columns)")
    if len(rows) == 1:
        return [(start, rows[0][1])]
    lines = io.StringIO(text, newline="").readlines()
    return [(start + len("".join(lines[:line]).encode()), record) for line, record in rows]


def _column_at(data: bytes, position: int) -> str:
    """The name of the column that byte `position` of a stretch falls in."""
    try:
        *_, last = csv.reader(io.StringIO(data[:position].decode("utf-8", "replace"), newline=""))
    except (ValueError, csv.Error):  # nothing before it, or not CSV
        last = [""]
    column = len(last)
    return COLUMNS[column - 1] if 1 <= column <= len(COLUMNS) else f"column {column}"


def _cable(row: list[str], source: str) -> Cable:
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
