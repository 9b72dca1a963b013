"""Start-up benchmark: the TUI's first frame and cold `cableqa ask`, each against its yardstick.

    python benchmarks/bench_tui.py [--index DIR] [--model NAME] [--runs 7] [--json]

Every figure is a fresh Python process, and one round spawns each kind once, in turn
(interleaved, so a busy machine slows them alike); the figures are the medians of the rounds:
- empty app: a bare `textual.app.App`, first frame (Textual's own floor);
- first frame: cableqa's TUI over the index (`make_app`), first frame; whether torch was
  imported by then (it must not be);
- index ready, first answer: the same process asks the seed question at once (as a user typing
  before the index is loaded would), until the assistant has loaded and the answer card is on screen;
- cold ask: `python -m cableqa ask QUESTION --index DIR`, the whole process, spawn to exit;
- sentence-transformers import: `python -c "import sentence_transformers"`, spawn to exit.
Each is also given in CPU time (user + system, every thread; for a first frame, the process's up to
it), which a busy machine sways less than the wall clock.
A first frame is the first compositor update the app hands its driver outside a batch (what a
terminal would paint; headless, nothing is written), timed against the parent's clock at spawn
(`time.perf_counter` is CLOCK_MONOTONIC, shared between processes on Linux).
Without --index the seed is indexed once into a temporary directory first. cableqa's modules are
compiled to bytecode first (`compileall`), as an installed cableqa's are: under PYTHONDONTWRITEBYTECODE
every cold process would otherwise compile them from source again (~60 ms of the first frame).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUESTION = "How much heroin was seized at Dunkerque?"
T0 = "CABLEQA_BENCH_T0"


def _clock_first_frame(app_class) -> dict:
    """Record in the returned dict, under "first_frame", when `app_class` first displays a frame.

    Textual calls `App._display` with each compositor update; during a batch it draws nothing."""
    seen: dict = {}
    display = app_class._display

    def _display(self, screen, renderable):
        if "first_frame" not in seen and renderable is not None and not self._batch_count:
            seen["first_frame"] = time.perf_counter()
            seen["cpu"] = time.process_time()  # every thread's, the assistant's included
            seen["torch"] = "torch" in sys.modules
        return display(self, screen, renderable)

    app_class._display = _display
    return seen


async def empty_app_child() -> dict:
    """A bare Textual app: its first frame, in seconds since the parent spawned this process."""
    spawned = float(os.environ[T0])
    from textual.app import App

    seen = _clock_first_frame(App)
    app = App()
    async with app.run_test(size=(100, 32)) as pilot:
        while "first_frame" not in seen:
            await pilot.pause(0.001)
    return {"empty_app": seen["first_frame"] - spawned, "empty_app_cpu": seen["cpu"]}


async def tui_child(index_dir: str, model: str | None) -> dict:
    """cableqa's TUI, asked the seed question at once; seconds since the parent spawned this process."""
    spawned = float(os.environ[T0])
    from cableqa.tui.app import CableQAApp, make_app

    seen = _clock_first_frame(CableQAApp)
    app = make_app(index_dir, model)
    load = app.assistant_factory

    def timed_load(*args, **options):  # on the assistant thread, which may hold the GIL through it
        assistant = load(*args, **options)
        seen["index_ready"] = time.perf_counter()
        return assistant

    app.assistant_factory = timed_load
    async with app.run_test(size=(100, 32)) as pilot:
        from cableqa.tui.answer_card import AnswerCard, Turn

        while "first_frame" not in seen:
            await pilot.pause(0.001)
        app.query_one("#question").value = QUESTION
        await pilot.press("enter")
        turn = app.query_one(Turn)
        while turn.pending:
            await pilot.pause(0.005)
        answered = time.perf_counter() - spawned
        await app.workers.wait_for_complete()  # the answer's worker goes on after the card is up
        if not app.query(AnswerCard):
            raise SystemExit(f"no answer: {turn.query('.note').first().render()}")
        top = app.query_one(AnswerCard).answer.hits[0].doc_id
    return {
        "first_frame": seen["first_frame"] - spawned,
        "first_frame_cpu": seen["cpu"],
        "torch_at_first_frame": seen["torch"],
        "index_ready": seen["index_ready"] - spawned,
        "first_answer": answered,
        "top_hit": top,
    }


