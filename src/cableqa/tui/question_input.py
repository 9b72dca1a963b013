"""The question box: Enter asks, ↑/↓ walk through the questions asked before."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.widgets import Input

from cableqa.tui.history import QuestionHistory


class QuestionInput(Input):
    """Keys that read the conversation (PageUp, Tab, ...) work from here, so the focus can stay."""

    BINDINGS = [
        Binding("enter", "submit", "Ask the question", id="ask", show=False),
        Binding("up", "history_back", "History", id="history-previous", key_display="↑↓"),
        Binding("down", "history_forward", "Forward in history", id="history-next", show=False),
        Binding("tab", "app.focus_answer('first')", "To the newest answer", id="to-answer", show=False),
        Binding("shift+tab", "app.focus_answer('last')", "To its last passage", id="to-last-passage", show=False),
        Binding("pageup", "app.scroll_transcript('page_up')", "Scroll up a page", id="page-up", show=False),
        Binding("pagedown", "app.scroll_transcript('page_down')", "Scroll down a page", id="page-down", show=False),
        Binding("ctrl+home", "app.scroll_transcript('home')", "To the first question", id="to-first", show=False),
        Binding("ctrl+end", "app.scroll_transcript('end')", "To the end", id="to-end", show=False),
    ]

    def __init__(self, history: QuestionHistory, **options: Any) -> None:
        # Coming back from a hit must not select the draft: the next key would replace it.
        super().__init__(select_on_focus=False, **options)
        self.history = history

    def _recall(self, question: str | None) -> None:
        if question is not None:
            self.value = question
            self.cursor_position = len(question)

    def action_history_back(self) -> None:
        self._recall(self.history.back(self.value))

    def action_history_forward(self) -> None:
        self._recall(self.history.forward())
