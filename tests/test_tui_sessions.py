"""Sessions: each conversation saved as it goes, reopened from ctrl+p or `cableqa --resume`, asked again."""

from __future__ import annotations

import json
import os

import pytest
from tui_fixtures import FakeAssistant, FakeInfo, ask, fake_factory, settle, visible

from cableqa.cli import main
from cableqa.filters import Filters
from cableqa.tui.answer_card import AnswerCard, Turn
from cableqa.tui.app import make_app
from cableqa.tui.past_sessions import PastSessionsScreen, SessionNote
from cableqa.tui.sessions import Session, latest_session, past_sessions, read_session, sessions_folder

pytestmark = pytest.mark.anyio

SEED_QUESTION = "How much heroin was seized at Dunkerque?"
GRAIN_QUESTION = "What did Russia expect?"
LATER_QUESTION = "What rose in March?"
SIZE = (100, 32)


@pytest.fixture
def anyio_backend():
    return "asyncio"


class RebuiltIndex(FakeAssistant):
    """The fake index, as if built again since the session was saved."""

    def info(self) -> FakeInfo:
        return FakeInfo(self.index_dir, 3, 4, 4, built_at="2025-02-02T00:00:00+00:00")


async def converse() -> None:
    """A first session: one question, then another under a filter."""
    app = make_app("fake-index", assistant_factory=fake_factory())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, SEED_QUESTION)
        app.set_filter("origin", "Embassy Moscow")
        await ask(pilot, GRAIN_QUESTION)


def records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def reopen_from_the_palette(app, pilot) -> None:
    app.action_open_session()
    await pilot.pause()
    assert isinstance(app.screen, PastSessionsScreen)
    await pilot.press("enter")
    await settle(pilot)


async def test_a_conversation_is_saved_as_it_goes_with_its_filters_and_answers():
    await converse()
    (session,) = past_sessions()
    lines = records(session.path)
    assert lines[0]["session"] == 1 and lines[0]["index_dir"] == "fake-index"
    asked = [line for line in lines if "question" in line and "turn" in line]
    answered = [line for line in lines if "answer" in line]
    assert [(line["question"], line["filters"]) for line in asked] == [
        (SEED_QUESTION, {}),
        (GRAIN_QUESTION, {"origin": "Embassy Moscow"}),
    ]
    assert [line["answer"]["question"] for line in answered] == [SEED_QUESTION, GRAIN_QUESTION]
    assert answered[0]["answer"]["hits"][0]["doc_id"] == "07PARIS4695"
    assert answered[0]["built_at"] == FakeInfo("fake-index", 0, 0, 0).built_at


async def test_a_reopened_session_asks_its_questions_again_under_their_filters_and_goes_on():
    await converse()
    assistant = FakeAssistant()
    app = make_app("fake-index", assistant_factory=fake_factory(assistant))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await reopen_from_the_palette(app, pilot)
        assert [turn.question for turn in app.query(Turn)] == [SEED_QUESTION, GRAIN_QUESTION]
        assert all(turn.query(AnswerCard) for turn in app.query(Turn))
        assert [(call["question"], call["origin"]) for call in assistant.calls] == [
            (SEED_QUESTION, None),
            (GRAIN_QUESTION, "Embassy Moscow"),
        ]
        note = app.query_one(SessionNote)
        assert "(2 questions), asked again against the current index" in visible(app)
        assert not note.changed
        assert app.filters.origin == "Embassy Moscow"  # the next question goes on under the last filters
        await ask(pilot, LATER_QUESTION)
    (session,) = past_sessions()  # reopening went on in the same file
    assert [turn.question for turn in session.turns] == [SEED_QUESTION, GRAIN_QUESTION, LATER_QUESTION]
    assert sum("answer" in line for line in records(session.path)) == 5  # 2 first answers, 2 again, 1 new


