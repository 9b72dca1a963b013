"""A small in-memory stand-in for `cableqa.Assistant`, for driving the TUI in tests.

It answers from three hand-written cables by counting shared words, so the tests
exercise the UI (and its literal rendering of hostile text) without an index or a
model, deterministically and in milliseconds.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field

from cableqa.types import Answer, Cable, CableLink, FacetValue, Hit, Reference, RelatedCable, Section

SEED_ID = "07PARIS4695"
MARKUP_ID = "09TESTPOST1"
MARKUP_TEXT = "Agents noted [red]caution[/] about [link=http://x]the link[/] and \x1b[2Jthe screen code."
CONFIDENT_SCORE = 2  # shared words the best sentence needs for a confident answer


def _cable(doc_id, subject, date, origin, classification, tags, sections, cited=()):
    body, built = "", []
    for number, (title, paragraphs, text) in enumerate(sections, start=1):
        start = len(body)
        body += text + "\n\n"
        built.append(Section(f"{doc_id}:{number}", title, paragraphs, start, start + len(text), text))
    references = tuple(item.doc_id for item in cited if item.doc_id)
    return Cable(
        doc_id,
        subject,
        date,
        None,
        origin,
        classification,
        tags,
        references,
        f"{doc_id}.txt",
        body,
        tuple(built),
        cited,
    )


NOT_INDEXED_ID = "08STATE12345"


CABLES = (
    _cable(
        SEED_ID,
        "FRANCE INCSR 2007-2008",
        "2007-12-13T09:59Z",
        "Embassy Paris",
        "UNCLASSIFIED",
        ("SNAR", "FR"),
        [
            (
                "I. Summary",
                (1, 2),
                "France continues to be a major transshipment point for drugs moving through Europe.",
            ),
            (
                "III. Country Actions Against Drugs in 2007",
                (3, 4),
                "In 2007, French authorities made several important narcotics seizures. "
                "On January 18, 2007 French customs officials at the port in the northern city of "
                "Dunkerque seized 356 kg of heroin, a record for the largest seizure of this drug in France. "
                "The heroin was being transported in a truck originating from Turkey and bound for Great Britain.",
            ),
        ],
    ),
    _cable(
        MARKUP_ID,
        "Markup [bold]looking[/bold] subject",
        "2009-02-01T10:00Z",
        "Consulate [Lyon]",
        "CONFIDENT[IAL]",
        ("PREL",),
        [("Odd [b]text[/b]", (1,), MARKUP_TEXT)],
        cited=(
            Reference("A", SEED_ID, "07 PARIS 4695"),
            Reference("B", NOT_INDEXED_ID, "STATE 12345"),
            Reference("C", None, "HALL E-MAIL OF 3/23"),
        ),
    ),
    _cable(
        "06MOSCOW123",
        "RUSSIA GRAIN EXPORTS",
        "2006-03-30T13:01",
        "Embassy Moscow",
        "CONFIDENTIAL",
        ("EAGR", "RS"),
        [("Grain", (1,), "Russia expects record grain exports this year. Wheat prices rose sharply in March.")],
    ),
)


@dataclass(frozen=True)
class FakeInfo:
    index_dir: str
    cables: int
    sections: int
    vectors: int
    model: str = "fake"
    dimension: int = 8
    built_at: str = "2024-01-01T00:00:00"
    size_bytes: int = 0


STOPWORDS = {"how", "much", "was", "the", "and", "what", "who", "did", "were", "this", "that", "for"}


def _words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z0-9]+", text.lower()) if len(word) > 2} - STOPWORDS


def _sentences(text: str):
    for match in re.finditer(r"[^.]+(?:\.|$)\s*", text):
        sentence = match.group().rstrip()
        if sentence.strip():
            offset = match.start() + len(sentence) - len(sentence.lstrip())
            yield offset, sentence.strip()


@dataclass
class FakeAssistant:
    """`ask/cable/info/facets` over CABLES; records every `ask` call's filters."""

    index_dir: str = "fake-index"
    calls: list[dict] = field(default_factory=list)
    seconds: float = 0.05

    def ask(self, question: str, k: int = 5, **filters) -> Answer:
        self.calls.append({"question": question, **filters})
        terms = _words(question)
        scored = []
        for cable in CABLES:
            if not self._passes(cable, filters):
                continue
            for section in cable.sections:
                for offset, sentence in _sentences(section.text):
                    shared = terms & _words(sentence)
                    scored.append((len(shared), cable, section, offset, sentence))
        scored.sort(key=lambda item: -item[0])
        hits = tuple(self._hit(rank, *item, terms) for rank, item in enumerate(scored[:k], start=1))
        shared = scored[0][0] if scored else 0
        verdict = "answer" if shared >= CONFIDENT_SCORE else "possible" if shared else "not_found"
        given = tuple((name, value) for name, value in filters.items() if value is not None)
        return Answer(
            question,
            verdict == "answer",
            hits,
            self.seconds,
            filters=given,
            excluded_by_filters=not scored and bool(given),
            verdict=verdict,
        )

    @staticmethod
    def _passes(cable: Cable, filters: dict) -> bool:
        day = (cable.date or "")[:10]
        return (
            filters.get("origin") in (None, cable.origin)
            and filters.get("classification") in (None, cable.classification)
            and filters.get("tag") in (None, *cable.tags)
            and (filters.get("since") is None or day >= filters["since"])
            and (filters.get("until") is None or day <= filters["until"])
        )

    @staticmethod
    def _hit(rank, shared, cable, section, offset, sentence, terms) -> Hit:
        highlights = tuple(
            (m.start(), m.end()) for m in re.finditer(r"[A-Za-z0-9]+", sentence) if m.group().lower() in terms
        )
        citation = f"{cable.doc_id} ¶{section.paragraphs[0]} · {section.title} · {cable.date[:10]} · {cable.origin} · {cable.classification}"
        return Hit(
            rank,
            cable.doc_id,
            section.id,
            section.title,
            section.paragraphs,
            round(shared / 4, 2),
            citation,
            sentence,
            offset,
            offset + len(sentence),
            highlights,
            section.text,
            cable.subject,
            cable.date,
            cable.origin,
            cable.classification,
            *_reference_counts(cable.doc_id),
        )

    def cable(self, doc_id: str) -> Cable | None:
        return next((cable for cable in CABLES if cable.doc_id == doc_id), None)

    def references(self, doc_id: str) -> list[CableLink]:
        return [_link(item.label, item.doc_id) for item in self.cable(doc_id).cited if item.doc_id]

    def cited_by(self, doc_id: str) -> list[CableLink]:
        return [_link(item.label, cable.doc_id) for cable in CABLES for item in cable.cited if item.doc_id == doc_id]

    def related(self, doc_id: str, k: int = 5) -> list[RelatedCable]:
        """Every other cable it does not cite, newest first."""
        cited = set(self.cable(doc_id).references)
        others = [cable for cable in CABLES if cable.doc_id != doc_id and cable.doc_id not in cited]
        others.sort(key=lambda cable: cable.date, reverse=True)
        return [RelatedCable(cable.doc_id, cable.subject, cable.date, 0.5) for cable in others[:k]]

    def info(self) -> FakeInfo:
        sections = sum(len(cable.sections) for cable in CABLES)
        return FakeInfo(self.index_dir, len(CABLES), sections, sections)

    def facets(self) -> dict[str, list[FacetValue]]:
        def counted(values) -> list[FacetValue]:
            return [FacetValue(value, number) for value, number in sorted(Counter(values).items())]

        return {
            "origin": counted(cable.origin for cable in CABLES),
            "classification": counted(cable.classification for cable in CABLES),
            "tag": counted(tag for cable in CABLES for tag in cable.tags),
            "year": counted(cable.date[:4] for cable in CABLES),
        }


