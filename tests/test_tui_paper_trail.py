"""The paper trail in the TUI, driven with Pilot over the fake assistant: the card's reference
counts, the reader's references / cited by / related lists, and walking the trail with Enter and Esc."""

from __future__ import annotations

import pytest
from tui_fixtures import MARKUP_ID, NOT_INDEXED_ID, SEED_ID, ask, fake_factory, settle, visible

from cableqa.tui.answer_card import AnswerCard
from cableqa.tui.app import make_app
from cableqa.tui.paper_trail import TrailLink, reference_counts_text
from cableqa.tui.reader import ReaderScreen

SEED_QUESTION = "How much heroin was seized at Dunkerque?"
SIZE = (100, 32)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


def fake_app():
    return make_app("fake-index", assistant_factory=fake_factory())


async def open_top_hit(pilot) -> None:
    await settle(pilot)
    await ask(pilot, SEED_QUESTION)
    await pilot.press("tab", "enter")
    await settle(pilot)


def trail_links(app) -> dict[str, TrailLink]:
    """The reader's trail by cable (a cable both citing and related appears once here)."""
    return {link.doc_id: link for link in app.screen.query(TrailLink)}


def test_reference_counts_text():
    assert reference_counts_text(2, 3) == "cites 2 · cited by 3 indexed cables"
    assert reference_counts_text(0, 1) == "cited by 1 indexed cable"
    assert reference_counts_text(1, 0) == "cites 1 indexed cable"
    assert reference_counts_text(0, 0) == ""


async def test_the_answer_card_counts_indexed_references():
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, SEED_QUESTION)
        assert app.query_one(AnswerCard).answer.hits[0].cited_by == 1
        assert "References cited by 1 indexed cable" in visible(app)


async def test_the_reader_lists_what_cites_the_cable_and_related_cables():
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_top_hit(pilot)
        text = visible(app)
        assert "Cited by" in text and "Related" in text and "References ·" not in text
        assert f"A {MARKUP_ID} 2009-02-01 Markup [bold]looking[/bold] subject" in text  # literally
        assert set(trail_links(app)) == {MARKUP_ID, "06MOSCOW123"}


async def test_enter_follows_the_trail_and_esc_walks_back():
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_top_hit(pilot)
        await pilot.press("tab")  # from the text to the first cable of the trail
        assert app.focused is app.screen.query(TrailLink).first()
        assert app.focused.doc_id == MARKUP_ID
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.cable.doc_id == MARKUP_ID and app.screen.hit is None
        text = visible(app)
        assert f"A {SEED_ID} 2007-12-13 FRANCE INCSR 2007-2008" in text
        assert f"B {NOT_INDEXED_ID} not indexed" in text
        links = trail_links(app)
        assert not links[NOT_INDEXED_ID].can_focus and links[NOT_INDEXED_ID].has_class("-not-indexed")
        links[SEED_ID].focus()
        await pilot.press("enter")
        await settle(pilot)
        assert [screen.cable.doc_id for screen in app.screen_stack if isinstance(screen, ReaderScreen)] == [
            SEED_ID,
            MARKUP_ID,
            SEED_ID,
        ]
        for expected in (MARKUP_ID, SEED_ID):
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen.cable.doc_id == expected
        assert app.screen.hit is not None  # back at the reader the answer opened
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReaderScreen)
