"""Chat sessions: each conversation's questions, filters and answers, saved as the user goes.

A session is one JSON Lines file in the data folder's sessions/, written only by appending,
so that a crash costs at most the line being written:

    {"session": 1, "started": "2025-06-01T14:32:05+00:00", "index_dir": "index"}
    {"turn": 1, "question": "...", "filters": {"origin": "Embassy Paris"}, "asked_at": "..."}
    {"turn": 1, "built_at": "...", "answer": {...}}

An answer line follows its question's once the answer arrives (`Answer.to_dict()` without
each hit's whole section text, which the index holds); `built_at` says which build of the
index gave it. Reopened, a session's questions are asked again, and their new answers are
appended: the last answer line of a turn is its answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from cableqa.errors import CableQAError
from cableqa.filters import Filters
from cableqa.tui.user_files import create_new, data_dir
from cableqa.types import Answer
from cableqa.wording import count, folder

FORMAT = 1
SUFFIX = ".jsonl"
NAME_TIME = "%Y-%m-%d-%H%M%S"


def sessions_folder() -> Path:
    return data_dir() / "sessions"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def local_time(moment: str) -> str:
    """An ISO 8601 moment as "2025-06-01 14:32" in the user's time zone (as given when it is not ISO)."""
    try:
        return datetime.fromisoformat(moment).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return moment


def _line(record: dict) -> str:
    """One JSON line, ASCII only: exact for any text (a lone surrogate included), and never a raw control."""
    return json.dumps(record) + "\n"


@dataclass
class SavedTurn:
    number: int
    question: str
    filters: Filters
    built_at: str | None = None  # the build of the index its last answer came from; None: never answered


@dataclass
class Session:
    """One saved conversation; `asked` and `answered` append to its file (OSError when they cannot)."""

    path: Path
    started: str  # ISO 8601, UTC
    index_dir: str
    turns: list[SavedTurn] = field(default_factory=list)

    @classmethod
    def start(cls, index_dir: str) -> Session:
        """A new session file in the sessions folder, named after the time it starts."""
        started = _now()
        stem = datetime.now().strftime(NAME_TIME)
        header = {"session": FORMAT, "started": started, "index_dir": index_dir}
        return cls(create_new(sessions_folder(), stem, SUFFIX, _line(header)), started, index_dir)

    def _append(self, record: dict) -> None:
        with self.path.open("a", encoding="utf-8") as file:
            file.write(_line(record))

    def asked(self, question: str, filters: Filters) -> int:
        """Save a new question; its turn number (for `answered`)."""
        number = max((turn.number for turn in self.turns), default=0) + 1
        self._append({"turn": number, "question": question, "filters": dict(filters.items()), "asked_at": _now()})
        self.turns.append(SavedTurn(number, question, filters))
        return number

    def answered(self, number: int, answer: Answer, built_at: str) -> None:
        saved = answer.to_dict()
        for hit in saved["hits"]:
            del hit["text"]
        self._append({"turn": number, "built_at": built_at, "answer": saved})
        for turn in self.turns:
            if turn.number == number:
                turn.built_at = built_at

    def title(self) -> str:
        """ "2025-06-01 14:32 · 3 questions · How much heroin…": how the picker lists it."""
        first = self.turns[0].question if self.turns else "no question"
        return f"{local_time(self.started)} · {count(len(self.turns), 'question')} · {first}"


def read_session(path: Path) -> Session:
    """The session saved in `path`; ValueError when it is not one. A damaged line costs that line only."""
    lines = path.read_text(encoding="utf-8").splitlines()
    try:
        header = json.loads(lines[0])
        session = Session(path, str(header["started"]), str(header["index_dir"]))
        datetime.fromisoformat(session.started)
    except (IndexError, ValueError, KeyError, TypeError):
        raise ValueError(f"{path} is not a cableqa session") from None
    turns: dict[int, SavedTurn] = {}
    for line in lines[1:]:
        try:
            record = json.loads(line)
            number = int(record["turn"])
            if "question" in record:
                turns[number] = SavedTurn(number, str(record["question"]), Filters(**record["filters"]))
            elif number in turns:
                turns[number].built_at = str(record["built_at"])
        except (ValueError, KeyError, TypeError, CableQAError):
            continue
    session.turns = [turns[number] for number in sorted(turns)]
    return session


def past_sessions() -> list[Session]:
    """The saved sessions with at least one question, newest first; unreadable files are left out."""
    sessions = []
    for path in sessions_folder().glob(f"*{SUFFIX}"):
        try:
            session = read_session(path)
        except (OSError, ValueError):
            continue
        if session.turns:
            sessions.append(session)
    return sorted(sessions, key=lambda session: (session.started, _sequence(session.path)), reverse=True)


def _sequence(path: Path) -> int:
    """Which of the sessions started in the same second a file holds: `…-185500` 1, `…-185500-2` 2."""
    stem = path.name.removesuffix(SUFFIX)
    head, _, number = stem.rpartition("-")
    return int(number) if head and number.isdigit() and len(number) < 4 else 1  # the time itself has 6 digits


def latest_session() -> Session:
    """The newest saved session (`cableqa --resume`); a CableQAError when none is saved."""
    sessions = past_sessions()
    if not sessions:
        raise CableQAError(f"no past session to resume: none is saved in {folder(sessions_folder())}")
    return sessions[0]
