"""The question box: Enter asks, ↑/↓ walk through the questions asked before."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.widgets import Input

from cableqa.tui.history import QuestionHistory


class QuestionInput(Input):
    BINDINGS = [
        Binding("up", "history_back", "History", id="history-previous", key_display="↑↓"),
        Binding("down", "history_forward", "Next question", id="history-next", show=False),
    ]

    def __init__(self, history: QuestionHistory, **options: Any) -> None:
        super().__init__(**options)
        self.history = history

    def _recall(self, question: str | None) -> None:
        if question is not None:
            self.value = question
            self.cursor_position = len(question)

    def action_history_back(self) -> None:
        self._recall(self.history.back(self.value))

    def action_history_forward(self) -> None:
        self._recall(self.history.forward())
