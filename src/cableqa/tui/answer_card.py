"""The chat transcript: each question, then its answer card with the cited hits."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import LoadingIndicator, Static

from cableqa.text import split_sentences
from cableqa.tui.literal import literal, one_line
from cableqa.types import Answer, Hit, paragraph_range

CONTEXT_CHARS = 160  # at most this much dim context on either side of an excerpt
LABEL_WIDTH = 16
HIGHLIGHT = "bold $text-accent underline"
NOT_CONFIDENT = "Nothing in the cables answers this. These are the nearest passages:"


def _flat(text: str) -> str:
    """Newlines and tabs as spaces, one for one, so that span offsets survive."""
    return text.replace("\n", " ").replace("\t", " ")


def context_before(text: str, start: int) -> str:
    """The sentence that ends where the excerpt starts, at most its last CONTEXT_CHARS, led by "…"."""
    previous = [span for span in split_sentences(text) if span[1] <= start]
    if not previous:
        return ""
    sentence = text[previous[-1][0] : start]
    if len(sentence) <= CONTEXT_CHARS:
        return sentence
    return "…" + sentence[-CONTEXT_CHARS:].split(" ", 1)[-1]


def context_after(text: str, end: int) -> str:
    """The sentence that follows the excerpt, at most its first CONTEXT_CHARS, followed by "…"."""
    following = [span for span in split_sentences(text) if span[0] >= end]
    if not following:
        return ""
    sentence = text[end : following[0][1]]
    if len(sentence) <= CONTEXT_CHARS:
        return sentence
    return sentence[:CONTEXT_CHARS].rsplit(" ", 1)[0] + "…"


def excerpt_in_context(hit: Hit) -> Content:
    """The excerpt with the question's terms marked, between dim neighbouring sentences."""
    return Content.assemble(
        literal(_flat(context_before(hit.text, hit.excerpt_start)), "dim"),
        literal(_flat(hit.excerpt), spans=hit.highlights, span_style=HIGHLIGHT),
        literal(_flat(context_after(hit.text, hit.excerpt_end)), "dim"),
    )


def citation_block(hit: Hit) -> Content:
    """Cable, section, date, origin and classification as aligned label/value rows."""
    rows = [
        ("Cable", f"{hit.doc_id} {paragraph_range(hit.paragraphs)}".strip()),
        ("Section", one_line(hit.section) or "—"),
        ("Date", (hit.date or "unknown")[:10]),
        ("Origin", hit.origin or "unknown"),
        ("Classification", hit.classification or "unknown"),
    ]
    lines = [
        Content.assemble((label.ljust(LABEL_WIDTH), "$text-muted"), literal(value, "bold" if label == "Cable" else ""))
        for label, value in rows
    ]
    lines[0] = lines[0] + Content.styled(f"   score {hit.score:.2f}", "$text-muted")
    return Content("\n").join(lines)


def hit_summary(hit: Hit, expanded: bool) -> Content:
    """One line: marker, rank, cable and paragraphs, score, section."""
    marker = "▾" if expanded else "▸"
    return Content.assemble(
        (f"{marker} {hit.rank}  ", "$text-muted"),
        literal(f"{hit.doc_id} {paragraph_range(hit.paragraphs)}".strip(), "bold"),
        (f"  {hit.score:.2f}  ", "$text-muted"),
        literal(one_line(hit.section) or one_line(hit.subject)),
    )


def copy_text(hit: Hit) -> str:
    """What the copy key puts on the clipboard: the excerpt and its citation."""
    return f"{one_line(hit.excerpt)}\n— {hit.citation}"


