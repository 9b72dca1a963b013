"""Assemble the quotation test set of `cableqa check` (eval/quotes/README.md says what each file holds).

    python eval/quotes/make_set.py FOUND.jsonl [--corpus ../shared/corpus/cablegate-html] [--out eval/quotes]

FOUND.jsonl: quotations that news articles attributed to cables of the shared corpus, one a line:
{"quote", "doc_id", "source_url", "article_title", "in_cable_verbatim", "cable_text"} (cable_text: the
cable's own words for it). Writes:
- real.jsonl: those rows as they are;
- altered.jsonl: from each real quotation the cable holds word for word (6 words or more, no
  elision, bracket or parenthesis), one word changed and one word dropped, and two of one cable's
  quotations merged into one; a variant the cable holds all the same (two quotations that follow
  each other, a repeated word dropped) is left out;
- invented.jsonl: the quotations of invented.txt, written for this set, which no cable holds.
Seeded: the same FOUND.jsonl gives the same files.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 22
VARIANT_MIN_WORDS = 6
# Words a misquotation puts in: ordinary cable and news words, none a stop word.
SUBSTITUTES = (
    "serious major recent foreign national private public early local strong clear formal senior regional "
    "political economic military growing similar certain special"
).split()
# Rows the collector gave no cable (from a cable outside the corpus) that a cable of the corpus holds after
# all, each read there by hand: the quotation's start -> the cable (in_cable_verbatim stays false: the
# reporter changed a few words).
CORRECTIONS = {
    "A major security loophole since pilgrims": "09RIYADH716",  # "...a major security loophole for the Saudis, since pilgrims..."
    "South Korean analysts believed that KJI": "09SEOUL1171",  # "...KJI was unlikely to live more than 3 to 5 years..."
}
STOP = set("a an the and or but of to in on at by for with from as is are was were be been it its that this".split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("found", type=Path)
    parser.add_argument("--corpus", type=Path, default=HERE.parents[2] / "shared" / "corpus" / "cablegate-html")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = [json.loads(line) for line in args.found.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = list({(row["doc_id"], row["quote"]): row for row in rows}.values())  # each quotation once
    for row in rows:
        for start, doc_id in CORRECTIONS.items():
            if row["doc_id"] is None and row["quote"].startswith(start):
                row["doc_id"], row["corrected"] = doc_id, "the collector found no cable; this one holds it"
    random.seed(SEED)
    write(args.out / "real.jsonl", rows)
    write(args.out / "altered.jsonl", altered(rows, cable_texts(args.corpus, {row["doc_id"] for row in rows})))
    invented = [line.strip() for line in (HERE / "invented.txt").read_text(encoding="utf-8").splitlines()]
    write(
        args.out / "invented.jsonl", [{"quote": line, "kind": "invented", "doc_id": None} for line in invented if line]
    )


def cable_texts(corpus: Path, doc_ids: set[str]) -> dict[str, str]:
    """The plain words of each cable of `doc_ids` in the corpus."""
    import cableqa

    return {cable.doc_id: _plain(cable.body) for cable in cableqa.read(corpus) if cable.doc_id in doc_ids}


def altered(rows: list[dict], cables: dict[str, str]) -> list[dict]:
    exact = [
        row
        for row in rows
        if row["in_cable_verbatim"]
        and row["doc_id"] in cables
        and len(row["quote"].split()) >= VARIANT_MIN_WORDS
        and not re.search(r"[\[(]|\.\.\.|…", row["quote"])
    ]
    variants = []
    for row in exact:
        words = row["quote"].split()
        content = [i for i, word in enumerate(words) if _plain(word) not in STOP and len(_plain(word)) >= 4]
        if not content:
            continue
        changed = random.choice(content)
        substitute = random.choice([word for word in SUBSTITUTES if word not in _plain(row["quote"])])
        base = {"doc_id": row["doc_id"], "source_url": row["source_url"], "from": row["quote"]}
        variants.append(
            {**base, "kind": "word changed", "quote": " ".join(words[:changed] + [substitute] + words[changed + 1 :])}
        )
        inner = [i for i in content if 0 < i < len(words) - 1] or content
        dropped = random.choice(inner)
        variants.append({**base, "kind": "word dropped", "quote": " ".join(words[:dropped] + words[dropped + 1 :])})
    by_cable = defaultdict(list)
    for row in exact:
        by_cable[row["doc_id"]].append(row)
    for doc_id, quotes in sorted(by_cable.items()):
        for first, second in zip(quotes[::2], quotes[1::2], strict=False):
            if _plain(first["quote"]) in _plain(second["quote"]) or _plain(second["quote"]) in _plain(first["quote"]):
                continue
            merged = first["quote"].rstrip(" ,;:") + ". " + second["quote"][0].upper() + second["quote"][1:]
            variants.append(
                {
                    "doc_id": doc_id,
                    "source_url": first["source_url"],
                    "from": [first["quote"], second["quote"]],
                    "kind": "two merged",
                    "quote": merged,
                }
            )
    return [variant for variant in variants if _plain(variant["quote"]) not in cables[variant["doc_id"]]]


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    print(f"{path}: {len(rows)}")


if __name__ == "__main__":
    main()
