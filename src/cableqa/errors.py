"""The one exception users see: its message is a complete, one-line explanation."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class CableQAError(Exception):
    """Bad input or a broken index. The CLI and TUI print `str(error)` and nothing else."""


SUGGESTIONS = 3  # at most this many near values are named
SUGGESTION_CUTOFF = 0.6  # difflib's default similarity cutoff: "Embasy Paris" finds "Embassy Paris"


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """ "; did you mean 'Embassy Paris'?" naming the known values nearest `value` (any case), or ""."""
    by_lower = {choice.lower(): choice for choice in known}
    near = difflib.get_close_matches(value.lower(), by_lower, n=SUGGESTIONS, cutoff=SUGGESTION_CUTOFF)
    if not near:
        return ""
    return "; did you mean " + " or ".join(repr(by_lower[choice]) for choice in near) + "?"
