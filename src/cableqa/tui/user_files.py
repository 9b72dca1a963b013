"""Where the chat keeps a user's files (history, sessions, settings), and new files that never replace one."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """Where cableqa keeps per-user data: $CABLEQA_DATA_DIR, else the XDG data dir."""
    if configured := os.environ.get("CABLEQA_DATA_DIR"):
        return Path(configured)
    xdg = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(xdg) / "cableqa"


def create_new(folder: Path, stem: str, suffix: str, text: str) -> Path:
    """Write `text` to `folder`/`stem``suffix`, or, when that name is taken, `stem`-2, -3, …; return the path.

    The file is created exclusively (`open("x")`), so an existing file is never replaced,
    even by another cableqa writing at the same moment.
    """
    folder.mkdir(parents=True, exist_ok=True)
    number = 1
    while True:
        path = folder / f"{stem}{f'-{number}' if number > 1 else ''}{suffix}"
        try:
            with path.open("x", encoding="utf-8") as file:
                file.write(text)
            return path
        except FileExistsError:
            number += 1
