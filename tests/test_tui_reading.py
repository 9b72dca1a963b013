"""The chat keeps every answer in view and every key press in the question box (Pilot, real sizes)."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from dataclasses import replace

import pytest
from textual import events
from textual.widget import Widget
from textual.widgets import Input
from tui_fixtures import SEED_ID, BlockingAssistant, FakeAssistant, ask, fake_factory, screen_text, settle, visible

from cableqa.cli import main
from cableqa.tui.answer_card import AnswerCard, HitView, Turn, hit_summary
from cableqa.tui.app import CableQAApp, make_app
from cableqa.tui.exports import choose_export_folder
from cableqa.tui.filters import FiltersScreen
from cableqa.tui.keys import KeysScreen, described
from cableqa.tui.question_input import QuestionInput
from cableqa.tui.reader import ReaderScreen
from cableqa.types import UNTITLED_SECTION, Answer

pytestmark = pytest.mark.anyio

QUESTIONS = (
    "How much heroin was seized at Dunkerque?",
    "What is MILDT responsible for?",
    "How much cannabis was seized in 2007?",
    "Which drug do most French drug users take?",
)
SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def anyio_backend():
    return "asyncio"


@asynccontextmanager
async def chat(*questions: str, size: tuple[int, int] = (80, 24)):
    """The app over the fake assistant at `size`, loaded, with `questions` asked and answered."""
    app = make_app("fake-index", assistant_factory=fake_factory())
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for question in questions:
            await ask(pilot, question)
        yield app, pilot


def in_view(app: CableQAApp, widget: Widget) -> bool:
    """Whether all of `widget` is inside the transcript's visible region, on screen now."""
    return app.transcript.scrollable_content_region.contains_region(widget.region)


def newest(app: CableQAApp) -> Turn:
    return list(app.query(Turn))[-1]


