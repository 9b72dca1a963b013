"""Reopening a past session: the picker (ctrl+p "Open a past session…") and the note atop a reopened one."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cableqa.tui.literal import literal
from cableqa.tui.sessions import Session, local_time
from cableqa.wording import count, folder


class PastSessionsScreen(ModalScreen["Session | None"]):
    """The saved sessions, newest first; Enter reopens one, Esc cancels (None)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="sessions-cancel")]

    def __init__(self, sessions: Sequence[Session]) -> None:
        super().__init__()
        self.sessions = list(sessions)

    def compose(self) -> ComposeResult:
        with Vertical(id="sessions-dialog") as dialog:
            dialog.border_title = "Open a past session"
            dialog.border_subtitle = "Enter opens · Esc cancels"
            yield OptionList(*(Option(literal(session.title())) for session in self.sessions), id="sessions-list")

    @on(OptionList.OptionSelected)
    def open(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.sessions[event.option_index])


class SessionNote(Static):
    """Atop a reopened session: that its questions were asked again, and whether the index changed since."""

    def __init__(self, session: Session, index_dir: str) -> None:
        self.reopened = (
            f"Reopened the session of {local_time(session.started)} ({count(len(session.turns), 'question')}), "
            "asked again against the current index."
        )
        if session.index_dir != index_dir:
            self.reopened += f" It was asked over {folder(session.index_dir)}, this chat is over {folder(index_dir)}."
        super().__init__(literal(self.reopened), id="session-note")
        self.changed = False

    @staticmethod
    def changed_text(then: str, now: str) -> str:
        return (
            f"The index has been rebuilt since (built {local_time(then)} then, {local_time(now)} now): "
            "these answers may differ from the first ones."
        )

    def index_changed(self, then: str, now: str) -> None:
        """A question's answer came from another build of the index than the first time (`then`, `now`: built_at)."""
        self.changed = True
        self.add_class("-changed")
        self.update(literal(f"{self.reopened}\n{self.changed_text(then, now)}"))
