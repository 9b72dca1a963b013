"""Where cableqa keeps things on disk: the default index, the user's data folder, the shipped seed.

Inside a checkout of cableqa the default index is its `index/`, built from its `seeds/`, as a
developer expects; anywhere else it is `index/` in the user's data folder, so that `cableqa`
works from any folder and never leaves an `index/` wherever it was run. `$CABLEQA_INDEX`
names another default everywhere.
"""

from __future__ import annotations

import os
from pathlib import Path

INDEX_VARIABLE = "CABLEQA_INDEX"  # the default index, wherever cableqa runs
DATA_VARIABLE = "CABLEQA_DATA_DIR"  # the user's data folder (history, the default index outside a checkout)
APP_NAME = "cableqa"
INDEX_FOLDER = "index"
SEEDS_FOLDER = "seeds"
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the checkout, when cableqa runs from one (src/cableqa)


def data_dir() -> Path:
    """The user's data folder for cableqa: $CABLEQA_DATA_DIR, else the platform's (platformdirs:
    ~/.local/share/cableqa on Linux, ~/Library/Application Support/cableqa on macOS)."""
    if configured := os.environ.get(DATA_VARIABLE):
        return Path(configured)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def default_index() -> Path:
    """$CABLEQA_INDEX; else `index/` of the checkout the current folder is in (relative to it,
    as the user would type it); else `index/` in the user's data folder."""
    if configured := os.environ.get(INDEX_VARIABLE):
        return Path(configured)
    root = checkout()
    if root is not None:
        return Path(os.path.relpath(root / INDEX_FOLDER))
    return data_dir() / INDEX_FOLDER


def shipped_seeds() -> Path | None:
    """The seed cables that ship with cableqa: `seeds/` of the checkout the current folder is in
    (relative to it), else of the one cableqa runs from (an editable install); None for an
    installed wheel."""
    root = checkout()
    if root is not None:
        return Path(os.path.relpath(root / SEEDS_FOLDER))
    return PACKAGE_ROOT / SEEDS_FOLDER if is_checkout(PACKAGE_ROOT) else None


def checkout(start: Path | None = None) -> Path | None:
    """The checkout of cableqa that holds `start` (default: the current folder), or None."""
    here = (start or Path.cwd()).resolve()
    return next((folder for folder in (here, *here.parents) if is_checkout(folder)), None)


def is_checkout(folder: Path) -> bool:
    """A folder with cableqa's pyproject.toml, source and seed."""
    try:
        project = (folder / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return 'name = "cableqa"' in project and (folder / "src" / APP_NAME).is_dir() and (folder / SEEDS_FOLDER).is_dir()
