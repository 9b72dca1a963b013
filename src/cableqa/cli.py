"""The `cableqa` command: argument parsing and printing only; the work is the library's.

Each subcommand is a pair of functions: `add_<name>(subparsers)` declares it and
points `run` at `run_<name>(args) -> int`. `cableqa` with no subcommand opens the
TUI. Heavy modules (the model, FAISS, Textual, Rich) are imported by the commands
that use them, so `--help` and `show PATH` start at once.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import cableqa
from cableqa.errors import CableQAError, NoCables
from cableqa.files import visible_files
from cableqa.filters import FACETS
from cableqa.header import reference_id
from cableqa.index_files import is_index, not_an_index
from cableqa.inert import printable, printable_json
from cableqa.locations import default_index, shipped_seeds
from cableqa.types import Cable, Section, paragraph_range
from cableqa.wording import BUILD_STAGES, count, excluded_by_filters, folder, no_cables, verdict_line

# Commands that read the index once and exit: a process of a fraction of a second (`run`).
ONE_SHOT_COMMANDS = {"ask", "check", "show", "info", "refs", "related"}


def run() -> None:
    """The `cableqa` console script and `python -m cableqa`: `main`, started and ended cheaper.

    For a command that reads the index once (`ONE_SHOT_COMMANDS`), before anything heavy is imported:
    OpenBLAS (numpy) and OpenMP (FAISS) keep to one thread unless the environment says otherwise
    (one question's searches use no more); the query encoder opens without packing its weights
    (`embed.ONE_SHOT_VARIABLE`); the garbage collector is off; and what is alive at the end is
    frozen, so that the interpreter's last collection skips it. CPU time of a cold `ask` on the
    seed, medians of 11 interleaved runs on 2 busy cores: 425 ms; one thread each 345 ms (their
    pools no longer started); the collector off, then frozen, 310 ms; weights not packed, 268 ms.
    """
    args = build_parser().parse_args()
    one_shot = args.command in ONE_SHOT_COMMANDS
    if one_shot:
        for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            os.environ.setdefault(variable, "1")
        os.environ["CABLEQA_ONE_SHOT"] = "1"  # embed.ONE_SHOT_VARIABLE (not imported: it imports numpy)
        gc.disable()
    status = dispatch(args)
    if one_shot:
        gc.freeze()
    raise SystemExit(status)


def main(argv: list[str] | None = None) -> int:
    return dispatch(build_parser().parse_args(argv))


def dispatch(args: argparse.Namespace) -> int:
    """Run the command `args` names (the TUI when none); a `CableQAError` is one line and status 2."""
    # What the terminal's encoding cannot write (a Latin-1 terminal) comes out as escapes, not a traceback.
    sys.stdout.reconfigure(errors="backslashreplace")
    try:
        if args.command is None:
            return run_tui(args)
        return args.run(args)
    except CableQAError as error:
        say(f"cableqa: error: {error}", err=True)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `cableqa show ... | head`: the reader left, which is no error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def say(text: str = "", *, err: bool = False) -> None:
    """Print `text` through the inert gate (`cableqa.inert`): every line the commands write but
    JSON (`say_json`) and Rich text (made of `printable` pieces) goes out here, cable text or not."""
    print(printable(text), file=sys.stderr if err else sys.stdout)


def say_json(data: object, *, indent: int | None = 2) -> None:
    """Print `data` as JSON, exact, with no control character left raw (`inert.printable_json`)."""
    print(printable_json(data, indent=indent))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cableqa",
        description="Ask questions of US diplomatic cables; get the cables' own words back, cited. "
        "`cableqa` alone opens the chat (the terminal UI) over the index; the commands below work without it.",
    )
    parser.add_argument("--version", action="version", version=f"cableqa {cableqa.__version__}")
    add_index_options(parser)
    parser.add_argument("--resume", action="store_true", help="reopen the chat's latest session")
    parser.set_defaults(index=None, model=None)
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
        "their metadata and sections. Needs no model. Given a reference ID (07PARIS4695) "
        "instead of a path, prints that cable from the index.",
    )
    show.add_argument(
        "path",
        metavar="PATH",
        help="a cable file, a cables.csv dump or a folder; or the reference ID of an indexed cable",
    )
    show.add_argument("--json", action="store_true", help="print JSON (an object per cable; a list for several)")
    add_index_options(show, model=False)
    show.set_defaults(run=run_show)


def run_show(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if not path.exists():
        return _show_indexed(args.path, args)
    skipped: list[tuple[str, str]] = []
    cables = list(cableqa.read(path, on_skip=lambda source, reason: skipped.append((source, reason))))
    if not cables:
        raise CableQAError(no_cables(path, len(visible_files(path)), skipped))
    for source, reason in skipped:
        print_skip(source, reason)
    if args.json:
        data = [cable.to_dict() for cable in cables]
        say_json(data if path.is_dir() or len(data) != 1 else data[0])
    else:
        width = shutil.get_terminal_size((100, 24)).columns
        say("\n\n".join(format_cable(cable, width) for cable in cables))
    if path.is_dir() or skipped:
        say(f"cableqa: {count(len(cables), 'cable')} read, {len(skipped)} skipped", err=True)
    return 0


def format_cable(cable: Cable, width: int = 100, files: list[str] = ()) -> str:
    """A cable's metadata and one entry per section: number, ¶ range, words, title, first words;
    `files`, the indexed files that hold it. Raw cable text: `say` makes it inert."""
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
    lines += [f"  {'held in':<15}{file}" for file in files]
    lines += ["", f"  {'#':>3}  {'¶':<8}{'words':>5}  section"]
    indent = 2 + 3 + 2 + 8 + 5 + 2
    for n, section in enumerate(cable.sections, start=1):
        words = len(section.text.split())
        lines.append(f"  {n:>3}  {paragraph_range(section.paragraphs):<8}{words:>5}  {section.name}")
        lines.append(" " * indent + _first_words(section, width - indent))
    return "\n".join(lines)


def _first_words(section: Section, room: int) -> str:
    text = " ".join(section.text.split())
    room = max(room, 20)
    return text if len(text) <= room else text[: room - 1].rsplit(" ", 1)[0] + "…"


def _show_indexed(name: str, args: argparse.Namespace) -> int:
    """`show ID`: a cable of the index, by reference ID or by the ID a file name gave it."""
    index = index_of(args)
    doc_id = reference_id(name) or name
    if not reference_id(name) and not is_index(index):
        raise CableQAError(f"{name}: no such file or folder")
    qa = cableqa.load(index, build_missing=False)
    cable = qa.cable(doc_id)
    if cable is None:
        where = f"the index in {folder(index)}"
        raise CableQAError(
            f"{doc_id} is not in {where}"
            if reference_id(name)
            else f"{name}: no such file or folder, nor a cable in {where}"
        )
    if args.json:
        say_json(cable.to_dict())
    else:
        say(format_cable(cable, shutil.get_terminal_size((100, 24)).columns, qa.files_of(cable.doc_id)))
    return 0


def print_skip(source: str, reason: str) -> None:
    say(f"cableqa: warning: skipped {source}: {reason}", err=True)


# --- index options, shared by the TUI and the commands that read an index -------------------

VERDICT_STYLES = {"answer": "bold green", "possible": "bold yellow", "not_found": "bold red"}


def index_of(args: argparse.Namespace) -> str:
    """The index a command reads or builds: --index, else the default (`locations.default_index`)."""
    return args.index if args.index is not None else str(default_index())


def add_index_options(parser: argparse.ArgumentParser, *, model: bool = True) -> None:
    """--index (and --model), before the command or after it: `cableqa --index DIR info` as
    `cableqa info --index DIR` (left out, a command's own option would undo the one before it)."""
    parser.add_argument(
        "--index",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the index folder (default: $CABLEQA_INDEX; else index/ of the cableqa checkout you are in; else"
        " index/ in your data folder, as `cableqa info` says; built from the shipped seed on first use)",
    )
    if model:
        parser.add_argument(
            "--model",
            metavar="NAME_OR_PATH",
            default=argparse.SUPPRESS,
            help="a sentence-transformers model (default: the bundled all-MiniLM-L6-v2, or the index's own)",
        )


def load_assistant(args: argparse.Namespace):
    """The Assistant over --index; the default index is built from the shipped seed when missing, with progress."""
    if args.index is not None:
        return cableqa.load(args.index, model=args.model, build_missing=False)
    index = default_index()
    if not is_index(index):
        seeds = shipped_seeds()
        if seeds is None:
            raise CableQAError(f"no index in {folder(index)} yet; build one with `cableqa index CABLES`")
        say(f"cableqa: no index in {folder(index)} yet; building it from {folder(seeds)}", err=True)
        with BuildProgress() as progress:
            return cableqa.load(index, model=args.model, progress=progress)
    return cableqa.load(index, model=args.model, build_missing=False)


def require_index(directory: str) -> None:
    """A one-line error unless `directory` holds an index, for the commands that never build one."""
    if not is_index(directory):
        raise not_an_index(directory)


class BuildProgress:
    """A Rich progress display fed by the (stage, done, total) callback of `cableqa.build`: one line
    per stage (`wording.BUILD_STAGES`) from the moment it starts, a moving bar while its total is
    unknown (loading the model, writing), and each line complete once the next stage starts.

    It appears on the first report, and a build that fails with a `CableQAError` clears it: the
    error is the one line left. An interrupted build leaves it, showing how far it got.
    """

    def __init__(self) -> None:
        self._progress = None
        self._tasks: dict[str, int] = {}

    def __enter__(self) -> BuildProgress:
        return self

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if self._progress is None:
            self._progress = self._start()
        if stage not in self._tasks:
            self._complete()
            self._tasks[stage] = self._progress.add_task(
                BUILD_STAGES.get(stage, stage), total=total, amount="", rate=""
            )
        task_id = self._tasks[stage]
        self._progress.update(task_id, completed=done, total=total, amount=f"{done:,}/{total:,}" if total else "")
        speed = self._progress.tasks[task_id].speed
        self._progress.update(task_id, rate=f"{speed:,.1f}/s" if speed and total else "")

    def _complete(self) -> None:
        """Mark the stages so far as done: a stage ends when the next one starts, or the build does."""
        for task in self._progress.tasks:
            if not task.finished:
                self._progress.update(task.id, total=task.total or 1, completed=task.total or 1)

    def __exit__(self, *exc_info) -> None:
        if self._progress is None:
            return
        if exc_info[0] is not None and issubclass(exc_info[0], CableQAError):  # the error is the one line left
            self._progress.live.transient = True
            self._progress.live.stop()  # Progress.stop would add an empty line where stderr is no terminal
            return
        if exc_info[0] is None:
            self._complete()
        self._progress.__exit__(*exc_info)

    @staticmethod
    def _start():
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        class Time(ProgressColumn):
            """The time left while a stage counts towards a total, else (loading the model, done) the time it took."""

            def render(self, task):
                counting = task.total and not task.finished
                return (TimeRemainingColumn() if counting else TimeElapsedColumn()).render(task)

        width = max(map(len, BUILD_STAGES.values()))
        progress = Progress(
            TextColumn(f"{{task.description:<{width}}}"),
            BarColumn(),
            TextColumn("{task.fields[amount]:>15}"),
            TextColumn("{task.fields[rate]:>10}"),
            Time(),
            console=Console(stderr=True),
        )
        progress.__enter__()
        return progress


class HeldWarnings:
    """Skipped-file warnings, held back until the first cable is read: a build that finds no
    cable at all says so in its one error line (`NoCables`) instead of a warning per file."""

    def __init__(self) -> None:
        self.held: list[tuple[str, str]] | None = []  # None once a cable has been read: warn at once

    def skip(self, source: str, reason: str) -> None:
        if self.held is None:
            print_skip(source, reason)
        else:
            self.held.append((source, reason))

    def release(self) -> None:
        """Print what is held, and from now on warn at once."""
        for source, reason in self.held or ():
            print_skip(source, reason)
        self.held = None

    def drop(self) -> None:
        self.held = []


# --- the TUI ----------------------------------------------------------------------------------


def run_tui(args: argparse.Namespace) -> int:
    from cableqa.tui import run

    if args.index is not None:
        require_index(args.index)
    run(index_of(args), model=args.model, resume=args.resume)
    return 0


# --- index ------------------------------------------------------------------------------------


def add_index(subparsers: argparse._SubParsersAction) -> None:
    index = subparsers.add_parser(
        "index",
        help="build or update the index",
        description="Build the index, or bring it up to date: only files whose content changed are "
        "read and embedded again, and cables whose files are gone are dropped. PATHs add to the "
        "folders the index already covers (a new index defaults to seeds/).",
    )
    index.add_argument("paths", nargs="*", metavar="PATH", help="cable files or folders to index")
    index.add_argument("--rebuild", action="store_true", help="start over (e.g. after changing model)")
    index.add_argument(
        "--check",
        action="store_true",
        help="verify the index (file sizes and sha256, SQLite integrity, vectors) and change nothing",
    )
    index.add_argument(
        "--no-wait", action="store_true", help="when another build of this index is running, exit instead of waiting"
    )
    index.add_argument(
        "--allow-download", action="store_true", help="let --model name a model to download (otherwise never)"
    )
    index.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default="auto",
        help="where the model embeds: auto (a CUDA GPU when torch sees one, else the CPU), cpu or cuda",
    )
    index.add_argument(
        "--ray",
        nargs="?",
        const="",
        metavar="ADDRESS",
        help="cut and embed on a Ray cluster (ray://HEAD:10001, auto); without ADDRESS, a local Ray over all"
        " cores. Needs pip install 'cableqa[ray]'",
    )
    add_index_options(index)
    index.set_defaults(run=run_index)


def ray_address(paths: list[str], ray: str | None) -> tuple[list[str], str | None]:
    """(paths to index, Ray address or None for a local Ray) of `index PATH... --ray [ADDRESS]`.

    `--ray cables.csv` means a local Ray over cables.csv: an existing path is not an address.
    """
    if not ray:
        return paths, None
    if "://" not in ray and ray != "auto" and Path(ray).exists():
        return [*paths, ray], None
    return paths, ray


def run_index(args: argparse.Namespace) -> int:
    from cableqa.indexing import build

    directory = index_of(args)
    if args.check:
        return run_check(directory)

    def waiting(pid: int | None) -> None:
        say(f"cableqa: waiting for the build by pid {pid or '?'}…", err=True)

    paths, address = ray_address(args.paths, args.ray)
    existed = is_index(directory)
    warnings = HeldWarnings()

    def progress(stage: str, done: int, total: int | None) -> None:
        if stage == "read" and done:
            warnings.release()
        bar(stage, done, total)

    try:
        with BuildProgress() as bar:
            report = build(
                paths,
                directory,
                model=args.model,
                rebuild=args.rebuild,
                progress=progress,
                on_skip=warnings.skip,
                wait=not args.no_wait,
                on_wait=waiting,
                allow_download=args.allow_download,
                device=args.device,
                engine="local" if args.ray is None else "ray",
                address=address,
            )
    except NoCables:
        warnings.drop()  # its one line says what was skipped
        raise
    except KeyboardInterrupt:
        warnings.release()
        say("cableqa: interrupted; run `cableqa index` again to resume where it stopped", err=True)
        raise
    finally:
        warnings.release()
    if report.resumed:
        say("cableqa: resumed the build that was stopped", err=True)
    if report.upgraded:
        say("cableqa: converted the index to the format this version keeps (nothing was re-embedded)", err=True)
    if report.repaired:
        say(f"cableqa: the index was damaged ({'; '.join(report.repaired)}); rebuilt it", err=True)
    if args.rebuild or not existed or report.repaired:
        state = "rebuilt" if args.rebuild or report.repaired else "built"
    else:
        state = "updated" if report.changed else "already up to date"
    contents = ", ".join(
        count(number, noun) for number, noun in ((report.cables, "cable"), (report.sections, "section"))
    )
    say(
        f"{folder(report.index_dir)}: {state}: {contents}, {count(report.vectors, 'window')}"
        f" ({count(report.files_read, 'file')} read, {report.files_unchanged} unchanged,"
        f" {report.files_removed} removed, {len(report.skipped)} skipped;"
        f" {count(report.cables_embedded, 'cable')} new or changed, {count(report.vectors_embedded, 'vector')}"
        f" embedded in {report.seconds:.1f} s)"
    )
    return 0


def run_check(directory: str) -> int:
    """`index --check`: "OK", or what is wrong in one line and exit status 2."""
    from cableqa.index_files import check_index

    require_index(directory)
    problems = check_index(directory)
    if problems:
        raise CableQAError(f"the index in {directory} is damaged: {'; '.join(problems)}; run `cableqa index --rebuild`")
    say(f"{directory}: OK")
    return 0


# --- ask --------------------------------------------------------------------------------------


def add_ask(subparsers: argparse._SubParsersAction) -> None:
    ask = subparsers.add_parser(
        "ask",
        help="answer a question with cited excerpts",
        description="Print the passage that best answers QUESTION, cited (cable ID, paragraph, section, "
        "date, origin, classification), and the next best below it.",
    )
    ask.add_argument("question", metavar="QUESTION")
    ask.add_argument(
        "-k",
        type=int,
        default=5,
        metavar="N",
        help="how many passages (default 5); for a reference ID, its first N sections",
    )
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument(
        "--explain", action="store_true", help="show each ranking feature's contribution to each hit's score"
    )
    add_filter_options(ask)
    add_index_options(ask)
    ask.set_defaults(run=run_ask)


def add_filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--origin", metavar="POST", help='only cables from this post ("Embassy Paris")')
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="only cables dated on or after this day")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="only cables dated on or before this day")
    parser.add_argument("--classification", metavar="LEVEL", help='only cables of this classification ("SECRET")')
    parser.add_argument("--tag", metavar="TAG", help='only cables with this TAGS entry ("PREL")')
    parser.add_argument("--doc-id", metavar="REFERENCE_ID", help="only this cable")


