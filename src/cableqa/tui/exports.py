"""Exporting the conversation: where files go, what they are named, and the three formats.

Exports go to one folder that the user chooses once (remembered in the data folder's
settings.json); each export is a new file named after the date and time, numbered when
that name is taken, so an export never overwrites another. The formats: Markdown to read,
JSON (the `cableqa ask --json` shape) to process, and CSL-JSON, which Zotero and other
reference managers import as one reference per cited cable.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cableqa.inert import printable_json
from cableqa.tui.transcript import conversation_markdown
from cableqa.tui.user_files import create_new, data_dir
from cableqa.types import Answer, Hit
from cableqa.wording import count

EXPORT_FOLDER_SETTING = "export_folder"
EXPORTS_UNDER = "cableqa"  # the folder made for exports inside the user's documents folder
TIME_FORMAT = "%Y-%m-%d-%H%M"  # in file names: no ":" (Windows), sorts by time
CABLE_GENRE = "Diplomatic cable"


def settings_path() -> Path:
    return data_dir() / "settings.json"


def _settings() -> dict:
    try:
        settings = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return settings if isinstance(settings, dict) else {}


def default_export_folder() -> Path:
    """The platform's documents folder (cableqa/ in it) when there is one, else exports/ in the data folder."""
    import platformdirs

    documents = Path(platformdirs.user_documents_dir())
    return documents / EXPORTS_UNDER if documents.is_dir() else data_dir() / "exports"


def chosen_export_folder() -> Path | None:
    """The folder the user chose for exports, None until they have."""
    folder = _settings().get(EXPORT_FOLDER_SETTING)
    return Path(folder) if isinstance(folder, str) and folder else None


def choose_export_folder(typed: str) -> Path:
    """Make `typed` (~ expanded, made absolute) the export folder: created, then remembered.

    Raises OSError when the folder cannot be created; nothing is remembered then.
    """
    folder = Path(typed).expanduser().absolute()
    folder.mkdir(parents=True, exist_ok=True)
    settings = _settings() | {EXPORT_FOLDER_SETTING: str(folder)}
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps(settings, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return folder


def conversation_json(answers: Sequence[Answer]) -> str:
    """The answers as `cableqa ask --json` writes each, in one list."""
    return printable_json({"answers": [answer.to_dict() for answer in answers]}) + "\n"


def cited_cables(answers: Sequence[Answer]) -> list[Hit]:
    """The first hit of each cable the answers cite, in the order they first cite it."""
    first: dict[str, Hit] = {}
    for answer in answers:
        for hit in answer.hits:
            first.setdefault(hit.doc_id, hit)
    return list(first.values())


def _issued(date: str | None) -> dict | None:
    """A cable's ISO date as a CSL date: {"date-parts": [[2007, 12, 13]]}; None when unknown."""
    try:
        day = datetime.strptime((date or "")[:10], "%Y-%m-%d")
    except ValueError:
        return None
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl_reference(hit: Hit) -> dict:
    """A cited cable as a CSL-JSON item (a report): title the subject, issued its date,
    publisher its origin, number and archive location its reference ID.

    There is no URL: no reader records the page a cable was read from.
    """
    reference = {
        "id": hit.doc_id,
        "type": "report",
        "genre": CABLE_GENRE,
        "title": " ".join(hit.subject.split()) or hit.doc_id,
        "number": hit.doc_id,
        "archive_location": hit.doc_id,
        "publisher": hit.origin,
        "issued": _issued(hit.date),
        "note": f"Classification: {hit.classification}" if hit.classification else "",
    }
    return {field: value for field, value in reference.items() if value}


def references_csl_json(answers: Sequence[Answer]) -> str:
    return printable_json([csl_reference(hit) for hit in cited_cables(answers)]) + "\n"


@dataclass(frozen=True)
class ExportFormat:
    command: str  # the command palette's wording
    stem: str  # file names: "{stem}-{date and time}{suffix}"
    suffix: str
    render: Callable[[Sequence[Answer]], str]
    contents: Callable[[Sequence[Answer]], str]  # what a file holds, for the notification: "2 answers"


def _answers(answers: Sequence[Answer]) -> str:
    return count(len(answers), "answer")


FORMATS = {
    "markdown": ExportFormat("Export the conversation as Markdown", "cableqa", ".md", conversation_markdown, _answers),
    "json": ExportFormat("Export the conversation as JSON", "cableqa", ".json", conversation_json, _answers),
    "csl-json": ExportFormat(
        "Export the cited cables as CSL-JSON (Zotero)",
        "cableqa-references",
        ".json",
        references_csl_json,
        lambda answers: count(len(cited_cables(answers)), "cited cable"),
    ),
}


def write_export(answers: Sequence[Answer], export_format: ExportFormat, folder: Path, now: datetime) -> Path:
    """Write a new file in `folder` (created if needed), never over an existing one; return its path."""
    return create_new(
        folder, f"{export_format.stem}-{now.strftime(TIME_FORMAT)}", export_format.suffix, export_format.render(answers)
    )
