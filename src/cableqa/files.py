"""The files under a folder that cableqa reads: one walk for cable folders and model folders alike."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path


def visible_files(root: Path, on_error: Callable[[str, str], None] | None = None) -> list[Path]:
    """Every file under `root` (or `root` itself when it is a file), sorted, hidden files and folders left out.

    A folder that cannot be listed is reported to `on_error(path, reason)` and passed over.
    Names that are not valid UTF-8 come back as they are on disk (surrogate-escaped).
    """
    if root.is_file():
        return [root]

    def report(error: OSError) -> None:
        if on_error is not None:
            on_error(str(error.filename), f"cannot read ({error.strerror})")

    found = []
    for folder, subfolders, names in os.walk(root, onerror=report):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        found += [Path(folder, name) for name in names if not name.startswith(".")]
    return sorted(path for path in found if path.is_file())


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
