"""A cables.csv dump that is not clean: one bad row costs that row only (issue 19, rows 1, 2 and 12).

Every dump here is generated: the three rows of tests/fixtures/formats/cables.csv, repeated
under new row ids and reference IDs, with the bad rows written as raw bytes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import FIXTURES

import cableqa
from cableqa.readers import csvdump

FIXTURE_ROWS = list(csv.reader((FIXTURES / "formats" / "cables.csv").open(newline="", encoding="utf-8")))
ROWS = 14


def dump_rows(count: int = ROWS, first: int = 1) -> list[list[str]]:
    """`count` good rows, row ids from `first`, each with its own reference ID."""
    return [
        [str(number), row[1], f"{row[2]}X{number}", *row[3:]]
        for number, row in ((number, FIXTURE_ROWS[number % 3]) for number in range(first, first + count))
    ]


def row_bytes(row: list[str], newline: str = "\n") -> bytes:
    text = io.StringIO()
    csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator=newline).writerow(row)
    return text.getvalue().encode()


def write_dump(path: Path, rows: list[list[str]], bad: dict[int, bytes] | None = None, newline="\n") -> dict[int, int]:
    """Write the rows, row number N replaced by the raw bytes `bad[N]`; return each row's byte offset."""
    bad = bad or {}
    offsets, parts = {}, []
    for number, row in enumerate(rows, start=1):
        offsets[number] = sum(map(len, parts))
        parts.append(bad[number] if number in bad else row_bytes(row, newline))
    path.write_bytes(b"".join(parts))
    return offsets


def read(path: Path) -> tuple[list[cableqa.Cable], dict[str, str]]:
    """The cables read, and the skips as {"#row": reason}."""
    skipped = {}

    def skip(source: str, reason: str) -> None:
        assert source not in skipped, f"two warnings for {source}"
        skipped[source.removeprefix(str(path))] = reason

    return list(cableqa.read(path, on_skip=skip)), skipped


def stray_quote(row):  # the issue's `"7","…","C","" junk,"h","b"`: a quote inside a field, not doubled
    return row_bytes(row).replace(b'","Embassy ', b'","Embassy "', 1)


def seven_columns(row):
    return row_bytes(row[:5] + row[6:])


def nul_in_body(row):
    return row_bytes(row).replace(b"the ", b"th\0e ", 1)


def latin1_row(row):  # a row written by another tool, in latin-1
    row = [*row[:3], "Consulate São Paulo", *row[4:7], "Café. " + row[7]]
    return row_bytes(row).decode().encode("latin-1", errors="replace")


def unterminated_quote(row):  # the body's closing quote is missing (at the end of the file: it ends in the field)
    return row_bytes(row).rstrip(b'"\n') + b"\n"


def oversize_body(row):  # over the row limit (made 1 MB here), and one line of it longer than a line piece
    return row_bytes([*row[:7], "x" * 1_100_000 + "\n" + row[7]])


BAD_ROWS = {
    "stray quote": (stray_quote, "truncated or malformed (',' expected after '\"')"),
    "seven columns": (seven_columns, "truncated or malformed (7 of 8 columns)"),
    "NUL in a field": (nul_in_body, "a NUL byte in the body"),
    "latin-1 row": (latin1_row, "not UTF-8 text: byte 0xe3 in the origin"),
    "unterminated quote": (unterminated_quote, "truncated or malformed (unexpected end of data)"),
    "oversize row": (oversize_body, "over 1 MB"),
}
WHERE = {"first": (1,), "middle": (7,), "last": (ROWS,), "two in a row": (7, 8)}


@pytest.fixture
def small_limits(monkeypatch):
    """A row limit of 1 MB and line pieces of 64 KB, so that an oversize row is quick to write."""
    monkeypatch.setattr(csvdump, "ROW_LIMIT", 1024 * 1024)
    monkeypatch.setattr(csvdump, "LINE_PIECE", 65_536)


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("kind", BAD_ROWS)
def test_a_bad_row_costs_that_row_only_with_one_warning(tmp_path, small_limits, kind, where):
    """Row 1 (stray quote, oversize field) and row 2 (bad bytes, NUL) of issue 19."""
    damage, reason = BAD_ROWS[kind]
    rows = dump_rows()
    bad = {number: damage(rows[number - 1]) for number in WHERE[where]}
    offsets = write_dump(tmp_path / "cables.csv", rows, bad)
    cables, skipped = read(tmp_path / "cables.csv")
    assert [cable.doc_id for cable in cables] == [row[2] for row in rows if int(row[0]) not in bad]
    assert sorted(skipped) == [f"#{number}" for number in bad]
    for number in bad:
        assert skipped[f"#{number}"].startswith(f"row at byte {offsets[number]}: {reason}")
    after = [cable for cable in cables if cable.doc_id == rows[-1][2]]
    assert not after or after[0].body == read_one_row(tmp_path, rows[-1]).body  # the rows after are whole


def read_one_row(tmp_path: Path, row: list[str]) -> cableqa.Cable:
    write_dump(tmp_path / "one.csv", [row])
    (cable,) = cableqa.read(tmp_path / "one.csv")
    return cable


