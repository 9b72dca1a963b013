"""How cableqa words counts, filters and empty answers: one wording for the CLI, the TUI and the export."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from cableqa.types import Answer

# What a build is doing, by the stage its progress callback names (`indexing.Progress`), in the
# order they come: the CLI's progress lines and the TUI's status line. "join" is a build's on a
# cluster (`index --ray ADDRESS`) only, before it reads: joining takes a second or more.
BUILD_STAGES = {
    "join": "joining the Ray cluster",
    "read": "reading cables",
    "model": "loading the model",
    "embed": "embedding passages",
    "write": "writing the index",
}


def count(number: int, noun: str) -> str:
    """ "1 cable", "2,048 cables": the nouns cableqa counts all take a plain "s"."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def folder(path: str | Path) -> str:
    """A folder as the user would type it, the home folder as ~: "index/", "~/.local/share/cableqa/index/"."""
    text = str(path)
    home = str(Path.home()).rstrip("/\\")
    if home and Path(text).is_absolute() and (text == home or text.startswith(home + os.sep)):
        text = "~" + text[len(home) :]
    return text if text.endswith(("/", "\\")) else text + "/"


def no_cables(where: str | Path, files: int, skipped: list[tuple[str, str]]) -> str:
    """What a read that found no cable at all says: "no cable in notes/ (4 files, none of them a
    cable; notes/a.txt: empty file)", or for one file "no cable in a.txt: empty file"."""
    if not files:
        return f"no cable in {where}: it holds no file"
    source, reason = skipped[0] if skipped else (None, "")
    if files == 1 and source == str(where):
        return f"no cable in {where}: {reason}"
    first = f"; {source}: {reason}" if source else ""
    return f"no cable in {where} ({count(files, 'file')}, none of them a cable{first})"


def describe_filters(filters: Iterable[tuple[str, str | None]]) -> str:
    """ "origin Embassy Paris, since 2011-01-01" for the (name, value) pairs that are set."""
    return ", ".join(f"{name} {value}" for name, value in filters if value)


def excluded_by_filters(answer: Answer) -> str:
    """Why `answer` has no passages when its filters are the reason, else ""."""
    if not answer.excluded_by_filters:
        return ""
    return f"No cable matches the filters ({describe_filters(answer.filters)})"


# An answer's verdict (types.VERDICTS) in words: a title, and the line under it.
VERDICT_TITLES = {"answer": "Answer", "possible": "Possible answers", "not_found": "Not in these cables"}
VERDICT_EXPLANATIONS = {
    "answer": "",
    "possible": "no passage surely answers this. The closest passages:",
    "not_found": "nothing indexed seems to answer this. The nearest passages, for reference only:",
}


def verdict_line(answer: Answer) -> str:
    """ "Possible answers: no passage surely answers this. ..." ("Answer" alone for a sure one)."""
    explanation = VERDICT_EXPLANATIONS[answer.verdict]
    return f"{VERDICT_TITLES[answer.verdict]}: {explanation}" if explanation else VERDICT_TITLES[answer.verdict]
