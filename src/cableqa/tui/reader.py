"""The whole cable behind a hit: metadata, every section, the cited passage in view."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from cableqa.tui.answer_card import HIGHLIGHT, LABEL_WIDTH
from cableqa.tui.literal import literal, one_line
from cableqa.tui.paper_trail import Trail, TrailPanel
from cableqa.types import Cable, Hit, Section, paragraph_range

EXCERPT = "on $accent 25%"


def cable_header(cable: Cable) -> Content:
    """Subject, then the cable's metadata as aligned label/value rows."""
    rows = [
        ("Cable", cable.doc_id),
        ("Date", cable.date or "unknown"),
        ("Origin", cable.origin or "unknown"),
        ("Classification", cable.classification or "unknown"),
        ("Tags", ", ".join(cable.tags) or "—"),
        ("References", ", ".join(cable.references) or "—"),
    ]
    if cable.released:
        rows.insert(2, ("Released", cable.released))
    lines = [literal(one_line(cable.subject) or cable.doc_id, "bold")]
    lines += [Content.assemble((label.ljust(LABEL_WIDTH), "$text-muted"), literal(value)) for label, value in rows]
    return Content("\n").join(lines)


def section_content(section: Section, number: int, hit: Hit | None) -> Content:
    """A section's title line and text; when `hit` cites it, its excerpt and terms marked."""
    title = Content.assemble(
        (f"§{number}  ", "$text-muted"),
        literal(one_line(section.name), "bold"),
        (f"  {paragraph_range(section.paragraphs)}", "$text-muted"),
    )
    body = literal(section.text)
    if hit is not None:
        body = body.stylize(EXCERPT, hit.excerpt_start, hit.excerpt_end)
        for start, end in hit.highlights:
            body = body.stylize(HIGHLIGHT, hit.excerpt_start + start, hit.excerpt_start + end)
    return Content("\n").join([title, body])


class ReaderScreen(Screen[None]):
    """Read the cable in full, its paper trail under the header; Esc goes back (along the trail, then to the chat).

    `hit` is the passage that opened it, marked and scrolled into view; None for a cable
    opened from another's trail.
    """

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="close-reader")]

    def __init__(self, cable: Cable, hit: Hit | None, trail: Trail | None = None) -> None:
        super().__init__()
        self.cable = cable
        self.hit = hit
        self.trail = trail or Trail()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="reader"):
            yield Static(cable_header(self.cable), id="reader-header")
            yield TrailPanel(self.trail)
            sections = self.cable.sections or (
                Section(f"{self.cable.doc_id}:1", "", (), 0, len(self.cable.body), self.cable.body),
            )
            for number, section in enumerate(sections, start=1):
                cited = self.hit is not None and section.id == self.hit.section_id
                yield Static(
                    section_content(section, number, self.hit if cited else None),
                    classes="reader-section cited" if cited else "reader-section",
                )
        yield Footer()

    def on_mount(self) -> None:
        reader = self.query_one("#reader", VerticalScroll)
        reader.focus()
        for cited in self.query(".cited"):
            self.call_after_refresh(reader.scroll_to_widget, cited, top=True, animate=False)
