"""The terminal UI: `cableqa` with no subcommand opens it.

Importing this package is cheap; the Textual app is imported by `run`, and the
model and index load on a background thread once the first frame is up.
"""

from __future__ import annotations


def run(index_dir: str = "index", model: str | None = None, resume: bool = False) -> None:
    """Open the chat over `index_dir` (built from seeds/ when missing) until the user quits.

    `resume` reopens the latest saved session; a CableQAError when there is none.
    """
    import os
    import sys

    from cableqa.tui.app import make_app
    from cableqa.tui.sessions import latest_session

    session = latest_session() if resume else None
    app = make_app(index_dir, model, resume=session)
    app.run()
    if app.assistant.busy:
        # Quit while the model was loading: interpreter teardown would race torch's
        # native threads ("terminate called without an active exception"). Leave now.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(app.return_code or 0)
