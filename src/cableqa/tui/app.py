"""The cableqa chat app: ask in the input, read cited answers in the transcript."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from typing import Any, TypeVar

from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from cableqa.errors import CableQAError
from cableqa.filters import Filters
from cableqa.tui.answer_card import HitView, Turn, Welcome, copy_text
from cableqa.tui.assistant_thread import AssistantThread
from cableqa.tui.exports import (
    FORMATS,
    choose_export_folder,
    chosen_export_folder,
    default_export_folder,
    write_export,
)
from cableqa.tui.filters import FiltersScreen
from cableqa.tui.history import QuestionHistory
from cableqa.tui.keys import KeyGroup, KeysScreen
from cableqa.tui.literal import literal
from cableqa.tui.paper_trail import TrailLink, fetch_trail
from cableqa.tui.past_sessions import PastSessionsScreen, SessionNote
from cableqa.tui.prompt import PromptScreen
from cableqa.tui.question_input import QuestionInput
from cableqa.tui.reader import ReaderScreen
from cableqa.tui.sessions import SavedTurn, Session, past_sessions
from cableqa.tui.status_bar import StatusBar
from cableqa.types import Answer, FacetValue, Hit
from cableqa.wording import folder

T = TypeVar("T")
Progress = Callable[[str, int, "int | None"], None]
AssistantFactory = Callable[..., Any]  # (index_dir, *, model, progress) -> Assistant, like cableqa.load
Builder = Callable[..., Any]  # (sources, index_dir, *, model, rebuild, progress), like cableqa.build

LONG_NOTICE_SECONDS = 12  # long enough to read a path or a sentence, or to select it (Textual's default: 5)
DEFAULT_SOURCES = "seeds/"
# Below this many terminal rows an answer card drops the dim sentences around its top
# excerpt. The transcript gets the rows less 5 (question box 3, status, footer); at 80
# columns an 80-word excerpt wraps to 8 rows, its citation takes 6-7 (a long subject one
# more) and the question and card border 2, so 17 rows; the two context sentences (up to
# 160 characters each) add up to 5 more, and with them the citation would fall below the
# fold at 80x24 (19 rows).
COMPACT_BELOW_ROWS = 28
FIRST_FRAME_WAIT_SECONDS = 2  # loading waits for the first frame at most this long

QUIT = Binding("ctrl+q", "quit", "Quit", id="quit", priority=True)
PALETTE = Binding("ctrl+p", "command_palette", "Commands", id="command-palette", priority=True, show=False)
KEYS = Binding("f1", "show_keys", "Keys", id="help")
FILTERS = Binding("ctrl+f", "filters", "Filters", id="filters")
COPY_HIT = Binding("ctrl+y", "copy_hit", "Copy", tooltip="Copy passage and citation", id="copy-hit")
CLEAR = Binding("ctrl+l", "clear", "Clear", tooltip="Clear the conversation", id="clear", show=False)
CANCEL_SEARCH = Binding("escape", "cancel_search", "Cancel", tooltip="Cancel the search", id="cancel-search")


def _load_cableqa(index_dir: str, *, model: str | None, progress: Progress) -> Any:
    import cableqa  # the heavy imports happen here, on the assistant thread

    return cableqa.load(index_dir, model=model, progress=progress)


def _build_cableqa(sources: list[str], index_dir: str, **options: Any) -> Any:
    import cableqa

    return cableqa.build(sources, index_dir, **options)


def _cableqa_commands() -> type:
    """The command palette's provider, imported when the palette first opens (not before the first frame)."""
    from cableqa.tui.commands import CableQACommands

    return CableQACommands


def _message(error: BaseException) -> str:
    return str(error) if isinstance(error, CableQAError) else f"Unexpected error: {error!r}"