def run_ask(args: argparse.Namespace) -> int:
    if not args.question.strip():
        raise CableQAError("the question is empty")
    answer = load_assistant(args).ask(
        args.question,
        k=args.k,
        origin=args.origin,
        since=args.since,
        until=args.until,
        classification=args.classification,
        tag=args.tag,
        doc_id=args.doc_id,
    )
    if args.json:
        say_json(answer.to_dict(explain=args.explain))
    else:
        print_answer(answer, explain=args.explain)
    return 0


def print_answer(answer, explain: bool = False) -> None:
    """The top excerpt, highlighted, over its aligned citation; the other hits below it, one line each."""
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    if not answer.hits:
        excluded = excluded_by_filters(answer)
        console.print(Text(printable(f"{excluded}." if excluded else "Nothing in the index matches this question.")))
        return
    console.print(Text(verdict_line(answer), style=VERDICT_STYLES[answer.verdict]))
    top = answer.hits[0]
    console.print(Text("“", style="dim") + excerpt_text(top) + Text("”", style="dim"))
    console.print()
    fields = [
        ("cable", top.doc_id),
        ("paragraph", paragraph_range(top.paragraphs)),
        ("section", top.section),
        ("subject", top.subject),
        ("date", (top.date or "")[:10]),
        ("origin", top.origin),
        ("class", top.classification),
        ("score", f"{top.score:.3f}"),
        ("probability", f"{answer.probability:.2f}"),
    ]
    width = max(len(name) for name, _ in fields) + 2
    for name, value in fields:
        if value:
            console.print(Text(f"  {name:<{width}}", style="dim") + Text(printable(value)))
    if explain:
        print_features(console, top)
    if len(answer.hits) > 1:
        console.print()
        console.print(Text("Also:", style="bold"))
    for hit in answer.hits[1:]:
        where = f"{hit.doc_id} {paragraph_range(hit.paragraphs)}".strip()
        where, section = printable(where), printable(hit.section or "")
        console.print(Text(f"  {hit.rank}. {where:<22}", style="cyan") + Text(section, style="dim"))
        console.print(Text("     ") + excerpt_text(hit, limit=160))
        if explain:
            print_features(console, hit)
    console.print(Text(f"\nanswered in {answer.seconds * 1000:.0f} ms", style="dim"))


