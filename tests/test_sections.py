from pathlib import Path

import pytest

import cableqa
from cableqa.sections import MAX_SECTION_WORDS, TITLE_SEPARATOR, cut_sections
from cableqa.text import reflow

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_6d31f5b53f31c7b7.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BOILERPLATE = ("Advertisement", "newsletter", "Scoop", "World Headlines", "Classified Website", "Paywall")


@pytest.fixture(scope="module")
def seed():
    (cable,) = cableqa.read(SEED)
    return cable


def test_seed_run_in_heads_are_sections_under_their_part(seed):
    titles = [section.title for section in seed.sections]
    part_iii = "III. Country Actions Against Drugs in 2007"
    part_iv = "IV. U.S. Policy Initiatives and Programs"
    expected = [f"{part_iii}{TITLE_SEPARATOR}{head}" for head in (
        "Policy Initiatives", "Law Enforcement Efforts", "Corruption", "Agreements and Treaties",
        "Cultivation/Production", "Drug Flow/Transit", "Domestic Programs/Demand Reduction",
    )] + [f"{part_iv}{TITLE_SEPARATOR}{head}" for head in ("Policy Initiatives/Bilateral Cooperation", "The Road Ahead")]  # fmt: skip
    assert titles[2:] == expected
    law = seed.sections[titles.index(f"{part_iii}{TITLE_SEPARATOR}Law Enforcement Efforts")]
    assert law.text.startswith("Law Enforcement Efforts. In 2007")
    assert "356 kg of heroin" in law.text


def test_seed_opening_summary_and_status_of_country(seed):
    opening, status = seed.sections[:2]
    assert opening.title == "" and opening.paragraphs == (1, 2)
    assert "France continues to be a major transshipment point" in opening.text
    assert status.title == "II. Status of Country"
    assert status.text.startswith("II. Status of Country\n\nCannabis users")


def test_seed_sections_hold_no_site_boilerplate(seed):
    assert not any(marker in seed.body for marker in BOILERPLATE)
    assert "Cablegate:" not in seed.body and "DE RUEHFR" not in seed.body


def test_sections_are_slices_of_the_body_in_order(seed):
    previous_end = 0
    for n, section in enumerate(seed.sections, start=1):
        assert section.id == f"07PARIS4695:{n}"
        assert section.text == seed.body[section.start : section.end]
        assert section.start >= previous_end and section.text.strip() == section.text
        previous_end = section.end


def test_headings_and_numbered_paragraphs_of_an_all_caps_cable():
    (cable,) = cableqa.read(FIXTURES / "cables" / "00HARARE6677.html")
    by_title = {section.title: section for section in cable.sections}
    assert by_title["Summary"].paragraphs == (1,)
    assert by_title["Summary"].text.startswith("1. (C) SUMMARY: ASSISTANT SECRETARY SUSAN E. RICE")
    crystal_ball = by_title["TSVANGIRAI LOOKS INTO THE CRYSTAL BALL"]
    assert crystal_ball.paragraphs[0] == 3 and "-----" not in crystal_ball.text


def test_a_cable_without_structure_falls_back_to_groups_of_paragraphs():
    lines = []
    for n in range(1, 13):
        lines += [f"{n}. (C) " + "THE EMBASSY REPORTS MORE OF THE SAME NEWS TODAY. " * 10, ""]
    body, sections = cut_sections("99TEST1", reflow(lines))
    assert len(sections) > 1
    assert all(section.title == "" for section in sections)
    assert all(len(section.text.split()) <= MAX_SECTION_WORDS for section in sections)
    assert [n for section in sections for n in section.paragraphs] == list(range(1, 13))
    assert body == "\n\n".join(section.text for section in sections)


def test_a_lone_short_paragraph_joins_its_neighbour():
    lines = ["1. (C) " + "We met the minister and discussed the budget at length. " * 8, "", "BROWN"]
    _body, sections = cut_sections("99TEST2", reflow(lines))
    assert len(sections) == 1 and sections[0].text.endswith("BROWN")


def test_a_huge_paragraph_is_cut_between_sentences():
    sentence = "The delegation reviewed every line of the agreement with the ministry. "
    body, sections = cut_sections("99TEST3", reflow(["1. (U) " + sentence * 80]))
    assert len(sections) > 1
    assert all(section.text.endswith("ministry.") for section in sections)
    assert all(section.paragraphs == (1,) for section in sections)
