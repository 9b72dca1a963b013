"""The cableqa chat app: ask in the input, read cited answers in the transcript."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, HelpPanel, Input, Static

from cableqa.errors import CableQAError
from cableqa.tui.answer_card import HitView, Turn, Welcome, copy_text
from cableqa.tui.assistant_thread import AssistantThread
from cableqa.tui.commands import CableQACommands
from cableqa.tui.filters import Filters, FiltersScreen
from cableqa.tui.history import QuestionHistory
from cableqa.tui.literal import literal
from cableqa.tui.prompt import PromptScreen
from cableqa.tui.question_input import QuestionInput
from cableqa.tui.reader import ReaderScreen
from cableqa.tui.status_bar import StatusBar
from cableqa.tui.transcript import conversation_markdown
from cableqa.types import Hit

T = TypeVar("T")
Progress = Callable[[str, int, "int | None"], None]
AssistantFactory = Callable[..., Any]  # (index_dir, *, model, progress) -> Assistant, like cableqa.load
Builder = Callable[..., Any]  # (sources, index_dir, *, model, rebuild, progress), like cableqa.build

DEFAULT_EXPORT = "cableqa-conversation.md"
DEFAULT_SOURCES = "seeds/"


def _load_cableqa(index_dir: str, *, model: str | None, progress: Progress) -> Any:
    import cableqa  # the heavy imports happen here, on the assistant thread

    return cableqa.load(index_dir, model=model, progress=progress)


def _build_cableqa(sources: list[str], index_dir: str, **options: Any) -> Any:
    import cableqa

    return cableqa.build(sources, index_dir, **options)


def _message(error: BaseException) -> str:
    return str(error) if isinstance(error, CableQAError) else f"Unexpected error: {error!r}"


class CableQAApp(App[None]):
    """A chat over an index of cables; every answer is the cables' own words, cited."""

    CSS_PATH = "cableqa.tcss"
    TITLE = "cableqa"
    COMMANDS = App.COMMANDS | {CableQACommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("ctrl+p", "command_palette", "Commands", id="command-palette", priority=True, show=False),
        Binding("f1", "toggle_help", "Keys", id="help"),
        Binding("ctrl+f", "filters", "Filters", id="filters"),
        Binding("ctrl+y", "copy_hit", "Copy hit", id="copy-hit"),
        Binding("ctrl+l", "clear", "Clear", id="clear"),
        Binding("escape", "cancel_search", "Cancel search", id="cancel-search"),
    ]

    def __init__(
        self,
        index_dir: str = "index",
        model: str | None = None,
        assistant_factory: AssistantFactory | None = None,
        builder: Builder | None = None,
    ) -> None:
        super().__init__()
        self.index_dir = str(index_dir)
        self.model = model
        self.assistant_factory = assistant_factory or _load_cableqa
        self.builder = builder or _build_cableqa
        self.assistant = AssistantThread()
        self.loaded = False
        self.filters = Filters()
        self.facets: dict[str, list[str]] = {}
        self.history = QuestionHistory()

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

    def on_mount(self) -> None:
        self.query_one("#question").focus()
        self.load_index()

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
        self.status.loading(f"Loading the index in {self.index_dir}…")
        future = self.assistant.load(
            lambda: self.assistant_factory(self.index_dir, model=self.model, progress=self._relay_progress)
        )
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
        self.query("#welcome").remove()
        turn = Turn(question, waiting=not self.loaded)
        self.transcript.mount(turn)
        self._scroll_to(turn)
        filters = self.filters.as_kwargs()
        future = self.assistant.submit(lambda qa: qa.ask(question, **filters))
        self.run_worker(self._answer(turn, future), group="ask")
        self.refresh_bindings()

    async def _answer(self, turn: Turn, future: Future[Any]) -> None:
        try:
            answer = await self._result(future)
        except Exception as error:
            turn.show_note(_message(error), "error")
        else:
            turn.show_answer(answer)
            self.status.last_query(answer.seconds)
            self._scroll_to(turn)
        finally:
            self.call_after_refresh(self.refresh_bindings)

    def _scroll_to(self, turn: Turn) -> None:
        """Bring the question to the top, so its answer reads from its beginning."""
        self.call_after_refresh(self.transcript.scroll_to_widget, turn, top=True, animate=False)

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

    def action_cancel_search(self) -> None:
        """Esc: stop waiting for the pending questions; a search already running is ignored."""
        for turn in self.query(Turn):
            if turn.pending:
                turn.show_note("Cancelled.", "cancelled")
        self.workers.cancel_group(self, "ask")
        self.refresh_bindings()

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
        self.run_worker(self._open_reader(event.hit), group="read", exclusive=True)

    async def _open_reader(self, hit: Hit) -> None:
        try:
            cable = await self._result(self.assistant.submit(lambda qa: qa.cable(hit.doc_id)))
        except Exception as error:
            self.notify(literal(_message(error)), severity="error")
            return
        if cable is None:
            self.notify(literal(f"Cable {hit.doc_id} is not in the index."), severity="error")
            return
        await self.push_screen(ReaderScreen(cable, hit))

    # Filters

    def apply_filters(self, filters: Filters | None) -> None:
        if filters is None:
            return
        self.filters = filters
        bar = self.query_one("#filters-bar", Static)
        bar.update(literal(f"Filters: {filters.describe()}   (ctrl+f to change)"))
        bar.set_class(filters.active, "-active")

    def action_filters(self) -> None:
        self.push_screen(FiltersScreen(self.filters, self.facets), self.apply_filters)

    def set_filter(self, name: str, value: str | None) -> None:
        self.apply_filters(self.filters.set(name, value))

    def clear_filters(self) -> None:
        self.apply_filters(Filters())

    # Conversation, help, theme

    def action_clear(self) -> None:
        self.action_cancel_search()
        self.transcript.remove_children()
        self.transcript.mount(Welcome())

    def action_toggle_help(self) -> None:
        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def action_export(self) -> None:
        self.push_screen(
            PromptScreen("Export conversation", "Write the conversation as Markdown to:", DEFAULT_EXPORT),
            self.export_conversation,
        )

    def export_conversation(self, path: str | None) -> None:
        if not path:
            return
        answers = [turn.answer for turn in self.query(Turn) if turn.answer]
        try:
            Path(path).expanduser().write_text(conversation_markdown(answers), encoding="utf-8")
        except OSError as error:
            self.notify(literal(f"Could not write {path}: {error.strerror}"), severity="error")
            return
        self.notify(literal(f"Wrote {len(answers)} answers to {path}."))

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
) -> CableQAApp:
    """The app over `index_dir`; `assistant_factory` replaces `cableqa.load` (tests)."""
    return CableQAApp(index_dir, model, assistant_factory)
