"""TUI start-up benchmark: time to first frame and to first answer, from a cold process.

    python benchmarks/bench_tui.py [--index DIR] [--model NAME] [--runs 3]

Each run starts a fresh Python process that opens the app headless (Pilot), asks
the seed question at once (as a user typing before the model is loaded would) and
records, against the parent's clock at spawn time (`time.perf_counter`, which is
CLOCK_MONOTONIC and so shared between processes on Linux):
- first frame: the app has composed and drawn its first screen; we also record
  whether torch was imported by then (it must not be);
- index ready: the assistant has loaded (model and index);
- first answer: the answer card for the question is on screen.
Without --index the seed is indexed once into a temporary directory first.
"""

from __future__ import annotations

import argparse
import asyncio
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


async def child(index_dir: str, model: str | None) -> dict:
    """One cold run inside the measured process; returns seconds since the parent spawned it."""
    spawned = float(os.environ[T0])
    from cableqa.tui.answer_card import AnswerCard, Turn
    from cableqa.tui.app import make_app

    app = make_app(index_dir, model)
    async with app.run_test(size=(100, 32)) as pilot:
        first_frame = time.perf_counter() - spawned
        torch_at_first_frame = "torch" in sys.modules
        app.query_one("#question").value = QUESTION
        await pilot.press("enter")
        turn = app.query_one(Turn)
        ready = None
        while turn.pending:
            await pilot.pause(0.005)
            if ready is None and app.loaded:
                ready = time.perf_counter() - spawned
        answered = time.perf_counter() - spawned
        if not app.query(AnswerCard):
            raise SystemExit(f"no answer: {turn.query('.note').first().render()}")
        top = app.query_one(AnswerCard).answer.hits[0].doc_id
    return {
        "first_frame": first_frame,
        "torch_at_first_frame": torch_at_first_frame,
        "index_ready": ready if ready is not None else answered,
        "first_answer": answered,
        "top_hit": top,
    }


def spawn(index_dir: str, model: str | None) -> dict:
    command = [sys.executable, __file__, "--child", "--index", index_dir]
    if model:
        command += ["--model", model]
    env = dict(os.environ, **{T0: repr(time.perf_counter())})
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
    if result.returncode:
        raise SystemExit(f"a cold run failed: {result.stderr.strip().splitlines()[-1]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", help="an existing index (default: the seed, indexed into a temp dir)")
    parser.add_argument("--model", default=None, help="embedding model (default: the bundled one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(asyncio.run(child(args.index, args.model))))
        return

    with tempfile.TemporaryDirectory() as scratch:
        index_dir = args.index
        if index_dir is None:
            import cableqa

            index_dir = str(Path(scratch) / "index")
            started = time.perf_counter()
            cableqa.build([str(REPO / "seeds")], index_dir, model=args.model)
            print(f"indexed the seed in {time.perf_counter() - started:.1f} s (not part of the figures)")
        runs = [spawn(index_dir, args.model) for _ in range(args.runs)]

    print(f"cold starts: {args.runs}, model: {args.model or 'default'}, question: {QUESTION!r}")
    for key, label in [
        ("first_frame", "first frame"),
        ("index_ready", "index ready"),
        ("first_answer", "first answer"),
    ]:
        values = [run[key] for run in runs]
        print(
            f"  {label:<13} median {statistics.median(values) * 1000:7.0f} ms   (runs: {', '.join(f'{v * 1000:.0f}' for v in values)})"
        )
    print(f"  torch imported by the first frame: {any(run['torch_at_first_frame'] for run in runs)}")
    print(f"  top hit: {', '.join(sorted({run['top_hit'] for run in runs}))}")


if __name__ == "__main__":
    main()
