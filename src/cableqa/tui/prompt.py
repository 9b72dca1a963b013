"""A one-line question in a dialog: where to export, what to rebuild from."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class PromptScreen(ModalScreen[str | None]):
    """Ask for one value; Enter accepts it, Esc cancels (None)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="prompt-cancel")]

    def __init__(self, title: str, explanation: str, default: str) -> None:
        super().__init__()
        self.title_text = title
        self.explanation = explanation
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog") as dialog:
            dialog.border_title = self.title_text
            yield Static(self.explanation, id="prompt-explanation", markup=False)
            yield Input(self.default, id="prompt-input")

    @on(Input.Submitted)
    def accept(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)