def print_features(console, hit) -> None:
    """A hit's score, feature by feature (weight × value), largest share first."""
    from rich.text import Text

    shares = sorted(hit.features.items(), key=lambda item: -abs(item[1]))
    console.print(Text("     " + "  ".join(f"{name} {value:+.3f}" for name, value in shares), style="dim"))


def excerpt_text(hit, limit: int | None = None):
    """The excerpt as Rich text, inert (never markup, no control character), question terms in bold."""
    from rich.text import Text

    text = Text(printable(hit.excerpt.replace("\n", " ")))
    for start, end in hit.highlights:
        text.stylize("bold yellow", start, end)
    if limit is not None and len(text) > limit:
        text.truncate(limit - 1)
        text.append("…")
    return text


# --- check: quotations of an article against the cables ---------------------------------------


def add_check(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser(
        "check",
        help="check an article's quotations against the cables",
        description="Find every quotation (4 words or more) and cable reference ID in an article (plain text, "
        "Markdown or a saved web page) and say for each quotation whether it is in an indexed cable verbatim, "
        "altered (the differences marked), or not found; with the cable, paragraphs and the cable's own words.",
    )
    check.add_argument("file", metavar="FILE", help="the article; - reads it from standard input")
    formats = check.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help='print {"quotes": [...], "cables_named": [...]}')
    formats.add_argument("--markdown", action="store_true", help="print each quotation with its citation as Markdown")
    add_index_options(check)
    check.set_defaults(run=run_check_article)


