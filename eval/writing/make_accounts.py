"""Accounts of one writer's batch, without the cable IDs, for the secondhand writers: python3 make_accounts.py BATCH"""

import json
import os
import sys

QGEN = os.environ.get("QGEN", "/work/qgen")
batch = sys.argv[1]
with open(f"{QGEN}/accounts/{batch}.jsonl", "w") as out:
    for n, line in enumerate(open(f"{QGEN}/out/{batch}.jsonl"), 1):
        item = json.loads(line)
        if item.get("account"):
            sentences = [s["sentence"] for s in item["account"]]
            out.write(json.dumps({"key": f"{batch}-{n:03d}", "account": sentences}) + "\n")
