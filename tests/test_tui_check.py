"""The TUI's "Check an article" screen (ctrl+p), driven with Pilot over a real index (hashing encoder)."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, SEEDS
from textual.widgets import Input, TextArea
from tui_fixtures import settle, visible

import cableqa
from cableqa.tui.app import make_app
from cableqa.tui.check import CheckScreen

SIZE = (110, 40)
QUOTED = "Mission Canada warmly welcomes you and the First Lady to Ottawa."
ARTICLE = (
    f"Cable 09OTTAWA64 opened: “{QUOTED}” It also said "
    '"Canadians complain about what they see as a thickening of the border", '
    "and, by one account, “the [red]ambassador[/] privately mocked the \x1b[2J defence minister at dinner”."
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tui-check") / "index"
    cableqa.build([SEEDS, FIXTURES / "cables"], directory, model="hashing")
    return directory


def app_over(index):
    return make_app(str(index), assistant_factory=lambda index_dir, **_: cableqa.load(index_dir, build_missing=False))


async def open_check_screen(pilot) -> CheckScreen:
    await settle(pilot)
    await pilot.press("ctrl+p")
    await pilot.press(*"Check an article")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CheckScreen)
    return pilot.app.screen


async def test_a_pasted_article_is_checked_into_a_table_and_esc_goes_back(index):
    app = app_over(index)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_check_screen(pilot)
        screen.query_one("#check-article", TextArea).text = ARTICLE
        await pilot.press("ctrl+r")
        await settle(pilot)
        shown = visible(app)
        assert "3 quotations: 1 verbatim, 1 altered, 1 not found; cables named: 09OTTAWA64 (indexed)" in shown
        assert f"1 verbatim “{QUOTED}”" in shown and "09OTTAWA64 ¶1 · named in the article" in shown
        assert "“complain” where the cable has “chafe”" in shown
        assert "[red]ambassador[/]" in shown and "␛[2J" in shown  # the article's own text, shown literally
        await pilot.press("escape")
        assert not isinstance(app.screen, CheckScreen)


async def test_a_file_is_opened_and_checked_and_a_bad_one_is_one_line(index, tmp_path):
    story = tmp_path / "story.md"
    story.write_text(f"> {QUOTED}\n", encoding="utf-8")
    app = app_over(index)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_check_screen(pilot)
        await pilot.press("ctrl+r")
        assert "Nothing to check yet" in visible(app)
        for name, expected in ((tmp_path / "missing.md", "missing.md: no such file"), (story, "1 verbatim")):
            box = screen.query_one("#check-file", Input)
            box.value = str(name)
            box.focus()
            await pilot.press("enter")
            await settle(pilot)
            assert expected in visible(app)
        assert screen.query_one("#check-article", TextArea).text == f"> {QUOTED}\n"