def dump_with_bytes_at(path: Path, offset: int, replacement: bytes) -> tuple[list[list[str]], dict[int, int]]:
    """A 5-row dump with `replacement` written over the bytes from `offset`, in a line of x's in row 2's body."""
    rows = dump_rows(5)
    lines = rows[1][7].split("\n")
    rows[1][7] = "\n".join([*lines[:3], "x" * 4000, *lines[3:]])
    offsets = write_dump(path, rows)
    data = bytearray(path.read_bytes())
    assert data[offset : offset + len(replacement)] == b"x" * len(replacement)  # the filler is where it should be
    data[offset : offset + len(replacement)] = replacement
    path.write_bytes(data)
    return rows, offsets


@pytest.mark.parametrize("name", ["cables.csv", "cables.txt"])
@pytest.mark.parametrize("bad_byte", [b"\0", b"\xe9"])
@pytest.mark.parametrize("offset", [8191, 8192])  # the last byte format detection looks at, and the first after
def test_a_bad_byte_at_the_8_kb_boundary_costs_its_row_only(tmp_path, name, bad_byte, offset):
    """Row 2 of issue 19: a NUL or a byte that is not UTF-8 in the first 8 KB is no "binary file"."""
    path = tmp_path / name
    rows, offsets = dump_with_bytes_at(path, offset, bad_byte)
    cables, skipped = read(path)
    assert [cable.doc_id for cable in cables] == [rows[n][2] for n in (0, 2, 3, 4)]
    assert list(skipped) == ["#2"]
    assert skipped["#2"].startswith(f"row at byte {offsets[2]}: ") and f"(byte {offset})" in skipped["#2"]


def test_a_character_cut_by_the_8_kb_boundary_is_read(tmp_path):
    path = tmp_path / "cables.txt"
    dump_with_bytes_at(path, 8191, "é".encode())
    cables, skipped = read(path)
    assert (len(cables), skipped) == (5, {})


def test_a_file_that_does_not_start_with_a_row_is_read_from_its_first_row(tmp_path):
    rows = dump_rows(4)
    path = tmp_path / "cables.txt"  # found a dump by a row start on a later line, not by its name
    path.write_bytes(b"\xff\xfe garbage \0\n" + b"".join(map(row_bytes, rows)))
    cables, skipped = read(path)
    assert [cable.doc_id for cable in cables] == [row[2] for row in rows]
    assert list(skipped) == ["#1"]
    assert skipped["#1"].startswith("row at byte 0: not a cables.csv row: ")


def test_a_csv_that_is_not_a_dump_is_one_warning_not_one_per_row(tmp_path):
    path = tmp_path / "spreadsheet.csv"
    path.write_text("".join(f"{n},name {n},{n * 2}\n" for n in range(1000)))
    cables, skipped = read(path)
    assert cables == []
    assert skipped == {"#1": "row at byte 0: not a cables.csv row: truncated or malformed (3 of 8 columns)"}


def test_a_crlf_dump_reads_as_its_lf_twin_and_recovers_the_same(tmp_path):
    """Every line break CRLF, inside the fields too (as unix2dos writes it)."""
    rows = dump_rows(6)
    write_dump(tmp_path / "lf.csv", rows, {3: stray_quote(rows[2])})
    crlf_bytes = (tmp_path / "lf.csv").read_bytes().replace(b"\n", b"\r\n")
    (tmp_path / "crlf.csv").write_bytes(crlf_bytes)
    lf, lf_skipped = read(tmp_path / "lf.csv")
    crlf, skipped = read(tmp_path / "crlf.csv")
    assert [cable.doc_id for cable in crlf] == [cable.doc_id for cable in lf] == [rows[n][2] for n in (0, 1, 3, 4, 5)]
    assert [cable.body for cable in crlf] == [cable.body for cable in lf]
    offset = crlf_bytes.index(b'\r\n"3",') + 2
    assert list(skipped) == list(lf_skipped) == ["#3"]
    assert skipped["#3"].startswith(f"row at byte {offset}: truncated or malformed")


def test_a_row_with_a_garbled_start_costs_that_row_only(tmp_path):
    """The row's start is not `"N","M/D/YYYY H:MM","`: the csv module's record boundary parts it from the row before."""
    rows = dump_rows(5)
    rows[2][1] = "2009-01-27"
    write_dump(tmp_path / "cables.csv", rows)
    cables, skipped = read(tmp_path / "cables.csv")
    assert [cable.doc_id for cable in cables] == [rows[n][2] for n in (0, 1, 3, 4)]
    assert list(skipped) == ["#3"] and "unreadable date '2009-01-27'" in skipped["#3"]


@pytest.mark.parametrize("name", ["cables.txt", "cables.csv", "cables"])
def test_a_dump_with_a_byte_order_mark_is_read_as_a_dump_whatever_its_name(tmp_path, name):
    """Row 12 of issue 19: it was read as one plain-text cable when named .txt."""
    rows = dump_rows(4, first=101)
    (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + b"".join(map(row_bytes, rows)))
    cables, skipped = read(tmp_path / name)
    assert ([cable.doc_id for cable in cables], skipped) == ([row[2] for row in rows], {})
    assert cables[0].source == f"{tmp_path / name}#101"  # the row id, not what the mark made of it


