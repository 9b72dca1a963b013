"""Questions asked, kept across sessions in a JSON Lines file, and browsed with ↑/↓."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from cableqa.tui.user_files import data_dir

MAX_ENTRIES = 1000


def history_path() -> Path:
    return data_dir() / "history.jsonl"


class QuestionHistory:
    """The past questions, oldest first, with a cursor for ↑/↓ browsing.

    The cursor sits one past the newest question while the user is typing; `back`
    moves it towards older questions and `forward` towards the draft being typed.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else history_path()
        self.questions: list[str] = self._read()
        self._cursor = len(self.questions)
        self._draft = ""

    def _read(self) -> list[str]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        questions = []
        for line in lines[-MAX_ENTRIES:]:
            try:
                question = json.loads(line)["question"]
            except (ValueError, KeyError, TypeError):
                continue  # a damaged line costs one entry, not the whole history
            if isinstance(question, str) and question:
                questions.append(question)
        return questions

    def add(self, question: str) -> None:
        """Remember `question` (unless it repeats the last one) and reset the cursor."""
        if question and (not self.questions or self.questions[-1] != question):
            self.questions.append(question)
            record = {"question": question, "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as file:
                    file.write(json.dumps(record, ensure_ascii=False) + "\n")
            except OSError:
                pass  # history is a convenience: a read-only home must not break asking
        self._cursor = len(self.questions)
        self._draft = ""

    def back(self, current: str) -> str | None:
        """The question before the cursor, or None at the oldest one."""
        if self._cursor == 0:
            return None
        if self._cursor == len(self.questions):
            self._draft = current
        self._cursor -= 1
        return self.questions[self._cursor]

    def forward(self) -> str | None:
        """The question after the cursor, the draft after the newest, None past it."""
        if self._cursor >= len(self.questions):
            return None
        self._cursor += 1
        if self._cursor == len(self.questions):
            return self._draft
        return self.questions[self._cursor]
