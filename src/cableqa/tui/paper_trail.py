"""The paper trail in the reader: the cables this one cites, the cables citing it, related ones.

Each indexed cable is a focusable line; Enter (or a click) opens it in a new reader
on top, so Esc walks back along the trail. A reference the index lacks is shown
greyed, "not indexed", and cannot be opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from cableqa.tui.literal import literal, one_line
from cableqa.types import CableLink, RelatedCable

RELATED_IN_READER = 5  # related cables listed under a cable


@dataclass(frozen=True)
class Trail:
    """What the reader lists under a cable's header."""

    references: list[CableLink] = field(default_factory=list)
    cited_by: list[CableLink] = field(default_factory=list)
    related: list[RelatedCable] = field(default_factory=list)


def fetch_trail(assistant, doc_id: str) -> Trail:
    """The trail of `doc_id` from an Assistant (runs on the assistant thread)."""
    return Trail(assistant.references(doc_id), assistant.cited_by(doc_id), assistant.related(doc_id, RELATED_IN_READER))


def reference_counts_text(cites: int, cited_by: int) -> str:
    """`cites 2 · cited by 3 indexed cables`; only the parts that are not zero; "" for none."""
    parts = [f"cites {cites}" if cites else "", f"cited by {cited_by}" if cited_by else ""]
    text = " · ".join(part for part in parts if part)
    return f"{text} indexed cable{'s' * (max(cites, cited_by) != 1)}" if text else ""


def link_line(label: str, doc_id: str, indexed: bool, subject: str, date: str | None) -> Content:
    """`A  09STATE15113  2009-02-18  SUBJECT`, or the ID and "not indexed" greyed."""
    head = Content.assemble((f"{label or '·':<3}", "$text-muted"), literal(doc_id, "bold" if indexed else ""))
    if not indexed:
        return Content.assemble(head, ("  not indexed", "")).stylize("$text-disabled")
    return Content.assemble(head, (f"  {(date or '')[:10]}  ", "$text-muted"), literal(one_line(subject)))


class TrailLink(Static):
    """One cable of the trail; an indexed one can be focused and opened."""

    BINDINGS = [Binding("enter", "open", "Open cable", id="open-trail-cable")]

    class Opened(Message):
        def __init__(self, doc_id: str) -> None:
            super().__init__()
            self.doc_id = doc_id

    def __init__(self, line: Content, doc_id: str, indexed: bool) -> None:
        super().__init__(line, classes="trail-link" if indexed else "trail-link -not-indexed")
        self.doc_id = doc_id
        self.can_focus = indexed

    def action_open(self) -> None:
        if self.can_focus:
            self.post_message(self.Opened(self.doc_id))

    def on_click(self) -> None:
        self.action_open()


class TrailPanel(Vertical):
    """References, cited by, related: a heading and its cables each (headings without cables are left out)."""

    def __init__(self, trail: Trail) -> None:
        super().__init__(id="trail")
        self.trail = trail

    def compose(self) -> ComposeResult:
        groups = [
            (
                "References",
                [TrailLink(link_line(*_fields(link)), link.doc_id, link.indexed) for link in self.trail.references],
            ),
            ("Cited by", [TrailLink(link_line(*_fields(link)), link.doc_id, True) for link in self.trail.cited_by]),
            (
                "Related",
                [
                    TrailLink(link_line("", cable.doc_id, True, cable.subject, cable.date), cable.doc_id, True)
                    for cable in self.trail.related
                ],
            ),
        ]
        for heading, links in groups:
            if links:
                yield Static(heading, classes="trail-heading")
                yield from links


def _fields(link: CableLink) -> tuple:
    return link.label, link.doc_id, link.indexed, link.subject, link.date
