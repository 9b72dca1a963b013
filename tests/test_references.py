"""REF lines to reference IDs: the forms the real cables use, and the year rule.

Each REF text below is copied from a cable of the shared corpus (named beside it).
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

import cableqa
from cableqa.references import merge_listed, parse_reference_line, references_in_question, year_free
from cableqa.types import Reference

THREADS = Path(__file__).resolve().parent / "fixtures" / "threads"


def ids(text: str, citing: str, date: str) -> list[tuple[str, str | None]]:
    return [(item.label, item.doc_id) for item in parse_reference_line(text, citing, date)]


@pytest.mark.parametrize(
    ("text", "citing", "date", "expected"),
    [
        # lettered A./B., a post of two words, a year written with two digits
        ("A. 06 PARIS 1234 B. BUENOS AIRES 56 (NOTAL)", "07PARIS4695", "2007-12-13",
         [("A", "06PARIS1234"), ("B", "07BUENOSAIRES56")]),
        # A) B) C), one line (86MADRID5480)
        ("A) MADRID 5426, B) MADRID 5425, C) MADRID 5418", "86MADRID5480", "1986-05-12",
         [("A", "86MADRID5426"), ("B", "86MADRID5425"), ("C", "86MADRID5418")]),
        # the letter written twice, a year before the post (05MADRID171)
        ("A. A) 04 STATE 274965 B. B) MADRID 156", "05MADRID171", "2005-01-15",
         [("A", "04STATE274965"), ("B", "05MADRID156")]),
        # (A) without a space, zero-padded numbers (07STATE152317)
        ("(A)STATE 071143, (B)STATE 073601", "07STATE152317", "2007-11-03",
         [("A", "07STATE71143"), ("B", "07STATE73601")]),
        # lower case, four-digit years (06VIENNA515; 06BUCHAREST576)
        ("a) vienna 350 b) vienna 309 c) 05 vienna 1760 d) 05 state 220738", "06VIENNA515", "2006-02-17",
         [("A", "06VIENNA350"), ("B", "06VIENNA309"), ("C", "05VIENNA1760"), ("D", "05STATE220738")]),
        ("A) BUCHAREST 0536 B) 2005 BUCHAREST 2550", "06BUCHAREST576", "2006-04-05",
         [("A", "06BUCHAREST536"), ("B", "05BUCHAREST2550")]),
        # compact IDs (10SHENYANG5; 09STATE63812)
        ("A. 10SHENYANG 003 B. 09SHENYANG 167", "10SHENYANG5", "2010-01-11",
         [("A", "10SHENYANG3"), ("B", "09SHENYANG167")]),
        ("A. ASHGABAT687 B. ASHGABAT733", "09STATE63812", "2009-06-19",
         [("A", "09ASHGABAT687"), ("B", "09ASHGABAT733")]),
        # the year after the number, in brackets or not (09DOHA214; 09MOSCOW821; 09SAOPAULO660)
        ("A. SECSTATE 15113 B. DOHA 152 (08) C. DOHA 75 (08)", "09DOHA214", "2009-03-26",
         [("A", "09STATE15113"), ("B", "08DOHA152"), ("C", "08DOHA75")]),
        ("MOSCOW 03242 2008", "09MOSCOW821", "2009-04-01", [("", "08MOSCOW3242")]),
        ("BRASILIA 1250; RECIFE 66; (08) SAO PAULO 581", "09SAOPAULO660", "2009-11-10",
         [("", "09BRASILIA1250"), ("", "09RECIFE66"), ("", "08SAOPAULO581")]),
        # REFTEL as the field name; abbreviations (09KABUL2246; 09RIODEJANEIRO353; 09RPODUBAI389)
        ("REFTEL KABUL 02245", "09KABUL2246", "2009-08-06", [("", "09KABUL2245")]),
        ("a) RIO 346, b) RIO 329", "09RIODEJANEIRO353", "2009-10-27",
         [("A", "09RIODEJANEIRO346"), ("B", "09RIODEJANEIRO329")]),
        ("RPO DUBAI 384", "09RPODUBAI389", "2009-09-24", [("", "09RPODUBAI384")]),
        # a page mark caught in the line is no reference (09BRASILIA28)
        ("(A) BRASILIA 1666 (B) BRASILIA 1159 BRASILIA 00000028 001.4 OF 003", "09BRASILIA28", "2009-01-08",
         [("A", "08BRASILIA1666"), ("B", "08BRASILIA1159")]),
    ],
)  # fmt: skip
def test_reference_forms_become_reference_ids(text, citing, date, expected):
    assert ids(text, citing, date) == expected


def test_items_that_name_no_cable_are_kept_as_written():
    # 05PARIS1699, 06CARACAS219, 09MADRID347: an e-mail, an intelligence report, an open-source item
    assert parse_reference_line("A. PARIS 1610 B. KUJAWINSKI-FRANCE DESK 3/11 E-MAIL", "05PARIS1699", "2005-03-14") == (
        Reference("A", "05PARIS1610", "PARIS 1610"),
        Reference("B", None, "KUJAWINSKI-FRANCE DESK 3/11 E-MAIL"),
    )
    assert ids("D. D: IIR 6 902 9698 06", "06CARACAS219", "2006-01-30") == [("", None)]
    assert ids("A. OSC EUP20090329950015 B. 06 MADRID 1914", "09MADRID347", "2009-04-01") == [
        ("A", None),
        ("B", "06MADRID1914"),
    ]
    assert parse_reference_line("NONE", "06PARIS2242", "2006-04-05") == ()
    # a Classified By line glued to the REF line adds nothing (05BRASILIA2767)
    glued = "A. STATE 183800 B. BRASILIA 1396 Classified By: Political Officer Bisola Ojikutu for Reasons 1.4 (b)"
    assert ids(glued, "05BRASILIA2767", "2005-10-17") == [("A", "05STATE183800"), ("B", "05BRASILIA1396")]


def test_year_rule_citing_year_unless_the_posts_own_series_has_passed_that_number():
    # 05PARIS104, written on 6 January 2005, cites PARIS 8729 and PARIS 8918: last year's
    assert ids("A. PARIS 8729 B. PARIS 8918", "05PARIS104", "2005-01-06") == [
        ("A", "04PARIS8729"),
        ("B", "04PARIS8918"),
    ]
    # 09PARIS264 cites PARIS 00119 (this year: below 264) and PARIS 02016 (above: last year);
    # another post's number says nothing about the year (VILNIUS 88)
    assert ids("A. SECSTATE 6516 B. PARIS 00119 C. PARIS 02016 D. VILNIUS 88", "09PARIS264", "2009-02-20") == [
        ("A", "09STATE6516"),
        ("B", "09PARIS119"),
        ("C", "08PARIS2016"),
        ("D", "09VILNIUS88"),
    ]
    # without a date the year comes from the citing ID; with neither, no ID can be made
    assert ids("STATE 2659", "07PARIS159", None) == [("", "07STATE2659")]
    assert ids("STATE 2659", "", None) == [("", None)]


def test_real_cables_carry_their_references_with_letters():
    cables = {cable.doc_id: cable for cable in cableqa.read(THREADS)}  # 09DOHA214, 09PARIS264, 09STOCKHOLM194
    assert cables["09DOHA214"].cited[:2] == (
        Reference("A", "09STATE15113", "SECSTATE 15113"),
        Reference("B", "08DOHA152", "DOHA 152 (08)"),
    )
    assert cables["09PARIS264"].references == ("09STATE6516", "09PARIS119", "08PARIS2016", "09VILNIUS88")
    assert cables["09STOCKHOLM194"].references == ("09STATE15113",)
    assert cables["09DOHA214"].to_dict()["cited"][0] == {
        "label": "A",
        "doc_id": "09STATE15113",
        "written": "SECSTATE 15113",
    }


def test_an_item_naming_several_cables_gives_each_its_own_words():
    # 09SAOPAULO660's unlettered line; a lettered item naming two cables, with words of its own
    assert parse_reference_line("BRASILIA 1250; RECIFE 66; (08) SAO PAULO 581", "09SAOPAULO660", "2009-11-10") == (
        Reference("", "09BRASILIA1250", "BRASILIA 1250"),
        Reference("", "09RECIFE66", "RECIFE 66"),
        Reference("", "08SAOPAULO581", "(08) SAO PAULO 581"),
    )
    assert parse_reference_line("A. STATE 12 (NOTAL), ROME 34 B. ROME 5", "09PARIS264", "2009-02-20") == (
        Reference("A", "09STATE12", "STATE 12 (NOTAL)"),
        Reference("A", "09ROME34", "ROME 34"),
        Reference("B", "09ROME5", "ROME 5"),
    )


# Peak memory allowed for reading a cable and writing it as JSON, per character of its file: the
# 50,000-item line below took 45 (32 MB); each item holding the whole line made it 35 GB of text.
PEAK_BYTES_PER_CHARACTER = 200


def test_a_reference_line_of_50000_items_is_read_in_memory_linear_in_its_length(tmp_path):
    """Issue 19 row 4: `show --json` of one such line took 816 MB at 5,000 items, 10.7 GB at 20,000."""
    line = ", ".join(f"STATE {100000 + n}" for n in range(50_000))
    path = tmp_path / "09PARIS264.txt"
    path.write_text(f"R 201200Z FEB 09\nUNCLAS PARIS 000264\nSUBJECT: LONG\nREF: {line}\n\n1. (U) Text.\n")
    tracemalloc.start()
    try:
        (cable,) = cableqa.read(path)
        assert sum(len(item.written) for item in cable.cited) <= len(line)  # before anything copies them
        json.dumps(cable.to_dict())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(cable.cited) == 50_000 and cable.cited[-1] == Reference("", "09STATE149999", "STATE 149999")
    assert peak < PEAK_BYTES_PER_CHARACTER * path.stat().st_size


def test_a_reference_on_the_subject_line_is_read():
    from cableqa.header import split_header

    # 10MOSCOW228: the archive flattened SUBJECT, REF and Classified By onto one line
    line = (
        "SUBJECT: RUSSIAN DRAFT BILL WOULD REQUIRE ON-SHORE CREDIT CARD PROCESSING  REF: MOSCOW 00079  Classified By: X"
    )
    header, _ = split_header([line, "", "1.(C) Summary: text."])
    assert header.subject == "RUSSIAN DRAFT BILL WOULD REQUIRE ON-SHORE CREDIT CARD PROCESSING"
    assert ids(header.references_text, "10MOSCOW228", "2010-02-05") == [("", "10MOSCOW79")]


def test_a_references_column_wins_and_lends_nothing_it_lacks():
    parsed = parse_reference_line("A. SECSTATE 6516 B. BRUSSELS 79 C. HALL E-MAIL", "09PARIS119", "2009-01-27")
    merged = merge_listed(parsed, ["08SECSTATE6516", "09BRUSSELS79", "09ROME12"])
    assert [(item.label, item.doc_id) for item in merged] == [
        ("A", "08STATE6516"),  # the column's year, the alias applied
        ("B", "09BRUSSELS79"),
        ("C", None),
        ("", "09ROME12"),
    ]


def test_references_named_in_a_question():
    assert references_in_question("What did Paris reply to STATE 123456?") == ("STATE123456",)
    assert references_in_question("Who answered 07PARIS4321 and 05 MADRID 12?") == ("07PARIS4321", "05MADRID12")
    assert references_in_question("What did the embassy in Paris say in 2007 about 400 trucks?") == ()
    assert references_in_question("HOW DID POSTS ANSWER SECSTATE 15113?") == ("STATE15113",)
    assert year_free("09STATE15113") == "STATE15113"
