"""Plain data that flows through cableqa: cables and their sections in, answers out.

Every class here is a frozen dataclass of builtins so that it can be printed,
compared in tests and turned into JSON with `to_dict()` without surprises.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import NamedTuple

# What every front end calls a section the cable gives no heading: the text before a
# cable's first heading, or any part of a cable that has no headings at all. One rule,
# used by the answer card, the citation, the reader, `cableqa show` and the JSON.
UNTITLED_SECTION = "(no heading)"


def section_name(title: str) -> str:
    """A section's name: its title path, or UNTITLED_SECTION when the cable gives it none."""
    return title.strip() or UNTITLED_SECTION


@dataclass(frozen=True)
class Section:
    """A slice of a cable's clean body, cut along the cable's own structure.

    `text == cable.body[start:end]`: offsets index the clean (reflowed, de-boilerplated)
    body, so any excerpt of `text` is the cable's own words.
    """

    id: str  # "<doc_id>:<n>", n counting from 1 in body order
    title: str  # title path, parts joined by " › "; "" when the cable gives none
    paragraphs: tuple[int, ...]  # the cable's paragraph numbers this section spans
    start: int
    end: int
    text: str

    @property
    def name(self) -> str:
        return section_name(self.title)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "name": self.name,
            "paragraphs": list(self.paragraphs),
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


@dataclass(frozen=True)
class StoredSection:
    """A section row with the metadata of its cable, as search needs it."""

    rowid: int
    section: Section
    doc_id: str
    subject: str
    date: str | None
    origin: str
    classification: str


@dataclass(frozen=True)
class Reference:
    """One item of a cable's REF line: its letter, the cable it names and how it was written."""

    label: str  # "A", "B", ...; "" when the line has no letters
    doc_id: str | None  # canonical reference ID ("07STATE136780"); None for an e-mail, a meeting, ...
    written: str  # the item as the cable writes it, e.g. "STATE 136780"

    def to_dict(self) -> dict:
        return {"label": self.label, "doc_id": self.doc_id, "written": self.written}


@dataclass(frozen=True)
class Cable:
    """One cable: its metadata, its clean body and the sections cut from it."""

    doc_id: str  # canonical reference ID, e.g. "07PARIS4695"
    subject: str
    date: str | None  # ISO 8601, e.g. "2007-12-13T09:59Z" or "2006-03-30T13:01"
    released: str | None  # ISO 8601 date-time of public release, when known
    origin: str  # the sending post, e.g. "Embassy Paris"
    classification: str  # e.g. "UNCLASSIFIED", "CONFIDENTIAL//NOFORN"
    tags: tuple[str, ...]
    references: tuple[str, ...]
    source: str  # the file it was read from (for cables.csv: "path#row")
    body: str
    sections: tuple[Section, ...] = field(default_factory=tuple)
    cited: tuple[Reference, ...] = ()  # the REF line item by item; `references` holds their distinct IDs

    def to_dict(self) -> dict:
        """The JSON shape of `cableqa show --json` (documented in the README)."""
        return {
            "doc_id": self.doc_id,
            "subject": self.subject,
            "date": self.date,
            "released": self.released,
            "origin": self.origin,
            "classification": self.classification,
            "tags": list(self.tags),
            "references": list(self.references),
            "cited": [reference.to_dict() for reference in self.cited],
            "source": self.source,
            "sections": [s.to_dict() for s in self.sections],
        }


@dataclass(frozen=True)
class Hit:
    """One retrieved section with the sentences cited from it."""

    rank: int  # 1-based
    doc_id: str
    section_id: str
    section: str  # the section's name: its title path, or UNTITLED_SECTION (see `section_name`)
    paragraphs: tuple[int, ...]  # the cable's paragraphs the excerpt spans: what the citation names
    score: float
    citation: str  # "07PARIS4695 ¶3 · Title › Path · 2007-12-13 · Embassy Paris · UNCLASSIFIED"
    excerpt: str  # 1-3 consecutive sentences of `text`, the cable's own words
    excerpt_start: int  # offsets of `excerpt` in `text`
    excerpt_end: int
    highlights: tuple[tuple[int, int], ...]  # query-term spans, offsets into `excerpt`
    text: str  # the whole section
    subject: str = ""
    date: str | None = None
    origin: str = ""
    classification: str = ""
    cites: int = 0  # indexed cables this hit's cable cites
    cited_by: int = 0  # indexed cables that cite it
    section_paragraphs: tuple[int, ...] = ()  # the paragraphs the whole section spans
    # Each ranking feature's contribution to `score` (weight × value; `cableqa ask --explain`).
    features: dict[str, float] = field(default_factory=dict, compare=False)

    def to_dict(self, explain: bool = False) -> dict:
        data = asdict(self)
        data["paragraphs"] = list(self.paragraphs)
        data["section_paragraphs"] = list(self.section_paragraphs)
        data["highlights"] = [list(span) for span in self.highlights]
        if not explain:
            del data["features"]
        return data


# What an answer says of itself, in the API, the JSON, the CLI and the card:
# "answer": the top excerpt answers (the fitted probability reached its threshold);
# "possible": the closest passages, none surely answering;
# "not_found": nothing indexed answers (the fitted probability of that reached its own
# threshold, or nothing matched): the passages are the nearest, for reference only.
VERDICTS = ("answer", "possible", "not_found")


@dataclass(frozen=True)
class Answer:
    """What `ask` returns: best hits first, and whether the best one answers."""

    question: str
    confident: bool  # probability reached the threshold fitted for >= 0.90 precision
    hits: tuple[Hit, ...]
    seconds: float = 0.0
    probability: float = 0.0  # the fitted probability that the top excerpt answers the question
    filters: tuple[tuple[str, str], ...] = ()  # the (name, value) filters it was asked under
    excluded_by_filters: bool = False  # the filters left no cable to search: hits is empty because of them
    verdict: str = "possible"  # one of VERDICTS
    not_found_probability: float = 0.0  # the fitted probability that nothing indexed answers

    def to_dict(self, explain: bool = False) -> dict:
        """The JSON shape of `cableqa ask --json` (documented in the README)."""
        return {
            "question": self.question,
            "verdict": self.verdict,
            "confident": self.confident,
            "probability": self.probability,
            "not_found_probability": self.not_found_probability,
            "filters": dict(self.filters),
            "excluded_by_filters": self.excluded_by_filters,
            "hits": [hit.to_dict(explain) for hit in self.hits],
        }


class FacetValue(NamedTuple):
    """One value a filter can take, and how many indexed cables have it."""

    value: str
    count: int


@dataclass(frozen=True)
class CableLink:
    """A cable at the other end of a reference: what `references` and `cited_by` return."""

    label: str  # the REF letter under which the citing cable names the cited one ("" when unlettered)
    doc_id: str
    indexed: bool  # whether the index holds it; subject and date are known only then
    subject: str = ""
    date: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RelatedCable:
    """An indexed cable close in meaning to another: what `related` returns."""

    doc_id: str
    subject: str
    date: str | None
    similarity: float  # cosine of the two cables' mean window vectors

    def to_dict(self) -> dict:
        return asdict(self)


def paragraph_range(numbers: tuple[int, ...]) -> str:
    """`(1, 2, 3)` -> `¶1-3`, `(2,)` -> `¶2`, `(1, 4)` -> `¶1,4`, `()` -> ``."""
    if not numbers:
        return ""
    if len(numbers) > 1 and list(numbers) == list(range(numbers[0], numbers[-1] + 1)):
        return f"¶{numbers[0]}-{numbers[-1]}"
    return "¶" + ",".join(map(str, numbers))
