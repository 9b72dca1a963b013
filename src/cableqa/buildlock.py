"""One build at a time per index: an exclusive `flock` on `build.lock` in the index folder.

The kernel drops the lock when its holder exits, however it exits (`kill -9` included),
so a dead build never leaves a stale lock behind. The file holds the holder's pid, for
the message a second build shows while it waits. Readers never take the lock.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cableqa.errors import CableQAError

LOCK_FILE = "build.lock"


@contextmanager
def build_lock(
    directory: Path, *, wait: bool = True, on_wait: Callable[[int | None], None] | None = None
) -> Iterator[None]:
    """Hold the build lock of the index in `directory` for the duration of the block.

    When another build holds it: with `wait`, call `on_wait(its pid)` and wait for it to
    finish; without, raise a one-line `CableQAError`.
    """
    with open(directory / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            if not wait:
                by = f"pid {holder}" if holder else "another process"
                raise CableQAError(
                    f"the index in {directory} is being built by {by}; try again when it has finished"
                ) from None
            if on_wait is not None:
                on_wait(holder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()  # unlocked by closing the file, at the end of the `with`


def _holder(handle) -> int | None:
    handle.seek(0)
    text = handle.read().strip()
    return int(text) if text.isdigit() else None