async def test_a_reopened_session_says_when_the_index_was_rebuilt_since():
    await converse()
    app = make_app("fake-index", assistant_factory=fake_factory(RebuiltIndex()))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await reopen_from_the_palette(app, pilot)
        assert app.query_one(SessionNote).changed
        assert "The index has been rebuilt since" in visible(app)


async def test_resume_reopens_the_latest_session(capsys):
    assert main(["--resume"]) == 2  # nothing saved yet
    assert capsys.readouterr().err == (
        f"cableqa: error: no past session to resume: none is saved in {sessions_folder()}/\n"
    )
    await converse()
    app = make_app("fake-index", assistant_factory=fake_factory())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, LATER_QUESTION)  # a later session, with one question
    app = make_app("fake-index", assistant_factory=fake_factory(), resume=latest_session())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert [turn.question for turn in app.query(Turn)] == [LATER_QUESTION]
        assert app.query(SessionNote) and app.query_one(Turn).query(AnswerCard)


async def test_clearing_the_conversation_starts_a_new_session():
    app = make_app("fake-index", assistant_factory=fake_factory())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, SEED_QUESTION)
        await pilot.press("ctrl+l")
        await pilot.pause()
        await ask(pilot, GRAIN_QUESTION)
    assert sorted(turn.question for session in past_sessions() for turn in session.turns) == sorted(
        [SEED_QUESTION, GRAIN_QUESTION]
    )
    assert len(past_sessions()) == 2


async def test_without_a_past_session_the_palette_command_says_so():
    app = make_app("fake-index", assistant_factory=fake_factory())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_open_session()
        await pilot.pause()
        assert not isinstance(app.screen, PastSessionsScreen)
        assert "No past session yet" in str(list(app._notifications)[-1].message)


async def test_a_data_folder_that_cannot_be_written_warns_once_and_asking_goes_on(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("CABLEQA_DATA_DIR", str(blocker))
    app = make_app("fake-index", assistant_factory=fake_factory())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, SEED_QUESTION)
        await ask(pilot, GRAIN_QUESTION)
        warnings = [n for n in app._notifications if "cannot be saved" in str(n.message)]
        assert len(warnings) == 1
        assert len(app.query(AnswerCard)) == 2


async def test_a_damaged_line_costs_that_line_and_a_damaged_file_that_session():
    await converse()
    (session,) = past_sessions()
    with session.path.open("a", encoding="utf-8") as file:
        file.write('{"turn": 3, "question": "cut off in the mid\n')
        file.write('{"turn": 4, "question": "bad filter", "filters": {"since": "yesterday"}, "asked_at": ""}\n')
    assert [turn.question for turn in read_session(session.path).turns] == [SEED_QUESTION, GRAIN_QUESTION]
    (sessions_folder() / "0000-garbage.jsonl").write_bytes(os.urandom(64))
    assert [found.path for found in past_sessions()] == [session.path]


def test_any_text_is_saved_exactly_a_lone_surrogate_or_a_control_included():
    question = "What of \ud800 and \x1b[2J and \x9b?"
    session = Session.start("fake-index")
    session.asked(question, Filters(origin="Consulate [Lyon]"))
    assert session.path.read_bytes().isascii()
    (turn,) = read_session(session.path).turns
    assert (turn.question, turn.filters.origin) == (question, "Consulate [Lyon]")


def test_of_two_sessions_started_in_the_same_second_the_later_is_the_latest(monkeypatch):
    from cableqa.tui import sessions

    monkeypatch.setattr(sessions, "_now", lambda: "2026-12-04T18:55:00+00:00")
    monkeypatch.setattr(sessions, "NAME_TIME", "2026-12-04-185500")  # both files named in that second
    first, second = sessions.Session.start("index"), sessions.Session.start("index")
    first.asked("first?", Filters())
    second.asked("second?", Filters())
    assert second.path.name.endswith("-2.jsonl")
    assert [turn.question for turn in sessions.latest_session().turns] == ["second?"]
