"""The dialog that sets the search filters, with the indexed values each can take."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static

from cableqa.errors import CableQAError, did_you_mean
from cableqa.filters import Filters
from cableqa.tui.literal import literal
from cableqa.types import FacetValue

TYPED_FACETS = ("origin", "tag")  # typed with completion: too many values for a list


def counted(values: Sequence[FacetValue], typed: str = "") -> str:
    """ "Embassy Paris (512) · Embassy Rome (40)": the values containing `typed` (any case), in the given order."""
    if not values:
        return "none indexed"
    typed = typed.strip().lower()
    shown = " · ".join(f"{value} ({number:,})" for value, number in values if typed in value.lower())
    return shown or "no indexed value contains this"


class FiltersScreen(ModalScreen[Filters | None]):
    """Set origin and tag (completed from the index's values), classification and a date range.

    Under each typed field, the indexed values that contain what is typed, with how many
    cables have each; the classification list and the years covered show their counts too.
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="filters-cancel")]

    def __init__(self, current: Filters, facets: dict[str, list[FacetValue]]) -> None:
        super().__init__()
        self.current = current
        self.facets = facets

    def values(self, name: str) -> list[str]:
        return [value for value, _ in self.facets.get(name, [])]

    def compose(self) -> ComposeResult:
        with Vertical(id="filters-dialog") as dialog:
            dialog.border_title = "Filters"
            with Grid(id="filters-grid"):
                for name in TYPED_FACETS:
                    yield Label(name.capitalize(), classes="filter-label")
                    yield Input(
                        getattr(self.current, name) or "",
                        placeholder="any",
                        suggester=SuggestFromList(self.values(name), case_sensitive=False),
                        id=f"filter-{name}",
                        compact=True,
                    )
                    yield Static("", classes="filter-label")
                    yield Static(literal(counted(self.facets.get(name, []))), id=f"known-{name}", classes="known")
                yield Label("Classification", classes="filter-label")
                chosen = self.current.classification
                yield Select(
                    [
                        (literal(f"{value} ({number:,})"), value)
                        for value, number in self.facets.get("classification", [])
                    ],
                    prompt="any",
                    value=chosen if chosen in self.values("classification") else Select.NULL,
                    id="filter-classification",
                    compact=True,
                )
                for name in ("since", "until"):
                    yield Label(name.capitalize(), classes="filter-label")
                    yield Input(
                        getattr(self.current, name) or "", placeholder="YYYY-MM-DD", id=f"filter-{name}", compact=True
                    )
                yield Label("Years", classes="filter-label")
                yield Static(literal(counted(self.facets.get("year", []))), id="known-year", classes="known")
            yield Static("", id="filters-error")
            with Horizontal(id="filters-buttons"):
                yield Button("Apply", variant="primary", id="filters-apply", compact=True)
                yield Button("Clear all", id="filters-clear", compact=True)
                yield Button("Cancel", id="filters-cancel", compact=True)

    @on(Input.Changed, "#filter-origin, #filter-tag")
    def narrow(self, event: Input.Changed) -> None:
        name = event.input.id.removeprefix("filter-")
        self.query_one(f"#known-{name}", Static).update(literal(counted(self.facets.get(name, []), event.value)))

    def typed_value(self, name: str) -> str | None:
        """The origin or tag typed, as the index spells it; CableQAError naming near values."""
        typed = self.query_one(f"#filter-{name}", Input).value.strip()
        if not typed:
            return None
        for value in self.values(name):
            if value.lower() == typed.lower():
                return value
        raise CableQAError(f"no indexed cable has {name} {typed!r}{did_you_mean(typed, self.values(name))}")

    def chosen(self) -> Filters:
        """The filters as the form reads now; CableQAError naming a bad value or date."""
        values: dict[str, str | None] = {name: self.typed_value(name) for name in TYPED_FACETS}
        classification = self.query_one("#filter-classification", Select).value
        values["classification"] = None if classification is Select.NULL else str(classification)
        for name in ("since", "until"):
            values[name] = self.query_one(f"#filter-{name}", Input).value.strip() or None
        return Filters(**values)

    @on(Button.Pressed, "#filters-apply")
    @on(Input.Submitted)
    def apply(self) -> None:
        try:
            self.dismiss(self.chosen())
        except CableQAError as error:
            self.query_one("#filters-error", Static).update(literal(str(error)))

    @on(Button.Pressed, "#filters-clear")
    def clear(self) -> None:
        self.dismiss(Filters())

    @on(Button.Pressed, "#filters-cancel")
    def cancel(self) -> None:
        self.dismiss(None)
