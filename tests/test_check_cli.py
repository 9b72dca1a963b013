"""`cableqa check FILE|-`: the table, --json, --markdown, and one clear line for what cannot be read."""

import io
import json

import pytest
from conftest import FIXTURES, SEEDS

import cableqa
from cableqa import check
from cableqa.cli import main

ARTICLE = (
    "# What the embassy told the President\n\n"
    "Before the visit, cable 09OTTAWA64 told him: “Mission Canada warmly welcomes you and the First Lady to Ottawa.”\n\n"
    'It also said that "Canadians complain about what they see as a thickening of the border".\n\n'
    "And, reportedly: « The ambassador privately told the defence minister that the submarine deal was over. »\n"
)


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    directory = tmp_path_factory.mktemp("check-cli") / "index"
    cableqa.build([SEEDS, FIXTURES / "cables"], directory, model="hashing")
    return directory


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "article.md"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_table_gives_each_quotation_its_verdict_and_citation(index, article, capsys):
    status, out, _ = run(capsys, "check", str(article), "--index", str(index))
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "3 quotations: 1 verbatim, 1 altered, 1 not found; cables named: 09OTTAWA64 (indexed)"
    assert any(line.startswith(" 1 verbatim   “Mission Canada warmly welcomes you") for line in lines)
    assert "· 09OTTAWA64 ¶1 · named in the article" in out
    assert any(line.startswith(" 2 altered    “Canadians complain") for line in lines)
    assert "“complain” where the cable has “chafe”" in out
    assert " 3 not found  “The ambassador privately told" in out and "nearest, not a match: " in out


def test_json_is_the_documented_contract_and_stdin_reads_the_same(index, article, capsys, monkeypatch):
    status, out, _ = run(capsys, "check", str(article), "--index", str(index), "--json")
    data = json.loads(out)
    assert status == 0 and set(data) == {"quotes", "cables_named"}
    assert [quote["status"] for quote in data["quotes"]] == ["verbatim", "altered", "not_found"]
    assert data["quotes"][0]["doc_id"] == "09OTTAWA64" and data["quotes"][0]["paragraphs"] == [1]
    assert data["cables_named"] == [{"doc_id": "09OTTAWA64", "indexed": True}]
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(ARTICLE.encode())))
    assert run(capsys, "check", "-", "--index", str(index), "--json")[1] == out


def test_markdown_quotes_each_quotation_then_its_citation(index, article, capsys):
    status, out, _ = run(capsys, "check", str(article), "--index", str(index), "--markdown")
    assert status == 0 and out.startswith("# Quotations checked against the cables\n")
    verbatim = out.index("> Mission Canada warmly welcomes you and the First Lady to Ottawa.")
    assert out.index("**Verbatim** · 09OTTAWA64 ¶1 · ", verbatim) > verbatim
    assert "**Altered** · 09OTTAWA64 ¶5" in out and "- “complain” where the cable has “chafe”" in out
    assert "**Not found** in the indexed cables." in out and "Nearest passages (not a match):" in out


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda tmp: tmp / "missing.txt", "missing.txt: no such file"),
        (lambda tmp: tmp, "is a folder, not an article"),
        (lambda tmp: _write(tmp / "latin1.txt", "café".encode("latin-1")), "latin1.txt is not UTF-8 text (byte 4)"),
        (lambda tmp: _write(tmp / "big.txt", b"x" * 101), "big.txt is larger than"),
    ],
)
def test_an_article_that_cannot_be_read_is_one_line_and_exit_2(index, tmp_path, capsys, monkeypatch, setup, message):
    monkeypatch.setattr(check, "ARTICLE_MAX_BYTES", 100)
    path = setup(tmp_path)
    status, out, err = run(capsys, "check", str(path), "--index", str(index))
    assert status == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("cableqa: error: ") and message in err


def test_too_many_quotations_and_an_index_that_is_not_one_are_one_line(index, tmp_path, capsys):
    crowded = _write(tmp_path / "crowded.txt", b'"one two three four" ' * 501)
    status, _, err = run(capsys, "check", str(crowded), "--index", str(index))
    assert (
        status == 2
        and err == "cableqa: error: the text holds 501 quotations; a check reads at most 500 (split the text)\n"
    )
    status, _, err = run(capsys, "check", str(crowded), "--index", str(tmp_path))
    assert status == 2 and err.count("\n") == 1 and "is not a cableqa index" in err


def _write(path, data: bytes):
    path.write_bytes(data)
    return path
