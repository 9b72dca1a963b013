"""The terminal UI: `cableqa` with no subcommand opens it.

Importing this package is cheap; the Textual app is imported by `run`, and the
model and index load on a background thread once the first frame is up.
"""

from __future__ import annotations


def run(index_dir: str = "index", model: str | None = None) -> None:
    """Open the chat over `index_dir` (built from seeds/ when missing) until the user quits."""
    from cableqa.tui.app import make_app

    make_app(index_dir, model).run()
