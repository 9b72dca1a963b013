"""The chat transcript: each question, then its answer card with the cited hits."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import LoadingIndicator, Static

from cableqa.text import split_sentences
from cableqa.tui.literal import literal, one_line
from cableqa.tui.paper_trail import reference_counts_text
from cableqa.types import Answer, Hit, paragraph_range
from cableqa.wording import VERDICT_TITLES, count, excluded_by_filters, verdict_line

CONTEXT_CHARS = 160  # at most this much dim context on either side of an excerpt
LABEL_WIDTH = 16
HIGHLIGHT = "bold $text-accent underline"
NO_PASSAGE = "Nothing in the cables answers this."
CHANGE_FILTERS = ": ctrl+f to change them"


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


def excerpt_in_context(hit: Hit, context: bool = True) -> Content:
    """The excerpt with the question's terms marked, between dim neighbouring sentences (unless not `context`)."""
    excerpt = literal(_flat(hit.excerpt), spans=hit.highlights, span_style=HIGHLIGHT)
    if not context:
        return excerpt
    return Content.assemble(
        literal(_flat(context_before(hit.text, hit.excerpt_start)), "dim"),
        excerpt,
        literal(_flat(context_after(hit.text, hit.excerpt_end)), "dim"),
    )


def citation_rows(hit: Hit) -> list[tuple[str, Content]]:
    """Cable (with the score), subject, section, date, origin, classification, references: label and value."""
    cable = literal(f"{hit.doc_id} {paragraph_range(hit.paragraphs)}".strip(), "bold")
    rows = [
        ("Cable", cable + Content.styled(f"   score {hit.score:.2f}", "$text-muted")),
        ("Subject", literal(one_line(hit.subject) or "unknown")),
        ("Section", literal(one_line(hit.section))),
        ("Date", literal((hit.date or "unknown")[:10])),
        ("Origin", literal(hit.origin or "unknown")),
        ("Classification", literal(hit.classification or "unknown")),
    ]
    if references := reference_counts_text(hit.cites, hit.cited_by):
        rows.append(("References", literal(references)))
    return rows


class Citation(Grid):
    """The citation as label/value rows; a long value (a subject) wraps within its column, never cut."""

    def __init__(self, hit: Hit) -> None:
        super().__init__(classes="hit-citation")
        self.hit = hit
        self.styles.grid_columns = f"{LABEL_WIDTH} 1fr"  # the reader's header aligns on the same column

    def compose(self) -> ComposeResult:
        for label, value in citation_rows(self.hit):
            yield Static(label, classes="citation-label")
            yield Static(value, classes=f"citation-value citation-{label.lower()}")


def hit_summary(hit: Hit, expanded: bool) -> Content:
    """One line: marker, rank, cable and paragraphs, score, section."""
    marker = "▾" if expanded else "▸"
    return Content.assemble(
        (f"{marker} {hit.rank}  ", "$text-muted"),
        literal(f"{hit.doc_id} {paragraph_range(hit.paragraphs)}".strip(), "bold"),
        (f"  {hit.score:.2f}  ", "$text-muted"),
        literal(one_line(hit.section)),
    )


def copy_text(hit: Hit) -> str:
    """What the copy key puts on the clipboard: the excerpt and its citation."""
    return f"{one_line(hit.excerpt)}\n— {hit.citation}"


class HitView(Widget, can_focus=True):
    """One hit: expanded it shows the excerpt and citation; collapsed, one summary line.

    Esc returns to the question box, and a printable key types there (the app moves
    the focus before the key is delivered: `CableQAApp.on_event`).
    """

    BINDINGS = [
        Binding("enter", "open", "Read", tooltip="Read the whole cable", id="open-hit"),
        Binding("space", "toggle", "Expand", tooltip="Expand or fold a passage", id="toggle-hit"),
        # Not in the footer, so that it fits 80 columns (typing goes back to the question box anyway).
        Binding(
            "escape", "app.focus_question", "Back", tooltip="Back to the question box", id="hit-to-question", show=False
        ),
    ]

    expanded: reactive[bool] = reactive(False, toggle_class="-expanded")
    context: reactive[bool] = reactive(True)  # show the dim sentences around the excerpt

    class Opened(Message):
        """The user asked to read the whole cable behind `hit`."""

        def __init__(self, hit: Hit) -> None:
            super().__init__()
            self.hit = hit

    def __init__(self, hit: Hit, *, expanded: bool = False, top: bool = False, context: bool = True) -> None:
        super().__init__(classes="top-hit" if top else "more-hit")
        self.hit = hit
        self.set_reactive(HitView.expanded, expanded)
        self.set_reactive(HitView.context, context)
        self.set_class(expanded, "-expanded")

    def compose(self) -> ComposeResult:
        yield Static(hit_summary(self.hit, self.expanded), classes="hit-summary")
        yield Static(excerpt_in_context(self.hit, self.context), classes="hit-excerpt")
        yield Citation(self.hit)

    def watch_expanded(self, expanded: bool) -> None:
        if self.is_mounted:
            self.query_one(".hit-summary", Static).update(hit_summary(self.hit, expanded))

    def watch_context(self, context: bool) -> None:
        if self.is_mounted:
            self.query_one(".hit-excerpt", Static).update(excerpt_in_context(self.hit, context))

    def action_toggle(self) -> None:
        self.expanded = not self.expanded

    def action_open(self) -> None:
        self.post_message(self.Opened(self.hit))

    def on_click(self) -> None:
        self.action_open()


class AnswerCard(Vertical):
    """The top hit in full, the other hits as one line each; says so when not confident.

    `context=False` (a short terminal) leaves out the sentences around the top excerpt,
    so that the excerpt and its citation fit on screen together.
    """

    def __init__(self, answer: Answer, *, context: bool = True) -> None:
        super().__init__(classes=answer.verdict.replace("_", "-"))
        self.answer = answer
        self.context = context
        # The fitted probabilities, in words: a card titled "Answer" is right at least 9 times in 10.
        self.border_title = VERDICT_TITLES[answer.verdict]
        self.border_subtitle = f"{count(len(answer.hits), 'passage')} · {answer.seconds:.2f} s"

    def compose(self) -> ComposeResult:
        hits = self.answer.hits
        if self.answer.verdict != "answer":
            yield Static(literal(self.verdict()), classes="verdict")
        if hits:
            yield HitView(hits[0], expanded=True, top=True, context=self.context)
        if len(hits) > 1:
            yield Static("More passages (space expands, enter reads the cable)", classes="more-label")
            for hit in hits[1:]:
                yield HitView(hit)

    def verdict(self) -> str:
        if self.answer.hits:
            return verdict_line(self.answer)
        excluded = excluded_by_filters(self.answer)
        return excluded + CHANGE_FILTERS if excluded else NO_PASSAGE


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

    async def _settle(self, widget: Widget) -> None:
        self.pending = False
        await self.query(".pending").remove()
        await self.mount(widget)

    async def show_answer(self, answer: Answer, *, context: bool = True) -> None:
        self.answer = answer
        await self._settle(AnswerCard(answer, context=context))

    async def show_note(self, note: str, kind: str) -> None:
        """Settle without an answer: `kind` is "cancelled" or "error"."""
        await self._settle(Static(literal(note), classes=f"note {kind}"))

    @property
    def hits(self) -> list[HitView]:
        return list(self.query(HitView))


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