class CableQAApp(App[None]):
    """A chat over an index of cables; every answer is the cables' own words, cited."""

    CSS_PATH = "cableqa.tcss"
    TITLE = "cableqa"
    COMMANDS = App.COMMANDS | {_cableqa_commands}
    BINDINGS = [QUIT, PALETTE, KEYS, FILTERS, COPY_HIT, CLEAR, CANCEL_SEARCH]
    # F1's key sheet, made of the bindings themselves; the app's own not placed elsewhere go under "App".
    KEY_SHEET = (
        KeyGroup("Asking", QuestionInput.BINDINGS),
        KeyGroup("Answers", [*HitView.BINDINGS, COPY_HIT], "Typing on a passage goes to the question box."),
        KeyGroup("Reader", ReaderScreen.BINDINGS, "↑ ↓ PgUp PgDn scroll the cable."),
        KeyGroup("Filters", [FILTERS, *FiltersScreen.BINDINGS], "Enter applies; → accepts a completion."),
        KeyGroup("App", [binding for binding in BINDINGS if binding not in (FILTERS, COPY_HIT)]),
    )

    compact: reactive[bool] = reactive(False)  # a short terminal: answer cards leave out context

    def __init__(
        self,
        index_dir: str = "index",
        model: str | None = None,
        assistant_factory: AssistantFactory | None = None,
        builder: Builder | None = None,
        resume: Session | None = None,
    ) -> None:
        super().__init__()
        self.index_dir = str(index_dir)
        self.model = model
        self.assistant_factory = assistant_factory or _load_cableqa
        self.builder = builder or _build_cableqa
        self.assistant = AssistantThread()
        self._drawn = threading.Event()  # set once the first frame is up
        self.loaded = False
        self.filters = Filters()
        self.facets: dict[str, list[FacetValue]] = {}
        self.history = QuestionHistory()
        self.resume = resume  # a past session to reopen once the first frame is up
        self.session: Session | None = None  # this conversation's file, started by its first question
        self.session_unsaved = False  # saving failed once (and the user was told)

    # Layout

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="transcript", can_focus=False):
            yield Welcome()
        yield Static("", id="filters-bar")
        yield QuestionInput(self.history, placeholder="Ask a question about the cables…", id="question")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def transcript(self) -> VerticalScroll:
        return self.query_one("#transcript", VerticalScroll)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def question_box(self) -> QuestionInput:
        return self.query_one("#question", QuestionInput)

    def on_mount(self) -> None:
        self.question_box.focus()
        self.load_index()
        if self.resume is not None:
            self.call_later(self.open_session, self.resume)

    def on_ready(self) -> None:
        """The first frame is up (Textual's `Ready`): the index may load now (`load_index`)."""
        self._drawn.set()

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.height < COMPACT_BELOW_ROWS

    def watch_compact(self, compact: bool) -> None:
        for hit in self.query(".top-hit").results(HitView):
            hit.context = not compact

    def on_unmount(self) -> None:
        self.assistant.stop()

    # Talking to the assistant thread

    def _relay_progress(self, stage: str, done: int, total: int | None) -> None:
        """The progress callback; runs on the assistant thread."""
        self.call_from_thread(self.status.progress, stage, done, total)

    async def _result(self, future: Future[T]) -> T:
        return await asyncio.wrap_future(future)

    def load_index(self) -> None:
        """(Re)open the index on the assistant thread; questions asked meanwhile wait."""
        self.loaded = False
        self.status.loading(f"Loading the index in {folder(self.index_dir)}…")

        def load() -> Any:
            # Loading imports numpy, FAISS and onnxruntime, holding the GIL for much of it: begun
            # before the first frame is up, it delays that frame. Queued now all the same, so that
            # a question sent meanwhile waits for it.
            self._drawn.wait(FIRST_FRAME_WAIT_SECONDS)
            return self.assistant_factory(self.index_dir, model=self.model, progress=self._relay_progress)

        future = self.assistant.load(load)
        self.run_worker(self._finish_loading(future), group="load", exclusive=True)

    async def _finish_loading(self, future: Future[Any]) -> None:
        try:
            await self._result(future)
            info = await self._result(self.assistant.submit(lambda qa: qa.info()))
            self.facets = await self._result(self.assistant.submit(lambda qa: qa.facets()))
        except Exception as error:
            self.status.failed(_message(error))
            return
        self.loaded = True
        self.status.ready(info)
        for turn in self.query(Turn):
            turn.index_loaded()

    # Asking

    @on(Input.Submitted, "#question")
    def ask(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            return
        event.input.clear()
        self.history.add(question)
        self.send(question, self.filters, self._save_question(question, self.filters))

    def send(self, question: str, filters: Filters, number: int | None, reopened: SavedTurn | None = None) -> None:
        """Show `question` and have it answered under `filters`; `number` is its turn in the session file.

        `reopened`: the saved turn it comes from, when a past session is reopened (its answer then
        stays where it is, the transcript showing the session from its beginning).
        """
        self.query("#welcome").remove()
        for earlier in self.query(Turn):
            earlier.remove_class("-latest")
        turn = Turn(question, waiting=not self.loaded)
        turn.add_class("-latest")  # at least a screenful high, so it can scroll to the top
        self.transcript.mount(turn)
        if reopened is None:
            self._scroll_to(turn)
        options = filters.as_kwargs()
        future = self.assistant.submit(lambda qa: (qa.ask(question, **options), qa.info().built_at))
        self.run_worker(self._answer(turn, future, number, reopened), group="ask")
        self.refresh_bindings()

    async def _answer(self, turn: Turn, future: Future[Any], number: int | None, reopened: SavedTurn | None) -> None:
        try:
            answer, built_at = await self._result(future)
        except Exception as error:
            await turn.show_note(_message(error), "error")
        else:
            await turn.show_answer(answer, context=not self.compact)
            self.status.last_query(answer.seconds)
            if reopened is None:
                self._scroll_to(turn)
            elif reopened.built_at not in (None, built_at):
                self._index_rebuilt_since(reopened.built_at, built_at)
            if number is not None:  # after the comparison: saving records the new build in the saved turn
                self._save(lambda session: session.answered(number, answer, built_at))
        finally:
            self.call_after_refresh(self.refresh_bindings)

    def _scroll_to(self, turn: Turn) -> None:
        """Once laid out, bring the question to the top, so its answer reads from its beginning."""
        self.call_after_refresh(self.transcript.scroll_to_widget, turn, top=True, animate=False, immediate=True)

    def searching(self) -> bool:
        return any(turn.pending for turn in self.query(Turn))

    CHAT_ACTIONS = {"filters", "clear", "cancel_search"}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Chat actions only on the chat screen; Esc cancels only while there is a search."""
        if action in self.CHAT_ACTIONS and len(self.screen_stack) > 1:
            return False
        if action == "cancel_search":
            return self.searching()
        return True

    async def action_cancel_search(self) -> None:
        """Esc: stop waiting for the pending questions; a search already running is ignored."""
        self.workers.cancel_group(self, "ask")
        for turn in self.query(Turn):
            if turn.pending:
                await turn.show_note("Cancelled.", "cancelled")
        self.refresh_bindings()

    # Focus: typing always reaches the question box; Tab goes to the newest answer

    def action_focus_question(self) -> None:
        self.question_box.focus()

    async def on_event(self, event: events.Event) -> None:
        """A printable key on a passage (but a first space, which folds it) types in the question box.

        The focus moves here, before the key is delivered: keys are delivered in turn to
        whatever has the focus, so a passage handing them on would still receive the rest
        of a fast burst ("heroin seizures": the space would fold it, Enter open the reader).
        """
        if (
            isinstance(event, events.Key)
            and isinstance(self.focused, HitView)
            and event.is_printable
            and event.character not in (None, " ")
        ):
            self.screen.set_focus(self.question_box)
        await super().on_event(event)

    def action_focus_answer(self, end: str) -> None:
        """Tab / shift+Tab in the question box: the newest answer's first / last passage."""
        turns = [turn for turn in self.query(Turn) if turn.hits]
        if not turns:
            self.action_focus_next() if end == "first" else self.action_focus_previous()
            return
        hits = turns[-1].hits
        (hits[0] if end == "first" else hits[-1]).focus()

    def action_scroll_transcript(self, where: str) -> None:
        """PageUp/PageDown, ctrl+Home/ctrl+End in the question box scroll the conversation."""
        transcript = self.transcript
        moves = {
            "page_up": transcript.scroll_page_up,
            "page_down": transcript.scroll_page_down,
            "home": transcript.scroll_home,
            "end": transcript.scroll_end,
        }
        moves[where](animate=False)

    # The selected hit: read, copy

    def selected_hit(self) -> Hit | None:
        """The hit being read, else the focused hit, else the last answer's top hit."""
        if isinstance(self.screen, ReaderScreen):
            return self.screen.hit
        if isinstance(self.focused, HitView):
            return self.focused.hit
        answered = [turn.answer for turn in self.query(Turn) if turn.answer and turn.answer.hits]
        return answered[-1].hits[0] if answered else None

    def action_copy_hit(self) -> None:
        hit = self.selected_hit()
        if hit is None:
            self.notify("No hit to copy yet.", severity="warning")
            return
        self.copy_to_clipboard(copy_text(hit))
        self.notify(literal(f"Copied {hit.doc_id} to the clipboard."))

    @on(HitView.Opened)
    def open_hit(self, event: HitView.Opened) -> None:
        self.run_worker(self._open_reader(event.hit.doc_id, event.hit), group="read", exclusive=True)

    @on(TrailLink.Opened)
    def open_trail_cable(self, event: TrailLink.Opened) -> None:
        """A cable of the paper trail: read it on top, so Esc comes back here."""
        self.run_worker(self._open_reader(event.doc_id), group="read", exclusive=True)

    async def _open_reader(self, doc_id: str, hit: Hit | None = None) -> None:
        try:
            cable, trail = await self._result(
                self.assistant.submit(lambda qa: (qa.cable(doc_id), fetch_trail(qa, doc_id)))
            )
        except Exception as error:
            self.notify(literal(_message(error)), severity="error")
            return
        if cable is None:
            self.notify(literal(f"Cable {doc_id} is not in the index."), severity="error")
            return
        await self.push_screen(ReaderScreen(cable, hit, trail))

    # Sessions

    def _save(self, write: Callable[[Session], T]) -> T | None:
        """Write to this conversation's session file; the first failure is told once, and asking goes on."""
        if self.session_unsaved:
            return None
        try:
            self.session = self.session or Session.start(self.index_dir)
            return write(self.session)
        except OSError as error:
            self.session_unsaved = True
            self.notify(literal(f"This session cannot be saved: {error.strerror}"), severity="warning")
            return None

    def _save_question(self, question: str, filters: Filters) -> int | None:
        return self._save(lambda session: session.asked(question, filters))

    def action_open_session(self) -> None:
        current = self.session.path if self.session else None
        sessions = [session for session in past_sessions() if session.path != current]
        if not sessions:
            self.notify("No past session yet: each conversation is saved as you ask.", severity="warning")
            return
        self.push_screen(PastSessionsScreen(sessions), lambda session: self.call_later(self.open_session, session))

    async def open_session(self, session: Session | None) -> None:
        """Replace the conversation with `session`'s: its questions asked again, under their filters."""
        if session is None:
            return
        await self.action_cancel_search()
        await self.transcript.remove_children()
        self.session, self.session_unsaved = session, False
        await self.transcript.mount(SessionNote(session, self.index_dir))
        self.transcript.scroll_home(animate=False)  # read from the note and the first question on
        for turn in session.turns:
            self.send(turn.question, turn.filters, turn.number, reopened=turn)
        if session.turns:
            self.apply_filters(session.turns[-1].filters)  # a next question goes on where the session left off

    def _index_rebuilt_since(self, then: str, now: str) -> None:
        """Say it, once, atop the reopened session and in a notice: its answers may differ from the first."""
        note = self.query_one(SessionNote)
        if not note.changed:
            note.index_changed(then, now)
            self.notify(literal(note.changed_text(then, now)), severity="warning", timeout=LONG_NOTICE_SECONDS)

    # Filters

    def apply_filters(self, filters: Filters | None) -> None:
        if filters is None:
            return
        self.filters = filters
        bar = self.query_one("#filters-bar", Static)
        bar.update(literal(f"Filters: {filters.describe()}   (ctrl+f to change them)"))
        bar.set_class(bool(filters), "-active")

    def action_filters(self) -> None:
        self.push_screen(FiltersScreen(self.filters, self.facets), self.apply_filters)

    def set_filter(self, name: str, value: str | None) -> None:
        self.apply_filters(self.filters.set(name, value))

    def clear_filters(self) -> None:
        self.apply_filters(Filters())

    # Conversation, help, theme

    async def action_clear(self) -> None:
        """Clear the conversation; the next question starts a new session (this one stays saved)."""
        await self.action_cancel_search()
        await self.transcript.remove_children()
        await self.transcript.mount(Welcome())
        self.session = None

    def action_show_keys(self) -> None:
        self.push_screen(KeysScreen(self.KEY_SHEET))

    def get_system_commands(self, screen: Screen) -> Any:
        """Textual's commands, with "Keys" showing cableqa's key sheet instead of Textual's panel."""
        for command in super().get_system_commands(screen):
            if command.title == "Keys":
                command = SystemCommand("Keys", "Show cableqa's keys, grouped", self.action_show_keys)
            yield command

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def answers(self) -> list[Answer]:
        """The conversation's answers, oldest first."""
        return [turn.answer for turn in self.query(Turn) if turn.answer]

    def action_export(self, format_name: str) -> None:
        """Export in `format_name` (a key of `exports.FORMATS`); the first export asks for the folder."""
        if chosen_export_folder() is None:
            self.action_set_export_folder(then_export=format_name)
        else:
            self.export(format_name)

    def action_set_export_folder(self, then_export: str | None = None) -> None:
        current = chosen_export_folder() or default_export_folder()
        explanation = 'Exports go to this folder, each under a new name (ctrl+p "Set export folder" changes it):'

        def chosen(typed: str | None) -> None:
            if not typed:
                return
            try:
                chosen_folder = choose_export_folder(typed)
            except OSError as error:
                self.notify(literal(f"Could not use {typed} for exports: {error.strerror}"), severity="error")
                return
            if then_export:
                self.export(then_export)
            else:
                self.notify(literal(f"Exports will go to {chosen_folder}"))

        self.push_screen(PromptScreen("Export folder", explanation, str(current)), chosen)

    def export(self, format_name: str) -> None:
        """Write a new export file in the chosen folder; notify its full path and put it on the clipboard."""
        export_format = FORMATS[format_name]
        answers = self.answers()
        if not answers:
            self.notify("Nothing to export yet: ask a question first.", severity="warning")
            return
        export_folder = chosen_export_folder() or default_export_folder()
        try:
            path = write_export(answers, export_format, export_folder, datetime.now())
        except OSError as error:
            self.notify(literal(f"Could not write to {export_folder}: {error.strerror}"), severity="error")
            return
        self.copy_to_clipboard(str(path))
        self.notify(
            literal(f"Wrote {export_format.contents(answers)} to\n{path}\n(the path is on the clipboard)"),
            timeout=LONG_NOTICE_SECONDS,
        )

    # Rebuilding

    def action_rebuild(self) -> None:
        self.push_screen(
            PromptScreen("Rebuild index", f"Rebuild {self.index_dir} from these files or folders:", DEFAULT_SOURCES),
            self.rebuild,
        )

    def rebuild(self, sources: str | None) -> None:
        if not sources:
            return
        self.loaded = False
        self.status.loading(f"Rebuilding {self.index_dir}…")
        future = self.assistant.run(
            lambda: self.builder(
                sources.split(), self.index_dir, model=self.model, rebuild=True, progress=self._relay_progress
            )
        )
        self.run_worker(self._finish_rebuild(future), group="rebuild", exclusive=True)

    async def _finish_rebuild(self, future: Future[Any]) -> None:
        try:
            await self._result(future)
        except Exception as error:
            self.status.failed(_message(error))
            return
        self.load_index()


def make_app(
    index_dir: str = "index",
    model: str | None = None,
    assistant_factory: AssistantFactory | None = None,
    resume: Session | None = None,
) -> CableQAApp:
    """The app over `index_dir`, reopening `resume`; `assistant_factory` replaces `cableqa.load` (tests)."""
    return CableQAApp(index_dir, model, assistant_factory, resume=resume)