def test_a_duplicate_id_warns_once_naming_both_rows_and_the_first_row_is_kept(tmp_path):
    """Row 12 of issue 19: the last row won with no warning."""
    rows = dump_rows(7)
    for number in (5, 7):
        rows[number - 1][2:] = rows[1][2:]  # rows 2, 5 and 7 have one ID
    rows[4][7] = rows[4][7].replace("the ", "THE DUPLICATE ", 1)
    rows.append(rows[2])  # row 3 again, row id and all
    offsets = write_dump(tmp_path / "cables.csv", rows)
    cables, skipped = read(tmp_path / "cables.csv")
    assert [cable.doc_id for cable in cables] == [rows[n][2] for n in (0, 1, 2, 3, 5)]
    assert "THE DUPLICATE" not in cables[1].body and cables[1].source.endswith("#2")
    assert skipped == {
        f"#{row_id}": f"row at byte {offsets[position]}: its reference ID {rows[first - 1][2]!r} is row {first}'s too"
        f" (at byte {offsets[first]}); the first row is kept"
        for row_id, position, first in ((5, 5, 2), (7, 7, 2), (3, 8, 3))
    }


# --- an update never removes a cable because a row of its file could not be read ---------------


def build(folder: Path, index: Path, skipped: list | None = None):
    on_skip = None if skipped is None else lambda *skip: skipped.append(skip)
    return cableqa.build([folder], index, model="hashing", on_skip=on_skip)


def test_an_update_keeps_the_cables_of_rows_it_could_not_read(tmp_path):
    """Row 1 of issue 19: an update of a 10-row index whose dump gained a bad row 4 left 3 cables."""
    (tmp_path / "dump").mkdir()
    dump, index = tmp_path / "dump" / "cables.csv", tmp_path / "index"
    rows = dump_rows(11)
    write_dump(dump, rows[:10])
    assert build(dump.parent, index).cables == 10
    before = cableqa.load(index).cable(rows[3][2])

    rows[1][7] = rows[1][7].replace("the ", "THE CHANGED ", 1)  # read cleanly and changed: replaced
    write_dump(dump, rows, {4: stray_quote(rows[3])})  # row 4 unreadable; row 11 new
    skipped = []
    report = build(dump.parent, index, skipped)
    assert [source.rsplit("/", 1)[1] for source, _ in skipped] == ["cables.csv#4"]
    assert (report.cables, report.cables_embedded) == (11, 2)
    qa = cableqa.load(index)
    assert qa.cable(rows[3][2]) == before
    assert "THE CHANGED" in qa.cable(rows[1][2]).body

    write_dump(dump, rows[:3] + rows[4:])  # row 4 gone, and the dump reads whole: its cable goes
    assert build(dump.parent, index).cables == 10
    assert cableqa.load(index).cable(rows[3][2]) is None


def test_a_removed_row_stays_while_its_dump_reads_with_a_skip(tmp_path):
    """Which row a skipped stretch held cannot be known, so no cable goes until the dump reads whole."""
    (tmp_path / "dump").mkdir()
    dump, index = tmp_path / "dump" / "cables.csv", tmp_path / "index"
    rows = dump_rows(6)
    write_dump(dump, rows)
    build(dump.parent, index)
    write_dump(dump, rows[:2] + rows[3:], {5: nul_in_body(rows[5])})  # row 3 removed, row 6 (now 5th) damaged
    assert build(dump.parent, index, []).cables == 6


@pytest.mark.parametrize("damage", [b"\xe9t\xe9 \xe0 Paris", b"\0\1\2\3"])
def test_a_cable_file_that_cannot_be_read_this_time_keeps_its_cable(tmp_path, damage):
    (tmp_path / "cables").mkdir()
    index = tmp_path / "index"
    page = tmp_path / "cables" / "09PARIS119.txt"
    page.write_bytes((FIXTURES / "formats" / "09PARIS119.txt").read_bytes())
    build(page.parent, index)
    before = cableqa.load(index).cable("09PARIS119")
    page.write_bytes(page.read_bytes() + damage)
    skipped = []
    assert build(page.parent, index, skipped).cables == 1
    assert [source for source, _ in skipped] == [str(page.resolve())]
    assert cableqa.load(index).cable("09PARIS119") == before


def test_a_duplicate_id_full_of_escape_codes_reaches_the_terminal_inert(tmp_path, capsys):
    from cableqa.cli import main

    rows = dump_rows(3)
    rows[1][2] = rows[2][2] = "09X\x1b[2J\x9b31m"
    write_dump(tmp_path / "cables.csv", rows)
    main(["show", str(tmp_path / "cables.csv")])
    warnings = [line for line in capsys.readouterr().err.splitlines() if "is row 2's too" in line]
    assert len(warnings) == 1 and "\x1b" not in warnings[0] and "\x9b" not in warnings[0]
