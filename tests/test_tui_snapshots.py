"""SVG snapshots of the main screens (pytest-textual-snapshot), over the fake assistant.

Update them with `pytest tests/test_tui_snapshots.py --snapshot-update` after a
deliberate change to the look, and review the SVGs in the diff.
"""

from __future__ import annotations

from textual.widgets import Input
from tui_fixtures import ask, fake_factory, settle

from cableqa.tui.app import make_app

SEED_QUESTION = "How much heroin was seized at Dunkerque?"
SIZE = (100, 32)
SMALL = (80, 24)


def fake_app():
    return make_app("fake-index", assistant_factory=fake_factory())


async def ready(pilot) -> None:
    """Loaded, and the cursor frozen so that two runs draw the same frame."""
    await settle(pilot)
    pilot.app.query_one("#question", Input).cursor_blink = False


def asking(question: str, *keys: str, theme: str | None = None):
    async def run_before(pilot) -> None:
        if theme:
            pilot.app.theme = theme
        await ready(pilot)
        await ask(pilot, question)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run_before


def test_empty_app(snap_compare):
    assert snap_compare(fake_app(), terminal_size=SIZE, run_before=ready)


def test_answered_question(snap_compare):
    assert snap_compare(fake_app(), terminal_size=SIZE, run_before=asking(SEED_QUESTION))


def test_reader_view(snap_compare):
    assert snap_compare(fake_app(), terminal_size=SIZE, run_before=asking(SEED_QUESTION, "tab", "enter"))


def test_not_confident_card_at_80x24(snap_compare):
    question = "Who won the chess championship in Reykjavik?"
    assert snap_compare(fake_app(), terminal_size=SMALL, run_before=asking(question))


def test_answered_question_light_theme_at_80x24(snap_compare):
    assert snap_compare(fake_app(), terminal_size=SMALL, run_before=asking(SEED_QUESTION, theme="textual-light"))


def test_filters_dialog(snap_compare):
    assert snap_compare(fake_app(), terminal_size=SMALL, run_before=asking(SEED_QUESTION, "ctrl+f"))


def test_key_sheet_at_80x24(snap_compare):
    assert snap_compare(fake_app(), terminal_size=SMALL, run_before=asking(SEED_QUESTION, "f1"))


def test_fourth_answer_at_80x24(snap_compare):
    questions = ("What is France a transshipment point for?", "What did Russia expect?", "What rose in March?")

    async def run_before(pilot) -> None:
        await ready(pilot)
        for question in (SEED_QUESTION, *questions):
            await ask(pilot, question)

    assert snap_compare(fake_app(), terminal_size=SMALL, run_before=run_before)


def test_no_cable_matches_the_filters_at_80x24(snap_compare):
    async def run_before(pilot) -> None:
        await ready(pilot)
        pilot.app.set_filter("origin", "Embassy Paris")
        pilot.app.set_filter("since", "2011-01-01")
        await ask(pilot, SEED_QUESTION)

    assert snap_compare(fake_app(), terminal_size=SMALL, run_before=run_before)


def test_reader_paper_trail(snap_compare):
    """The cable citing the seed, reached from the seed's reader: lettered references, one not indexed."""
    keys = ("tab", "enter", "tab", "enter")
    assert snap_compare(fake_app(), terminal_size=SIZE, run_before=asking(SEED_QUESTION, *keys))