def fake_factory(assistant: FakeAssistant | None = None, gate: threading.Event | None = None):
    """An `assistant_factory` for `make_app`; with `gate`, loading waits until it is set."""

    def load(index_dir, *, model=None, progress=None):
        if progress is not None:
            progress("embed", 1, 2)
        if gate is not None:
            gate.wait(10)
        return assistant or FakeAssistant(str(index_dir))

    return load


def _link(label: str, doc_id: str) -> CableLink:
    cable = next((cable for cable in CABLES if cable.doc_id == doc_id), None)
    return CableLink(label, doc_id, cable is not None, cable.subject if cable else "", cable.date if cable else None)


def _reference_counts(doc_id: str) -> tuple[int, int]:
    cable = next(cable for cable in CABLES if cable.doc_id == doc_id)
    indexed = {other.doc_id for other in CABLES}
    cites = len(set(cable.references) & indexed)
    return cites, sum(doc_id in other.references for other in CABLES)


class BlockingAssistant(FakeAssistant):
    """A FakeAssistant whose `ask` waits for `release` (to test Esc on a running search)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.started = threading.Event()

    def ask(self, question: str, k: int = 5, **filters) -> Answer:
        self.started.set()
        self.release.wait(10)
        return super().ask(question, k, **filters)


async def settle(pilot) -> None:
    """Wait for the app's workers, then for the refreshes they scheduled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def ask(pilot, question: str) -> None:
    """Type `question` into the question box, send it and wait for the answer."""
    box = pilot.app.query_one("#question")
    box.focus()
    box.value = question
    await pilot.press("enter")
    await settle(pilot)


def screen_text(app) -> str:
    """The characters on screen now, as a terminal would show them (styles dropped).

    Uses the compositor the way `App.export_screenshot` does, so it checks what is
    actually drawn, not what a widget was given.
    """
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def visible(app) -> str:
    """`screen_text` with borders dropped and whitespace collapsed, so wrapped phrases match."""
    return " ".join(re.sub(r"[│▌▊▎▏╭╮╰╯─▔▁]", " ", screen_text(app)).split())
