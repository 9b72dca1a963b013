"""Bad input on the command line is one line on stderr and exit status 2, never a traceback;
the same input to the Python API is one `CableQAError`."""

import json

import pytest
from conftest import SEED_ID

import cableqa
from cableqa.cli import main
from cableqa.errors import CableQAError

QUESTION = "How much heroin was seized at Dunkerque?"


def one_error_line(capsys) -> str:
    """The one line a failed command wrote, without its `cableqa: error: ` prefix."""
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("cableqa: error: ") and captured.err.count("\n") == 1
    return captured.err.removeprefix("cableqa: error: ").rstrip("\n")


def asked(index, *options: str, capsys) -> list[tuple[str, str]]:
    assert main(["ask", QUESTION, "--index", str(index), "--json", *options]) == 0
    return [(hit["doc_id"], hit["section_id"]) for hit in json.loads(capsys.readouterr().out)["hits"]]


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--since", "--until"])
@pytest.mark.parametrize(
    "day", ["0000-01-01", "10000-01-01", "2007-02-30", "2007-1-1", "２００７-01-01", "2007-01-01T00:00"]
)
def test_a_day_that_is_not_one_is_one_line_and_exit_2(hashing_seed_index, option, day, capsys):
    assert main(["ask", QUESTION, "--index", str(hashing_seed_index), option, day]) == 2
    name = option.removeprefix("--")
    assert one_error_line(capsys) == f"{name}: {day!r} is not a date like 2007-12-13 (YYYY-MM-DD)"
    with pytest.raises(CableQAError) as error:
        cableqa.load(hashing_seed_index).ask(QUESTION, **{name: day})
    assert str(error.value) == f"{name}: {day!r} is not a date like 2007-12-13 (YYYY-MM-DD)"


def test_the_first_and_last_days_there_are_bound_nothing(hashing_seed_index, capsys):
    """9999-12-31 has no day after it: as --until it once overflowed computing one."""
    everything = asked(hashing_seed_index, capsys=capsys)
    assert SEED_ID in {doc_id for doc_id, _ in everything}
    assert asked(hashing_seed_index, "--until", "9999-12-31", capsys=capsys) == everything
    assert asked(hashing_seed_index, "--since", "0001-01-01", "--until", "9999-12-31", capsys=capsys) == everything
    qa = cableqa.load(hashing_seed_index)
    assert [hit.doc_id for hit in qa.ask(QUESTION, until="9999-12-31").hits] == [doc_id for doc_id, _ in everything]
    assert main(["ask", QUESTION, "--index", str(hashing_seed_index), "--since", "9999-12-31"]) == 0
    assert capsys.readouterr().out.strip() == "No cable matches the filters (since 9999-12-31)."
    assert qa.ask(QUESTION, since="9999-12-31", until="9999-12-31").excluded_by_filters
