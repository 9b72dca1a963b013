"""One build at a time per index: an exclusive `flock` on `build.lock` in the index folder.

The kernel drops the lock when its holder exits, however it exits (`kill -9` included),
so a dead build never leaves a stale lock behind. The file holds the holder's pid, for
the message a second build shows while it waits. Readers never take the lock.

Taking the lock is where a build first writes to the index folder (creating it when
missing), so a folder that cannot hold an index is said here, in one line; and a build that
fails in a folder it created removes it here, so that a failed command leaves no stray folder.
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

    A block that fails leaves nothing of the lock behind in a folder that holds nothing else:
    the lock file goes if it was made for this build, then each folder made for it, while empty
    (a stopped build keeps its partial generation there to resume from). A build that was
    waiting then finds its lock file gone and takes a new one.
    """
    created = _missing_folders(directory)
    created_lock = created or not os.path.lexists(directory / LOCK_FILE)
    while True:
        handle = _open_lock_file(directory)
        try:
            _lock(handle, directory, wait, on_wait)
        except BaseException:
            handle.close()
            raise
        if _is_current(handle, directory):
            break
        handle.close()  # the build before removed the folder it had created: lock the new one
    with handle:
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        except BaseException:
            if created_lock:
                _remove_lock(directory, created, handle)
            raise
        finally:
            handle.seek(0)
            handle.truncate()  # unlocked by closing the file, at the end of the `with`


def _lock(handle: TextIO, directory: Path, wait: bool, on_wait: Callable[[int | None], None] | None) -> None:
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


def _is_current(handle: TextIO, directory: Path) -> bool:
    """Whether the locked file is still the lock file of `directory` (not one a failed build removed)."""
    try:
        return os.stat(directory / LOCK_FILE).st_ino == os.fstat(handle.fileno()).st_ino
    except OSError:
        return False


def _missing_folders(directory: Path) -> list[Path]:
    """The folders making `directory` would create, innermost first."""
    missing = []
    for path in (directory, *directory.parents):
        if os.path.lexists(path):
            break
        missing.append(path)
    return missing


def _remove_lock(directory: Path, created: list[Path], handle: TextIO) -> None:
    """Remove the lock file (still holding it) when it is all `directory` holds, then the `created`
    folders, innermost first, while empty."""
    try:
        if os.listdir(directory) != [LOCK_FILE] or not _is_current(handle, directory):
            return
        os.unlink(directory / LOCK_FILE)
        for path in created:
            os.rmdir(path)
    except OSError:  # not empty: something else is in it now, and it stays
        pass


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
