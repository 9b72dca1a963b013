"""The "Check an article" screen: paste an article or open a file, see where each quotation comes from.

The check runs on the assistant thread like a question; its report is `check_report.table`,
shown literally (quotations and cable text are never markup).
"""

from __future__ import annotations

import asyncio

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, TextArea

from cableqa.errors import CableQAError
from cableqa.tui.literal import literal

EXPLANATION = (
    "Paste an article (text, Markdown or a web page's HTML) below and press ctrl+r, or type a file's path "
    "here and press Enter. Esc goes back."
)


class CheckScreen(Screen[None]):
    """An article in, a table out: each quotation's verdict (verbatim, altered, not found) and cable."""

    DEFAULT_CSS = """
    CheckScreen #check-explanation { color: $text-muted; padding: 0 1; }
    CheckScreen #check-article { height: 10; }
    CheckScreen #check-scroll { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("ctrl+r", "check", "Check", id="check-article", priority=True),
        Binding("escape", "app.pop_screen", "Back", id="close-check"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(EXPLANATION, id="check-explanation", markup=False)
        yield Input(placeholder="A file to open: story.md, page.html", id="check-file")
        yield TextArea(id="check-article", soft_wrap=True)
        with VerticalScroll(id="check-scroll"):
            yield Static("", id="check-report", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#check-article", TextArea).focus()

    @property
    def report(self) -> Static:
        return self.query_one("#check-report", Static)

    @on(Input.Submitted, "#check-file")
    def open_file(self, event: Input.Submitted) -> None:
        from cableqa.check import read_article_file

        name = event.value.strip()
        if not name:
            return
        try:
            text = read_article_file(name)
        except CableQAError as error:
            self.report.update(literal(str(error)))
            return
        self.query_one("#check-article", TextArea).text = text
        self.action_check()

    def action_check(self) -> None:
        text = self.query_one("#check-article", TextArea).text
        if not text.strip():
            self.report.update("Nothing to check yet: paste an article or open a file.")
            return
        self.report.update("Checking…")
        future = self.app.assistant.submit(lambda qa: qa.check(text))
        self.run_worker(self._show(asyncio.wrap_future(future)), group="check", exclusive=True)

    async def _show(self, checking) -> None:
        from cableqa.check_report import table

        try:
            result = await checking
        except CableQAError as error:
            self.report.update(literal(str(error)))
            return
        except Exception as error:  # shown, never raised into the app
            self.report.update(literal(f"Unexpected error: {error!r}"))
            return
        self.report.update(literal(table(result, self.report.size.width or self.size.width)))
        self.query_one("#check-scroll", VerticalScroll).scroll_home(animate=False)
