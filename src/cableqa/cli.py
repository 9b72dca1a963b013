"""The `cableqa` command: argument parsing and printing only; the work is the library's.

Each subcommand is a pair of functions: `add_<name>(subparsers)` declares it and
points `run` at `run_<name>(args) -> int`. `cableqa` with no subcommand will open
the TUI; for now it prints help.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import cableqa
from cableqa.errors import CableQAError
from cableqa.types import Cable, Section


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except CableQAError as error:
        print(f"cableqa: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cableqa",
        description="Ask questions of US diplomatic cables; get the cables' own words back, cited.",
    )
    parser.add_argument("--version", action="version", version=f"cableqa {cableqa.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add_command in COMMANDS:
        add_command(subparsers)
    return parser


# --- show -------------------------------------------------------------------------------


def add_show(subparsers: argparse._SubParsersAction) -> None:
    show = subparsers.add_parser(
        "show",
        help="print a cable's metadata and sections",
        description="Read cables from a file or folder (any supported format) and print "
        "their metadata and sections. Needs no index and no model.",
    )
    show.add_argument("path", metavar="PATH", help="a cable file, a cables.csv dump or a folder")
    show.add_argument("--json", action="store_true", help="print JSON (an object per cable; a list for several)")
    show.set_defaults(run=run_show)


def run_show(args: argparse.Namespace) -> int:
    path = Path(args.path)
    skipped = 0

    def warn(source: str, reason: str) -> None:
        nonlocal skipped
        skipped += 1
        print(f"cableqa: warning: skipped {source}: {reason}", file=sys.stderr)

    cables = list(cableqa.read(path, on_skip=warn))
    if args.json:
        data = [cable.to_dict() for cable in cables]
        print(json.dumps(data if path.is_dir() or len(data) != 1 else data[0], ensure_ascii=False, indent=2))
    else:
        width = shutil.get_terminal_size((100, 24)).columns
        print("\n\n".join(format_cable(cable, width) for cable in cables))
    if path.is_dir() or skipped:
        print(f"cableqa: {len(cables)} cables read, {skipped} skipped", file=sys.stderr)
    return 0 if cables else 1


def format_cable(cable: Cable, width: int = 100) -> str:
    """A cable's metadata and one entry per section: number, ¶ range, words, title, first words."""
    fields = [
        ("subject", cable.subject),
        ("date", cable.date),
        ("released", cable.released),
        ("origin", cable.origin),
        ("classification", cable.classification),
        ("tags", " ".join(cable.tags)),
        ("references", " ".join(cable.references)),
        ("source", cable.source),
    ]
    lines = [cable.doc_id]
    lines += [f"  {name:<15}{value or '—'}" for name, value in fields]
    lines += ["", f"  {'#':>3}  {'¶':<8}{'words':>5}  section"]
    indent = 2 + 3 + 2 + 8 + 5 + 2
    for n, section in enumerate(cable.sections, start=1):
        words = len(section.text.split())
        lines.append(f"  {n:>3}  {paragraph_range(section.paragraphs):<8}{words:>5}  {section.title or '(untitled)'}")
        lines.append(" " * indent + _first_words(section, width - indent))
    return "\n".join(lines)


def paragraph_range(numbers: tuple[int, ...]) -> str:
    """`(1, 2, 3)` -> `¶1-3`, `(2,)` -> `¶2`, `(1, 4)` -> `¶1,4`, `()` -> ``."""
    if not numbers:
        return ""
    if len(numbers) > 1 and list(numbers) == list(range(numbers[0], numbers[-1] + 1)):
        return f"¶{numbers[0]}-{numbers[-1]}"
    return "¶" + ",".join(map(str, numbers))


def _first_words(section: Section, room: int) -> str:
    text = " ".join(section.text.split())
    room = max(room, 20)
    return text if len(text) <= room else text[: room - 1].rsplit(" ", 1)[0] + "…"


COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (add_show,)
