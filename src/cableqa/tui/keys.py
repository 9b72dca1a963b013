"""F1's key sheet: the app's bindings, grouped, written from the bindings themselves so it cannot drift."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_WIDTH = 11  # the widest key name, "shift+Tab", and a gap
KEY_NAMES = {
    "up": "↑",
    "down": "↓",
    "escape": "Esc",
    "enter": "Enter",
    "space": "Space",
    "tab": "Tab",
    "shift+tab": "shift+Tab",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "ctrl+home": "ctrl+Home",
    "ctrl+end": "ctrl+End",
    "f1": "F1",
}


class KeyGroup(NamedTuple):
    title: str
    bindings: Sequence[Binding]
    note: str = ""  # what the keys do that no binding says


def key_name(binding: Binding) -> str:
    """ "ctrl+f", "Esc", "Esc/F1": the key as the sheet writes it (the footer's ↑↓ style is for the footer)."""
    return "/".join(KEY_NAMES.get(key.strip(), key.strip()) for key in binding.key.split(","))


def described(binding: Binding) -> str:
    """What the sheet says a key does: its tooltip (the footer's short word in full), else its description."""
    return binding.tooltip or binding.description


def group_content(group: KeyGroup) -> Content:
    """The group's title, then one row per binding: key, description; its note last."""
    lines = [Content.styled(group.title, "bold $text-accent")]
    lines += [
        Content.assemble((key_name(binding).ljust(KEY_WIDTH), "bold"), described(binding)) for binding in group.bindings
    ]
    if group.note:
        lines.append(Content.styled(group.note, "$text-muted"))
    return Content("\n").join(lines)


def columns(groups: Sequence[KeyGroup]) -> tuple[list[KeyGroup], list[KeyGroup]]:
    """The groups in two columns, in order, the first holding about half of the rows."""
    rows = [len(group.bindings) + 2 + bool(group.note) for group in groups]
    left, total = [], 0
    for group, height in zip(groups, rows, strict=True):
        if total and total + height / 2 > sum(rows) / 2:
            break
        left.append(group)
        total += height
    return left, list(groups[len(left) :])


class KeysScreen(ModalScreen[None]):
    """The key sheet over the app; Esc or F1 closes it."""

    BINDINGS = [Binding("escape,f1", "dismiss", "Close", id="keys-close")]

    def __init__(self, groups: Sequence[KeyGroup]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(id="keys-dialog") as dialog:
            dialog.border_title = "cableqa keys"
            dialog.border_subtitle = "Esc or F1 closes"
            with Horizontal(id="keys-columns"):
                for column in columns(self.groups):
                    with Vertical(classes="keys-column"):
                        for group in column:
                            yield Static(group_content(group), classes="keys-group")