class HitView(Widget, can_focus=True):
    """One hit: expanded it shows the excerpt and citation; collapsed, one summary line."""

    BINDINGS = [
        Binding("enter", "open", "Read cable", id="open-hit"),
        Binding("space", "toggle", "Expand", id="toggle-hit"),
    ]

    expanded: reactive[bool] = reactive(False, toggle_class="-expanded")

    class Opened(Message):
        """The user asked to read the whole cable behind `hit`."""

        def __init__(self, hit: Hit) -> None:
            super().__init__()
            self.hit = hit

    def __init__(self, hit: Hit, *, expanded: bool = False, top: bool = False) -> None:
        super().__init__(classes="top-hit" if top else "more-hit")
        self.hit = hit
        self.set_reactive(HitView.expanded, expanded)
        self.set_class(expanded, "-expanded")

    def compose(self) -> ComposeResult:
        yield Static(hit_summary(self.hit, self.expanded), classes="hit-summary")
        yield Static(excerpt_in_context(self.hit), classes="hit-excerpt")
        yield Static(citation_block(self.hit), classes="hit-citation")

    def watch_expanded(self, expanded: bool) -> None:
        if self.is_mounted:
            self.query_one(".hit-summary", Static).update(hit_summary(self.hit, expanded))

    def action_toggle(self) -> None:
        self.expanded = not self.expanded

    def action_open(self) -> None:
        self.post_message(self.Opened(self.hit))

    def on_click(self) -> None:
        self.action_open()


class AnswerCard(Vertical):
    """The top hit in full, the other hits as expandable lines; says so when not confident."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(classes="confident" if answer.confident else "not-confident")
        self.answer = answer
        self.border_title = "Answer" if answer.confident else "No answer in the cables"
        count = len(answer.hits)
        self.border_subtitle = f"{count} passage{'s' * (count != 1)} · {answer.seconds:.2f} s"

    def compose(self) -> ComposeResult:
        hits = self.answer.hits
        if not self.answer.confident:
            yield Static(NOT_CONFIDENT if hits else "Nothing in the cables answers this.", classes="verdict")
        if hits:
            yield HitView(hits[0], expanded=True, top=True)
        if len(hits) > 1:
            yield Static("More passages (space expands, enter reads the cable)", classes="more-label")
            for hit in hits[1:]:
                yield HitView(hit)


class Turn(Vertical):
    """A question and, once it arrives, its answer (or why there is none)."""

    def __init__(self, question: str, *, waiting: bool) -> None:
        super().__init__(classes="turn")
        self.question = question
        self.answer: Answer | None = None
        self.pending = True
        self.waiting = waiting

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("› ", "bold $text-accent"), literal(self.question, "bold")), classes="question")
        with Vertical(classes="pending"):
            yield LoadingIndicator()
            yield Static(self._pending_text(), classes="pending-text")

    def _pending_text(self) -> str:
        return "Waiting for the index to load…" if self.waiting else "Searching…"

    def index_loaded(self) -> None:
        """The index is ready: a queued question is now being searched."""
        self.waiting = False
        if self.pending:
            self.query_one(".pending-text", Static).update(self._pending_text())

    def _settle(self, widget: Widget) -> None:
        self.pending = False
        self.query(".pending").remove()
        self.mount(widget)

    def show_answer(self, answer: Answer) -> None:
        self.answer = answer
        self._settle(AnswerCard(answer))

    def show_note(self, note: str, kind: str) -> None:
        """Settle without an answer: `kind` is "cancelled" or "error"."""
        self._settle(Static(literal(note), classes=f"note {kind}"))


class Welcome(Static):
    """What the empty transcript shows."""

    EXAMPLE = "How much heroin was seized at Dunkerque?"

    def __init__(self) -> None:
        super().__init__(
            Content.assemble(
                ("Ask a question about the cables", "bold"),
                ("\nThe answer is the cables' own words, cited by cable, paragraph and section.\n\n", ""),
                ("Try: ", "$text-muted"),
                (self.EXAMPLE, "italic"),
                ("\n\nF1 keys · ctrl+p commands · ctrl+f filters", "$text-muted"),
            ),
            id="welcome",
        )
