"""The one exception users see: its message is a complete, one-line explanation."""

from __future__ import annotations

import difflib
import os
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


class IndexDamaged(CableQAError):
    """An index whose files are missing, truncated or corrupt: rebuilding it is the way out."""

    def __init__(self, index_dir: str | os.PathLike, why: str):
        self.index_dir = str(index_dir)
        self.why = one_line(why)
        super().__init__(f"the index in {index_dir} is damaged ({self.why}); run `cableqa index --rebuild`")


class NoCables(CableQAError):
    """A build that found no cable at all in what it was given: it writes nothing."""


def one_line(message: object) -> str:
    """The first line of an error message from a library, which may run to several."""
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    return lines[0] if lines else type(message).__name__
