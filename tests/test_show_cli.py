import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cableqa.cli import main
from cableqa.types import paragraph_range

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_6d31f5b53f31c7b7.txt"
CABLES = REPO / "tests" / "fixtures" / "cables"
HEAVY_MODULES = ("torch", "sentence_transformers", "faiss", "onnxruntime", "transformers", "textual")


def test_show_prints_metadata_and_aligned_sections(capsys):
    assert main(["show", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("07PARIS4695\n")
    assert "  origin         Embassy Paris\n" in out
    assert "  date           2007-12-13T09:59Z\n" in out
    section_lines = [line for line in out.splitlines() if "III. Country Actions Against Drugs in 2007 › " in line]
    assert len(section_lines) == 7
    assert len({line.index("III.") for line in section_lines}) == 1  # titles start in one column


def test_show_json_has_the_documented_shape(capsys):
    assert main(["show", str(SEED), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {
        "doc_id",
        "subject",
        "date",
        "released",
        "origin",
        "classification",
        "tags",
        "references",
        "cited",
        "source",
        "sections",
    }
    assert set(data["sections"][0]) == {"id", "title", "name", "paragraphs", "start", "end", "text"}
    assert data["cited"] == [{"label": "", "doc_id": "07STATE136780", "written": "STATE 136780"}]
    assert data["sections"][1]["title"] == "II. Status of Country"


def test_show_json_of_a_folder_is_a_list_and_the_count_goes_to_stderr(capsys):
    assert main(["show", str(CABLES), "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert len(data) == len(list(CABLES.glob("*.html")))
    assert captured.err == f"cableqa: {len(data)} cables read, 0 skipped\n"


def test_show_of_what_holds_no_cable_is_one_line_and_exit_2(capsys, tmp_path):
    """It once warned, then exited 1, where every other user error exits 2."""
    empty = REPO / "tests" / "fixtures" / "bad" / "empty.txt"
    assert main(["show", str(empty)]) == 2
    assert capsys.readouterr() == ("", f"cableqa: error: no cable in {empty}: empty file\n")
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("a.txt", "b.txt"):
        (notes / name).write_text("Remember to buy milk.\n")
    assert main(["show", str(notes)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cableqa: error: no cable in {notes} (2 files, none of them a cable; {notes}/a.txt: ")
    assert err.count("\n") == 1


def test_show_warns_about_the_files_it_skips_beside_cables(capsys, tmp_path):
    shutil.copy(SEED, tmp_path / "seed.txt")
    (tmp_path / "empty.txt").write_text("")
    assert main(["show", str(tmp_path), "--json"]) == 0
    assert capsys.readouterr().err == (
        f"cableqa: warning: skipped {tmp_path}/empty.txt: empty file\ncableqa: 1 cable read, 1 skipped\n"
    )


def test_a_missing_path_is_a_one_line_error_with_status_2(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no index/ here to look the name up in
    assert main(["show", "no/such/cable.txt"]) == 2
    assert capsys.readouterr().err == "cableqa: error: no/such/cable.txt: no such file or folder\n"


def test_a_missing_path_that_is_no_indexed_cable_says_both(capsys, hashing_seed_index):
    assert main(["show", "no/such/cable.txt", "--index", str(hashing_seed_index)]) == 2
    assert capsys.readouterr().err == (
        f"cableqa: error: no/such/cable.txt: no such file or folder, nor a cable in the index in {hashing_seed_index}/\n"
    )


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--help"])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    assert all(command in out for command in ("ask", "index", "show", "info", "eval"))


def test_paragraph_ranges():
    assert [paragraph_range(p) for p in [(), (2,), (1, 2, 3), (1, 4)]] == ["", "¶2", "¶1-3", "¶1,4"]


def test_show_imports_no_model_library():
    script = (
        "import sys\nfrom cableqa.cli import main\n"
        f"main(['show', {str(SEED)!r}, '--json'])\n"
        f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert '"doc_id": "07PARIS4695"' in result.stdout
    assert result.stderr.strip() == "[]"
