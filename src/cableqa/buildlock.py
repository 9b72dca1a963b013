"""One build at a time per index: an exclusive `flock` on `build.lock` in the index folder.

The kernel drops the lock when its holder exits, however it exits (`kill -9` included),
so a dead build never leaves a stale lock behind. The file holds the holder's pid, for
the message a second build shows while it waits. Readers never take the lock.

Taking the lock is where a build first writes to the index folder (creating it when
missing), so a folder that cannot hold an index is said here, in one line.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from cableqa.errors import CableQAError

LOCK_FILE = "build.lock"


@contextmanager
def build_lock(
    directory: Path, *, wait: bool = True, on_wait: Callable[[int | None], None] | None = None
) -> Iterator[None]:
    """Hold the build lock of the index in `directory` (created when missing) for the duration of the block.

    When another build holds it: with `wait`, call `on_wait(its pid)` and wait for it to
    finish; without, raise a one-line `CableQAError`. So is a `directory` that cannot hold
    an index: a file, under a file, not writable, or with a folder for its lock file.
    """
    with _open_lock_file(directory) as handle:
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


def _open_lock_file(directory: Path) -> TextIO:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = open(directory / LOCK_FILE, "a+")
    except OSError as error:
        raise CableQAError(f"cannot build an index in {directory}: {_unusable(directory, error)}") from None
    return handle


def _unusable(directory: Path, error: OSError) -> str:
    """Why `directory` cannot hold an index, from the error making it or opening its lock file."""
    lock = directory / LOCK_FILE
    if lock.is_dir():
        return f"{lock} is a folder, not the lock file; remove it"
    for path in (*reversed(directory.parents), directory):
        if path.exists() and not path.is_dir():
            return f"{path} is a file, not a folder"
    return (error.strerror or str(error)).lower()


def _holder(handle) -> int | None:
    handle.seek(0)
    text = handle.read().strip()
    return int(text) if text.isdigit() else None
