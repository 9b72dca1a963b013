"""Assemble the writers' batches into question sets: python3 assemble.py train|test OUT.jsonl

Each answer span is checked verbatim (whitespace collapsed, case ignored) against the cable's
clean text again; a question whose span is not there is dropped and counted.
"""

import json
import re
import sys
from pathlib import Path

QGEN = Path(__file__).resolve().parent
CABLES = QGEN / "cables"


def norm(text):
    return re.sub(r"\s+", " ", text).strip().casefold()


def main(kind, out):
    rows, dropped = [], 0
    bodies = {}
    for batch_file in sorted((QGEN / "out").glob(f"{kind}-*.jsonl")):
        batch = batch_file.stem
        items = [json.loads(line) for line in batch_file.read_text().splitlines() if line.strip()]
        for n, item in enumerate(items, 1):
            doc = item["doc_id"]
            bodies[doc] = norm((CABLES / f"{doc}.txt").read_text().split("\n\n", 1)[1])
            for k, q in enumerate(item.get("questions", []), 1):
                rows.append(
                    {
                        "id": f"{kind}2-{batch}-{n:03d}-{k}",
                        "question": q["question"].strip(),
                        "answers": q.get("answers", []),
                        "doc_id": doc,
                        "style": q["style"],
                    }
                )
        secondhand = QGEN / "secondhand" / f"{batch}.jsonl"
        if secondhand.exists():
            for m, line in enumerate(secondhand.read_text().splitlines(), 1):
                if not line.strip():
                    continue
                q = json.loads(line)
                n = int(q["key"].rsplit("-", 1)[1])
                item = items[n - 1]
                sentence = item["account"][int(q["sentence"]) - 1]
                rows.append(
                    {
                        "id": f"{kind}2-{batch}-{n:03d}-s{m}",
                        "question": q["question"].strip(),
                        "answers": sentence["answers"],
                        "doc_id": item["doc_id"],
                        "style": "secondhand",
                    }
                )
    kept = []
    for row in rows:
        if row["answers"] and not all(norm(a) in bodies[row["doc_id"]] for a in row["answers"]):
            row["answers"] = [a for a in row["answers"] if norm(a) in bodies[row["doc_id"]]]
            if not row["answers"]:
                dropped += 1
                continue
        if row["style"] == "none":
            row.pop("doc_id")
        kept.append(row)
    Path(out).write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in kept))
    styles = {}
    for row in kept:
        styles[row["style"]] = styles.get(row["style"], 0) + 1
    print(f"{len(kept)} questions over {len(bodies)} cables, {dropped} dropped: {styles}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
