"""The whole Cablegate release on one machine: a synthetic full-size dump, built and queried.

    python benchmarks/bench_scale.py [--cables 251287] [--work /tmp/cableqa-scale] [--sample 100] [--json out.json]

1. Writes a synthetic `cables.csv` of --cables rows shaped like the 2011 dump (8 quoted columns,
   multi-line bodies, paragraph counts drawn from the real cables', a few bodies over 65,536
   characters), its text recombined from the paragraphs of the shared cables so that sectioning
   and BM25 see real language. Streamed to disk, never held in memory.
2. Builds it with the hashing encoder (the whole pipeline but the model, at full size) in a child
   process: wall time, peak RSS, index size by file.
3. Opens it cold in a fresh process, and times warm `ask` (p50/p95) with and without a filter;
   with --same-as DIR, counts the asks DIR (another index of the same dump, e.g. one built
   without a kill: `--child-build WORK/cables.csv DIR 0`) answers the same. With --update-one-row,
   then changes one word of one row of the dump and updates the index: cables embedded again.
   With --add-cables N, then writes N more synthetic cables to a second file and adds it to the
   index in place: first killed with kill -9 halfway through embedding (the old index must still
   answer), then completed by the next run; time, and the disk it needed beyond the index's size
   (sampled while it ran), and the cold open after it.
4. Builds --sample real cables with the real model: windows/s, vectors/s, cables/min, and the
   full release's projected build time on this machine at that rate.

Prints one table and writes it as JSON (--json, default WORK/bench_scale.json).
Needs ../shared/corpus/cablegate-html (the paragraphs and the model sample come from it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FULL_RELEASE = 251_287  # cables in the 2011 cables.csv
LONG_BODY = 65_536  # characters; the dump has bodies past the csv module's default field limit
LONG_BODIES = 3  # how many synthetic bodies exceed it (spread through the file)
POSTS = ["PARIS", "MOSCOW", "BAGHDAD", "TOKYO", "ANKARA", "CAIRO", "LAPAZ", "OTTAWA", "MADRID", "TEHRAN"]
CLASSIFICATIONS = [
    "UNCLASSIFIED",
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
    "CONFIDENTIAL",
    "SECRET",
    "CONFIDENTIAL//NOFORN",
]
FILTER = {"origin": "Embassy Paris"}  # the filter timed beside unfiltered questions (a tenth of the cables)


def harvest(corpus: Path) -> tuple[list[str], list[str], list[int]]:
    """(paragraphs, subjects, paragraph count of each real cable) of the shared cables."""
    import cableqa

    paragraphs, subjects, counts = [], [], []
    for cable in cableqa.read(corpus, on_skip=lambda *_: None):
        subjects.append(cable.subject or "SUBJECT NOT GIVEN")
        found = [
            part.strip() for section in cable.sections for part in section.text.split("\n\n") if len(part.split()) >= 8
        ]
        paragraphs.extend(found)
        counts.append(max(1, len(found)))
    return paragraphs, subjects, counts


def synthetic_rows(
    count: int, paragraphs: list[str], subjects: list[str], counts: list[int], *, first: int = 1
) -> Iterator[list[str]]:
    """`count` rows numbered from `first` (IDs end with the number: rows of two runs never share one)."""
    rng = random.Random(first - 1)
    long_rows = {first - 1 + count * (n + 1) // (LONG_BODIES + 1) for n in range(LONG_BODIES)}
    for number in range(first, first + count):
        year = rng.randint(1985, 2010)
        post = rng.choice(POSTS)
        doc_id = f"{year % 100:02d}{post}{number}"
        taken = rng.choice(counts)
        body = [
            f"{rng.choice(CLASSIFICATIONS)} {post} {number:06d}",
            "",
            "E.O. 12958: N/A",
            "TAGS: PREL PGOV",
            f"SUBJECT: {rng.choice(subjects)}",
            "",
        ]
        chosen = [rng.choice(paragraphs) for _ in range(taken)]
        while number in long_rows and sum(map(len, chosen)) <= LONG_BODY:
            chosen.append(rng.choice(paragraphs))
        body += [f"{n}. {text}\n" for n, text in enumerate(chosen, start=1)]
        yield [
            str(number),
            f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{year} {rng.randint(0, 23)}:{rng.randint(0, 59):02d}",
            doc_id,
            f"Embassy {post.title()}",
            rng.choice(CLASSIFICATIONS),
            "",
            f"FM AMEMBASSY {post}\nTO RUEHC/SECSTATE WASHDC",
            "\n".join(body),
        ]


def write_dump(path: Path, count: int, corpus: Path, *, first: int = 1) -> dict:
    started = time.perf_counter()
    paragraphs, subjects, counts = harvest(corpus)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for row in synthetic_rows(count, paragraphs, subjects, counts, first=first):
            writer.writerow(row)
    return {"cables": count, "bytes": path.stat().st_size, "seconds": round(time.perf_counter() - started, 1)}


def child_build(dump: str, index: str, kill_at: str) -> None:
    """Run in a child process: build with the hashing encoder, progress every ~30 s, report as JSON.

    With `kill_at` > 0 it SIGKILLs itself, as `kill -9` would, at a random moment in the 2 s after that
    share of the sections is embedded (so mid-batch, not just after a commit).
    """
    import cableqa

    kill_share = float(kill_at)
    state = {"last_print": 0.0, "to_embed": None, "embedded": 0, "kill_timer": None}

    def kill() -> None:
        print(json.dumps({"killed_at_sections": state["embedded"]}), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    def progress(stage: str, done: int, total: int | None) -> None:
        if stage == "embed":
            state["to_embed"] = total if state["to_embed"] is None else state["to_embed"]
            state["embedded"] = done
            if kill_share and total and done >= kill_share * total and state["kill_timer"] is None:
                state["kill_timer"] = threading.Timer(random.uniform(0, 2), kill)
                state["kill_timer"].start()
        if time.perf_counter() - state["last_print"] > 30:
            state["last_print"] = time.perf_counter()
            print(f"  {stage} {done}/{total or '?'}", file=sys.stderr, flush=True)

    report = cableqa.build([dump], index, model="hashing", progress=progress)
    print(
        json.dumps(
            {
                "cables": report.cables,
                "sections": report.sections,
                "windows": report.vectors,
                "cables_embedded": report.cables_embedded,
                "vectors_embedded": report.vectors_embedded,
                "sections_to_embed": state["to_embed"] or 0,
                "resumed": report.resumed,
                "seconds": round(report.seconds, 1),
            }
        )
    )


def run_child(dump: Path, index: Path, kill_at: float) -> tuple[dict, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child-build", str(dump), str(index), str(kill_at)],
        stdout=subprocess.PIPE,
        text=True,
    )
    if done.returncode not in (0, -signal.SIGKILL):
        sys.exit(f"bench_scale: the build failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1]), round(time.perf_counter() - started, 1)


def build_in_child(dump: Path, index: Path, kill_at: float) -> dict:
    """Build from scratch; with `kill_at`, kill -9 the build that far into embedding and build again."""
    shutil.rmtree(index, ignore_errors=True)
    killed = None
    if kill_at:
        killed, killed_seconds = run_child(dump, index, kill_at)
    result, result["wall_seconds"] = run_child(dump, index, 0)
    if killed:
        committed = result["sections"] - result["sections_to_embed"]  # what the resumed build did not embed again
        result["kill"] = {
            "killed_after_s": killed_seconds,
            "killed_at_sections": killed["killed_at_sections"],
            "resumed": result["resumed"],
            "resumed_s": result["wall_seconds"],
            "sections_embedded_again": killed["killed_at_sections"] - committed,
        }
        result["wall_seconds"] = round(killed_seconds + result["wall_seconds"], 1)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return result


def update_one_row(dump: Path, index: Path) -> dict:
    """Change one word of one row's body in place (same length, so every other row keeps its bytes),
    then update the index: how many cables it embedded again, and how long it took."""
    with open(dump, "r+b") as handle:
        handle.seek(dump.stat().st_size // 2)
        middle = handle.tell()
        found = handle.read(1 << 20).find(b" the ")
        if found < 0:
            sys.exit("bench_scale: no ' the ' in the middle of the dump to change")
        handle.seek(middle + found)
        handle.write(b" THE ")
    result, seconds = run_child(dump, index, 0)
    return {
        "cables_embedded": result["cables_embedded"],
        "vectors_embedded": result["vectors_embedded"],
        "seconds": seconds,
    }


def add_cables(work: Path, index: Path, count: int, first: int, corpus: Path) -> dict:
    """Add `count` new cables (a second file) to the index in place: killed halfway, then completed."""
    import cableqa

    added = work / "added.csv"
    write_dump(added, count, corpus, first=first)
    before = folder_size(index)
    cables_before = cableqa.load(index, build_missing=False).info().cables
    killed, killed_seconds = run_child(added, index, 0.5)
    still = cableqa.load(index, build_missing=False).info().cables
    peak = [before]
    running = threading.Event()

    def sample() -> None:
        while not running.wait(0.2):
            peak[0] = max(peak[0], folder_size(index))

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        result, seconds = run_child(added, index, 0)
    finally:
        running.set()
        sampler.join()
    after = folder_size(index)
    return {
        "cables": count,
        "killed_after_s": killed_seconds,
        "killed_at_sections": killed.get("killed_at_sections"),
        "cables_after_kill": still,
        "cables_before": cables_before,
        "resumed": result["resumed"],
        "seconds": seconds,
        "cables_embedded": result["cables_embedded"],
        "vectors_embedded": result["vectors_embedded"],
        "index_bytes_before": before,
        "index_bytes_after": after,
        "peak_extra_bytes": peak[0] - before,
        "generations": sorted(path.name for path in index.glob("gen-*")),
        "vector_files": sorted(path.name for path in index.glob("gen-*/*.faiss")),
    }


def folder_size(folder: Path) -> int:
    """Bytes of every file under `folder` (files a build removes meanwhile are skipped)."""
    total = 0
    for path in folder.rglob("*"):
        try:
            total += path.stat().st_size if path.is_file() else 0
        except FileNotFoundError:
            pass
    return total


def index_files(index: Path) -> dict[str, int]:
    manifest = json.loads((index / "manifest.json").read_text())
    folder = index / manifest["generation"]
    return {path.name: path.stat().st_size for path in sorted(folder.iterdir())}


def cold_open(index: Path, question: str) -> dict:
    code = (
        "import time; started = time.perf_counter(); import cableqa;"
        f"qa = cableqa.load({str(index)!r}, build_missing=False); opened = time.perf_counter();"
        f"qa.ask({question!r}); print(opened - started, time.perf_counter() - started)"
    )
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    return {
        "open_s": round(float(out[0]), 2),
        "first_answer_s": round(float(out[1]), 2),
        "process_s": round(time.perf_counter() - started, 2),
    }


def warm_asks(index: Path, questions: list[str], repeat: int) -> dict:
    import cableqa

    qa = cableqa.load(index, build_missing=False)
    qa.ask(questions[0])
    result = {}
    for label, filters in (("no filter", {}), (f"origin={FILTER['origin']}", FILTER)):
        timings = []
        for _ in range(repeat):
            for question in questions:
                started = time.perf_counter()
                qa.ask(question, **filters)
                timings.append(time.perf_counter() - started)
        result[label] = {
            "first_ms": round(1000 * timings[0]),  # under a filter: what it admits is found, then kept
            "p50_ms": round(1000 * statistics.median(timings)),
            "p95_ms": round(1000 * statistics.quantiles(timings, n=20)[-1]),
        }
    return result


def same_answers(index: Path, other: Path, questions: list[str]) -> dict:
    """How many asks (each question, with and without the filter) both indexes answer alike: the same
    passages, excerpts and scores (to 1e-6), in the same order."""
    import cableqa

    asks = [(question, filters) for filters in ({}, FILTER) for question in questions]
    answers = []
    for directory in (index, other):
        qa = cableqa.load(directory, build_missing=False)
        answers.append(
            [
                [
                    (h.doc_id, h.section_id, h.excerpt_start, h.excerpt_end, round(h.score, 6))
                    for h in qa.ask(q, **f).hits
                ]
                for q, f in asks
            ]
        )
    return {"index": str(other), "asks": len(asks), "same": sum(a == b for a, b in zip(*answers, strict=True))}


def model_throughput(corpus: Path, sample: int, work: Path, *, device: str = "cpu", model: str | None = None) -> dict:
    """Build `sample` real cables (spread over the corpus; all of them when it holds fewer) with a real model.

    The wall time is split by the build's progress into its stages: reading and cutting, embedding, writing.
    """
    import cableqa

    files = sorted(path for path in corpus.rglob("*.html"))
    chosen = files[:: max(1, len(files) // sample)][:sample]
    folder = work / "model-sample"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in chosen:
        shutil.copy(path, folder / path.name)
    cableqa.build([REPO / "seeds"], work / "warm-up", model=model, rebuild=True, device=device)  # load, ONNX export
    stage_started: dict[str, float] = {}

    def progress(stage: str, done: int, total: int | None) -> None:
        stage_started.setdefault(stage, time.perf_counter())

    started = time.perf_counter()
    report = cableqa.build([folder], work / "model-index", model=model, rebuild=True, device=device, progress=progress)
    ended = time.perf_counter()
    marks = [started, *(stage_started.get(stage, ended) for stage in ("embed", "write")), ended]
    per_minute = report.cables / report.seconds * 60
    return {
        "device": device,
        "cables": report.cables,
        "windows": report.vectors,
        "vectors": report.vectors_embedded,
        "seconds": round(report.seconds, 1),
        "stage_seconds": {
            stage: round(end - begin, 1)
            for stage, begin, end in zip(("read", "embed", "write"), marks, marks[1:], strict=False)
        },
        "windows_per_s": round(report.vectors / report.seconds, 1),
        "vectors_per_s": round(report.vectors_embedded / report.seconds, 1),
        "cables_per_min": round(per_minute, 1),
        "full_release_hours": round(FULL_RELEASE / per_minute / 60, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cables", type=int, default=FULL_RELEASE, help="synthetic cables to write and build")
    parser.add_argument("--work", type=Path, default=Path("/tmp/cableqa-scale"))
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "cablegate-html")
    parser.add_argument("--questions", type=Path, default=SHARED / "eval" / "cables_dev.jsonl")
    parser.add_argument("--sample", type=int, default=100, help="real cables built with the real model (0: skip)")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the questions for warm timings")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--kill-at", type=float, default=0.5, help="kill -9 the build this far into embedding, then resume (0: no)"
    )
    parser.add_argument("--reuse", action="store_true", help="time asking on the index already in WORK; no build")
    parser.add_argument(
        "--same-as", type=Path, metavar="DIR", help="another index of the same dump: count the asks answered the same"
    )
    parser.add_argument(
        "--update-one-row", action="store_true", help="then change one row of the dump and update the index"
    )
    parser.add_argument(
        "--add-cables", type=int, default=0, metavar="N", help="then add N new cables to the index in place"
    )
    parser.add_argument("--child-build", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_build:
        child_build(*args.child_build)
        return
    if not args.corpus.is_dir():
        sys.exit(f"bench_scale: {args.corpus} is not a folder of cables (the paragraphs come from it)")

    from cableqa.evaluate import read_questions

    args.work.mkdir(parents=True, exist_ok=True)
    dump, index = args.work / "cables.csv", args.work / "index"
    results: dict = {}
    if not args.reuse:
        results["dump"] = write_dump(dump, args.cables, args.corpus)
        results["build"] = build_in_child(dump, index, args.kill_at)
    results["files"] = index_files(index)
    questions = [item["question"] for item in read_questions(args.questions)]
    results["cold"] = cold_open(index, questions[0])
    results["warm"] = warm_asks(index, questions, args.repeat)
    if args.same_as:
        results["same_as"] = same_answers(index, args.same_as, questions)
    if args.update_one_row:  # last: it changes the dump
        results["update"] = update_one_row(dump, index)
    if args.add_cables:
        cables = results["build"]["cables"] if "build" in results else None
        first = (cables or args.cables) + 1
        results["add"] = add_cables(args.work, index, args.add_cables, first, args.corpus)
        results["files_after_add"] = index_files(index)
        results["cold_after_add"] = cold_open(index, questions[0])
        results["warm_after_add"] = warm_asks(index, questions, args.repeat)
    if args.sample:
        results["model"] = model_throughput(args.corpus, args.sample, args.work)
    print_table(results)
    target = args.json or args.work / "bench_scale.json"
    target.write_text(json.dumps(results, indent=2))
    print(f"written to {target}")


def print_table(results: dict) -> None:
    rows = []
    if "build" in results:
        build, dump = results["build"], results["dump"]
        rows += [
            (
                "synthetic cables.csv",
                f"{dump['cables']:,} cables, {dump['bytes'] / 1e6:,.0f} MB, written in {dump['seconds']} s",
            ),
            (
                "hashing build",
                f"{build['wall_seconds']} s wall, {build['cables'] / build['wall_seconds'] * 60:,.0f} cables/min,"
                f" peak RSS {build['peak_rss_mb']:,} MB",
            ),
            ("index", f"{build['cables']:,} cables, {build['sections']:,} sections, {build['windows']:,} windows"),
        ]
        if "kill" in build:
            kill = build["kill"]
            rows.append(
                (
                    "kill -9, then resume",
                    f"killed after {kill['killed_after_s']} s at {kill['killed_at_sections']:,} sections embedded;"
                    f" resumed: {kill['resumed']}, finished in {kill['resumed_s']} s,"
                    f" {kill['sections_embedded_again']:,} sections embedded again",
                )
            )
    if "update" in results:
        update = results["update"]
        rows.append(
            (
                "one row changed, update",
                f"{update['cables_embedded']} cable(s) embedded again ({update['vectors_embedded']} vectors)"
                f" in {update['seconds']} s",
            )
        )
    if "add" in results:
        add = results["add"]
        extra = add["peak_extra_bytes"] / add["index_bytes_before"]
        rows += [
            (
                f"add {add['cables']:,} cables, killed",
                f"after {add['killed_after_s']} s at {add['killed_at_sections']} sections embedded;"
                f" the index then had {add['cables_after_kill']:,} cables (before: {add['cables_before']:,})",
            ),
            (
                f"add {add['cables']:,} cables, next run",
                f"{add['seconds']} s, resumed: {add['resumed']}, {add['vectors_embedded']:,} vectors embedded;"
                f" extra disk at peak {add['peak_extra_bytes'] / 1e6:,.1f} MB ({extra:.1%} of the index);"
                f" index {add['index_bytes_before'] / 1e6:,.1f} -> {add['index_bytes_after'] / 1e6:,.1f} MB",
            ),
            ("  after it", f"{', '.join(add['generations'])}; vector files {', '.join(add['vector_files'])}"),
            (
                "  cold open + first answer",
                f"{results['cold_after_add']['open_s']} s + "
                f"{results['cold_after_add']['first_answer_s'] - results['cold_after_add']['open_s']:.2f} s",
            ),
            *(
                (f"  warm ask, {label}", f"p50 {t['p50_ms']} ms, p95 {t['p95_ms']} ms")
                for label, t in results["warm_after_add"].items()
            ),
        ]
    rows += [
        *((f"  {name}", f"{size / 1e6:,.1f} MB") for name, size in results["files"].items()),
        (
            "cold open + first answer",
            f"{results['cold']['open_s']} s + {results['cold']['first_answer_s'] - results['cold']['open_s']:.2f} s"
            f" (process {results['cold']['process_s']} s)",
        ),
        *(
            (f"warm ask, {label}", f"first {t['first_ms']} ms, then p50 {t['p50_ms']} ms, p95 {t['p95_ms']} ms")
            for label, t in results["warm"].items()
        ),
    ]
    if "same_as" in results:
        same = results["same_as"]
        rows.append(("answers as " + same["index"], f"{same['same']} of {same['asks']} asks the same"))
    if "model" in results:
        model = results["model"]
        rows += [
            (
                "real model build (sample)",
                f"{model['cables']} cables in {model['seconds']} s: {model['windows_per_s']} windows/s,"
                f" {model['vectors_per_s']} vectors/s, {model['cables_per_min']} cables/min",
            ),
            ("projected full release", f"{model['full_release_hours']} h at that rate"),
        ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
