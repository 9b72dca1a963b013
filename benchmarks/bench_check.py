"""`cableqa check` on real reporting: how often each verdict is right, and how long an article takes.

    python benchmarks/bench_check.py --index /path/to/corpus-index [--set eval/quotes] [--misses]

Over the quotation test set (eval/quotes/README.md), each quotation checked on its own (as a block
quote, the article naming no cable):
- real.jsonl, quotations the cable holds (`in_cable_verbatim`): `verbatim` at the right cable and
  paragraph, the paragraph being where the row's `cable_text` is in that cable (goal >= 0.95);
- real.jsonl, quotations news articles changed: `altered` (or `verbatim`) at the right cable;
- altered.jsonl (a word changed, a word dropped, two merged): `altered` at the right cable (>= 0.90);
- invented.jsonl, and real.jsonl's quotations from cables outside the corpus: `not_found` (>= 0.95).
Then the time to check a 1,500-word article holding 10 of these quotations (goal <= 2 s on the
1,295-cable index): the first check after opening the index (it loads the query encoder), and warm.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARTICLE_WORDS = 1_500
ARTICLE_QUOTES = 10
FILLER = (
    "Diplomats in the capital said the talks had gone on for weeks, and officials on both sides described "
    "them as difficult but useful. The documents, released by WikiLeaks, give a rare view of how embassies "
    "report on the politics of their host countries, and of the people they meet."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True)
    parser.add_argument("--set", default=str(REPO / "eval" / "quotes"))
    parser.add_argument("--misses", action="store_true", help="print every quotation given a wrong verdict")
    parser.add_argument("--repeat", type=int, default=5, help="warm checks of the article timed")
    args = parser.parse_args()

    import cableqa

    started = time.perf_counter()
    qa = cableqa.load(args.index, build_missing=False)
    opened = time.perf_counter() - started
    folder = Path(args.set)
    real = read(folder / "real.jsonl")
    altered = read(folder / "altered.jsonl")
    invented = read(folder / "invented.jsonl")
    # the article first: its first check is the first on this index, the encoder loading in it
    article = make_article(real, altered, invented)
    timings = time_article(qa, article, args.repeat)
    print(
        f"article: {len(article.split()):,} words, {ARTICLE_QUOTES} quotations; opening the index {opened:.2f} s; "
        f"first check {timings[0]:.2f} s (loads the query encoder), warm median {statistics.median(timings[1:]):.3f} s "
        f"(min {min(timings[1:]):.3f}, max {max(timings[1:]):.3f})"
    )

    results: dict[str, Counter] = defaultdict(Counter)
    misses = []
    started = time.perf_counter()
    checked = 0
    for row in real:
        found = check_one(qa, row["quote"])
        checked += 1
        if found is None:
            results["real, too short to be a quotation"]["n"] += 1
            continue
        if row["doc_id"] is None:  # a cable outside the corpus
            right = found.status == "not_found"
            tally(results["real, from cables outside the corpus: not_found"], right, found, row, misses)
            tally(results["in no indexed cable, all: not_found"], right, found, row, [])
        elif row["in_cable_verbatim"]:
            truth = truth_paragraphs(qa, row)
            right = (
                found.status == "verbatim"
                and found.passage.doc_id == row["doc_id"]
                and truth is not None
                and set(found.passage.paragraphs) <= truth
                and (bool(found.passage.paragraphs) or not truth)
            )
            tally(results["real, verbatim in the cable: verbatim at cable and paragraph"], right, found, row, misses)
        else:
            right = found.status in ("altered", "verbatim") and found.passage.doc_id == row["doc_id"]
            tally(results["real, changed by the reporter: altered/verbatim at the cable"], right, found, row, misses)
            results["real, changed by the reporter: verdicts"][found.status] += 1
    for row in altered:
        found = check_one(qa, row["quote"])
        checked += 1
        right = found is not None and found.status == "altered" and found.passage.doc_id == row["doc_id"]
        tally(results[f"altered ({row['kind']}): altered at the cable"], right, found, row, misses)
        tally(results["altered, all: altered at the cable"], right, found, row, [])
    for row in invented:
        found = check_one(qa, row["quote"])
        checked += 1
        right = found is not None and found.status == "not_found"
        tally(results["invented: not_found"], right, found, row, misses)
        tally(results["in no indexed cable, all: not_found"], right, found, row, [])
    seconds = time.perf_counter() - started
    for name, counts in results.items():
        if "n" in counts and "right" not in counts and "wrong" not in counts:
            print(f"{name}: {counts['n']}")
            continue
        if name.endswith("verdicts"):
            print(f"{name}: {dict(counts)}")
            continue
        total = counts["right"] + counts["wrong"]
        print(f"{name}: {counts['right']}/{total} = {counts['right'] / total:.3f}")
    print(f"{checked} quotations checked one by one in {seconds:.1f} s ({seconds / checked * 1000:.0f} ms each)")
    if args.misses:
        for row, found in misses:
            got = "none" if found is None else f"{found.status} {found.passage.doc_id if found.passage else None}"
            print(json.dumps({"quote": row["quote"], "kind": row.get("kind"), "doc_id": row["doc_id"], "got": got}))


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check_one(qa, quote: str):
    """The verdict on one quotation, written as a block quote in an article that names no cable."""
    quotes = qa.check("> " + " ".join(quote.split())).quotes
    return quotes[0] if quotes else None


def tally(counts: Counter, right: bool, found, row: dict, misses: list) -> None:
    counts["right" if right else "wrong"] += 1
    if not right:
        misses.append((row, found))


def truth_paragraphs(qa, row: dict) -> set[int] | None:
    """The paragraphs of the row's cable where its `cable_text` is (found by a plain pattern, not by check)."""
    from cableqa.sections import paragraphs_between

    cable = qa.cable(row["doc_id"])
    words = re.findall(r"\w+", row["cable_text"])
    if cable is None or not words:
        return None
    pattern = re.compile(r"\W+(?:\d{1,3}\.\s+\([A-Z/]+\)\s+)?".join(map(re.escape, words)), re.I)
    for section in cable.sections:
        match = pattern.search(section.text)
        if match:
            return set(paragraphs_between(section, *match.span()))
    return None


def make_article(real: list[dict], altered: list[dict], invented: list[dict]) -> str:
    """A 1,500-word article: prose with 10 quotations (6 real, 2 altered, 2 invented) among it."""
    quotes = [row["quote"] for row in real[:60:10]] + [row["quote"] for row in altered[:2]]
    quotes += [row["quote"] for row in invented[:2]]
    paragraphs = []
    per_paragraph = ARTICLE_WORDS // ARTICLE_QUOTES
    for quote in quotes:
        filler = (FILLER + " ") * (per_paragraph // len(FILLER.split()) + 1)
        words = filler.split()[: per_paragraph - len(quote.split())]
        paragraphs.append(" ".join(words[: len(words) // 2]) + f" “{quote}” " + " ".join(words[len(words) // 2 :]))
    return "\n\n".join(paragraphs)


def time_article(qa, article: str, repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        check = qa.check(article)
        timings.append(time.perf_counter() - started)
        assert len(check.quotes) == ARTICLE_QUOTES, len(check.quotes)
    return timings


if __name__ == "__main__":
    main()
