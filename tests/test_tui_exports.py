"""Exports from the chat: the folder chosen once, a new file each time, Markdown, JSON and CSL-JSON."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from textual.widgets import Input
from tui_fixtures import MARKUP_ID, SEED_ID, ask, fake_factory, settle

from cableqa.tui.app import make_app
from cableqa.tui.exports import FORMATS, chosen_export_folder, default_export_folder, write_export
from cableqa.tui.prompt import PromptScreen
from cableqa.tui.user_files import data_dir

pytestmark = pytest.mark.anyio

SEED_QUESTION = "How much heroin was seized at Dunkerque?"
MARKUP_QUESTION = "What did the agents note about caution?"
SIZE = (100, 32)

# The item properties of CSL-JSON 1.0 (citation-style-language/schema, schemas/input/csl-data.json):
# items allow no other property ("additionalProperties": false). Name lists and dates are
# the schema's `name-variable` and `date-variable`; every other property is a string, and those
# in CSL_NUMBERS may also be numbers.
CSL_NAMES = {
    "author", "chair", "collection-editor", "compiler", "composer", "container-author", "contributor", "curator",
    "director", "editor", "editorial-director", "executive-producer", "interviewer", "illustrator", "organizer",
    "original-author", "performer", "producer", "recipient", "reviewed-author", "translator",
}  # fmt: skip
CSL_DATES = {"accessed", "available-date", "container", "event-date", "issued", "original-date", "submitted"}
CSL_NUMBERS = {
    "id", "chapter-number", "citation-number", "collection-number", "edition", "first-reference-note-number",
    "issue", "locator", "number", "number-of-pages", "number-of-volumes", "page", "page-first", "part", "printing",
    "supplement", "volume",
}  # fmt: skip
CSL_STRINGS = {
    "type", "language", "journalAbbreviation", "shortTitle", "abstract", "annote", "archive", "archive_collection",
    "archive_location", "archive-place", "authority", "call-number", "citation-label", "collection-title",
    "container-title", "container-title-short", "dimensions", "division", "DOI", "event", "event-place", "genre",
    "ISAN", "ISBN", "ISCI", "ISMN", "ISRC", "ISSN", "ISWC", "jurisdiction", "keyword", "medium", "note",
    "original-publisher", "original-publisher-place", "original-title", "part-title", "PMCID", "PMID", "publisher",
    "publisher-place", "references", "reviewed-title", "scale", "section", "source", "status", "title",
    "title-short", "translated-title", "translated-title-short", "URL", "version", "year-suffix",
}  # fmt: skip
CSL_OTHER = {"categories", "custom"}
CSL_TYPES = {
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast", "chapter",
    "classic", "collection", "dataset", "document", "entry", "entry-dictionary", "entry-encyclopedia", "figure",
    "graphic", "hearing", "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
    "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical", "personal_communication",
    "post", "post-weblog", "regulation", "report", "review", "review-book", "software", "song", "speech", "standard",
    "thesis", "treaty", "webpage",
}  # fmt: skip


def csl_problems(item: dict) -> list[str]:
    """What in `item` the CSL-JSON schema would reject (empty: valid)."""
    problems = [f"missing {field}" for field in ("id", "type") if field not in item]
    for field, value in item.items():
        if field in CSL_DATES:
            if isinstance(value, str):  # an EDTF date
                continue
            parts = value.get("date-parts") if isinstance(value, dict) else None
            if not (
                set(value) <= {"date-parts", "season", "circa", "literal", "raw", "edtf"}
                and isinstance(parts, list)
                and 1 <= len(parts) <= 2
                and all(isinstance(part, list) and 1 <= len(part) <= 3 for part in parts)
                and all(isinstance(number, int | str) for part in parts for number in part)
            ):
                problems.append(f"{field} is not a CSL date: {value!r}")
        elif field in CSL_NUMBERS:
            if not isinstance(value, str | int | float):
                problems.append(f"{field} is neither a string nor a number")
        elif field in CSL_STRINGS:
            if not isinstance(value, str):
                problems.append(f"{field} is not a string")
        elif field not in CSL_NAMES | CSL_OTHER:
            problems.append(f"{field} is not a CSL-JSON property")
    if item.get("type") not in CSL_TYPES:
        problems.append(f"type {item.get('type')!r} is not a CSL type")
    return problems


@pytest.fixture
def anyio_backend():
    return "asyncio"


def fake_app():
    return make_app("fake-index", assistant_factory=fake_factory())


async def asked(pilot, *questions: str) -> None:
    await settle(pilot)
    for question in questions:
        await ask(pilot, question)


async def export(app, pilot, format_name: str) -> None:
    app.action_export(format_name)
    await pilot.pause()


def notices(app) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


async def test_the_first_export_asks_for_the_folder_once_and_each_export_is_a_new_file(tmp_path):
    folder = tmp_path / "exports"
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await asked(pilot, SEED_QUESTION)
        await export(app, pilot, "markdown")
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        assert prompt.query_one(Input).value == str(default_export_folder())  # not the current folder
        prompt.query_one(Input).value = str(folder)
        await pilot.press("enter")
        await pilot.pause()
        await export(app, pilot, "markdown")  # the folder is not asked again
        assert not isinstance(app.screen, PromptScreen)
        first, second = sorted(folder.iterdir(), key=lambda path: path.stat().st_mtime_ns)
        assert first != second and first.name.startswith("cableqa-") and second.suffix == ".md"
        assert first.read_text() == second.read_text()  # the second did not overwrite the first
        assert f"Wrote 1 answer to\n{second}\n" in notices(app)[-1]
        assert app.clipboard == str(second)
    app = fake_app()  # the next session remembers the folder
    async with app.run_test(size=SIZE) as pilot:
        await asked(pilot, SEED_QUESTION)
        await export(app, pilot, "markdown")
        assert not isinstance(app.screen, PromptScreen)
    assert len(list(folder.iterdir())) == 3
    assert chosen_export_folder() == folder


def test_exports_in_the_same_minute_are_numbered_never_overwritten(tmp_path):
    now = datetime(2025, 6, 1, 14, 32, 5)
    paths = [write_export([], FORMATS["markdown"], tmp_path, now) for _ in range(3)]
    assert [path.name for path in paths] == [
        "cableqa-2025-06-01-1432.md",
        "cableqa-2025-06-01-1432-2.md",
        "cableqa-2025-06-01-1432-3.md",
    ]


def test_the_default_folder_is_the_documents_folder_else_the_data_folder(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for variable in ("XDG_CONFIG_HOME", "XDG_DOCUMENTS_DIR"):
        monkeypatch.delenv(variable, raising=False)
    assert default_export_folder() == data_dir() / "exports"  # no ~/Documents
    (home / "Documents").mkdir()
    assert default_export_folder() == home / "Documents" / "cableqa"


async def test_a_folder_that_cannot_be_made_is_refused_in_one_line_and_not_remembered(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await asked(pilot, SEED_QUESTION)
        await export(app, pilot, "markdown")
        app.screen.query_one(Input).value = str(blocker / "exports")
        await pilot.press("enter")
        await pilot.pause()
        assert notices(app)[-1].startswith(f"Could not use {blocker / 'exports'} for exports:")
    assert chosen_export_folder() is None
    assert blocker.read_text() == "not a folder"


async def export_as(format_name: str, folder: Path, *questions: str) -> Path:
    app = fake_app()
    async with app.run_test(size=SIZE) as pilot:
        await asked(pilot, *questions)
        await export(app, pilot, format_name)
        app.screen.query_one(Input).value = str(folder)
        await pilot.press("enter")
        await pilot.pause()
    (path,) = folder.iterdir()
    return path


async def test_the_markdown_export_quotes_the_cited_excerpts(tmp_path):
    markdown = (await export_as("markdown", tmp_path, SEED_QUESTION)).read_text(encoding="utf-8")
    assert f"## {SEED_QUESTION}" in markdown
    assert "> On January 18, 2007" in markdown
    assert f"— {SEED_ID} ¶3" in markdown


async def test_the_json_export_holds_each_answer_as_ask_json_does(tmp_path):
    exported = json.loads((await export_as("json", tmp_path, SEED_QUESTION, MARKUP_QUESTION)).read_text())
    answers = exported["answers"]
    assert [answer["question"] for answer in answers] == [SEED_QUESTION, MARKUP_QUESTION]
    assert answers[0]["hits"][0]["doc_id"] == SEED_ID and "excerpt" in answers[0]["hits"][0]


async def test_the_csl_json_export_is_one_valid_reference_per_cited_cable(tmp_path):
    path = await export_as("csl-json", tmp_path, SEED_QUESTION, MARKUP_QUESTION)
    assert path.name.startswith("cableqa-references-") and path.suffix == ".json"
    items = json.loads(path.read_text(encoding="utf-8"))
    assert [item["id"] for item in items] == list(dict.fromkeys(item["id"] for item in items))  # one per cable
    for item in items:
        assert csl_problems(item) == [], item
    seed = next(item for item in items if item["id"] == SEED_ID)
    assert seed["type"] == "report"
    assert seed["title"] == "FRANCE INCSR 2007-2008"
    assert seed["issued"] == {"date-parts": [[2007, 12, 13]]}
    assert seed["publisher"] == "Embassy Paris"
    assert seed["number"] == seed["archive_location"] == SEED_ID
    markup = next(item for item in items if item["id"] == MARKUP_ID)
    assert markup["title"] == "Markup [bold]looking[/bold] subject"  # cable text kept exactly, never interpreted


def test_the_schema_check_catches_what_csl_json_rejects():
    assert csl_problems({"id": "x", "type": "report", "archive-location": "x"}) == [
        "archive-location is not a CSL-JSON property"
    ]
    assert csl_problems({"id": "x", "type": "cable", "issued": {"date-parts": [2007, 12, 13]}}) == [
        "issued is not a CSL date: {'date-parts': [2007, 12, 13]}",
        "type 'cable' is not a CSL type",
    ]
