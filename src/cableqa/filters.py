"""The filters a question is asked under (origin, dates, classification, tag, cable): one for the API, CLI and TUI.

Days are checked when a `Filters` is made, so a bad date or a reversed range fails before any search.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from typing import TYPE_CHECKING

from cableqa.errors import CableQAError, did_you_mean
from cableqa.wording import describe_filters

if TYPE_CHECKING:
    from cableqa.index_files import OpenIndex

# The filters' names, in the order `Assistant.ask` takes them (the fields of `Filters`, below).
FILTER_NAMES = ("origin", "since", "until", "classification", "tag", "doc_id")
# The filters matched against values the cables hold (the other two are days).
VALUE_FILTERS = ("origin", "classification", "tag", "doc_id")
# The value filters a user picks from the values indexed, with their counts (`IndexReader.facets`).
FACETS = ("origin", "classification", "tag")

DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_day(text: str, name: str) -> date:
    """`text` as a day written YYYY-MM-DD; a CableQAError naming the filter `name` when it is not one."""
    try:
        if not DAY.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise CableQAError(f"{name}: {text!r} is not a date like 2007-12-13 (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class Filters:
    """Restrictions on which cables may answer (the keyword filters of `Assistant.ask`); None means "any"."""

    origin: str | None = None
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None  # YYYY-MM-DD, inclusive
    classification: str | None = None
    tag: str | None = None
    doc_id: str | None = None

    def __post_init__(self) -> None:
        since = None if self.since is None else parse_day(self.since, "since")
        until = None if self.until is None else parse_day(self.until, "until")
        if since and until and since > until:
            raise CableQAError(f"since {self.since} is after until {self.until}")

    def __bool__(self) -> bool:
        return bool(self.items())

    def items(self) -> tuple[tuple[str, str], ...]:
        """The (name, value) filters that are set, in field order."""
        pairs = ((field.name, getattr(self, field.name)) for field in fields(self))
        return tuple((name, value) for name, value in pairs if value is not None)

    def as_kwargs(self) -> dict[str, str | None]:
        return asdict(self)

    def set(self, name: str, value: str | None) -> Filters:
        """These filters with `name` set to `value` ("" or None: any)."""
        return replace(self, **{name: value or None})

    def describe(self) -> str:
        """ "origin Embassy Paris, since 2007-01-01", or "" when nothing is set."""
        return describe_filters(self.items())

    def check(self, index: OpenIndex) -> None:
        """Refuse a value no indexed cable has: a typo should not silently return nothing."""
        for name in VALUE_FILTERS:
            value = getattr(self, name)
            if value is None:
                continue
            if not index.store.matching_values(name, value):
                known = index.store.known_values(name)
                hint = did_you_mean(value, known) or " (`cableqa info` lists the values indexed)"
                raise CableQAError(f"no indexed cable has {name} {value!r}{hint}")