def run_check_article(args: argparse.Namespace) -> int:
    from cableqa import check_report

    text = read_article(args.file)
    result = load_assistant(args).check(text)
    if args.json:
        say_json(result.to_dict())
    elif args.markdown:
        say(check_report.markdown(result).rstrip("\n"))
    else:
        say(check_report.table(result, shutil.get_terminal_size((100, 24)).columns))
    return 0


def read_article(name: str) -> str:
    """The article in FILE, or on standard input for "-"."""
    from cableqa.check import ARTICLE_MAX_BYTES, article_from_bytes, read_article_file

    if name != "-":
        return read_article_file(name)
    try:
        data = sys.stdin.buffer.read(ARTICLE_MAX_BYTES + 1)
    except OSError as error:
        raise CableQAError(f"standard input: cannot read ({error.strerror})") from None
    return article_from_bytes(data, "standard input")


# --- info -------------------------------------------------------------------------------------


def add_info(subparsers: argparse._SubParsersAction) -> None:
    info = subparsers.add_parser("info", help="what the index holds", description="Print what is indexed.")
    info.add_argument("--json", action="store_true", help="print JSON")
    add_index_options(info, model=False)
    info.set_defaults(run=run_info)


def run_info(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    qa = cableqa.load(index_of(args), build_missing=False)
    info, facets = qa.info(), qa.facets()
    if args.json:
        listed = {name: [value._asdict() for value in values] for name, values in facets.items()}
        say_json({**asdict(info), "facets": listed})
        return 0
    rows = [
        ("index", folder(info.index_dir)),
        ("cables", f"{info.cables:,}"),
        ("sections", f"{info.sections:,}"),
        ("vectors", f"{info.vectors:,}"),
        ("model", f"{info.model} ({info.dimension} dimensions)"),
        ("size", f"{info.size_bytes / 1e6:,.1f} MB"),
        ("built", info.built_at),
    ]
    lines = [f"{name:<10}{value}" for name, value in rows]
    years = facets["year"]
    span = sorted({years[0].value, years[-1].value}) if years else ["—"]
    lines += ["", f"years     {'–'.join(span)}: " + ", ".join(f"{year} ({n:,})" for year, n in years)]
    for name in FACETS:
        values, label = facets[name], f"{name}s"
        shown = values[:INFO_TOP_VALUES]
        more = f", the {len(shown)} with most cables (--json lists all)" if len(values) > len(shown) else ""
        lines += ["", f"{label} ({count(len(values), 'value')}{more})"]
        width = max((len(value) for value, _ in shown), default=0)
        lines += [f"  {value:<{width}}  {n:>7,}" for value, n in shown]
    say("\n".join(lines))
    return 0


INFO_TOP_VALUES = 20  # `cableqa info` lists this many origins, tags, classifications (--json: all)


# --- refs, related: the paper trail ---------------------------------------------------------


def add_refs(subparsers: argparse._SubParsersAction) -> None:
    refs = subparsers.add_parser(
        "refs",
        help="the cables a cable cites, and the cables citing it",
        description="Print the cables an indexed cable cites (its REF line: letter, reference ID, subject "
        "and date when indexed) and the indexed cables that cite it. Needs no model.",
    )
    refs.add_argument("doc_id", metavar="REFERENCE-ID", help="an indexed cable, e.g. 09STATE15113")
    refs.add_argument("--json", action="store_true", help='print {"doc_id", "references", "cited_by"}')
    add_index_options(refs, model=False)
    refs.set_defaults(run=run_refs)


def run_refs(args: argparse.Namespace) -> int:
    from cableqa import paper_trail
    from cableqa.index_files import open_index

    index = open_index(index_of(args))
    doc_id = paper_trail.indexed_id(index, args.doc_id)
    cites, cited_by = paper_trail.references(index, doc_id), paper_trail.cited_by(index, doc_id)
    if args.json:
        data = {"doc_id": doc_id, "references": [link.to_dict() for link in cites]}
        data["cited_by"] = [link.to_dict() for link in cited_by]
        say_json(data)
        return 0
    say(f"{doc_id} cites {len(cites)}, is cited by {len(cited_by)} indexed cables")
    for title, links in (("cites", cites), ("cited by", cited_by)):
        say(f"\n{title}:")
        say("\n".join(_link_line(link) for link in links) or "  —")
    return 0


def _link_line(link) -> str:
    """`  A  07STATE136780      2007-10-02  SUBJECT` (or `not indexed`), one line, cable text shown literally."""
    about = f"{(link.date or '')[:10]:<10}  {' '.join(link.subject.split())}" if link.indexed else "not indexed"
    return f"  {link.label or '·':<2} {link.doc_id:<20} {about}"


def add_related(subparsers: argparse._SubParsersAction) -> None:
    related = subparsers.add_parser(
        "related",
        help="the indexed cables nearest a cable in meaning",
        description="Print the indexed cables nearest an indexed cable in meaning (the mean of its window "
        "vectors), leaving out itself and the cables it cites. Needs no model.",
    )
    related.add_argument("doc_id", metavar="REFERENCE-ID", help="an indexed cable, e.g. 07PARIS4695")
    related.add_argument("-k", type=int, default=5, metavar="N", help="how many cables (default 5)")
    related.add_argument("--json", action="store_true", help='print {"doc_id", "related"}')
    add_index_options(related, model=False)
    related.set_defaults(run=run_related)


def run_related(args: argparse.Namespace) -> int:
    from cableqa import paper_trail
    from cableqa.index_files import open_index

    index = open_index(index_of(args))
    doc_id = paper_trail.indexed_id(index, args.doc_id)
    cables = paper_trail.related(index, doc_id, args.k)
    if args.json:
        say_json({"doc_id": doc_id, "related": [cable.to_dict() for cable in cables]}, indent=None)
        return 0
    for cable in cables:
        subject = " ".join(cable.subject.split())
        say(f"  {cable.similarity:.3f}  {cable.doc_id:<20} {(cable.date or '')[:10]:<10}  {subject}")
    if not cables:
        say(f"no other indexed cable is embedded near {doc_id}")
    return 0


# --- eval -------------------------------------------------------------------------------------


def add_eval(subparsers: argparse._SubParsersAction) -> None:
    evaluate = subparsers.add_parser(
        "eval",
        help="score the index on question sets",
        description="For each JSON-lines question set: hit@1/3/5 (an answer span in the section of a top "
        "hit), excerpt@1 (in the top excerpt), MRR, abstention on questions whose `answers` is empty, and "
        "confidently wrong (answers shown as confident whose top excerpt misses), answerable questions "
        "answered confidently and right, and how often 'Not in these cables' was said of unanswerable and "
        "of answerable questions.",
    )
    evaluate.add_argument("files", nargs="+", metavar="FILE.jsonl")
    evaluate.add_argument("--json", action="store_true", help="print JSON")
    evaluate.add_argument("--by-style", action="store_true", help="score each question style of a set apart")
    add_index_options(evaluate)
    evaluate.set_defaults(run=run_eval)


def run_eval(args: argparse.Namespace) -> int:
    from cableqa.evaluate import by_style, evaluate, read_questions

    question_sets = [(name, read_questions(name)) for name in args.files]
    if args.by_style:
        question_sets = [
            (f"{name} · {style or 'no style'}", group)
            for name, questions in question_sets
            for style, group in sorted(by_style(questions).items())
        ]
    assistant = load_assistant(args)
    reports = [evaluate(assistant.ask, questions, name=name) for name, questions in question_sets]
    if args.json:
        say_json({report.name: report.metrics() for report in reports})
        return 0
    for report in reports:
        say(report.name)
        for metric, value in report.metrics().items():
            say(f"  {metric:<23}{'—' if value is None else value}")
        if report.misses:
            say(f"  {'missed':<23}{', '.join(report.misses)}")
    return 0


COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    add_ask,
    add_check,
    add_index,
    add_show,
    add_refs,
    add_related,
    add_info,
    add_eval,
)