async def check_four_answers_in_a_row(app: CableQAApp, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for question in QUESTIONS:
            await ask(pilot, question)
            turn = newest(app)
            assert turn.question == question and turn.query(AnswerCard)
            question_line = turn.query_one(".question")
            citation = turn.query_one(".top-hit .hit-citation")
            assert in_view(app, question_line), f"{question!r}: the question is out of view at {size}"
            assert in_view(app, citation), f"{question!r}: the citation is out of view at {size}"
            assert question_line.region.y == app.transcript.scrollable_content_region.y  # at the top
            assert isinstance(app.focused, QuestionInput)


@pytest.mark.parametrize("size", SIZES)
async def test_each_new_answer_and_its_citation_are_in_view_over_the_seed_index(hashing_seed_index, size):
    await check_four_answers_in_a_row(make_app(str(hashing_seed_index), model="hashing"), size)


@pytest.mark.model
@pytest.mark.parametrize("size", SIZES)
async def test_each_new_answer_is_in_view_with_the_real_model(real_seed_index, size):
    await check_four_answers_in_a_row(make_app(str(real_seed_index)), size)


async def test_a_short_terminal_drops_the_context_sentences_and_a_tall_one_keeps_them():
    async with chat(QUESTIONS[0]) as (app, pilot):
        top = app.query_one(".top-hit", HitView)
        assert app.compact and not top.context
        assert "a truck originating from Turkey" not in visible(app)  # the sentence after the excerpt
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert not app.compact and top.context
        assert "a truck originating from Turkey" in visible(app)


async def test_page_keys_scroll_the_conversation_while_the_question_box_keeps_the_focus():
    async with chat(*QUESTIONS[:3]) as (app, pilot):
        transcript = app.transcript
        bottom = transcript.scroll_y
        await pilot.press("ctrl+home")
        await settle(pilot)
        assert transcript.scroll_y == 0
        await pilot.press("pagedown")
        await settle(pilot)
        assert 0 < transcript.scroll_y
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert transcript.scroll_y == transcript.max_scroll_y >= bottom
        await pilot.press("pageup")
        await settle(pilot)
        assert transcript.scroll_y < transcript.max_scroll_y
        assert isinstance(app.focused, QuestionInput)


async def test_tab_goes_to_the_newest_answer_and_shift_tab_to_its_last_passage():
    async with chat(QUESTIONS[0], QUESTIONS[2]) as (app, pilot):
        hits = newest(app).hits
        await pilot.press("tab")
        assert app.focused is hits[0]
        await pilot.press("escape")
        await pilot.press("shift+tab")
        assert app.focused is hits[-1]
        await pilot.press("tab")  # from the newest answer's last passage, back to the question box
        assert isinstance(app.focused, QuestionInput)


async def test_typing_on_a_hit_types_in_the_question_box_and_esc_returns_there():
    async with chat(QUESTIONS[0]) as (app, pilot):
        box = app.query_one(QuestionInput)
        await pilot.press("tab")
        assert isinstance(app.focused, HitView)
        await pilot.press(*"abc")
        assert isinstance(app.focused, QuestionInput) and box.value == "abc"
        await pilot.press("tab")
        assert isinstance(app.focused, HitView)
        await pilot.press("escape")
        assert app.focused is box
        await pilot.press("d")
        assert box.value == "abcd"  # the draft was not selected and replaced on the way back
        await pilot.press("tab", "space")  # a hit's own keys still work
        assert not isinstance(app.focused, QuestionInput)


def burst(app: CableQAApp, keys: str) -> None:
    """Send `keys` the way a terminal does when they are typed faster than the app handles them.

    `pilot.press` waits for the app to be idle after each key, so it never catches a key
    delivered to a widget that was about to hand the focus on.
    """
    for character in keys:
        name = {" ": "space", "\r": "enter"}.get(character, character)
        app._driver.send_message(events.Key(name, character))


async def test_a_fast_burst_typed_on_a_passage_all_goes_to_the_question_box():
    async with chat(QUESTIONS[0]) as (app, pilot):
        await pilot.press("tab")
        top = app.focused
        assert isinstance(top, HitView) and top.expanded
        burst(app, "heroin seizures\r")
        for _ in range(100):  # the burst is handled in the app's own time: wait for its answer (5 s at most)
            await pilot.pause(0.05)
            if len(app.query(Turn)) > 1 and not newest(app).pending or isinstance(app.screen, ReaderScreen):
                break
        await settle(pilot)
        assert not isinstance(app.screen, ReaderScreen)  # Enter asked; it did not open the passage
        assert top.expanded  # the space did not fold it
        assert newest(app).question == "heroin seizures"


LONG_SUBJECT = "SYRIAN INTELLIGENCE CHIEF ATTENDS CT DIALOGUE WITH S/CT COORDINATOR BENJAMIN IN DAMASCUS"


class LongSubjects(FakeAssistant):
    """Every hit's cable has a subject too long for one line at 80 columns."""

    def ask(self, question: str, k: int = 5, **filters) -> Answer:
        answer = super().ask(question, k, **filters)
        return replace(answer, hits=tuple(replace(hit, subject=LONG_SUBJECT) for hit in answer.hits))


async def test_the_card_shows_the_subject_wrapped_in_full_at_80x24():
    app = make_app("fake-index", assistant_factory=fake_factory(LongSubjects()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await ask(pilot, QUESTIONS[0])
        subject = app.query_one(".top-hit .citation-subject")
        assert subject.region.height == 2 and in_view(app, subject)  # wrapped, and all of it on screen
        assert f"Subject {LONG_SUBJECT} Section" in visible(app)


async def test_the_footer_shows_every_key_it_offers_whole_at_80_columns():
    blocking = BlockingAssistant()
    blocking.release.set()
    app = make_app("fake-index", assistant_factory=fake_factory(blocking))

    def footer_shows_its_keys(state: str) -> None:
        footer = screen_text(app).splitlines()[-1]
        for active in app.screen.active_bindings.values():
            if active.binding.show:
                assert active.binding.description in footer, f"{state}: {active.binding.description!r} is cut"

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await ask(pilot, QUESTIONS[0])
        footer_shows_its_keys("question box")
        await pilot.press("tab")
        footer_shows_its_keys("passage")
        blocking.release.clear()
        app.query_one(QuestionInput).value = QUESTIONS[1]
        await pilot.press("escape", "enter")
        assert blocking.started.wait(5)
        await pilot.pause()
        footer_shows_its_keys("searching")
        await pilot.press("tab")
        footer_shows_its_keys("searching, on a passage")
        blocking.release.set()
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        footer_shows_its_keys("reader")


def every_binding(app_class=CableQAApp):
    for group in app_class.KEY_SHEET:
        yield from group.bindings


async def test_f1_opens_cableqas_key_sheet_with_every_binding_readable_at_80x24():
    async with chat() as (app, pilot):
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        text = visible(app)
        sources = [CableQAApp, QuestionInput, HitView, ReaderScreen, FiltersScreen]
        for owner in sources:
            for binding in owner.BINDINGS:
                assert binding in set(every_binding()), f"{owner.__name__} {binding.key} is not on the sheet"
                assert described(binding) in text, f"{described(binding)!r} is not readable at 80x24"
        for title in ("Asking", "Answers", "Reader", "Filters", "App"):
            assert title in text
        assert "Scroll Left" not in text and "Copy selected text" not in text  # not Textual's generic panel
        await pilot.press("f1")
        await pilot.pause()
        assert not isinstance(app.screen, KeysScreen)
        await pilot.press("f1", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, KeysScreen) and isinstance(app.focused, QuestionInput)


async def test_the_opening_section_has_one_name_in_card_citation_reader_and_show(hashing_seed_index, capsys):
    app = make_app(str(hashing_seed_index), model="hashing")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, SEED_ID)  # the cable's sections in order: the untitled opening first
        card = app.query_one(AnswerCard)
        top = card.answer.hits[0]
        assert top.section == UNTITLED_SECTION
        assert f"Section {UNTITLED_SECTION}" in visible(app)  # the citation block
        assert f" · {UNTITLED_SECTION} · " in top.citation
        assert UNTITLED_SECTION in hit_summary(top, expanded=False).plain  # as a further passage's line
        app.query_one(".top-hit", HitView).action_open()
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert f"§1 {UNTITLED_SECTION}" in visible(app)
    assert main(["show", SEED_ID, "--json", "--index", str(hashing_seed_index)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["sections"][0]["name"] == UNTITLED_SECTION
    assert main(["show", SEED_ID, "--index", str(hashing_seed_index)]) == 0
    assert f"  {UNTITLED_SECTION}\n" in capsys.readouterr().out


async def test_filters_that_match_no_cable_are_named_in_the_card_and_the_export(tmp_path):
    choose_export_folder(str(tmp_path))
    async with chat() as (app, pilot):
        app.set_filter("origin", "Embassy Paris")
        app.set_filter("since", "2011-01-01")
        await ask(pilot, QUESTIONS[0])
        assert app.query_one(AnswerCard).answer.excluded_by_filters
        expected = "No cable matches the filters (origin Embassy Paris, since 2011-01-01): ctrl+f to change them"
        assert expected in visible(app)
        app.export("markdown")
    (exported,) = tmp_path.iterdir()
    assert "No cable matches the filters (origin Embassy Paris, since 2011-01-01)." in exported.read_text()


async def test_the_filter_dialog_shows_counts_and_completes_origins_and_tags():
    async with chat() as (app, pilot):
        await pilot.press("ctrl+f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FiltersScreen)
        text = visible(app)
        assert "Embassy Moscow (1)" in text and "2007 (1)" in text and "EAGR (1)" in text
        await pilot.press(*"moscow")
        await pilot.pause()
        assert "Embassy Moscow (1)" in visible(app) and "Embassy Paris (1)" not in visible(app)
        origin = dialog.query_one("#filter-origin", Input)
        origin.value = ""
        await pilot.press(*"emb")
        await pilot.pause()
        await pilot.press("right")  # accept the completion
        assert origin.value in ("Embassy Moscow", "Embassy Paris")
        dialog.query_one("#filter-tag", Input).value = "SNRA"
        await pilot.click("#filters-apply")
        await pilot.pause()
        assert isinstance(app.screen, FiltersScreen)
        assert "no indexed cable has tag 'SNRA'; did you mean 'SNAR'?" in visible(app)


async def test_the_top_passage_folded_is_its_one_summary_line():
    async with chat(QUESTIONS[0]) as (app, pilot):
        await pilot.press("tab", "space")
        top = app.focused
        assert isinstance(top, HitView) and not top.expanded
        summary = top.query_one(".hit-summary")
        assert summary.display and summary.region.height == 1 and in_view(app, summary)
        assert f"▸ 1 {top.hit.doc_id}" in visible(app)