def spawn_child(kind: str, index_dir: str, model: str | None) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--index", index_dir]
    if model:
        command += ["--model", model]
    env = dict(os.environ, **{T0: repr(time.perf_counter())})
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
    if result.returncode:
        raise SystemExit(f"a cold run failed: {result.stderr.strip().splitlines()[-1]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def timed_process(command: list[str]) -> tuple[float, float]:
    """Seconds from spawning `command` to its exit, and the CPU seconds it used (user and system,
    less swayed by a busy machine); its output is discarded, a failure stops the benchmark."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed: {stderr.decode(errors='replace').strip()[-500:]}")
    return seconds, usage.ru_utime + usage.ru_stime


def one_round(index_dir: str, model: str | None, sentence_transformers: bool) -> dict:
    """Each kind of cold process once, in turn."""
    ask = [sys.executable, "-m", "cableqa", "ask", QUESTION, "--index", index_dir]
    if model:
        ask += ["--model", model]
    figures = spawn_child("empty", index_dir, model)
    figures |= spawn_child("tui", index_dir, model)
    figures["cold_ask"], figures["cold_ask_cpu"] = timed_process(ask)
    if sentence_transformers:
        figures["import_sentence_transformers"], figures["import_sentence_transformers_cpu"] = timed_process(
            [sys.executable, "-c", "import sentence_transformers"]
        )
    return figures


LABELS = {
    "empty_app": "empty Textual app, first frame",
    "empty_app_cpu": "empty Textual app, CPU by then",
    "first_frame": "cableqa TUI, first frame",
    "first_frame_cpu": "cableqa TUI, CPU by then",
    "index_ready": "cableqa TUI, index ready",
    "first_answer": "cableqa TUI, first answer",
    "cold_ask": "cold `cableqa ask`",
    "cold_ask_cpu": "cold `cableqa ask`, CPU time",
    "import_sentence_transformers": "import sentence_transformers",
    "import_sentence_transformers_cpu": "import sentence_transformers, CPU",
}


def report(rounds: list[dict], model: str | None) -> None:
    print(f"cold processes: {len(rounds)} interleaved rounds, model: {model or 'default'}, question: {QUESTION!r}")
    medians = {}
    for key, label in LABELS.items():
        values = [figures[key] for figures in rounds if key in figures]
        if not values:
            continue
        medians[key] = statistics.median(values)
        shown = ", ".join(f"{value * 1000:.0f}" for value in values)
        print(
            f"  {label:<34} median {medians[key] * 1000:6.0f} ms"
            f"   range {min(values) * 1000:.0f}-{max(values) * 1000:.0f}   (runs: {shown})"
        )
    print(
        f"  first frame / empty app: {medians['first_frame'] / medians['empty_app']:.2f}x"
        f" (+{(medians['first_frame'] - medians['empty_app']) * 1000:.0f} ms;"
        f" CPU time: {medians['first_frame_cpu'] / medians['empty_app_cpu']:.2f}x)"
    )
    if "import_sentence_transformers" in medians:
        print(
            f"  cold ask / import sentence_transformers: {medians['cold_ask'] / medians['import_sentence_transformers']:.3f}x"
            f" (CPU time: {medians['cold_ask_cpu'] / medians['import_sentence_transformers_cpu']:.3f}x)"
        )
    print(f"  torch imported by the first frame: {any(figures['torch_at_first_frame'] for figures in rounds)}")
    print(f"  top hit: {', '.join(sorted({figures['top_hit'] for figures in rounds}))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", help="an existing index (default: the seed, indexed into a temp dir)")
    parser.add_argument("--model", default=None, help="embedding model (default: the bundled one)")
    parser.add_argument("--runs", type=int, default=7, help="interleaved rounds (default 7)")
    parser.add_argument(
        "--no-sentence-transformers", action="store_true", help="leave out the import yardstick (~6 s a round)"
    )
    parser.add_argument("--json", action="store_true", help="print every round's figures as JSON lines instead")
    parser.add_argument("--child", choices=("empty", "tui"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "empty":
        print(json.dumps(asyncio.run(empty_app_child())))
        return
    if args.child == "tui":
        print(json.dumps(asyncio.run(tui_child(args.index, args.model))))
        return

    package = Path(importlib.util.find_spec("cableqa").origin).parent  # the one the cold processes import
    compileall.compile_dir(package, quiet=1)
    with tempfile.TemporaryDirectory() as scratch:
        index_dir = args.index
        if index_dir is None:
            import cableqa

            index_dir = str(Path(scratch) / "index")
            started = time.perf_counter()
            cableqa.build([str(REPO / "seeds")], index_dir, model=args.model)
            print(f"indexed the seed in {time.perf_counter() - started:.1f} s (not part of the figures)")
        rounds = []
        for _ in range(args.runs):
            rounds.append(one_round(index_dir, args.model, not args.no_sentence_transformers))
            if args.json:
                print(json.dumps(rounds[-1]), flush=True)
    if not args.json:
        report(rounds, args.model)


if __name__ == "__main__":
    main()
