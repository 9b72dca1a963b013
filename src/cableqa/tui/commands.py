"""The command palette's cableqa commands (ctrl+p): filters, check an article, rebuild, exports, theme."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, NamedTuple, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from cableqa.filters import FACETS
from cableqa.tui.check import CheckScreen
from cableqa.tui.exports import FORMATS
from cableqa.tui.literal import literal
from cableqa.wording import count

if TYPE_CHECKING:
    from cableqa.tui.app import CableQAApp


class Command(NamedTuple):
    title: str
    help: str
    run: Callable[[], object]
    from_index: bool = False  # title holds index data: show it literally, never as markup


class CableQACommands(Provider):
    """Fixed commands, plus "Filter by <facet>: <value>" for every value in the index."""

    @property
    def cableqa(self) -> CableQAApp:
        return cast("CableQAApp", self.app)

    def commands(self) -> Iterator[Command]:
        app = self.cableqa
        yield Command("Set filters…", "Filter by origin, classification, tag and date", app.action_filters)
        yield Command("Clear filters", "Search all cables again", app.clear_filters)
        yield Command(
            "Check an article…",
            "Paste an article or open a file: where each quotation comes from in the cables",
            lambda: app.push_screen(CheckScreen()),
        )
        yield Command("Rebuild index…", "Re-read the sources and rebuild the index from scratch", app.action_rebuild)
        yield Command(
            "Open a past session…", "Reopen a saved conversation: its questions asked again", app.action_open_session
        )
        for name, export_format in FORMATS.items():
            yield Command(
                export_format.command,
                "A new file in the export folder, its path shown and copied",
                partial(app.action_export, name),
            )
        yield Command(
            "Set export folder…", "Where exports go (asked at the first export)", app.action_set_export_folder
        )
        yield Command("Toggle light/dark theme", "Switch between the light and dark themes", app.action_toggle_dark)
        for facet in FACETS:
            for value, number in app.facets.get(facet, []):
                yield Command(
                    f"Filter by {facet}: {value}",
                    f"Only search the {count(number, 'cable')} whose {facet} is this",
                    partial(app.set_filter, facet, value),
                    True,
                )

    async def discover(self) -> Hits:
        for command in self.commands():
            if not command.from_index:
                yield DiscoveryHit(command.title, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self.commands():
            if score := matcher.match(command.title):
                display = literal(command.title) if command.from_index else matcher.highlight(command.title)
                yield Hit(score, display, command.run, text=command.title, help=command.help)
