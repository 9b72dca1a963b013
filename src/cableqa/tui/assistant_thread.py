"""One thread that owns the Assistant: it loads it, then runs every call on it in turn.

Loading imports torch and opens SQLite and FAISS; SQLite connections belong to the
thread that opened them, and a rebuild must not overlap a question. Running every
call on one daemon thread, in order, gives both for free, keeps the event loop free,
and a question sent while the index loads simply waits its turn in the queue.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_STOP = object()


class AssistantThread:
    """Run `load()` once, then `submit(call)`s as `call(assistant)`, in order, off the UI thread."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._assistant: Any = None
        self._load_error: BaseException | None = None
        self._busy = threading.Event()
        # A daemon thread: quitting while the model loads must not wait for it.
        self._thread = threading.Thread(target=self._serve, name="cableqa-assistant", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not _STOP:
            call, future = job
            if not future.set_running_or_notify_cancel():
                continue
            self._busy.set()
            try:
                future.set_result(call())
            except BaseException as error:  # handed to whoever awaits the future
                future.set_exception(error)
            finally:
                self._busy.clear()

    @property
    def busy(self) -> bool:
        """Whether a call (loading the model, a search, a rebuild) is running right now."""
        return self._busy.is_set()

    def _enqueue(self, call: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((call, future))
        return future

    def load(self, loader: Callable[[], Any]) -> Future[Any]:
        """Replace the assistant with `loader()`; calls submitted later wait for it."""

        def load() -> Any:
            self._assistant, self._load_error = None, None
            try:
                self._assistant = loader()
            except BaseException as error:
                self._load_error = error
                raise
            return self._assistant

        return self._enqueue(load)

    def submit(self, call: Callable[[Any], T]) -> Future[T]:
        """Run `call(assistant)` after every job queued before it."""

        def run() -> T:
            if self._assistant is None:
                raise self._load_error or RuntimeError("the index is not loaded")
            return call(self._assistant)

        return self._enqueue(run)

    def run(self, call: Callable[[], T]) -> Future[T]:
        """Run `call()` (which needs no assistant, e.g. a rebuild) in turn with the rest."""
        return self._enqueue(call)

    def stop(self) -> None:
        self._jobs.put(_STOP)
