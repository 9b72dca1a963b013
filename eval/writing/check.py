"""Check a writer's output file: every span verbatim in its cable (whitespace collapsed, case ignored), styles and shapes right.

python3 check.py QGEN/out/FILE.jsonl   (QGEN: the writing folder, $QGEN or /work/qgen)
"""

import json
import os
import re
import sys
from pathlib import Path

QGEN = Path(os.environ.get("QGEN", "/work/qgen"))
CABLES = QGEN / "cables"
STYLES = {"full", "terse", "paraphrase", "none"}


def norm(text):
    return re.sub(r"\s+", " ", text).strip().casefold()


def main(path):
    problems, cables, questions = [], 0, 0
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as error:
            problems.append(f"line {number}: not JSON ({error})")
            continue
        doc = item.get("doc_id")
        file = CABLES / f"{doc}.txt"
        if not file.exists():
            problems.append(f"line {number}: unknown doc_id {doc}")
            continue
        body = norm(file.read_text().split("\n\n", 1)[1])
        cables += 1
        for q in item.get("questions", []):
            questions += 1
            if q.get("style") not in STYLES:
                problems.append(f"{doc}: bad style {q.get('style')}")
            if not q.get("question", "").strip():
                problems.append(f"{doc}: empty question")
            if q.get("style") == "terse" and len(q["question"].split()) > 8:
                problems.append(f"{doc}: terse question over 8 words: {q['question']}")
            if q.get("style") == "none":
                if q.get("answers"):
                    problems.append(f"{doc}: a 'none' question must have answers []")
                continue
            if not q.get("answers"):
                problems.append(f"{doc}: no answer span for {q.get('question')}")
            for span in q.get("answers", []):
                if len(span.split()) < 2 or norm(span) not in body:
                    problems.append(f"{doc}: span not verbatim in the cable (or under 2 words): {span!r}")
        account = item.get("account", [])
        if not 3 <= len(account) <= 5:
            problems.append(f"{doc}: account must have 3-5 sentences, has {len(account)}")
        for sentence in account:
            if not sentence.get("answers"):
                problems.append(f"{doc}: account sentence without spans: {sentence.get('sentence')}")
            for span in sentence.get("answers", []):
                if len(span.split()) < 2 or norm(span) not in body:
                    problems.append(f"{doc}: account span not verbatim: {span!r}")
    for problem in problems:
        print(problem)
    print(f"{cables} cables, {questions} questions, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
