"""The bottom line: what is indexed (or how loading goes) and the last query's time."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import LoadingIndicator, Static

from cableqa.tui.literal import literal
from cableqa.wording import BUILD_STAGES, count, folder


class StatusBar(Horizontal):
    """Loading: a spinner and the build's progress. Ready: the index's contents."""

    def compose(self) -> ComposeResult:
        yield LoadingIndicator(id="status-spinner")
        yield Static("Loading the index…", id="status-index")
        yield Static("", id="status-query")

    def _set(self, widget_id: str, content: Content | str) -> None:
        self.query_one(widget_id, Static).update(content)

    def loading(self, message: str) -> None:
        self.set_class(True, "-loading")
        self.set_class(False, "-failed")
        self._set("#status-index", message)

    def progress(self, stage: str, done: int, total: int | None) -> None:
        """The progress callback of `cableqa.load`/`build`, relayed to the UI thread."""
        what = BUILD_STAGES.get(stage, stage)
        amount = f" {done:,}/{total:,}" if total else f" {done:,}" if done else ""
        self.loading(f"Building the index: {what}{amount}")

    def ready(self, info: Any) -> None:
        """Show what `Assistant.info()` says: where the index is, its cables and sections, the model."""
        self.set_class(False, "-loading")
        parts = [
            folder(info.index_dir),
            count(info.cables, "cable"),
            count(info.sections, "section"),
            f"model {info.model}",
        ]
        self._set("#status-index", literal(" · ".join(parts)))

    def failed(self, message: str) -> None:
        self.set_class(False, "-loading")
        self.set_class(True, "-failed")
        self._set("#status-index", literal(message))

    def last_query(self, seconds: float) -> None:
        self._set("#status-query", f"last query {seconds:.2f} s")
