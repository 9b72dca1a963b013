"""Every CLI command prints cable text inert: no control character from a cable reaches the terminal.

The commands are taken from the CLI's own parser, so a new command fails here until it is walked
too. (`cableqa` with no command opens the TUI, which `test_tui.py` covers.)
"""

import argparse
import json
import os
import re

import pytest

import cableqa
from cableqa.cli import build_parser, main

# ESC sequences (clear screen, window title, colour), a C1 CSI, NEL, backspace and DEL
CONTROLS = "\x1b[2J\x1b]0;owned\x07\x9b31m\x85\x08\x7f"
HOSTILE_ID = "09HOSTILE1"
HOSTILE_ORIGIN = f"Embassy {CONTROLS}Paris"
# Raw in the output: any C0 control but newline, DEL, C1, a lone surrogate (undecodable file-name bytes)
RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Shown instead: a control picture, or the escape JSON or repr() writes
SHOWN_CONTROL = re.compile(r"␛|\\u001b|\\x1b")


def _csv_row(*fields: str) -> str:
    return ",".join('"' + field.replace('"', '""') + '"' for field in fields) + "\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A folder of cables with control characters in every field and file name, and their index."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / f"cables{CONTROLS}"
    folder.mkdir()
    body = (
        f"UNCLAS {CONTROLS}\nTAGS: PREL{CONTROLS} PGOV\nSUBJECT: HOSTILE {CONTROLS} SUBJECT\n\n"
        f"REF: A. STATE 123{CONTROLS} B. 07PARIS4695{CONTROLS}\n\n"
        f"1. (C) The embassy {CONTROLS} reported heroin seized at Dunkerque {CONTROLS} today.\n"
    )
    row = _csv_row(
        "1",
        "1/27/2009 18:06",
        HOSTILE_ID,
        HOSTILE_ORIGIN,
        f"SECRET{CONTROLS}",
        f"07PARIS4695,09STATE{CONTROLS}",
        f"TO RUEHC/SECSTATE WASHDC {CONTROLS}",
        body,
    )
    (folder / f"dump{CONTROLS}.csv").write_text(row, encoding="utf-8")
    # upper-case, so that an ID taken from it is accepted as written
    (folder / f"NOTE{CONTROLS.upper()}.txt").write_text(
        f"SUBJECT: FILE {CONTROLS}\n\n1. (C) plain {CONTROLS} heroin text.\n"
    )
    # skipped (empty), under a name that is not UTF-8: its warning names it
    (folder / os.fsdecode(b"empty\x1b[2J\xff\x9b.txt")).write_text("")
    index = root / f"index{CONTROLS}"
    cableqa.build([folder], index, model="hashing", on_skip=lambda source, reason: None)
    # quoting the cables word for word, altered, and not at all; its own words hostile too
    (root / f"article{CONTROLS}.md").write_text(
        f'Cable {HOSTILE_ID}{CONTROLS} said "The embassy reported heroin seized at Dunkerque today", '
        f'“{CONTROLS}plain heroin text and more{CONTROLS}” and "nothing like this is in any cable"\n'
    )
    questions = root / f"questions{CONTROLS}.jsonl"
    questions.write_text(
        json.dumps({"id": f"q{CONTROLS}", "question": "heroin at Dunkerque", "answers": ["never said"]}) + "\n"
    )
    return folder, index, questions


def invocations(folder, index, questions, fresh) -> dict[str, list[list[str]]]:
    """How this test calls each command: over the hostile cables, every argument that prints cable text."""
    file_id = f"NOTE{CONTROLS.upper()}"
    article = questions.parent / f"article{CONTROLS}.md"
    return {
        "ask": [
            ["ask", "embassy reported heroin seized at Dunkerque"],
            ["ask", HOSTILE_ID],
            ["ask", "heroin", "--origin", HOSTILE_ORIGIN, "--since", "2010-01-01"],  # no cable: names the filters
            ["ask", "heroin", "--origin", HOSTILE_ORIGIN[:-1]],  # an error naming the nearest indexed origin
        ],
        "show": [["show", HOSTILE_ID], ["show", file_id], ["show", str(folder)]],
        "refs": [["refs", HOSTILE_ID], ["refs", file_id]],
        "related": [["related", HOSTILE_ID], ["related", file_id]],
        "info": [["info"]],
        "index": [["index", str(folder), "--index", str(fresh), "--model", "hashing"], ["index", "--check"]],
        "eval": [["eval", str(questions)]],
        "check": [["check", str(article)], ["check", str(article), "--markdown"]],
    }


def test_every_command_prints_cable_text_inert(hostile, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)  # Rich's own styles would be escape codes
    folder, index, questions = hostile
    parser = build_parser()
    (commands,) = (action.choices for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    calls = invocations(folder, index, questions, tmp_path / f"fresh{CONTROLS}")
    assert set(calls) == set(commands), "walk every command of the CLI here"
    for name, command in commands.items():
        variants = calls[name]
        if "--json" in command._option_string_actions:
            variants = [
                variant
                for argv in variants
                for variant in ((argv,) if "--markdown" in argv else (argv, [*argv, "--json"]))
            ]
        for argv in variants:
            argv = argv if "--index" in argv else [*argv, "--index", str(index)]
            status = main(argv)
            out, err = capsys.readouterr()
            shown = out + err
            assert status in (0, 2), (argv, err)
            assert not RAW_CONTROL.search(shown), (argv, shown)
            assert SHOWN_CONTROL.search(shown), (argv, shown)  # the hostile text was printed, made inert


def test_json_output_keeps_cable_text_exactly(hostile, capsys):
    folder, index, _ = hostile
    assert main(["show", HOSTILE_ID, "--index", str(index), "--json"]) == 0
    out = capsys.readouterr().out
    assert not RAW_CONTROL.search(out)
    shown = json.loads(out)
    assert shown["origin"] == HOSTILE_ORIGIN and shown["classification"] == f"SECRET{CONTROLS}"
    assert main(["show", str(folder), "--json"]) == 0
    sources = {cable["source"] for cable in json.loads(capsys.readouterr().out)}
    assert str(folder / f"NOTE{CONTROLS.upper()}.txt") in sources
