import pytest

from cableqa.header import (
    Post,
    canonical_id,
    parse_de_line,
    parse_dtg,
    parse_long_date,
    post_for_indicator,
    reference_id,
    split_header,
)
from cableqa.references import parse_reference_line, reference_ids

PARIS_BODY = """C O N F I D E N T I A L SECTION 01 OF 02 PARIS 000119

NOFORN
SIPDIS

STATE FOR S/WCI, EUR/ERA

E.O. 12958: DECL: 01/26/2019
TAGS: PREL KAWK PGOV FR
SUBJECT: FRANCE SEEKING COORDINATED EU POSITION AS
PREREQUISITE TO ACCEPTANCE OF GUANTANAMO DETAINEES

REF: A. SECSTATE 6516

B. BRUSSELS 79

Classified By: Political Counselor Andrew R. Young for reasons 1.4 (B &
D).

1. (C/NF) Summary: In response to the Executive Order, the
French said it is necessary

PARIS 00000119 002 OF 002


to have a common EU clearing house.
SIPDIS
2. (SBU) Pol MC met Philippe Errera.""".splitlines()


def test_date_time_groups():
    assert parse_dtg("DE RUEHFR #4695/01 3470959\nR 130959Z DEC 07") == "2007-12-13T09:59Z"
    assert parse_dtg("P R 281848Z DEC 66") == "1966-12-28T18:48Z"
    assert parse_dtg("291359Z Nov 00") == "2000-11-29T13:59Z"
    assert parse_dtg("no date here 991299Z") is None
    assert parse_long_date("Wednesday, 17 January 2007, 06:41") == "2007-01-17T06:41"


def test_de_line_routing_table_and_canonical_id():
    de_line = parse_de_line("VZCZCXRO9574\nDE RUEHFR #4695/01 3470959\n")
    assert de_line.indicator == "RUEHFR" and de_line.number == 4695
    assert post_for_indicator("RUEHFR") == Post("Embassy Paris", "PARIS")
    assert post_for_indicator("RUXXXX") is None
    assert canonical_id("2007", "PARIS", 4695) == "07PARIS4695"


def test_references_become_canonical_ids():
    def references(text: str) -> tuple[str, ...]:
        return reference_ids(parse_reference_line(text, "07PARIS4695", "2007-12-13"), text)

    assert references("STATE 136780") == ("07STATE136780",)
    assert references("A. 06 PARIS 1234 B. BUENOS AIRES 56 (NOTAL)") == ("06PARIS1234", "07BUENOSAIRES56")
    assert references("YOUR EMAIL OF MARCH 3") == ("YOUR EMAIL OF MARCH 3",)


@pytest.mark.parametrize(
    "text, expected",
    [(" 07paris4695 ", "07PARIS4695"), ("09BUENOSAIRES12", "09BUENOSAIRES12"), ("10USUNNEWYORK5", "10USUNNEWYORK5")],
)
def test_a_question_that_is_only_a_reference_id_is_read_as_one(text, expected):
    assert reference_id(text) == expected


@pytest.mark.parametrize("text", ["07PARIS4695 heroin", "what is 07PARIS4695?", "PARIS4695", "07PARIS", ""])
def test_a_question_with_more_than_a_reference_id_is_not_one(text):
    assert reference_id(text) is None


def test_split_header_reads_fields_and_starts_the_body_at_the_first_paragraph():
    header, body = split_header(PARIS_BODY)
    assert (
        header.subject == "FRANCE SEEKING COORDINATED EU POSITION AS PREREQUISITE TO ACCEPTANCE OF GUANTANAMO DETAINEES"
    )
    assert header.tags == ("PREL", "KAWK", "PGOV", "FR")
    assert reference_ids(parse_reference_line(header.references_text, "09PARIS119", "2009-01-27")) == (
        "09STATE6516",  # SECSTATE: the Department's series, STATE in reference IDs
        "09BRUSSELS79",
    )
    assert header.classification == "CONFIDENTIAL//NOFORN"
    assert (header.banner_post, header.banner_number) == ("PARIS", 119)
    assert body[0].startswith("1. (C/NF) Summary")


def test_split_header_drops_noise_and_heals_page_breaks():
    _header, body = split_header(PARIS_BODY)
    assert not any("SIPDIS" in line or "002 OF 002" in line for line in body)
    assert body[1:3] == ["French said it is necessary", "to have a common EU clearing house."]
