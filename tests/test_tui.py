"""The terminal UI driven with Textual's Pilot, over a fake assistant (and once over a real index)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from textual.widgets import Input
from tui_fixtures import (
    MARKUP_ID,
    SEED_ID,
    BlockingAssistant,
    FakeAssistant,
    ask,
    fake_factory,
    settle,
    visible,
)

from cableqa.errors import CableQAError
from cableqa.filters import Filters
from cableqa.tui.answer_card import AnswerCard, HitView, Turn, Welcome
from cableqa.tui.app import make_app
from cableqa.tui.filters import FiltersScreen
from cableqa.tui.history import QuestionHistory, history_path
from cableqa.tui.literal import literal, printable
from cableqa.tui.reader import ReaderScreen

SEED_QUESTION = "How much heroin was seized at Dunkerque?"
SIZE = (100, 32)

pytestmark = pytest.mark.anyio  # async tests run on anyio's pytest plugin (anyio comes with httpx)


@pytest.fixture
def anyio_backend():
    return "asyncio"


def fake_app(assistant: FakeAssistant | None = None, **options):
    return make_app("fake-index", assistant_factory=fake_factory(assistant, **options))


async def test_question_gets_an_answer_card_citing_the_cable():
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, SEED_QUESTION)
        card = app.query_one(AnswerCard)
        top = card.query_one(HitView)
        assert card.answer.confident
        assert top.hit.doc_id == SEED_ID
        text = visible(app)
        assert "356 kg of heroin" in text
        assert "Answer" in card.border_title
        assert f"{SEED_ID} ¶3-4" in text
        assert "Embassy Paris" in text
        assert not app.query(Welcome)


async def test_question_sent_while_loading_is_answered_once_loaded():
    gate = threading.Event()
    app = fake_app(gate=gate)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "embedding passages 1/2" in visible(app)  # build progress is shown
        box = app.query_one("#question", Input)
        box.value = SEED_QUESTION
        await pilot.press("enter")
        await pilot.pause()
        assert "Waiting for the index to load" in visible(app)
        assert not app.query(AnswerCard)
        gate.set()
        await settle(pilot)
        assert app.query_one(AnswerCard).answer.hits[0].doc_id == SEED_ID
        assert "3 cables · 4 sections" in visible(app)


async def test_history_is_recalled_with_up_and_down_across_sessions():
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, "first question")
        await ask(pilot, "second question")
    assert [json.loads(line)["question"] for line in history_path().read_text().splitlines()] == [
        "first question",
        "second question",
    ]
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        box = app.query_one("#question", Input)
        box.value = "draft"
        await pilot.press("up")
        assert box.value == "second question"
        await pilot.press("up")
        assert box.value == "first question"
        await pilot.press("up")
        assert box.value == "first question"
        await pilot.press("down", "down")
        assert box.value == "draft"


def test_history_skips_damaged_lines_and_repeats(tmp_path):
    path = tmp_path / "history.jsonl"
    path.write_text('{"question": "kept"}\nnot json\n{"other": 1}\n', encoding="utf-8")
    history = QuestionHistory(path)
    history.add("kept")  # same as the last: not stored twice
    history.add("new")
    assert QuestionHistory(path).questions == ["kept", "new"]


async def test_opening_a_hit_shows_the_whole_cable_and_esc_returns():
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, SEED_QUESTION)
        await pilot.press("tab", "enter")  # focus the top hit, open it
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.cable.doc_id == SEED_ID
        cited = app.screen.query(".cited")
        assert len(cited) == 1
        text = visible(app)
        assert "FRANCE INCSR 2007-2008" in text
        assert "III. Country Actions Against Drugs in 2007" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReaderScreen)
        assert app.query(AnswerCard)


async def test_clicking_a_hit_opens_its_cable():
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, "grain exports wheat")
        second = app.query(HitView)[1]
        await pilot.click(second)
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.cable.doc_id == second.hit.doc_id


async def test_space_expands_a_further_hit():
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, SEED_QUESTION)
        second = app.query(HitView)[1]
        assert not second.expanded
        second.focus()
        await pilot.press("space")
        assert second.expanded
        assert second.query_one(".hit-excerpt").display


async def test_filters_set_in_the_dialog_are_applied_and_shown():
    assistant = FakeAssistant()
    app = fake_app(assistant)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FiltersScreen)
        await pilot.press(*"embassy m", "right")  # → accepts the completion from the indexed origins
        await pilot.pause()
        assert dialog.query_one("#filter-origin", Input).value == "Embassy Moscow"
        dialog.query_one("#filter-since", Input).value = "2006-01-01"
        await pilot.click("#filters-apply")
        await pilot.pause()
        assert app.filters == Filters(origin="Embassy Moscow", since="2006-01-01")
        assert "Filters: origin Embassy Moscow, since 2006-01-01" in visible(app)
        await ask(pilot, SEED_QUESTION)
        assert assistant.calls[-1]["origin"] == "Embassy Moscow"
        assert {hit.origin for hit in app.query_one(AnswerCard).answer.hits} == {"Embassy Moscow"}


async def test_a_bad_date_keeps_the_dialog_open_with_a_reason():
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()
        app.screen.query_one("#filter-until", Input).value = "last week"
        await pilot.click("#filters-apply")
        await pilot.pause()
        assert isinstance(app.screen, FiltersScreen)
        assert "'last week' is not a date" in visible(app)
        assert app.filters == Filters()


async def test_palette_sets_and_clears_a_filter_from_the_index_values():
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Filter by origin: Consulate [Lyon]")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert app.filters.origin == "Consulate [Lyon]"
        await pilot.press("ctrl+p")
        await pilot.press(*"Clear filters")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert not app.filters
        assert not app.query_one("#filters-bar").display


async def test_copy_puts_the_selected_hit_and_its_citation_on_the_clipboard():
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, SEED_QUESTION)
        top, second = app.query(HitView)[:2]
        await pilot.press("ctrl+y")
        assert app.clipboard == f"{top.hit.excerpt}\n— {top.hit.citation}"
        assert "356 kg of heroin" in app.clipboard
        second.focus()
        await pilot.press("ctrl+y")
        assert app.clipboard.endswith(second.hit.citation)


@pytest.mark.parametrize(
    ("question", "verdict", "title", "words"),
    [
        ("Who won the heroin championship in Reykjavik?", "possible", "Possible answers", "no passage surely answers"),
        ("Who won the chess championship in Reykjavik?", "not_found", "Not in these cables", "nothing indexed seems"),
    ],
)
async def test_an_unsure_card_says_which_unsure_in_words_and_still_shows_the_nearest_passages(
    question, verdict, title, words
):
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, question)
        card = app.query_one(AnswerCard)
        assert card.answer.verdict == verdict and not card.answer.confident
        assert card.has_class(verdict.replace("_", "-"))
        text = visible(app)
        assert f"{title}: {words}" in text
        assert title in card.border_title
        assert len(card.query(HitView)) == len(card.answer.hits) > 0


async def test_markup_and_escape_codes_in_a_cable_are_shown_literally():
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, "caution link screen code")
        assert app.query_one(AnswerCard).answer.hits[0].doc_id == MARKUP_ID
        text = visible(app)
        assert "Agents noted [red]caution[/] about [link=http://x]the link[/] and ␛[2Jthe screen code." in text
        assert "Odd [b]text[/b]" in text and "Consulate [Lyon]" in text and "CONFIDENT[IAL]" in text
        await pilot.press("tab", "enter")
        await settle(pilot)
        text = visible(app)
        assert "Markup [bold]looking[/bold] subject" in text
        assert "[link=http://x]the link[/]" in text and "␛[2J" in text


def test_literal_keeps_offsets_and_never_parses_markup():
    text = "a [red]b[/] \x1b[2J c\x9b"
    assert printable(text) == "a [red]b[/] ␛[2J c\ufffd"
    assert len(printable(text)) == len(text)
    content = literal(text, spans=[(2, 7)], span_style="bold")
    assert content.plain == printable(text)
    assert [(span.start, span.end, span.style) for span in content.spans] == [(2, 7, "bold")]


async def test_esc_cancels_a_running_search_and_its_result_is_ignored():
    assistant = BlockingAssistant()
    app = fake_app(assistant)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.query_one("#question", Input).value = SEED_QUESTION
        await pilot.press("enter")
        await pilot.pause()
        assert assistant.started.wait(5)
        assert "esc Cancel" in visible(app)
        await pilot.press("escape")
        await pilot.pause()
        assistant.release.set()
        await settle(pilot)
        assert "Cancelled." in visible(app)
        assert not app.query(AnswerCard)
        assert not app.query_one(Turn).pending


async def test_ctrl_l_clears_the_conversation():
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, SEED_QUESTION)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not app.query(Turn)
        assert app.query(Welcome)


async def test_a_load_error_is_shown_in_one_line_and_questions_say_why():
    def broken(index_dir, *, model=None, progress=None):
        raise CableQAError(f"no index in {index_dir}: run `cableqa index` first")

    app = make_app("nowhere", assistant_factory=broken)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, SEED_QUESTION)
        text = visible(app)
        assert text.count("no index in nowhere") == 2  # status bar and the question's note
        assert "Traceback" not in text


def test_importing_the_tui_loads_no_model_libraries():
    code = (
        "import sys, cableqa.tui, cableqa.tui.app; "
        "heavy = {'torch', 'sentence_transformers', 'onnxruntime', 'faiss', 'ray'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


async def test_answers_from_a_real_index_built_with_the_fake_encoder(hashing_seed_index):
    app = make_app(index_dir=str(hashing_seed_index), model="hashing")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, SEED_QUESTION)
        card = app.query_one(AnswerCard)
        assert card.answer.hits[0].doc_id == SEED_ID
        assert SEED_ID in visible(app)


async def test_rebuild_from_the_palette_rebuilds_and_reopens_the_index(tmp_path):
    import cableqa

    index = tmp_path / "index"
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    cableqa.build([str(seeds)], index, model="hashing")
    built_at = cableqa.load(index, model="hashing").info().built_at
    app = make_app(index_dir=str(index), model="hashing")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.rebuild(str(seeds))
        await settle(pilot)
        await settle(pilot)
        assert app.loaded
        assert "1 cable ·" in visible(app)
    assert cableqa.load(index, model="hashing").info().built_at >= built_at
