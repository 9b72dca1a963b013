"""Search filters: what is set, how it reads on screen, and the dialog that sets them."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from cableqa.tui.literal import literal

FACETS = ("origin", "classification", "tag")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Filters:
    """The keyword filters of `Assistant.ask`; None means "any"."""

    origin: str | None = None
    classification: str | None = None
    tag: str | None = None
    since: str | None = None  # "YYYY-MM-DD", inclusive
    until: str | None = None

    @property
    def active(self) -> bool:
        return any(self.as_kwargs().values())

    def as_kwargs(self) -> dict[str, str | None]:
        return asdict(self)

    def set(self, name: str, value: str | None) -> Filters:
        return replace(self, **{name: value or None})

    def describe(self) -> str:
        """ "origin Embassy Paris · since 2007-01-01", or "" when nothing is set."""
        return " · ".join(f"{field.name} {value}" for field in fields(self) if (value := getattr(self, field.name)))


def parse_day(text: str) -> str | None:
    """`text` as a "YYYY-MM-DD" day, None when blank; ValueError when it is not one."""
    text = text.strip()
    if not text:
        return None
    try:
        if not _DAY.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"{text!r} is not a date like 2007-12-13") from None


class FiltersScreen(ModalScreen[Filters | None]):
    """Pick origin, classification and tag from the index's own values, and a date range."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="filters-cancel")]

    def __init__(self, current: Filters, facets: dict[str, list[str]]) -> None:
        super().__init__()
        self.current = current
        self.facets = facets

    def compose(self) -> ComposeResult:
        with Vertical(id="filters-dialog") as dialog:
            dialog.border_title = "Filters"
            with Grid(id="filters-grid"):
                for name in FACETS:
                    yield Label(name.capitalize(), classes="filter-label")
                    options = [(literal(value), value) for value in self.facets.get(name, [])]
                    chosen = getattr(self.current, name)
                    yield Select(
                        options,
                        prompt="any",
                        value=chosen if chosen in self.facets.get(name, []) else Select.NULL,
                        id=f"filter-{name}",
                        compact=True,
                    )
                for name in ("since", "until"):
                    yield Label(name.capitalize(), classes="filter-label")
                    yield Input(
                        getattr(self.current, name) or "", placeholder="YYYY-MM-DD", id=f"filter-{name}", compact=True
                    )
            yield Static("", id="filters-error")
            with Horizontal(id="filters-buttons"):
                yield Button("Apply", variant="primary", id="filters-apply", compact=True)
                yield Button("Clear all", id="filters-clear", compact=True)
                yield Button("Cancel", id="filters-cancel", compact=True)

    def chosen(self) -> Filters:
        """The filters as the form reads now; ValueError naming a bad date."""
        values: dict[str, str | None] = {}
        for name in FACETS:
            value = self.query_one(f"#filter-{name}", Select).value
            values[name] = None if value is Select.NULL else str(value)
        for name in ("since", "until"):
            values[name] = parse_day(self.query_one(f"#filter-{name}", Input).value)
        if values["since"] and values["until"] and values["since"] > values["until"]:
            raise ValueError("'since' is after 'until'")
        return Filters(**values)

    @on(Button.Pressed, "#filters-apply")
    @on(Input.Submitted)
    def apply(self) -> None:
        try:
            self.dismiss(self.chosen())
        except ValueError as error:
            self.query_one("#filters-error", Static).update(literal(str(error)))

    @on(Button.Pressed, "#filters-clear")
    def clear(self) -> None:
        self.dismiss(Filters())

    @on(Button.Pressed, "#filters-cancel")
    def cancel(self) -> None:
        self.dismiss(None)
