import csv
from pathlib import Path

import pytest

import cableqa
from cableqa.errors import CableQAError

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
CABLES = FIXTURES / "cables"
SEED = REPO / "seeds" / "000_6d31f5b53f31c7b7.txt"


def read_one(path: Path) -> cableqa.Cable:
    (cable,) = cableqa.read(path)
    return cable


def test_seed_metadata_is_read_from_the_news_page():
    cable = read_one(SEED)
    assert cable.doc_id == "07PARIS4695"  # from RUEHFR (Embassy Paris), message 4695, year 07
    assert cable.subject == "France Incsr 2007-2008"
    assert cable.date == "2007-12-13T09:59Z"
    assert cable.origin == "Embassy Paris"
    assert cable.references == ("07STATE136780",)
    assert cable.released is None
    assert cable.body.startswith("1. (U) Following is post's draft")
    assert cable.body.endswith("Group of countries coordinating narcotics assistance and the")


def test_wikileaks_page_metadata_comes_from_its_table():
    cable = read_one(CABLES / "66BUENOSAIRES2481.html")
    assert (cable.doc_id, cable.date, cable.released) == ("66BUENOSAIRES2481", "1966-12-28T18:06", "2010-11-28T18:06")
    assert (cable.classification, cable.origin) == ("UNCLASSIFIED", "Embassy Buenos Aires")
    assert cable.subject == "EXTENDED NATIONAL JURISDICTIONS OVER HIGH SEAS"
    assert cable.tags == ("EFIS", "PBTS", "AR")
    assert cable.body.startswith("1. PRESS REPORTS AND VARIETY EMBASSY SOURCES")
    assert "National Archives" not in cable.body and "¶" not in cable.body


def test_partial_extract_notice_and_telegraph_noise_are_dropped():
    cable = read_one(CABLES / "00HARARE6677.html")
    assert "partial extract" not in cable.body
    assert "PAGE 02 HARARE" not in cable.body and "SIPDIS" not in cable.body
    assert cable.references == ("00HARARE6584",)


def test_every_fixture_cable_reads_with_clean_sections():
    cables = list(cableqa.read(CABLES))
    assert [cable.doc_id for cable in cables] == sorted(path.stem for path in CABLES.glob("*.html"))
    for cable in cables:
        assert cable.sections, cable.doc_id
        for section in cable.sections:
            assert section.text == cable.body[section.start : section.end]
            assert "<" not in section.text and "&#" not in section.text and "&amp;" not in section.text


def test_plain_text_cable_reads_its_header_lines():
    cable = read_one(FIXTURES / "formats" / "09PARIS119.txt")
    html_cable = read_one(CABLES / "09PARIS119.html")
    assert cable.doc_id == "09PARIS119"  # from the DE line and the routing table
    assert cable.origin == "Embassy Paris"
    assert cable.classification == "CONFIDENTIAL//NOFORN"
    assert cable.tags == html_cable.tags
    assert cable.date == "2009-01-27T18:14Z"
    assert cable.body == html_cable.body
    # The page's title holds the SUBJECT line's first line only; both read the whole subject.
    whole = 'FRANCE SEEKING COORDINATED EU POSITION AS PREREQUISITE TO ACCEPTANCE OF GUANTANAMO DETAINEES ON A "CASE BY CASE" BASIS'
    assert html_cable.subject == cable.subject == whole


def test_cables_csv_rows_match_their_pages():
    cables = list(cableqa.read(FIXTURES / "formats" / "cables.csv"))
    with (FIXTURES / "formats" / "cables.csv").open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert [cable.doc_id for cable in cables] == [row[2] for row in rows]
    for cable, row in zip(cables, rows, strict=True):
        page = read_one(CABLES / f"{cable.doc_id}.html")
        assert cable.source.endswith(f"cables.csv#{row[0]}")
        assert (cable.date, cable.origin, cable.classification) == (page.date, page.origin, page.classification)
        assert cable.body == page.body
    assert cables[0].references == ("09STATE6516", "09BRUSSELS79")  # the column's IDs, SECSTATE read as STATE
    assert [item.label for item in cables[0].cited] == ["A", "B"]  # letters from the REF line


def test_bad_files_are_skipped_with_a_reason_each():
    skipped = {}
    cables = list(
        cableqa.read(FIXTURES / "bad", on_skip=lambda source, reason: skipped.update({Path(source).name: reason}))
    )
    assert [cable.doc_id for cable in cables] == ["66BUENOSAIRES2481"]  # the complete row before the cut
    row_1003 = (FIXTURES / "bad" / "truncated.csv").read_bytes().index(b'\n"1003",') + 1
    assert skipped.pop("not_a_cable.txt").startswith("no cable header")
    assert skipped == {
        "binary.txt": "binary file",
        "empty.txt": "empty file",
        "latin1.txt": "not UTF-8 text",
        "other_site.html": "an HTML page that carries no cable",
        "truncated.csv#1003": f"row at byte {row_1003}: truncated or malformed (unexpected end of data)",
    }


def test_skips_default_to_a_logged_warning(caplog):
    assert list(cableqa.read(FIXTURES / "bad" / "empty.txt")) == []
    assert caplog.messages == [f"skipped {FIXTURES / 'bad' / 'empty.txt'}: empty file"]


def test_a_missing_path_is_a_clear_error():
    with pytest.raises(CableQAError, match="no such file or folder"):
        list(cableqa.read(FIXTURES / "nowhere"))
