"""The one exception users see: its message is a complete, one-line explanation."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class CableQAError(Exception):
    """Bad input or a broken index. The CLI and TUI print `str(error)` and nothing else."""


SUGGESTIONS = 3  # at most this many near values are named...
SUGGESTION_CUTOFF = 0.6  # ...each at least this similar (difflib's default cutoff)...
SUGGESTION_MARGIN = 0.1  # ...and nearly as similar as the nearest: "Embasy Paris" names Paris, not Madrid


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """ "; did you mean 'Embassy Paris'?" naming the known values nearest `value` (any case), or ""."""
    by_lower = {choice.lower(): choice for choice in known}
    near = difflib.get_close_matches(value.lower(), by_lower, n=SUGGESTIONS, cutoff=SUGGESTION_CUTOFF)
    if not near:
        return ""
    similarity = [difflib.SequenceMatcher(None, value.lower(), choice).ratio() for choice in near]
    named = [
        by_lower[choice]
        for choice, ratio in zip(near, similarity, strict=True)
        if ratio >= similarity[0] - SUGGESTION_MARGIN
    ]
    return "; did you mean " + " or ".join(map(repr, named)) + "?"
